"""IAM server certificates as AWS answers them (certinv reads them beside ACM).

moto 5.2.5 stores server certificates but answers every one with the same made-up
metadata: ``Expiration`` 2012-05-08, ``UploadDate`` 2010-05-08 and ``ServerCertificateId``
``ASCACKCEVSQ6C2EXAMPLE``, whatever the body says; ListServerCertificates ignores
``PathPrefix``, ``Marker`` and ``MaxItems``; a second certificate of the same name is
accepted and a body that is not a certificate too.

- metadata_as_aws: ListServerCertificates, GetServerCertificate and
  UploadServerCertificate answer each certificate's own ``ServerCertificateMetadata``:
  ``Path``, ``ServerCertificateName``, ``ServerCertificateId`` (``ASCA`` + 17 characters,
  stable per certificate), ``Arn`` (``arn:aws:iam::ACCOUNT:server-certificate/PATH/NAME``),
  ``UploadDate`` and ``Expiration`` = the body's NotAfter. A scenario may skew
  ``Expiration`` (``expiration_mismatch_days``) so certinv's body-vs-API check has
  something to find.
- list_server_certificates_pages_as_aws: ``PathPrefix`` (default ``/``), ``MaxItems``
  1-1000 (default 100), opaque ``Marker``, ``IsTruncated``; in upload order.
- uploads_checked_as_aws: ``EntityAlreadyExists`` for a name the account already has,
  ``MalformedCertificate`` for a body that does not parse.

IAM is global: moto keeps one backend per account and partition, so every region of an
account answers the same list.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

import cryptography.x509
from moto.core.exceptions import ServiceException
from moto.core.responses import ActionResult
from moto.iam.exceptions import EntityAlreadyExists, MalformedCertificate
from moto.iam.models import Certificate, IAMBackend
from moto.iam.responses import IamResponse

from .state import STATE

META_ATTR = "certinv_meta"
DEFAULT_MAX_ITEMS = 100
MAX_ITEMS_LIMIT = 1000
_MARKER_PREFIX = "certinv-iam:"


class ValidationError(ServiceException):
    code = "ValidationError"


@dataclass
class ServerCertMeta:
    """What moto's Certificate does not keep: its ID, upload instant, and body NotAfter
    (parsed once), plus the scenario's skew of the reported Expiration."""

    certificate_id: str
    upload_date: datetime
    not_after: datetime
    expiration_shift_days: float = 0.0

    @property
    def expiration(self) -> datetime:
        return self.not_after + timedelta(days=self.expiration_shift_days)


def _not_after(body: str) -> datetime:
    try:
        cert = cryptography.x509.load_pem_x509_certificate(body.encode())
    except (ValueError, TypeError):
        raise MalformedCertificate(body[:40] + "…" if len(body) > 40 else body)
    return cert.not_valid_after_utc


def metadata(cert: Certificate) -> dict[str, Any]:
    meta: ServerCertMeta | None = getattr(cert, META_ATTR, None)
    if meta is None:  # uploaded before install(): date it now
        meta = ServerCertMeta("ASCA" + format(id(cert), "X")[:17].rjust(17, "0"),
                              STATE.now().replace(microsecond=0), _not_after(cert.cert_body))
        setattr(cert, META_ATTR, meta)
    return {
        "Path": cert.path,
        "ServerCertificateName": cert.cert_name,
        "ServerCertificateId": meta.certificate_id,
        "Arn": cert.arn,
        "UploadDate": meta.upload_date.astimezone(timezone.utc),
        "Expiration": meta.expiration.astimezone(timezone.utc),
    }


# --- patches -------------------------------------------------------------------------


