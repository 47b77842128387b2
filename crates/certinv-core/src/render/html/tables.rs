//! The certificate and account tables: what someone has to act on, worst first.

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::escape;
use crate::gates::PipelineRecord;
use crate::model::{Bucket, BucketCounts, Certificate, Report};
use crate::time::days_between;

fn or_dash(text: Option<&str>) -> String {
    text.map(escape).unwrap_or_else(|| "—".to_string())
}

/// Long names wrap at their separators rather than mid-label.
fn breakable(text: &str, separator: char) -> String {
    escape(text).replace(separator, &format!("{separator}<wbr>"))
}

fn domain_cell(domain: Option<&str>) -> String {
    match domain {
        Some(d) => format!("<td class=\"domain\">{}</td>", breakable(d, '.')),
        None => "<td class=\"domain\">—</td>".to_string(),
    }
}

fn account_cell(id: &str, name: Option<&str>) -> String {
    match name {
        Some(n) => format!("{}<small>{}</small>", escape(n), escape(id)),
        None => escape(id),
    }
}

/// A deployment ARN shortened to service and resource: the row already names
/// the account and region, and the full ARN stays in the tooltip and in
/// `inventory.json`.
fn deployment(arn: &str) -> String {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    match parts.as_slice() {
        ["arn", _, service, _, _, resource] if !resource.is_empty() => format!(
            "<span class=\"dep\" title=\"{}\"><span class=\"svc\">{}</span>{}</span>",
            escape(arn),
            match *service {
                "elasticloadbalancing" => "ELB".to_string(),
                "apigateway" => "API Gateway".to_string(),
                other => escape(other),
            },
            breakable(resource, '/')
        ),
        _ => format!("<span class=\"dep\">{}</span>", escape(arn)),
    }
}

fn deployments(cert: &Certificate) -> String {
    if cert.in_use_by.is_empty() {
        return "<span class=\"muted\">none recorded</span>".to_string();
    }
    cert.in_use_by
        .iter()
        .map(|a| deployment(a))
        .collect::<Vec<_>>()
        .join("")
}

fn empty(out: &mut dyn Write, text: &str) -> io::Result<()> {
    writeln!(out, "<p class=\"empty\">{text}</p></section>")
}

pub fn critical(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    let mut rows: Vec<(Option<i64>, &Certificate)> = report
        .certificates
        .iter()
        .filter(|c| c.bucket == Some(Bucket::Critical))
        .map(|c| (c.not_after.map(|t| days_between(t, report.now)), c))
        .collect();
    // Longest expired first; revoked ones still inside their validity last.
    rows.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.arn.cmp(&b.1.arn)));
    writeln!(
        out,
        "<section id=\"critical\" class=\"escalate\"><h2>CRITICAL escalation \
         <span class=\"count c-CRITICAL\">{}</span></h2>\
         <p class=\"note\">Expired or revoked, and still deployed: clients see a \
         certificate error now. Replace these first.</p>",
        rows.len()
    )?;
    if rows.is_empty() {
        return empty(out, "No certificate is expired and in use.");
    }
    writeln!(
        out,
        "<table><thead><tr><th>Domain</th><th>Account</th><th>Region</th>\
         <th>Deployed on</th><th class=\"num\">Days since expiry</th></tr></thead><tbody>"
    )?;
    for (since, c) in rows {
        let since = match since {
            Some(d) if d >= 0 => d.to_string(),
            Some(_) => "revoked".to_string(),
            None => "—".to_string(),
        };
        writeln!(
            out,
            "<tr>{}<td>{}</td><td class=\"nowrap\">{}</td><td>{}</td>\
             <td class=\"num strong\">{since}</td></tr>",
            domain_cell(c.domain_name.as_deref()),
            account_cell(&c.account_id, c.account_name.as_deref()),
            or_dash(c.region.as_deref()),
            deployments(c)
        )?;
    }
    writeln!(out, "</tbody></table></section>")
}

pub fn renewal_risk(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    let mut rows: Vec<&Certificate> = report
        .certificates
        .iter()
        .filter(|c| c.renewal_risk)
        .collect();
    rows.sort_by(|a, b| {
        a.days_to_expiry
            .cmp(&b.days_to_expiry)
            .then_with(|| a.arn.cmp(&b.arn))
    });
    writeln!(
        out,
        "<section id=\"renewal\"><h2>Renewal risk <span class=\"count c-HIGH\">{}</span></h2>\
         <p class=\"note\">In use, expiring within 60 days, and not going to renew by \
         itself (imported, ineligible, or renewal failed or pending validation).</p>",
        rows.len()
    )?;
    if rows.is_empty() {
        return empty(
            out,
            "No certificate in use depends on a manual renewal soon.",
        );
    }
    writeln!(
        out,
        "<table><thead><tr><th>Domain</th><th>Account</th><th>Region</th><th>Type</th>\
         <th>Renewal</th><th>Deployed on</th><th class=\"num\">Days left</th></tr></thead><tbody>"
    )?;
    for c in rows {
        let renewal = [
            c.renewal_eligibility.as_deref(),
            c.renewal_status.as_deref(),
        ]
        .into_iter()
        .flatten()
        .map(escape)
        .collect::<Vec<_>>()
        .join("<br>");
        writeln!(
            out,
            "<tr>{}<td>{}</td><td class=\"nowrap\">{}</td><td>{}</td><td>{}</td>\
             <td>{}</td><td class=\"num strong\">{}</td></tr>",
            domain_cell(c.domain_name.as_deref()),
            account_cell(&c.account_id, c.account_name.as_deref()),
            or_dash(c.region.as_deref()),
            or_dash(c.cert_type.as_deref()),
            if renewal.is_empty() {
                "—".into()
            } else {
                renewal
            },
            deployments(c),
            c.days_to_expiry.map(|d| d.to_string()).unwrap_or_default()
        )?;
    }
    writeln!(out, "</tbody></table></section>")
}

