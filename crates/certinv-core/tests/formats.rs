//! The finding and metrics formats (`asff`, `ocsf`, `prometheus`): golden files
//! as in `golden.rs` (`UPDATE_GOLDEN=1 cargo test -p certinv-core --test
//! formats` rewrites them), plus checks that hold whatever the golden file
//! says: ASFF's required fields and types, OCSF's class numbers, and a real
//! parser's reading of the Prometheus text.

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;

use certinv_core::model::{Bucket, Certificate, Decision, MissReason, Report, Scope, ScopeMiss};
use certinv_core::render::{Format, render};
use certinv_core::report::{Assessment, Discovery, View, build};
use certinv_core::triage::Thresholds;
use jiff::Timestamp;
use openmetrics_parser::{PrometheusType, PrometheusValue};
use serde_json::Value;

const NOW: &str = "2026-03-24T00:00:00Z";
const GENERATED: &str = "2026-03-24T00:00:05Z";
const LB: &str = "arn:aws:elasticloadbalancing:ap-southeast-2:111111111111:loadbalancer/app/web/1";
const ODD_DOMAIN: &str = "a|b <script>alert(\"x\")</script>\\c.example.com";

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

/// One certificate per bucket, plus a second finding kind of resource (a
/// global IAM server certificate) and label text that needs escaping.
fn fixture() -> Discovery {
    let mut critical = cert(
        "111111111111",
        "ap-southeast-2",
        "c1",
        "pay.example.com",
        Some("2026-03-01T00:00:00Z"),
    );
    critical.in_use = true;
    critical.in_use_by = vec![LB.into()];
    critical.status = Some("EXPIRED".into());

    let mut high = cert(
        "111111111111",
        "us-east-1",
        "h1",
        ODD_DOMAIN,
        Some("2026-04-10T06:00:00Z"),
    );
    high.in_use = true;
    high.in_use_by = vec![LB.into()];
    high.tags.insert("Owner".into(), "team-web".into());
    high.tags.insert("Empty".into(), "".into());

    let medium = cert(
        "222222222222",
        "ap-southeast-2",
        "m1",
        "line\nbreak.example.com",
        Some("2026-05-30T00:00:00Z"),
    );

    let mut remove = cert(
        "222222222222",
        "us-east-1",
        "r1",
        "old.example.com",
        Some("2025-12-01T00:00:00Z"),
    );
    remove.arn = "arn:aws:iam::222222222222:server-certificate/legacy/old.example.com".into();
    remove.region = None;
    remove.cert_type = Some("IAM_SERVER".into());
    remove.renewal_eligibility = None;

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
            missing: vec![
                ScopeMiss {
                    account_id: "444444444444".into(),
                    region: None,
                    reason: MissReason::AccessDenied,
                    detail: "sts:AssumeRole: AccessDenied: not authorized".into(),
                },
                ScopeMiss {
                    account_id: "333333333333".into(),
                    region: Some("eu-south-2".into()),
                    reason: MissReason::NotEnabled,
                    detail: "region not enabled".into(),
                },
            ],
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

fn report_at(view: View, now: &str, generated_at: &str) -> Report {
    let at = Assessment {
        generated_at: ts(generated_at),
        now: ts(now),
        thresholds: Thresholds::default(),
    };
    build(fixture(), view, &at)
}

fn report(view: View) -> Report {
    report_at(view, NOW, GENERATED)
}

fn rendered(report: &Report, view: View, format: Format) -> String {
    let mut out = Vec::new();
    render(report, view, format, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn json(report: &Report, view: View, format: Format) -> Vec<Value> {
    match serde_json::from_str(&rendered(report, view, format)).unwrap() {
        Value::Array(items) => items,
        other => panic!("expected a JSON array, got {other}"),
    }
}

fn check_golden(name: &str, view: View, format: Format) {
    let out = rendered(&report(view), view, format);
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &out).unwrap();
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("missing {name}: run with UPDATE_GOLDEN=1"));
    assert_eq!(out, want, "{name} differs from its golden file");
}

#[test]
fn asff_golden() {
    check_golden("triage.asff.json", View::Triage, Format::Asff);
}

#[test]
fn ocsf_golden() {
    check_golden("triage.ocsf.json", View::Triage, Format::Ocsf);
}

#[test]
fn prometheus_golden() {
    check_golden("inventory.prom", View::Inventory, Format::Prometheus);
}

#[test]
fn formats_parse_by_name() {
    for (name, format) in [
        ("asff", Format::Asff),
        ("ocsf", Format::Ocsf),
        ("prometheus", Format::Prometheus),
    ] {
        assert_eq!(Format::parse(name), Some(format), "{name}");
    }
}

// ---- ASFF ----

fn str_at<'a>(v: &'a Value, path: &str) -> &'a str {
    v.pointer(path)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{path} is not a string in {v}"))
}

