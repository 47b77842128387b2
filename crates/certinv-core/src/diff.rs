//! What changed between two runs: certificates new, gone, or in another bucket.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::{Bucket, Certificate};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub arn: String,
    pub account_id: String,
    pub region: Option<String>,
    pub domain_name: Option<String>,
    pub before: Option<Bucket>,
    pub after: Option<Bucket>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RunDiff {
    pub new: Vec<Change>,
    pub gone: Vec<Change>,
    pub changed: Vec<Change>,
}

impl RunDiff {
    pub fn is_empty(&self) -> bool {
        self.new.is_empty() && self.gone.is_empty() && self.changed.is_empty()
    }
}

fn change(c: &Certificate, before: Option<Bucket>, after: Option<Bucket>) -> Change {
    Change {
        arn: c.arn.clone(),
        account_id: c.account_id.to_string(),
        region: c.region.as_deref().map(str::to_string),
        domain_name: c.domain_name.clone(),
        before,
        after,
    }
}

pub fn diff(a: &[Certificate], b: &[Certificate]) -> RunDiff {
    let before: BTreeMap<&str, &Certificate> = a.iter().map(|c| (c.arn.as_str(), c)).collect();
    let after: BTreeMap<&str, &Certificate> = b.iter().map(|c| (c.arn.as_str(), c)).collect();
    let mut out = RunDiff::default();
    for (arn, c) in &after {
        match before.get(arn) {
            None => out.new.push(change(c, None, c.bucket)),
            Some(old) if old.bucket != c.bucket => {
                out.changed.push(change(c, old.bucket, c.bucket))
            }
            Some(_) => {}
        }
    }
    for (arn, c) in &before {
        if !after.contains_key(arn) {
            out.gone.push(change(c, c.bucket, None));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::cert;

    fn with(arn: &str, b: Bucket) -> Certificate {
        let mut c = cert(arn);
        c.bucket = Some(b);
        c
    }

    #[test]
    fn new_gone_and_changed_by_arn() {
        let a = [
            with("arn:1", Bucket::Ok),
            with("arn:2", Bucket::High),
            with("arn:3", Bucket::Ok),
        ];
        let b = [
            with("arn:2", Bucket::Critical),
            with("arn:3", Bucket::Ok),
            with("arn:4", Bucket::Medium),
        ];
        let d = diff(&a, &b);
        assert_eq!(
            d.new.iter().map(|c| c.arn.as_str()).collect::<Vec<_>>(),
            ["arn:4"]
        );
        assert_eq!(
            d.gone.iter().map(|c| c.arn.as_str()).collect::<Vec<_>>(),
            ["arn:1"]
        );
        assert_eq!(d.changed[0].arn, "arn:2");
        assert_eq!(
            (d.changed[0].before, d.changed[0].after),
            (Some(Bucket::High), Some(Bucket::Critical))
        );
        assert!(diff(&a, &a).is_empty());
    }
}
