//! Merging a deployment scan into ACM's `InUseBy` (phase 3). Both sources
//! are kept: a certificate is in use when either says so, and each side's
//! claim the other does not confirm is reported.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::model::Certificate;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisagreementKind {
    /// `InUseBy` names a resource the scan did not find (deleted, or never there).
    InUseByStale,
    /// The scan found a resource serving the certificate that `InUseBy` omits.
    InUseByMissing,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disagreement {
    pub certificate_arn: String,
    pub resource: String,
    pub kind: DisagreementKind,
}

/// What the scan saw, keyed for the merge.
pub struct ScanView<'a> {
    pub users: &'a BTreeMap<String, BTreeSet<String>>,
    pub resources: &'a BTreeSet<String>,
    /// Whether the part of the scan that would have seen `resource` (named
    /// by `certificate`'s `InUseBy`) completed.
    pub covered: &'a dyn Fn(&Certificate, &str) -> bool,
}

pub fn merge(certs: &mut [Certificate], scan: &ScanView<'_>) -> Vec<Disagreement> {
    let mut out = Vec::new();
    for c in certs.iter_mut() {
        let mut found: BTreeSet<String> = scan.users.get(&c.arn).cloned().unwrap_or_default();
        if let Some(users) = c.resource_id.as_ref().and_then(|id| scan.users.get(id)) {
            found.extend(users.iter().cloned());
        }
        for r in &c.in_use_by {
            if (scan.covered)(c, r) && !scan.resources.contains(r) {
                out.push(Disagreement {
                    certificate_arn: c.arn.clone(),
                    resource: r.clone(),
                    kind: DisagreementKind::InUseByStale,
                });
            }
        }
        for r in &found {
            if !c.in_use_by.contains(r) {
                out.push(Disagreement {
                    certificate_arn: c.arn.clone(),
                    resource: r.clone(),
                    kind: DisagreementKind::InUseByMissing,
                });
            }
        }
        let mut all: BTreeSet<String> = c.in_use_by.iter().cloned().collect();
        all.extend(found);
        c.in_use_by = all.into_iter().collect();
        c.in_use = !c.in_use_by.is_empty();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::cert;

    #[test]
    fn merge_unions_both_sides_and_reports_each_gap() {
        let mut a = cert("arn:a");
        a.in_use_by = vec!["lb-gone".into(), "lb-1".into()];
        a.in_use = true;
        let b = cert("arn:b");
        let mut certs = vec![a, b];
        let users = BTreeMap::from([
            ("arn:a".to_string(), BTreeSet::from(["lb-1".to_string()])),
            ("arn:b".to_string(), BTreeSet::from(["cf-1".to_string()])),
        ]);
        let resources = BTreeSet::from(["lb-1".to_string(), "cf-1".to_string()]);
        let covered = |_: &Certificate, _: &str| true;
        let d = merge(
            &mut certs,
            &ScanView {
                users: &users,
                resources: &resources,
                covered: &covered,
            },
        );
        assert!(
            certs[1].in_use,
            "a certificate only CloudFront uses is in use"
        );
        assert_eq!(certs[1].in_use_by, ["cf-1"]);
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].kind, DisagreementKind::InUseByStale);
        assert_eq!(d[0].resource, "lb-gone");
        assert_eq!(d[1].kind, DisagreementKind::InUseByMissing);
    }
}
