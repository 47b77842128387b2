//! What happens between discovery and rendering: reading the ownership
//! fields a filter or grouping needs, narrowing, accepted risks, grouping.

use std::collections::{BTreeMap, BTreeSet};

use certinv_aws::enrich;
use certinv_aws::fanout::{Event, Observer, Plan};
use certinv_aws::homes::Homes;
use certinv_aws::source::pca;
use certinv_aws::usage::{self, UsageScan};
use certinv_core::exceptions;
use certinv_core::filter::all_match;
use certinv_core::model::Certificate;
use certinv_core::model::{Groups, Report};
use certinv_core::report::{self, Discovery, View};
use certinv_core::usage::{ScanView, merge};

use crate::cli::{GroupBy, Home};
use crate::commands::report::assessment;
use crate::plan::Presentation;
use crate::progress::Progress;

pub struct Grouping {
    pub by: GroupBy,
    pub owner_tag: String,
}

/// Which extra lookups the requested output depends on.
#[derive(Debug, Clone, Copy, Default)]
pub struct Needs {
    pub tags: bool,
    pub ou: bool,
}

impl Needs {
    pub fn of(shown: &Presentation, grouping: Option<&Grouping>) -> Needs {
        Needs {
            tags: shown.filters.iter().any(|f| f.needs_tags())
                || grouping.is_some_and(|g| g.by == GroupBy::Owner),
            ou: shown.filters.iter().any(|f| f.needs_ou())
                || grouping.is_some_and(|g| g.by == GroupBy::Ou),
        }
    }
}

/// Add the certificate homes beyond ACM that `--include` asks for. IAM
/// records no users, so the accounts holding IAM certificates get a usage
/// scan here: an expired IAM certificate on a load balancer is CRITICAL.
/// Returns that scan, so a later one (the pipeline's phase 3) can skip what
/// it covered.
pub async fn include_homes(
    plan: &Plan,
    caller: &str,
    accounts: &[certinv_aws::org::Account],
    include: &[Home],
    found: &mut Discovery,
    progress: &Progress,
) -> UsageScan {
    let homes = Homes {
        iam: include.contains(&Home::Iam),
        pca: include.contains(&Home::Pca),
    };
    if !homes.any() {
        return UsageScan::default();
    }
    let (certs, missing) = certinv_aws::homes::read(plan, caller, accounts, homes).await;
    for m in &missing {
        progress.on(Event::Missed(m));
    }
    let mut iam: Vec<Certificate> = certs
        .iter()
        .filter(|c| c.region.is_none())
        .cloned()
        .collect();
    let mut scan = UsageScan::default();
    if !iam.is_empty() {
        let mut pairs: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for c in &iam {
            pairs
                .entry(c.account_id.to_string())
                .or_default()
                .extend(found.scope.regions.iter().cloned());
        }
        scan = usage::scan(plan, caller, &pairs, &BTreeSet::new()).await;
        let covered = |_: &Certificate, _: &str| false;
        merge(
            &mut iam,
            &ScanView {
                users: &scan.deployments.users,
                resources: &scan.deployments.resources,
                covered: &covered,
            },
        );
    }
    found
        .certificates
        .extend(certs.into_iter().filter(|c| c.region.is_some()));
    found.certificates.extend(iam);
    pca::link_issued(&mut found.certificates);
    found.scope.missing.extend(missing);
    let expected: Vec<String> = accounts.iter().map(|a| a.id.clone()).collect();
    found.scope = std::mem::take(&mut found.scope).with_coverage(&expected);
    for c in found.certificates.iter().filter(|c| !c.warnings.is_empty()) {
        for w in &c.warnings {
            progress.line(&format!("warning: {}: {w}", c.arn));
        }
    }
    scan
}

/// Fill tags and OU paths when asked for. A failure here narrows nothing
/// silently: it is a warning, and the fields stay empty.
pub async fn enrich(
    plan: &Plan,
    caller: &str,
    found: &mut Discovery,
    needs: Needs,
    progress: &Progress,
) {
    if needs.ou {
        let mut ids: Vec<String> = found
            .certificates
            .iter()
            .map(|c| c.account_id.to_string())
            .collect();
        ids.sort();
        ids.dedup();
        match enrich::ou_paths(&plan.management, &ids, &plan.in_flight).await {
            Ok(paths) => {
                for c in &mut found.certificates {
                    c.ou_path = paths.get(c.account_id.as_str()).cloned();
                }
            }
            Err(e) => progress.line(&format!("warning: OU paths unavailable: {}", e.detail)),
        }
    }
    // Config rows already carry tags; the other paths read them from ACM.
    if needs.tags && found.source != "config-aggregator" {
        for (account, e) in enrich::acm_tags(plan, caller, &mut found.certificates).await {
            progress.line(&format!(
                "warning: tags unavailable in account {account}: {}",
                e.detail
            ));
        }
    }
}

pub fn shape(
    mut discovery: Discovery,
    view: View,
    shown: &Presentation,
    grouping: Option<&Grouping>,
    progress: &Progress,
) -> Report {
    discovery
        .certificates
        .retain(|c| all_match(&shown.filters, c));
    let at = assessment(shown);
    let mut report = report::build(discovery, view, &at);
    if !shown.exceptions.is_empty() {
        let applied = exceptions::apply(&shown.exceptions, &mut report.certificates, at.now);
        for lapsed in &applied.lapsed {
            progress.line(&format!(
                "warning: exception for {} expired on {} and no longer applies ({})",
                lapsed
                    .arn
                    .as_deref()
                    .or(lapsed.domain.as_deref())
                    .unwrap_or("?"),
                lapsed.expires,
                lapsed.reason
            ));
        }
    }
    if let Some(g) = grouping {
        report.groups = Some(match g.by {
            GroupBy::Account => {
                Groups::of("account", &report.certificates, |c| match &c.account_name {
                    Some(n) => format!("{} {n}", c.account_id),
                    None => c.account_id.to_string(),
                })
            }
            GroupBy::Ou => Groups::of("ou", &report.certificates, |c| {
                c.ou_path.clone().unwrap_or_else(|| "(unknown)".into())
            }),
            GroupBy::Owner => Groups::of("owner", &report.certificates, |c| {
                c.tags
                    .get(&g.owner_tag)
                    .map(str::to_string)
                    .unwrap_or_else(|| "(no owner)".into())
            }),
        });
    }
    report
}