fn non_empty_str(v: &Value, path: &str) -> String {
    let s = str_at(v, path);
    assert!(!s.trim().is_empty(), "{path} is blank");
    s.to_string()
}

fn asff_findings(view: View) -> Vec<Value> {
    json(&report(view), view, Format::Asff)
}

#[test]
fn asff_has_one_finding_per_critical_high_and_remove_certificate() {
    let findings = asff_findings(View::Triage);
    let labels: Vec<(&str, &str)> = findings
        .iter()
        .map(|f| {
            (
                str_at(f, "/ProductFields/certinv~1bucket"),
                str_at(f, "/Severity/Label"),
            )
        })
        .collect();
    assert_eq!(
        labels,
        [
            ("CRITICAL", "CRITICAL"),
            ("HIGH", "HIGH"),
            ("REMOVE", "LOW")
        ]
    );
}

#[test]
fn asff_required_fields_are_present_with_their_types() {
    for f in asff_findings(View::Triage) {
        assert_eq!(str_at(&f, "/SchemaVersion"), "2018-10-08");
        for field in [
            "/Id",
            "/ProductArn",
            "/GeneratorId",
            "/Title",
            "/Description",
        ] {
            non_empty_str(&f, field);
        }
        let account = non_empty_str(&f, "/AwsAccountId");
        assert!(
            account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()),
            "{account}"
        );
        let types = f["Types"].as_array().expect("Types is an array");
        assert!(!types.is_empty());
        for t in types {
            let t = t.as_str().expect("each type is a string");
            assert!(t.starts_with("Software and Configuration Checks/"), "{t}");
        }
        for field in ["/CreatedAt", "/UpdatedAt"] {
            let text = str_at(&f, field);
            text.parse::<Timestamp>()
                .unwrap_or_else(|_| panic!("{field} {text} is not RFC 3339"));
        }
        assert!(
            str_at(&f, "/CreatedAt").parse::<Timestamp>().unwrap()
                <= str_at(&f, "/UpdatedAt").parse::<Timestamp>().unwrap()
        );
        let label = str_at(&f, "/Severity/Label");
        assert!(
            ["INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"].contains(&label),
            "{label}"
        );
        assert_eq!(str_at(&f, "/FindingProviderFields/Severity/Label"), label);
        assert_eq!(f["FindingProviderFields"]["Types"], f["Types"]);
        assert!(str_at(&f, "/Title").chars().count() <= 256);
        assert!(str_at(&f, "/Description").chars().count() <= 1024);
        assert!(str_at(&f, "/Id").chars().count() <= 512);

        let resources = f["Resources"].as_array().expect("Resources is an array");
        assert_eq!(resources.len(), 1);
        let r = &resources[0];
        non_empty_str(r, "/Type");
        non_empty_str(r, "/Id");
        assert_eq!(str_at(r, "/Partition"), "aws");
        let region = non_empty_str(r, "/Region");
        assert_eq!(
            str_at(&f, "/ProductArn"),
            format!("arn:aws:securityhub:{region}:{account}:product/{account}/default")
        );
        if let Some(tags) = r.get("Tags") {
            for (k, v) in tags.as_object().expect("Tags is an object") {
                assert!(!k.is_empty() && !v.as_str().unwrap().is_empty(), "{k}");
            }
        }

        assert_eq!(str_at(&f, "/Compliance/Status"), "FAILED");
        assert_eq!(str_at(&f, "/Workflow/Status"), "NEW");
        assert_eq!(str_at(&f, "/RecordState"), "ACTIVE");
        let fields = f["ProductFields"].as_object().expect("ProductFields");
        for key in ["certinv/bucket", "certinv/days_to_expiry", "certinv/in_use"] {
            assert!(fields.contains_key(key), "{key}");
        }
        for (k, v) in fields {
            assert!(v.is_string(), "ProductFields values are strings: {k}");
        }
        non_empty_str(&f, "/Remediation/Recommendation/Text");
    }
}

