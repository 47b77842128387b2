"""ACM as AWS answers it, where moto 5.2.5 differs.

Each patch below is named for the gap it closes and replaces one moto function.
``install()`` applies them all, once.

- imports_accept_any_validity_window: moto refuses to import expired or not-yet-valid
  certificates. So does AWS, but real certificates expire *after* import, and an
  inventory tool must be tested against expired ones. A documented test convenience.
- validation_never_completes: moto flips AMAZON_ISSUED certificates from
  PENDING_VALIDATION to ISSUED after 60 s; in AWS that needs DNS validation, which never
  happens here. Expiry (ISSUED -> EXPIRED) follows the emulator's anchored clock.
- private_keys_parsed_once: moto re-parses (and OpenSSL re-checks) the private key of
  every certificate; the seeder shares one key per key type, so parse each PEM once.
- describe_as_aws: DescribeCertificate's KeyAlgorithm is hyphenated in AWS
  (``RSA-2048``, ``EC-prime256v1``); not-issued certificates have no NotBefore/NotAfter;
  RenewalEligibility, RenewalSummary and revocation come from the scenario.
- in_use_by_names_the_load_balancer: moto records the ELBv2 *listener* ARN (or a classic
  ELB's DNS name) in InUseBy, once per listener; AWS records the load balancer ARN once.
  ``mark_in_use`` is the same for the services moto never records (CloudFront, API
  Gateway: see cloudfront.py and domain_names.py).
- list_certificates_as_aws: moto ignores MaxItems/NextToken, returns every key type
  when ``Includes.keyTypes`` is absent (AWS returns only RSA_1024 and RSA_2048), and
  returns full descriptions instead of CertificateSummary. Answered by ``json_answers``,
  as DescribeCertificate is.
"""

from __future__ import annotations

import base64
import binascii
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import cryptography.x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID

from moto.acm.exceptions import AWSError, AWSValidationException, CertificateNotFound
from moto.acm.models import AWSCertificateManagerBackend, CertBundle, datetime_to_epoch
from moto.acm.responses import AWSCertificateManagerResponse

from . import json_answers
from .certs import DEFAULT_LISTED_KEY_TYPES, KEY_TYPES, describe_form
from .scenario import NOT_ISSUED_STATUSES
from .state import STATE

MAX_ITEMS_LIMIT = 1000
_NEXT_TOKEN_PREFIX = "certinv-acm:"

META_ATTR = "certinv_meta"


@dataclass
class CertMeta:
    """What the scenario says about a certificate that its PEM body cannot carry."""

    renewal_eligibility: str
    renewal_status: str | None = None
    renewal_updated_at: datetime | None = None
    revoked_at: datetime | None = None
    revocation_reason: str | None = None


# --- helpers -------------------------------------------------------------------------


def key_type_of(bundle: CertBundle) -> str:
    """The bundle's key type in ListCertificates/Includes form (``RSA_2048``)."""
    key = bundle._key
    if isinstance(key, ec.EllipticCurvePrivateKey):
        curve = key.curve.name.lower()
        return "EC_" + {"secp256r1": "prime256v1"}.get(curve, curve)
    return f"RSA_{key.key_size}"


def _naive_utc(instant: datetime) -> datetime:
    return instant.astimezone(timezone.utc).replace(tzinfo=None)


def _signature_algorithm(cert: cryptography.x509.Certificate) -> str:
    # AWS spells it SHA256WITHRSA / SHA384WITHECDSA.
    digest = cert.signature_hash_algorithm.name.upper() if cert.signature_hash_algorithm else ""
    family = "ECDSA" if "ecdsa" in cert.signature_algorithm_oid._name.lower() else "RSA"
    return f"{digest}WITH{family}"


