//! `certinv diff RUN_A RUN_B`: exit 1 when the runs differ, 0 when they do not.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use certinv_core::diff::{Change, diff};
use certinv_core::snapshot;

use crate::cli::OutputFormat;
use crate::commands::report::Failure;
use crate::exit;
use crate::plan::BadInput;

/// A run directory holds `inventory.json`; a file is taken as the report itself.
fn inventory_of(path: &Path) -> PathBuf {
    if path.is_dir() {
        path.join("inventory.json")
    } else {
        path.to_path_buf()
    }
}

fn load(path: &Path) -> Result<Vec<certinv_core::model::Certificate>, Failure> {
    let file = inventory_of(path);
    let f = std::fs::File::open(&file)
        .map_err(|e| BadInput(format!("cannot read run {}: {e}", file.display())))?;
    Ok(snapshot::read_file(f)
        .map_err(|e| BadInput(format!("{e} ({})", file.display())))?
        .certificates)
}

fn line(kind: &str, c: &Change) -> String {
    let b = |x: Option<certinv_core::model::Bucket>| x.map(|b| b.as_str()).unwrap_or("-");
    format!(
        "{kind:<8} {:<10} {:<10} {} {} {} {}",
        b(c.before),
        b(c.after),
        c.account_id,
        c.region.as_deref().unwrap_or("global"),
        c.domain_name.as_deref().unwrap_or(""),
        c.arn
    )
}

pub fn run(a: &Path, b: &Path, output: Option<OutputFormat>) -> Result<u8, Failure> {
    let d = diff(&load(a)?, &load(b)?);
    let json = match output {
        Some(OutputFormat::Json) => true,
        Some(OutputFormat::Table) | None if std::io::stdout().is_terminal() => false,
        Some(OutputFormat::Table) => false,
        None => true,
        Some(other) => {
            return Err(BadInput(format!("diff prints table or json, not {other:?}")).into());
        }
    };
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&d).map_err(|e| BadInput(e.to_string()))?
        );
    } else {
        println!(
            "{:<8} {:<10} {:<10} ACCOUNT REGION DOMAIN ARN",
            "CHANGE", "BEFORE", "AFTER"
        );
        for c in &d.new {
            println!("{}", line("new", c));
        }
        for c in &d.gone {
            println!("{}", line("gone", c));
        }
        for c in &d.changed {
            println!("{}", line("changed", c));
        }
        println!(
            "{} new, {} gone, {} changed bucket",
            d.new.len(),
            d.gone.len(),
            d.changed.len()
        );
    }
    Ok(if d.is_empty() {
        exit::OK
    } else {
        exit::FINDINGS
    })
}
