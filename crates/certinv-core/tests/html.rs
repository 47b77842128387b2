//! `report.html`: a golden file for a fixed pipeline report
//! (`UPDATE_GOLDEN=1 cargo test -p certinv-core --test html` rewrites it), and
//! checks that hold whatever the golden file says: the page is self-contained,
//! AWS text is escaped, and the numbers it draws add up.

use std::path::PathBuf;

use certinv_core::gates::{Gate, Phase, PipelineRecord, RemovalCandidate, Verdict};
use certinv_core::model::{
    Bucket, BucketCounts, Certificate, MissReason, Report, Scope, ScopeMiss,
};
use certinv_core::render::html::{self, PipelineRun};
use certinv_core::report::{Assessment, Discovery, View, build};
use certinv_core::triage::Thresholds;
use jiff::{SignedDuration, Timestamp};
use serde_json::json;

const NOW: &str = "2026-03-24T00:00:00Z";
const LB: &str = "arn:aws:elasticloadbalancing:ap-southeast-2:111111111111:loadbalancer/app/web/1";
const CF: &str = "arn:aws:cloudfront::111111111111:distribution/E2EXAMPLE";
const HOSTILE: &str = "<script>alert(1)</script>.example.com";

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

/// One row of the fixture: account, region, id, domain, not_after, in_use_by.
type Row = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static str,
);

// A table reads best one certificate per line.
#[rustfmt::skip]
const CERTS: [Row; 9] = [
    ("111111111111", "ap-southeast-2", "c1", "pay.example.com", Some("2026-03-01T00:00:00Z"), LB),
    ("111111111111", "us-east-1", "c2", HOSTILE, Some("2026-03-20T12:00:00Z"), CF),
    ("111111111111", "us-east-1", "h1", "cdn.example.com", Some("2026-04-10T06:00:00Z"), CF),
    ("222222222222", "ap-southeast-2", "m1", "media.example.com", Some("2026-05-30T00:00:00Z"), ""),
    ("222222222222", "ap-southeast-2", "r1", "old.example.com", Some("2025-12-01T00:00:00Z"), ""),
    ("222222222222", "eu-west-1", "r2", "older.example.com", Some("2025-11-01T00:00:00Z"), ""),
    ("222222222222", "us-east-1", "p1", "new.example.com", None, ""),
    ("333333333333", "us-east-1", "o2", "www.example.org", Some("2026-08-15T00:00:00Z"), ""),
    ("333333333333", "ap-southeast-2", "o1", "api.example.com", Some("2027-01-01T00:00:00Z"), ""),
];

/// Built from JSON so that fields added to the model later take their
/// defaults here instead of breaking the fixture.
fn cert((account, region, id, domain, not_after, used_by): Row) -> Certificate {
    let (status, cert_type, eligibility) = match id {
        "p1" => ("PENDING_VALIDATION", "AMAZON_ISSUED", "INELIGIBLE"),
        "o2" => ("ISSUED", "AMAZON_ISSUED", "ELIGIBLE"),
        _ => ("ISSUED", "IMPORTED", "INELIGIBLE"),
    };
    let in_use_by: Vec<&str> = Some(used_by)
        .filter(|u| !u.is_empty())
        .into_iter()
        .collect();
    serde_json::from_value(json!({
        "arn": format!("arn:aws:acm:{region}:{account}:certificate/{id}"),
        "account_id": account,
        "account_name": format!("acct-{}", &account[..4]),
        "region": region,
        "domain_name": domain,
        "type": cert_type,
        "status": status,
        "key_algorithm": "RSA_2048",
        "not_after": not_after,
        "in_use": !in_use_by.is_empty(),
        "in_use_by": in_use_by,
        "renewal_eligibility": eligibility,
        "source": "config-aggregator",
    }))
    .unwrap()
}

fn fixture() -> Discovery {
    let certificates = CERTS.into_iter().map(cert).collect();
    Discovery {
        source: "config-aggregator".into(),
        scope: Scope {
            regions: vec![
                "ap-southeast-2".into(),
                "eu-west-1".into(),
                "us-east-1".into(),
            ],
            missing: vec![ScopeMiss {
                account_id: "444444444444".into(),
                region: None,
                reason: MissReason::AccessDenied,
                detail: "sts:AssumeRole: AccessDenied <b>".into(),
            }],
            ..Scope::default()
        }
        .with_coverage(&[
            "111111111111".into(),
            "222222222222".into(),
            "333333333333".into(),
            "444444444444".into(),
        ]),
        decisions: Vec::new(),
        certificates,
    }
}

fn report() -> Report {
    let at = Assessment {
        generated_at: ts("2026-03-24T00:00:05Z"),
        now: ts(NOW),
        thresholds: Thresholds::default(),
    };
    build(fixture(), View::Triage, &at)
}

