//! Ownership and accepted risks on the `homes` scenario: tag and OU filters
//! give exact counts on every path, grouping, and exceptions that do (and,
//! once lapsed, do not) keep a finding from failing the run; IAM and
//! private CA certificates beside ACM's, and their usage scan.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::emulator::{Emulator, json_report, workspace_root};

fn expected() -> Value {
    let path = workspace_root().join("emulator/scenarios/homes.json");
    serde_json::from_slice::<Value>(&std::fs::read(path).unwrap()).unwrap()["expected"].clone()
}

fn total(emu: &Emulator, source: &str, filters: &[&str]) -> u64 {
    let mut cmd = emu.certinv();
    cmd.args([
        "inventory",
        "--all-accounts",
        "--output",
        "json",
        "--source",
        source,
    ]);
    for f in filters {
        cmd.args(["--filter", f]);
    }
    let report = json_report(&mut cmd, 0);
    assert_eq!(
        report["scope"]["accounts_expected"], 3,
        "filters narrow the report, not the scope"
    );
    report["summary"]["total"].as_u64().unwrap()
}

#[test]
fn tag_and_ou_filters_give_exact_counts_on_every_path() {
    let emu = Emulator::start("homes");
    let want = expected();
    let tags = &want["tag_filters"];
    let ous = &want["ou_filters"];
    for source in ["config", "explorer", "acm"] {
        assert_eq!(
            total(&emu, source, &["tag:Owner=team-a"]),
            tags["Owner=team-a"]["count"],
            "{source}"
        );
        assert_eq!(
            total(&emu, source, &["tag:Owner=team-b"]),
            tags["Owner=team-b"]["count"],
            "{source}"
        );
        assert_eq!(
            total(&emu, source, &["ou=/Root/Workloads/Prod"]),
            ous["/Root/Workloads/Prod"]["acm"],
            "{source}"
        );
        assert_eq!(
            total(&emu, source, &["ou=/Root/Workloads"]),
            ous["/Root/Workloads"]["acm"],
            "{source}"
        );
        assert_eq!(
            total(
                &emu,
                source,
                &["tag:Owner=team-a", "ou=/Root/Workloads/Prod"]
            ),
            tags["Owner=team-a AND /Root/Workloads/Prod"],
            "{source}: filters combine with AND"
        );
    }
}

#[test]
fn triage_groups_by_owner_tag() {
    let emu = Emulator::start("homes");
    let want = expected();
    let report = json_report(
        emu.certinv().args([
            "triage",
            "--all-accounts",
            "--output",
            "json",
            "--by",
            "owner",
        ]),
        0,
    );
    assert_eq!(report["groups"]["by"], "owner");
    let totals: BTreeMap<&str, u64> = report["groups"]["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["key"].as_str().unwrap(), g["total"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        totals["team-a"],
        want["tag_filters"]["Owner=team-a"]["count"]
            .as_u64()
            .unwrap()
    );
    assert_eq!(
        totals["team-b"],
        want["tag_filters"]["Owner=team-b"]["count"]
            .as_u64()
            .unwrap()
    );
    assert_eq!(
        totals["(no owner)"],
        want["tag_filters"]["untagged"]["count"].as_u64().unwrap()
    );
}

#[test]
fn a_valid_exception_stops_fail_on_and_a_lapsed_one_does_not() {
    let emu = Emulator::start("homes");
    let critical = expected()["critical"][0]["domain"]
        .as_str()
        .unwrap()
        .to_string();
    let anchor: jiff::Timestamp = emu.anchor.parse().unwrap();
    let date = |days: i64| {
        (anchor + jiff::SignedDuration::from_hours(24 * days))
            .strftime("%Y-%m-%d")
            .to_string()
    };
    let write = |name: &str, expires: &str| {
        let text = format!(
            "[[exception]]\ndomain = \"{critical}\"\nreason = \"cut-over on Friday\"\napprover = \"ciso@example.com\"\nexpires = \"{expires}\"\n"
        );
        std::fs::write(emu.dir.path().join(name), text).unwrap();
    };
    write("valid.toml", &date(30));
    write("lapsed.toml", &date(-2));
    let run = |file: &str| {
        emu.certinv()
            .args([
                "triage",
                "--all-accounts",
                "--output",
                "json",
                "--fail-on",
                "critical",
                "--exceptions",
                file,
            ])
            .output()
            .unwrap()
    };
    emu.certinv()
        .args([
            "triage",
            "--all-accounts",
            "--output",
            "json",
            "--fail-on",
            "critical",
        ])
        .assert()
        .code(1);

    let ok = run("valid.toml");
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let report: Value = serde_json::from_slice(&ok.stdout).unwrap();
    let c = report["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["domain_name"] == critical.as_str())
        .unwrap();
    assert_eq!(
        c["bucket"], "CRITICAL",
        "an excepted certificate keeps its bucket"
    );
    assert_eq!(c["excepted"]["reason"], "cut-over on Friday");

    let lapsed = run("lapsed.toml");
    assert_eq!(lapsed.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&lapsed.stderr).contains("no longer applies"));
}