const RANKED: [Bucket; 4] = [
    Bucket::Critical,
    Bucket::High,
    Bucket::Medium,
    Bucket::Remove,
];

pub fn accounts(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    let mut by_account: BTreeMap<&str, (Option<&str>, BucketCounts, usize)> = BTreeMap::new();
    for c in &report.certificates {
        let entry = by_account.entry(c.account_id.as_str()).or_default();
        entry.0 = entry.0.or(c.account_name.as_deref());
        if let Some(b) = c.bucket {
            entry.1.add(b);
        }
        entry.2 += 1;
    }
    let mut rows: Vec<_> = by_account.into_iter().collect();
    // BTreeMap order makes the account ID the tie-break; the sort is stable.
    rows.sort_by(|a, b| {
        let key = |c: &BucketCounts| RANKED.map(|bucket| c.get(bucket));
        key(&b.1.1).cmp(&key(&a.1.1))
    });
    writeln!(
        out,
        "<section id=\"accounts\"><h2>Accounts <span class=\"count\">{}</span></h2>\
         <p class=\"note\">Worst first: most CRITICAL, then HIGH, MEDIUM and REMOVE.</p>",
        rows.len()
    )?;
    if rows.is_empty() {
        return empty(out, "No certificates.");
    }
    write!(out, "<table class=\"accounts\"><thead><tr><th>Account</th>")?;
    for b in Bucket::ALL {
        write!(out, "<th class=\"num\">{b}</th>")?;
    }
    writeln!(
        out,
        "<th class=\"num\">Total</th><th>Mix</th></tr></thead><tbody>"
    )?;
    for (id, (name, counts, total)) in rows {
        write!(out, "<tr><td>{}</td>", account_cell(id, name))?;
        for b in Bucket::ALL {
            match counts.get(b) {
                0 => write!(out, "<td class=\"num zero\">0</td>")?,
                n => write!(
                    out,
                    "<td class=\"num\"><span class=\"pill c-{b}\">{n}</span></td>"
                )?,
            }
        }
        write!(out, "<td class=\"num\">{total}</td><td><div class=\"mix\">")?;
        for b in Bucket::ALL {
            let n = counts.get(b);
            if n > 0 {
                let pct = n as f64 * 100.0 / total.max(1) as f64;
                write!(out, "<i class=\"c-{b}\" style=\"width:{pct:.1}%\"></i>")?;
            }
        }
        writeln!(out, "</div></td></tr>")?;
    }
    writeln!(out, "</tbody></table></section>")
}

struct Removal<'a> {
    arn: &'a str,
    domain: Option<&'a str>,
    account_id: &'a str,
    region: Option<&'a str>,
    basis: &'a str,
}

/// With a pipeline record the list is the verified candidates (phase 5
/// checked every place a use could hide); without one, REMOVE is all we know.
pub fn removals(
    out: &mut dyn Write,
    report: &Report,
    record: Option<&PipelineRecord>,
) -> io::Result<()> {
    let rows: Vec<Removal> = match record {
        Some(r) => r
            .removal_candidates
            .iter()
            .filter(|c| c.verified)
            .map(|c| Removal {
                arn: &c.arn,
                domain: c.domain_name.as_deref(),
                account_id: &c.account_id,
                region: c.region.as_deref(),
                basis: &c.reason,
            })
            .collect(),
        None => report
            .certificates
            .iter()
            .filter(|c| c.bucket == Some(Bucket::Remove))
            .map(|c| Removal {
                arn: &c.arn,
                domain: c.domain_name.as_deref(),
                account_id: &c.account_id,
                region: c.region.as_deref(),
                basis: "not verified: this report has no usage scan",
            })
            .collect(),
    };
    let (title, note) = match record {
        Some(r) => (
            "Verified removal candidates",
            format!(
                "Expired and unused, confirmed by the usage scan: {} of {} candidates verified.",
                rows.len(),
                r.removal_candidates.len()
            ),
        ),
        None => (
            "Removal candidates",
            "Expired and not in use according to ACM's InUseBy.".to_string(),
        ),
    };
    writeln!(
        out,
        "<section id=\"removal\"><h2>{title} <span class=\"count c-REMOVE\">{}</span></h2>\
         <p class=\"note\">{note}</p>",
        rows.len()
    )?;
    if rows.is_empty() {
        return empty(out, "Nothing to remove.");
    }
    let names: BTreeMap<&str, &str> = report
        .certificates
        .iter()
        .filter_map(|c| Some((c.account_id.as_str(), c.account_name.as_deref()?)))
        .collect();
    writeln!(
        out,
        "<table><thead><tr><th>Domain</th><th>Account</th><th>Region</th><th>ARN</th>\
         <th>Basis</th></tr></thead><tbody>"
    )?;
    for r in rows {
        writeln!(
            out,
            "<tr>{}<td>{}</td><td class=\"nowrap\">{}</td><td><code>{}</code></td>\
             <td class=\"muted\">{}</td></tr>",
            domain_cell(r.domain),
            account_cell(r.account_id, names.get(r.account_id).copied()),
            or_dash(r.region),
            escape(r.arn),
            escape(r.basis)
        )?;
    }
    writeln!(out, "</tbody></table></section>")
}
