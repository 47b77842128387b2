//! SPEC §8's promises, checked on the operation log and on every byte
//! certinv writes: read-only, no secret anywhere, prompt interrupts.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::checks;
use crate::emulator::{ACCESS_KEY, Emulator, SECRET_KEY};

const SESSION_TOKEN: &str = "certinv-test-session-token-IQoJb3JpZ2luX2VjE";
/// moto's assumed-role session tokens start with this.
const ASSUMED_TOKEN_PREFIX: &str = "FQoGZXIvYXdzEBYaD";

fn all_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(all_files(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// Every command on every discovery path, with debug and trace logging, and
/// nothing secret in any output or evidence file; and the whole session was
/// read-only.
#[test]
fn every_command_is_read_only_and_prints_no_secret() {
    let emu = Emulator::start("landing-zone-31");
    let mut captured: Vec<u8> = Vec::new();
    let mut run = |args: &[&str], log: &str| {
        let out = emu
            .certinv()
            .env("AWS_SESSION_TOKEN", SESSION_TOKEN)
            .env("RUST_LOG", log)
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.code().is_some_and(|c| c <= 1),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        captured.extend(out.stdout);
        captured.extend(out.stderr);
    };
    for source in ["config", "explorer", "acm", "auto"] {
        run(
            &[
                "inventory",
                "--all-accounts",
                "--output",
                "json",
                "--source",
                source,
            ],
            "debug",
        );
    }
    run(
        &["triage", "--all-accounts", "--output", "markdown"],
        "trace",
    );
    run(
        &[
            "expiring",
            "--days",
            "30",
            "--all-accounts",
            "--output",
            "csv",
            "--source",
            "acm",
        ],
        "trace",
    );
    run(&["locate", "www.example.com", "--output", "json"], "debug");
    for role in ["product-owner", "cloud-architect"] {
        run(
            &[
                "coord",
                "sign",
                "--project",
                "sec",
                "--role",
                role,
                "--by",
                "tester",
            ],
            "debug",
        );
    }
    run(
        &[
            "pipeline",
            "--project",
            "sec",
            "--all-accounts",
            "--source",
            "explorer",
        ],
        "trace",
    );
    run(&["verify", "tmp/sec/certs/latest"], "debug");

    for f in all_files(&emu.dir.path().join("tmp")) {
        captured.extend(std::fs::read(&f).unwrap());
    }
    let text = String::from_utf8_lossy(&captured);
    assert!(
        text.len() > 100_000,
        "debug logging produced output to check"
    );
    for secret in [
        SECRET_KEY,
        SESSION_TOKEN,
        ASSUMED_TOKEN_PREFIX,
        "PRIVATE KEY",
        "x-amz-security-token",
    ] {
        assert!(
            !text.contains(secret),
            "'{secret}' leaked into output or evidence"
        );
    }

    let ops = emu.ops();
    checks::assert_read_only(&ops);
    assert!(ops.iter().any(|o| o["service"] == "config"));
    assert!(ops.iter().any(|o| o["service"] == "resource-explorer-2"));
    assert!(ops.iter().any(|o| o["operation"] == "ListCertificates"));
    let _ = ACCESS_KEY;
}

#[cfg(unix)]
#[test]
fn sigint_and_sigterm_stop_a_pipeline_promptly_without_a_pack() {
    let emu = Emulator::start("landing-zone-31");
    emu.sign_coordination("int");
    for (signal, code) in [("INT", 130), ("TERM", 143)] {
        // One call at a time over 31 accounts keeps the run busy long enough.
        let mut child = emu
            .command()
            .args([
                "pipeline",
                "--project",
                "int",
                "--all-accounts",
                "--source",
                "acm",
                "--concurrency",
                "1",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(800));
        let sent = std::process::Command::new("kill")
            .args([format!("-{signal}"), child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        let start = Instant::now();
        let status = loop {
            if let Some(s) = child.try_wait().unwrap() {
                break s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(5),
                "SIG{signal} did not stop the run"
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        assert_eq!(status.code(), Some(code), "SIG{signal}");
    }
    let certs = emu.dir.path().join("tmp/int/certs");
    let leftovers: Vec<_> = all_files(&certs);
    assert!(
        leftovers.is_empty(),
        "an interrupted run left files: {leftovers:?}"
    );
}
