//! The certificate record and the report object whose JSON field names are the
//! product contract (SPEC §4). Every field a discovery path cannot know is `None`
//! and serialises as `null`: a guess here would be repeated in every audit.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::time::utc_seconds;

pub const SCHEMA: &str = "certinv/v1";

/// The seven ACM key types. `ListCertificates` silently drops every type not
/// named in `Includes.keyTypes` except RSA_1024/RSA_2048, so callers pass all of them.
pub const ACM_KEY_TYPES: [&str; 7] = [
    "RSA_1024",
    "RSA_2048",
    "RSA_3072",
    "RSA_4096",
    "EC_prime256v1",
    "EC_secp384r1",
    "EC_secp521r1",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Bucket {
    Critical,
    High,
    Medium,
    Remove,
    NotIssued,
    Ok,
}

impl Bucket {
    /// Worst first: the order of `triage` output.
    pub const ALL: [Bucket; 6] = [
        Bucket::Critical,
        Bucket::High,
        Bucket::Medium,
        Bucket::Remove,
        Bucket::NotIssued,
        Bucket::Ok,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Bucket::Critical => "CRITICAL",
            Bucket::High => "HIGH",
            Bucket::Medium => "MEDIUM",
            Bucket::Remove => "REMOVE",
            Bucket::NotIssued => "NOT_ISSUED",
            Bucket::Ok => "OK",
        }
    }

    /// Rank for `--fail-on`: higher is worse; buckets that never fail rank 0.
    pub fn severity(self) -> u8 {
        match self {
            Bucket::Critical => 4,
            Bucket::High => 3,
            Bucket::Medium => 2,
            Bucket::Remove => 1,
            Bucket::NotIssued | Bucket::Ok => 0,
        }
    }
}

impl std::fmt::Display for Bucket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A short, often repeated value (an account ID, a region, a status): kept
/// inside the record up to 24 bytes instead of in a heap allocation of its
/// own, which makes a million-certificate report a quarter smaller and lets a
/// renderer read a record without chasing a dozen pointers.
pub type Text = compact_str::CompactString;

/// One certificate as every discovery path reports it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Certificate {
    pub arn: String,
    pub account_id: Text,
    pub account_name: Option<Text>,
    pub region: Option<Text>,
    pub domain_name: Option<String>,
    #[serde(default)]
    pub subject_alternative_names: Vec<String>,
    #[serde(rename = "type")]
    pub cert_type: Option<Text>,
    pub status: Option<Text>,
    pub key_algorithm: Option<Text>,
    #[serde(with = "utc_seconds::option", default)]
    pub not_before: Option<Timestamp>,
    #[serde(with = "utc_seconds::option", default)]
    pub not_after: Option<Timestamp>,
    pub days_to_expiry: Option<i64>,
    pub in_use: bool,
    #[serde(default)]
    pub in_use_by: Vec<String>,
    pub renewal_eligibility: Option<Text>,
    pub renewal_status: Option<Text>,
    pub bucket: Option<Bucket>,
    pub source: Text,
    #[serde(default)]
    pub tags: crate::tags::Tags,
    #[serde(default)]
    pub renewal_risk: bool,
    /// `/Root/Workloads/Prod`: filled when OUs are asked for (`--filter ou=`,
    /// `triage --by ou`), from one lookup per account.
    #[serde(default)]
    pub ou_path: Option<String>,
    /// An accepted risk (`--exceptions`): the certificate keeps its bucket
    /// but no longer counts for `--fail-on`. Boxed because it is rare, and a
    /// million empty inline notes would cost 64 MB.
    #[serde(default)]
    pub excepted: Option<Box<ExceptionNote>>,
    /// The service's own ID where it differs from the ARN (an IAM
    /// ServerCertificateId, which is how CloudFront names its certificate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_id: Option<String>,
    /// The private CA that issued this certificate (ACM PRIVATE).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_authority_arn: Option<String>,
    /// For a PRIVATE_CA record: the certificates it issued, which expire
    /// with it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub issued_certificates: Vec<String>,
    /// Disagreements found while reading the record, e.g. an IAM expiry that
    /// differs from the certificate body's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExceptionNote {
    pub reason: String,
    pub approver: String,
    pub expires: String,
}

