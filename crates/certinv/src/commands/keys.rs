//! `certinv keygen`, and reading the key files `pipeline --sign-key` and
//! `verify --pubkey` take. A private key never reaches stdout or stderr.

use std::path::{Path, PathBuf};

use certinv_core::signing::{PublicKey, SecretKey};

use crate::commands::report::Failure;
use crate::exit;
use crate::plan::BadInput;

fn with_ext(prefix: &Path, ext: &str) -> PathBuf {
    let mut name = prefix.as_os_str().to_owned();
    name.push(format!(".{ext}"));
    PathBuf::from(name)
}

pub fn keygen(prefix: &Path) -> Result<u8, Failure> {
    let (secret_path, public_path) = (with_ext(prefix, "key"), with_ext(prefix, "pub"));
    for p in [&secret_path, &public_path] {
        if p.exists() {
            return Err(BadInput(format!(
                "{} already exists; not overwriting a key",
                p.display()
            ))
            .into());
        }
    }
    crate::plan::check_out_path(&secret_path)?;
    let key = SecretKey::generate().map_err(|e| Failure {
        code: exit::UNREADABLE,
        message: e.to_string(),
    })?;
    write_private(&secret_path, key.to_text().as_bytes())
        .map_err(|e| BadInput(format!("cannot write {}: {e}", secret_path.display())))?;
    certinv_core::atomic::write(&public_path, key.public().to_text().as_bytes())
        .map_err(|e| BadInput(format!("cannot write {}: {e}", public_path.display())))?;
    println!("private key: {} (keep it secret)", secret_path.display());
    println!("public key:  {}", public_path.display());
    Ok(exit::OK)
}

/// Created with mode 0600 from the start, so the key is never readable by others.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

fn read(path: &Path) -> Result<String, Failure> {
    std::fs::read_to_string(path)
        .map_err(|e| BadInput(format!("cannot read key {}: {e}", path.display())).into())
}

pub fn read_secret(path: &Path) -> Result<SecretKey, Failure> {
    SecretKey::parse(&read(path)?)
        .map_err(|e| BadInput(format!("--sign-key {}: {e}", path.display())).into())
}

pub fn read_public(path: &Path) -> Result<PublicKey, Failure> {
    PublicKey::parse(&read(path)?)
        .map_err(|e| BadInput(format!("--pubkey {}: {e}", path.display())).into())
}
