//! Where certificates are deployed (phase 3). One scan per account and
//! region (ELBv2, classic ELB, API Gateway v1 and v2) and one per account for
//! CloudFront, never one per certificate. The result is merged with ACM's
//! `InUseBy`, and every disagreement between the two is reported.

use std::collections::{BTreeMap, BTreeSet};

use aws_config::SdkConfig;

use crate::errors::{ScopeError, classify};
use crate::limits::InFlight;
use crate::sdk;

/// What one account-region scan found.
#[derive(Debug, Default, Clone)]
pub struct Deployments {
    /// Certificate ARN (or IAM certificate ID) → ARNs of what serves it.
    pub users: BTreeMap<String, BTreeSet<String>>,
    /// Every resource the scan saw, used or not: an `InUseBy` entry outside
    /// this set names something that no longer exists.
    pub resources: BTreeSet<String>,
}

impl Deployments {
    fn add(&mut self, resource: &str, certificate: Option<&str>) {
        self.resources.insert(resource.to_string());
        if let Some(c) = certificate.filter(|c| !c.is_empty()) {
            self.users
                .entry(c.to_string())
                .or_default()
                .insert(resource.to_string());
        }
    }

    pub fn merge(&mut self, other: Deployments) {
        for (c, u) in other.users {
            self.users.entry(c).or_default().extend(u);
        }
        self.resources.extend(other.resources);
    }
}

async fn elbv2(
    config: &SdkConfig,
    in_flight: &InFlight,
    out: &mut Deployments,
) -> Result<(), ScopeError> {
    let client = aws_sdk_elasticloadbalancingv2::Client::new(config);
    let mut balancers = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let page = in_flight
            .run(
                client
                    .describe_load_balancers()
                    .set_marker(marker.take())
                    .send(),
            )
            .await
            .map_err(|e| classify("elasticloadbalancing:DescribeLoadBalancers", &e))?;
        balancers.extend(
            page.load_balancers()
                .iter()
                .filter_map(|lb| lb.load_balancer_arn().map(str::to_string)),
        );
        match page.next_marker() {
            Some(m) if !m.is_empty() => marker = Some(m.to_string()),
            _ => break,
        }
    }
    for lb in balancers {
        out.add(&lb, None);
        let mut marker: Option<String> = None;
        loop {
            let page = in_flight
                .run(
                    client
                        .describe_listeners()
                        .load_balancer_arn(&lb)
                        .set_marker(marker.take())
                        .send(),
                )
                .await
                .map_err(|e| classify("elasticloadbalancing:DescribeListeners", &e))?;
            for listener in page.listeners() {
                for c in listener.certificates() {
                    out.add(&lb, c.certificate_arn());
                }
                let secure = listener
                    .protocol()
                    .is_some_and(|p| matches!(p.as_str(), "HTTPS" | "TLS"));
                if let (true, Some(arn)) = (secure, listener.listener_arn()) {
                    listener_certificates(&client, arn, &lb, in_flight, out).await?;
                }
            }
            match page.next_marker() {
                Some(m) if !m.is_empty() => marker = Some(m.to_string()),
                _ => break,
            }
        }
    }
    Ok(())
}

/// Additional (SNI) certificates of one listener are listed only here.
async fn listener_certificates(
    client: &aws_sdk_elasticloadbalancingv2::Client,
    listener: &str,
    lb: &str,
    in_flight: &InFlight,
    out: &mut Deployments,
) -> Result<(), ScopeError> {
    let mut marker: Option<String> = None;
    loop {
        let page = in_flight
            .run(
                client
                    .describe_listener_certificates()
                    .listener_arn(listener)
                    .set_marker(marker.take())
                    .send(),
            )
            .await
            .map_err(|e| classify("elasticloadbalancing:DescribeListenerCertificates", &e))?;
        for c in page.certificates() {
            out.add(lb, c.certificate_arn());
        }
        match page.next_marker() {
            Some(m) if !m.is_empty() => marker = Some(m.to_string()),
            _ => break,
        }
    }
    Ok(())
}

