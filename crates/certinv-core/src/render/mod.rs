//! Renderers: each writes a whole `Report` to any `Write`, so the same code
//! feeds stdout, `--out FILE` and the evidence pack.

mod asff;
mod csv;
pub mod html;
mod json;
mod markdown;
mod ocsf;
mod prometheus;
mod slices;
mod table;

use std::io::{self, Write};

use crate::model::Report;
use crate::report::View;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
    Csv,
    Markdown,
    Html,
    Asff,
    Ocsf,
    Prometheus,
}

impl Format {
    pub fn parse(name: &str) -> Option<Format> {
        Some(match name {
            "table" => Format::Table,
            "json" => Format::Json,
            "csv" => Format::Csv,
            "markdown" | "md" => Format::Markdown,
            "html" => Format::Html,
            "asff" => Format::Asff,
            "ocsf" => Format::Ocsf,
            "prometheus" => Format::Prometheus,
            _ => return None,
        })
    }
}

pub fn render(report: &Report, view: View, format: Format, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Json => json::render(report, out),
        Format::Csv => csv::render(report, out),
        Format::Markdown => markdown::render(report, view, out),
        Format::Table => table::render(report, view, out),
        Format::Html => html::render(report, None, out),
        Format::Asff => asff::render(report, out),
        Format::Ocsf => ocsf::render(report, out),
        Format::Prometheus => prometheus::render(report, out),
    }
}

/// The contract's column order for CSV (SPEC §4), then the extra fields of §9.
pub const CSV_COLUMNS: [&str; 20] = [
    "arn",
    "account_id",
    "account_name",
    "region",
    "domain_name",
    "subject_alternative_names",
    "type",
    "status",
    "key_algorithm",
    "not_before",
    "not_after",
    "days_to_expiry",
    "in_use",
    "in_use_by",
    "renewal_eligibility",
    "renewal_status",
    "bucket",
    "source",
    "renewal_risk",
    "tags",
];

fn view_title(view: View) -> String {
    match view {
        View::Inventory => "inventory".into(),
        View::Triage => "triage".into(),
        View::Expiring { days } => format!("certificates expiring within {days} days"),
    }
}
