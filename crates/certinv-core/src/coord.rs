//! Coordination logs (phase 0A, gate G0): a product owner and a cloud
//! architect each sign off before a pipeline run. G0 reads each role's newest
//! log and passes only when both are at most `max_age_days` old.

use std::path::{Path, PathBuf};

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::time::utc_seconds;

pub const ROLES: [&str; 2] = ["product-owner", "cloud-architect"];
pub const COORD_SCHEMA: &str = "certinv-coordination/v1";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoordLog {
    pub schema: String,
    pub project: String,
    pub role: String,
    pub signed_by: String,
    #[serde(with = "utc_seconds")]
    pub signed_at: Timestamp,
    pub criteria: Option<String>,
}

/// `tmp/PROJECT/coordination-logs/ROLE-YYYY-MM-DD.json`.
pub fn log_path(coord_dir: &Path, role: &str, signed_at: Timestamp) -> PathBuf {
    coord_dir.join(format!("{role}-{}.json", signed_at.strftime("%Y-%m-%d")))
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoleCheck {
    pub role: String,
    pub log: Option<String>,
    pub signed_by: Option<String>,
    pub age_days: Option<f64>,
    pub ok: bool,
    pub problem: Option<String>,
}

/// The newest readable log for `role` in `coord_dir`, by its `signed_at`.
fn newest(coord_dir: &Path, role: &str, project: &str) -> Option<(PathBuf, CoordLog)> {
    let prefix = format!("{role}-");
    std::fs::read_dir(coord_dir)
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&prefix) && n.ends_with(".json"))
        })
        .filter_map(|p| {
            let log: CoordLog = serde_json::from_slice(&std::fs::read(&p).ok()?).ok()?;
            (log.schema == COORD_SCHEMA && log.role == role && log.project == project)
                .then_some((p, log))
        })
        .max_by_key(|(_, log)| log.signed_at)
}

pub fn check_role(
    coord_dir: &Path,
    project: &str,
    role: &str,
    now: Timestamp,
    max_age_days: u32,
) -> RoleCheck {
    let Some((path, log)) = newest(coord_dir, role, project) else {
        return RoleCheck {
            role: role.into(),
            log: None,
            signed_by: None,
            age_days: None,
            ok: false,
            problem: Some(format!(
                "no {role} coordination log in {}",
                coord_dir.display()
            )),
        };
    };
    let age = now.duration_since(log.signed_at);
    let limit = SignedDuration::from_hours(24 * i64::from(max_age_days));
    let ok = age <= limit && age >= -SignedDuration::from_mins(5);
    RoleCheck {
        role: role.into(),
        log: Some(path.display().to_string()),
        signed_by: Some(log.signed_by),
        age_days: Some((age.as_secs_f64() / 86_400.0 * 100.0).round() / 100.0),
        ok,
        problem: (!ok).then(|| {
            if age < SignedDuration::ZERO {
                format!("{role} log is signed in the future")
            } else {
                format!("{role} log is older than {max_age_days} days")
            }
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn sign(dir: &Path, role: &str, at: &str) {
        let log = CoordLog {
            schema: COORD_SCHEMA.into(),
            project: "p".into(),
            role: role.into(),
            signed_by: format!("{role}@example.com"),
            signed_at: ts(at),
            criteria: None,
        };
        std::fs::write(
            log_path(dir, role, ts(at)),
            serde_json::to_vec(&log).unwrap(),
        )
        .unwrap();
    }

    #[test]
    fn newest_log_decides_and_age_is_inclusive() {
        let d = tempfile::tempdir().unwrap();
        let now = ts("2026-03-24T12:00:00Z");
        assert!(!check_role(d.path(), "p", "product-owner", now, 7).ok);
        sign(d.path(), "product-owner", "2026-03-10T12:00:00Z");
        let old = check_role(d.path(), "p", "product-owner", now, 7);
        assert!(!old.ok && old.problem.unwrap().contains("older than 7 days"));
        sign(d.path(), "product-owner", "2026-03-17T12:00:00Z"); // exactly 7 days
        assert!(check_role(d.path(), "p", "product-owner", now, 7).ok);
        assert!(!check_role(d.path(), "other-project", "product-owner", now, 7).ok);
        assert!(!check_role(d.path(), "p", "cloud-architect", now, 7).ok);
    }
}
