//! certinv's pure logic: the certificate model, triage rules, report building,
//! rendering and snapshot reading. Nothing here touches AWS, the network or the
//! system clock, which keeps every rule testable at a chosen instant.

pub mod atomic;
pub mod coord;
pub mod crossval;
pub mod diff;
pub mod evidence;
pub mod exceptions;
pub mod filter;
pub mod gates;
pub mod matching;
pub mod model;
pub mod order;
pub mod par;
pub mod permute;
pub mod render;
pub mod report;
pub mod signing;
pub mod snapshot;
pub mod tags;
pub mod time;
pub mod triage;
pub mod usage;

#[cfg(test)]
pub(crate) mod testing;
