//! Golden files for every renderer: a fixed report at a fixed `now`, compared
//! byte for byte. `UPDATE_GOLDEN=1 cargo test -p certinv-core --test golden`
//! rewrites them, and the diff shows up in review.

use std::path::PathBuf;

use certinv_core::model::{Certificate, Decision, MissReason, Scope, ScopeMiss};
use certinv_core::render::{Format, render};
use certinv_core::report::{Assessment, Discovery, View, build};
use certinv_core::triage::Thresholds;
use jiff::Timestamp;

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn cert(
    account: &str,
    region: &str,
    id: &str,
    domain: &str,
    not_after: Option<&str>,
) -> Certificate {
    Certificate {
        arn: format!("arn:aws:acm:{region}:{account}:certificate/{id}"),
        account_id: account.into(),
        account_name: Some(format!("acct-{}", &account[..4]).into()),
        region: Some(region.into()),
        domain_name: Some(domain.into()),
        subject_alternative_names: vec![domain.into(), format!("www.{domain}")],
        cert_type: Some("IMPORTED".into()),
        status: Some("ISSUED".into()),
        key_algorithm: Some("RSA_2048".into()),
        not_before: Some(ts("2025-03-24T00:00:00Z")),
        not_after: not_after.map(ts),
        days_to_expiry: None,
        in_use: false,
        in_use_by: Vec::new(),
        renewal_eligibility: Some("INELIGIBLE".into()),
        renewal_status: None,
        bucket: None,
        source: "acm".into(),
        tags: Default::default(),
        renewal_risk: false,
        ou_path: None,
        excepted: None,
        resource_id: None,
        issued_certificates: Vec::new(),
        warnings: Vec::new(),
        certificate_authority_arn: None,
    }
}

fn fixture() -> Discovery {
    let lb = "arn:aws:elasticloadbalancing:ap-southeast-2:111111111111:loadbalancer/app/web/1";
    let mut critical = cert(
        "111111111111",
        "ap-southeast-2",
        "c1",
        "pay.example.com",
        Some("2026-03-01T00:00:00Z"),
    );
    critical.in_use = true;
    critical.in_use_by = vec![lb.into()];
    critical.status = Some("EXPIRED".into());
    let mut high = cert(
        "111111111111",
        "us-east-1",
        "h1",
        "cdn.example.com",
        Some("2026-04-10T06:00:00Z"),
    );
    high.in_use = true;
    high.in_use_by = vec![lb.into()];
    high.tags.insert("Owner".into(), "team-web".into());
    let medium = cert(
        "222222222222",
        "ap-southeast-2",
        "m1",
        "a|b <script>.example.com",
        Some("2026-05-30T00:00:00Z"),
    );
    let remove = cert(
        "222222222222",
        "ap-southeast-2",
        "r1",
        "old.example.com",
        Some("2025-12-01T00:00:00Z"),
    );
    let mut pending = cert("222222222222", "us-east-1", "p1", "new.example.com", None);
    pending.status = Some("PENDING_VALIDATION".into());
    pending.cert_type = Some("AMAZON_ISSUED".into());
    let mut ok = cert(
        "333333333333",
        "ap-southeast-2",
        "o1",
        "api.example.com",
        Some("2027-01-01T00:00:00Z"),
    );
    ok.key_algorithm = Some("EC_prime256v1".into());
    Discovery {
        source: "acm".into(),
        scope: Scope {
            regions: vec!["ap-southeast-2".into(), "us-east-1".into()],
            missing: vec![ScopeMiss {
                account_id: "444444444444".into(),
                region: None,
                reason: MissReason::AccessDenied,
                detail: "sts:AssumeRole: AccessDenied: not authorized".into(),
            }],
            ..Scope::default()
        }
        .with_coverage(&[
            "111111111111".into(),
            "222222222222".into(),
            "333333333333".into(),
            "444444444444".into(),
        ]),
        decisions: vec![Decision {
            gate: "G1".into(),
            step: "source".into(),
            outcome: "forced".into(),
            path: Some("P3".into()),
            reason: "--source acm".into(),
        }],
        certificates: vec![ok, pending, remove, medium, high, critical],
    }
}

fn check(name: &str, view: View, format: Format) {
    let at = Assessment {
        generated_at: ts("2026-03-24T00:00:05Z"),
        now: ts("2026-03-24T00:00:00Z"),
        thresholds: Thresholds::default(),
    };
    let report = build(fixture(), view, &at);
    let mut out = Vec::new();
    render(&report, view, format, &mut out).unwrap();
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &out).unwrap();
    }
    let want =
        std::fs::read(&path).unwrap_or_else(|_| panic!("missing {name}: run with UPDATE_GOLDEN=1"));
    assert_eq!(
        String::from_utf8_lossy(&out),
        String::from_utf8_lossy(&want),
        "{name} differs from its golden file"
    );
}

#[test]
fn json_inventory() {
    check("inventory.json", View::Inventory, Format::Json);
}

#[test]
fn csv_inventory() {
    check("inventory.csv", View::Inventory, Format::Csv);
}

#[test]
fn markdown_triage() {
    check("triage.md", View::Triage, Format::Markdown);
}

#[test]
fn table_triage() {
    check("triage.txt", View::Triage, Format::Table);
}

#[test]
fn table_expiring() {
    check("expiring.txt", View::Expiring { days: 90 }, Format::Table);
}
