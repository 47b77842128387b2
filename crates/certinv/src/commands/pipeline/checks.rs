//! The pipeline's per-phase checks: usage coverage, removal verification,
//! cross-validation (G2) and the closing summary.

use std::collections::BTreeSet;

use certinv_aws::fanout;
use certinv_core::crossval::{self, CrossValidation};
use certinv_core::gates::{Gate, PipelineRecord, RemovalCandidate, Verdict};
use certinv_core::model::{Bucket, Certificate, Report};
use certinv_core::report::Discovery;
use serde_json::json;

use super::gate;
use crate::commands::pack;
use crate::progress::Progress;

/// Whether the usage scan covered the place `resource` would be found.
pub(super) fn scan_covers(
    scanned: &BTreeSet<(String, String)>,
    cert: &Certificate,
    resource: &str,
) -> bool {
    let mut parts = resource.split(':');
    let service = parts.nth(2).unwrap_or("");
    let region = parts.next().unwrap_or("");
    let key = if service == "cloudfront" {
        "cloudfront"
    } else {
        region
    };
    scanned.contains(&(cert.account_id.to_string(), key.to_string()))
}

/// REMOVE certificates, verified unused only when every scan that could have
/// seen a use of them completed and found none.
pub(super) fn removal_candidates(
    report: &Report,
    scanned: &BTreeSet<(String, String)>,
) -> Vec<RemovalCandidate> {
    report
        .certificates
        .iter()
        .filter(|c| c.bucket == Some(Bucket::Remove))
        .map(|c| {
            let region_done = c
                .region
                .as_ref()
                .is_some_and(|r| scanned.contains(&(c.account_id.to_string(), r.to_string())));
            let cloudfront_done =
                scanned.contains(&(c.account_id.to_string(), "cloudfront".to_string()));
            let (verified, reason) = match (region_done, cloudfront_done) {
                (true, true) => (
                    true,
                    "no load balancer, API Gateway domain or CloudFront distribution uses it"
                        .to_string(),
                ),
                (false, _) => (
                    false,
                    "unverified: the usage scan of its account and region did not complete"
                        .to_string(),
                ),
                (true, false) => (
                    false,
                    "unverified: the CloudFront scan of its account did not complete".to_string(),
                ),
            };
            RemovalCandidate {
                arn: c.arn.clone(),
                account_id: c.account_id.to_string(),
                region: c.region.as_deref().map(str::to_string),
                domain_name: c.domain_name.clone(),
                verified,
                reason,
            }
        })
        .collect()
}

/// L3 is a full direct sweep compared with L1 by ARN. When L1 came from the
/// direct path there is nothing independent to compare: NOT_INDEPENDENT.
pub(super) async fn cross_validate(
    plan: &fanout::Plan,
    caller: &str,
    accounts: &[certinv_aws::org::Account],
    l1: &Discovery,
    max_variance: f64,
    progress: &Progress,
) -> (CrossValidation, Gate) {
    if l1.source == "acm" {
        let cv = crossval::compare(
            &l1.certificates,
            &l1.scope,
            &l1.source,
            &l1.certificates,
            &l1.scope,
        );
        let g = gate(
            "G2",
            Verdict::NotIndependent,
            "L1 came from the direct path; no independent source to compare",
            json!({"variance_percent": cv.variance_percent}),
        );
        return (cv, g);
    }
    let l3 = fanout::direct_sweep(plan, caller, accounts, progress).await;
    let cv = crossval::compare(
        &l1.certificates,
        &l1.scope,
        &l1.source,
        &l3.certificates,
        &l3.scope,
    );
    let verdict = if cv.variance_percent < max_variance {
        Verdict::Pass
    } else {
        Verdict::Fail
    };
    let mut detail = format!(
        "variance {:.2}% (max {max_variance}%): L1 {} vs L3 {}",
        cv.variance_percent, cv.l1_total, cv.l3_total
    );
    for a in &cv.accounts {
        detail.push_str(&format!(
            "; {}: {} only in L1, {} only in L3 ({})",
            a.account_id,
            a.only_in_l1.len(),
            a.only_in_l3.len(),
            a.likely_cause
        ));
    }
    let g = gate(
        "G2",
        verdict,
        detail,
        json!({"variance_percent": cv.variance_percent, "max_variance_percent": max_variance}),
    );
    (cv, g)
}

pub(super) fn print_summary(record: &PipelineRecord, report: &Report, sealed: &pack::Sealed) {
    println!("pipeline {} run {}", record.project, sealed.run_id);
    for g in &record.gates {
        println!("  {}  {:<15} {}", g.gate, g.verdict.as_str(), g.detail);
    }
    let b = report.summary.buckets;
    println!(
        "  certificates {} · CRITICAL {} HIGH {} MEDIUM {} REMOVE {} NOT_ISSUED {} OK {}",
        report.summary.total, b.critical, b.high, b.medium, b.remove, b.not_issued, b.ok
    );
    println!("  evidence {}", sealed.dir.display());
    println!("  manifest sha256 {}", sealed.manifest_digest);
}
