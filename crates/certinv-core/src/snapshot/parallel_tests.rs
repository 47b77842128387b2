//! Tests of `parallel.rs`: the parallel reader against the sequential one.

use super::super::read as read_sequential;
use super::*;
use crate::model::{Report, SCHEMA};
use crate::testing::cert;

/// Enough certificates for several runs, with the bytes a scanner can
/// trip on inside strings: quotes, backslashes, brackets, commas, a fake
/// `"certificates": [` key and a fake cut.
fn report(n: usize) -> Report {
    let nasty = [
        "plain",
        r#"q"uote"#,
        r"back\slash\",
        "br[ack]{et}s,",
        r#""certificates": [{"#,
        "\\\"",
        "é✓",
        r#"},{"arn":"#,
    ];
    let certificates = (0..n)
        .map(|i| {
            let mut c = cert(&format!("arn:aws:acm:r:111111111111:certificate/{i}"));
            c.domain_name = Some(format!("{}-{i}.example", nasty[i % nasty.len()]));
            c.tags
                .insert(nasty[(i + 3) % nasty.len()].into(), nasty[i % 5].into());
            c.in_use_by = vec![format!("x{}", nasty[(i + 1) % nasty.len()])];
            c
        })
        .collect();
    let text = format!(
        r#"{{"schema":"{SCHEMA}","generated_at":"2026-01-01T00:00:00Z","now":"2026-01-01T00:00:00Z","source":"acm",
        "scope":{{"accounts_expected":1,"accounts_covered":1,"regions":["r"],"missing":[]}},
        "summary":{{"total":0,"accounts":0,"buckets":{{"CRITICAL":0,"HIGH":0,"MEDIUM":0,"OK":0,"REMOVE":0,"NOT_ISSUED":0}}}},
        "decisions":[],"certificates":[]}}"#
    );
    let mut r: Report = serde_json::from_str(&text).unwrap();
    r.certificates = certificates;
    r
}

/// Hands out a few bytes per read, so every boundary case meets a block end.
struct Dribble<'a>(&'a [u8], usize);

impl Read for Dribble<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.1.min(buf.len()).min(self.0.len());
        buf[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}

#[test]
fn agrees_with_the_sequential_reader_pretty_and_compact() {
    let r = report(16000);
    for bytes in [
        serde_json::to_vec_pretty(&r).unwrap(),
        serde_json::to_vec(&r).unwrap(),
    ] {
        assert!(
            bytes.len() > RUN_BYTES + BLOCK_BYTES,
            "{} bytes is one run",
            bytes.len()
        );
        let want = read_sequential(&bytes[..]).unwrap();
        let got = read(&bytes[..], bytes.len() as u64).expect("parallel read");
        assert_eq!(got.certificates.len(), 16000);
        assert_eq!(got.certificates, want.certificates);
        assert_eq!((got.source, got.scope), (want.source, want.scope));
    }
}

#[test]
fn keys_in_any_order_still_split() {
    // `jq -S` and other tools write keys sorted: `account_id` first.
    let r = report(16000);
    let sorted: serde_json::Value = serde_json::to_value(&r).unwrap();
    let bytes = serde_json::to_vec(&sorted).unwrap();
    assert!(bytes.starts_with(b"{\"certificates\":[{\"account_id\""));
    let want = read_sequential(&bytes[..]).unwrap();
    let got = read(&bytes[..], bytes.len() as u64).expect("parallel read");
    assert_eq!(got.certificates, want.certificates);
}

#[test]
fn block_ends_anywhere_change_nothing() {
    let bytes = serde_json::to_vec_pretty(&report(40)).unwrap();
    let want = read_sequential(&bytes[..]).unwrap().certificates;
    for step in [1, 2, 3, 7] {
        let got = read(Dribble(&bytes, step), 0).expect("parallel read");
        assert_eq!(got.certificates, want, "step {step}");
    }
}

#[test]
fn anything_unexpected_is_left_to_the_sequential_reader() {
    let good = serde_json::to_string(&report(3)).unwrap();
    let last = good.rfind("}]").unwrap();
    let first_gap = good.find("},{").unwrap();
    let bad = [
        format!("{}}},]{}", &good[..last], &good[last + 2..]),
        format!("{}}}{{{}", &good[..first_gap], &good[first_gap + 3..]),
        good[..good.len() - 10].to_string(),
        format!("{good} trailing"),
        good.replacen(
            r#""certificates":["#,
            r#""certificates":[],"certificates":["#,
            1,
        ),
        good.replacen(r#""certificates":["#, r#""certificates":[1,"#, 1),
        good.replacen(r#""certificates":["#, r#""certificates":{"#, 1),
        // Whitespace JSON does not allow.
        good.replacen("},{", "},\x0c{", 1),
        // A second array under a key spelt with an escape replaces the first.
        format!(r#"{},"certific\u0061tes":[]}}"#, &good[..good.len() - 1]),
    ];
    for text in bad {
        assert!(
            read(text.as_bytes(), 0).is_none(),
            "{}",
            &text[text.len() - 60..]
        );
    }
    assert!(read(good.as_bytes(), 0).is_some());
}

#[test]
fn a_cut_inside_a_certificate_is_caught() {
    // An unknown field (ignored by the parser) that looks like a place to
    // cut, in every certificate. Where a run happens to end after one, the
    // parallel read must give up rather than split the certificate;
    // otherwise it must agree with the sequential reader.
    let mut gave_up = 0;
    let n = 12000;
    // Moving the certificates along moves where the runs end among them.
    for shift in (0..600).step_by(40) {
        let mut r = report(n);
        r.source = "s".repeat(shift);
        for c in &mut r.certificates {
            c.tags.insert("k".into(), "v".into());
        }
        let text = serde_json::to_string(&r)
            .unwrap()
            .replace(r#""tags":{"#, r#""extra":[{"a":1},{"arn":2}],"tags":{"#);
        let want = read_sequential(text.as_bytes()).unwrap();
        assert_eq!(want.certificates.len(), n);
        match read(text.as_bytes(), text.len() as u64) {
            None => gave_up += 1,
            Some(got) => assert_eq!(got.certificates, want.certificates, "{shift}"),
        }
    }
    assert!(gave_up > 0, "no run ended inside a certificate");
}