#[test]
fn asff_resources_name_the_certificate_kind_and_region() {
    let findings = asff_findings(View::Triage);
    let by_id: BTreeMap<&str, &Value> = findings
        .iter()
        .map(|f| (str_at(f, "/Resources/0/Id"), f))
        .collect();

    let acm = by_id["arn:aws:acm:ap-southeast-2:111111111111:certificate/c1"];
    assert_eq!(
        str_at(acm, "/Resources/0/Type"),
        "AwsCertificateManagerCertificate"
    );
    assert_eq!(str_at(acm, "/Resources/0/Region"), "ap-southeast-2");
    let details = &acm["Resources"][0]["Details"]["AwsCertificateManagerCertificate"];
    assert_eq!(details["DomainName"], "pay.example.com");
    assert_eq!(details["NotAfter"], "2026-03-01T00:00:00Z");
    assert_eq!(details["InUseBy"][0], LB);

    // A global IAM certificate is filed in us-east-1, as a resource of type Other.
    let iam = by_id["arn:aws:iam::222222222222:server-certificate/legacy/old.example.com"];
    assert_eq!(str_at(iam, "/Resources/0/Type"), "Other");
    assert_eq!(str_at(iam, "/Resources/0/Region"), "us-east-1");
    assert_eq!(
        str_at(iam, "/ProductArn"),
        "arn:aws:securityhub:us-east-1:222222222222:product/222222222222/default"
    );
    assert_eq!(
        str_at(iam, "/Resources/0/Details/Other/DomainName"),
        "old.example.com"
    );

    let high = by_id["arn:aws:acm:us-east-1:111111111111:certificate/h1"];
    assert_eq!(
        high["Resources"][0]["Tags"],
        serde_json::json!({"Owner": "team-web"})
    );
    assert_eq!(
        str_at(high, "/Title"),
        format!("Certificate expires in 17 days: {ODD_DOMAIN}")
    );
}

fn ids(findings: &[Value], path: &str) -> Vec<String> {
    findings
        .iter()
        .map(|f| str_at(f, path).to_string())
        .collect()
}

#[test]
fn asff_ids_are_unique_and_stable() {
    let first = ids(&asff_findings(View::Triage), "/Id");
    let unique: HashSet<&String> = first.iter().collect();
    assert_eq!(unique.len(), first.len(), "{first:?}");
    assert_eq!(first, ids(&asff_findings(View::Triage), "/Id"));

    // Neither the order of the view nor a later run changes an Id, even when
    // the certificate's bucket (and so the finding's severity) changes.
    let mut inventory = ids(&asff_findings(View::Inventory), "/Id");
    let mut triage = first.clone();
    inventory.sort();
    triage.sort();
    assert_eq!(inventory, triage);

    let later = report_at(View::Triage, "2026-04-10T07:00:00Z", "2026-04-10T07:00:05Z");
    let later_findings = json(&later, View::Triage, Format::Asff);
    let high_arn = "arn:aws:acm:us-east-1:111111111111:certificate/h1";
    let now_critical = later_findings
        .iter()
        .find(|f| str_at(f, "/Resources/0/Id") == high_arn)
        .expect("the HIGH certificate is still a finding once expired");
    assert_eq!(str_at(now_critical, "/Severity/Label"), "CRITICAL");
    assert!(first.contains(&str_at(now_critical, "/Id").to_string()));
}

