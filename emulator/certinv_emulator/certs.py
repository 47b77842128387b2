"""Certificate bodies for seeding: one key per ACM key type, many certificates per key.

Keys are generated when the process starts, on a background thread (the RSA 3072/4096
ones take most of a second and OpenSSL releases the GIL, so this overlaps moto's own
imports), then reused for every certificate of that type. They live only in memory:
nothing here is ever written to disk or committed.
"""

from __future__ import annotations

import hashlib
import threading
from concurrent.futures import Future
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

# ACM's KeyAlgorithm values in the form ListCertificates and Includes.keyTypes use.
KEY_TYPES = (
    "RSA_1024",
    "RSA_2048",
    "RSA_3072",
    "RSA_4096",
    "EC_prime256v1",
    "EC_secp384r1",
    "EC_secp521r1",
)
# What ListCertificates returns when the caller gives no Includes.keyTypes.
DEFAULT_LISTED_KEY_TYPES = ("RSA_1024", "RSA_2048")
# The private CAs' own key (RSA 2048, as ACM PCA's default KeyAlgorithm): apart from the
# leaf keys, so no CA shares its public key with a certificate it issued.
CA_KEY = "CA_RSA_2048"

_CURVES = {
    "EC_prime256v1": (ec.SECP256R1, hashes.SHA256),
    "EC_secp384r1": (ec.SECP384R1, hashes.SHA384),
    "EC_secp521r1": (ec.SECP521R1, hashes.SHA512),
}


def describe_form(key_type: str) -> str:
    """DescribeCertificate spells KeyAlgorithm with a hyphen (``RSA-2048``,
    ``EC-prime256v1``) where ListCertificates uses ``RSA_2048``."""
    return key_type.replace("_", "-", 1)


def _generate(key_type: str):
    if key_type == CA_KEY:
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if key_type.startswith("RSA_"):
        return rsa.generate_private_key(public_exponent=65537, key_size=int(key_type[4:]))
    curve, _ = _CURVES[key_type]
    return ec.generate_private_key(curve())


class KeyRing:
    """Lazily-awaited private keys, one per key type, made on one background thread."""

    # Slowest first, so they are ready by the time moto has imported.
    _ORDER = ("RSA_3072", "RSA_4096", "RSA_2048", "RSA_1024",
              "EC_prime256v1", "EC_secp384r1", "EC_secp521r1", CA_KEY)

    def __init__(self) -> None:
        self._futures: dict[str, Future] = {k: Future() for k in KEY_TYPES + (CA_KEY,)}
        self._pem: dict[str, bytes] = {}
        self._started = False
        self._lock = threading.Lock()

    def start(self) -> None:
        with self._lock:
            if self._started:
                return
            self._started = True
        threading.Thread(target=self._run, name="certinv-keygen", daemon=True).start()

    def _run(self) -> None:
        for key_type in self._ORDER:
            future = self._futures[key_type]
            try:
                future.set_result(_generate(key_type))
            except BaseException as err:  # surfaced to whoever waits on this key
                future.set_exception(err)

    def wait_all(self) -> None:
        """Returns once every key is made (a process about to fork must not leave the
        key thread mid-work)."""
        self.start()
        for future in self._futures.values():
            future.exception()

    def key(self, key_type: str):
        self.start()
        return self._futures[key_type].result()

    def key_pem(self, key_type: str) -> bytes:
        with self._lock:
            pem = self._pem.get(key_type)
        if pem is None:
            pem = self.key(key_type).private_bytes(
                encoding=serialization.Encoding.PEM,
                format=serialization.PrivateFormat.TraditionalOpenSSL,
                encryption_algorithm=serialization.NoEncryption(),
            )
            with self._lock:
                self._pem[key_type] = pem
        return pem


KEYRING = KeyRing()


def _signature_hash(key_type: str):
    if key_type in _CURVES:
        return _CURVES[key_type][1]()
    return hashes.SHA256()


def _deterministic_serial(seed: str) -> int:
    # Positive, at most 20 octets, never zero: what RFC 5280 asks of a serial.
    return int.from_bytes(hashlib.sha256(seed.encode()).digest()[:16], "big") | 1


def build_certificate(
    *,
    key_type: str,
    domain: str,
    sans: list[str],
    not_before: datetime,
    not_after: datetime,
    issuer_cn: str,
    issuer_org: str,
    serial_seed: str,
    signed_by_ca: bool = False,
) -> bytes:
    """A PEM X.509 server certificate with the given validity window.

    It is signed by its own key under an issuer name that looks like the real one; ACM
    never verifies the chain of what it stores, and nothing in certinv does either.
    With ``signed_by_ca`` it is signed by the private CAs' key instead (a scenario's
    ``issuer_ca``), so it verifies against that CA's certificate (build_ca_certificate).
    """
    key = KEYRING.key(key_type)
    signer = KEYRING.key(CA_KEY) if signed_by_ca else key
    names = [domain] + [s for s in sans if s != domain]
    names = list(dict.fromkeys(names))
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, domain)]))
        .issuer_name(
            x509.Name(
                [
                    x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
                    x509.NameAttribute(NameOID.ORGANIZATION_NAME, issuer_org),
                    x509.NameAttribute(NameOID.COMMON_NAME, issuer_cn),
                ]
            )
        )
        .public_key(key.public_key())
        .serial_number(_deterministic_serial(serial_seed))
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_encipherment=key_type.startswith("RSA_"),
                content_commitment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
            ),
            critical=False,
        )
    )
    if signed_by_ca:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(signer.public_key()), critical=False)
    cert = builder.sign(signer, hashes.SHA256() if signed_by_ca else _signature_hash(key_type))
    return cert.public_bytes(serialization.Encoding.PEM)


def _ca_name(common_name: str, organization: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])


def build_ca_certificate(*, common_name: str, organization: str, not_before: datetime,
                         not_after: datetime, serial_seed: str) -> bytes:
    """A self-signed root CA certificate (what ACM PCA's RootCACertificate/V1 template
    makes) on the CAs' key, for GetCertificateAuthorityCertificate."""
    key = KEYRING.key(CA_KEY)
    name = _ca_name(common_name, organization)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(_deterministic_serial(serial_seed))
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                          content_commitment=False, key_encipherment=False,
                          data_encipherment=False, key_agreement=False,
                          encipher_only=False, decipher_only=False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM)
