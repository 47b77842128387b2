//! `report.html`: one self-contained page. Inline CSS and inline SVG only: no
//! script, no style sheet, font, image or link to any URL, so it opens
//! offline, passes a strict CSP and prints. Every text that came from AWS (or
//! from a user: project, run IDs, reasons) passes through `escape`.
//!
//! The same page serves `triage --output html` (a report alone) and the
//! evidence pack, where the pipeline adds its record and the bucket counts of
//! the project's earlier runs for the change and trend sections.

mod audit;
mod style;
mod tables;
mod timeline;
mod trend;

use std::io::{self, Write};

use crate::gates::PipelineRecord;
use crate::model::{Bucket, BucketCounts, Report};
use crate::time::format_utc;

/// What only a pipeline run knows. `previous` holds the project's earlier
/// sealed runs as `(run_id, counts)`, oldest first; the last one is what the
/// cards compare against.
#[derive(Debug, Clone, Copy)]
pub struct PipelineRun<'a> {
    pub record: &'a PipelineRecord,
    pub previous: &'a [(String, BucketCounts)],
}

pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn describe(bucket: Bucket) -> &'static str {
    match bucket {
        Bucket::Critical => "expired, still in use",
        Bucket::High => "expiring soon",
        Bucket::Medium => "expiring in the coming months",
        Bucket::Remove => "expired, not in use",
        Bucket::NotIssued => "pending or failed",
        Bucket::Ok => "no action needed",
    }
}

pub fn render(
    report: &Report,
    pipeline: Option<&PipelineRun<'_>>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let record = pipeline.map(|p| p.record);
    let previous = pipeline.map(|p| p.previous).unwrap_or(&[]);
    let title = match record {
        Some(r) => format!(
            "certinv report: {} {}",
            escape(&r.project),
            escape(&r.run_id)
        ),
        None => "certinv report".to_string(),
    };
    writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n\
         <title>{title}</title>\n<style>{}</style></head>\n<body>",
        style::CSS
    )?;
    header(out, report, record)?;
    nav(out, record.is_some(), !previous.is_empty())?;
    writeln!(out, "<main>")?;
    scope_gaps(out, report)?;
    cards(out, report, previous.last())?;
    timeline::section(out, report)?;
    if !previous.is_empty() {
        let current = record.map(|r| r.run_id.as_str()).unwrap_or("this report");
        trend::section(out, previous, (current, &report.summary.buckets))?;
    }
    tables::critical(out, report)?;
    tables::renewal_risk(out, report)?;
    tables::accounts(out, report)?;
    tables::removals(out, report, record)?;
    if let Some(record) = record {
        audit::section(out, report, record)?;
    }
    writeln!(
        out,
        "</main>\n<footer>certinv · {} certificates · evaluated at {} · generated {}</footer>\n</body></html>",
        report.summary.total,
        format_utc(report.now),
        format_utc(report.generated_at)
    )
}

fn header(out: &mut dyn Write, report: &Report, record: Option<&PipelineRecord>) -> io::Result<()> {
    writeln!(out, "<header><div class=\"wrap\">")?;
    match record {
        Some(r) => writeln!(
            out,
            "<p class=\"kicker\">certinv · project {} · run {}</p>",
            escape(&r.project),
            escape(&r.run_id)
        )?,
        None => writeln!(out, "<p class=\"kicker\">certinv</p>")?,
    }
    writeln!(out, "<h1>TLS certificate report</h1>")?;
    let scope = &report.scope;
    let facts = [
        ("Evaluated at", format_utc(report.now)),
        ("Source", escape(&report.source)),
        ("Certificates", report.summary.total.to_string()),
        (
            "Accounts read",
            format!("{} of {}", scope.accounts_covered, scope.accounts_expected),
        ),
        ("Regions", scope.regions.len().to_string()),
    ];
    writeln!(out, "<dl class=\"facts\">")?;
    for (name, value) in facts {
        writeln!(out, "<div><dt>{name}</dt><dd>{value}</dd></div>")?;
    }
    writeln!(out, "</dl>")?;
    if let Some(r) = record {
        writeln!(out, "<div class=\"gatestrip\">")?;
        for g in &r.gates {
            let v = g.verdict.as_str();
            writeln!(
                out,
                "<span class=\"badge v-{v}\">{} {v}</span>",
                escape(&g.gate)
            )?;
        }
        writeln!(out, "</div>")?;
    }
    writeln!(out, "</div></header>")
}

