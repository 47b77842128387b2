//! Enabled regions per account. Opt-in regions differ between accounts, so
//! each account is asked with its own credentials.

use aws_config::SdkConfig;

use crate::errors::{ScopeError, classify};

pub async fn enabled_regions(config: &SdkConfig) -> Result<Vec<String>, ScopeError> {
    let ec2 = aws_sdk_ec2::Client::new(config);
    let out = ec2
        .describe_regions()
        .all_regions(false)
        .send()
        .await
        .map_err(|e| classify("ec2:DescribeRegions", &e))?;
    let mut regions: Vec<String> = out
        .regions
        .unwrap_or_default()
        .into_iter()
        .filter(|r| {
            // With AllRegions=false only enabled regions come back, but an
            // endpoint that ignores the flag still marks the rest.
            r.opt_in_status.as_deref() != Some("not-opted-in")
        })
        .filter_map(|r| r.region_name)
        .collect();
    regions.sort();
    regions.dedup();
    Ok(regions)
}

/// AWS region names: `ap-southeast-2`, `us-gov-west-1`, `eu-central-1`.
pub fn is_region_name(name: &str) -> bool {
    let mut parts = name.split('-');
    let Some(first) = parts.next() else {
        return false;
    };
    let rest: Vec<&str> = parts.collect();
    let Some((last, middle)) = rest.split_last() else {
        return false;
    };
    first.len() == 2
        && first.bytes().all(|b| b.is_ascii_lowercase())
        && !middle.is_empty()
        && middle
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && !last.is_empty()
        && last.bytes().all(|b| b.is_ascii_digit())
}

/// Every region AWS offers the account, enabled or not: the split keys for
/// a capped Resource Explorer search.
pub async fn all_regions(config: &SdkConfig) -> Result<Vec<String>, ScopeError> {
    let ec2 = aws_sdk_ec2::Client::new(config);
    let out = ec2
        .describe_regions()
        .all_regions(true)
        .send()
        .await
        .map_err(|e| classify("ec2:DescribeRegions", &e))?;
    let mut regions: Vec<String> = out
        .regions
        .unwrap_or_default()
        .into_iter()
        .filter_map(|r| r.region_name)
        .collect();
    regions.sort();
    regions.dedup();
    Ok(regions)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_names_follow_aws_form() {
        for good in [
            "ap-southeast-2",
            "us-east-1",
            "us-gov-west-1",
            "eu-central-2",
        ] {
            assert!(is_region_name(good), "{good}");
        }
        for bad in [
            "",
            "us",
            "us-east",
            "useast1",
            "US-EAST-1",
            "u-east-1",
            "us--1",
            "us-east-1a",
            "us-east-1 ",
        ] {
            assert!(!is_region_name(bad), "{bad:?}");
        }
    }
}
