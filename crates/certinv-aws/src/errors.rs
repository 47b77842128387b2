//! Classifying SDK failures into the reasons `scope.missing` reports. The
//! classification decides whether a failure is a partial result (one account
//! or region) or stops the run, so it lives in one place.

use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use certinv_core::model::MissReason;

/// A failure reading one scope (account, account+region, or aggregator).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{reason:?}: {detail}")]
pub struct ScopeError {
    pub reason: MissReason,
    pub detail: String,
}

impl ScopeError {
    pub fn new(reason: MissReason, detail: impl Into<String>) -> Self {
        ScopeError {
            reason,
            detail: detail.into(),
        }
    }
}

const ACCESS_DENIED: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "AuthorizationError",
    "AWSOrganizationsNotInUseException",
];
const THROTTLED: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "RequestThrottled",
    "RequestThrottledException",
    "SlowDown",
];
/// An opt-in region that is not enabled answers as if the credentials were unknown.
const NOT_ENABLED: &[&str] = &[
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "OptInRequired",
    "RegionDisabledException",
];

pub fn reason_for_code(code: &str) -> MissReason {
    if ACCESS_DENIED.contains(&code) {
        MissReason::AccessDenied
    } else if THROTTLED.contains(&code) {
        MissReason::Throttled
    } else if NOT_ENABLED.contains(&code) {
        MissReason::NotEnabled
    } else {
        MissReason::Error
    }
}

/// Map an SDK error to a scope error. The detail carries the service's code
/// and message, never request headers, so no credential can leak through it.
pub fn classify<E, R>(operation: &str, err: &SdkError<E, R>) -> ScopeError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match err {
        SdkError::ServiceError(service) => {
            let e = service.err();
            let code = e.code().unwrap_or("Unknown");
            let message = e.message().unwrap_or("");
            ScopeError::new(
                reason_for_code(code),
                format!("{operation}: {code}: {message}"),
            )
        }
        SdkError::TimeoutError(_) => {
            ScopeError::new(MissReason::Timeout, format!("{operation}: timed out"))
        }
        SdkError::DispatchFailure(d) if d.is_timeout() => {
            ScopeError::new(MissReason::Timeout, format!("{operation}: timed out"))
        }
        SdkError::DispatchFailure(_) => ScopeError::new(
            MissReason::Error,
            format!(
                "{operation}: could not reach the endpoint: {}",
                describe_chain(err)
            ),
        ),
        SdkError::ConstructionFailure(_) => ScopeError::new(
            MissReason::Error,
            format!(
                "{operation}: request could not be built (missing credentials?): {}",
                describe_chain(err)
            ),
        ),
        _ => ScopeError::new(
            MissReason::Error,
            format!("{operation}: {}", describe_chain(err)),
        ),
    }
}

/// The whole `source()` chain in one line: the SDK's top-level messages alone
/// ("dispatch failure") rarely say what to fix.
pub fn describe_chain(err: &dyn std::error::Error) -> String {
    let mut parts = vec![err.to_string()];
    let mut cur = err.source();
    while let Some(e) = cur {
        let text = e.to_string();
        if !parts.contains(&text) {
            parts.push(text);
        }
        cur = e.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_map_to_reasons() {
        assert_eq!(reason_for_code("AccessDenied"), MissReason::AccessDenied);
        assert_eq!(
            reason_for_code("ThrottlingException"),
            MissReason::Throttled
        );
        assert_eq!(
            reason_for_code("UnrecognizedClientException"),
            MissReason::NotEnabled
        );
        assert_eq!(reason_for_code("InternalFailure"), MissReason::Error);
    }
}
