//! Bucket rules (SPEC §5). `now` is always passed in: the caller owns the clock,
//! so a snapshot can be re-triaged at any instant and tests never race midnight.

use std::cmp::Ordering;

use jiff::Timestamp;

use crate::model::{Bucket, Certificate};
use crate::time::days_between;

const NOT_ISSUED_STATUSES: [&str; 3] = ["PENDING_VALIDATION", "FAILED", "VALIDATION_TIMED_OUT"];

/// `renewal_risk` looks this far ahead (SPEC §9).
const RENEWAL_RISK_DAYS: i64 = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    pub high_days: i64,
    pub medium_days: i64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            high_days: 30,
            medium_days: 90,
        }
    }
}

impl Thresholds {
    pub fn new(high_days: i64, medium_days: i64) -> Result<Self, String> {
        if high_days < 0 || medium_days < 0 {
            return Err("--high-days and --medium-days must not be negative".into());
        }
        if high_days > medium_days {
            return Err(format!(
                "--high-days ({high_days}) must not exceed --medium-days ({medium_days})"
            ));
        }
        Ok(Thresholds {
            high_days,
            medium_days,
        })
    }
}

pub fn is_expired(cert: &Certificate, now: Timestamp) -> bool {
    cert.status.as_deref() == Some("REVOKED") || cert.not_after.is_some_and(|t| t <= now)
}

pub fn bucket_of(cert: &Certificate, now: Timestamp, thresholds: Thresholds) -> Bucket {
    let not_issued = cert
        .status
        .as_deref()
        .is_some_and(|s| NOT_ISSUED_STATUSES.contains(&s));
    let Some(not_after) = cert.not_after.filter(|_| !not_issued) else {
        return Bucket::NotIssued;
    };
    if is_expired(cert, now) {
        return if cert.in_use {
            Bucket::Critical
        } else {
            Bucket::Remove
        };
    }
    let days = days_between(now, not_after);
    if days <= thresholds.high_days {
        Bucket::High
    } else if days <= thresholds.medium_days {
        Bucket::Medium
    } else {
        Bucket::Ok
    }
}

/// In use, expiring within 60 days, and not going to renew by itself.
fn renewal_risk(cert: &Certificate, now: Timestamp) -> bool {
    let Some(not_after) = cert.not_after else {
        return false;
    };
    let soon = not_after > now && days_between(now, not_after) <= RENEWAL_RISK_DAYS;
    let wont_renew = cert.cert_type.as_deref() == Some("IMPORTED")
        || cert.renewal_eligibility.as_deref() == Some("INELIGIBLE")
        || matches!(
            cert.renewal_status.as_deref(),
            Some("FAILED" | "PENDING_VALIDATION")
        );
    cert.in_use && soon && wont_renew
}

/// Fill the fields that depend on `now`: day count, bucket, renewal risk.
pub fn assess(cert: &mut Certificate, now: Timestamp, thresholds: Thresholds) {
    cert.days_to_expiry = cert
        .not_after
        .filter(|_| {
            !cert
                .status
                .as_deref()
                .is_some_and(|s| NOT_ISSUED_STATUSES.contains(&s))
        })
        .map(|t| days_between(now, t));
    cert.bucket = Some(bucket_of(cert, now, thresholds));
    cert.renewal_risk = renewal_risk(cert, now);
}

/// `inventory` order: account, region, ARN.
pub fn by_location(a: &Certificate, b: &Certificate) -> Ordering {
    (&a.account_id, &a.region, &a.arn).cmp(&(&b.account_id, &b.region, &b.arn))
}

/// Soonest expiry first; certificates without an expiry go last.
pub fn by_expiry(a: &Certificate, b: &Certificate) -> Ordering {
    match (a.not_after, b.not_after) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
    .then_with(|| by_location(a, b))
}

/// `triage` order: worst bucket first, then soonest expiry.
pub fn by_severity(a: &Certificate, b: &Certificate) -> Ordering {
    a.bucket.cmp(&b.bucket).then_with(|| by_expiry(a, b))
}

/// The `--fail-on` level. `None` never fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    Critical,
    High,
    Medium,
    Remove,
    None,
}

