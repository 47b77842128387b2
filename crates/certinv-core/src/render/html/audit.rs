//! The pipeline's own record: gates, cross-validation, phases and the G1
//! decisions, so an auditor can read why the numbers above can be trusted
//! without opening `gates.json`.

use std::io::{self, Write};

use super::escape;
use crate::gates::{Gate, PipelineRecord};
use crate::model::Report;

pub fn section(out: &mut dyn Write, report: &Report, record: &PipelineRecord) -> io::Result<()> {
    writeln!(
        out,
        "<section id=\"gates\"><h2>Gates and evidence</h2><div class=\"cols\">"
    )?;
    gates(out, record)?;
    cross_validation(out, record)?;
    writeln!(out, "</div><div class=\"cols\">")?;
    phases(out, record)?;
    decisions(out, report)?;
    writeln!(out, "</div></section>")
}

fn verdict(g: &Gate) -> String {
    let v = g.verdict.as_str();
    format!("<span class=\"badge v-{v}\">{v}</span>")
}

fn gates(out: &mut dyn Write, record: &PipelineRecord) -> io::Result<()> {
    writeln!(
        out,
        "<div><h3>Gates</h3><table><thead><tr><th>Gate</th><th>Verdict</th><th>Detail</th>\
         </tr></thead><tbody>"
    )?;
    for g in &record.gates {
        writeln!(
            out,
            "<tr><td class=\"strong\">{}</td><td>{}</td><td>{}</td></tr>",
            escape(&g.gate),
            verdict(g),
            escape(&g.detail)
        )?;
    }
    writeln!(out, "</tbody></table></div>")
}

fn cross_validation(out: &mut dyn Write, record: &PipelineRecord) -> io::Result<()> {
    writeln!(out, "<div><h3>Cross-validation (G2)</h3>")?;
    let Some(g2) = record.gate("G2") else {
        return writeln!(
            out,
            "<p class=\"empty\">No cross-validation in this run.</p></div>"
        );
    };
    let variance = g2.data.get("variance_percent").and_then(|v| v.as_f64());
    let max = g2.data.get("max_variance_percent").and_then(|v| v.as_f64());
    write!(out, "<p class=\"variance\">{} ", verdict(g2))?;
    match variance {
        Some(v) => write!(out, "<b>{v:.2}%</b> variance")?,
        None => write!(out, "variance not recorded")?,
    }
    if let Some(m) = max {
        write!(out, " <span class=\"muted\">(fails at {m}%)</span>")?;
    }
    writeln!(out, "</p>")?;
    if let (Some(v), Some(m)) = (variance, max.filter(|m| *m > 0.0)) {
        let pct = (v / m * 100.0).clamp(0.0, 100.0);
        let class = if g2.verdict.fails() { "over" } else { "under" };
        writeln!(
            out,
            "<div class=\"meter\"><i class=\"{class}\" style=\"width:{pct:.1}%\"></i></div>"
        )?;
    }
    // A compared run's detail is "variance …: L1 n vs L3 m", then one
    // "; "-separated clause per account with differences and its likely cause.
    let compared = variance.is_some() && max.is_some();
    let mut clauses = g2.detail.split("; ");
    let head = clauses.next().unwrap_or_default();
    let head = match head.split_once(": ") {
        Some((_, counts)) if compared => counts,
        _ if compared => head,
        _ => g2.detail.as_str(),
    };
    writeln!(out, "<p>{}</p>", escape(head))?;
    let rest: Vec<&str> = clauses.collect();
    if compared && !rest.is_empty() {
        writeln!(out, "<ul class=\"causes\">")?;
        for clause in rest {
            writeln!(out, "<li>{}</li>", escape(clause))?;
        }
        writeln!(out, "</ul>")?;
    }
    writeln!(
        out,
        "<p class=\"muted\">Usage scan: {} disagreement{} with ACM's InUseBy.</p></div>",
        record.usage_disagreements.len(),
        if record.usage_disagreements.len() == 1 {
            ""
        } else {
            "s"
        }
    )
}

fn phases(out: &mut dyn Write, record: &PipelineRecord) -> io::Result<()> {
    writeln!(
        out,
        "<div><h3>Phases</h3><p class=\"note\">Phase 7 (evidence) is timed after this page \
         is written; <code>phases.json</code> has it.</p><table><thead><tr><th>Phase</th><th>Name</th>\
         <th class=\"num\">Seconds</th><th>Verdict</th><th>Detail</th></tr></thead><tbody>"
    )?;
    for p in &record.phases {
        writeln!(
            out,
            "<tr><td>{}</td><td class=\"nowrap\">{}</td><td class=\"num\">{:.3}</td>\
             <td>{}</td><td>{}</td></tr>",
            escape(&p.phase),
            escape(&p.name),
            p.millis as f64 / 1000.0,
            escape(&p.verdict),
            escape(&p.detail)
        )?;
    }
    writeln!(out, "</tbody></table></div>")
}

fn decisions(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    writeln!(out, "<div><h3>Discovery decisions (G1)</h3>")?;
    if report.decisions.is_empty() {
        return writeln!(out, "<p class=\"empty\">None recorded.</p></div>");
    }
    writeln!(out, "<ol class=\"decisions\">")?;
    for d in &report.decisions {
        writeln!(out, "<li>{}</li>", escape(&d.to_string()))?;
    }
    writeln!(out, "</ol></div>")
}
