//! Turns discovered certificates into the report a command prints: assess at
//! one `now`, keep what the view asks for, order it, count it.

use jiff::Timestamp;

use crate::model::{Certificate, Decision, Report, SCHEMA, Scope, Summary};
use crate::triage::{Thresholds, assess};

/// Which command the report is for; each keeps and orders certificates differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Inventory,
    Expiring { days: i64 },
    Triage,
}

/// What a discovery produced, before any `now`-dependent assessment.
#[derive(Debug, Clone, Default)]
pub struct Discovery {
    pub source: String,
    pub scope: Scope,
    pub decisions: Vec<Decision>,
    pub certificates: Vec<Certificate>,
}

pub struct Assessment {
    pub generated_at: Timestamp,
    pub now: Timestamp,
    pub thresholds: Thresholds,
}

pub fn build(discovery: Discovery, view: View, at: &Assessment) -> Report {
    let mut certificates = discovery.certificates;
    crate::par::for_each_mut(&mut certificates, |chunk| {
        for cert in chunk {
            assess(cert, at.now, at.thresholds);
        }
    });
    if let View::Expiring { days } = view {
        certificates.retain(|c| c.days_to_expiry.is_some_and(|d| d <= days));
    }
    crate::order::sort(&mut certificates, view);
    Report {
        schema: SCHEMA.to_string(),
        generated_at: at.generated_at,
        now: at.now,
        source: discovery.source,
        scope: discovery.scope,
        summary: Summary::of(&certificates),
        decisions: discovery.decisions,
        certificates,
        scan_seconds: None,
        groups: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Bucket;
    use crate::testing::cert;

    fn at(now: &str) -> Assessment {
        let now: Timestamp = now.parse().unwrap();
        Assessment {
            generated_at: now,
            now,
            thresholds: Thresholds::default(),
        }
    }

    fn expiring_in(arn: &str, not_after: &str, in_use: bool) -> Certificate {
        let mut c = cert(arn);
        c.not_after = Some(not_after.parse().unwrap());
        c.in_use = in_use;
        c
    }

    fn discovery() -> Discovery {
        Discovery {
            source: "acm".into(),
            certificates: vec![
                expiring_in(
                    "arn:aws:acm:r:222222222222:certificate/a",
                    "2026-05-01T00:00:00Z",
                    false,
                ),
                expiring_in(
                    "arn:aws:acm:r:111111111111:certificate/b",
                    "2027-01-01T00:00:00Z",
                    false,
                ),
                expiring_in(
                    "arn:aws:acm:r:111111111111:certificate/c",
                    "2026-03-01T00:00:00Z",
                    true,
                ),
                expiring_in(
                    "arn:aws:acm:r:333333333333:certificate/d",
                    "2026-03-02T00:00:00Z",
                    false,
                ),
            ],
            ..Discovery::default()
        }
    }

    fn arns(r: &Report) -> Vec<&str> {
        r.certificates
            .iter()
            .map(|c| &c.arn[c.arn.len() - 1..])
            .collect()
    }

    #[test]
    fn inventory_orders_by_account_then_arn() {
        let r = build(discovery(), View::Inventory, &at("2026-03-24T00:00:00Z"));
        assert_eq!(arns(&r), ["b", "c", "a", "d"]);
        assert_eq!((r.summary.total, r.summary.accounts), (4, 3));
    }

    #[test]
    fn triage_orders_worst_bucket_first() {
        let r = build(discovery(), View::Triage, &at("2026-03-24T00:00:00Z"));
        assert_eq!(arns(&r), ["c", "a", "d", "b"]);
        let buckets: Vec<_> = r.certificates.iter().map(|c| c.bucket.unwrap()).collect();
        assert_eq!(
            buckets,
            [Bucket::Critical, Bucket::Medium, Bucket::Remove, Bucket::Ok]
        );
    }

    #[test]
    fn expiring_keeps_expired_and_soon_soonest_first() {
        let r = build(
            discovery(),
            View::Expiring { days: 40 },
            &at("2026-03-24T00:00:00Z"),
        );
        assert_eq!(arns(&r), ["c", "d", "a"]);
        assert_eq!(r.summary.total, 3);
    }
}
