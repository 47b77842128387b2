//! `--output asff`: AWS Security Finding Format, as the JSON array that
//! `aws securityhub batch-import-findings --findings file://…` takes as is.
//!
//! Only certificates that need someone to act become findings (CRITICAL, HIGH,
//! REMOVE). MEDIUM stays in the reports: a finding that nobody has to act on
//! yet would only train people to ignore the feed.
//!
//! The choice of finding, its Id, title and description live here and are
//! shared with `ocsf.rs`, so both feeds describe the same finding the same way.

use std::collections::BTreeMap;
use std::io::{self, Write};

use jiff::Timestamp;
use serde::Serialize;

use crate::evidence::sha256_hex;
use crate::model::{Bucket, Certificate, Report};
use crate::time::format_utc;

/// The one check behind every finding. CRITICAL, HIGH and REMOVE are states of
/// the same certificate's expiry, so they share one Id: a certificate moving
/// from HIGH to CRITICAL updates its finding rather than leaving the HIGH one
/// open beside a new CRITICAL one.
pub(super) const KIND: &str = "certificate-expiry";

/// Where a finding for a global resource (an IAM server certificate has no
/// region) is filed, since Security Hub needs a region for every finding.
pub(super) const GLOBAL_REGION: &str = "us-east-1";

pub(super) const FINDING_TYPE: &str =
    "Software and Configuration Checks/AWS Security Best Practices";

// Security Hub's length limits: a finding over them is rejected, and one
// rejection costs the operator a re-run, so long domains are cut instead.
const ID_MAX: usize = 512;
const TITLE_MAX: usize = 256;
const DESCRIPTION_MAX: usize = 1024;

/// The certificates that become findings, with their bucket, in report order.
pub(super) fn findings(report: &Report) -> impl Iterator<Item = (&Certificate, Bucket)> {
    report.certificates.iter().filter_map(|c| match c.bucket {
        Some(b @ (Bucket::Critical | Bucket::High | Bucket::Remove)) => Some((c, b)),
        _ => None,
    })
}

/// Stable across runs: it depends only on the ARN and the kind, never on the
/// bucket, `now` or the report order, so a re-import updates the finding.
pub(super) fn finding_id(arn: &str) -> String {
    let readable = format!("certinv/{KIND}/{arn}");
    if readable.chars().count() <= ID_MAX {
        return readable;
    }
    // An IAM server certificate's path can push its ARN past the limit; a
    // digest of the ARN is just as stable and always fits.
    format!("certinv/{KIND}/sha256:{}", sha256_hex(arn.as_bytes()))
}

/// An accepted risk (`--exceptions`) is filed as suppressed (ASFF
/// `SUPPRESSED`, OCSF status 3) instead of new, so it stays visible.
pub(super) fn is_suppressed(cert: &Certificate) -> bool {
    cert.excepted.is_some()
}

/// The partition of an ARN (`aws`, `aws-cn`, `aws-us-gov`); anything else is
/// not an AWS partition Security Hub knows, so it falls back to `aws`.
pub(super) fn partition(arn: &str) -> &'static str {
    match arn.split(':').nth(1) {
        Some("aws-cn") => "aws-cn",
        Some("aws-us-gov") => "aws-us-gov",
        _ => "aws",
    }
}

pub(super) fn is_acm(arn: &str) -> bool {
    arn.split(':').nth(2) == Some("acm")
}

fn name(cert: &Certificate) -> &str {
    cert.domain_name
        .as_deref()
        .filter(|d| !d.trim().is_empty())
        .unwrap_or(&cert.arn)
}

/// A revoked certificate counts as expired before its `not_after`; the words
/// say which of the two it is, since the fix differs.
fn lapsed(cert: &Certificate, now: Timestamp) -> &'static str {
    match cert.not_after {
        Some(t) if t <= now => "expired",
        _ if cert.status.as_deref() == Some("REVOKED") => "revoked",
        _ => "expired",
    }
}

fn days(n: i64) -> String {
    if n.abs() == 1 {
        format!("{n} day")
    } else {
        format!("{n} days")
    }
}

pub(super) fn title(cert: &Certificate, bucket: Bucket, now: Timestamp) -> String {
    let text = match bucket {
        Bucket::Critical => format!(
            "Certificate {} and still in use: {}",
            lapsed(cert, now),
            name(cert)
        ),
        Bucket::Remove => format!(
            "Certificate {} and not in use: {}",
            lapsed(cert, now),
            name(cert)
        ),
        _ => match cert.days_to_expiry {
            Some(0) => format!("Certificate expires today: {}", name(cert)),
            Some(d) => format!("Certificate expires in {}: {}", days(d), name(cert)),
            None => format!("Certificate expires soon: {}", name(cert)),
        },
    };
    truncate(&text, TITLE_MAX)
}

