//! The account × region matrix of the direct path: credentials per account,
//! enabled regions per account, bounded concurrency, and which failures make
//! a result partial. Sources below it see one pair; callers above it see one
//! `Discovery`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use aws_config::SdkConfig;
use certinv_core::model::{Certificate, Decision, MissReason, Scope, ScopeMiss};
use certinv_core::report::Discovery;
use futures::{StreamExt, stream};

use crate::errors::ScopeError;
use crate::limits::InFlight;
use crate::org::{self, Account, RoleSpec};
use crate::regions::enabled_regions;
use crate::sdk;
use crate::source::acm;

/// What the run tells whoever is watching (progress bar, log, tests).
pub enum Event<'a> {
    Accounts(usize),
    PairRead {
        account_id: &'a str,
        region: &'a str,
        certificates: usize,
    },
    Missed(&'a ScopeMiss),
    Warning(&'a str),
    Decision(&'a Decision),
}

pub trait Observer: Sync {
    fn on(&self, event: Event<'_>);
}

/// Which regions to read: every enabled one, or a list the user named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Regions {
    AllEnabled,
    Named(Vec<String>),
}

#[derive(Debug, Clone)]
pub enum Accounts {
    /// The caller's own account only.
    Own,
    /// ACTIVE organization accounts, optionally narrowed to a list.
    Organization { only: Option<Vec<String>> },
}

/// Everything the direct sweep needs to know, already validated.
#[derive(Clone)]
pub struct Plan {
    pub accounts: Accounts,
    pub regions: Regions,
    pub role: RoleSpec,
    pub in_flight: InFlight,
    /// Credentials of the caller (`--profile`).
    pub caller: SdkConfig,
    /// Credentials and region of the account holding the aggregator and the
    /// Resource Explorer view (`--ops-profile`, `--ops-region`).
    pub ops: SdkConfig,
    /// Credentials for Organizations and AssumeRole (`--management-profile`).
    pub management: SdkConfig,
    /// Assumed-role configs by account, so a pipeline that reads an account
    /// in several phases assumes its role once.
    pub assumed: AssumedRoles,
}

#[derive(Clone, Default)]
pub struct AssumedRoles(Arc<Mutex<HashMap<String, SdkConfig>>>);

impl AssumedRoles {
    fn get(&self, account_id: &str) -> Option<SdkConfig> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(account_id)
            .cloned()
    }

    fn put(&self, account_id: &str, config: SdkConfig) {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(account_id.to_string(), config);
    }
}

/// A failure that leaves nothing to read: no identity, no organization.
#[derive(Debug, thiserror::Error)]
#[error("{what}: {cause}")]
pub struct Unreadable {
    pub what: String,
    pub cause: ScopeError,
}

impl Unreadable {
    pub fn new(what: impl Into<String>, cause: ScopeError) -> Self {
        Unreadable {
            what: what.into(),
            cause,
        }
    }
}

/// Resolve the accounts in scope, in Organizations' order.
pub async fn accounts_in_scope(
    plan: &Plan,
    observer: &dyn Observer,
) -> Result<(String, Vec<Account>), Unreadable> {
    match &plan.accounts {
        Accounts::Own => {
            let caller = org::caller_account(&plan.caller)
                .await
                .map_err(|cause| Unreadable::new("cannot identify the caller", cause))?;
            let name = org::account_name(&plan.caller, &caller).await;
            Ok((caller.clone(), vec![Account { id: caller, name }]))
        }
        Accounts::Organization { only } => {
            let caller = org::caller_account(&plan.management)
                .await
                .map_err(|cause| Unreadable::new("cannot identify the caller", cause))?;
            let mut accounts = org::active_accounts(&plan.management)
                .await
                .map_err(|cause| {
                    Unreadable::new("cannot list the organization's accounts", cause)
                })?;
            if let Some(only) = only {
                for id in only {
                    if !accounts.iter().any(|a| &a.id == id) {
                        let text = format!(
                            "account {id} is not an ACTIVE account of the organization; skipped"
                        );
                        observer.on(Event::Warning(&text));
                    }
                }
                accounts.retain(|a| only.contains(&a.id));
            }
            Ok((caller, accounts))
        }
    }
}

/// The direct sweep (P3) over every account and region in the plan.
pub async fn direct_sweep(
    plan: &Plan,
    caller: &str,
    accounts: &[Account],
    observer: &dyn Observer,
) -> Discovery {
    observer.on(Event::Accounts(accounts.len()));
    let results: Vec<AccountResult> = stream::iter(accounts)
        .map(|account| read_account(plan, caller, account, observer))
        .buffer_unordered(plan.in_flight_accounts())
        .collect()
        .await;

    let mut certificates = Vec::new();
    let mut missing = Vec::new();
    let mut regions = Vec::new();
    for r in results {
        certificates.extend(r.certificates);
        missing.extend(r.missing);
        regions.extend(r.regions_read);
    }
    missing.sort_by(|a: &ScopeMiss, b| (&a.account_id, &a.region).cmp(&(&b.account_id, &b.region)));
    discovery("acm", certificates, missing, regions, accounts)
}

/// What every discovery path returns: the regions it read, sorted and
/// deduplicated, and the account coverage derived from what it missed.
pub fn discovery(
    source: &str,
    certificates: Vec<Certificate>,
    missing: Vec<ScopeMiss>,
    mut regions: Vec<String>,
    accounts: &[Account],
) -> Discovery {
    regions.sort();
    regions.dedup();
    Discovery {
        source: source.to_string(),
        scope: Scope {
            regions,
            missing,
            ..Scope::default()
        }
        .with_coverage(&account_ids(accounts)),
        decisions: Vec::new(),
        certificates,
    }
}

pub fn account_ids(accounts: &[Account]) -> Vec<String> {
    accounts.iter().map(|a| a.id.clone()).collect()
}

impl Plan {
    pub fn in_flight_accounts(&self) -> usize {
        // Enough accounts open at once to keep the call budget busy, few
        // enough that their assumed-role credentials are used while fresh.
        64
    }
}

#[derive(Default)]
struct AccountResult {
    certificates: Vec<Certificate>,
    missing: Vec<ScopeMiss>,
    regions_read: Vec<String>,
}

pub fn miss(account_id: &str, region: Option<&str>, e: ScopeError) -> ScopeMiss {
    ScopeMiss {
        account_id: account_id.to_string(),
        region: region.map(str::to_string),
        reason: e.reason,
        detail: e.detail,
    }
}

/// Credentials for one account: the caller's own for its own account, an
/// assumed role for every other.
pub async fn account_config(
    plan: &Plan,
    caller: &str,
    account_id: &str,
) -> Result<SdkConfig, ScopeError> {
    if account_id == caller {
        let own = match plan.accounts {
            Accounts::Own => &plan.caller,
            Accounts::Organization { .. } => &plan.management,
        };
        return Ok(own.clone());
    }
    if let Some(config) = plan.assumed.get(account_id) {
        return Ok(config);
    }
    let creds = plan
        .in_flight
        .run(org::assume_role(&plan.management, account_id, &plan.role))
        .await?;
    let config = sdk::with_credentials(&plan.management, creds, None);
    plan.assumed.put(account_id, config.clone());
    Ok(config)
}

async fn regions_for(
    plan: &Plan,
    config: &SdkConfig,
    account_id: &str,
    out: &mut AccountResult,
) -> Vec<String> {
    let enabled = plan.in_flight.run(enabled_regions(config)).await;
    match (&plan.regions, enabled) {
        (Regions::AllEnabled, Ok(enabled)) => enabled,
        (Regions::AllEnabled, Err(e)) => {
            out.missing.push(miss(account_id, None, e));
            Vec::new()
        }
        (Regions::Named(named), Ok(enabled)) => named
            .iter()
            .filter(|r| {
                let on = enabled.contains(r);
                if !on {
                    out.missing.push(miss(
                        account_id,
                        Some(r),
                        ScopeError::new(
                            MissReason::NotEnabled,
                            format!("{r} is not enabled in this account"),
                        ),
                    ));
                }
                on
            })
            .cloned()
            .collect(),
        // The user named the regions; without DescribeRegions, try them all.
        (Regions::Named(named), Err(_)) => named.clone(),
    }
}

async fn read_account(
    plan: &Plan,
    caller: &str,
    account: &Account,
    observer: &dyn Observer,
) -> AccountResult {
    let mut out = AccountResult::default();
    let config = match account_config(plan, caller, &account.id).await {
        Ok(c) => c,
        Err(e) => {
            let m = miss(&account.id, None, e);
            observer.on(Event::Missed(&m));
            out.missing.push(m);
            return out;
        }
    };
    let regions = regions_for(plan, &config, &account.id, &mut out).await;
    for m in &out.missing {
        observer.on(Event::Missed(m));
    }
    let pairs: Vec<_> = stream::iter(&regions)
        .map(|region| {
            let config = sdk::in_region(&config, region);
            async move {
                let client = aws_sdk_acm::Client::new(&config);
                let pair = acm::Pair {
                    account_id: &account.id,
                    account_name: account.name.as_deref(),
                    region,
                };
                (region, acm::read(&client, &pair, &plan.in_flight).await)
            }
        })
        .buffer_unordered(regions.len().max(1))
        .collect()
        .await;
    for (region, result) in pairs {
        match result {
            Ok(certs) => {
                observer.on(Event::PairRead {
                    account_id: &account.id,
                    region,
                    certificates: certs.len(),
                });
                out.regions_read.push(region.clone());
                out.certificates.extend(certs);
            }
            Err(e) => {
                let m = miss(&account.id, Some(region), e);
                observer.on(Event::Missed(&m));
                out.missing.push(m);
            }
        }
    }
    out
}
