//! `--output ocsf`: the findings of `--output asff`, as OCSF 1.1 Detection
//! Findings (class 2004 in category 2, "Findings") in one JSON array, for
//! Security Lake and the SIEMs that read OCSF. Which certificates become
//! findings, their uid, title and text all come from `asff.rs`, so a finding
//! can be matched across the two feeds by its uid.

use std::io::{self, Write};

use jiff::Timestamp;
use serde::Serialize;

use super::asff::{
    FINDING_TYPE, GLOBAL_REGION, created_at, description, finding_id, findings, is_acm,
    is_suppressed, partition, title,
};
use crate::model::{Bucket, Certificate, Report};
use crate::time::format_utc;

const OCSF_VERSION: &str = "1.1.0";
const CATEGORY_UID: u32 = 2;
const CLASS_UID: u32 = 2004;
/// Every record is a Create: certinv keeps no state between runs, so it
/// cannot tell a new finding from an old one. Consumers upsert on
/// `finding_info.uid`, which is stable.
const ACTIVITY_CREATE: u32 = 1;
/// `account.type_id` 10 is "AWS Account".
const AWS_ACCOUNT: u32 = 10;

#[derive(Serialize)]
struct Event<'a> {
    activity_id: u32,
    activity_name: &'static str,
    category_uid: u32,
    category_name: &'static str,
    class_uid: u32,
    class_name: &'static str,
    type_uid: u32,
    type_name: &'static str,
    severity_id: u32,
    severity: &'static str,
    status_id: u32,
    status: &'static str,
    time: i64,
    message: String,
    metadata: Metadata,
    finding_info: FindingInfo,
    resources: [Resource<'a>; 1],
    cloud: Cloud<'a>,
    unmapped: Unmapped,
}

#[derive(Serialize)]
struct Metadata {
    version: &'static str,
    product: Product,
    /// `cloud`, `resources[].region` and `cloud_partition` belong to the cloud
    /// profile, which a validator only accepts when the profile is declared.
    profiles: [&'static str; 1],
}

#[derive(Serialize)]
struct Product {
    name: &'static str,
    vendor_name: &'static str,
}

#[derive(Serialize)]
struct FindingInfo {
    uid: String,
    title: String,
    desc: String,
    types: [&'static str; 1],
    created_time: i64,
    modified_time: i64,
}

#[derive(Serialize)]
struct Resource<'a> {
    uid: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(rename = "type")]
    kind: &'static str,
    /// An IAM server certificate is global: the resource has no region, even
    /// though the finding itself is filed in one (see `cloud`).
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<&'a str>,
    cloud_partition: &'static str,
    owner: Owner<'a>,
    data: Data<'a>,
}

#[derive(Serialize)]
struct Owner<'a> {
    account: Account<'a>,
}

#[derive(Serialize, Clone, Copy)]
struct Account<'a> {
    uid: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(rename = "type")]
    kind: &'static str,
    type_id: u32,
}

#[derive(Serialize)]
struct Cloud<'a> {
    provider: &'static str,
    region: &'a str,
    account: Account<'a>,
}

/// The certificate in certinv's own field names (SPEC §4), so a reader who
/// knows the JSON report needs no second vocabulary.
#[derive(Serialize)]
struct Data<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    domain_name: Option<&'a str>,
    subject_alternative_names: &'a [String],
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    cert_type: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    key_algorithm: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    not_before: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    not_after: Option<String>,
    in_use_by: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    renewal_eligibility: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    renewal_status: Option<&'a str>,
    #[serde(skip_serializing_if = "no_tags")]
    tags: &'a crate::tags::Tags,
}

/// certinv's triage terms, which OCSF has no attribute for.
#[derive(Serialize)]
struct Unmapped {
    bucket: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    days_to_expiry: Option<i64>,
    in_use: bool,
}

fn no_tags(tags: &&crate::tags::Tags) -> bool {
    tags.is_empty()
}

fn millis(ts: Timestamp) -> i64 {
    ts.as_millisecond()
}

fn severity(bucket: Bucket) -> (u32, &'static str) {
    match bucket {
        Bucket::Critical => (5, "Critical"),
        Bucket::High => (4, "High"),
        // As in ASFF: an unused expired certificate is hygiene, not an outage.
        _ => (2, "Low"),
    }
}

fn event<'a>(report: &Report, cert: &'a Certificate, bucket: Bucket) -> Event<'a> {
    let (severity_id, severity) = severity(bucket);
    let (status_id, status) = if is_suppressed(cert) {
        (3, "Suppressed")
    } else {
        (1, "New")
    };
    let account = Account {
        uid: &cert.account_id,
        name: cert.account_name.as_deref().filter(|n| !n.is_empty()),
        kind: "AWS Account",
        type_id: AWS_ACCOUNT,
    };
    let title = title(cert, bucket, report.now);
    Event {
        activity_id: ACTIVITY_CREATE,
        activity_name: "Create",
        category_uid: CATEGORY_UID,
        category_name: "Findings",
        class_uid: CLASS_UID,
        class_name: "Detection Finding",
        type_uid: CLASS_UID * 100 + ACTIVITY_CREATE,
        type_name: "Detection Finding: Create",
        severity_id,
        severity,
        status_id,
        status,
        time: millis(report.generated_at),
        message: title.clone(),
        metadata: Metadata {
            version: OCSF_VERSION,
            product: Product {
                name: "certinv",
                vendor_name: "certinv",
            },
            profiles: ["cloud"],
        },
        finding_info: FindingInfo {
            uid: finding_id(&cert.arn),
            title,
            desc: description(cert, bucket, report.now),
            types: [FINDING_TYPE],
            created_time: millis(created_at(report)),
            modified_time: millis(report.generated_at),
        },
        resources: [Resource {
            uid: &cert.arn,
            name: cert.domain_name.as_deref().filter(|d| !d.is_empty()),
            kind: if is_acm(&cert.arn) {
                "AWS::ACM::Certificate"
            } else {
                "AWS::IAM::ServerCertificate"
            },
            region: cert.region.as_deref(),
            cloud_partition: partition(&cert.arn),
            owner: Owner { account },
            data: Data {
                domain_name: cert.domain_name.as_deref(),
                subject_alternative_names: &cert.subject_alternative_names,
                cert_type: cert.cert_type.as_deref(),
                status: cert.status.as_deref(),
                key_algorithm: cert.key_algorithm.as_deref(),
                not_before: cert.not_before.map(format_utc),
                not_after: cert.not_after.map(format_utc),
                in_use_by: &cert.in_use_by,
                renewal_eligibility: cert.renewal_eligibility.as_deref(),
                renewal_status: cert.renewal_status.as_deref(),
                tags: &cert.tags,
            },
        }],
        cloud: Cloud {
            provider: "AWS",
            region: cert.region.as_deref().unwrap_or(GLOBAL_REGION),
            account,
        },
        unmapped: Unmapped {
            bucket: bucket.as_str(),
            days_to_expiry: cert.days_to_expiry,
            in_use: cert.in_use,
        },
    }
}

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let all: Vec<Event> = findings(report)
        .map(|(cert, bucket)| event(report, cert, bucket))
        .collect();
    serde_json::to_writer_pretty(&mut *out, &all)?;
    out.write_all(b"\n")
}