pub(super) fn description(cert: &Certificate, bucket: Bucket, now: Timestamp) -> String {
    let mut text = format!(
        "Certificate {} ({}) in account {}",
        name(cert),
        cert.arn,
        cert.account_id
    );
    if let Some(account_name) = cert.account_name.as_deref().filter(|n| !n.is_empty()) {
        text.push_str(&format!(" ({account_name})"));
    }
    match cert.region.as_deref() {
        Some(region) => text.push_str(&format!(", region {region}")),
        None => text.push_str(", global"),
    }
    let not_after = cert.not_after.map(format_utc);
    match (bucket, not_after) {
        (Bucket::Critical | Bucket::Remove, _) if lapsed(cert, now) == "revoked" => {
            text.push_str(", was revoked");
        }
        (Bucket::Critical | Bucket::Remove, Some(t)) => {
            text.push_str(&format!(", expired at {t}"));
        }
        (_, Some(t)) => text.push_str(&format!(", expires at {t}")),
        (_, None) => {}
    }
    if cert.in_use_by.is_empty() {
        text.push_str(if cert.in_use {
            " and is in use."
        } else {
            " and is not in use."
        });
    } else {
        text.push_str(&format!(
            " and is in use by: {}.",
            cert.in_use_by.join(", ")
        ));
    }
    if bucket == Bucket::High && cert.renewal_risk {
        text.push_str(
            " It will not renew by itself (imported, not eligible for renewal, or renewal failed).",
        );
    }
    truncate(&text, DESCRIPTION_MAX)
}

fn recommendation(bucket: Bucket) -> &'static str {
    match bucket {
        Bucket::Critical => {
            "Issue or import a valid certificate, attach it to every resource that uses this one, then delete this one."
        }
        Bucket::Remove => "Confirm that nothing uses the certificate any more, then delete it.",
        _ => {
            "Renew the certificate, or import a replacement and attach it to every resource that uses this one, before it expires."
        }
    }
}

/// Cut to `max` characters, marking the cut, so the result stays within a
/// Security Hub limit however long the certificate's names are.
pub(super) fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max - 1).collect();
    cut.push('…');
    cut
}

