//! Accepted risks (`--exceptions FILE`, TOML). An excepted certificate keeps
//! its bucket and is marked, so nothing is hidden; it only stops counting for
//! `--fail-on`. An exception past its `expires` date no longer applies and is
//! reported as lapsed.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::matching::glob_match;
use crate::model::{Certificate, ExceptionNote};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExceptionFile {
    #[serde(default)]
    exception: Vec<Entry>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    arn: Option<String>,
    domain: Option<String>,
    reason: String,
    approver: String,
    expires: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Exception {
    pub arn: Option<String>,
    pub domain: Option<String>,
    pub reason: String,
    pub approver: String,
    pub expires: String,
    /// The first instant at which the exception no longer applies.
    #[serde(skip)]
    lapses_at: Timestamp,
}

/// `2027-01-31` is valid through that whole UTC day; a full RFC 3339 time
/// is valid until that instant.
fn lapse_instant(text: &str) -> Option<Timestamp> {
    if let Ok(t) = text.parse::<Timestamp>() {
        return Some(t);
    }
    let date: jiff::civil::Date = text.parse().ok()?;
    format!("{}T00:00:00Z", date.tomorrow().ok()?).parse().ok()
}

pub fn parse(text: &str) -> Result<Vec<Exception>, String> {
    let file: ExceptionFile = toml::from_str(text).map_err(|e| e.message().to_string())?;
    file.exception
        .into_iter()
        .enumerate()
        .map(|(i, e)| {
            let at = |m: &str| format!("exception #{}: {m}", i + 1);
            if e.arn.is_some() == e.domain.is_some() {
                return Err(at("give exactly one of `arn` or `domain`"));
            }
            if e.reason.trim().is_empty() || e.approver.trim().is_empty() {
                return Err(at("`reason` and `approver` must not be empty"));
            }
            let lapses_at = lapse_instant(&e.expires).ok_or_else(|| {
                at(&format!(
                    "`expires` '{}' is not a date (YYYY-MM-DD) or RFC 3339 time",
                    e.expires
                ))
            })?;
            Ok(Exception {
                arn: e.arn,
                domain: e.domain,
                reason: e.reason,
                approver: e.approver,
                expires: e.expires,
                lapses_at,
            })
        })
        .collect()
}

impl Exception {
    fn covers(&self, c: &Certificate) -> bool {
        match (&self.arn, &self.domain) {
            (Some(arn), _) => &c.arn == arn,
            (None, Some(glob)) => c
                .domain_name
                .iter()
                .chain(&c.subject_alternative_names)
                .any(|d| glob_match(glob, d)),
            (None, None) => false,
        }
    }
}

/// What applying the exceptions did: every suppression and every lapse.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Applied {
    pub suppressed: Vec<Suppression>,
    pub lapsed: Vec<Exception>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suppression {
    pub arn: String,
    pub bucket: Option<String>,
    pub reason: String,
    pub approver: String,
    pub expires: String,
}

pub fn apply(exceptions: &[Exception], certs: &mut [Certificate], now: Timestamp) -> Applied {
    let mut out = Applied::default();
    for e in exceptions {
        if now >= e.lapses_at {
            out.lapsed.push(e.clone());
            continue;
        }
        for c in certs.iter_mut().filter(|c| e.covers(c)) {
            c.excepted = Some(Box::new(ExceptionNote {
                reason: e.reason.clone(),
                approver: e.approver.clone(),
                expires: e.expires.clone(),
            }));
            out.suppressed.push(Suppression {
                arn: c.arn.clone(),
                bucket: c.bucket.map(|b| b.as_str().to_string()),
                reason: e.reason.clone(),
                approver: e.approver.clone(),
                expires: e.expires.clone(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::cert;

    const FILE: &str = r#"
[[exception]]
arn = "arn:aws:acm:r:111111111111:certificate/a"
reason = "decommissioning in Q1"
approver = "ciso@example.com"
expires = "2026-04-30"

[[exception]]
domain = "*.legacy.example.com"
reason = "vendor appliance"
approver = "ciso@example.com"
expires = "2026-03-01"
"#;

    #[test]
    fn valid_exceptions_mark_and_lapsed_ones_are_reported() {
        let ex = parse(FILE).unwrap();
        let mut a = cert("arn:aws:acm:r:111111111111:certificate/a");
        a.domain_name = Some("a.example.com".into());
        let mut b = cert("arn:aws:acm:r:111111111111:certificate/b");
        b.domain_name = Some("x.legacy.example.com".into());
        let mut certs = vec![a, b];
        let applied = apply(&ex, &mut certs, "2026-03-24T00:00:00Z".parse().unwrap());
        assert_eq!(
            certs[0].excepted.as_ref().unwrap().reason,
            "decommissioning in Q1"
        );
        assert!(
            certs[1].excepted.is_none(),
            "the lapsed exception no longer applies"
        );
        assert_eq!(applied.suppressed.len(), 1);
        assert_eq!(applied.lapsed.len(), 1);
        assert_eq!(
            applied.lapsed[0].domain.as_deref(),
            Some("*.legacy.example.com")
        );
    }

    #[test]
    fn a_date_is_valid_through_its_whole_day() {
        assert_eq!(
            lapse_instant("2026-04-30"),
            Some("2026-05-01T00:00:00Z".parse().unwrap())
        );
    }

    #[test]
    fn malformed_entries_are_named() {
        for (text, want) in [
            (
                "[[exception]]\nreason='r'\napprover='a'\nexpires='2026-01-01'",
                "exactly one",
            ),
            (
                "[[exception]]\narn='x'\nreason=''\napprover='a'\nexpires='2026-01-01'",
                "must not be empty",
            ),
            (
                "[[exception]]\narn='x'\nreason='r'\napprover='a'\nexpires='soon'",
                "'soon'",
            ),
            (
                "[[exception]]\narn='x'\nreason='r'\napprover='a'\nexpires='2026-01-01'\ncolour='red'",
                "colour",
            ),
        ] {
            let err = parse(text).unwrap_err();
            assert!(err.contains(want), "{err}");
        }
    }
}
