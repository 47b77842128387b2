//! P3: ACM in one account and region. `ListCertificates` with all seven key
//! types (without them ACM silently omits EC and large RSA keys), then
//! `DescribeCertificate` for each, paced to ACM's per-region quotas.

use aws_sdk_acm::types::{CertificateDetail, Filters, KeyAlgorithm};
use certinv_core::model::{ACM_KEY_TYPES, Certificate, normalise_key_algorithm};
use futures::{StreamExt, TryStreamExt, stream};

use super::instant;
use crate::errors::{ScopeError, classify};
use crate::limits::{InFlight, RateLimiter};

/// ACM's documented request rates per account and region.
const LIST_PER_SECOND: u32 = 8;
const DESCRIBE_PER_SECOND: u32 = 10;
/// Describes in flight for one pair; the rate limiter does the real pacing.
const DESCRIBES_IN_FLIGHT: usize = 8;

pub struct Pair<'a> {
    pub account_id: &'a str,
    pub account_name: Option<&'a str>,
    pub region: &'a str,
}

pub fn all_key_types() -> Filters {
    let types = ACM_KEY_TYPES
        .iter()
        .map(|t| KeyAlgorithm::from(*t))
        .collect();
    Filters::builder().set_key_types(Some(types)).build()
}

pub async fn read(
    acm: &aws_sdk_acm::Client,
    pair: &Pair<'_>,
    in_flight: &InFlight,
) -> Result<Vec<Certificate>, ScopeError> {
    let list_rate = RateLimiter::new(LIST_PER_SECOND, LIST_PER_SECOND);

    let mut arns = Vec::new();
    let mut next_token: Option<String> = None;
    loop {
        list_rate.acquire().await;
        let page = in_flight
            .run(
                acm.list_certificates()
                    .includes(all_key_types())
                    .max_items(1000)
                    .set_next_token(next_token.take())
                    .send(),
            )
            .await
            .map_err(|e| classify("acm:ListCertificates", &e))?;
        arns.extend(
            page.certificate_summary_list
                .unwrap_or_default()
                .into_iter()
                .filter_map(|s| s.certificate_arn),
        );
        match page.next_token.filter(|t| !t.is_empty()) {
            Some(t) => next_token = Some(t),
            None => break,
        }
    }

    describe_all(acm, arns, pair, in_flight).await
}

/// Describe each ARN in one pair, paced to ACM's DescribeCertificate quota.
/// A certificate deleted since it was listed is skipped, not an error.
pub async fn describe_all(
    acm: &aws_sdk_acm::Client,
    arns: Vec<String>,
    pair: &Pair<'_>,
    in_flight: &InFlight,
) -> Result<Vec<Certificate>, ScopeError> {
    let describe_rate = RateLimiter::new(DESCRIBE_PER_SECOND, DESCRIBE_PER_SECOND);
    let details: Vec<Option<CertificateDetail>> = stream::iter(arns)
        .map(|arn| {
            let describe_rate = &describe_rate;
            async move {
                describe_rate.acquire().await;
                let out = in_flight
                    .run(acm.describe_certificate().certificate_arn(&arn).send())
                    .await;
                match out {
                    Ok(o) => Ok(o.certificate),
                    // Deleted between list and describe: it no longer exists.
                    Err(e) if is_not_found(&e) => Ok(None),
                    Err(e) => Err(classify("acm:DescribeCertificate", &e)),
                }
            }
        })
        .buffer_unordered(DESCRIBES_IN_FLIGHT)
        .try_collect()
        .await?;
    Ok(details
        .into_iter()
        .flatten()
        .filter_map(|d| record(d, pair))
        .collect())
}

fn is_not_found<R>(
    e: &aws_smithy_runtime_api::client::result::SdkError<
        aws_sdk_acm::operation::describe_certificate::DescribeCertificateError,
        R,
    >,
) -> bool {
    e.as_service_error()
        .is_some_and(|s| s.is_resource_not_found_exception())
}

/// One ACM description in the contract's shape. Fields ACM leaves out stay `None`.
pub fn record(d: CertificateDetail, pair: &Pair<'_>) -> Option<Certificate> {
    let in_use_by = d.in_use_by.unwrap_or_default();
    Some(Certificate {
        arn: d.certificate_arn?,
        account_id: pair.account_id.into(),
        account_name: pair.account_name.map(Into::into),
        region: Some(pair.region.into()),
        domain_name: d.domain_name,
        subject_alternative_names: d.subject_alternative_names.unwrap_or_default(),
        cert_type: d.r#type.map(|t| t.as_str().into()),
        status: d.status.map(|s| s.as_str().into()),
        key_algorithm: d
            .key_algorithm
            .map(|k| normalise_key_algorithm(k.as_str()).into()),
        not_before: d.not_before.as_ref().and_then(instant),
        not_after: d.not_after.as_ref().and_then(instant),
        days_to_expiry: None,
        in_use: !in_use_by.is_empty(),
        in_use_by,
        renewal_eligibility: d.renewal_eligibility.map(|r| r.as_str().into()),
        renewal_status: d.renewal_summary.map(|r| r.renewal_status.as_str().into()),
        bucket: None,
        source: "acm".into(),
        certificate_authority_arn: d.certificate_authority_arn,
        tags: Default::default(),
        renewal_risk: false,
        ou_path: None,
        excepted: None,
        resource_id: None,
        issued_certificates: Vec::new(),
        warnings: Vec::new(),
    })
}
