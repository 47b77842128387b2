//! The seven-phase pipeline, its gates and its evidence pack, end to end.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::emulator::{Emulator, workspace_root};

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn latest(emu: &Emulator, project: &str) -> PathBuf {
    emu.dir
        .path()
        .join("tmp")
        .join(project)
        .join("certs/latest")
}

fn gate<'a>(gates: &'a Value, name: &str) -> &'a Value {
    gates["gates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["gate"] == name)
        .unwrap_or_else(|| panic!("no {name} in {gates}"))
}

#[test]
fn the_reference_landing_zone_passes_every_gate_and_the_pack_verifies() {
    let emu = Emulator::start("landing-zone-31");
    emu.sign_coordination("lz");
    let out = emu
        .certinv()
        .args(["pipeline", "--project", "lz", "--all-accounts"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    for phase in ["0A", "0C", "1", "2", "3", "4", "5", "6", "7"] {
        assert!(
            stderr.contains(&format!("phase {phase:<3}")),
            "phase {phase} not announced:\n{stderr}"
        );
    }

    let pack = latest(&emu, "lz");
    for file in [
        "inventory.json",
        "inventory.csv",
        "triage.md",
        "report.html",
        "cross-validation.json",
        "gates.json",
        "phases.json",
        "manifest.json",
    ] {
        assert!(pack.join(file).is_file(), "{file} missing");
    }
    let gates = read_json(&pack.join("gates.json"));
    for g in ["G0", "G1", "G2", "G3"] {
        assert_eq!(
            gate(&gates, g)["verdict"],
            "PASS",
            "{g}: {}",
            gate(&gates, g)
        );
    }
    let cv = read_json(&pack.join("cross-validation.json"));
    assert_eq!(cv["variance_percent"], 0.0);
    assert_eq!(
        (cv["l1_total"].as_u64(), cv["l3_total"].as_u64()),
        (Some(176), Some(176))
    );
    let inventory = read_json(&pack.join("inventory.json"));
    assert_eq!(inventory["summary"]["buckets"]["CRITICAL"], 19);
    assert_eq!(inventory["summary"]["buckets"]["REMOVE"], 5);
    let removal = gates["removal_candidates"].as_array().unwrap();
    assert_eq!(removal.len(), 5);
    assert!(removal.iter().all(|r| r["verified"] == true), "{removal:?}");

    let phases = read_json(&pack.join("phases.json"));
    let names: Vec<&str> = phases
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["phase"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["0A", "0C", "1", "2", "3", "4", "5", "6", "7"]);
    assert!(
        phases
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["millis"].is_u64())
    );

    let html = std::fs::read_to_string(pack.join("report.html")).unwrap();
    assert!(!html.contains("http://") && !html.contains("https://") && !html.contains("<script"));

    emu.certinv().arg("verify").arg(&pack).assert().code(0);
}

#[test]
fn two_accounts_missing_from_the_aggregator_fail_g2_with_their_cause() {
    let mut scenario: Value = serde_json::from_slice(
        &std::fs::read(workspace_root().join("emulator/scenarios/landing-zone-31.json")).unwrap(),
    )
    .unwrap();
    // The two accounts holding the most certificates, so the gap exceeds 5%.
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    for c in scenario["certificates"].as_array().unwrap() {
        *counts
            .entry(c["account"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    let mut by_count: Vec<(usize, String)> = counts.into_iter().map(|(a, n)| (n, a)).collect();
    by_count.sort();
    let left_out: Vec<String> = by_count
        .iter()
        .rev()
        .map(|(_, a)| a.clone())
        .filter(|a| a != "123456789012")
        .take(2)
        .collect();
    scenario["config"]["aggregators"][0]["exclude_accounts"] = serde_json::json!(left_out);
    let emu = Emulator::start(scenario);
    emu.sign_coordination("gap");
    let out = emu
        .certinv()
        .args(["pipeline", "--project", "gap", "--all-accounts"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(5),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("G2  FAIL"), "{stdout}");

    // The evidence is still written, and it explains the gap.
    let pack = latest(&emu, "gap");
    let cv = read_json(&pack.join("cross-validation.json"));
    let accounts: Vec<(&str, &str)> = cv["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["account_id"].as_str().unwrap(),
                a["likely_cause"].as_str().unwrap(),
            )
        })
        .collect();
    let mut want: Vec<(&str, &str)> = left_out
        .iter()
        .map(|a| (a.as_str(), "account not in aggregator"))
        .collect();
    want.sort();
    assert_eq!(accounts, want);
    assert!(cv["variance_percent"].as_f64().unwrap() >= 5.0);
    emu.certinv().arg("verify").arg(&pack).assert().code(0);
}

#[test]
fn without_coordination_logs_the_run_is_blocked_before_any_aws_call() {
    let emu = Emulator::start("keytypes-3regions");
    let out = emu
        .certinv()
        .args(["pipeline", "--project", "nocoord", "--all-accounts"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(5));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("G0 BLOCKED"), "{stderr}");
    assert!(
        stderr.contains("certinv coord sign --project nocoord --role product-owner"),
        "{stderr}"
    );
    assert!(
        emu.ops().is_empty(),
        "a blocked run made AWS calls: {:?}",
        emu.ops()
    );
    assert!(
        !emu.dir.path().join("tmp/nocoord/certs").exists(),
        "a blocked run wrote a pack"
    );
}

#[test]
fn a_waived_coordination_is_recorded_never_silent() {
    let emu = Emulator::start("keytypes-3regions");
    emu.certinv()
        .args([
            "pipeline",
            "--project",
            "waived",
            "--all-accounts",
            "--source",
            "acm",
        ])
        .args(["--waive-coordination", "incident INC-42 out of hours"])
        .assert()
        .code(0);
    let gates = read_json(&latest(&emu, "waived").join("gates.json"));
    assert_eq!(gate(&gates, "G0")["verdict"], "WAIVED");
    assert!(
        gate(&gates, "G0")["detail"]
            .as_str()
            .unwrap()
            .contains("INC-42")
    );
    assert_eq!(gate(&gates, "G2")["verdict"], "NOT_INDEPENDENT");
}

#[test]
fn verify_rejects_a_tampered_or_truncated_pack_and_names_the_file() {
    let emu = Emulator::start("keytypes-3regions");
    emu.sign_coordination("tamper");
    emu.certinv()
        .args([
            "pipeline",
            "--project",
            "tamper",
            "--all-accounts",
            "--quiet",
        ])
        .assert()
        .code(0);
    let pack = latest(&emu, "tamper").canonicalize().unwrap();
    let verify = |dir: &Path| emu.certinv().arg("verify").arg(dir).output().unwrap();

    let csv = pack.join("inventory.csv");
    let mut bytes = std::fs::read(&csv).unwrap();
    bytes[10] ^= 1;
    std::fs::write(&csv, &bytes).unwrap();
    let out = verify(&pack);
    assert_eq!(out.status.code(), Some(5));
    assert!(String::from_utf8_lossy(&out.stderr).contains("inventory.csv"));

    bytes[10] ^= 1;
    std::fs::write(&csv, &bytes).unwrap();
    assert_eq!(
        verify(&pack).status.code(),
        Some(0),
        "restored pack verifies again"
    );

    std::fs::remove_file(pack.join("triage.md")).unwrap();
    let out = verify(&pack);
    assert_eq!(out.status.code(), Some(5));
    assert!(String::from_utf8_lossy(&out.stderr).contains("triage.md"));

    let out = verify(emu.dir.path());
    assert_eq!(out.status.code(), Some(2), "a directory that is not a pack");
}

#[test]
fn a_signed_pack_verifies_with_its_key_and_fails_with_another() {
    let emu = Emulator::start("keytypes-3regions");
    emu.sign_coordination("signed");
    for name in ["a", "b"] {
        emu.certinv()
            .args(["keygen", "--out", name])
            .assert()
            .code(0);
    }
    let key_text = std::fs::read_to_string(emu.dir.path().join("a.key")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(emu.dir.path().join("a.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "the private key is readable by others");
    }
    let out = emu
        .certinv()
        .args([
            "pipeline",
            "--project",
            "signed",
            "--all-accounts",
            "--sign-key",
            "a.key",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(
        printed.contains("manifest sha256 "),
        "the digest is printed for a ticket"
    );
    let secret_line = key_text.lines().nth(1).unwrap();
    assert!(
        !printed.contains(secret_line)
            && !String::from_utf8_lossy(&out.stderr).contains(secret_line)
    );

    let pack = latest(&emu, "signed");
    emu.certinv()
        .arg("verify")
        .arg(&pack)
        .args(["--pubkey", "a.pub"])
        .assert()
        .code(0);
    let other = emu
        .certinv()
        .arg("verify")
        .arg(&pack)
        .args(["--pubkey", "b.pub"])
        .output()
        .unwrap();
    assert_eq!(other.status.code(), Some(5));
    assert!(String::from_utf8_lossy(&other.stderr).contains("signature"));
    // Refuses to overwrite a key.
    emu.certinv()
        .args(["keygen", "--out", "a"])
        .assert()
        .code(2);
}

#[test]
fn trend_reads_every_sealed_run_of_a_project() {
    let emu = Emulator::start("keytypes-3regions");
    emu.sign_coordination("trend");
    let anchor: jiff::Timestamp = emu.anchor.parse().unwrap();
    // Three runs at three instants: the 10.5-day certificate turns CRITICAL.
    for days in [0, 5, 11] {
        let now = (anchor + jiff::SignedDuration::from_hours(24 * days)).to_string();
        emu.certinv()
            .args([
                "pipeline",
                "--project",
                "trend",
                "--all-accounts",
                "--quiet",
                "--now",
                &now,
            ])
            .assert()
            .code(0);
    }
    let out = emu
        .certinv()
        .args(["trend", "tmp/trend/certs", "--output", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let points: Value = serde_json::from_slice(&out.stdout).unwrap();
    let critical: Vec<u64> = points
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["buckets"]["CRITICAL"].as_u64().unwrap())
        .collect();
    assert_eq!(critical, [2, 2, 3]);
    let table = emu
        .certinv()
        .args(["trend", "tmp/trend/certs", "--output", "table"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&table.stdout).contains("CRITICAL"));
}

#[test]
fn completions_and_man_page_come_from_the_cli_definition() {
    let emu = Emulator::start("keytypes-3regions");
    for shell in ["bash", "zsh", "fish"] {
        let out = emu.certinv().args(["completions", shell]).output().unwrap();
        assert_eq!(out.status.code(), Some(0));
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("pipeline") && text.contains("all-accounts"),
            "{shell}"
        );
    }
    let man = emu.certinv().arg("man").output().unwrap();
    assert!(String::from_utf8_lossy(&man.stdout).contains(".TH certinv"));
}