async fn classic_elb(
    config: &SdkConfig,
    account: &str,
    region: &str,
    in_flight: &InFlight,
    out: &mut Deployments,
) -> Result<(), ScopeError> {
    let client = aws_sdk_elasticloadbalancing::Client::new(config);
    let mut marker: Option<String> = None;
    loop {
        let page = in_flight
            .run(
                client
                    .describe_load_balancers()
                    .set_marker(marker.take())
                    .send(),
            )
            .await
            .map_err(|e| classify("elasticloadbalancing:DescribeLoadBalancers", &e))?;
        for lb in page.load_balancer_descriptions() {
            let Some(name) = lb.load_balancer_name() else {
                continue;
            };
            let arn =
                format!("arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/{name}");
            out.add(&arn, None);
            for l in lb.listener_descriptions() {
                out.add(&arn, l.listener().and_then(|l| l.ssl_certificate_id()));
            }
        }
        match page.next_marker() {
            Some(m) if !m.is_empty() => marker = Some(m.to_string()),
            _ => break,
        }
    }
    Ok(())
}

fn domain_arn(region: &str, name: &str) -> String {
    format!("arn:aws:apigateway:{region}::/domainnames/{name}")
}

async fn api_gateway(
    config: &SdkConfig,
    region: &str,
    in_flight: &InFlight,
    out: &mut Deployments,
) -> Result<(), ScopeError> {
    let v1 = aws_sdk_apigateway::Client::new(config);
    let mut position: Option<String> = None;
    loop {
        let page = in_flight
            .run(v1.get_domain_names().set_position(position.take()).send())
            .await
            .map_err(|e| classify("apigateway:GetDomainNames", &e))?;
        for d in page.items() {
            let Some(name) = d.domain_name() else {
                continue;
            };
            let arn = domain_arn(region, name);
            out.add(&arn, d.certificate_arn());
            out.add(&arn, d.regional_certificate_arn());
        }
        match page.position() {
            Some(p) if !p.is_empty() => position = Some(p.to_string()),
            _ => break,
        }
    }
    let v2 = aws_sdk_apigatewayv2::Client::new(config);
    let mut next: Option<String> = None;
    loop {
        let page = in_flight
            .run(v2.get_domain_names().set_next_token(next.take()).send())
            .await
            .map_err(|e| classify("apigateway:GetDomainNames", &e))?;
        for d in page.items() {
            let Some(name) = d.domain_name() else {
                continue;
            };
            let arn = domain_arn(region, name);
            for c in d.domain_name_configurations() {
                out.add(&arn, c.certificate_arn());
            }
        }
        match page.next_token() {
            Some(t) if !t.is_empty() => next = Some(t.to_string()),
            _ => break,
        }
    }
    Ok(())
}

/// CloudFront is global: one listing per account, through us-east-1.
pub async fn cloudfront(
    config: &SdkConfig,
    in_flight: &InFlight,
) -> Result<Deployments, ScopeError> {
    let client = aws_sdk_cloudfront::Client::new(&sdk::in_region(config, "us-east-1"));
    let mut out = Deployments::default();
    let mut marker: Option<String> = None;
    loop {
        let page = in_flight
            .run(client.list_distributions().set_marker(marker.take()).send())
            .await
            .map_err(|e| classify("cloudfront:ListDistributions", &e))?;
        let Some(list) = page.distribution_list() else {
            break;
        };
        for d in list.items() {
            let arn = d.arn();
            out.add(arn, None);
            if let Some(vc) = d.viewer_certificate() {
                out.add(arn, vc.acm_certificate_arn());
                out.add(arn, vc.iam_certificate_id());
            }
        }
        match list.next_marker() {
            Some(m) if list.is_truncated() && !m.is_empty() => marker = Some(m.to_string()),
            _ => break,
        }
    }
    Ok(out)
}

