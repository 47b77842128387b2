//! The pipeline's record of itself: phases with wall times, gates with
//! verdicts, and the removal candidates it could (or could not) verify.
//! These are what `gates.json` and `phases.json` hold.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Verdict {
    Pass,
    Fail,
    Blocked,
    Waived,
    /// G2 when L1 itself came from the direct path: recorded, never failing.
    NotIndependent,
}

impl Verdict {
    pub fn fails(self) -> bool {
        matches!(self, Verdict::Fail | Verdict::Blocked)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "PASS",
            Verdict::Fail => "FAIL",
            Verdict::Blocked => "BLOCKED",
            Verdict::Waived => "WAIVED",
            Verdict::NotIndependent => "NOT_INDEPENDENT",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Gate {
    pub gate: String,
    pub verdict: Verdict,
    pub detail: String,
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub data: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Phase {
    pub phase: String,
    pub name: String,
    pub millis: u64,
    pub verdict: String,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemovalCandidate {
    pub arn: String,
    pub account_id: String,
    pub region: Option<String>,
    pub domain_name: Option<String>,
    pub verified: bool,
    pub reason: String,
}

/// Everything the pipeline decided, for `gates.json` and the reports.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PipelineRecord {
    pub project: String,
    pub run_id: String,
    pub gates: Vec<Gate>,
    pub phases: Vec<Phase>,
    pub removal_candidates: Vec<RemovalCandidate>,
    pub usage_disagreements: Vec<serde_json::Value>,
    /// Every suppression and every lapsed exception (`--exceptions`), so an
    /// accepted risk is never hidden from an audit.
    #[serde(default)]
    pub exceptions: serde_json::Value,
}

impl PipelineRecord {
    pub fn gate(&self, name: &str) -> Option<&Gate> {
        self.gates.iter().find(|g| g.gate == name)
    }
}
