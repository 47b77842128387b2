//! A real organization is never clean: throttling, 5xx, denied roles and
//! stale InUseBy. The result must stay correct, or say exactly what it missed.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::emulator::{Emulator, workspace_root};

fn scenario(name: &str) -> Value {
    let path = workspace_root().join(format!("emulator/scenarios/{name}.json"));
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn with_faults(name: &str, faults: Value) -> Value {
    let mut s = scenario(name);
    s["faults"] = faults;
    s
}

/// (arn, bucket) pairs: what must not change under faults.
fn findings(report: &Value) -> BTreeSet<(String, String)> {
    report["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["arn"].as_str().unwrap().into(),
                c["bucket"].as_str().unwrap().into(),
            )
        })
        .collect()
}

#[test]
fn twenty_percent_throttling_changes_nothing_but_the_retry_count() {
    let clean = Emulator::start("landing-zone-31");
    let want_p3 = findings(&clean.org_report("inventory", "acm", 0));
    let want_p1 = findings(&clean.org_report("inventory", "config", 0));
    assert_eq!(want_p1, want_p3);
    drop(clean);

    let faults = json!({"throttle": [
        {"service": "acm", "rate": 0.2, "seed": 7},
        {"service": "config", "rate": 0.2, "seed": 8}
    ]});
    let emu = Emulator::start(with_faults("landing-zone-31", faults));
    for (source, want) in [("acm", &want_p3), ("config", &want_p1)] {
        let report = emu.org_report("inventory", source, 0);
        assert_eq!(report["scope"]["missing"], json!([]), "{source}");
        assert_eq!(
            &findings(&report),
            want,
            "{source}: throttling changed the inventory"
        );
    }
    let throttled = emu
        .ops()
        .iter()
        .filter(|o| o["fault"] == "throttle")
        .count();
    assert!(
        throttled > 20,
        "only {throttled} calls were throttled: the test proves nothing"
    );
}

#[test]
fn server_errors_are_retried_too() {
    let faults = json!({"errors_5xx": [{"service": "acm", "rate": 0.1, "seed": 3}]});
    let emu = Emulator::start(with_faults("keytypes-3regions", faults));
    let report = emu.org_report("inventory", "acm", 0);
    assert_eq!(report["summary"]["total"], 10);
    assert!(emu.ops().iter().any(|o| o["fault"] == "errors_5xx"));
}

#[test]
fn accounts_denying_assume_role_are_named_and_the_run_is_partial() {
    let denied = ["410000000001", "410000000003"];
    let emu = Emulator::start(with_faults("lz-stale", json!({"deny_assume_role": denied})));
    let report = emu.org_report("inventory", "acm", 3);
    let missing = report["scope"]["missing"].as_array().unwrap();
    let named: BTreeSet<&str> = missing
        .iter()
        .map(|m| m["account_id"].as_str().unwrap())
        .collect();
    assert_eq!(named, BTreeSet::from(denied));
    assert!(
        missing
            .iter()
            .all(|m| m["reason"] == "AccessDenied" && m["region"].is_null()),
        "{missing:?}"
    );
    assert_eq!(report["scope"]["accounts_covered"], 3);
    assert!(
        !report["certificates"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| denied.contains(&c["account_id"].as_str().unwrap())),
        "no certificate is reported for an account that could not be read"
    );

    // The pipeline's G2 names the same accounts and the cause.
    emu.sign_coordination("deny");
    let out = emu
        .certinv()
        .args([
            "pipeline",
            "--project",
            "deny",
            "--all-accounts",
            "--source",
            "config",
            "--quiet",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(5),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cv: Value = serde_json::from_slice(
        &std::fs::read(
            emu.dir
                .path()
                .join("tmp/deny/certs/latest/cross-validation.json"),
        )
        .unwrap(),
    )
    .unwrap();
    for account in denied {
        let entry = cv["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["account_id"] == account)
            .unwrap_or_else(|| panic!("G2 does not name {account}: {cv}"));
        assert!(
            entry["likely_cause"]
                .as_str()
                .unwrap()
                .contains("AssumeRole denied"),
            "{entry}"
        );
    }
}

#[test]
fn usage_found_only_by_the_scan_keeps_a_certificate_out_of_removal() {
    let emu = Emulator::start("usage-sites");
    let want = scenario("usage-sites")["expected"].clone();
    emu.sign_coordination("use");
    emu.certinv()
        .args(["pipeline", "--project", "use", "--all-accounts", "--quiet"])
        .assert()
        .code(0);
    let pack = emu.dir.path().join("tmp/use/certs/latest");
    let inventory: Value =
        serde_json::from_slice(&std::fs::read(pack.join("inventory.json")).unwrap()).unwrap();
    assert_eq!(inventory["summary"]["buckets"], want["buckets"]);
    let critical: BTreeSet<&str> = inventory["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["bucket"] == "CRITICAL")
        .map(|c| c["domain_name"].as_str().unwrap())
        .collect();
    let want_critical: BTreeSet<&str> = want["critical"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    assert_eq!(
        critical, want_critical,
        "CloudFront- and API Gateway-only certificates are in use"
    );

    let gates: Value =
        serde_json::from_slice(&std::fs::read(pack.join("gates.json")).unwrap()).unwrap();
    let removal: Vec<&str> = gates["removal_candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["domain_name"].as_str().unwrap())
        .collect();
    assert_eq!(removal, ["old.web.example.com"]);
    let got: BTreeSet<(String, String)> = gates["usage_disagreements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["kind"].as_str().unwrap().into(),
                d["resource"].as_str().unwrap().into(),
            )
        })
        .collect();
    let expected: BTreeSet<(String, String)> = want["disagreements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["kind"].as_str().unwrap().into(),
                d["resource"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(got, expected);
}