_KEY_USAGE_NAMES = (
    ("digital_signature", "DIGITAL_SIGNATURE"),
    ("content_commitment", "NON_REPUDIATION"),
    ("key_encipherment", "KEY_ENCIPHERMENT"),
    ("data_encipherment", "DATA_ENCIPHERMENT"),
    ("key_agreement", "KEY_AGREEMENT"),
    ("key_cert_sign", "CERTIFICATE_SIGNING"),
    ("crl_sign", "CRL_SIGNING"),
)
_EKU_NAMES = {
    ExtendedKeyUsageOID.SERVER_AUTH: "TLS_WEB_SERVER_AUTHENTICATION",
    ExtendedKeyUsageOID.CLIENT_AUTH: "TLS_WEB_CLIENT_AUTHENTICATION",
    ExtendedKeyUsageOID.CODE_SIGNING: "CODE_SIGNING",
    ExtendedKeyUsageOID.EMAIL_PROTECTION: "EMAIL_PROTECTION",
    ExtendedKeyUsageOID.TIME_STAMPING: "TIME_STAMPING",
    ExtendedKeyUsageOID.OCSP_SIGNING: "OCSP_SIGNING",
}


def _key_usages(cert: cryptography.x509.Certificate) -> list[str]:
    try:
        usage = cert.extensions.get_extension_for_class(cryptography.x509.KeyUsage).value
    except cryptography.x509.ExtensionNotFound:
        return []
    return [name for attr, name in _KEY_USAGE_NAMES if getattr(usage, attr)]


def _extended_key_usages(cert: cryptography.x509.Certificate) -> list[dict[str, str]]:
    try:
        usage = cert.extensions.get_extension_for_class(cryptography.x509.ExtendedKeyUsage).value
    except cryptography.x509.ExtensionNotFound:
        return []
    return [
        {"Name": _EKU_NAMES.get(oid, "OTHER"), "OID": oid.dotted_string} for oid in usage
    ]


# --- patches -------------------------------------------------------------------------


def imports_accept_any_validity_window(self: CertBundle) -> cryptography.x509.Certificate:
    """Replaces CertBundle.validate_certificate: parse the PEM, skip the date checks."""
    try:
        return cryptography.x509.load_pem_x509_certificate(self.cert)
    except Exception:
        raise AWSValidationException("The certificate is not PEM-encoded or is not valid.")


def imports_accept_any_validity_window_chain(self: CertBundle) -> None:
    """Replaces CertBundle.validate_chain: moto re-checks the leaf's dates there."""
    try:
        for block in self.chain.split(b"-----END CERTIFICATE-----"):
            if b"-----BEGIN CERTIFICATE-----" in block:
                cryptography.x509.load_pem_x509_certificate(
                    block.strip() + b"\n-----END CERTIFICATE-----\n"
                )
    except Exception:
        raise AWSValidationException("The certificate chain is not PEM-encoded or is not valid.")


_parsed_keys: dict[bytes, Any] = {}
_parsed_keys_lock = threading.Lock()
_PARSED_KEYS_LIMIT = 256


def private_keys_parsed_once(self: CertBundle) -> Any:
    """Replaces CertBundle.validate_pk: parse each distinct private key PEM once.

    OpenSSL's RSA consistency check makes every load cost 10-60 ms; the seeder reuses
    one key per key type across hundreds of certificates, so without this, seeding the
    176-certificate landing zone takes ~8 s instead of well under one.
    """
    pem = bytes(self.key)
    with _parsed_keys_lock:
        key = _parsed_keys.get(pem)
    if key is None:
        try:
            key = serialization.load_pem_private_key(pem, password=None)
        except Exception:
            raise AWSValidationException("The private key is not PEM-encoded or is not valid.")
        with _parsed_keys_lock:
            if len(_parsed_keys) >= _PARSED_KEYS_LIMIT:
                _parsed_keys.clear()
            _parsed_keys[pem] = key
    return key


def remember_private_key(pem: bytes, key: Any) -> None:
    """Lets the seeder hand over keys it generated, so not even one PEM gets re-parsed."""
    with _parsed_keys_lock:
        _parsed_keys[bytes(pem)] = key


def validation_never_completes(self: CertBundle) -> None:
    """Replaces CertBundle.check: only ISSUED -> EXPIRED, on the emulator's clock."""
    if self.status == "ISSUED":
        if self._not_valid_after(self._cert) <= _naive_utc(STATE.now()):
            self.status = "EXPIRED"
            STATE.changed()  # Config's items show the status


_original_describe = CertBundle.describe


