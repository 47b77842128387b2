//! Builders shared by the unit and golden tests.

use crate::model::{Certificate, Report};

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

/// A report around `certificates`, with the other fields empty.
pub fn report(certificates: Vec<Certificate>) -> Report {
    let text = r#"{"schema":"certinv/v1","generated_at":"2026-01-01T00:00:00Z","now":"2026-01-01T00:00:00Z","source":"acm",
        "scope":{"accounts_expected":1,"accounts_covered":1,"regions":["r"],"missing":[]},
        "summary":{"total":0,"accounts":0,"buckets":{"CRITICAL":0,"HIGH":0,"MEDIUM":0,"OK":0,"REMOVE":0,"NOT_ISSUED":0}},
        "decisions":[],"certificates":[]}"#;
    let mut r: Report = serde_json::from_str(text).expect("a valid empty report");
    r.certificates = certificates;
    r
}
