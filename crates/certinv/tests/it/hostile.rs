//! Bad input, table-driven: every case exits 2 with one clear first line on
//! stderr naming the problem, writes no file, and makes no AWS call.

use std::collections::BTreeSet;
use std::path::Path;

use crate::emulator::Emulator;

fn listing(dir: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for entry in walk(dir) {
        out.insert(entry);
    }
    out
}

fn walk(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            out.push(p.display().to_string());
            if p.is_dir() {
                out.extend(walk(&p));
            }
        }
    }
    out
}

#[test]
fn bad_input_exits_2_with_one_clear_line_and_writes_nothing() {
    let emu = Emulator::start("keytypes-3regions");
    let dir = emu.dir.path();
    let valid = r#"{"schema":"certinv/v1","source":"acm","decisions":[],"scope":{"accounts_expected":1,"accounts_covered":1,"regions":[],"missing":[]},"certificates":[]}"#;
    std::fs::write(dir.join("truncated.json"), &valid[..valid.len() / 2]).unwrap();
    std::fs::write(
        dir.join("wrong-schema.json"),
        valid.replace("certinv/v1", "certinv/v0"),
    )
    .unwrap();
    std::fs::write(dir.join("not-json.json"), "certificates: 3\n").unwrap();
    // A sparse 1 GiB file: rejected on its first bytes, never read whole.
    std::fs::File::create(dir.join("huge.json"))
        .unwrap()
        .set_len(1 << 30)
        .unwrap();
    std::fs::write(dir.join("a-file"), "x").unwrap();
    std::fs::create_dir_all(dir.join("not-a-pack")).unwrap();

    let snap = |name: &str| format!("snapshot:{}", dir.join(name).display());
    let file_sub = format!("{}/sub", dir.join("a-file").display());
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<String>>();
    // (arguments, a word the first stderr line must contain)
    let cases: Vec<(Vec<String>, &str)> = vec![
        (s(&["inventory", "--bogus"]), "--bogus"),
        (s(&["frobnicate"]), "frobnicate"),
        (s(&["expiring", "--days", "-1"]), "-1"),
        (s(&["expiring", "--days", "abc"]), "abc"),
        (s(&["triage", "--now", "yesterday"]), "yesterday"),
        (
            s(&["triage", "--now", "2026-13-45T00:00:00Z"]),
            "2026-13-45",
        ),
        (s(&["inventory", "--accounts", "12345"]), "12345"),
        (
            s(&["inventory", "--accounts", "1234567890123"]),
            "1234567890123",
        ),
        (
            s(&["inventory", "--accounts", "abcdefghijkl"]),
            "abcdefghijkl",
        ),
        (s(&["inventory", "--regions", "mars-1"]), "mars-1"),
        (s(&["inventory", "--regions", "US-EAST-1"]), "US-EAST-1"),
        (s(&["inventory", "--regions", "us-east-1,"]), "region"),
        (s(&["inventory", "--ops-region", "nowhere"]), "nowhere"),
        (s(&["inventory", "--source", "s3"]), "s3"),
        (s(&["inventory", "--source", "snapshot:"]), "snapshot"),
        (
            vec!["triage".into(), "--source".into(), snap("missing.json")],
            "missing.json",
        ),
        (
            vec!["triage".into(), "--source".into(), snap("truncated.json")],
            "truncated",
        ),
        (
            vec![
                "triage".into(),
                "--source".into(),
                snap("wrong-schema.json"),
            ],
            "certinv/v0",
        ),
        (
            vec!["triage".into(), "--source".into(), snap("not-json.json")],
            "not JSON",
        ),
        (
            vec!["triage".into(), "--source".into(), snap("huge.json")],
            "huge.json",
        ),
        (s(&["inventory", "--output", "xml"]), "xml"),
        (s(&["inventory", "--fail-on", "severe"]), "severe"),
        (s(&["inventory", "--concurrency", "0"]), "0"),
        (
            s(&["triage", "--high-days", "100", "--medium-days", "90"]),
            "--high-days",
        ),
        (
            s(&["inventory", "--out", "/nonexistent-certinv-dir/x.json"]),
            "/nonexistent-certinv-dir",
        ),
        (
            s(&["inventory", "--profile", "no-such-profile"]),
            "no-such-profile",
        ),
        (
            s(&["inventory", "--aggregator", "org'; DROP TABLE x; --"]),
            "--aggregator",
        ),
        (s(&["inventory", "--role-name", "bad role"]), "bad role"),
        (s(&["pipeline", "--project", "../escape"]), "../escape"),
        (
            s(&["pipeline", "--project", "p", "--max-variance", "200"]),
            "--max-variance",
        ),
        (
            vec![
                "pipeline".into(),
                "--project".into(),
                "p".into(),
                "--evidence-dir".into(),
                file_sub.clone(),
            ],
            "evidence-dir",
        ),
        (
            s(&[
                "coord",
                "sign",
                "--project",
                "p",
                "--role",
                "ceo",
                "--by",
                "x",
            ]),
            "ceo",
        ),
        (
            vec![
                "verify".into(),
                dir.join("not-a-pack").display().to_string(),
            ],
            "not an evidence pack",
        ),
        (
            vec![
                "diff".into(),
                dir.join("missing-a.json").display().to_string(),
                dir.join("missing-b.json").display().to_string(),
            ],
            "missing-a.json",
        ),
    ];
    assert!(cases.len() >= 30);
    let before = listing(dir);
    for (args, word) in &cases {
        let out = emu.certinv().args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let first = stderr.lines().next().unwrap_or("");
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            first.starts_with("error:"),
            "{args:?}: first line {first:?}"
        );
        assert!(
            first.contains(word),
            "{args:?}: first line {first:?} does not name {word:?}"
        );
        assert!(out.stdout.is_empty(), "{args:?} printed to stdout");
        assert!(
            !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
            "{args:?}: {stderr}"
        );
    }
    let ops_log = dir.join("ops.jsonl").display().to_string();
    let after: BTreeSet<String> = listing(dir).into_iter().filter(|p| *p != ops_log).collect();
    let before: BTreeSet<String> = before.into_iter().filter(|p| *p != ops_log).collect();
    assert_eq!(after, before, "bad input wrote files");
    assert!(
        emu.ops().is_empty(),
        "bad input reached AWS: {:?}",
        emu.ops()
    );
}
