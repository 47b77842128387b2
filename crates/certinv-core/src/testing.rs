//! Builders shared by the unit and golden tests.

use crate::model::Certificate;

/// A certificate with only its ARN set; its account is read from the ARN.
pub fn cert(arn: &str) -> Certificate {
    let account_id = arn.split(':').nth(4).unwrap_or("111111111111").to_string();
    Certificate {
        arn: arn.to_string(),
        account_id: account_id.into(),
        account_name: None,
        region: None,
        domain_name: None,
        subject_alternative_names: Vec::new(),
        cert_type: None,
        status: None,
        key_algorithm: None,
        not_before: None,
        not_after: None,
        days_to_expiry: None,
        in_use: false,
        in_use_by: Vec::new(),
        renewal_eligibility: None,
        renewal_status: None,
        bucket: None,
        source: "acm".into(),
        tags: Default::default(),
        renewal_risk: false,
        ou_path: None,
        excepted: None,
        resource_id: None,
        issued_certificates: Vec::new(),
        warnings: Vec::new(),
        certificate_authority_arn: None,
    }
}
