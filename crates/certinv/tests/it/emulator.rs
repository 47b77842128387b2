//! A private emulator per test: moto plus certinv's extensions on a free
//! loopback port, seeded with one scenario, killed when the test ends.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

/// Distinctive dummy credentials: the secrets test greps every output for them.
pub const ACCESS_KEY: &str = "AKIACERTINVTESTKEY01";
pub const SECRET_KEY: &str = "certinv-test-secret-do-not-print-7d1e";

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

pub struct Emulator {
    child: Child,
    pub endpoint: String,
    pub anchor: String,
    pub dir: tempfile::TempDir,
}

impl Emulator {
    /// Start with a named scenario from `emulator/scenarios/` or a JSON value.
    pub fn start(scenario: impl Into<Scenario>) -> Emulator {
        let dir = tempfile::tempdir().unwrap();
        let scenario_arg = match scenario.into() {
            Scenario::Named(name) => name.to_string(),
            Scenario::Inline(value) => {
                let path = dir.path().join("scenario.json");
                std::fs::write(&path, serde_json::to_vec_pretty(&value).unwrap()).unwrap();
                path.to_string_lossy().into_owned()
            }
        };
        let root = workspace_root();
        let python = root.join("emulator/.venv/bin/python");
        assert!(
            python.exists(),
            "the emulator venv is missing: run `make emulator` (make test does)"
        );
        let mut child = Command::new(python)
            .arg(root.join("emulator/run.py"))
            .args(["--port", "0", "--scenario", &scenario_arg, "--oplog"])
            .arg(dir.path().join("ops.jsonl"))
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the emulator");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx
            .recv_timeout(Duration::from_secs(90))
            .expect("the emulator did not report ready within 90 s");
        let ready: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("emulator ready line {line:?}: {e}"));
        Emulator {
            child,
            endpoint: format!("http://127.0.0.1:{}", ready["port"]),
            anchor: ready["anchor"].as_str().unwrap().to_string(),
            dir,
        }
    }

    /// The real binary, pointed at this emulator with dummy credentials and a
    /// HOME of its own, so no real profile or endpoint can be reached.
    pub fn certinv(&self) -> assert_cmd::Command {
        assert_cmd::Command::from_std(self.command())
    }

    /// The same as `certinv`, as a plain process (for signals and streaming).
    pub fn command(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin!("certinv"));
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.dir.path())
            .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
            .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
            .env("AWS_REGION", "ap-southeast-2")
            .env("AWS_ENDPOINT_URL", &self.endpoint)
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("CERTINV_NOW", &self.anchor)
            .current_dir(self.dir.path());
        cmd
    }

    /// Sign both coordination logs for `project` (gate G0), as a person would.
    pub fn sign_coordination(&self, project: &str) {
        for role in ["product-owner", "cloud-architect"] {
            self.certinv()
                .args([
                    "coord",
                    "sign",
                    "--project",
                    project,
                    "--role",
                    role,
                    "--by",
                    "tester",
                ])
                .assert()
                .code(0);
        }
    }

    /// `certinv COMMAND --all-accounts --output json --source SOURCE`,
    /// expecting exit `code`, parsed.
    pub fn org_report(&self, command: &str, source: &str, code: i32) -> Value {
        json_report(
            self.certinv().args([
                command,
                "--all-accounts",
                "--output",
                "json",
                "--source",
                source,
            ]),
            code,
        )
    }

    /// Every AWS operation the emulator served, in order.
    pub fn ops(&self) -> Vec<Value> {
        let text = std::fs::read_to_string(self.dir.path().join("ops.jsonl")).unwrap_or_default();
        text.lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub enum Scenario {
    Named(&'static str),
    Inline(Value),
}

impl From<&'static str> for Scenario {
    fn from(name: &'static str) -> Self {
        Scenario::Named(name)
    }
}

impl From<Value> for Scenario {
    fn from(v: Value) -> Self {
        Scenario::Inline(v)
    }
}

/// Run certinv and parse its JSON report; panics with stderr on a bad code.
pub fn json_report(cmd: &mut assert_cmd::Command, want_code: i32) -> Value {
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(want_code), "stderr:\n{stderr}");
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}); stderr:\n{stderr}"))
}
