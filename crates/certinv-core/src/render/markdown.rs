use std::io::{self, Write};

use super::view_title;
use crate::model::{Bucket, Report};
use crate::report::View;
use crate::time::format_utc;

/// Pipes and newlines would break a table row, and angle brackets would be
/// read as HTML by most Markdown viewers; everything else is literal.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace(['\n', '\r'], " ")
}

pub fn render(report: &Report, view: View, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "# certinv {}", view_title(view))?;
    writeln!(out)?;
    writeln!(out, "- Now: {}", format_utc(report.now))?;
    writeln!(out, "- Generated: {}", format_utc(report.generated_at))?;
    writeln!(out, "- Source: {}", report.source)?;
    writeln!(
        out,
        "- Accounts: {} of {} covered; regions: {}",
        report.scope.accounts_covered,
        report.scope.accounts_expected,
        report.scope.regions.join(", ")
    )?;
    writeln!(
        out,
        "- Certificates: {} in {} accounts",
        report.summary.total, report.summary.accounts
    )?;
    writeln!(out)?;
    writeln!(out, "| Bucket | Certificates |")?;
    writeln!(out, "|---|---:|")?;
    for b in Bucket::ALL {
        writeln!(out, "| {b} | {} |", report.summary.buckets.get(b))?;
    }
    if !report.scope.missing.is_empty() {
        writeln!(out)?;
        writeln!(out, "## Not read")?;
        writeln!(out)?;
        writeln!(out, "| Account | Region | Reason | Detail |")?;
        writeln!(out, "|---|---|---|---|")?;
        for m in &report.scope.missing {
            writeln!(
                out,
                "| {} | {} | {:?} | {} |",
                m.account_id,
                m.region.as_deref().unwrap_or("(all)"),
                m.reason,
                cell(&m.detail)
            )?;
        }
    }
    if let Some(groups) = &report.groups {
        writeln!(out)?;
        writeln!(out, "## By {}", groups.by)?;
        writeln!(out)?;
        write!(out, "| {} |", cell(&groups.by))?;
        for b in Bucket::ALL {
            write!(out, " {b} |")?;
        }
        writeln!(out, " Total |")?;
        writeln!(out, "|---|{}---:|", "---:|".repeat(Bucket::ALL.len()))?;
        for g in &groups.groups {
            write!(out, "| {} |", cell(&g.key))?;
            for b in Bucket::ALL {
                write!(out, " {} |", g.buckets.get(b))?;
            }
            writeln!(out, " {} |", g.total)?;
        }
    }
    let risky: Vec<_> = report
        .certificates
        .iter()
        .filter(|c| c.renewal_risk)
        .collect();
    if !risky.is_empty() {
        writeln!(out)?;
        writeln!(out, "## Renewal risk ({})", risky.len())?;
        writeln!(out)?;
        writeln!(
            out,
            "In use, expiring within 60 days, and not renewing by themselves."
        )?;
        writeln!(out)?;
        writeln!(out, "| Domain | Account | Region | Type | Days | Renewal |")?;
        writeln!(out, "|---|---|---|---|---:|---|")?;
        for c in risky {
            writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                cell(c.domain_name.as_deref().unwrap_or("")),
                c.account_id,
                c.region.as_deref().unwrap_or("global"),
                c.cert_type.as_deref().unwrap_or(""),
                c.days_to_expiry.map(|d| d.to_string()).unwrap_or_default(),
                cell(
                    c.renewal_status
                        .as_deref()
                        .or(c.renewal_eligibility.as_deref())
                        .unwrap_or("")
                )
            )?;
        }
    }
    for b in Bucket::ALL {
        let certs: Vec<_> = report
            .certificates
            .iter()
            .filter(|c| c.bucket == Some(b))
            .collect();
        if certs.is_empty() {
            continue;
        }
        writeln!(out)?;
        writeln!(out, "## {b} ({})", certs.len())?;
        writeln!(out)?;
        writeln!(
            out,
            "| Domain | Account | Region | Type | Expires | Days | In use by | Accepted risk |"
        )?;
        writeln!(out, "|---|---|---|---|---|---:|---|---|")?;
        for c in certs {
            writeln!(
                out,
                "| {} | {} {} | {} | {} | {} | {} | {} | {} |",
                cell(c.domain_name.as_deref().unwrap_or("")),
                c.account_id,
                cell(c.account_name.as_deref().unwrap_or("")),
                c.region.as_deref().unwrap_or("global"),
                c.cert_type.as_deref().unwrap_or(""),
                c.not_after.map(format_utc).unwrap_or_default(),
                c.days_to_expiry.map(|d| d.to_string()).unwrap_or_default(),
                cell(&c.in_use_by.join(", ")),
                cell(
                    &c.excepted
                        .as_ref()
                        .map(|e| format!("{} ({}, until {})", e.reason, e.approver, e.expires))
                        .unwrap_or_default()
                ),
            )?;
        }
    }
    Ok(())
}
