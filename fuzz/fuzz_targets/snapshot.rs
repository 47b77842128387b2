//! The snapshot reader takes files from anywhere: any bytes must give a
//! report or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = certinv_core::snapshot::read(data);
});
