//! The sealed runs of a project (`tmp/PROJECT/certs/RUN_ID`), read by
//! `trend` and by the pipeline's report for its change-since-last-run.

use std::path::Path;

use certinv_core::model::BucketCounts;
use serde::Deserialize;

#[derive(Deserialize)]
struct SummaryOnly {
    summary: Summary,
}

#[derive(Deserialize)]
pub struct Summary {
    pub total: usize,
    pub buckets: BucketCounts,
}

/// Run IDs, oldest first. `latest` links to a run already listed and a
/// `.partial` directory never sealed, so both are skipped.
pub fn sealed_ids(certs_dir: &Path) -> std::io::Result<Vec<String>> {
    let mut runs: Vec<String> = std::fs::read_dir(certs_dir)?
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n != "latest" && !n.starts_with('.') && !n.ends_with(".partial"))
        .collect();
    runs.sort();
    Ok(runs)
}

/// One run's summary; `Err` names the file that could not be read.
pub fn summary(certs_dir: &Path, run_id: &str) -> Result<Summary, String> {
    let path = certs_dir.join(run_id).join("inventory.json");
    let bytes = std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_slice::<SummaryOnly>(&bytes)
        .map(|s| s.summary)
        .map_err(|e| format!("{} is not a certinv report: {e}", path.display()))
}

/// Earlier runs' bucket counts for the report. A run that cannot be read is
/// left out rather than failing a run that already passed its gates.
pub fn previous(certs_dir: &Path) -> Vec<(String, BucketCounts)> {
    sealed_ids(certs_dir)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|id| summary(certs_dir, &id).ok().map(|s| (id, s.buckets)))
        .collect()
}
