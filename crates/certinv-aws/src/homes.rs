//! Certificate homes beyond ACM (`--include iam,pca`): IAM server
//! certificates (one listing per account) and private CAs (per region).
//! They need each account's role, so they are opt-in: P1's promise of a
//! couple of calls for the whole organization holds without them.

use certinv_core::model::{Certificate, ScopeMiss};
use futures::{StreamExt, stream};

use crate::fanout::{Plan, Regions, account_config, miss};
use crate::org::Account;
use crate::regions::enabled_regions;
use crate::sdk;
use crate::source::{iam, pca};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Homes {
    pub iam: bool,
    pub pca: bool,
}

impl Homes {
    pub fn any(self) -> bool {
        self.iam || self.pca
    }
}

/// Read the extra homes of every account in scope.
pub async fn read(
    plan: &Plan,
    caller: &str,
    accounts: &[Account],
    homes: Homes,
) -> (Vec<Certificate>, Vec<ScopeMiss>) {
    let results: Vec<(Vec<Certificate>, Vec<ScopeMiss>)> = stream::iter(accounts)
        .map(|a| async move {
            let mut certs = Vec::new();
            let mut missing = Vec::new();
            let config = match account_config(plan, caller, &a.id).await {
                Ok(c) => c,
                Err(e) => return (certs, vec![miss(&a.id, None, e)]),
            };
            if homes.iam {
                match iam::read(&config, &a.id, a.name.as_deref(), &plan.in_flight).await {
                    Ok(c) => certs.extend(c),
                    Err(e) => missing.push(miss(&a.id, None, e)),
                }
            }
            if homes.pca {
                let regions = match &plan.regions {
                    Regions::Named(r) => r.clone(),
                    Regions::AllEnabled => match plan.in_flight.run(enabled_regions(&config)).await
                    {
                        Ok(r) => r,
                        Err(e) => {
                            missing.push(miss(&a.id, None, e));
                            Vec::new()
                        }
                    },
                };
                for r in regions {
                    let in_region = sdk::in_region(&config, &r);
                    match pca::read(&in_region, &a.id, a.name.as_deref(), &r, &plan.in_flight).await
                    {
                        Ok(c) => certs.extend(c),
                        Err(e) => missing.push(miss(&a.id, Some(&r), e)),
                    }
                }
            }
            (certs, missing)
        })
        .buffer_unordered(plan.in_flight_accounts())
        .collect()
        .await;
    let mut certs = Vec::new();
    let mut missing = Vec::new();
    for (c, m) in results {
        certs.extend(c);
        missing.extend(m);
    }
    (certs, missing)
}
