//! ACM Private CA: a CA whose own certificate expires takes every
//! certificate it issued with it, so each CA is a record of its own
//! (type PRIVATE_CA) listing what it issued.

use aws_config::SdkConfig;
use certinv_core::model::Certificate;

use super::instant;
use crate::errors::{ScopeError, classify};
use crate::limits::InFlight;

pub async fn read(
    config: &SdkConfig,
    account_id: &str,
    account_name: Option<&str>,
    region: &str,
    in_flight: &InFlight,
) -> Result<Vec<Certificate>, ScopeError> {
    let pca = aws_sdk_acmpca::Client::new(config);
    let mut out = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let page = in_flight
            .run(
                pca.list_certificate_authorities()
                    .set_next_token(next.take())
                    .send(),
            )
            .await
            .map_err(|e| classify("acm-pca:ListCertificateAuthorities", &e))?;
        for ca in page.certificate_authorities() {
            let Some(arn) = ca.arn() else { continue };
            let subject = ca
                .certificate_authority_configuration()
                .and_then(|c| c.subject());
            out.push(Certificate {
                arn: arn.to_string(),
                account_id: account_id.into(),
                account_name: account_name.map(Into::into),
                region: Some(region.into()),
                domain_name: subject.and_then(|s| s.common_name()).map(str::to_string),
                cert_type: Some("PRIVATE_CA".into()),
                status: ca.status().map(|s| s.as_str().into()),
                key_algorithm: ca.certificate_authority_configuration().map(|c| {
                    certinv_core::model::normalise_key_algorithm(c.key_algorithm().as_str()).into()
                }),
                not_before: ca.not_before().and_then(instant),
                not_after: ca.not_after().and_then(instant),
                source: "acm-pca".into(),
                ..Certificate::default()
            });
        }
        match page.next_token() {
            Some(t) if !t.is_empty() => next = Some(t.to_string()),
            _ => break,
        }
    }
    Ok(out)
}

/// Link each CA to the certificates it issued; a CA with issued
/// certificates is in use by them.
pub fn link_issued(certs: &mut [Certificate]) {
    let issued: Vec<(String, String)> = certs
        .iter()
        .filter_map(|c| Some((c.certificate_authority_arn.clone()?, c.arn.clone())))
        .collect();
    for ca in certs
        .iter_mut()
        .filter(|c| c.cert_type.as_deref() == Some("PRIVATE_CA"))
    {
        ca.issued_certificates = issued
            .iter()
            .filter(|(issuer, _)| issuer == &ca.arn)
            .map(|(_, arn)| arn.clone())
            .collect();
        ca.issued_certificates.sort();
        ca.in_use_by = ca.issued_certificates.clone();
        ca.in_use = !ca.in_use_by.is_empty();
    }
}
