//! `certinv coord sign`: the dated coordination log gate G0 looks for.

use std::path::Path;

use certinv_core::atomic;
use certinv_core::coord::{COORD_SCHEMA, CoordLog, log_path};
use jiff::Timestamp;

use crate::cli::CoordRole;
use crate::commands::report::Failure;
use crate::plan::{self, BadInput};

pub fn sign(
    project: &str,
    role: CoordRole,
    by: &str,
    criteria: Option<&str>,
    evidence_dir: &Path,
) -> Result<u8, Failure> {
    let project = plan::project_name(project)?;
    if by.trim().is_empty() {
        return Err(BadInput("--by must name who signs".into()).into());
    }
    plan::writable_dir(evidence_dir)?;
    let dir = evidence_dir.join(project).join("coordination-logs");
    std::fs::create_dir_all(&dir)
        .map_err(|e| BadInput(format!("cannot write {}: {e}", dir.display())))?;
    let log = CoordLog {
        schema: COORD_SCHEMA.into(),
        project: project.into(),
        role: role.as_str().into(),
        signed_by: by.trim().into(),
        signed_at: Timestamp::now(),
        criteria: criteria.map(str::to_string),
    };
    let path = log_path(&dir, role.as_str(), log.signed_at);
    let mut bytes = serde_json::to_vec_pretty(&log).map_err(|e| BadInput(e.to_string()))?;
    bytes.push(b'\n');
    atomic::write(&path, &bytes)
        .map_err(|e| BadInput(format!("cannot write {}: {e}", path.display())))?;
    println!("{}", path.display());
    Ok(crate::exit::OK)
}