#[test]
fn asff_limits_hold_for_very_long_names() {
    let mut discovery = fixture();
    let long = format!("{}.example.com", "x".repeat(2000));
    for c in &mut discovery.certificates {
        c.domain_name = Some(long.clone());
    }
    let path = "/a".repeat(300);
    discovery.certificates[2].arn =
        format!("arn:aws:iam::222222222222:server-certificate{path}/old.example.com");
    let at = Assessment {
        generated_at: ts(GENERATED),
        now: ts(NOW),
        thresholds: Thresholds::default(),
    };
    let report = build(discovery, View::Triage, &at);
    let findings = json(&report, View::Triage, Format::Asff);
    assert_eq!(findings.len(), 3);
    for f in &findings {
        assert!(str_at(f, "/Title").chars().count() <= 256);
        assert!(str_at(f, "/Description").chars().count() <= 1024);
        assert!(str_at(f, "/Id").chars().count() <= 512);
        if let Some(other) = f.pointer("/Resources/0/Details/Other") {
            for v in other.as_object().unwrap().values() {
                assert!(v.as_str().unwrap().chars().count() < 1024);
            }
        }
    }
    let again = json(&report, View::Triage, Format::Asff);
    assert_eq!(ids(&findings, "/Id"), ids(&again, "/Id"));
}

// ---- OCSF ----

#[test]
fn ocsf_findings_are_detection_findings() {
    let events = json(&report(View::Triage), View::Triage, Format::Ocsf);
    assert_eq!(events.len(), 3);
    for e in &events {
        assert_eq!(e["class_uid"], 2004);
        assert_eq!(e["category_uid"], 2);
        let activity = e["activity_id"].as_u64().expect("activity_id");
        assert_eq!(e["type_uid"].as_u64(), Some(2004 * 100 + activity));
        assert!(str_at(e, "/metadata/version").starts_with("1."));
        assert_eq!(str_at(e, "/metadata/product/name"), "certinv");
        non_empty_str(e, "/metadata/product/vendor_name");
        assert_eq!(
            e["time"].as_i64(),
            Some(ts(GENERATED).as_millisecond()),
            "time is epoch milliseconds"
        );
        let severity = (e["severity_id"].as_u64().unwrap(), str_at(e, "/severity"));
        assert!(
            [(2, "Low"), (4, "High"), (5, "Critical")].contains(&severity),
            "{severity:?}"
        );
        assert_eq!(
            (e["status_id"].as_u64(), str_at(e, "/status")),
            (Some(1), "New")
        );
        non_empty_str(e, "/finding_info/uid");
        non_empty_str(e, "/finding_info/title");
        non_empty_str(e, "/finding_info/desc");
        assert!(e["finding_info"]["types"].is_array());
        assert_eq!(str_at(e, "/cloud/provider"), "AWS");
        non_empty_str(e, "/cloud/region");
        let arn = non_empty_str(e, "/resources/0/uid");
        assert!(arn.starts_with("arn:aws:"), "{arn}");
        assert_eq!(str_at(e, "/resources/0/cloud_partition"), "aws");
        assert_eq!(
            str_at(e, "/resources/0/owner/account/uid"),
            str_at(e, "/cloud/account/uid")
        );
    }
}

#[test]
fn ocsf_and_asff_identify_a_finding_the_same_way() {
    let r = report(View::Triage);
    let asff = json(&r, View::Triage, Format::Asff);
    let ocsf = json(&r, View::Triage, Format::Ocsf);
    assert_eq!(ids(&asff, "/Id"), ids(&ocsf, "/finding_info/uid"));
    assert_eq!(ids(&asff, "/Title"), ids(&ocsf, "/finding_info/title"));
}

// ---- Prometheus ----

type Exposition = openmetrics_parser::MetricsExposition<PrometheusType, PrometheusValue>;

fn parsed(view: View) -> (Report, Exposition) {
    let r = report(view);
    let text = rendered(&r, view, Format::Prometheus);
    let exposition = openmetrics_parser::prometheus::parse_prometheus(&text)
        .unwrap_or_else(|e| panic!("not valid exposition text: {e:?}\n{text}"));
    (r, exposition)
}

fn gauge(value: &PrometheusValue) -> f64 {
    match value {
        PrometheusValue::Gauge(n) => n.as_f64(),
        other => panic!("expected a gauge, got {other:?}"),
    }
}

/// (labels, value) of every sample in a family.
fn samples(exposition: &Exposition, family: &str) -> Vec<(BTreeMap<String, String>, f64)> {
    let family = exposition
        .families
        .get(family)
        .unwrap_or_else(|| panic!("no family {family}"));
    assert_eq!(family.family_type, PrometheusType::Gauge);
    assert!(
        !family.help.is_empty(),
        "{} has no HELP",
        family.family_name
    );
    family
        .iter_samples()
        .map(|s| {
            let labels = s
                .get_labelset()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            (labels, gauge(&s.value))
        })
        .collect()
}

