//! Integration tests: the real `certinv` binary against the project's emulator.
//! One test binary, because each links the whole AWS SDK.

mod checks;
mod direct;
mod emulator;
mod faults;
mod hostile;
mod lookups;
mod ownership;
mod pipeline;
mod safety;
mod sources;
