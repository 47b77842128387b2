//! P1: one SQL query to a Config aggregator lists every certificate in every
//! account and region it covers, 100 per page. Fields Config does not carry
//! stay `None`; nothing is filled in from another path.

use std::collections::BTreeMap;

use aws_config::SdkConfig;
use aws_sdk_config::types::{AggregatedSourceStatusType, ConfigurationAggregator};
use certinv_core::model::{Certificate, MissReason, normalise_key_algorithm};
use jiff::Timestamp;
use serde_json::Value;

use crate::errors::{ScopeError, classify};

/// Config's page size limit for aggregate queries.
pub const PAGE: i32 = 100;

const FIELDS: &str = "arn, resourceId, accountId, awsRegion, configuration.domainName, \
configuration.subjectAlternativeNames, configuration.type, configuration.status, \
configuration.keyAlgorithm, configuration.notBefore, configuration.notAfter, \
configuration.inUseBy, configuration.renewalEligibility, \
configuration.renewalSummary.renewalStatus, configuration.certificateAuthorityArn, tags";

/// Where the aggregator's data comes from, as far as certinv can tell.
#[derive(Debug, Clone)]
pub struct Aggregator {
    pub name: String,
    pub organization: bool,
    /// Account sources (empty for an organization aggregator).
    pub accounts: Vec<String>,
    /// `None` when every region is aggregated.
    pub regions: Option<Vec<String>>,
}

impl Aggregator {
    fn from_sdk(a: &ConfigurationAggregator) -> Option<Aggregator> {
        let name = a.configuration_aggregator_name()?.to_string();
        if let Some(org) = a.organization_aggregation_source() {
            return Some(Aggregator {
                name,
                organization: true,
                accounts: Vec::new(),
                regions: (!org.all_aws_regions()).then(|| org.aws_regions().to_vec()),
            });
        }
        let sources = a.account_aggregation_sources();
        let all_regions = sources.iter().any(|s| s.all_aws_regions());
        let mut regions: Vec<String> = sources
            .iter()
            .flat_map(|s| s.aws_regions().to_vec())
            .collect();
        regions.sort();
        regions.dedup();
        let mut accounts: Vec<String> = sources
            .iter()
            .flat_map(|s| s.account_ids().to_vec())
            .collect();
        accounts.sort();
        accounts.dedup();
        Some(Aggregator {
            name,
            organization: false,
            accounts,
            regions: (!all_regions).then_some(regions),
        })
    }

    pub fn describe(&self) -> String {
        if self.organization {
            format!("{} (organization)", self.name)
        } else {
            format!("{} ({} accounts)", self.name, self.accounts.len())
        }
    }
}

/// The aggregator to query: the named one, else an organization aggregator,
/// else the account aggregator covering the most accounts.
pub async fn find_aggregator(
    ops: &SdkConfig,
    name: Option<&str>,
) -> Result<Option<Aggregator>, ScopeError> {
    let client = aws_sdk_config::Client::new(ops);
    let mut found = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let out = client
            .describe_configuration_aggregators()
            .set_configuration_aggregator_names(name.map(|n| vec![n.to_string()]))
            .set_next_token(next.take())
            .send()
            .await;
        let out = match out {
            Ok(o) => o,
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_no_such_configuration_aggregator_exception()) =>
            {
                return Ok(None);
            }
            Err(e) => return Err(classify("config:DescribeConfigurationAggregators", &e)),
        };
        found.extend(
            out.configuration_aggregators()
                .iter()
                .filter_map(Aggregator::from_sdk),
        );
        match out.next_token {
            Some(t) if !t.is_empty() => next = Some(t),
            _ => break,
        }
    }
    found.sort_by_key(|a| (!a.organization, std::cmp::Reverse(a.accounts.len())));
    Ok(found.into_iter().next())
}

/// One aggregated source's state, from `DescribeConfigurationAggregatorSourcesStatus`.
#[derive(Debug, Clone)]
pub struct SourceState {
    pub account_id: String,
    pub region: Option<String>,
    pub failed: Option<String>,
}