#[test]
fn iam_server_certificates_and_private_cas_are_triaged_with_acm() {
    let emu = Emulator::start("homes");
    let want = expected();
    for source in ["config", "acm"] {
        let out = emu
            .certinv()
            .args([
                "triage",
                "--all-accounts",
                "--output",
                "json",
                "--include",
                "iam,pca",
                "--source",
                source,
            ])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(report["summary"]["total"], want["total"], "{source}");
        assert_eq!(report["summary"]["buckets"], want["buckets"], "{source}");
        assert_eq!(
            report["summary"]["types"]["IAM_SERVER"], want["by_source"]["iam"],
            "{source}"
        );
        assert_eq!(
            report["summary"]["types"]["PRIVATE_CA"], want["by_source"]["pca"],
            "{source}"
        );
        let certs = report["certificates"].as_array().unwrap();

        // The expired IAM certificate on a classic load balancer is CRITICAL.
        let iam_critical = &want["critical"][1];
        let portal = certs
            .iter()
            .find(|c| c["arn"] == iam_critical["arn"])
            .expect("IAM certificate found");
        assert_eq!(portal["bucket"], "CRITICAL", "{portal}");
        assert_eq!(portal["type"], "IAM_SERVER");
        assert_eq!(portal["region"], Value::Null);

        // The CA expiring in 20 days is HIGH and lists what it issued.
        let ca = certs.iter().find(|c| c["type"] == "PRIVATE_CA").unwrap();
        assert_eq!(ca["bucket"], "HIGH");
        assert_eq!(ca["arn"], want["private_ca"]["arn"]);
        let issued: std::collections::BTreeSet<&str> = ca["issued_certificates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|arn| {
                certs.iter().find(|c| c["arn"] == *arn).unwrap()["domain_name"]
                    .as_str()
                    .unwrap()
            })
            .collect();
        let want_issued: std::collections::BTreeSet<&str> = want["private_ca"]["issued_domains"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_str().unwrap())
            .collect();
        assert_eq!(issued, want_issued, "{source}");

        // The IAM expiry that disagrees with its body is flagged.
        let mismatch = &want["iam_expiration_mismatch"][0]["name"];
        let flagged = certs
            .iter()
            .find(|c| {
                c["arn"]
                    .as_str()
                    .unwrap()
                    .ends_with(mismatch.as_str().unwrap())
            })
            .unwrap();
        assert!(
            flagged["warnings"][0].as_str().unwrap().contains("differs"),
            "{flagged}"
        );
        assert!(String::from_utf8_lossy(&out.stderr).contains("differs"));
    }
}

#[test]
fn a_pipeline_with_iam_reads_each_usage_listing_once() {
    let emu = Emulator::start("homes");
    emu.sign_coordination("homes");
    let out = emu
        .certinv()
        .args([
            "pipeline",
            "--project",
            "homes",
            "--all-accounts",
            "--include",
            "iam",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("phase 3"), "{stderr}");

    // The IAM accounts' usage scan (for IAM's missing InUseBy) and phase 3
    // overlap where an account holds both kinds; each listing is read once.
    // ELBv2 and classic ELB both log `DescribeLoadBalancers` (one page each
    // here); CloudFront's listing is one call per account.
    let mut reads: std::collections::BTreeMap<(String, String, String), usize> = Default::default();
    for op in emu.ops() {
        let name = op["operation"].as_str().unwrap_or("");
        if ["DescribeLoadBalancers", "ListDistributions"].contains(&name) {
            let key = |k: &str| op[k].as_str().unwrap_or("").to_string();
            *reads
                .entry((name.to_string(), key("account"), key("region")))
                .or_default() += 1;
        }
    }
    let once = |op: &str| if op == "ListDistributions" { 1 } else { 2 };
    assert!(
        reads.keys().any(|k| k.0 == "ListDistributions"),
        "{reads:?}"
    );
    let repeated: Vec<_> = reads.iter().filter(|(k, n)| **n > once(&k.0)).collect();
    assert!(repeated.is_empty(), "read more than once: {repeated:?}");

    // The expired IAM certificate on a load balancer is still CRITICAL.
    let pack = emu.dir.path().join("tmp/homes/certs/latest");
    let inventory: Value =
        serde_json::from_slice(&std::fs::read(pack.join("inventory.json")).unwrap()).unwrap();
    let critical = inventory["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["type"] == "IAM_SERVER" && c["in_use"] == true)
        .count();
    assert!(critical > 0, "no IAM certificate in use: {stderr}");
}