def describe_as_aws(self: CertBundle) -> dict[str, Any]:
    """Wraps CertBundle.describe with AWS's DescribeCertificate shape."""
    result = _original_describe(self)
    detail = result["Certificate"]
    detail["KeyAlgorithm"] = describe_form(key_type_of(self))
    detail["SignatureAlgorithm"] = _signature_algorithm(self._cert)
    detail["InUseBy"] = list(self.in_use_by)
    detail["KeyUsages"] = [{"Name": name} for name in _key_usages(self._cert)]
    detail["ExtendedKeyUsages"] = _extended_key_usages(self._cert)

    meta: CertMeta | None = getattr(self, META_ATTR, None)
    if meta is not None:
        detail["RenewalEligibility"] = meta.renewal_eligibility
        if meta.renewal_status:
            detail["RenewalSummary"] = {
                "RenewalStatus": meta.renewal_status,
                "DomainValidationOptions": detail.get("DomainValidationOptions", []),
                "UpdatedAt": datetime_to_epoch(
                    _naive_utc(meta.renewal_updated_at or STATE.current.anchor)
                ),
            }
    if self.status == "REVOKED":
        revoked_at = meta.revoked_at if meta and meta.revoked_at else STATE.current.anchor
        detail["RevokedAt"] = datetime_to_epoch(_naive_utc(revoked_at))
        detail["RevocationReason"] = (meta.revocation_reason if meta else None) or "UNSPECIFIED"
    domain_status = {"PENDING_VALIDATION": "PENDING_VALIDATION", "FAILED": "FAILED",
                     "VALIDATION_TIMED_OUT": "FAILED"}.get(self.status, "SUCCESS")
    for option in detail.get("DomainValidationOptions", []):
        option["ValidationStatus"] = domain_status
    if self.status in NOT_ISSUED_STATUSES:
        # Nothing has been issued yet: AWS shows no validity window, serial or issuer.
        for field in ("NotBefore", "NotAfter", "IssuedAt", "Serial", "Issuer"):
            detail.pop(field, None)
    return result


def _load_balancer_arn(account_id: str, region: str, user: str) -> str:
    if ":listener/" in user:
        # arn:...:listener/app/NAME/LB_ID/LISTENER_ID -> arn:...:loadbalancer/app/NAME/LB_ID
        head, tail = user.split(":listener/", 1)
        return f"{head}:loadbalancer/{tail.rsplit('/', 1)[0]}"
    if user.startswith("arn:"):
        return user
    # Classic ELB: moto passes its DNS name (load_balancers gives it AWS's form,
    # "NAME-1234567890.REGION.elb.amazonaws.com"), so find the balancer that has it.
    from moto.elb.models import elb_backends
    from moto.utilities.utils import get_partition

    balancers = elb_backends[account_id][region].load_balancers.values()
    name = next((b.name for b in balancers if b.dns_name == user), user.split(".", 1)[0])
    return f"arn:{get_partition(region)}:elasticloadbalancing:{region}:{account_id}:loadbalancer/{name}"


def in_use_by_names_the_load_balancer(
    self: AWSCertificateManagerBackend, arn: str, load_balancer_name: str
) -> None:
    """Replaces AWSCertificateManagerBackend.set_certificate_in_use_by."""
    if arn not in self._certificates:
        raise CertificateNotFound(arn=arn, account_id=self.account_id)
    user = _load_balancer_arn(self.account_id, self.region_name, load_balancer_name)
    in_use_by = self._certificates[arn].in_use_by
    if user not in in_use_by:
        in_use_by.append(user)


def mark_in_use(certificate_arn: str, resource_arn: str) -> bool:
    """Adds ``resource_arn`` to the certificate's InUseBy, as ACM does for every service
    that deploys it (moto does this for ELB only). The certificate is looked up in the
    account and region its ARN names; an unknown one is left to the caller's own
    validation (False)."""
    from moto.acm.models import acm_backends

    parts = certificate_arn.split(":")
    if len(parts) < 6 or parts[2] != "acm":
        return False
    bundle = acm_backends[parts[4]][parts[3]]._certificates.get(certificate_arn)
    if bundle is None:
        return False
    if resource_arn not in bundle.in_use_by:
        bundle.in_use_by.append(resource_arn)
    return True


