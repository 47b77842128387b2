//! `--filter`: narrows what is reported, never what is discovered (the
//! report's scope still says what was read). Repeated filters all apply.

use crate::matching::glob_match;
use crate::model::Certificate;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    Tag { key: String, value: String },
    Ou(String),
    Domain(String),
    Account(String),
    Type(String),
}

impl Filter {
    pub fn parse(text: &str) -> Result<Filter, String> {
        let bad = || {
            format!(
                "invalid --filter '{text}': expected tag:KEY=VALUE, ou=PREFIX, domain=GLOB, account=ID or type=TYPE"
            )
        };
        if let Some(rest) = text.strip_prefix("tag:") {
            let (key, value) = rest.split_once('=').ok_or_else(bad)?;
            if key.is_empty() {
                return Err(bad());
            }
            return Ok(Filter::Tag {
                key: key.into(),
                value: value.into(),
            });
        }
        let (kind, value) = text.split_once('=').ok_or_else(bad)?;
        if value.is_empty() {
            return Err(bad());
        }
        Ok(match kind {
            "ou" => Filter::Ou(value.trim_end_matches('/').into()),
            "domain" => Filter::Domain(value.into()),
            "account" if value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit()) => {
                Filter::Account(value.into())
            }
            "type" => Filter::Type(value.to_ascii_uppercase()),
            _ => return Err(bad()),
        })
    }

    pub fn matches(&self, c: &Certificate) -> bool {
        match self {
            Filter::Tag { key, value } => c.tags.get(key) == Some(value),
            Filter::Ou(prefix) => c.ou_path.as_deref().is_some_and(|p| {
                p == prefix
                    || p.strip_prefix(prefix.as_str())
                        .is_some_and(|rest| rest.starts_with('/'))
            }),
            Filter::Domain(glob) => c
                .domain_name
                .iter()
                .chain(&c.subject_alternative_names)
                .any(|d| glob_match(glob, d)),
            Filter::Account(id) => c.account_id == id,
            Filter::Type(t) => c.cert_type.as_deref() == Some(t.as_str()),
        }
    }

    pub fn needs_tags(&self) -> bool {
        matches!(self, Filter::Tag { .. })
    }

    pub fn needs_ou(&self) -> bool {
        matches!(self, Filter::Ou(_))
    }
}

pub fn all_match(filters: &[Filter], c: &Certificate) -> bool {
    filters.iter().all(|f| f.matches(c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::cert;

    #[test]
    fn parses_every_kind_and_refuses_the_rest() {
        assert_eq!(
            Filter::parse("tag:Owner=team-a").unwrap(),
            Filter::Tag {
                key: "Owner".into(),
                value: "team-a".into()
            }
        );
        assert_eq!(
            Filter::parse("ou=/Root/Workloads/").unwrap(),
            Filter::Ou("/Root/Workloads".into())
        );
        assert_eq!(
            Filter::parse("type=imported").unwrap(),
            Filter::Type("IMPORTED".into())
        );
        for bad in [
            "tag:=x",
            "ou=",
            "account=123",
            "colour=red",
            "domain",
            "tag:Owner",
        ] {
            assert!(Filter::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn filters_match_their_field_and_ou_prefixes_stop_at_a_segment() {
        let mut c = cert("arn:aws:acm:r:111111111111:certificate/a");
        c.tags.insert("Owner".into(), "team-a".into());
        c.ou_path = Some("/Root/Workloads/Prod".into());
        c.domain_name = Some("api.example.com".into());
        c.cert_type = Some("IMPORTED".into());
        let f = |t: &str| Filter::parse(t).unwrap().matches(&c);
        assert!(f("tag:Owner=team-a") && !f("tag:Owner=team-b"));
        assert!(f("ou=/Root/Workloads") && f("ou=/Root/Workloads/Prod") && !f("ou=/Root/Work"));
        assert!(f("domain=*.example.com") && !f("domain=*.example.org"));
        assert!(f("account=111111111111") && !f("account=222222222222"));
        assert!(f("type=imported") && !f("type=private"));
    }
}