fn gate(name: &str, verdict: Verdict, detail: &str, data: serde_json::Value) -> Gate {
    Gate {
        gate: name.into(),
        verdict,
        detail: detail.into(),
        data,
    }
}

fn removal(id: &str, region: &str, domain: &str, verified: bool) -> RemovalCandidate {
    RemovalCandidate {
        arn: format!("arn:aws:acm:{region}:222222222222:certificate/{id}"),
        account_id: "222222222222".into(),
        region: Some(region.into()),
        domain_name: Some(domain.into()),
        verified,
        reason: if verified {
            "no load balancer, API Gateway domain or CloudFront distribution uses it"
        } else {
            "unverified: the usage scan of its account and region did not complete"
        }
        .into(),
    }
}

fn record() -> PipelineRecord {
    PipelineRecord {
        project: "demo".into(),
        run_id: "20260324T000010.000Z".into(),
        gates: vec![
            gate(
                "G0",
                Verdict::Pass,
                "both coordination logs are current",
                json!(null),
            ),
            gate("G1", Verdict::Pass, "P1 via config-aggregator", json!(null)),
            gate(
                "G2",
                Verdict::Pass,
                "variance 0.00% (max 5%): L1 9 vs L3 9",
                json!({"variance_percent": 0.0, "max_variance_percent": 5.0}),
            ),
            gate(
                "G3",
                Verdict::Pass,
                "7 evidence files written and hashed into manifest.json",
                json!(null),
            ),
        ],
        phases: vec![Phase {
            phase: "1".into(),
            name: "INVENTORY".into(),
            millis: 66,
            verdict: "OK".into(),
            detail: "9 certificates via config-aggregator".into(),
        }],
        removal_candidates: vec![
            removal("r1", "ap-southeast-2", "old.example.com", true),
            removal("r2", "eu-west-1", "older.example.com", false),
        ],
        usage_disagreements: Vec::new(),
        ..PipelineRecord::default()
    }
}

fn counts(critical: usize, high: usize, medium: usize, remove: usize, ok: usize) -> BucketCounts {
    BucketCounts {
        critical,
        high,
        medium,
        remove,
        ok,
        not_issued: 1,
    }
}

fn history() -> Vec<(String, BucketCounts)> {
    vec![
        ("20260310T000000.000Z".into(), counts(0, 1, 2, 2, 3)),
        ("20260317T000000.000Z".into(), counts(0, 2, 1, 2, 2)),
    ]
}

