//! The direct path (P3) end to end: the real binary against the emulator.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::checks;
use crate::emulator::{Emulator, json_report, workspace_root};

fn scenario_file(name: &str) -> Value {
    let path = workspace_root().join(format!("emulator/scenarios/{name}.json"));
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn buckets(report: &Value) -> Vec<(String, u64)> {
    let b = &report["summary"]["buckets"];
    ["CRITICAL", "HIGH", "MEDIUM", "OK", "REMOVE", "NOT_ISSUED"]
        .iter()
        .map(|k| (k.to_string(), b[k].as_u64().unwrap()))
        .collect()
}

fn certificates(report: &Value) -> &Vec<Value> {
    report["certificates"].as_array().unwrap()
}

/// Every certificate's ARN names the account it is reported under, and no
/// ARN appears twice: the session was really switched per account.
fn assert_each_certificate_read_in_its_own_account(report: &Value) {
    let certs = certificates(report);
    let mut arns = BTreeSet::new();
    for c in certs {
        let arn = c["arn"].as_str().unwrap();
        assert_eq!(arn.split(':').nth(4), c["account_id"].as_str(), "{arn}");
        assert_eq!(arn.split(':').nth(3), c["region"].as_str(), "{arn}");
        arns.insert(arn);
    }
    assert_eq!(arns.len(), certs.len(), "duplicate ARNs");
}

#[test]
fn landing_zone_31_reproduces_the_reference_triage() {
    let emu = Emulator::start("landing-zone-31");
    let report = json_report(
        emu.certinv().args([
            "triage",
            "--all-accounts",
            "--source",
            "acm",
            "--output",
            "json",
        ]),
        0,
    );
    assert_eq!(report["schema"], "certinv/v1");
    assert_eq!(report["source"], "acm");
    assert_eq!(report["summary"]["total"], 176);
    assert_eq!(report["summary"]["accounts"], 31);
    assert_eq!(
        buckets(&report),
        [
            ("CRITICAL".into(), 19),
            ("HIGH".into(), 12),
            ("MEDIUM".into(), 27),
            ("OK".into(), 113),
            ("REMOVE".into(), 5),
            ("NOT_ISSUED".into(), 0)
        ]
    );
    assert_eq!(report["scope"]["accounts_expected"], 31);
    assert_eq!(report["scope"]["accounts_covered"], 31);
    assert_eq!(report["scope"]["missing"], serde_json::json!([]));
    let regions = report["scope"]["regions"].as_array().unwrap();
    assert!(regions.contains(&"us-east-1".into()), "{regions:?}");
    assert_each_certificate_read_in_its_own_account(&report);

    // Worst first: every CRITICAL precedes every other bucket.
    let order: Vec<&str> = certificates(&report)
        .iter()
        .map(|c| c["bucket"].as_str().unwrap())
        .collect();
    assert!(order[..19].iter().all(|b| *b == "CRITICAL"), "{order:?}");
    // Account names come from Organizations.
    assert!(
        certificates(&report)
            .iter()
            .all(|c| c["account_name"].is_string())
    );

    let ops = emu.ops();
    let assumed: BTreeSet<&str> = ops
        .iter()
        .filter(|o| o["operation"] == "AssumeRole")
        .map(|o| o["account"].as_str().unwrap())
        .collect();
    assert_eq!(
        assumed.len(),
        1,
        "AssumeRole is called by the management account only"
    );
    let assume_calls = ops
        .iter()
        .filter(|o| o["operation"] == "AssumeRole")
        .count();
    assert_eq!(assume_calls, 30, "one AssumeRole per member account");
    let acm_accounts: BTreeSet<&str> = ops
        .iter()
        .filter(|o| o["operation"] == "ListCertificates")
        .map(|o| o["account"].as_str().unwrap())
        .collect();
    assert_eq!(
        acm_accounts.len(),
        31,
        "ACM was read in every account's own session"
    );
    let describes = ops
        .iter()
        .filter(|o| o["operation"] == "DescribeCertificate")
        .count();
    assert_eq!(describes, 176, "one describe per certificate");
    checks::assert_read_only(&ops);
    checks::assert_granted(&ops, "Direct path");
}

#[test]
fn every_key_type_region_and_account_kind_is_found() {
    let emu = Emulator::start("keytypes-3regions");
    let expected = &scenario_file("keytypes-3regions")["expected"];
    let report = json_report(
        emu.certinv().args([
            "inventory",
            "--all-accounts",
            "--source",
            "acm",
            "--output",
            "json",
        ]),
        0,
    );
    assert_eq!(report["summary"]["total"], expected["total"]);
    assert_eq!(report["summary"]["accounts"], expected["accounts"]);
    assert_eq!(report["summary"]["buckets"], expected["buckets"]);
    assert_eq!(
        report["scope"]["accounts_expected"],
        expected["accounts_expected"]
    );
    assert_eq!(
        report["scope"]["accounts_covered"],
        expected["accounts_expected"]
    );
    assert_each_certificate_read_in_its_own_account(&report);

    let certs = certificates(&report);
    let key_types: BTreeSet<&str> = certs
        .iter()
        .filter_map(|c| c["key_algorithm"].as_str())
        .collect();
    assert_eq!(
        key_types,
        BTreeSet::from([
            "RSA_1024",
            "RSA_2048",
            "RSA_3072",
            "RSA_4096",
            "EC_prime256v1",
            "EC_secp384r1",
            "EC_secp521r1"
        ])
    );
    let regions: BTreeSet<&str> = certs.iter().filter_map(|c| c["region"].as_str()).collect();
    assert_eq!(
        regions,
        BTreeSet::from(["ap-southeast-2", "eu-west-1", "us-east-1"])
    );
    assert!(
        !certs.iter().any(|c| c["account_id"] == "210000000003"),
        "a SUSPENDED account is not scanned"
    );
    let pending = certs
        .iter()
        .find(|c| c["status"] == "PENDING_VALIDATION")
        .unwrap();
    assert_eq!(pending["bucket"], "NOT_ISSUED");
    assert_eq!(pending["days_to_expiry"], Value::Null);
    assert_eq!(pending["not_after"], Value::Null);

    // Inventory order: account, region, ARN.
    let keys: Vec<(String, String, String)> = certs
        .iter()
        .map(|c| {
            (
                c["account_id"].as_str().unwrap().into(),
                c["region"].as_str().unwrap().into(),
                c["arn"].as_str().unwrap().into(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);

    // Pages of two: a region with five certificates needs three list calls.
    let lists = emu
        .ops()
        .iter()
        .filter(|o| {
            o["operation"] == "ListCertificates"
                && o["region"] == "ap-southeast-2"
                && o["account"] == "210000000001"
        })
        .count();
    assert_eq!(lists, 3);
}

#[test]
fn without_all_accounts_only_the_callers_account_is_read() {
    let emu = Emulator::start("keytypes-3regions");
    let report = json_report(
        emu.certinv()
            .args(["inventory", "--source", "acm", "--output", "json"]),
        0,
    );
    assert_eq!(report["scope"]["accounts_expected"], 1);
    let accounts: BTreeSet<&str> = certificates(&report)
        .iter()
        .map(|c| c["account_id"].as_str().unwrap())
        .collect();
    assert_eq!(accounts, BTreeSet::from(["123456789012"]));
    assert!(!emu.ops().iter().any(|o| o["operation"] == "AssumeRole"));
}

#[test]
fn a_region_not_enabled_is_listed_as_missing_and_the_run_is_partial() {
    let emu = Emulator::start("keytypes-3regions");
    let report = json_report(
        emu.certinv().args([
            "inventory",
            "--all-accounts",
            "--source",
            "acm",
            "--regions",
            "us-east-1,eu-west-1",
            "--output",
            "json",
        ]),
        3,
    );
    let missing = report["scope"]["missing"].as_array().unwrap();
    assert_eq!(missing.len(), 1, "{missing:?}");
    assert_eq!(missing[0]["account_id"], "210000000002");
    assert_eq!(missing[0]["region"], "eu-west-1");
    assert_eq!(missing[0]["reason"], "NotEnabled");
    assert_eq!(report["scope"]["accounts_covered"], 2);
}

#[test]
fn fail_on_and_expiring_use_the_same_day_counts() {
    let emu = Emulator::start("keytypes-3regions");
    emu.certinv()
        .args([
            "triage",
            "--all-accounts",
            "--source",
            "acm",
            "--output",
            "json",
            "--fail-on",
            "critical",
        ])
        .assert()
        .code(1);
    let report = json_report(
        emu.certinv().args([
            "expiring",
            "--days",
            "30",
            "--all-accounts",
            "--source",
            "acm",
            "--output",
            "json",
        ]),
        0,
    );
    let days: Vec<i64> = certificates(&report)
        .iter()
        .map(|c| c["days_to_expiry"].as_i64().unwrap())
        .collect();
    assert!(days.iter().all(|d| *d <= 30), "{days:?}");
    let mut sorted = days.clone();
    sorted.sort();
    assert_eq!(days, sorted, "soonest first");
    // The HIGH certificate (10.5 days) and the two expired ones.
    assert_eq!(days.len(), 3, "{days:?}");
}

#[test]
fn a_snapshot_is_re_triaged_offline_at_another_now() {
    let emu = Emulator::start("keytypes-3regions");
    let snap = emu.dir.path().join("snap.json");
    emu.certinv()
        .args([
            "inventory",
            "--all-accounts",
            "--source",
            "acm",
            "--output",
            "json",
            "--out",
        ])
        .arg(&snap)
        .assert()
        .code(0);
    let calls_before = emu.ops().len();
    // Eleven days on, the 10.5-day certificate has expired and is in use.
    let later = (emu.anchor.parse::<jiff::Timestamp>().unwrap()
        + jiff::SignedDuration::from_hours(24 * 11))
    .to_string();
    let report = json_report(
        emu.certinv()
            .args(["triage", "--output", "json", "--now", &later, "--source"])
            .arg(format!("snapshot:{}", snap.display())),
        0,
    );
    assert_eq!(report["source"], "snapshot");
    assert_eq!(report["summary"]["buckets"]["CRITICAL"], 3);
    assert_eq!(
        report["scope"]["accounts_expected"], 3,
        "the snapshot's scope is kept"
    );
    assert_eq!(
        emu.ops().len(),
        calls_before,
        "a snapshot makes no AWS call"
    );
}
