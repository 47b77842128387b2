//! The discovery decision tree (gate G1, SPEC §2): Config aggregator (P1),
//! else Resource Explorer (P2), else the direct sweep (P3). Every step and
//! every fallback reason is recorded, so a silent downgrade is impossible.

use std::collections::BTreeMap;

use certinv_core::model::{Certificate, Decision, MissReason, Scope, ScopeMiss};
use certinv_core::report::Discovery;
use futures::{StreamExt, stream};

use crate::errors::ScopeError;
use crate::fanout::{self, Event, Observer, Plan, Regions, Unreadable, account_ids, miss};
use crate::org::Account;
use crate::regions::all_regions;
use crate::sdk;
use crate::source::{acm, config, explorer};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    Auto,
    Config,
    Explorer,
    Acm,
}

/// Decisions as they are taken: kept for the report and shown on stderr.
struct Log<'a> {
    observer: &'a dyn Observer,
    decisions: Vec<Decision>,
}

impl Log<'_> {
    fn add(
        &mut self,
        step: &str,
        outcome: impl Into<String>,
        path: Option<&str>,
        reason: impl Into<String>,
    ) {
        let d = Decision {
            gate: "G1".into(),
            step: step.into(),
            outcome: outcome.into(),
            path: path.map(str::to_string),
            reason: reason.into(),
        };
        self.observer.on(Event::Decision(&d));
        self.decisions.push(d);
    }
}

/// Why a path could not run: the step that stopped it, what was seen, and the cause.
struct Fallback {
    step: &'static str,
    outcome: String,
    cause: ScopeError,
}

impl Fallback {
    fn new(step: &'static str, outcome: impl Into<String>, cause: ScopeError) -> Self {
        Fallback {
            step,
            outcome: outcome.into(),
            cause,
        }
    }
}

/// Run the decision tree for `choice` and return what the chosen path found.
/// A forced path that cannot run is an error, never a silent fallback.
pub async fn discover(
    plan: &Plan,
    choice: Choice,
    aggregator: Option<&str>,
    (caller, accounts): (&str, &[Account]),
    observer: &dyn Observer,
) -> Result<Discovery, Unreadable> {
    let mut log = Log {
        observer,
        decisions: Vec::new(),
    };
    match choice {
        Choice::Auto => log.add("source", "auto", None, "walking the decision tree"),
        forced => log.add(
            "source",
            "forced",
            None,
            format!("--source {}", source_flag(forced)),
        ),
    }
    let ops_region = plan.ops.region().map(|r| r.to_string()).unwrap_or_default();

    if matches!(choice, Choice::Auto | Choice::Config) {
        match via_config(plan, aggregator, accounts, &ops_region, &mut log).await {
            Ok(found) => return Ok(with_decisions(found, log)),
            Err(fb) => {
                let next = (choice == Choice::Auto).then_some("P2");
                log.add(fb.step, fb.outcome, next, fb.cause.detail.clone());
                if choice == Choice::Config {
                    return Err(Unreadable::new("--source config cannot run", fb.cause));
                }
            }
        }
    }
    if matches!(choice, Choice::Auto | Choice::Explorer) {
        match via_explorer(plan, caller, accounts, &mut log).await {
            Ok(found) => return Ok(with_decisions(found, log)),
            Err(fb) => {
                let next = (choice == Choice::Auto).then_some("P3");
                log.add(fb.step, fb.outcome, next, fb.cause.detail.clone());
                if choice == Choice::Explorer {
                    return Err(Unreadable::new("--source explorer cannot run", fb.cause));
                }
            }
        }
    }
    log.add(
        "direct",
        "sweep",
        Some("P3"),
        "ACM in every account and region",
    );
    let found = fanout::direct_sweep(plan, caller, accounts, observer).await;
    Ok(with_decisions(found, log))
}

fn source_flag(choice: Choice) -> &'static str {
    match choice {
        Choice::Auto => "auto",
        Choice::Config => "config",
        Choice::Explorer => "explorer",
        Choice::Acm => "acm",
    }
}

fn with_decisions(mut found: Discovery, log: Log<'_>) -> Discovery {
    found.decisions = log.decisions;
    found
}

fn named_regions(plan: &Plan) -> Option<&[String]> {
    match &plan.regions {
        Regions::Named(r) => Some(r),
        Regions::AllEnabled => None,
    }
}

/// Only regions in scope are reported, whatever the index or aggregator holds.
fn region_in_scope(region: Option<&str>, plan: &Plan) -> bool {
    named_regions(plan).is_none_or(|named| region.is_some_and(|r| named.iter().any(|n| n == r)))
}

fn names(accounts: &[Account]) -> BTreeMap<String, String> {
    accounts
        .iter()
        .filter_map(|a| Some((a.id.clone(), a.name.clone()?)))
        .collect()
}

async fn via_config(
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
    let mut regions: Vec<String> = match named_regions(plan) {
        Some(named) => named.to_vec(),
        None => certificates
            .iter()
            .filter_map(|c| c.region.clone())
            .collect(),
    };
    regions.sort();
    regions.dedup();
    Ok(Discovery {
        source: "config-aggregator".into(),
        scope: Scope {
            regions,
            missing,
            ..Scope::default()
        }
        .with_coverage(&account_ids(accounts)),
        decisions: Vec::new(),
        certificates,
    })
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

async fn via_explorer(
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
    let mut regions: Vec<String> = match named_regions(plan) {
        Some(named) => named.to_vec(),
        None => certificates
            .iter()
            .filter_map(|c| c.region.clone())
            .collect(),
    };
    regions.sort();
    regions.dedup();
    Ok(Discovery {
        source: "resource-explorer".into(),
        scope: Scope {
            regions,
            missing,
            ..Scope::default()
        }
        .with_coverage(&account_ids(accounts)),
        decisions: Vec::new(),
        certificates,
    })
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
