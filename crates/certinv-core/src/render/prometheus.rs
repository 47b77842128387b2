//! `--output prometheus`: a node-exporter textfile (Prometheus text exposition
//! format 0.0.4). Expiry is exported as an absolute timestamp rather than a day
//! count, so alerts compute `… - time()` at evaluation and stay right however
//! old the file is.
//!
//! The report has no scan duration, and `generated_at − now` is not one
//! (`now` may come from `--now`), so no duration metric is written.
//!
//! A textfile that fails to parse makes node-exporter drop the whole file, so
//! every family is written once, complete, with HELP and TYPE first.

use std::collections::HashSet;
use std::io::{self, Write};

use crate::model::{Bucket, Certificate, MissReason, Report};

const MISS_REASONS: [MissReason; 6] = [
    MissReason::AccessDenied,
    MissReason::NotEnabled,
    MissReason::NotAggregated,
    MissReason::Throttled,
    MissReason::Timeout,
    MissReason::Error,
];

fn reason_name(reason: MissReason) -> &'static str {
    match reason {
        MissReason::AccessDenied => "AccessDenied",
        MissReason::NotEnabled => "NotEnabled",
        MissReason::NotAggregated => "NotAggregated",
        MissReason::Throttled => "Throttled",
        MissReason::Timeout => "Timeout",
        MissReason::Error => "Error",
    }
}

/// Label values escape exactly backslash, double quote and line feed; any
/// other character, `<` included, is literal in the format.
fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

fn labels(pairs: &[(&str, &str)]) -> String {
    let inner: Vec<String> = pairs
        .iter()
        .map(|(name, value)| format!("{name}=\"{}\"", escape(value)))
        .collect();
    format!("{{{}}}", inner.join(","))
}

fn family(out: &mut dyn Write, name: &str, help: &str) -> io::Result<()> {
    writeln!(out, "# HELP {name} {help}")?;
    writeln!(out, "# TYPE {name} gauge")
}

/// Missing values become empty labels, which Prometheus treats as absent:
/// the closest the format has to `null`, and never a guess.
fn identity(cert: &Certificate) -> [(&'static str, &str); 4] {
    [
        ("arn", &cert.arn),
        ("account_id", &cert.account_id),
        ("region", cert.region.as_deref().unwrap_or("")),
        ("domain", cert.domain_name.as_deref().unwrap_or("")),
    ]
}

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    // Two series with the same labels make the whole textfile invalid; a
    // snapshot carrying an ARN twice must not take every other metric down.
    let mut seen = HashSet::new();
    let certs: Vec<&Certificate> = report
        .certificates
        .iter()
        .filter(|c| seen.insert(c.arn.as_str()))
        .collect();

    family(
        out,
        "certinv_certificate_expiry_timestamp_seconds",
        "Certificate not_after as Unix time; certificates without one have no series.",
    )?;
    for cert in &certs {
        let Some(not_after) = cert.not_after else {
            continue;
        };
        let [arn, account, region, domain] = identity(cert);
        let in_use = if cert.in_use { "true" } else { "false" };
        writeln!(
            out,
            "certinv_certificate_expiry_timestamp_seconds{} {}",
            labels(&[arn, account, region, domain, ("in_use", in_use)]),
            not_after.as_second()
        )?;
    }

    family(
        out,
        "certinv_certificate_info",
        "Certificate triage bucket, type and status; the value is always 1.",
    )?;
    for cert in &certs {
        let [arn, account, region, domain] = identity(cert);
        writeln!(
            out,
            "certinv_certificate_info{} 1",
            labels(&[
                arn,
                account,
                region,
                domain,
                ("bucket", cert.bucket.map(Bucket::as_str).unwrap_or("")),
                ("type", cert.cert_type.as_deref().unwrap_or("")),
                ("status", cert.status.as_deref().unwrap_or("")),
            ])
        )?;
    }

    // Every bucket is written, zero included, so an alert on a bucket sees 0
    // rather than no data when it empties.
    family(
        out,
        "certinv_certificates",
        "Certificates in the report per triage bucket.",
    )?;
    for bucket in Bucket::ALL {
        writeln!(
            out,
            "certinv_certificates{} {}",
            labels(&[("bucket", bucket.as_str())]),
            report.summary.buckets.get(bucket)
        )?;
    }

    family(
        out,
        "certinv_scope_missing",
        "Accounts or account regions that could not be read (scope.missing entries).",
    )?;
    writeln!(out, "certinv_scope_missing {}", report.scope.missing.len())?;

    family(
        out,
        "certinv_scope_missing_by_reason",
        "scope.missing entries per reason.",
    )?;
    for reason in MISS_REASONS {
        let count = report
            .scope
            .missing
            .iter()
            .filter(|m| m.reason == reason)
            .count();
        writeln!(
            out,
            "certinv_scope_missing_by_reason{} {count}",
            labels(&[("reason", reason_name(reason))])
        )?;
    }
    // Only a live scan has a duration; a snapshot re-triage does not.
    if let Some(seconds) = report.scan_seconds {
        family(
            out,
            "certinv_scan_duration_seconds",
            "Wall time of the discovery that produced this report.",
        )?;
        writeln!(out, "certinv_scan_duration_seconds {seconds:.3}")?;
    }
    Ok(())
}
