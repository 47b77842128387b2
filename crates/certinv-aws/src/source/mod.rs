//! Discovery sources. Each knows one account-region pair (or one aggregator)
//! and nothing about fan-out, credentials or which failures count as partial.

pub mod acm;
pub mod config;
pub mod explorer;
pub mod iam;
pub mod pca;

use aws_smithy_types::DateTime;
use jiff::Timestamp;

pub(crate) fn instant(dt: &DateTime) -> Option<Timestamp> {
    Timestamp::new(dt.secs(), dt.subsec_nanos() as i32).ok()
}
