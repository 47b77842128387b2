//! P2 in the decision tree: the organization view, capped searches split
//! as needed, then DescribeCertificate only where the index saw certificates.

use std::collections::BTreeMap;

use certinv_core::model::{Certificate, MissReason, ScopeMiss};
use certinv_core::report::Discovery;
use futures::{StreamExt, stream};

use super::{Fallback, Log, named_regions, region_in_scope, regions_read};
use crate::errors::ScopeError;
use crate::fanout::{self, Event, Observer, Plan, account_ids, miss};
use crate::org::Account;
use crate::regions::all_regions;
use crate::sdk;
use crate::source::{acm, explorer};

pub(super) async fn via_explorer(
    plan: &Plan,
    caller: &str,
    accounts: &[Account],
    log: &mut Log<'_>,
) -> Result<Discovery, Fallback> {
    let view = match plan.in_flight.run(explorer::find_view(&plan.ops)).await {
        Ok(Ok(v)) => v,
        Ok(Err(why)) => {
            return Err(Fallback::new(
                "explorer",
                "not usable",
                ScopeError::new(MissReason::Error, why),
            ));
        }
        Err(e) => return Err(Fallback::new("explorer", format!("{:?}", e.reason), e)),
    };
    log.add(
        "explorer",
        "organization view found",
        Some("P2"),
        view.arn.clone(),
    );

    let split_regions = match named_regions(plan) {
        Some(named) => named.to_vec(),
        None => {
            let in_region = sdk::in_region(&plan.ops, &view.region);
            plan.in_flight
                .run(all_regions(&in_region))
                .await
                .unwrap_or_default()
        }
    };
    let found =
        explorer::find_certificates(&plan.ops, &view, &split_regions, &account_ids(accounts))
            .await
            .map_err(|e| Fallback::new("search", format!("{:?}", e.reason), e))?;
    if found.searches > 1 {
        log.add(
            "explorer",
            format!("split into {} searches", found.searches),
            None,
            "a search reached 1,000 results",
        );
    }

    // account → region → ARNs, so each account is assumed once and ACM is
    // called only where the index saw a certificate.
    let mut by_account: BTreeMap<&str, BTreeMap<&str, Vec<String>>> = BTreeMap::new();
    // Only accounts in scope are reported: an index or aggregator may still
    // list suspended or removed accounts.
    let in_scope_ids: std::collections::HashSet<&str> =
        accounts.iter().map(|a| a.id.as_str()).collect();
    for h in found.hits.iter().filter(|h| {
        in_scope_ids.contains(h.account_id.as_str()) && region_in_scope(Some(&h.region), plan)
    }) {
        by_account
            .entry(&h.account_id)
            .or_default()
            .entry(&h.region)
            .or_default()
            .push(h.arn.clone());
    }
    let mut missing: Vec<ScopeMiss> = found
        .over_cap
        .iter()
        .map(|(a, r)| miss(a, Some(r), explorer::over_cap_error()))
        .collect();
    let results: Vec<(Vec<Certificate>, Vec<ScopeMiss>)> = stream::iter(accounts)
        .map(|account| {
            let pairs = by_account
                .get(account.id.as_str())
                .cloned()
                .unwrap_or_default();
            describe_account(plan, caller, account, pairs, log.observer)
        })
        .buffer_unordered(plan.in_flight_accounts())
        .collect()
        .await;
    let mut certificates = Vec::new();
    for (certs, misses) in results {
        certificates.extend(certs);
        missing.extend(misses);
    }
    missing.sort_by(|a, b| (&a.account_id, &a.region).cmp(&(&b.account_id, &b.region)));
    let regions = regions_read(plan, &certificates);
    Ok(fanout::discovery(
        "resource-explorer",
        certificates,
        missing,
        regions,
        accounts,
    ))
}

async fn describe_account(
    plan: &Plan,
    caller: &str,
    account: &Account,
    pairs: BTreeMap<&str, Vec<String>>,
    observer: &dyn Observer,
) -> (Vec<Certificate>, Vec<ScopeMiss>) {
    if pairs.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let config = match fanout::account_config(plan, caller, &account.id).await {
        Ok(c) => c,
        Err(e) => {
            let m = miss(&account.id, None, e);
            observer.on(Event::Missed(&m));
            return (Vec::new(), vec![m]);
        }
    };
    let mut certificates = Vec::new();
    let mut missing = Vec::new();
    for (region, arns) in pairs {
        let client = aws_sdk_acm::Client::new(&sdk::in_region(&config, region));
        let pair = acm::Pair {
            account_id: &account.id,
            account_name: account.name.as_deref(),
            region,
        };
        match acm::describe_all(&client, arns, &pair, &plan.in_flight).await {
            Ok(certs) => {
                observer.on(Event::PairRead {
                    account_id: &account.id,
                    region,
                    certificates: certs.len(),
                });
                certificates.extend(certs.into_iter().map(|c| Certificate {
                    source: "resource-explorer".into(),
                    ..c
                }));
            }
            Err(e) => {
                let m = miss(&account.id, Some(region), e);
                observer.on(Event::Missed(&m));
                missing.push(m);
            }
        }
    }
    (certificates, missing)
}
