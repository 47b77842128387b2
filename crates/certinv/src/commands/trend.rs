//! `certinv trend tmp/PROJECT/certs`: bucket counts across every sealed run.

use std::io::IsTerminal;
use std::path::Path;

use certinv_core::model::{Bucket, BucketCounts};
use serde::Serialize;

use crate::cli::OutputFormat;
use crate::commands::report::Failure;
use crate::commands::runs;
use crate::exit;
use crate::plan::BadInput;

#[derive(Serialize)]
struct Point {
    run_id: String,
    total: usize,
    buckets: BucketCounts,
}

const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

fn sparkline(values: &[usize]) -> String {
    let max = values.iter().copied().max().unwrap_or(0).max(1);
    values
        .iter()
        .map(|v| BARS[(v * (BARS.len() - 1)) / max])
        .collect()
}

pub fn run(certs_dir: &Path, output: Option<OutputFormat>) -> Result<u8, Failure> {
    let runs = runs::sealed_ids(certs_dir)
        .map_err(|e| BadInput(format!("cannot read {}: {e}", certs_dir.display())))?;
    let mut points = Vec::new();
    for run_id in runs {
        let s = runs::summary(certs_dir, &run_id).map_err(BadInput)?;
        points.push(Point {
            run_id,
            total: s.total,
            buckets: s.buckets,
        });
    }
    if points.is_empty() {
        return Err(BadInput(format!("no runs in {}", certs_dir.display())).into());
    }
    let json = match output {
        Some(OutputFormat::Json) => true,
        Some(OutputFormat::Table) => false,
        None => !std::io::stdout().is_terminal(),
        Some(other) => {
            return Err(BadInput(format!("trend prints table or json, not {other:?}")).into());
        }
    };
    if json {
        let text = serde_json::to_string_pretty(&points).map_err(|e| BadInput(e.to_string()))?;
        println!("{text}");
        return Ok(exit::OK);
    }
    print!("{:<24}", "RUN");
    for b in Bucket::ALL {
        print!(" {:>10}", b.as_str());
    }
    println!(" {:>7}", "TOTAL");
    for p in &points {
        print!("{:<24}", p.run_id);
        for b in Bucket::ALL {
            print!(" {:>10}", p.buckets.get(b));
        }
        println!(" {:>7}", p.total);
    }
    for b in [Bucket::Critical, Bucket::High, Bucket::Remove] {
        let series: Vec<usize> = points.iter().map(|p| p.buckets.get(b)).collect();
        println!("{:<10} {}", b.as_str(), sparkline(&series));
    }
    Ok(exit::OK)
}
