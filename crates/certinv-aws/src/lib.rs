//! The only certinv crate that talks to AWS. It turns a validated plan into a
//! `Discovery` (certificates, scope, decisions); everything after that is the
//! core crate's pure logic.

pub mod discover;
pub mod enrich;
pub mod errors;
pub mod fanout;
pub mod homes;
pub mod limits;
pub mod org;
pub mod regions;
pub mod sdk;
pub mod source;
pub mod usage;
