//! Who the caller is, which accounts the organization has, and credentials
//! for each of them. Each member account is read through its own assumed
//! role: reusing the caller's session would report the management account's
//! certificates under every account ID.

use aws_config::SdkConfig;
use aws_credential_types::Credentials;
use certinv_core::model::MissReason;

use crate::errors::{ScopeError, classify};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: String,
    pub name: Option<String>,
}

pub async fn caller_account(config: &SdkConfig) -> Result<String, ScopeError> {
    let sts = aws_sdk_sts::Client::new(config);
    let out = sts
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| classify("sts:GetCallerIdentity", &e))?;
    out.account.ok_or_else(|| {
        ScopeError::new(
            MissReason::Error,
            "sts:GetCallerIdentity returned no account",
        )
    })
}

/// ACTIVE accounts of the organization, in the order Organizations lists them.
pub async fn active_accounts(config: &SdkConfig) -> Result<Vec<Account>, ScopeError> {
    let org = aws_sdk_organizations::Client::new(config);
    let mut pages = org.list_accounts().into_paginator().send();
    let mut accounts = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| classify("organizations:ListAccounts", &e))?;
        for a in page.accounts.unwrap_or_default() {
            if let (true, Some(id)) = (is_active(&a), a.id) {
                accounts.push(Account { id, name: a.name });
            }
        }
    }
    Ok(accounts)
}

#[allow(deprecated)] // `status` is deprecated for `state`; older endpoints send only `status`.
fn is_active(a: &aws_sdk_organizations::types::Account) -> bool {
    use aws_sdk_organizations::types::{AccountState, AccountStatus};
    match (&a.state, &a.status) {
        (Some(state), _) => *state == AccountState::Active,
        (None, Some(status)) => *status == AccountStatus::Active,
        (None, None) => false,
    }
}

/// The name Organizations gives one account, when the caller may ask.
pub async fn account_name(config: &SdkConfig, account_id: &str) -> Option<String> {
    let org = aws_sdk_organizations::Client::new(config);
    let out = org
        .describe_account()
        .account_id(account_id)
        .send()
        .await
        .ok()?;
    out.account?.name
}

#[derive(Debug, Clone)]
pub struct RoleSpec {
    pub role_name: String,
    pub session_name: String,
    pub external_id: Option<String>,
}

/// One explicit AssumeRole per account, so a denied role is classified before
/// any other call and counted exactly once.
pub async fn assume_role(
    management: &SdkConfig,
    account_id: &str,
    role: &RoleSpec,
) -> Result<Credentials, ScopeError> {
    let sts = aws_sdk_sts::Client::new(management);
    let role_arn = format!("arn:aws:iam::{account_id}:role/{}", role.role_name);
    let out = sts
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name(&role.session_name)
        .set_external_id(role.external_id.clone())
        .send()
        .await
        .map_err(|e| classify("sts:AssumeRole", &e))?;
    let c = out.credentials.ok_or_else(|| {
        ScopeError::new(MissReason::Error, "sts:AssumeRole returned no credentials")
    })?;
    let expiry = std::time::SystemTime::try_from(c.expiration).ok();
    Ok(Credentials::new(
        c.access_key_id,
        c.secret_access_key,
        Some(c.session_token),
        expiry,
        "certinv-assume-role",
    ))
}
