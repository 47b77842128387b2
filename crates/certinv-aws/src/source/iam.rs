//! IAM server certificates: still served by classic load balancers,
//! CloudFront and ELBv2 listeners, and forgotten by most tools. IAM is
//! global, so one listing per account; region is `null`. The expiry comes
//! from the API's `Expiration` and is cross-checked against the body.

use aws_config::SdkConfig;
use certinv_core::model::Certificate;
use x509_parser::prelude::*;

use super::instant;
use crate::errors::{ScopeError, classify};
use crate::limits::InFlight;

/// What the certificate body itself says.
#[derive(Debug, Default, PartialEq)]
pub struct Body {
    pub common_name: Option<String>,
    pub sans: Vec<String>,
    pub not_before: Option<jiff::Timestamp>,
    pub not_after: Option<jiff::Timestamp>,
    pub key_algorithm: Option<String>,
}

/// Parse a PEM certificate body; `None` when it is not one.
pub fn parse_body(pem: &str) -> Option<Body> {
    let (_, pem) = parse_x509_pem(pem.as_bytes()).ok()?;
    let cert = pem.parse_x509().ok()?;
    let ts = |t: &ASN1Time| jiff::Timestamp::from_second(t.timestamp()).ok();
    let common_name = cert
        .subject()
        .iter_common_name()
        .next()
        .and_then(|cn| cn.as_str().ok())
        .map(str::to_string);
    let sans = cert
        .subject_alternative_name()
        .ok()
        .flatten()
        .map(|ext| {
            ext.value
                .general_names
                .iter()
                .filter_map(|n| match n {
                    GeneralName::DNSName(d) => Some(d.to_string()),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    let key_algorithm = match cert.public_key().parsed() {
        Ok(x509_parser::public_key::PublicKey::RSA(rsa)) => Some(format!("RSA_{}", rsa.key_size())),
        Ok(x509_parser::public_key::PublicKey::EC(_)) => {
            let curve = cert
                .public_key()
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .map(|oid| oid.to_id_string());
            Some(match curve.as_deref() {
                Some("1.2.840.10045.3.1.7") => "EC_prime256v1".into(),
                Some("1.3.132.0.34") => "EC_secp384r1".into(),
                Some("1.3.132.0.35") => "EC_secp521r1".into(),
                _ => "EC".into(),
            })
        }
        _ => None,
    };
    Some(Body {
        common_name,
        sans,
        not_before: ts(&cert.validity().not_before),
        not_after: ts(&cert.validity().not_after),
        key_algorithm,
    })
}

/// Every IAM server certificate of one account.
pub async fn read(
    config: &SdkConfig,
    account_id: &str,
    account_name: Option<&str>,
    in_flight: &InFlight,
) -> Result<Vec<Certificate>, ScopeError> {
    let iam = aws_sdk_iam::Client::new(config);
    let mut metas = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let page = in_flight
            .run(
                iam.list_server_certificates()
                    .set_marker(marker.take())
                    .send(),
            )
            .await
            .map_err(|e| classify("iam:ListServerCertificates", &e))?;
        let truncated = page.is_truncated();
        let next = page.marker().map(str::to_string);
        metas.extend(page.server_certificate_metadata_list);
        match next {
            Some(m) if truncated && !m.is_empty() => marker = Some(m),
            _ => break,
        }
    }
    let mut out = Vec::new();
    for m in metas {
        let got = in_flight
            .run(
                iam.get_server_certificate()
                    .server_certificate_name(m.server_certificate_name())
                    .send(),
            )
            .await
            .map_err(|e| classify("iam:GetServerCertificate", &e))?;
        let body = got
            .server_certificate()
            .and_then(|c| parse_body(c.certificate_body()))
            .unwrap_or_default();
        let expiration = m.expiration().and_then(instant);
        let mut warnings = Vec::new();
        if let (Some(api), Some(b)) = (expiration, body.not_after)
            && api != b
        {
            let days = api.duration_since(b).as_secs_f64() / 86_400.0;
            warnings.push(format!(
                "IAM Expiration {} differs from the certificate body's NotAfter {} by {days:.1} days",
                certinv_core::time::format_utc(api),
                certinv_core::time::format_utc(b)
            ));
        }
        out.push(Certificate {
            arn: m.arn().to_string(),
            account_id: account_id.into(),
            account_name: account_name.map(Into::into),
            region: None,
            domain_name: body
                .common_name
                .clone()
                .or_else(|| Some(m.server_certificate_name().to_string())),
            subject_alternative_names: body.sans,
            cert_type: Some("IAM_SERVER".into()),
            key_algorithm: body.key_algorithm.map(Into::into),
            not_before: body
                .not_before
                .or_else(|| m.upload_date().and_then(instant)),
            not_after: expiration.or(body.not_after),
            source: "iam".into(),
            resource_id: Some(m.server_certificate_id().to_string()),
            warnings,
            // IAM records no users: the usage scan (CLB, ELBv2, CloudFront) decides.
            ..Certificate::default()
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_not_a_body() {
        assert_eq!(parse_body("not a certificate"), None);
    }
}
