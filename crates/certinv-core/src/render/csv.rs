use std::io::{self, Write};

use super::CSV_COLUMNS;
use crate::model::{Certificate, Report};
use crate::time::format_utc;

fn opt<S: AsRef<str>>(v: &Option<S>) -> &str {
    v.as_ref().map_or("", AsRef::as_ref)
}

fn row(c: &Certificate) -> [String; CSV_COLUMNS.len()] {
    let tags: Vec<String> = c.tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
    [
        c.arn.clone(),
        c.account_id.to_string(),
        opt(&c.account_name).to_string(),
        opt(&c.region).to_string(),
        opt(&c.domain_name).to_string(),
        c.subject_alternative_names.join(";"),
        opt(&c.cert_type).to_string(),
        opt(&c.status).to_string(),
        opt(&c.key_algorithm).to_string(),
        c.not_before.map(format_utc).unwrap_or_default(),
        c.not_after.map(format_utc).unwrap_or_default(),
        c.days_to_expiry.map(|d| d.to_string()).unwrap_or_default(),
        c.in_use.to_string(),
        c.in_use_by.join(";"),
        opt(&c.renewal_eligibility).to_string(),
        opt(&c.renewal_status).to_string(),
        c.bucket.map(|b| b.as_str()).unwrap_or("").to_string(),
        c.source.to_string(),
        c.renewal_risk.to_string(),
        tags.join(";"),
    ]
}

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(CSV_COLUMNS)?;
    for c in &report.certificates {
        w.write_record(row(c))?;
    }
    w.flush()
}
