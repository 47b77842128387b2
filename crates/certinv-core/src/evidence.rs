//! The evidence pack (phase 7, gate G3): a run directory whose every file is
//! written atomically and hashed into `manifest.json`, written last. The pack
//! is assembled under a `.partial` name and renamed into place only when the
//! manifest exists, so an interrupted run never leaves a pack that verifies.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::atomic;
use crate::signing::{PublicKey, SecretKey};

pub const MANIFEST: &str = "manifest.json";
/// The signature over the manifest's digest: outside the manifest, since it
/// signs it.
pub const SIGNATURE: &str = "manifest.sig";
pub const MANIFEST_SCHEMA: &str = "certinv-manifest/v1";
const PARTIAL_SUFFIX: &str = ".partial";

/// `YYYYMMDDTHHMMSS.mmmZ`: sorts as text in time order.
pub fn run_id(at: Timestamp) -> String {
    at.strftime("%Y%m%dT%H%M%S.%3fZ").to_string()
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub schema: String,
    pub run_id: String,
    /// File name → SHA-256 (hex) of its bytes.
    pub files: BTreeMap<String, String>,
}

impl Manifest {
    /// The digest of the manifest itself: what a ticket or a signature names.
    pub fn digest(bytes: &[u8]) -> String {
        sha256_hex(bytes)
    }
}

/// A pack being written. Files land in `<certs>/<RUN_ID>.partial/` until `seal`.
pub struct PackWriter {
    certs_dir: PathBuf,
    run_id: String,
    partial: PathBuf,
    files: BTreeMap<String, String>,
}

