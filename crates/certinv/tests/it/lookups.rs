//! `locate` and `diff`: answering "where is it?" and "what changed?".

use serde_json::Value;

use crate::emulator::{Emulator, json_report};

#[test]
fn locate_finds_a_domain_in_every_account_that_holds_it() {
    let emu = Emulator::start("landing-zone-31");
    // www.example.com lives in two accounts: assuming one account would miss the other.
    let found = json_report(
        emu.certinv()
            .args(["locate", "www.example.com", "--output", "json"]),
        0,
    );
    let accounts: std::collections::BTreeSet<&str> = found["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["account_id"].as_str().unwrap())
        .collect();
    assert_eq!(accounts.len(), 2, "{found}");
    assert!(
        found["certificates"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["bucket"].is_string())
    );

    let arn = found["certificates"][0]["arn"]
        .as_str()
        .unwrap()
        .to_string();
    let by_arn = json_report(emu.certinv().args(["locate", &arn, "--output", "json"]), 0);
    assert_eq!(by_arn["summary"]["total"], 1);
    assert_eq!(by_arn["certificates"][0]["arn"], arn.as_str());

    let none = emu
        .certinv()
        .args(["locate", "nothing.invalid", "--output", "json"])
        .output()
        .unwrap();
    assert_eq!(none.status.code(), Some(1));
}

#[test]
fn diff_reports_bucket_changes_between_runs() {
    let emu = Emulator::start("keytypes-3regions");
    let a = emu.dir.path().join("a.json");
    let b = emu.dir.path().join("b.json");
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
        .arg(&a)
        .assert()
        .code(0);
    let later = (emu.anchor.parse::<jiff::Timestamp>().unwrap()
        + jiff::SignedDuration::from_hours(24 * 11))
    .to_string();
    emu.certinv()
        .args(["triage", "--now", &later, "--output", "json", "--out"])
        .arg(&b)
        .arg("--source")
        .arg(format!("snapshot:{}", a.display()))
        .assert()
        .code(0);

    let out = emu
        .certinv()
        .args(["diff", "--output", "json"])
        .arg(&a)
        .arg(&b)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let d: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(d["new"], serde_json::json!([]));
    assert_eq!(d["gone"], serde_json::json!([]));
    let changed = d["changed"].as_array().unwrap();
    assert!(
        changed
            .iter()
            .any(|c| c["before"] == "HIGH" && c["after"] == "CRITICAL"),
        "{changed:?}"
    );

    emu.certinv().arg("diff").arg(&a).arg(&a).assert().code(0);
    emu.certinv()
        .arg("diff")
        .arg(&a)
        .arg(emu.dir.path().join("missing.json"))
        .assert()
        .code(2);
}

#[test]
fn the_prometheus_textfile_carries_the_scan_duration_of_a_live_run_only() {
    let emu = Emulator::start("keytypes-3regions");
    let live = emu
        .certinv()
        .args([
            "inventory",
            "--all-accounts",
            "--output",
            "prometheus",
            "--out",
            "live.prom",
        ])
        .output()
        .unwrap();
    assert_eq!(
        live.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&live.stderr)
    );
    let text = std::fs::read_to_string(emu.dir.path().join("live.prom")).unwrap();
    let seconds: f64 = text
        .lines()
        .find_map(|l| l.strip_prefix("certinv_scan_duration_seconds "))
        .expect("a duration series")
        .parse()
        .unwrap();
    assert!(seconds > 0.0);
    assert_eq!(
        text.matches("certinv_certificate_expiry_timestamp_seconds{")
            .count(),
        9,
        "one series per issued certificate"
    );

    emu.certinv()
        .args([
            "inventory",
            "--all-accounts",
            "--output",
            "json",
            "--out",
            "snap.json",
        ])
        .assert()
        .code(0);
    let offline = emu
        .certinv()
        .args([
            "inventory",
            "--output",
            "prometheus",
            "--source",
            "snapshot:snap.json",
        ])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&offline.stdout).contains("certinv_scan_duration_seconds"));
}
