//! The three discovery paths and the G1 decision tree, end to end.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::checks;
use crate::emulator::{Emulator, json_report, workspace_root};

fn expected(scenario: &str) -> Value {
    let path = workspace_root().join(format!("emulator/scenarios/{scenario}.json"));
    let v: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    v["expected"].clone()
}

fn arns(report: &Value) -> BTreeSet<String> {
    report["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["arn"].as_str().unwrap().to_string())
        .collect()
}

/// The decision that chose the path: the last one naming a path.
fn chosen_path(report: &Value) -> (String, String) {
    let d = report["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|d| d["path"].is_string())
        .expect("a decision naming a path");
    (
        d["path"].as_str().unwrap().into(),
        d["reason"].as_str().unwrap().into(),
    )
}

fn reasons(report: &Value) -> String {
    report["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| format!("{} {} {}", d["step"], d["outcome"], d["reason"]))
        .collect::<Vec<_>>()
        .join("\n")
}

fn count_ops(ops: &[Value], operation: &str) -> usize {
    ops.iter().filter(|o| o["operation"] == operation).count()
}

#[test]
fn every_path_finds_the_same_176_certificates_and_reference_buckets() {
    let emu = Emulator::start("landing-zone-31");
    let mut seen = Vec::new();
    for (source, label) in [
        ("config", "config-aggregator"),
        ("explorer", "resource-explorer"),
        ("acm", "acm"),
    ] {
        let report = emu.org_report("triage", source, 0);
        assert_eq!(report["source"], label);
        let b = &report["summary"]["buckets"];
        assert_eq!(
            (
                b["CRITICAL"].as_u64(),
                b["REMOVE"].as_u64(),
                b["HIGH"].as_u64(),
                b["MEDIUM"].as_u64(),
                b["OK"].as_u64()
            ),
            (Some(19), Some(5), Some(12), Some(27), Some(113)),
            "{source}"
        );
        assert_eq!(report["summary"]["total"], 176, "{source}");
        assert_eq!(report["summary"]["accounts"], 31, "{source}");
        assert_eq!(report["scope"]["accounts_covered"], 31, "{source}");
        assert!(
            report["certificates"]
                .as_array()
                .unwrap()
                .iter()
                .all(|c| c["source"] == label)
        );
        seen.push(arns(&report));
    }
    assert_eq!(seen[0], seen[1], "P1 and P2 found different ARNs");
    assert_eq!(seen[0], seen[2], "P1 and P3 found different ARNs");
}

#[test]
fn auto_takes_p1_within_its_call_budget() {
    let emu = Emulator::start("landing-zone-31");
    let report = json_report(
        emu.certinv()
            .args(["inventory", "--all-accounts", "--output", "json"]),
        0,
    );
    assert_eq!(chosen_path(&report).0, "P1", "{}", reasons(&report));
    assert_eq!(report["summary"]["total"], 176);
    let ops = emu.ops();
    assert!(
        count_ops(&ops, "SelectAggregateResourceConfig") <= 2,
        "{ops:?}"
    );
    assert_eq!(count_ops(&ops, "ListAccounts"), 1);
    for absent in [
        "AssumeRole",
        "ListCertificates",
        "DescribeCertificate",
        "Search",
    ] {
        assert_eq!(count_ops(&ops, absent), 0, "P1 made {absent} calls");
    }
    checks::assert_read_only(&ops);
    checks::assert_granted(&ops, "Config aggregator path");
}

#[test]
fn p2_describes_only_where_the_index_saw_certificates() {
    let emu = Emulator::start("landing-zone-31");
    let report = emu.org_report("triage", "explorer", 0);
    assert_eq!(report["summary"]["total"], 176);
    let ops = emu.ops();
    assert_eq!(count_ops(&ops, "ListCertificates"), 0);
    assert_eq!(count_ops(&ops, "DescribeCertificate"), 176);
    // ACM was called in exactly the account-regions that hold certificates.
    let holding: BTreeSet<(String, String)> = report["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["account_id"].as_str().unwrap().into(),
                c["region"].as_str().unwrap().into(),
            )
        })
        .collect();
    let called: BTreeSet<(String, String)> = ops
        .iter()
        .filter(|o| o["service"] == "acm")
        .map(|o| {
            (
                o["account"].as_str().unwrap().into(),
                o["region"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(called, holding);
    checks::assert_read_only(&ops);
    checks::assert_granted(&ops, "Resource Explorer path");
}

#[test]
fn without_an_aggregator_auto_falls_back_to_p2() {
    let emu = Emulator::start("lz-no-aggregator");
    let report = emu.org_report("triage", "auto", 0);
    let (path, _) = chosen_path(&report);
    assert_eq!(path, "P2", "{}", reasons(&report));
    assert!(
        reasons(&report).contains("no configuration aggregator in ap-southeast-2"),
        "{}",
        reasons(&report)
    );
    assert_eq!(report["source"], "resource-explorer");
    assert_eq!(
        report["summary"]["total"],
        expected("lz-no-aggregator")["total"]
    );
}

#[test]
fn an_aggregator_that_denies_access_falls_back_to_p2() {
    let emu = Emulator::start("lz-aggregator-denied");
    let report = emu.org_report("triage", "auto", 0);
    assert_eq!(
        report["source"],
        "resource-explorer",
        "{}",
        reasons(&report)
    );
    assert!(
        reasons(&report).contains("AccessDenied"),
        "{}",
        reasons(&report)
    );
    assert_eq!(
        report["summary"]["total"],
        expected("lz-aggregator-denied")["total"]
    );
}

#[test]
fn without_an_aggregator_index_auto_falls_back_to_p3() {
    for (scenario, why) in [
        ("lz-no-index", "no Resource Explorer index"),
        ("lz-local-index", "LOCAL"),
    ] {
        let emu = Emulator::start(scenario);
        let report = emu.org_report("triage", "auto", 0);
        assert_eq!(report["source"], "acm", "{scenario}: {}", reasons(&report));
        assert!(
            reasons(&report).contains(why),
            "{scenario}: {}",
            reasons(&report)
        );
        assert_eq!(
            report["summary"]["total"],
            expected(scenario)["total"],
            "{scenario}"
        );
    }
}

#[test]
fn a_forced_path_that_cannot_run_is_an_error_not_a_fallback() {
    let emu = Emulator::start("lz-no-index");
    for source in ["config", "explorer"] {
        let out = emu
            .certinv()
            .args([
                "inventory",
                "--all-accounts",
                "--output",
                "json",
                "--source",
                source,
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(4), "{source}");
        assert!(
            out.stdout.is_empty(),
            "{source}: no report on a forced failure"
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        let last = stderr.lines().last().unwrap_or("");
        assert!(
            last.starts_with("error: --source") && last.contains("cannot run"),
            "{stderr}"
        );
    }
    assert_eq!(
        count_ops(&emu.ops(), "ListCertificates"),
        0,
        "no silent fallback to P3"
    );
}

#[test]
fn stale_and_uncovered_aggregator_data_is_reported_as_it_is() {
    let emu = Emulator::start("lz-stale");
    let want = &expected("lz-stale")["config"];
    let report = emu.org_report("triage", "config", 3);
    assert_eq!(report["summary"]["total"], want["select_rows"]);
    let missing = report["scope"]["missing"].as_array().unwrap();
    let uncovered: BTreeSet<&str> = missing
        .iter()
        .filter(|m| m["reason"] == "NotAggregated" && m["region"].is_null())
        .map(|m| m["account_id"].as_str().unwrap())
        .collect();
    let excluded: BTreeSet<&str> = want["excluded_accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!(uncovered, excluded);
    let failed = &want["failed_sources"][0];
    assert!(
        missing.iter().any(|m| m["account_id"] == failed["account"]
            && m["region"] == failed["region"]
            && m["reason"] == "NotAggregated"),
        "the FAILED source is listed: {missing:?}"
    );
    // Covered means no missing entry at all: the FAILED source's account counts too.
    let with_a_miss: BTreeSet<&str> = missing
        .iter()
        .map(|m| m["account_id"].as_str().unwrap())
        .collect();
    assert_eq!(with_a_miss.len(), excluded.len() + 1);
    assert_eq!(
        report["scope"]["accounts_covered"].as_u64().unwrap() + with_a_miss.len() as u64,
        report["scope"]["accounts_expected"].as_u64().unwrap()
    );
    let domains: BTreeSet<&str> = report["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["domain_name"].as_str())
        .collect();
    assert!(
        domains.contains(want["deleted_but_listed"][0].as_str().unwrap()),
        "Config still lists the deleted certificate, and P1 reports what Config says"
    );
    assert!(!domains.contains(want["not_yet_recorded"][0].as_str().unwrap()));
}

#[test]
fn a_capped_search_is_split_until_complete() {
    let emu = Emulator::start("re-1200");
    let report = emu.org_report("triage", "explorer", 0);
    assert_eq!(report["summary"]["total"], expected("re-1200")["total"]);
    assert!(
        reasons(&report).contains("split into"),
        "{}",
        reasons(&report)
    );
    assert_eq!(report["scope"]["missing"], serde_json::json!([]));
}