/// Normalise a key algorithm to ACM's enum spelling. DescribeCertificate says
/// `RSA-2048` and `EC-prime256v1`; ListCertificates and Config say `RSA_2048`.
pub fn normalise_key_algorithm(raw: &str) -> String {
    let trimmed = raw.trim();
    match trimmed.split_once(['-', '_']) {
        Some((family, rest)) => {
            let family = family.to_ascii_uppercase();
            if family == "EC" {
                format!("EC_{rest}")
            } else {
                format!("{family}_{}", rest.to_ascii_uppercase())
            }
        }
        None => trimmed.to_string(),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeMiss {
    pub account_id: String,
    pub region: Option<String>,
    pub reason: MissReason,
    pub detail: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MissReason {
    AccessDenied,
    NotEnabled,
    NotAggregated,
    Throttled,
    Timeout,
    Error,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Scope {
    pub accounts_expected: usize,
    pub accounts_covered: usize,
    pub regions: Vec<String>,
    pub missing: Vec<ScopeMiss>,
}

impl Scope {
    /// `accounts_covered` is derived, so it is recomputed rather than tracked.
    pub fn with_coverage(mut self, expected_accounts: &[String]) -> Self {
        self.accounts_expected = expected_accounts.len();
        self.accounts_covered = expected_accounts
            .iter()
            .filter(|id| !self.missing.iter().any(|m| &m.account_id == *id))
            .count();
        self
    }
}

/// One step of a decision tree (G1 and later gates), printed to stderr as it
/// is taken and kept in the output so a reader can see why a path ran.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub gate: String,
    pub step: String,
    pub outcome: String,
    pub path: Option<String>,
    pub reason: String,
}

impl std::fmt::Display for Decision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}: {}", self.gate, self.step, self.outcome)?;
        if !self.reason.is_empty() {
            write!(f, " ({})", self.reason)?;
        }
        if let Some(path) = &self.path {
            write!(f, " → {path}")?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BucketCounts {
    #[serde(rename = "CRITICAL")]
    pub critical: usize,
    #[serde(rename = "HIGH")]
    pub high: usize,
    #[serde(rename = "MEDIUM")]
    pub medium: usize,
    #[serde(rename = "OK")]
    pub ok: usize,
    #[serde(rename = "REMOVE")]
    pub remove: usize,
    #[serde(rename = "NOT_ISSUED")]
    pub not_issued: usize,
}

impl BucketCounts {
    pub fn get(&self, bucket: Bucket) -> usize {
        match bucket {
            Bucket::Critical => self.critical,
            Bucket::High => self.high,
            Bucket::Medium => self.medium,
            Bucket::Remove => self.remove,
            Bucket::NotIssued => self.not_issued,
            Bucket::Ok => self.ok,
        }
    }

    fn slot(&mut self, bucket: Bucket) -> &mut usize {
        match bucket {
            Bucket::Critical => &mut self.critical,
            Bucket::High => &mut self.high,
            Bucket::Medium => &mut self.medium,
            Bucket::Remove => &mut self.remove,
            Bucket::NotIssued => &mut self.not_issued,
            Bucket::Ok => &mut self.ok,
        }
    }

    pub fn add(&mut self, bucket: Bucket) {
        *self.slot(bucket) += 1;
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub total: usize,
    pub accounts: usize,
    pub buckets: BucketCounts,
    /// Certificates per type (AMAZON_ISSUED, IMPORTED, PRIVATE, IAM_SERVER, PRIVATE_CA).
    #[serde(default)]
    pub types: BTreeMap<String, usize>,
}

impl Summary {
    pub fn of(certificates: &[Certificate]) -> Self {
        let parts = crate::par::chunks(certificates, |_, chunk| Tally::of(chunk));
        let mut summary = Summary {
            total: certificates.len(),
            ..Summary::default()
        };
        let mut accounts: std::collections::HashSet<String, Fnv> = Default::default();
        for part in parts {
            for b in Bucket::ALL {
                *summary.buckets.slot(b) += part.buckets.get(b);
            }
            for (t, n) in part.types {
                *summary.types.entry(t).or_default() += n;
            }
            accounts.extend(part.accounts);
        }
        summary.accounts = accounts.len();
        summary
    }
}

/// One thread's share of a `Summary`, with only its distinct values owned.
struct Tally {
    buckets: BucketCounts,
    types: Vec<(String, usize)>,
    accounts: Vec<String>,
}

impl Tally {
    fn of(certificates: &[Certificate]) -> Tally {
        let mut buckets = BucketCounts::default();
        // A handful of distinct values over up to a million certificates:
        // count by borrowed key, and own only the distinct ones.
        let mut types: std::collections::HashMap<&str, usize> = Default::default();
        let mut accounts: std::collections::HashSet<&str, Fnv> = Default::default();
        for cert in certificates {
            *types
                .entry(cert.cert_type.as_deref().unwrap_or("UNKNOWN"))
                .or_default() += 1;
            if let Some(b) = cert.bucket {
                buckets.add(b);
            }
            accounts.insert(&cert.account_id);
        }
        Tally {
            buckets,
            types: types.into_iter().map(|(k, n)| (k.to_string(), n)).collect(),
            accounts: accounts.into_iter().map(str::to_string).collect(),
        }
    }
}

/// FNV-1a: account IDs are short and trusted, and SipHash's protection
/// against crafted keys costs a tenth of a second per million certificates.
#[derive(Default)]
struct FnvHasher(u64);

impl std::hash::Hasher for FnvHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type Fnv = std::hash::BuildHasherDefault<FnvHasher>;

/// The one object `inventory`, `expiring` and `triage` print as JSON, and the
/// shape a snapshot is read back from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub schema: String,
    #[serde(with = "utc_seconds")]
    pub generated_at: Timestamp,
    #[serde(with = "utc_seconds")]
    pub now: Timestamp,
    pub source: String,
    pub scope: Scope,
    pub summary: Summary,
    pub decisions: Vec<Decision>,
    pub certificates: Vec<Certificate>,
    /// Wall time of the live discovery behind this report (none for a snapshot).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scan_seconds: Option<f64>,
    /// `triage --by`: bucket counts per account, OU or owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups: Option<Groups>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Groups {
    pub by: String,
    pub groups: Vec<Group>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Group {
    pub key: String,
    pub total: usize,
    pub buckets: BucketCounts,
}

impl Groups {
    /// Bucket counts per key, worst first (most CRITICAL, then HIGH, …).
    pub fn of(
        by: &str,
        certificates: &[Certificate],
        key: impl Fn(&Certificate) -> String,
    ) -> Groups {
        let mut map: BTreeMap<String, Group> = BTreeMap::new();
        for c in certificates {
            let k = key(c);
            let g = map.entry(k.clone()).or_insert_with(|| Group {
                key: k,
                total: 0,
                buckets: BucketCounts::default(),
            });
            g.total += 1;
            if let Some(b) = c.bucket {
                g.buckets.add(b);
            }
        }
        let mut groups: Vec<Group> = map.into_values().collect();
        groups.sort_by_key(|g| {
            let worst: Vec<std::cmp::Reverse<usize>> = Bucket::ALL
                .iter()
                .map(|b| std::cmp::Reverse(g.buckets.get(*b)))
                .collect();
            (worst, g.key.clone())
        });
        Groups {
            by: by.to_string(),
            groups,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_algorithms_normalise_to_acm_enum_spelling() {
        for (raw, want) in [
            ("RSA-2048", "RSA_2048"),
            ("RSA_2048", "RSA_2048"),
            ("rsa-4096", "RSA_4096"),
            ("EC-prime256v1", "EC_prime256v1"),
            ("EC_secp384r1", "EC_secp384r1"),
            ("ec-secp521r1", "EC_secp521r1"),
        ] {
            assert_eq!(normalise_key_algorithm(raw), want, "{raw}");
        }
    }

    #[test]
    fn coverage_counts_accounts_without_a_miss() {
        let scope = Scope {
            missing: vec![ScopeMiss {
                account_id: "222222222222".into(),
                region: None,
                reason: MissReason::AccessDenied,
                detail: String::new(),
            }],
            ..Scope::default()
        }
        .with_coverage(&["111111111111".into(), "222222222222".into()]);
        assert_eq!((scope.accounts_expected, scope.accounts_covered), (2, 1));
    }

    #[test]
    fn bucket_counts_serialise_in_contract_order() {
        let json = serde_json::to_string(&BucketCounts::default()).unwrap();
        assert_eq!(
            json,
            r#"{"CRITICAL":0,"HIGH":0,"MEDIUM":0,"OK":0,"REMOVE":0,"NOT_ISSUED":0}"#
        );
    }
}
