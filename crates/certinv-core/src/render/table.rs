use std::io::{self, Write};

use comfy_table::{Cell, CellAlignment, ContentArrangement, Table, presets};

use super::view_title;
use crate::model::{Bucket, Groups, Report};
use crate::report::View;
use crate::time::format_utc;

fn new_table() -> Table {
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic);
    t
}

fn certificate_table(report: &Report) -> Table {
    let mut t = new_table();
    t.set_header([
        "BUCKET", "DAYS", "DOMAIN", "ACCOUNT", "REGION", "TYPE", "KEY", "EXPIRES", "IN USE",
    ]);
    for c in &report.certificates {
        let account = match &c.account_name {
            Some(name) => format!("{} {name}", c.account_id),
            None => c.account_id.to_string(),
        };
        let bucket = c.bucket.map(|b| b.as_str()).unwrap_or("");
        let bucket = if c.excepted.is_some() {
            format!("{bucket} (excepted)")
        } else {
            bucket.to_string()
        };
        t.add_row([
            Cell::new(bucket),
            Cell::new(c.days_to_expiry.map(|d| d.to_string()).unwrap_or_default())
                .set_alignment(CellAlignment::Right),
            Cell::new(c.domain_name.as_deref().unwrap_or("")),
            Cell::new(account),
            Cell::new(c.region.as_deref().unwrap_or("global")),
            Cell::new(c.cert_type.as_deref().unwrap_or("")),
            Cell::new(c.key_algorithm.as_deref().unwrap_or("")),
            Cell::new(c.not_after.map(format_utc).unwrap_or_default()),
            Cell::new(if c.in_use { "yes" } else { "no" }),
        ]);
    }
    t
}

fn bucket_table(report: &Report) -> Table {
    let mut t = new_table();
    t.set_header(["BUCKET", "CERTIFICATES"]);
    for b in Bucket::ALL {
        t.add_row([
            Cell::new(b.as_str()),
            Cell::new(report.summary.buckets.get(b)).set_alignment(CellAlignment::Right),
        ]);
    }
    t.add_row([
        Cell::new("TOTAL"),
        Cell::new(report.summary.total).set_alignment(CellAlignment::Right),
    ]);
    t
}

fn group_table(groups: &Groups) -> Table {
    let mut t = new_table();
    let mut header = vec![groups.by.to_uppercase()];
    header.extend(Bucket::ALL.iter().map(|b| b.as_str().to_string()));
    header.push("TOTAL".into());
    t.set_header(header);
    for g in &groups.groups {
        let mut row = vec![Cell::new(&g.key)];
        row.extend(
            Bucket::ALL
                .iter()
                .map(|b| Cell::new(g.buckets.get(*b)).set_alignment(CellAlignment::Right)),
        );
        row.push(Cell::new(g.total).set_alignment(CellAlignment::Right));
        t.add_row(row);
    }
    t
}

pub fn render(report: &Report, view: View, out: &mut dyn Write) -> io::Result<()> {
    if !report.certificates.is_empty() {
        writeln!(out, "{}", certificate_table(report))?;
    }
    if let View::Triage = view {
        writeln!(out, "{}", bucket_table(report))?;
        if let Some(groups) = &report.groups {
            writeln!(out, "{}", group_table(groups))?;
        }
        let risky: Vec<_> = report
            .certificates
            .iter()
            .filter(|c| c.renewal_risk)
            .collect();
        if !risky.is_empty() {
            writeln!(
                out,
                "renewal risk: {} in use, expiring within 60 days, and not renewing by themselves:",
                risky.len()
            )?;
            for c in risky {
                writeln!(
                    out,
                    "  {} ({} {}) {} days, {}",
                    c.domain_name.as_deref().unwrap_or(""),
                    c.account_id,
                    c.region.as_deref().unwrap_or("global"),
                    c.days_to_expiry.map(|d| d.to_string()).unwrap_or_default(),
                    c.cert_type.as_deref().unwrap_or("")
                )?;
            }
        }
    }
    for m in &report.scope.missing {
        writeln!(
            out,
            "not read: account {} region {}: {:?}: {}",
            m.account_id,
            m.region.as_deref().unwrap_or("(all)"),
            m.reason,
            m.detail
        )?;
    }
    writeln!(
        out,
        "{}: {} certificates in {} accounts ({} of {} accounts read) · source {} · now {}",
        view_title(view),
        report.summary.total,
        report.summary.accounts,
        report.scope.accounts_covered,
        report.scope.accounts_expected,
        report.source,
        format_utc(report.now)
    )
}
