//! The discovery decision tree (gate G1, SPEC §2): Config aggregator (P1),
//! else Resource Explorer (P2), else the direct sweep (P3). Every step and
//! every fallback reason is recorded, so a silent downgrade is impossible.

mod p1;
mod p2;

use std::collections::BTreeMap;

use certinv_core::model::{Certificate, Decision};
use certinv_core::report::Discovery;

use crate::errors::ScopeError;
use crate::fanout::{self, Event, Observer, Plan, Regions, Unreadable};
use crate::org::Account;
use p1::via_config;
use p2::via_explorer;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    Auto,
    Config,
    Explorer,
    Acm,
}

/// Decisions as they are taken: kept for the report and shown on stderr.
pub(super) struct Log<'a> {
    observer: &'a dyn Observer,
    decisions: Vec<Decision>,
}

impl Log<'_> {
    pub(super) fn add(
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
pub(super) struct Fallback {
    step: &'static str,
    outcome: String,
    cause: ScopeError,
}

impl Fallback {
    pub(super) fn new(step: &'static str, outcome: impl Into<String>, cause: ScopeError) -> Self {
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

/// The regions a path that lists the organization at once has read: those
/// named on the command line, or else those its certificates are in.
pub(super) fn regions_read(plan: &Plan, certificates: &[Certificate]) -> Vec<String> {
    match named_regions(plan) {
        Some(named) => named.to_vec(),
        None => certificates
            .iter()
            .filter_map(|c| c.region.as_deref().map(str::to_string))
            .collect(),
    }
}

pub(super) fn named_regions(plan: &Plan) -> Option<&[String]> {
    match &plan.regions {
        Regions::Named(r) => Some(r),
        Regions::AllEnabled => None,
    }
}

/// Only regions in scope are reported, whatever the index or aggregator holds.
pub(super) fn region_in_scope(region: Option<&str>, plan: &Plan) -> bool {
    named_regions(plan).is_none_or(|named| region.is_some_and(|r| named.iter().any(|n| n == r)))
}

pub(super) fn names(accounts: &[Account]) -> BTreeMap<String, String> {
    accounts
        .iter()
        .filter_map(|a| Some((a.id.clone(), a.name.clone()?)))
        .collect()
}