/// The moment the finding's issue was observed. `--now` can lie in the future
/// (to preview what will expire); a finding must not claim to have been
/// created after the record that reports it, so it is capped at generation.
pub(super) fn created_at(report: &Report) -> Timestamp {
    report.now.min(report.generated_at)
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Finding<'a> {
    schema_version: &'static str,
    id: String,
    product_arn: String,
    generator_id: String,
    aws_account_id: &'a str,
    types: [&'static str; 1],
    created_at: String,
    updated_at: String,
    severity: Severity,
    title: String,
    description: String,
    remediation: Remediation,
    resources: [Resource<'a>; 1],
    compliance: Status,
    workflow: Status,
    record_state: &'static str,
    product_fields: BTreeMap<&'static str, String>,
    finding_provider_fields: ProviderFields,
}

#[derive(Serialize, Clone, Copy)]
#[serde(rename_all = "PascalCase")]
struct Severity {
    label: &'static str,
    original: &'static str,
}

/// Security Hub ignores re-imported top-level `Severity` and `Types` once a
/// finding exists; these copies are the ones it takes on update, so a HIGH
/// finding that turns CRITICAL shows as CRITICAL.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ProviderFields {
    severity: Severity,
    types: [&'static str; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Remediation {
    recommendation: Recommendation,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Recommendation {
    text: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Status {
    status: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Resource<'a> {
    #[serde(rename = "Type")]
    kind: &'static str,
    id: &'a str,
    partition: &'static str,
    region: &'a str,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    tags: BTreeMap<&'a str, &'a str>,
    details: Details<'a>,
}

/// ASFF has a details object for ACM certificates only; an IAM server
/// certificate is a resource of type `Other`, described in the free-form map.
#[derive(Serialize)]
enum Details<'a> {
    #[serde(rename = "AwsCertificateManagerCertificate")]
    Acm(AcmDetails<'a>),
    Other(BTreeMap<&'static str, String>),
}

/// ASFF rejects empty strings, so every field a path could not know is left
/// out rather than sent blank.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct AcmDetails<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    domain_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    subject_alternative_names: Vec<&'a str>,
    #[serde(rename = "Type", skip_serializing_if = "Option::is_none")]
    kind: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    key_algorithm: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    not_before: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    not_after: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    in_use_by: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    renewal_eligibility: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    renewal_summary: Option<RenewalSummary<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct RenewalSummary<'a> {
    renewal_status: &'a str,
}

fn present<S: AsRef<str>>(value: &Option<S>) -> Option<&str> {
    value
        .as_ref()
        .map(AsRef::as_ref)
        .filter(|v| !v.trim().is_empty())
}

fn non_empty(values: &[String]) -> Vec<&str> {
    values
        .iter()
        .map(String::as_str)
        .filter(|v| !v.trim().is_empty())
        .collect()
}

/// ASFF caps `Other` values below 1,024 characters and rejects empty ones.
fn other_details(cert: &Certificate) -> BTreeMap<&'static str, String> {
    let fields = [
        ("DomainName", present(&cert.domain_name).map(str::to_string)),
        ("Type", present(&cert.cert_type).map(str::to_string)),
        ("Status", present(&cert.status).map(str::to_string)),
        ("NotAfter", cert.not_after.map(format_utc)),
        (
            "InUseBy",
            Some(non_empty(&cert.in_use_by).join(", ")).filter(|v| !v.is_empty()),
        ),
    ];
    fields
        .into_iter()
        .filter_map(|(key, value)| value.map(|v| (key, truncate(&v, 1023))))
        .collect()
}

fn severity(bucket: Bucket) -> Severity {
    Severity {
        // REMOVE is hygiene: an unused expired certificate hurts nobody today.
        label: match bucket {
            Bucket::Critical => "CRITICAL",
            Bucket::High => "HIGH",
            _ => "LOW",
        },
        original: bucket.as_str(),
    }
}

fn finding<'a>(report: &Report, cert: &'a Certificate, bucket: Bucket) -> Finding<'a> {
    let region = cert.region.as_deref().unwrap_or(GLOBAL_REGION);
    let partition = partition(&cert.arn);
    let account = cert.account_id.as_str();
    let details = if is_acm(&cert.arn) {
        Details::Acm(AcmDetails {
            domain_name: present(&cert.domain_name),
            subject_alternative_names: non_empty(&cert.subject_alternative_names),
            kind: present(&cert.cert_type),
            status: present(&cert.status),
            key_algorithm: present(&cert.key_algorithm),
            not_before: cert.not_before.map(format_utc),
            not_after: cert.not_after.map(format_utc),
            in_use_by: non_empty(&cert.in_use_by),
            renewal_eligibility: present(&cert.renewal_eligibility),
            renewal_summary: present(&cert.renewal_status)
                .map(|renewal_status| RenewalSummary { renewal_status }),
        })
    } else {
        Details::Other(other_details(cert))
    };
    let mut product_fields = BTreeMap::new();
    product_fields.insert("certinv/bucket", bucket.as_str().to_string());
    if let Some(d) = cert.days_to_expiry {
        product_fields.insert("certinv/days_to_expiry", d.to_string());
    }
    product_fields.insert("certinv/in_use", cert.in_use.to_string());
    Finding {
        schema_version: "2018-10-08",
        id: finding_id(&cert.arn),
        // The default product of the certificate's own account: what a custom
        // integration imports into, from that account and region.
        product_arn: format!(
            "arn:{partition}:securityhub:{region}:{account}:product/{account}/default"
        ),
        generator_id: format!("certinv/{KIND}"),
        aws_account_id: account,
        types: [FINDING_TYPE],
        created_at: format_utc(created_at(report)),
        updated_at: format_utc(report.generated_at),
        severity: severity(bucket),
        title: title(cert, bucket, report.now),
        description: description(cert, bucket, report.now),
        remediation: Remediation {
            recommendation: Recommendation {
                text: recommendation(bucket),
            },
        },
        resources: [Resource {
            kind: if is_acm(&cert.arn) {
                "AwsCertificateManagerCertificate"
            } else {
                "Other"
            },
            id: &cert.arn,
            partition,
            region,
            tags: cert
                .tags
                .iter()
                .filter(|(k, v)| !k.trim().is_empty() && !v.trim().is_empty())
                .collect(),
            details,
        }],
        compliance: Status { status: "FAILED" },
        workflow: Status {
            status: if is_suppressed(cert) {
                "SUPPRESSED"
            } else {
                "NEW"
            },
        },
        record_state: "ACTIVE",
        product_fields,
        finding_provider_fields: ProviderFields {
            severity: severity(bucket),
            types: [FINDING_TYPE],
        },
    }
}

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let all: Vec<Finding> = findings(report)
        .map(|(cert, bucket)| finding(report, cert, bucket))
        .collect();
    serde_json::to_writer_pretty(&mut *out, &all)?;
    out.write_all(b"\n")
}
