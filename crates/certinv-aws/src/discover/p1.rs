//! P1 in the decision tree: pick the aggregator, note its sources, probe
//! with the first page of the real query, then read the rest.

use certinv_core::model::{Certificate, MissReason, ScopeMiss};
use certinv_core::report::Discovery;

use super::{Fallback, Log, named_regions, names, region_in_scope, regions_read};
use crate::errors::ScopeError;
use crate::fanout::{self, Plan, account_ids, miss};
use crate::org::Account;
use crate::source::config;

pub(super) async fn via_config(
    plan: &Plan,
    aggregator: Option<&str>,
    accounts: &[Account],
    ops_region: &str,
    log: &mut Log<'_>,
) -> Result<Discovery, Fallback> {
    let ops = &plan.ops;
    let found = plan
        .in_flight
        .run(config::find_aggregator(ops, aggregator))
        .await
        .map_err(|e| Fallback::new("aggregator", format!("{:?}", e.reason), e))?;
    let Some(agg) = found else {
        let why = match aggregator {
            Some(name) => format!("configuration aggregator '{name}' not found in {ops_region}"),
            None => format!("no configuration aggregator in {ops_region}"),
        };
        return Err(Fallback::new(
            "aggregator",
            "none found",
            ScopeError::new(MissReason::NotAggregated, why),
        ));
    };
    log.add(
        "aggregator",
        format!("found {}", agg.describe()),
        None,
        format!("in {ops_region}"),
    );

    let sources = match plan
        .in_flight
        .run(config::sources_status(ops, &agg.name))
        .await
    {
        Ok(s) => Some(s),
        Err(e) => {
            log.add("sources", "status unavailable", None, e.detail);
            None
        }
    };
    let failed: Vec<_> = sources
        .iter()
        .flatten()
        .filter(|s| s.failed.is_some())
        .collect();
    if !failed.is_empty() {
        let list: Vec<String> = failed
            .iter()
            .map(|s| format!("{}/{}", s.account_id, s.region.as_deref().unwrap_or("-")))
            .collect();
        log.add(
            "sources",
            format!("{} FAILED", failed.len()),
            None,
            list.join(", "),
        );
    }

    // The probe is the first page of the real query (SPEC §9), so a
    // working aggregator costs no extra call.
    let narrowed: Option<Vec<String>> = match &plan.accounts {
        fanout::Accounts::Organization { only: None } => None,
        _ => Some(account_ids(accounts)),
    };
    let expression = config::query(narrowed.as_deref(), named_regions(plan));
    let (mut rows, mut next) = plan
        .in_flight
        .run(config::select_page(ops, &agg.name, &expression, None))
        .await
        .map_err(|e| Fallback::new("probe", format!("{:?}", e.reason), e))?;
    log.add(
        "probe",
        "answered",
        Some("P1"),
        format!("aggregator {} answered the query", agg.name),
    );
    while let Some(token) = next {
        let (more, token) = plan
            .in_flight
            .run(config::select_page(
                ops,
                &agg.name,
                &expression,
                Some(token),
            ))
            .await
            .map_err(|e| Fallback::new("select", format!("{:?}", e.reason), e))?;
        rows.extend(more);
        next = token;
    }

    let names = names(accounts);
    let in_scope_ids: std::collections::HashSet<&str> =
        accounts.iter().map(|a| a.id.as_str()).collect();
    let mut seen = std::collections::HashSet::new();
    let mut certificates: Vec<Certificate> = Vec::new();
    for row in &rows {
        let record = config::record(row, &names)
            .map_err(|e| Fallback::new("select", "unreadable row", e))?;
        if let Some(c) = record
            && in_scope_ids.contains(c.account_id.as_str())
            && region_in_scope(c.region.as_deref(), plan)
            && seen.insert(c.arn.clone())
        {
            certificates.push(c);
        }
    }
    let missing = config_coverage(&agg, sources.as_deref(), accounts, named_regions(plan));
    let regions = regions_read(plan, &certificates);
    Ok(fanout::discovery(
        "config-aggregator",
        certificates,
        missing,
        regions,
        accounts,
    ))
}

/// Accounts and regions the aggregator does not cover, or whose source failed.
fn config_coverage(
    agg: &config::Aggregator,
    sources: Option<&[config::SourceState]>,
    accounts: &[Account],
    named: Option<&[String]>,
) -> Vec<ScopeMiss> {
    let not_aggregated = |detail: String| ScopeError::new(MissReason::NotAggregated, detail);
    let mut missing = Vec::new();
    for a in accounts {
        let covered = match sources {
            Some(states) if agg.organization => states.iter().any(|s| s.account_id == a.id),
            _ if agg.organization => true,
            _ => agg.accounts.contains(&a.id),
        };
        if !covered {
            let why = format!("account is not a source of aggregator {}", agg.name);
            missing.push(miss(&a.id, None, not_aggregated(why)));
            continue;
        }
        for s in sources
            .unwrap_or_default()
            .iter()
            .filter(|s| s.account_id == a.id)
        {
            if let Some(err) = &s.failed {
                let why = format!("aggregator source FAILED: {err}");
                missing.push(miss(&a.id, s.region.as_deref(), not_aggregated(why)));
            }
        }
        if let (Some(named), Some(agg_regions)) = (named, &agg.regions) {
            for r in named.iter().filter(|r| !agg_regions.contains(r)) {
                let why = format!("region is not aggregated by {}", agg.name);
                missing.push(miss(&a.id, Some(r), not_aggregated(why)));
            }
        }
    }
    missing
}