fn nav(out: &mut dyn Write, pipeline: bool, history: bool) -> io::Result<()> {
    let mut links = vec![("timeline", "Expiry timeline")];
    if history {
        links.push(("trend", "Trend"));
    }
    links.extend([
        ("critical", "CRITICAL"),
        ("renewal", "Renewal risk"),
        ("accounts", "Accounts"),
        ("removal", "Removal"),
    ]);
    if pipeline {
        links.push(("gates", "Gates"));
    }
    write!(out, "<nav><div class=\"wrap\">")?;
    for (anchor, label) in links {
        write!(out, "<a href=\"#{anchor}\">{label}</a>")?;
    }
    writeln!(out, "</div></nav>")
}

/// Partial coverage changes what every number below means, so it comes first.
fn scope_gaps(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    let missing = &report.scope.missing;
    if missing.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "<section class=\"alert\"><h2>Not read: {} account or region gap{}</h2>\
         <p>Counts below leave these out.</p><ul>",
        missing.len(),
        if missing.len() == 1 { "" } else { "s" }
    )?;
    for m in missing {
        writeln!(
            out,
            "<li><b>{}</b> {} · {:?}: {}</li>",
            escape(&m.account_id),
            escape(m.region.as_deref().unwrap_or("all regions")),
            m.reason,
            escape(&m.detail)
        )?;
    }
    writeln!(out, "</ul></section>")
}

/// Which way is better differs: more OK is good, more of anything else is not.
fn delta(bucket: Bucket, now: usize, before: usize, run_id: &str) -> String {
    let change = now as i64 - before as i64;
    let since = format!("<small>since {}</small>", escape(run_id));
    if change == 0 {
        return format!("<span class=\"delta same\">no change {since}</span>");
    }
    let worse = (change > 0) != (bucket == Bucket::Ok);
    let arrow = if change > 0 { "▲" } else { "▼" };
    let class = if worse { "worse" } else { "better" };
    format!(
        "<span class=\"delta {class}\">{arrow} {} {since}</span>",
        change.unsigned_abs()
    )
}

fn cards(
    out: &mut dyn Write,
    report: &Report,
    previous: Option<&(String, BucketCounts)>,
) -> io::Result<()> {
    writeln!(
        out,
        "<section class=\"plain\" id=\"buckets\"><h2>Buckets</h2>"
    )?;
    if let Some((run_id, _)) = previous {
        writeln!(
            out,
            "<p class=\"note\">Change against the previous sealed run, {}.</p>",
            escape(run_id)
        )?;
    }
    writeln!(out, "<div class=\"cards\">")?;
    let counts = &report.summary.buckets;
    for b in Bucket::ALL {
        let n = counts.get(b);
        let change = previous
            .map(|(run_id, before)| delta(b, n, before.get(b), run_id))
            .unwrap_or_default();
        writeln!(
            out,
            "<div class=\"card c-{b}\" id=\"card-{b}\"><span class=\"label\">{b}</span>\
             <b class=\"n\">{n}</b><span class=\"what\">{}</span>{change}</div>",
            describe(b)
        )?;
    }
    writeln!(out, "</div></section>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape("<script>\"a\"&'b'"),
            "&lt;script&gt;&quot;a&quot;&amp;&#39;b&#39;"
        );
    }

    #[test]
    fn a_change_is_worse_unless_ok_grows() {
        assert!(delta(Bucket::Critical, 3, 1, "r").contains("worse"));
        assert!(delta(Bucket::Ok, 3, 1, "r").contains("better"));
        assert!(delta(Bucket::Ok, 1, 3, "r").contains("worse"));
        assert!(delta(Bucket::High, 2, 2, "r").contains("no change"));
    }
}