impl FailOn {
    pub fn trips(self, certificates: &[Certificate]) -> bool {
        let floor = match self {
            FailOn::Critical => Bucket::Critical.severity(),
            FailOn::High => Bucket::High.severity(),
            FailOn::Medium => Bucket::Medium.severity(),
            FailOn::Remove => Bucket::Remove.severity(),
            FailOn::None => return false,
        };
        // An accepted risk keeps its bucket but does not fail the run.
        certificates
            .iter()
            .filter(|c| c.excepted.is_none())
            .filter_map(|c| c.bucket)
            .any(|b| b.severity() >= floor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::cert;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    const NOW: &str = "2026-03-24T00:00:00Z";

    fn bucket_at(not_after: &str, status: &str, in_use: bool) -> Bucket {
        let mut c = cert("arn:aws:acm:ap-southeast-2:111111111111:certificate/x");
        c.not_after = Some(ts(not_after));
        c.status = Some(status.into());
        c.in_use = in_use;
        bucket_of(&c, ts(NOW), Thresholds::default())
    }

    #[test]
    fn bucket_boundaries() {
        use Bucket::*;
        let cases = [
            // (not_after, status, in_use, want)
            ("2026-03-24T00:00:00Z", "ISSUED", true, Critical), // expires exactly now
            ("2026-03-24T00:00:00Z", "ISSUED", false, Remove),
            ("2026-03-23T23:59:59Z", "EXPIRED", true, Critical),
            ("2026-03-24T00:00:01Z", "ISSUED", true, High), // one second left: 0 days
            ("2026-04-23T00:00:00Z", "ISSUED", false, High), // exactly 30 days
            ("2026-04-23T12:00:00Z", "ISSUED", false, High), // 30.5 days floors to 30
            ("2026-04-23T23:59:59Z", "ISSUED", false, High),
            ("2026-04-24T00:00:00Z", "ISSUED", false, Medium), // 31 days
            ("2026-06-22T00:00:00Z", "ISSUED", false, Medium), // exactly 90 days
            ("2026-06-22T23:59:59Z", "ISSUED", false, Medium),
            ("2026-06-23T00:00:00Z", "ISSUED", false, Ok), // 91 days
            ("2027-03-24T00:00:00Z", "REVOKED", true, Critical),
            ("2027-03-24T00:00:00Z", "REVOKED", false, Remove),
            (
                "2027-03-24T00:00:00Z",
                "PENDING_VALIDATION",
                true,
                NotIssued,
            ),
            ("2020-03-24T00:00:00Z", "FAILED", false, NotIssued),
            (
                "2027-03-24T00:00:00Z",
                "VALIDATION_TIMED_OUT",
                false,
                NotIssued,
            ),
        ];
        for (not_after, status, in_use, want) in cases {
            assert_eq!(
                bucket_at(not_after, status, in_use),
                want,
                "{not_after} {status} in_use={in_use}"
            );
        }
    }

    #[test]
    fn no_not_after_is_not_issued() {
        let c = cert("arn:x");
        assert_eq!(
            bucket_of(&c, ts(NOW), Thresholds::default()),
            Bucket::NotIssued
        );
    }

    #[test]
    fn thresholds_move_the_boundaries() {
        let mut c = cert("arn:x");
        c.not_after = Some(ts("2026-04-08T00:00:00Z")); // 15 days
        let t = Thresholds::new(14, 15).unwrap();
        assert_eq!(bucket_of(&c, ts(NOW), t), Bucket::Medium);
        assert!(Thresholds::new(91, 90).is_err());
        assert!(Thresholds::new(-1, 90).is_err());
    }

    #[test]
    fn assess_clears_day_count_of_not_issued() {
        let mut c = cert("arn:x");
        c.not_after = Some(ts("2026-04-08T00:00:00Z"));
        c.status = Some("PENDING_VALIDATION".into());
        assess(&mut c, ts(NOW), Thresholds::default());
        assert_eq!(c.days_to_expiry, None);
        assert_eq!(c.bucket, Some(Bucket::NotIssued));
    }

    #[test]
    fn renewal_risk_needs_use_nearness_and_no_auto_renewal() {
        let base = || {
            let mut c = cert("arn:x");
            c.not_after = Some(ts("2026-05-01T00:00:00Z")); // 38 days
            c.in_use = true;
            c.cert_type = Some("AMAZON_ISSUED".into());
            c.renewal_eligibility = Some("ELIGIBLE".into());
            c
        };
        let risky = |c: Certificate| renewal_risk(&c, ts(NOW));
        assert!(!risky(base()));
        assert!(risky(Certificate {
            cert_type: Some("IMPORTED".into()),
            ..base()
        }));
        assert!(risky(Certificate {
            renewal_eligibility: Some("INELIGIBLE".into()),
            ..base()
        }));
        assert!(risky(Certificate {
            renewal_status: Some("FAILED".into()),
            ..base()
        }));
        assert!(!risky(Certificate {
            cert_type: Some("IMPORTED".into()),
            in_use: false,
            ..base()
        }));
        assert!(!risky(Certificate {
            cert_type: Some("IMPORTED".into()),
            not_after: Some(ts("2026-06-01T00:00:00Z")), // 69 days
            ..base()
        }));
    }

    #[test]
    fn fail_on_ranks_critical_over_remove() {
        let with = |b: Bucket| {
            let mut c = cert("arn:x");
            c.bucket = Some(b);
            vec![c]
        };
        assert!(FailOn::Remove.trips(&with(Bucket::Critical)));
        assert!(FailOn::High.trips(&with(Bucket::High)));
        assert!(!FailOn::High.trips(&with(Bucket::Medium)));
        assert!(!FailOn::Critical.trips(&with(Bucket::Remove)));
        assert!(!FailOn::Remove.trips(&with(Bucket::Ok)));
        assert!(!FailOn::Remove.trips(&with(Bucket::NotIssued)));
        assert!(!FailOn::None.trips(&with(Bucket::Critical)));
    }
}
