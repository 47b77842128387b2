//! `certinv verify RUN_DIR`: 0 intact, 5 a file missing or changed, 2 not a pack.

use std::path::Path;

use certinv_core::evidence::{VerifyError, verify};

use crate::commands::report::Failure;
use crate::exit;

/// The files every pack must hold besides the manifest (SPEC §6).
pub const PACK_FILES: [&str; 7] = [
    "inventory.json",
    "inventory.csv",
    "triage.md",
    "report.html",
    "cross-validation.json",
    "gates.json",
    "phases.json",
];

pub fn run(dir: &Path, pubkey: Option<&Path>) -> Result<u8, Failure> {
    let key = pubkey.map(crate::commands::keys::read_public).transpose()?;
    match verify(dir, &PACK_FILES, key.as_ref()) {
        Ok(v) => {
            let signed = if key.is_some() {
                ", signature valid"
            } else {
                ""
            };
            println!(
                "intact: {} ({} files, manifest sha256 {}{signed})",
                v.run_id, v.files, v.manifest_digest
            );
            Ok(exit::OK)
        }
        Err(e @ VerifyError::NotAPack(..)) => Err(Failure {
            code: exit::BAD_INPUT,
            message: e.to_string(),
        }),
        Err(e) => Err(Failure {
            code: exit::GATE_FAILED,
            message: e.to_string(),
        }),
    }
}