/// The regional services of one account-region.
pub async fn regional(
    config: &SdkConfig,
    account: &str,
    region: &str,
    in_flight: &InFlight,
) -> Result<Deployments, ScopeError> {
    let config = sdk::in_region(config, region);
    let mut out = Deployments::default();
    elbv2(&config, in_flight, &mut out).await?;
    classic_elb(&config, account, region, in_flight, &mut out).await?;
    api_gateway(&config, region, in_flight, &mut out).await?;
    Ok(out)
}

/// Every account-region (and CloudFront per account) scanned, and which failed.
#[derive(Debug, Default)]
pub struct UsageScan {
    pub deployments: Deployments,
    /// `(account, region)` pairs whose regional scan completed; CloudFront
    /// completes as `(account, "cloudfront")`.
    pub scanned: BTreeSet<(String, String)>,
    pub failed: Vec<certinv_core::model::ScopeMiss>,
}

impl UsageScan {
    /// Add another scan's findings to this one.
    pub fn absorb(&mut self, other: UsageScan) {
        self.deployments.merge(other.deployments);
        self.scanned.extend(other.scanned);
        self.failed.extend(other.failed);
    }
}

/// Scan each account once for CloudFront and each listed region once.
/// Pairs already in `done` (an earlier scan's `scanned`) are not scanned
/// again, and an account with nothing left to scan is not assumed into.
pub async fn scan(
    plan: &crate::fanout::Plan,
    caller: &str,
    pairs: &BTreeMap<String, BTreeSet<String>>,
    done: &BTreeSet<(String, String)>,
) -> UsageScan {
    use futures::{StreamExt, stream};
    let is_done = |account: &str, key: &str| done.contains(&(account.to_string(), key.to_string()));
    let todo = pairs.iter().filter_map(|(account, regions)| {
        let regions: Vec<&String> = regions.iter().filter(|r| !is_done(account, r)).collect();
        let cloudfront = !is_done(account, "cloudfront");
        (cloudfront || !regions.is_empty()).then_some((account, regions, cloudfront))
    });
    let results: Vec<UsageScan> = stream::iter(todo.collect::<Vec<_>>())
        .map(|(account, regions, cloudfront_left)| async move {
            let mut out = UsageScan::default();
            let config = match crate::fanout::account_config(plan, caller, account).await {
                Ok(c) => c,
                Err(e) => {
                    out.failed.push(crate::fanout::miss(account, None, e));
                    return out;
                }
            };
            // CloudFront and every region at once: the shared call budget
            // (`in_flight`) is what bounds them, not the order of the loop.
            let regional_scans = regions.iter().map(|region| {
                let config = &config;
                async move { regional(config, account, region, &plan.in_flight).await }
            });
            let cf = async {
                if cloudfront_left {
                    Some(cloudfront(&config, &plan.in_flight).await)
                } else {
                    None
                }
            };
            let (cf, regional) = futures::join!(cf, futures::future::join_all(regional_scans));
            match cf {
                None => {}
                Some(Ok(d)) => {
                    out.deployments.merge(d);
                    out.scanned.insert((account.clone(), "cloudfront".into()));
                }
                Some(Err(e)) => out
                    .failed
                    .push(crate::fanout::miss(account, Some("us-east-1"), e)),
            }
            for (region, result) in regions.iter().zip(regional) {
                match result {
                    Ok(d) => {
                        out.deployments.merge(d);
                        out.scanned.insert((account.clone(), region.to_string()));
                    }
                    Err(e) => out
                        .failed
                        .push(crate::fanout::miss(account, Some(region), e)),
                }
            }
            out
        })
        .buffer_unordered(plan.in_flight_accounts())
        .collect()
        .await;
    let mut all = UsageScan::default();
    for r in results {
        all.absorb(r);
    }
    all
}
