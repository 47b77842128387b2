//! Building SDK configuration: profiles, region, endpoint override, retries
//! and timeouts. Every client certinv makes comes from a config built here,
//! so an endpoint override (the emulator) reaches all of them, STS included.

use std::path::PathBuf;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;

/// Region used when neither a flag, the environment nor the profile names one.
pub const FALLBACK_REGION: &str = "us-east-1";

#[derive(Debug, Clone, Default)]
pub struct Connection {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
    pub max_attempts: Option<u32>,
}

fn retry_config(max_attempts: Option<u32>) -> RetryConfig {
    // Backoff with jitter, capped so a throttled scope gives up in bounded time.
    RetryConfig::standard()
        .with_max_attempts(max_attempts.unwrap_or(8).max(1))
        .with_initial_backoff(Duration::from_millis(100))
        .with_max_backoff(Duration::from_secs(10))
}

fn timeout_config() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(5))
        .read_timeout(Duration::from_secs(30))
        .operation_attempt_timeout(Duration::from_secs(30))
        .operation_timeout(Duration::from_secs(180))
        .build()
}

/// Load the configuration for one profile (or the default chain).
pub async fn load(conn: &Connection) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(retry_config(conn.max_attempts))
        .timeout_config(timeout_config());
    if let Some(p) = &conn.profile {
        loader = loader.profile_name(p);
    }
    if let Some(r) = &conn.region {
        loader = loader.region(Region::new(r.clone()));
    }
    if let Some(url) = &conn.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    let config = loader.load().await;
    if config.region().is_some() {
        config
    } else {
        config
            .into_builder()
            .region(Region::new(FALLBACK_REGION))
            .build()
    }
}

/// The same configuration with other credentials (an assumed role) and,
/// optionally, another region.
pub fn with_credentials(base: &SdkConfig, creds: Credentials, region: Option<&str>) -> SdkConfig {
    let mut b = base.to_builder().credentials_provider(
        aws_credential_types::provider::SharedCredentialsProvider::new(creds),
    );
    if let Some(r) = region {
        b = b.region(Region::new(r.to_string()));
    }
    b.build()
}

pub fn in_region(base: &SdkConfig, region: &str) -> SdkConfig {
    base.to_builder()
        .region(Region::new(region.to_string()))
        .build()
}

/// Whether a named profile is defined in the shared config or credentials
/// file. A typo in `--profile` is bad input (exit 2), not an authentication
/// failure, so it is checked before any call.
pub fn profile_exists(name: &str) -> bool {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let file = |var: &str, default: &str| {
        std::env::var_os(var)
            .map(PathBuf::from)
            .or_else(|| home.as_ref().map(|h| h.join(".aws").join(default)))
    };
    let config = file("AWS_CONFIG_FILE", "config");
    let credentials = file("AWS_SHARED_CREDENTIALS_FILE", "credentials");
    let in_file = |path: Option<PathBuf>, config_style: bool| {
        let Some(text) = path.and_then(|p| std::fs::read_to_string(p).ok()) else {
            return false;
        };
        text.lines()
            .any(|line| section_names(line, config_style) == Some(name))
    };
    in_file(config, true) || in_file(credentials, false)
}

/// `[profile x]` or `[default]` in the config file; `[x]` in the credentials file.
fn section_names(line: &str, config_style: bool) -> Option<&str> {
    let inner = line.trim().strip_prefix('[')?.strip_suffix(']')?.trim();
    if !config_style || inner == "default" {
        return Some(inner);
    }
    inner
        .strip_prefix("profile")
        .map(str::trim)
        .filter(|n| !n.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_sections_follow_cli_file_conventions() {
        assert_eq!(section_names("[profile mgmt]", true), Some("mgmt"));
        assert_eq!(section_names(" [default] ", true), Some("default"));
        assert_eq!(section_names("[mgmt]", false), Some("mgmt"));
        assert_eq!(section_names("[sso-session corp]", true), None);
        assert_eq!(section_names("region = x", true), None);
    }
}