def certificate_summary(bundle: CertBundle) -> dict[str, Any]:
    """AWS's CertificateSummary for one bundle (KeyAlgorithm in ``RSA_2048`` form)."""
    detail = bundle.describe()["Certificate"]
    sans = detail.get("SubjectAlternativeNames", [])
    summary: dict[str, Any] = {
        "CertificateArn": detail["CertificateArn"],
        "DomainName": detail["DomainName"],
        "SubjectAlternativeNameSummaries": sans[:100],
        "HasAdditionalSubjectAlternativeNames": len(sans) > 100,
        "Status": detail["Status"],
        "Type": detail["Type"],
        "KeyAlgorithm": key_type_of(bundle),
        "KeyUsages": [u["Name"] for u in detail.get("KeyUsages", [])],
        "ExtendedKeyUsages": [u["Name"] for u in detail.get("ExtendedKeyUsages", [])],
        "ExportOption": bundle.cert_options.get("Export", "DISABLED"),
        "InUse": bool(detail.get("InUseBy")),
        "Exported": False,
        "RenewalEligibility": detail.get("RenewalEligibility", "INELIGIBLE"),
    }
    for field in ("NotBefore", "NotAfter", "CreatedAt", "IssuedAt", "ImportedAt", "RevokedAt"):
        if field in detail:
            summary[field] = detail[field]
    return summary


def _encode_token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"{_NEXT_TOKEN_PREFIX}{offset}".encode()).decode()


def _decode_token(token: str) -> int:
    try:
        text = base64.urlsafe_b64decode(token.encode()).decode()
        if not text.startswith(_NEXT_TOKEN_PREFIX):
            raise ValueError(text)
        offset = int(text[len(_NEXT_TOKEN_PREFIX):])
        if offset < 0:
            raise ValueError(text)
        return offset
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise AWSError("The NextToken is not valid.", exception_type="InvalidArgsException")


def list_certificates_as_aws(self: AWSCertificateManagerResponse) -> tuple[str, dict[str, str]]:
    """Replaces AWSCertificateManagerResponse.list_certificates."""
    statuses = self._get_param("CertificateStatuses") or []
    includes = dict(self._get_param("Includes") or {})
    max_items = self._get_param("MaxItems")
    next_token = self._get_param("NextToken")
    sort_by = self._get_param("SortBy")
    sort_order = self._get_param("SortOrder")

    key_types = includes.pop("keyTypes", None) or list(DEFAULT_LISTED_KEY_TYPES)
    unknown = [k for k in key_types if k not in KEY_TYPES]
    if unknown:
        raise AWSValidationException(
            f"Value '{unknown}' at 'includes.keyTypes' failed to satisfy constraint: "
            f"Member must satisfy enum value set: {list(KEY_TYPES)}"
        )
    if max_items is not None and not 1 <= int(max_items) <= MAX_ITEMS_LIMIT:
        raise AWSValidationException(
            f"Value '{max_items}' at 'maxItems' failed to satisfy constraint: "
            f"Member must have value between 1 and {MAX_ITEMS_LIMIT}"
        )
    if (sort_by is None) != (sort_order is None):
        raise AWSValidationException("SortBy and SortOrder must be specified together.")

    # moto's own filter still handles statuses and exportOption.
    matches = [
        bundle
        for bundle in self.acm_backend.list_certificates(statuses, includes)
        if key_type_of(bundle) in key_types
    ]
    if sort_by == "CREATED_AT":
        matches.sort(key=lambda b: b.created_at, reverse=sort_order == "DESCENDING")

    page_size = min(int(max_items or MAX_ITEMS_LIMIT), STATE.current.acm_page_size)
    start = _decode_token(next_token) if next_token else 0
    page = matches[start:start + page_size]
    result: dict[str, Any] = {"CertificateSummaryList": [certificate_summary(b) for b in page]}
    if start + page_size < len(matches):
        result["NextToken"] = _encode_token(start + page_size)
    return json_answers.answer(result)


_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    CertBundle.validate_certificate = imports_accept_any_validity_window
    CertBundle.validate_chain = imports_accept_any_validity_window_chain
    CertBundle.validate_pk = private_keys_parsed_once
    CertBundle.check = validation_never_completes
    CertBundle.describe = describe_as_aws
    AWSCertificateManagerBackend.set_certificate_in_use_by = in_use_by_names_the_load_balancer
    AWSCertificateManagerResponse.list_certificates = list_certificates_as_aws
    _installed = True
