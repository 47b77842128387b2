//! ed25519 signatures over an evidence pack's manifest digest, so an auditor
//! holding only the public key can tell the pack came from the key holder.
//! Keys are small text files: a header line naming the kind, then hex.

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

const SECRET_HEADER: &str = "certinv-ed25519-secret-v1";
const PUBLIC_HEADER: &str = "certinv-ed25519-public-v1";

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("not a certinv {0} key file")]
    WrongKind(&'static str),
    #[error("key file is damaged: {0}")]
    Damaged(String),
    #[error("no system randomness: {0}")]
    Random(String),
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex<const N: usize>(text: &str) -> Option<[u8; N]> {
    let text = text.trim();
    if text.len() != N * 2 {
        return None;
    }
    let mut out = [0u8; N];
    for (i, chunk) in text.as_bytes().chunks(2).enumerate() {
        out[i] = u8::from_str_radix(std::str::from_utf8(chunk).ok()?, 16).ok()?;
    }
    Some(out)
}

fn body<'a>(text: &'a str, header: &str, kind: &'static str) -> Result<&'a str, KeyError> {
    let mut lines = text.lines();
    if lines.next().map(str::trim) != Some(header) {
        return Err(KeyError::WrongKind(kind));
    }
    lines
        .next()
        .ok_or_else(|| KeyError::Damaged("no key line".into()))
}

pub struct SecretKey(SigningKey);
pub struct PublicKey(VerifyingKey);

impl SecretKey {
    pub fn generate() -> Result<SecretKey, KeyError> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| KeyError::Random(e.to_string()))?;
        Ok(SecretKey(SigningKey::from_bytes(&seed)))
    }

    pub fn parse(text: &str) -> Result<SecretKey, KeyError> {
        let seed = unhex::<32>(body(text, SECRET_HEADER, "secret")?)
            .ok_or_else(|| KeyError::Damaged("expected 64 hex digits".into()))?;
        Ok(SecretKey(SigningKey::from_bytes(&seed)))
    }

    pub fn to_text(&self) -> String {
        format!("{SECRET_HEADER}\n{}\n", hex(&self.0.to_bytes()))
    }

    pub fn public(&self) -> PublicKey {
        PublicKey(self.0.verifying_key())
    }

    pub fn sign(&self, message: &[u8]) -> String {
        hex(&self.0.sign(message).to_bytes())
    }
}

impl PublicKey {
    pub fn parse(text: &str) -> Result<PublicKey, KeyError> {
        let bytes = unhex::<32>(body(text, PUBLIC_HEADER, "public")?)
            .ok_or_else(|| KeyError::Damaged("expected 64 hex digits".into()))?;
        VerifyingKey::from_bytes(&bytes)
            .map(PublicKey)
            .map_err(|e| KeyError::Damaged(e.to_string()))
    }

    pub fn to_text(&self) -> String {
        format!("{PUBLIC_HEADER}\n{}\n", self.hex())
    }

    pub fn hex(&self) -> String {
        hex(self.0.as_bytes())
    }

    pub fn verify(&self, message: &[u8], signature_hex: &str) -> bool {
        let Some(bytes) = unhex::<64>(signature_hex) else {
            return false;
        };
        self.0
            .verify_strict(message, &Signature::from_bytes(&bytes))
            .is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_signatures_bind_key_and_message() {
        let a = SecretKey::generate().unwrap();
        let a = SecretKey::parse(&a.to_text()).unwrap();
        let a_pub = PublicKey::parse(&a.public().to_text()).unwrap();
        let b_pub = SecretKey::generate().unwrap().public();
        let sig = a.sign(b"digest");
        assert!(a_pub.verify(b"digest", &sig));
        assert!(!a_pub.verify(b"other", &sig));
        assert!(!b_pub.verify(b"digest", &sig));
        assert!(!a_pub.verify(b"digest", "zz"));
    }

    #[test]
    fn the_wrong_kind_of_file_is_named() {
        let a = SecretKey::generate().unwrap();
        assert!(matches!(
            PublicKey::parse(&a.to_text()),
            Err(KeyError::WrongKind("public"))
        ));
        assert!(matches!(
            SecretKey::parse("hello"),
            Err(KeyError::WrongKind("secret"))
        ));
    }
}