pub async fn sources_status(
    ops: &SdkConfig,
    aggregator: &str,
) -> Result<Vec<SourceState>, ScopeError> {
    let client = aws_sdk_config::Client::new(ops);
    let mut pages = client
        .describe_configuration_aggregator_sources_status()
        .configuration_aggregator_name(aggregator)
        .into_paginator()
        .send();
    let mut states = Vec::new();
    while let Some(page) = pages.next().await {
        let page =
            page.map_err(|e| classify("config:DescribeConfigurationAggregatorSourcesStatus", &e))?;
        for s in page.aggregated_source_status_list() {
            let Some(account_id) = s.source_id() else {
                continue;
            };
            let failed = (s.last_update_status() == Some(&AggregatedSourceStatusType::Failed))
                .then(|| {
                    format!(
                        "{}: {}",
                        s.last_error_code().unwrap_or("FAILED"),
                        s.last_error_message().unwrap_or("")
                    )
                });
            states.push(SourceState {
                account_id: account_id.to_string(),
                region: s.aws_region().map(str::to_string),
                failed,
            });
        }
    }
    Ok(states)
}

/// The query, with account and region narrowing only from validated values:
/// account IDs are 12 digits and regions match AWS's form, checked by the caller.
pub fn query(accounts: Option<&[String]>, regions: Option<&[String]>) -> String {
    let list = |items: &[String]| {
        items
            .iter()
            .map(|i| format!("'{}'", i.replace('\'', "''")))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut q = format!("SELECT {FIELDS} WHERE resourceType = 'AWS::ACM::Certificate'");
    if let Some(a) = accounts.filter(|a| !a.is_empty()) {
        q.push_str(&format!(" AND accountId IN ({})", list(a)));
    }
    if let Some(r) = regions.filter(|r| !r.is_empty()) {
        q.push_str(&format!(" AND awsRegion IN ({})", list(r)));
    }
    q
}

/// One page of the aggregate query: its rows and the token for the next.
pub async fn select_page(
    ops: &SdkConfig,
    aggregator: &str,
    expression: &str,
    next: Option<String>,
) -> Result<(Vec<String>, Option<String>), ScopeError> {
    let client = aws_sdk_config::Client::new(ops);
    let out = client
        .select_aggregate_resource_config()
        .configuration_aggregator_name(aggregator)
        .expression(expression)
        .limit(PAGE)
        .set_next_token(next)
        .send()
        .await
        .map_err(|e| classify("config:SelectAggregateResourceConfig", &e))?;
    let next = out.next_token.filter(|t| !t.is_empty());
    Ok((out.results.unwrap_or_default(), next))
}

fn text(v: &Value, path: &[&str]) -> Option<String> {
    path.iter()
        .try_fold(v, |v, k| v.get(k))?
        .as_str()
        .map(str::to_string)
}

/// Config writes dates as ISO strings; accept epoch milliseconds as well.
fn instant(v: &Value, key: &str) -> Option<Timestamp> {
    match v.get("configuration")?.get(key)? {
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => Timestamp::from_millisecond(n.as_i64()?).ok(),
        _ => None,
    }
}

fn strings(v: &Value, key: &str) -> Vec<String> {
    v.get("configuration")
        .and_then(|c| c.get(key))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// One query row as a certificate record. Rows without an ARN or account are
/// not certificates certinv can name, so they are dropped.
pub fn record(
    row: &str,
    names: &BTreeMap<String, String>,
) -> Result<Option<Certificate>, ScopeError> {
    let v: Value = serde_json::from_str(row).map_err(|e| {
        ScopeError::new(
            MissReason::Error,
            format!("config: result row is not JSON: {e}"),
        )
    })?;
    let Some(arn) = text(&v, &["arn"]).or_else(|| text(&v, &["resourceId"])) else {
        return Ok(None);
    };
    let Some(account_id) = text(&v, &["accountId"]) else {
        return Ok(None);
    };
    let conf = |k: &str| text(&v, &["configuration", k]);
    let in_use_by = strings(&v, "inUseBy");
    let tags = v
        .get("tags")
        .and_then(Value::as_array)
        .map(|tags| {
            tags.iter()
                .filter_map(|t| {
                    Some((
                        t.get("key")?.as_str()?.to_string(),
                        t.get("value")?.as_str()?.to_string(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(Some(Certificate {
        arn,
        account_name: names.get(&account_id).map(Into::into),
        account_id: account_id.into(),
        region: text(&v, &["awsRegion"]).map(Into::into),
        domain_name: conf("domainName"),
        subject_alternative_names: strings(&v, "subjectAlternativeNames"),
        cert_type: conf("type").map(Into::into),
        status: conf("status").map(Into::into),
        key_algorithm: conf("keyAlgorithm").map(|k| normalise_key_algorithm(&k).into()),
        not_before: instant(&v, "notBefore"),
        not_after: instant(&v, "notAfter"),
        days_to_expiry: None,
        in_use: !in_use_by.is_empty(),
        in_use_by,
        renewal_eligibility: conf("renewalEligibility").map(Into::into),
        renewal_status: text(&v, &["configuration", "renewalSummary", "renewalStatus"])
            .map(Into::into),
        bucket: None,
        source: "config-aggregator".into(),
        certificate_authority_arn: conf("certificateAuthorityArn"),
        tags,
        renewal_risk: false,
        ou_path: None,
        excepted: None,
        resource_id: None,
        issued_certificates: Vec::new(),
        warnings: Vec::new(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_narrows_only_with_quoted_literals() {
        let q = query(
            Some(&["111111111111".into()]),
            Some(&["us-east-1".into(), "ap-southeast-2".into()]),
        );
        assert!(q.ends_with(
            "WHERE resourceType = 'AWS::ACM::Certificate' AND accountId IN ('111111111111') \
             AND awsRegion IN ('us-east-1', 'ap-southeast-2')"
        ));
        // Even a value that slipped past validation cannot close its literal.
        let q = query(Some(&["1' OR '1'='1".into()]), None);
        assert!(q.contains("('1'' OR ''1''=''1')"), "{q}");
    }

    #[test]
    fn rows_become_records_with_nulls_for_unknowns() {
        let row = r#"{"arn":"arn:aws:acm:us-east-1:111111111111:certificate/a","accountId":"111111111111",
            "awsRegion":"us-east-1","configuration":{"domainName":"a.example","keyAlgorithm":"EC-prime256v1",
            "notAfter":"2027-01-01T00:00:00.000Z","inUseBy":["arn:lb"],"renewalSummary":{"renewalStatus":"SUCCESS"}},
            "tags":[{"key":"Owner","value":"web"}]}"#;
        let names = BTreeMap::from([("111111111111".to_string(), "prod".to_string())]);
        let c = record(row, &names).unwrap().unwrap();
        assert_eq!(c.account_name.as_deref(), Some("prod"));
        assert_eq!(c.key_algorithm.as_deref(), Some("EC_prime256v1"));
        assert_eq!(c.not_after, Some("2027-01-01T00:00:00Z".parse().unwrap()));
        assert_eq!(c.not_before, None);
        assert_eq!(c.status, None);
        assert!(c.in_use);
        assert_eq!(c.renewal_status.as_deref(), Some("SUCCESS"));
        assert_eq!(c.tags.get("Owner"), Some("web"));
        assert_eq!(c.source, "config-aggregator");
    }

    #[test]
    fn epoch_millisecond_dates_are_read_too() {
        let row = r#"{"arn":"a","accountId":"1","configuration":{"notAfter":1798761600000}}"#;
        let c = record(row, &BTreeMap::new()).unwrap().unwrap();
        assert_eq!(c.not_after, Some("2027-01-01T00:00:00Z".parse().unwrap()));
    }
}
