//! Ownership fields, read only when a filter or grouping needs them: OU
//! paths (one lookup per account, OU names cached, never one per
//! certificate) and ACM tags for paths whose listing carries none.

use std::collections::{BTreeMap, HashMap};

use aws_config::SdkConfig;
use aws_sdk_organizations::types::ParentType;
use certinv_core::model::Certificate;
use certinv_core::tags::Tags;
use futures::{StreamExt, stream};

use crate::errors::{ScopeError, classify};
use crate::fanout::{Plan, account_config};
use crate::limits::InFlight;
use crate::sdk;

/// `/Root/Workloads/Prod` for each account, walking ListParents to the root.
pub async fn ou_paths(
    management: &SdkConfig,
    accounts: &[String],
    in_flight: &InFlight,
) -> Result<HashMap<String, String>, ScopeError> {
    let org = aws_sdk_organizations::Client::new(management);
    let mut names: HashMap<String, String> = HashMap::new();
    let mut paths = HashMap::new();
    for account in accounts {
        let mut segments = Vec::new();
        let mut child = account.clone();
        loop {
            let out = in_flight
                .run(org.list_parents().child_id(&child).send())
                .await
                .map_err(|e| classify("organizations:ListParents", &e))?;
            let Some(parent) = out.parents().first() else {
                break;
            };
            let Some(id) = parent.id() else { break };
            if parent.r#type() == Some(&ParentType::OrganizationalUnit) || id.starts_with("ou-") {
                if !names.contains_key(id) {
                    let ou = in_flight
                        .run(
                            org.describe_organizational_unit()
                                .organizational_unit_id(id)
                                .send(),
                        )
                        .await
                        .map_err(|e| classify("organizations:DescribeOrganizationalUnit", &e))?;
                    let name = ou
                        .organizational_unit()
                        .and_then(|o| o.name())
                        .unwrap_or(id);
                    names.insert(id.to_string(), name.to_string());
                }
                segments.push(names[id].clone());
                child = id.to_string();
            } else {
                break; // the root
            }
        }
        segments.push("Root".to_string());
        segments.reverse();
        paths.insert(account.clone(), format!("/{}", segments.join("/")));
    }
    Ok(paths)
}

/// ACM tags for certificates that have none yet, one call per certificate,
/// grouped so each account is assumed once.
pub async fn acm_tags(
    plan: &Plan,
    caller: &str,
    certs: &mut [Certificate],
) -> Vec<(String, ScopeError)> {
    let mut by_pair: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for c in certs
        .iter()
        .filter(|c| c.tags.is_empty() && c.arn.starts_with("arn:aws:acm:"))
    {
        if let Some(r) = &c.region {
            by_pair
                .entry((c.account_id.to_string(), r.to_string()))
                .or_default()
                .push(c.arn.clone());
        }
    }
    type Tagged = Vec<(String, Tags)>;
    let results: Vec<Result<Tagged, (String, ScopeError)>> = stream::iter(by_pair)
        .map(|((account, region), arns)| async move {
            let config = account_config(plan, caller, &account)
                .await
                .map_err(|e| (account.clone(), e))?;
            let acm = aws_sdk_acm::Client::new(&sdk::in_region(&config, &region));
            let mut out = Vec::new();
            for arn in arns {
                let tags = plan
                    .in_flight
                    .run(acm.list_tags_for_certificate().certificate_arn(&arn).send())
                    .await
                    .map_err(|e| (account.clone(), classify("acm:ListTagsForCertificate", &e)))?;
                let map = tags
                    .tags()
                    .iter()
                    .map(|t| (t.key().to_string(), t.value().unwrap_or("").to_string()))
                    .collect();
                out.push((arn, map));
            }
            Ok(out)
        })
        .buffer_unordered(plan.in_flight_accounts())
        .collect()
        .await;
    let mut found: HashMap<String, Tags> = HashMap::new();
    let mut failures = Vec::new();
    for r in results {
        match r {
            Ok(list) => found.extend(list),
            Err(f) => failures.push(f),
        }
    }
    for c in certs.iter_mut() {
        if let Some(tags) = found.remove(&c.arn) {
            c.tags = tags;
        }
    }
    failures
}
