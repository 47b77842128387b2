//! `verify` reads a manifest an attacker may have edited: any bytes must be
//! judged (not a pack, missing, changed), never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = std::env::temp_dir().join(format!("certinv-fuzz-manifest-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    if std::fs::write(dir.join("manifest.json"), data).is_ok() {
        let _ = certinv_core::evidence::verify(&dir, &["inventory.json"], None);
    }
});
