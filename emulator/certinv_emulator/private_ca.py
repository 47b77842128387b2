"""ACM Private CA (acm-pca) as certinv reads it: ListCertificateAuthorities,
DescribeCertificateAuthority, GetCertificateAuthorityCertificate.

moto 5.2.5 has all three, paged (``MaxResults``/``NextToken``) and in AWS's JSON shape,
with ``NotBefore``/``NotAfter`` read from the CA certificate. What it gets wrong:

- ca_status_follows_the_clock: a CA stays ACTIVE forever; AWS reports ``EXPIRED`` once
  its certificate's NotAfter has passed (here on the emulator's anchored clock).
- ca_certificate_readable_once_installed: GetCertificateAuthorityCertificate answers
  only ACTIVE CAs; a DISABLED or EXPIRED CA still has its certificate installed, and AWS
  returns it (InvalidStateException only while there is none: CREATING,
  PENDING_CERTIFICATE, FAILED; and DELETED).

Seeding (``seed_private_ca``) creates each CA through moto's backend, installs a root CA
certificate made from the scenario (NotAfter = anchor + ``expires_in_days``) on the
emulator's one CA key, and dates it; moto's own defaults that AWS does not share are set
there: ``UsageMode`` GENERAL_PURPOSE (moto: SHORT_LIVED_CERTIFICATE), ``CreatedAt`` and
``LastStateChangeAt`` when the CA was made, not when the emulator ran.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any, Callable, Iterator

from moto.acmpca.exceptions import InvalidStateException
from moto.acmpca.models import ACMPCABackend, CertificateAuthority
from moto.core.utils import unix_time

from .certs import CA_KEY, KEYRING, build_ca_certificate
from .state import STATE

# States in which a CA has a certificate installed that AWS will hand out.
_READABLE = ("ACTIVE", "DISABLED", "EXPIRED")


def _naive_utc(instant: datetime) -> datetime:
    return instant.astimezone(timezone.utc).replace(tzinfo=None)


def ca_status_follows_the_clock(self: CertificateAuthority) -> dict[str, Any]:
    """Wraps CertificateAuthority.to_json (Describe and List both answer it)."""
    not_after = self.not_valid_after
    if self.status == "ACTIVE" and not_after is not None \
            and not_after <= unix_time(_naive_utc(STATE.now())):
        self.status = "EXPIRED"
        self.updated_at = not_after
    return _original_to_json(self)


def ca_certificate_readable_once_installed(self: ACMPCABackend, certificate_authority_arn: str
                                           ) -> tuple[bytes, bytes | None]:
    """Replaces ACMPCABackend.get_certificate_authority_certificate."""
    ca = self.describe_certificate_authority(certificate_authority_arn)
    ca.to_json()  # the status as of now (ACTIVE -> EXPIRED)
    if ca.status not in _READABLE or not ca.certificate_bytes:
        raise InvalidStateException(certificate_authority_arn)
    return ca.certificate_bytes, ca.certificate_chain


# --- seeding -----------------------------------------------------------------------------


class _KeyringRsa:
    """Stands in for ``cryptography...rsa`` inside moto.acmpca.models while seeding:
    moto generates a fresh RSA key per CA (~70 ms); the emulator has one ready."""

    @staticmethod
    def generate_private_key(public_exponent: int, key_size: int) -> Any:
        return KEYRING.key(CA_KEY)


@contextmanager
def _ca_key_from_keyring() -> Iterator[None]:
    import moto.acmpca.models as models

    original = models.rsa
    models.rsa = _KeyringRsa  # type: ignore[assignment]
    try:
        yield
    finally:
        models.rsa = original


def seed_private_ca(account: str, region: str, name: str, organization: str,
                    not_before: datetime, not_after: datetime, status: str) -> tuple[str, bytes]:
    """Creates an ACTIVE root CA with the scenario's certificate; (ARN, certificate PEM)."""
    from moto.acmpca.models import acmpca_backends

    backend = acmpca_backends[account][region]
    with _ca_key_from_keyring():
        arn = backend.create_certificate_authority(
            certificate_authority_configuration={
                "KeyAlgorithm": "RSA_2048",
                "SigningAlgorithm": "SHA256WITHRSA",
                "Subject": {"Country": "US", "Organization": organization, "CommonName": name},
            },
            revocation_configuration=None,
            certificate_authority_type="ROOT",
            security_standard=None,
            tags=[],
        )
    pem = build_ca_certificate(common_name=name, organization=organization,
                               not_before=not_before, not_after=not_after,
                               serial_seed=f"{account}/{region}/{name}")
    ca = backend.certificate_authorities[arn]
    ca.import_certificate_authority_certificate(pem, None)
    ca.status = status
    ca.usage_mode = "GENERAL_PURPOSE"
    ca.created_at = unix_time(_naive_utc(not_before))
    # Last state change: its certificate installed (ACTIVE), or when it expired.
    ca.updated_at = unix_time(_naive_utc(not_after if status == "EXPIRED" else not_before))
    return arn, pem


_original_to_json: Callable = CertificateAuthority.to_json
_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    CertificateAuthority.to_json = ca_status_follows_the_clock
    ACMPCABackend.get_certificate_authority_certificate = ca_certificate_readable_once_installed
    _installed = True