def uploads_checked_as_aws(self: IAMBackend, cert_name: str, cert_body: str, private_key: str,
                           cert_chain: str | None = None, path: str | None = None) -> Certificate:
    """Wraps IAMBackend.upload_server_certificate: AWS's refusals, then the metadata
    moto does not keep (the ID is moto's own random key for it, in AWS's form)."""
    if any(c.cert_name == cert_name for c in self.certificates.values()):
        raise EntityAlreadyExists(f"The Server Certificate with name {cert_name} already exists.")
    not_after = _not_after(cert_body or "")
    cert = _original_upload(self, cert_name, cert_body, private_key, cert_chain=cert_chain, path=path)
    key = next(k for k, v in self.certificates.items() if v is cert)
    setattr(cert, META_ATTR, ServerCertMeta(
        certificate_id="ASCA" + key.upper()[:17],
        upload_date=STATE.now().replace(microsecond=0),
        not_after=not_after,
    ))
    return cert


def _decode_marker(marker: str) -> int:
    try:
        text = base64.urlsafe_b64decode(marker.encode()).decode()
        if not text.startswith(_MARKER_PREFIX) or int(text[len(_MARKER_PREFIX):]) < 0:
            raise ValueError(text)
        return int(text[len(_MARKER_PREFIX):])
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ValidationError("Invalid Marker.")


def list_server_certificates_pages_as_aws(self: IamResponse) -> ActionResult:
    """Replaces IamResponse.list_server_certificates."""
    prefix = self._get_param("PathPrefix") or "/"
    max_items = self._get_param("MaxItems")
    marker = self._get_param("Marker")
    limit = DEFAULT_MAX_ITEMS if max_items is None else int(max_items)
    if not 1 <= limit <= MAX_ITEMS_LIMIT:
        raise ValidationError(f"1 validation error detected: Value '{limit}' at 'maxItems' failed "
                              f"to satisfy constraint: Member must have value less than or equal "
                              f"to {MAX_ITEMS_LIMIT}")
    certs = [c for c in self.backend.list_server_certificates() if c.path.startswith(prefix)]
    start = _decode_marker(marker) if marker else 0
    page = certs[start:start + limit]
    result: dict[str, Any] = {"ServerCertificateMetadataList": [metadata(c) for c in page],
                              "IsTruncated": start + limit < len(certs)}
    if result["IsTruncated"]:
        result["Marker"] = base64.urlsafe_b64encode(
            f"{_MARKER_PREFIX}{start + limit}".encode()).decode()
    return ActionResult(result)


def get_server_certificate_as_aws(self: IamResponse) -> ActionResult:
    """Replaces IamResponse.get_server_certificate."""
    cert = self.backend.get_server_certificate(self._get_param("ServerCertificateName"))
    server_cert: dict[str, Any] = {"ServerCertificateMetadata": metadata(cert),
                                   "CertificateBody": cert.cert_body}
    if cert.cert_chain:
        server_cert["CertificateChain"] = cert.cert_chain
    return ActionResult({"ServerCertificate": server_cert})


def upload_server_certificate_as_aws(self: IamResponse) -> ActionResult:
    """Replaces IamResponse.upload_server_certificate."""
    cert = self.backend.upload_server_certificate(
        self._get_param("ServerCertificateName"), self._get_param("CertificateBody"),
        self._get_param("PrivateKey"), cert_chain=self._get_param("CertificateChain"),
        path=self._get_param("Path"))
    return ActionResult({"ServerCertificateMetadata": metadata(cert)})


# --- seeding -----------------------------------------------------------------------------


def seed_server_certificate(account: str, name: str, body: bytes, key_pem: bytes, path: str,
                            upload_date: datetime, expiration_shift_days: float) -> Certificate:
    """Uploads through moto's backend as UploadServerCertificate does, then dates it."""
    from moto.iam.models import iam_backends

    cert = iam_backends[account]["aws"].upload_server_certificate(
        name, body.decode(), key_pem.decode(), path=path)
    meta: ServerCertMeta = getattr(cert, META_ATTR)
    meta.upload_date = upload_date
    meta.expiration_shift_days = expiration_shift_days
    return cert


_original_upload: Callable = IAMBackend.upload_server_certificate
_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    IAMBackend.upload_server_certificate = uploads_checked_as_aws
    IamResponse.list_server_certificates = list_server_certificates_pages_as_aws
    IamResponse.get_server_certificate = get_server_certificate_as_aws
    IamResponse.upload_server_certificate = upload_server_certificate_as_aws
    _installed = True
