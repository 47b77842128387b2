//! `report.html`: one self-contained page. Inline CSS only: no script, no
//! style sheet, font or image from any URL, so it opens offline and prints.
//! Every text that came from AWS passes through `escape`.

use std::io::{self, Write};

use crate::gates::PipelineRecord;
use crate::model::{Bucket, Certificate, Report};
use crate::time::format_utc;

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

const STYLE: &str = "body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}\
h1{font-size:1.6em}h2{margin-top:1.6em;border-bottom:1px solid #ccc}\
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}\
th{background:#f3f3f3}.cards{display:flex;gap:.8em;flex-wrap:wrap}\
.card{border:1px solid #ccc;border-radius:6px;padding:.6em 1em;min-width:7em}\
.card b{display:block;font-size:1.8em}.CRITICAL{border-color:#b00020}.HIGH{border-color:#e65100}\
.MEDIUM{border-color:#f9a825}.REMOVE{border-color:#6a1b9a}.OK{border-color:#2e7d32}\
.PASS{color:#2e7d32}.FAIL,.BLOCKED{color:#b00020}@media print{body{margin:0}}";

fn cert_rows(out: &mut dyn Write, certs: &[&Certificate]) -> io::Result<()> {
    writeln!(
        out,
        "<table><tr><th>Domain</th><th>Account</th><th>Region</th><th>Days</th><th>Deployed on</th></tr>"
    )?;
    for c in certs {
        writeln!(
            out,
            "<tr><td>{}</td><td>{} {}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(c.domain_name.as_deref().unwrap_or("")),
            escape(&c.account_id),
            escape(c.account_name.as_deref().unwrap_or("")),
            escape(c.region.as_deref().unwrap_or("global")),
            c.days_to_expiry.map(|d| d.to_string()).unwrap_or_default(),
            escape(&c.in_use_by.join(", ")),
        )?;
    }
    writeln!(out, "</table>")
}

pub fn render(
    report: &Report,
    record: Option<&PipelineRecord>,
    out: &mut dyn Write,
) -> io::Result<()> {
    writeln!(
        out,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
    )?;
    writeln!(
        out,
        "<title>certinv report</title><style>{STYLE}</style></head><body>"
    )?;
    writeln!(out, "<h1>certinv certificate report</h1>")?;
    writeln!(
        out,
        "<p>Now {} · source {} · {} certificates in {} accounts · {} of {} accounts read</p>",
        format_utc(report.now),
        escape(&report.source),
        report.summary.total,
        report.summary.accounts,
        report.scope.accounts_covered,
        report.scope.accounts_expected
    )?;
    writeln!(out, "<div class=\"cards\">")?;
    for b in Bucket::ALL {
        writeln!(
            out,
            "<div class=\"card {b}\"><b>{}</b>{b}</div>",
            report.summary.buckets.get(b)
        )?;
    }
    writeln!(out, "</div>")?;
    if let Some(rec) = record {
        writeln!(
            out,
            "<h2>Gates</h2><table><tr><th>Gate</th><th>Verdict</th><th>Detail</th></tr>"
        )?;
        for g in &rec.gates {
            writeln!(
                out,
                "<tr><td>{}</td><td class=\"{v}\">{v}</td><td>{}</td></tr>",
                escape(&g.gate),
                escape(&g.detail),
                v = g.verdict.as_str()
            )?;
        }
        writeln!(out, "</table>")?;
    }
    let critical: Vec<&Certificate> = report
        .certificates
        .iter()
        .filter(|c| c.bucket == Some(Bucket::Critical))
        .collect();
    writeln!(out, "<h2>CRITICAL escalation ({})</h2>", critical.len())?;
    cert_rows(out, &critical)?;
    if let Some(rec) = record {
        let verified: Vec<_> = rec
            .removal_candidates
            .iter()
            .filter(|r| r.verified)
            .collect();
        writeln!(
            out,
            "<h2>Verified removal candidates ({})</h2>",
            verified.len()
        )?;
        writeln!(
            out,
            "<table><tr><th>Domain</th><th>Account</th><th>Region</th><th>ARN</th></tr>"
        )?;
        for r in verified {
            writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(r.domain_name.as_deref().unwrap_or("")),
                escape(&r.account_id),
                escape(r.region.as_deref().unwrap_or("global")),
                escape(&r.arn)
            )?;
        }
        writeln!(out, "</table>")?;
    }
    writeln!(out, "</body></html>")
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
}
