//! Assertions over the emulator's operation log that every path must pass:
//! read-only, and covered by the IAM policy documented for it.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::emulator::workspace_root;

const READ_PREFIXES: [&str; 5] = ["List", "Describe", "Get", "Select", "Search"];
const READ_EXACT: [&str; 2] = ["AssumeRole", "GetCallerIdentity"];

/// Every operation the emulator served is a read (SPEC §8).
pub fn assert_read_only(ops: &[Value]) {
    assert!(!ops.is_empty(), "no AWS operation was recorded");
    for op in ops {
        let name = op["operation"].as_str().unwrap_or("");
        assert!(
            READ_EXACT.contains(&name) || READ_PREFIXES.iter().any(|p| name.starts_with(p)),
            "not a read-only operation: {op}"
        );
        assert_ne!(name, "ExportCertificate");
    }
}

/// IAM actions granted by the JSON policies in the sections of
/// `docs/PERMISSIONS.md` whose heading starts with `heading`.
pub fn granted_actions(heading: &str) -> BTreeSet<String> {
    let doc = std::fs::read_to_string(workspace_root().join("docs/PERMISSIONS.md")).unwrap();
    let mut actions = BTreeSet::new();
    let mut in_section = false;
    let mut in_json = false;
    let mut block = String::new();
    for line in doc.lines() {
        if let Some(h) = line.strip_prefix("## ") {
            in_section = h.starts_with(heading);
        } else if line.trim() == "```json" {
            in_json = true;
            block.clear();
        } else if line.trim() == "```" && in_json {
            in_json = false;
            if in_section {
                let policy: Value =
                    serde_json::from_str(&block).expect("a policy in PERMISSIONS.md is not JSON");
                for stmt in policy["Statement"].as_array().unwrap() {
                    match &stmt["Action"] {
                        Value::String(a) => {
                            actions.insert(a.clone());
                        }
                        Value::Array(list) => {
                            actions.extend(list.iter().filter_map(|a| a.as_str().map(String::from)))
                        }
                        _ => {}
                    }
                }
            }
        } else if in_json {
            block.push_str(line);
            block.push('\n');
        }
    }
    assert!(!actions.is_empty(), "no policy found under '## {heading}'");
    actions
}

/// Every operation served is granted by the documented policy for the path.
pub fn assert_granted(ops: &[Value], heading: &str) {
    let granted = granted_actions(heading);
    let used: BTreeSet<String> = ops
        .iter()
        .map(|o| {
            format!(
                "{}:{}",
                o["service"].as_str().unwrap(),
                o["operation"].as_str().unwrap()
            )
        })
        .collect();
    let missing: Vec<&String> = used.difference(&granted).collect();
    assert!(
        missing.is_empty(),
        "used but not granted in docs/PERMISSIONS.md '{heading}': {missing:?}"
    );
}