fn full() -> String {
    let (record, previous) = (record(), history());
    let run = PipelineRun {
        record: &record,
        previous: &previous,
    };
    let mut out = Vec::new();
    html::render(&report(), Some(&run), &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn bare() -> String {
    let mut out = Vec::new();
    html::render(&report(), None, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn golden_pipeline_report() {
    let out = full();
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/pipeline-report.html");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &out).unwrap();
    }
    let want = std::fs::read_to_string(&path)
        .expect("missing pipeline-report.html: run with UPDATE_GOLDEN=1");
    // The page is one long text; name the first differing line, not the whole file.
    if let Some((n, (got, golden))) = out
        .lines()
        .zip(want.lines())
        .enumerate()
        .find(|(_, (a, b))| a != b)
    {
        panic!(
            "pipeline-report.html line {}:\n got: {got}\nwant: {golden}",
            n + 1
        );
    }
    assert_eq!(
        out.len(),
        want.len(),
        "pipeline-report.html differs in length"
    );
}

#[test]
fn a_failed_cross_validation_lists_each_account() {
    let mut record = record();
    record.gates[2] = gate(
        "G2",
        Verdict::Fail,
        "variance 12.50% (max 5%): L1 7 vs L3 8; 222222222222: 0 only in L1, 1 only in L3 \
         (not aggregated <x>)",
        json!({"variance_percent": 12.5, "max_variance_percent": 5.0}),
    );
    let run = PipelineRun {
        record: &record,
        previous: &[],
    };
    let mut out = Vec::new();
    html::render(&report(), Some(&run), &mut out).unwrap();
    let page = String::from_utf8(out).unwrap();
    let cv = between(&page, "<h3>Cross-validation (G2)</h3>", "</div>\n</div>");
    assert!(cv.contains("<b>12.50%</b> variance"), "{cv}");
    assert!(
        cv.contains("<i class=\"over\" style=\"width:100.0%\">"),
        "{cv}"
    );
    assert!(
        cv.contains("<li>222222222222: 0 only in L1, 1 only in L3 (not aggregated &lt;x&gt;)</li>")
    );
    assert!(page.contains("<span class=\"badge v-FAIL\">G2 FAIL</span>"));
    assert!(!page.contains("id=\"trend\"") && !page.contains("class=\"delta"));
}

#[test]
fn nothing_is_loaded_from_outside_the_file() {
    for page in [full(), bare()] {
        let lower = page.to_ascii_lowercase();
        for banned in [
            "http:", "https:", "//", "src=", "<script", "url(", "@import", "<link", "<img",
        ] {
            assert!(!lower.contains(banned), "page contains {banned:?}");
        }
        for (i, _) in lower.match_indices("href=") {
            assert!(
                lower[i..].starts_with("href=\"#"),
                "non-anchor link at {}",
                &page[i..i + 40]
            );
        }
        assert!(lower.contains("<svg"), "no inline SVG");
        assert!(lower.contains("@media print"), "no print styles");
    }
}

#[test]
fn aws_text_is_escaped() {
    for page in [full(), bare()] {
        // Domains may carry <wbr> break hints after each dot; the text between is what counts.
        let page = page.replace("<wbr>", "");
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;.example.com"));
        assert!(!page.contains(HOSTILE));
        assert!(
            page.contains("AccessDenied &lt;b&gt;"),
            "scope detail not escaped"
        );
    }
}

/// The slice of `page` from `start` to the first `end` after it.
fn between<'a>(page: &'a str, start: &str, end: &str) -> &'a str {
    let from = page.find(start).unwrap_or_else(|| panic!("no {start}"));
    let len = page[from..]
        .find(end)
        .unwrap_or_else(|| panic!("no {end} after {start}"));
    &page[from..from + len]
}

#[test]
fn every_bucket_card_shows_its_count() {
    let report = report();
    for page in [full(), bare()] {
        for b in Bucket::ALL {
            let card = between(&page, &format!("id=\"card-{b}\""), "</div>");
            let n = report.summary.buckets.get(b);
            assert!(
                card.contains(&format!("<b class=\"n\">{n}</b>")),
                "{b}: {card}"
            );
        }
    }
}

#[test]
fn timeline_bars_add_up_to_certificates_in_range() {
    let report = report();
    let end = report
        .now
        .checked_add(SignedDuration::from_hours(24 * 7 * 26))
        .unwrap();
    let in_range = report
        .certificates
        .iter()
        .filter(|c| c.not_after.is_some_and(|t| t < end))
        .count();
    let page = bare();
    let svg = between(&page, "<svg class=\"chart timeline\"", "</svg>");
    let drawn: usize = svg
        .split("data-n=\"")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].parse::<usize>().unwrap())
        .sum();
    assert_eq!(drawn, in_range);
    assert_eq!(
        in_range, 7,
        "the fixture has one undated and one later certificate"
    );
    let expired = between(svg, "<rect", "<text class=\"val\"");
    assert!(
        expired.contains("expired: 2 CRITICAL") && expired.contains("expired: 2 REMOVE"),
        "{expired}"
    );
}

#[test]
fn change_since_the_previous_run_is_shown_with_history_only() {
    let page = full();
    let critical = between(&page, "id=\"card-CRITICAL\"", "</div>");
    assert!(
        critical.contains("▲ 2 <small>since 20260317T000000.000Z</small>"),
        "{critical}"
    );
    let ok = between(&page, "id=\"card-OK\"", "</div>");
    assert!(ok.contains("no change <small>since"), "{ok}");
    assert!(page.contains("previous sealed run, 20260317T000000.000Z"));
    assert!(page.contains("id=\"trend\""));
    let bare = bare();
    assert!(!bare.contains("since 2026") && !bare.contains("id=\"trend\""));
}

#[test]
fn pipeline_sections_come_from_the_record() {
    let page = full().replace("<wbr>", "");
    let removal = between(&page, "id=\"removal\"", "</section>");
    assert!(
        removal.contains("old.example.com") && !removal.contains("older.example.com"),
        "only verified candidates"
    );
    assert!(page.contains("<b>0.00%</b> variance"));
    let critical = between(&page, "id=\"critical\"", "</section>");
    assert!(
        critical.find("pay.example.com").unwrap() < critical.find("&lt;script&gt;").unwrap(),
        "longest expired first"
    );
    assert!(critical.contains("<span class=\"svc\">cloudfront</span>distribution/E2EXAMPLE"));
    let bare = bare().replace("<wbr>", "");
    assert!(!bare.contains("id=\"gates\""));
    let removal = between(&bare, "id=\"removal\"", "</section>");
    assert!(removal.contains("older.example.com") && removal.contains("not verified"));
}

#[test]
fn accounts_are_worst_first() {
    let page = bare();
    let table = between(&page, "id=\"accounts\"", "</section>");
    let pos = |id: &str| table.find(id).unwrap();
    assert!(pos("111111111111") < pos("222222222222") && pos("222222222222") < pos("333333333333"));
}
