//! Writing the evidence pack (phase 7, gate G3): every file atomically, then
//! the manifest, then a re-verification of what landed on disk. `latest`
//! moves only to a pack that verified.

use std::path::{Path, PathBuf};
use std::time::Instant;

use certinv_core::crossval::CrossValidation;
use certinv_core::evidence::{self, PackWriter};
use certinv_core::gates::{Gate, Phase, PipelineRecord, Verdict};
use certinv_core::model::{BucketCounts, Report};
use certinv_core::render::{self, Format, html};
use certinv_core::report::View;
use certinv_core::signing::SecretKey;
use jiff::Timestamp;

use crate::commands::verify::PACK_FILES;

pub struct Sealed {
    pub dir: PathBuf,
    pub run_id: String,
    pub manifest_digest: String,
}

fn json_bytes(value: &impl serde::Serialize) -> std::io::Result<Vec<u8>> {
    let mut v = serde_json::to_vec_pretty(value).map_err(std::io::Error::other)?;
    v.push(b'\n');
    Ok(v)
}

fn rendered(report: &Report, view: View, format: Format) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    render::render(report, view, format, &mut out)?;
    Ok(out)
}

pub fn write(
    certs_dir: &Path,
    report: &Report,
    cv: &CrossValidation,
    record: &mut PipelineRecord,
    started: Instant,
    key: Option<&SecretKey>,
    previous: &[(String, BucketCounts)],
) -> std::io::Result<Sealed> {
    let mut pack = PackWriter::create(certs_dir, Timestamp::now())?;
    record.run_id = pack.run_id().to_string();
    let result = fill(&mut pack, report, cv, record, started, previous);
    if let Err(e) = result {
        pack.abandon();
        return Err(e);
    }
    let run_id = pack.run_id().to_string();
    let (dir, _) = pack.seal(key)?;
    // G3 proper: re-read what is on disk, not what we meant to write.
    let public = key.map(|k| k.public());
    let verified =
        evidence::verify(&dir, &PACK_FILES, public.as_ref()).map_err(std::io::Error::other)?;
    evidence::point_latest(certs_dir, &run_id)?;
    Ok(Sealed {
        dir,
        run_id,
        manifest_digest: verified.manifest_digest,
    })
}

fn fill(
    pack: &mut PackWriter,
    report: &Report,
    cv: &CrossValidation,
    record: &mut PipelineRecord,
    started: Instant,
    previous: &[(String, BucketCounts)],
) -> std::io::Result<()> {
    // inventory.json is L1 as the chosen path returned it (usage merged),
    // in inventory order; never backfilled from L3.
    let mut inventory = report.clone();
    certinv_core::order::sort(&mut inventory.certificates, View::Inventory);
    pack.write("inventory.json", &json_bytes(&inventory)?)?;
    pack.write(
        "inventory.csv",
        &rendered(&inventory, View::Inventory, Format::Csv)?,
    )?;
    pack.write(
        "triage.md",
        &rendered(report, View::Triage, Format::Markdown)?,
    )?;
    pack.write("cross-validation.json", &json_bytes(cv)?)?;

    let listed: Vec<&str> = PACK_FILES.to_vec();
    record.gates.push(Gate {
        gate: "G3".into(),
        verdict: Verdict::Pass,
        detail: format!(
            "{} evidence files written and hashed into manifest.json",
            listed.len()
        ),
        data: serde_json::json!({"files": listed}),
    });
    let mut html_bytes = Vec::new();
    let run = html::PipelineRun { record, previous };
    html::render(report, Some(&run), &mut html_bytes)?;
    pack.write("report.html", &html_bytes)?;
    pack.write("gates.json", &json_bytes(record)?)?;
    record.phases.push(Phase {
        phase: "7".into(),
        name: "EVIDENCE/QA".into(),
        millis: started.elapsed().as_millis() as u64,
        verdict: "PASS".into(),
        detail: format!("pack {}", pack.run_id()),
    });
    pack.write("phases.json", &json_bytes(&record.phases)?)?;
    Ok(())
}
