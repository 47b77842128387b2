//! Cross-validation (phase 6, gate G2): L1 (what the chosen path returned)
//! against L3 (an independent direct sweep), by ARN. Each difference is
//! attributed to the account it lives in, with the most likely cause, so a
//! gap is explained before anyone reports a number.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::model::{Certificate, MissReason, Scope};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountDifference {
    pub account_id: String,
    pub only_in_l1: Vec<String>,
    pub only_in_l3: Vec<String>,
    pub likely_cause: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrossValidation {
    pub l1_source: String,
    pub l3_source: String,
    pub l1_total: usize,
    pub l3_total: usize,
    pub matched: usize,
    pub only_in_l1: usize,
    pub only_in_l3: usize,
    /// `(|L1∖L3| + |L3∖L1|) / |L3|`, in percent.
    pub variance_percent: f64,
    pub accounts: Vec<AccountDifference>,
}

/// Variance in percent; an empty L3 gives 0 when L1 is empty too, else 100.
pub fn variance(only_l1: usize, only_l3: usize, l3_total: usize) -> f64 {
    if l3_total == 0 {
        return if only_l1 == 0 { 0.0 } else { 100.0 };
    }
    (only_l1 + only_l3) as f64 * 100.0 / l3_total as f64
}

fn account_of(arn: &str, certs: &BTreeMap<&str, &Certificate>) -> String {
    certs
        .get(arn)
        .map(|c| c.account_id.to_string())
        .unwrap_or_else(|| arn.split(':').nth(4).unwrap_or("").to_string())
}

/// The cause that best explains one account's differences, from what each
/// side's scope says it could not read.
fn likely_cause(account: &str, only_l1: usize, only_l3: usize, l1: &Scope, l3: &Scope) -> String {
    let miss_in = |scope: &Scope| {
        scope
            .missing
            .iter()
            .find(|m| m.account_id == account)
            .cloned()
    };
    if let Some(m) = miss_in(l3) {
        return match m.reason {
            MissReason::AccessDenied => {
                format!("AssumeRole denied for the direct sweep: {}", m.detail)
            }
            _ => format!(
                "direct sweep could not read the account ({:?}): {}",
                m.reason, m.detail
            ),
        };
    }
    if let Some(m) = miss_in(l1) {
        return match (m.reason, &m.region) {
            (MissReason::NotAggregated, None) => "account not in aggregator".to_string(),
            (MissReason::NotAggregated, Some(r)) => format!("region {r} not aggregated"),
            (reason, _) => format!(
                "primary path could not read the account ({reason:?}): {}",
                m.detail
            ),
        };
    }
    match (only_l1 > 0, only_l3 > 0) {
        (true, false) => {
            "stale configuration item: listed by the primary path, gone from ACM".into()
        }
        (false, true) => {
            "recorder not recording ACM, or configuration item not yet recorded".into()
        }
        _ => "stale configuration items both ways: the primary path lags ACM".into(),
    }
}

pub fn compare(
    l1: &[Certificate],
    l1_scope: &Scope,
    l1_source: &str,
    l3: &[Certificate],
    l3_scope: &Scope,
) -> CrossValidation {
    let l1_by: BTreeMap<&str, &Certificate> = l1.iter().map(|c| (c.arn.as_str(), c)).collect();
    let l3_by: BTreeMap<&str, &Certificate> = l3.iter().map(|c| (c.arn.as_str(), c)).collect();
    let l1_arns: BTreeSet<&str> = l1_by.keys().copied().collect();
    let l3_arns: BTreeSet<&str> = l3_by.keys().copied().collect();

    let mut per_account: BTreeMap<String, (Vec<String>, Vec<String>)> = BTreeMap::new();
    for arn in l1_arns.difference(&l3_arns) {
        per_account
            .entry(account_of(arn, &l1_by))
            .or_default()
            .0
            .push(arn.to_string());
    }
    for arn in l3_arns.difference(&l1_arns) {
        per_account
            .entry(account_of(arn, &l3_by))
            .or_default()
            .1
            .push(arn.to_string());
    }
    let only_in_l1: usize = per_account.values().map(|(a, _)| a.len()).sum();
    let only_in_l3: usize = per_account.values().map(|(_, b)| b.len()).sum();
    let accounts = per_account
        .into_iter()
        .map(|(account_id, (only_in_l1, only_in_l3))| AccountDifference {
            likely_cause: likely_cause(
                &account_id,
                only_in_l1.len(),
                only_in_l3.len(),
                l1_scope,
                l3_scope,
            ),
            account_id,
            only_in_l1,
            only_in_l3,
        })
        .collect();
    CrossValidation {
        l1_source: l1_source.to_string(),
        l3_source: "acm".to_string(),
        l1_total: l1_arns.len(),
        l3_total: l3_arns.len(),
        matched: l1_arns.intersection(&l3_arns).count(),
        only_in_l1,
        only_in_l3,
        variance_percent: variance(only_in_l1, only_in_l3, l3_arns.len()),
        accounts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ScopeMiss;
    use crate::testing::cert;

    fn certs(arns: &[&str]) -> Vec<Certificate> {
        arns.iter().map(|a| cert(a)).collect()
    }

    const A: &str = "arn:aws:acm:r:111111111111:certificate/a";
    const B: &str = "arn:aws:acm:r:111111111111:certificate/b";
    const C: &str = "arn:aws:acm:r:222222222222:certificate/c";
    const D: &str = "arn:aws:acm:r:333333333333:certificate/d";

    #[test]
    fn variance_follows_the_contract() {
        assert_eq!(variance(0, 0, 0), 0.0);
        assert_eq!(variance(1, 0, 0), 100.0);
        assert_eq!(variance(1, 1, 4), 50.0);
        assert_eq!(variance(0, 0, 176), 0.0);
    }

    #[test]
    fn differences_are_attributed_per_account_with_a_cause() {
        let l1_scope = Scope {
            missing: vec![ScopeMiss {
                account_id: "222222222222".into(),
                region: None,
                reason: MissReason::NotAggregated,
                detail: String::new(),
            }],
            ..Scope::default()
        };
        let cv = compare(
            &certs(&[A, B, D]),
            &l1_scope,
            "config-aggregator",
            &certs(&[A, C]),
            &Scope::default(),
        );
        assert_eq!((cv.l1_total, cv.l3_total, cv.matched), (3, 2, 1));
        assert_eq!((cv.only_in_l1, cv.only_in_l3), (2, 1));
        assert_eq!(cv.variance_percent, 150.0);
        let causes: Vec<(&str, &str)> = cv
            .accounts
            .iter()
            .map(|a| (a.account_id.as_str(), a.likely_cause.as_str()))
            .collect();
        assert_eq!(causes[0].0, "111111111111");
        assert!(causes[0].1.starts_with("stale configuration item"));
        assert_eq!(causes[1], ("222222222222", "account not in aggregator"));
        assert_eq!(causes[2].0, "333333333333");
    }
}
