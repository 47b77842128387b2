//! P2: Resource Explorer's aggregator index names every certificate's ARN,
//! account and region in a few calls; certinv then describes each one in its
//! own account. A search stops at 1,000 results, so a query that hits the cap
//! is split by region, then by account, until every part is complete.

use aws_config::SdkConfig;
use aws_sdk_resourceexplorer2::types::IndexType;
use certinv_core::model::MissReason;

use crate::errors::{ScopeError, classify};
use crate::sdk;

const RESOURCE_TYPE: &str = "resourcetype:acm:certificate";
const MAX_RESULTS: i32 = 1000;

#[derive(Debug, Clone)]
pub struct View {
    pub arn: String,
    pub region: String,
}

/// Why P2 cannot run, in words for the decision log.
pub type NotUsable = String;

/// Find the aggregator index and an organization-scoped view in its region.
pub async fn find_view(ops: &SdkConfig) -> Result<Result<View, NotUsable>, ScopeError> {
    let client = aws_sdk_resourceexplorer2::Client::new(ops);
    let mut pages = client.list_indexes().into_paginator().send();
    let mut indexes = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| classify("resource-explorer-2:ListIndexes", &e))?;
        indexes.extend(page.indexes.unwrap_or_default());
    }
    let Some(aggregator) = indexes
        .iter()
        .find(|i| i.r#type() == Some(&IndexType::Aggregator))
    else {
        return Ok(Err(if indexes.is_empty() {
            "no Resource Explorer index".to_string()
        } else {
            "only LOCAL Resource Explorer indexes, no AGGREGATOR index".to_string()
        }));
    };
    let Some(region) = aggregator.region().map(str::to_string) else {
        return Ok(Err("the aggregator index has no region".to_string()));
    };
    let client = aws_sdk_resourceexplorer2::Client::new(&sdk::in_region(ops, &region));
    let default = client
        .get_default_view()
        .send()
        .await
        .map_err(|e| classify("resource-explorer-2:GetDefaultView", &e))?
        .view_arn;
    let mut candidates: Vec<String> = default.into_iter().collect();
    if candidates.is_empty() {
        let mut pages = client.list_views().into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| classify("resource-explorer-2:ListViews", &e))?;
            candidates.extend(page.views.unwrap_or_default());
        }
    }
    let mut scopes = Vec::new();
    for arn in candidates {
        let view = client
            .get_view()
            .view_arn(&arn)
            .send()
            .await
            .map_err(|e| classify("resource-explorer-2:GetView", &e))?
            .view;
        let scope = view
            .as_ref()
            .and_then(|v| v.scope())
            .unwrap_or("")
            .to_string();
        if is_organization_scope(&scope) {
            return Ok(Ok(View { arn, region }));
        }
        scopes.push(scope);
    }
    Ok(Err(if scopes.is_empty() {
        format!("no Resource Explorer view in {region}")
    } else {
        format!(
            "no view in {region} is scoped to the organization (scopes: {})",
            scopes.join(", ")
        )
    }))
}

fn is_organization_scope(scope: &str) -> bool {
    scope.starts_with("arn:") && scope.split(':').nth(2) == Some("organizations")
}

/// One certificate the index knows: where it lives.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hit {
    pub account_id: String,
    pub region: String,
    pub arn: String,
}

async fn search(
    client: &aws_sdk_resourceexplorer2::Client,
    view: &View,
    query: &str,
) -> Result<(Vec<Hit>, bool), ScopeError> {
    let mut hits = Vec::new();
    let mut complete = true;
    let mut next: Option<String> = None;
    loop {
        let out = client
            .search()
            .view_arn(&view.arn)
            .query_string(query)
            .max_results(MAX_RESULTS)
            .set_next_token(next.take())
            .send()
            .await
            .map_err(|e| classify("resource-explorer-2:Search", &e))?;
        if let Some(count) = out.count() {
            complete &= count.complete().unwrap_or(true);
        }
        hits.extend(out.resources().iter().filter_map(|r| {
            Some(Hit {
                account_id: r.owning_account_id()?.to_string(),
                region: r.region()?.to_string(),
                arn: r.arn()?.to_string(),
            })
        }));
        match out.next_token {
            Some(t) if !t.is_empty() => next = Some(t),
            _ => break,
        }
    }
    Ok((hits, complete))
}

/// What the index returned, plus the parts that stayed over the cap even
/// after splitting down to one account and region.
#[derive(Debug, Default)]
pub struct Found {
    pub hits: Vec<Hit>,
    pub searches: usize,
    pub over_cap: Vec<(String, String)>,
}

/// Every certificate visible in the view, split as needed to stay under the cap.
/// `regions` and `accounts` are the split keys, used only when a query is capped.
pub async fn find_certificates(
    ops: &SdkConfig,
    view: &View,
    regions: &[String],
    accounts: &[String],
) -> Result<Found, ScopeError> {
    let client = aws_sdk_resourceexplorer2::Client::new(&sdk::in_region(ops, &view.region));
    let mut found = Found::default();
    let (hits, complete) = search(&client, view, RESOURCE_TYPE).await?;
    found.searches += 1;
    if complete {
        found.hits = hits;
        return Ok(found);
    }
    for region in regions {
        let by_region = format!("{RESOURCE_TYPE} region:{region}");
        let (hits, complete) = search(&client, view, &by_region).await?;
        found.searches += 1;
        if complete {
            found.hits.extend(hits);
            continue;
        }
        for account in accounts {
            let by_account = format!("{by_region} accountid:{account}");
            let (hits, complete) = search(&client, view, &by_account).await?;
            found.searches += 1;
            if !complete {
                found.over_cap.push((account.clone(), region.clone()));
            }
            found.hits.extend(hits);
        }
    }
    found.hits.sort();
    found.hits.dedup();
    Ok(found)
}

/// A part the index could not list completely, as a scope miss.
pub fn over_cap_error() -> ScopeError {
    ScopeError::new(
        MissReason::Error,
        "resource-explorer-2:Search: more than 1,000 certificates in one account and region; \
         use --source acm for this scope",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn organization_scopes_are_recognised() {
        assert!(is_organization_scope(
            "arn:aws:organizations::123456789012:organization/o-abc"
        ));
        assert!(!is_organization_scope("arn:aws:iam::123456789012:root"));
        assert!(!is_organization_scope("123456789012"));
    }
}