impl PackWriter {
    /// Create the run directory; a RUN_ID already taken gets a `-2`, `-3`… suffix.
    pub fn create(certs_dir: &Path, at: Timestamp) -> io::Result<PackWriter> {
        fs::create_dir_all(certs_dir)?;
        let base = run_id(at);
        for n in 1u32.. {
            let id = if n == 1 {
                base.clone()
            } else {
                format!("{base}-{n}")
            };
            let partial = certs_dir.join(format!("{id}{PARTIAL_SUFFIX}"));
            if certs_dir.join(&id).exists() {
                continue;
            }
            match fs::create_dir(&partial) {
                Ok(()) => {
                    return Ok(PackWriter {
                        certs_dir: certs_dir.to_path_buf(),
                        run_id: id,
                        partial,
                        files: BTreeMap::new(),
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
        unreachable!("run id suffixes are unbounded")
    }

    pub fn run_id(&self) -> &str {
        &self.run_id
    }

    pub fn partial_dir(&self) -> &Path {
        &self.partial
    }

    pub fn write(&mut self, name: &str, bytes: &[u8]) -> io::Result<()> {
        atomic::write(&self.partial.join(name), bytes)?;
        self.files.insert(name.to_string(), sha256_hex(bytes));
        Ok(())
    }

    /// Write the manifest (and its signature, given a key), then move the
    /// pack to its final name. Returns the final directory and the
    /// manifest's own digest.
    pub fn seal(self, key: Option<&SecretKey>) -> io::Result<(PathBuf, String)> {
        let manifest = Manifest {
            schema: MANIFEST_SCHEMA.to_string(),
            run_id: self.run_id.clone(),
            files: self.files,
        };
        let mut bytes = serde_json::to_vec_pretty(&manifest).map_err(io::Error::other)?;
        bytes.push(b'\n');
        atomic::write(&self.partial.join(MANIFEST), &bytes)?;
        if let Some(key) = key {
            let sig = Signed {
                schema: SIGNATURE_SCHEMA.into(),
                algorithm: "ed25519".into(),
                manifest_sha256: Manifest::digest(&bytes),
                public_key: key.public().hex(),
                signature: key.sign(&Sha256::digest(&bytes)),
            };
            let mut sig_bytes = serde_json::to_vec_pretty(&sig).map_err(io::Error::other)?;
            sig_bytes.push(b'\n');
            atomic::write(&self.partial.join(SIGNATURE), &sig_bytes)?;
        }
        let done = self.certs_dir.join(&self.run_id);
        fs::rename(&self.partial, &done)?;
        Ok((done, Manifest::digest(&bytes)))
    }

    /// Remove an unfinished pack (interrupted or failed run).
    pub fn abandon(self) {
        let _ = fs::remove_dir_all(&self.partial);
    }
}

/// Point `<certs>/latest` at a sealed run (relative, so the tree can move).
pub fn point_latest(certs_dir: &Path, run_id: &str) -> io::Result<()> {
    let tmp = certs_dir.join(format!(".latest.{}", std::process::id()));
    let _ = fs::remove_file(&tmp);
    #[cfg(unix)]
    std::os::unix::fs::symlink(run_id, &tmp)?;
    #[cfg(not(unix))]
    fs::write(&tmp, run_id)?;
    fs::rename(&tmp, certs_dir.join("latest"))
}

const SIGNATURE_SCHEMA: &str = "certinv-signature/v1";

#[derive(Debug, Serialize, Deserialize)]
struct Signed {
    schema: String,
    algorithm: String,
    manifest_sha256: String,
    public_key: String,
    signature: String,
}

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("signature check failed: {0}")]
    Signature(String),
    #[error("{0} is not an evidence pack: {1}")]
    NotAPack(String, String),
    #[error("evidence file missing: {0}")]
    Missing(String),
    #[error("evidence file changed: {0} (SHA-256 does not match the manifest)")]
    Changed(String),
}

/// What a successful verification checked.
#[derive(Debug)]
pub struct Verified {
    pub run_id: String,
    pub files: usize,
    pub manifest_digest: String,
}

pub fn read_manifest(dir: &Path) -> Result<(Manifest, Vec<u8>), VerifyError> {
    let shown = dir.display().to_string();
    if !dir.is_dir() {
        return Err(VerifyError::NotAPack(shown, "not a directory".into()));
    }
    let bytes = fs::read(dir.join(MANIFEST))
        .map_err(|_| VerifyError::NotAPack(shown.clone(), format!("no {MANIFEST}")))?;
    let manifest: Manifest = serde_json::from_slice(&bytes).map_err(|e| {
        VerifyError::NotAPack(shown.clone(), format!("{MANIFEST} is unreadable: {e}"))
    })?;
    if manifest.schema != MANIFEST_SCHEMA {
        return Err(VerifyError::NotAPack(
            shown,
            format!("manifest schema is '{}'", manifest.schema),
        ));
    }
    Ok((manifest, bytes))
}

/// Re-check a pack: every listed file present, every digest matching, and
/// nothing that should be listed left out of the manifest.
pub fn verify(
    dir: &Path,
    required: &[&str],
    key: Option<&PublicKey>,
) -> Result<Verified, VerifyError> {
    let (manifest, bytes) = read_manifest(dir)?;
    if let Some(key) = key {
        check_signature(dir, &bytes, key)?;
    }
    for name in required {
        if !manifest.files.contains_key(*name) {
            return Err(VerifyError::Missing(format!(
                "{name} (not in the manifest)"
            )));
        }
    }
    for (name, want) in &manifest.files {
        if name.contains('/') || name.contains("..") {
            return Err(VerifyError::NotAPack(
                dir.display().to_string(),
                format!("manifest names '{name}'"),
            ));
        }
        let body = fs::read(dir.join(name)).map_err(|_| VerifyError::Missing(name.clone()))?;
        if &sha256_hex(&body) != want {
            return Err(VerifyError::Changed(name.clone()));
        }
    }
    Ok(Verified {
        run_id: manifest.run_id,
        files: manifest.files.len(),
        manifest_digest: Manifest::digest(&bytes),
    })
}

fn check_signature(dir: &Path, manifest: &[u8], key: &PublicKey) -> Result<(), VerifyError> {
    let fail = |m: &str| VerifyError::Signature(m.to_string());
    let text = fs::read(dir.join(SIGNATURE))
        .map_err(|_| fail("the pack is not signed (no manifest.sig)"))?;
    let sig: Signed =
        serde_json::from_slice(&text).map_err(|_| fail("manifest.sig is unreadable"))?;
    if sig.manifest_sha256 != Manifest::digest(manifest) {
        return Err(fail("manifest.sig signs a different manifest"));
    }
    if !key.verify(&Sha256::digest(manifest), &sig.signature) {
        return Err(fail("the signature does not match this public key"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp() -> tempfile::TempDir {
        tempfile::tempdir().unwrap()
    }

    fn at() -> Timestamp {
        "2026-03-24T01:02:03.456Z".parse().unwrap()
    }

    fn sealed(dir: &Path) -> PathBuf {
        let mut w = PackWriter::create(dir, at()).unwrap();
        w.write("a.json", b"{}").unwrap();
        w.write("b.csv", b"x,y\n").unwrap();
        w.seal(None).unwrap().0
    }

    #[test]
    fn run_ids_sort_and_do_not_collide() {
        assert_eq!(run_id(at()), "20260324T010203.456Z");
        let d = tmp();
        let first = sealed(d.path());
        let second = sealed(d.path());
        assert!(first.ends_with("20260324T010203.456Z"));
        assert!(second.ends_with("20260324T010203.456Z-2"));
    }

    #[test]
    fn a_sealed_pack_verifies_and_a_changed_byte_does_not() {
        let d = tmp();
        let pack = sealed(d.path());
        let ok = verify(&pack, &["a.json"], None).unwrap();
        assert_eq!(ok.files, 2);
        fs::write(pack.join("b.csv"), b"x,z\n").unwrap();
        assert!(matches!(verify(&pack, &[], None), Err(VerifyError::Changed(n)) if n == "b.csv"));
        fs::remove_file(pack.join("a.json")).unwrap();
        assert!(matches!(verify(&pack, &[], None), Err(VerifyError::Missing(n)) if n == "a.json"));
    }

    #[test]
    fn an_unsealed_pack_is_not_a_pack() {
        let d = tmp();
        let mut w = PackWriter::create(d.path(), at()).unwrap();
        w.write("a.json", b"{}").unwrap();
        let partial = w.partial_dir().to_path_buf();
        assert!(matches!(
            verify(&partial, &[], None),
            Err(VerifyError::NotAPack(..))
        ));
        w.abandon();
        assert!(!partial.exists());
    }

    #[test]
    fn a_required_file_left_out_of_the_manifest_fails() {
        let d = tmp();
        let pack = sealed(d.path());
        assert!(matches!(
            verify(&pack, &["gates.json"], None),
            Err(VerifyError::Missing(_))
        ));
    }

    #[test]
    fn a_signed_pack_verifies_with_its_key_only() {
        let d = tmp();
        let key = SecretKey::generate().unwrap();
        let mut w = PackWriter::create(d.path(), at()).unwrap();
        w.write("a.json", b"{}").unwrap();
        let (pack, _) = w.seal(Some(&key)).unwrap();
        assert!(verify(&pack, &[], Some(&key.public())).is_ok());
        let other = SecretKey::generate().unwrap().public();
        assert!(matches!(
            verify(&pack, &[], Some(&other)),
            Err(VerifyError::Signature(_))
        ));
        let unsigned = sealed(d.path());
        assert!(matches!(
            verify(&unsigned, &[], Some(&key.public())),
            Err(VerifyError::Signature(_))
        ));
    }

    #[test]
    fn latest_points_at_the_run() {
        let d = tmp();
        let pack = sealed(d.path());
        let id = pack.file_name().unwrap().to_str().unwrap();
        point_latest(d.path(), id).unwrap();
        assert!(verify(&d.path().join("latest"), &[], None).is_ok());
    }
}
