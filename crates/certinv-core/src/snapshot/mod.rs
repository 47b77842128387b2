//! Reading a report back (`--source snapshot:FILE`). The file is parsed as a
//! stream and judged on its content: a wrong schema is refused as soon as the
//! `schema` key is read, so a huge file of the wrong kind costs no memory.

use std::fmt;
use std::io::{Read, Seek};

mod parallel;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, Visitor};

use crate::model::{Certificate, Decision, SCHEMA, Scope};
use crate::report::Discovery;

#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("snapshot is truncated: {0}")]
    Truncated(String),
    #[error("snapshot is not JSON: {0}")]
    NotJson(String),
    #[error("snapshot is not a certinv/v1 report: {0}")]
    WrongContent(String),
    #[error("snapshot could not be read: {0}")]
    Io(String),
}

impl From<serde_json::Error> for SnapshotError {
    fn from(e: serde_json::Error) -> Self {
        use serde_json::error::Category;
        let text = e.to_string();
        match e.classify() {
            Category::Eof => SnapshotError::Truncated(text),
            Category::Syntax => SnapshotError::NotJson(text),
            Category::Data => SnapshotError::WrongContent(text),
            Category::Io => SnapshotError::Io(text),
        }
    }
}

/// Read a snapshot file. A small one is read as `read` does; a large one on
/// every core (`parallel`), falling back to `read` for anything it does not
/// expect, so both give the same result and the same messages.
pub fn read_file(mut file: std::fs::File) -> Result<Discovery, SnapshotError> {
    // Also where a wrong schema is refused, before any large read.
    const HEAD: usize = 256 << 10;
    let mut head = Vec::with_capacity(HEAD);
    (&mut file)
        .take(HEAD as u64)
        .read_to_end(&mut head)
        .map_err(|e| SnapshotError::Io(e.to_string()))?;
    let whole = head.len() < HEAD;
    match read(&head[..]) {
        Ok(d) if whole => return Ok(d),
        Err(e) if whole || !matches!(e, SnapshotError::Truncated(_)) => return Err(e),
        _ => {}
    }
    let size_hint = file.metadata().map_or(0, |m| m.len());
    let rest = head.as_slice().chain(&mut file);
    if let Some(d) = parallel::read(rest, size_hint) {
        return Ok(d);
    }
    file.seek(std::io::SeekFrom::Start(0))
        .map_err(|e| SnapshotError::Io(e.to_string()))?;
    read(file)
}

/// Read a snapshot into what a discovery would have produced: its source,
/// scope, decisions and certificates. Day counts and buckets are recomputed by
/// the caller at its own `now`.
pub fn read(reader: impl Read) -> Result<Discovery, SnapshotError> {
    read_counting(reader).map(|(discovery, _)| discovery)
}

/// `read`, and how many `certificates` keys the document had: a later one
/// replaces an earlier one's array.
fn read_counting(reader: impl Read) -> Result<(Discovery, usize), SnapshotError> {
    let mut de = serde_json::Deserializer::from_reader(std::io::BufReader::new(reader));
    let read = SnapshotSeed.deserialize(&mut de)?;
    de.end()?;
    Ok(read)
}

struct SnapshotSeed;

impl<'de> DeserializeSeed<'de> for SnapshotSeed {
    type Value = (Discovery, usize);

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(SnapshotVisitor)
    }
}

struct SnapshotVisitor;

impl<'de> Visitor<'de> for SnapshotVisitor {
    type Value = (Discovery, usize);

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "a {SCHEMA} report object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut schema_seen = false;
        let mut source: Option<String> = None;
        let mut scope: Option<Scope> = None;
        let mut decisions: Vec<Decision> = Vec::new();
        let mut certificates: Option<Vec<Certificate>> = None;
        let mut arrays = 0;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "schema" => {
                    let schema: String = map.next_value()?;
                    if schema != SCHEMA {
                        return Err(de::Error::custom(format!(
                            "schema is '{schema}', expected '{SCHEMA}'"
                        )));
                    }
                    schema_seen = true;
                }
                "source" => source = Some(map.next_value()?),
                "scope" => scope = Some(map.next_value()?),
                "decisions" => decisions = map.next_value()?,
                "certificates" => {
                    certificates = Some(map.next_value()?);
                    arrays += 1;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if !schema_seen {
            return Err(de::Error::missing_field("schema"));
        }
        let certificates = certificates.ok_or_else(|| de::Error::missing_field("certificates"))?;
        let discovery = Discovery {
            source: source.unwrap_or_default(),
            scope: scope.unwrap_or_default(),
            decisions,
            certificates,
        };
        Ok((discovery, arrays))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"{"schema":"certinv/v1","source":"acm","decisions":[],
        "scope":{"accounts_expected":1,"accounts_covered":1,"regions":["us-east-1"],"missing":[]},
        "certificates":[{"arn":"arn:aws:acm:us-east-1:111111111111:certificate/a","account_id":"111111111111",
        "account_name":null,"region":"us-east-1","domain_name":"a.example","subject_alternative_names":[],
        "type":"IMPORTED","status":"ISSUED","key_algorithm":"RSA_2048","not_before":null,
        "not_after":"2026-05-01T00:00:00Z","days_to_expiry":3,"in_use":false,"in_use_by":[],
        "renewal_eligibility":null,"renewal_status":null,"bucket":"HIGH","source":"acm"}]}"#;

    #[test]
    fn reads_a_report_back() {
        let d = read(MINIMAL.as_bytes()).unwrap();
        assert_eq!(d.source, "acm");
        assert_eq!(d.certificates.len(), 1);
        assert_eq!(d.scope.regions, ["us-east-1"]);
    }

    #[test]
    fn refuses_other_content_with_a_reason() {
        type Check = fn(&SnapshotError) -> bool;
        let cases: [(&str, Check); 5] = [
            (&MINIMAL[..MINIMAL.len() / 2], |e| {
                matches!(e, SnapshotError::Truncated(_))
            }),
            ("not json at all", |e| {
                matches!(e, SnapshotError::NotJson(_))
            }),
            (
                r#"{"schema":"other/v9","certificates":[]}"#,
                |e| matches!(e, SnapshotError::WrongContent(m) if m.contains("other/v9")),
            ),
            (
                r#"{"certificates":[]}"#,
                |e| matches!(e, SnapshotError::WrongContent(m) if m.contains("schema")),
            ),
            (r#"[1,2,3]"#, |e| {
                matches!(e, SnapshotError::WrongContent(_))
            }),
        ];
        for (text, check) in cases {
            let err = read(text.as_bytes()).unwrap_err();
            assert!(check(&err), "{text:.40}: {err}");
        }
    }

    #[test]
    fn wrong_schema_stops_before_reading_the_rest() {
        // The remainder is garbage; an eager reader would report a syntax error.
        let text = r#"{"schema":"v0","certificates": ]]] garbage"#;
        let err = read(text.as_bytes()).unwrap_err();
        assert!(err.to_string().contains("'v0'"), "{err}");
    }

    #[test]
    fn trailing_content_is_refused() {
        let text = format!("{MINIMAL} {{}}");
        assert!(read(text.as_bytes()).is_err());
    }
}