#[test]
fn prometheus_has_one_expiry_series_per_certificate_with_an_expiry() {
    let (report, exposition) = parsed(View::Inventory);
    let expiry = samples(&exposition, "certinv_certificate_expiry_timestamp_seconds");
    for cert in &report.certificates {
        let series: Vec<_> = expiry
            .iter()
            .filter(|(labels, _)| labels["arn"] == cert.arn)
            .collect();
        match cert.not_after {
            Some(t) => {
                assert_eq!(series.len(), 1, "{}", cert.arn);
                let (labels, value) = series[0];
                assert_eq!(*value, t.as_second() as f64);
                assert!(
                    !labels.contains_key("bucket"),
                    "bucket is not an expiry label"
                );
                assert_eq!(labels["in_use"], cert.in_use.to_string());
                assert_eq!(labels["account_id"], cert.account_id);
                // Escaped on the way out, so the parser gives back the original.
                assert_eq!(
                    labels.get("domain").map(String::as_str).unwrap_or(""),
                    cert.domain_name.as_deref().unwrap_or("")
                );
            }
            None => assert!(series.is_empty(), "{} has no not_after", cert.arn),
        }
    }
    assert_eq!(
        expiry.len(),
        report
            .certificates
            .iter()
            .filter(|c| c.not_after.is_some())
            .count()
    );
}

#[test]
fn prometheus_info_series_carry_the_bucket() {
    let (report, exposition) = parsed(View::Inventory);
    let info = samples(&exposition, "certinv_certificate_info");
    assert_eq!(info.len(), report.certificates.len());
    for cert in &report.certificates {
        let (labels, value) = info
            .iter()
            .find(|(labels, _)| labels["arn"] == cert.arn)
            .unwrap_or_else(|| panic!("no info series for {}", cert.arn));
        assert_eq!(*value, 1.0);
        assert_eq!(labels["bucket"], cert.bucket.unwrap().as_str());
    }
    let odd = info
        .iter()
        .find(|(labels, _)| labels["arn"].ends_with("/h1"))
        .unwrap();
    assert_eq!(odd.0["domain"], ODD_DOMAIN);
}

#[test]
fn prometheus_counts_every_bucket_and_the_missing_scope() {
    let (report, exposition) = parsed(View::Inventory);
    let buckets: BTreeMap<String, f64> = samples(&exposition, "certinv_certificates")
        .into_iter()
        .map(|(labels, v)| (labels["bucket"].clone(), v))
        .collect();
    assert_eq!(buckets.len(), Bucket::ALL.len());
    for b in Bucket::ALL {
        assert_eq!(buckets[b.as_str()], 1.0, "{b}");
    }

    let missing = samples(&exposition, "certinv_scope_missing");
    assert_eq!(missing.len(), 1);
    assert_eq!(missing[0].1, report.scope.missing.len() as f64);
    let by_reason: BTreeMap<String, f64> = samples(&exposition, "certinv_scope_missing_by_reason")
        .into_iter()
        .map(|(labels, v)| (labels["reason"].clone(), v))
        .collect();
    assert_eq!(by_reason["AccessDenied"], 1.0);
    assert_eq!(by_reason["NotEnabled"], 1.0);
    assert_eq!(by_reason.values().sum::<f64>(), 2.0);
}

#[test]
fn prometheus_writes_one_series_per_arn_even_if_the_report_repeats_one() {
    let mut r = report(View::Inventory);
    let twin = r.certificates[0].clone();
    r.certificates.push(twin);
    let text = rendered(&r, View::Inventory, Format::Prometheus);
    let exposition = openmetrics_parser::prometheus::parse_prometheus(&text).unwrap();
    let arn = &r.certificates[0].arn;
    for family in [
        "certinv_certificate_expiry_timestamp_seconds",
        "certinv_certificate_info",
    ] {
        let n = samples(&exposition, family)
            .iter()
            .filter(|(labels, _)| &labels["arn"] == arn)
            .count();
        assert_eq!(n, 1, "{family}");
    }
}
