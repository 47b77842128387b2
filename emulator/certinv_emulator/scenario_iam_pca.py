"""Scenario sections for the certificate sources beside ACM: IAM server certificates
(``iam_server_certificates``) and ACM Private CAs (``private_cas``), and their buckets.

Kept apart from ``scenario`` (ACM, accounts, Config, Resource Explorer) so each source's
rules sit in one place; ``scenario.validate`` calls in here.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable

from .certs import KEY_TYPES

IAM_USAGE_KINDS = ("elbv2", "clb", "cloudfront")
# AWS: CloudFront serves only IAM server certificates uploaded under this path prefix.
CLOUDFRONT_IAM_PATH = "/cloudfront/"
CA_STATUSES = ("ACTIVE", "DISABLED", "EXPIRED")

_IAM_FIELDS = {"account", "name", "domain", "expires_in_days", "valid_days", "key_algorithm",
               "path", "in_use", "expiration_mismatch_days", "usage_region"}
_CA_FIELDS = {"account", "region", "name", "expires_in_days", "valid_days", "status",
              "organization"}
# IAM's ServerCertificateName and Path patterns.
_IAM_NAME = re.compile(r"^[\w+=,.@-]{1,128}$", re.ASCII)
_IAM_PATH = re.compile(r"^(/|/[\x21-\x7e]{1,510}/)$")
_CA_NAME = re.compile(r"^[^\x00-\x1f/]{1,64}$")  # an X.509 CommonName, at most 64 characters


@dataclass
class IamCertSpec:
    index: int  # continues the ACM certificates' numbering (usage site names stay unique)
    account: str
    name: str
    domain: str
    expires_in_days: float
    valid_days: float
    key_algorithm: str
    path: str
    in_use: list[str]
    expiration_mismatch_days: float
    region: str  # where its ELBv2/classic ELB sites are built (IAM itself is global)

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::{self.account}:server-certificate{self.path}{self.name}"


@dataclass
class PrivateCaSpec:
    account: str
    region: str
    name: str
    organization: str
    expires_in_days: float
    valid_days: float
    status: str
    # Domains of the ACM certificates whose issuer_ca names it (filled by scenario.validate).
    issued: list[str] = field(default_factory=list)


Require = Callable[[bool, str, str], None]


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def validate_iam(raw: Any, regions_of: dict[str, list[str]], first_index: int, where: str,
                 require: Require, unknown: Callable[[dict, set, str], None]) -> list[IamCertSpec]:
    if raw is None:
        return []
    require(isinstance(raw, list), where, "iam_server_certificates must be a list")
    out: list[IamCertSpec] = []
    seen: set[tuple[str, str]] = set()
    for i, item in enumerate(raw):
        w = f"{where} iam_server_certificates[{i}]"
        require(isinstance(item, dict), w, "must be an object")
        unknown(item, _IAM_FIELDS, w)
        account = item.get("account")
        require(account in regions_of, w, f"account {account!r} is not in accounts")
        name = item.get("name")
        require(isinstance(name, str) and bool(_IAM_NAME.match(name)), w,
                f"name must match [\\w+=,.@-]{{1,128}}, got {name!r}")
        # AWS: a server certificate name is unique in its account, whatever the path.
        require((account, name) not in seen, w, f"account {account} already has a server certificate {name!r}")
        seen.add((account, name))
        from .scenario import _DOMAIN  # at call time: scenario imports this module

        domain = item.get("domain")
        require(isinstance(domain, str) and bool(_DOMAIN.match(domain)), w,
                f"domain {domain!r} is not a DNS name")
        expires = item.get("expires_in_days")
        require(_number(expires), w, "expires_in_days must be a number")
        valid_days = item.get("valid_days", 395)
        require(_number(valid_days) and valid_days > 0, w, "valid_days must be a positive number")
        key_algorithm = item.get("key_algorithm", "RSA_2048")
        require(key_algorithm in KEY_TYPES, w, f"key_algorithm must be one of {KEY_TYPES}")
        path = item.get("path", "/")
        require(isinstance(path, str) and bool(_IAM_PATH.match(path)), w,
                f"path must be '/' or '/…/' (IAM's form), got {path!r}")
        in_use = item.get("in_use", [])
        require(isinstance(in_use, list) and all(k in IAM_USAGE_KINDS for k in in_use)
                and len(set(in_use)) == len(in_use), w,
                f"in_use must list distinct kinds of {IAM_USAGE_KINDS}")
        require("cloudfront" not in in_use or path.startswith(CLOUDFRONT_IAM_PATH), w,
                f"CloudFront only serves IAM server certificates whose path starts with "
                f"{CLOUDFRONT_IAM_PATH!r} (AWS refuses the distribution otherwise)")
        mismatch = item.get("expiration_mismatch_days", 0)
        require(_number(mismatch), w, "expiration_mismatch_days must be a number")
        region = item.get("usage_region", regions_of[account][0])
        require(region in regions_of[account], w,
                f"usage_region {region!r} is not one of account {account}'s regions")
        out.append(IamCertSpec(first_index + i, account, name, domain, float(expires),
                               float(valid_days), key_algorithm, path, list(in_use),
                               float(mismatch), region))
    return out


def validate_cas(raw: Any, regions_of: dict[str, list[str]], where: str,
                 require: Require, unknown: Callable[[dict, set, str], None]) -> list[PrivateCaSpec]:
    if raw is None:
        return []
    require(isinstance(raw, list), where, "private_cas must be a list")
    out: list[PrivateCaSpec] = []
    for i, item in enumerate(raw):
        w = f"{where} private_cas[{i}]"
        require(isinstance(item, dict), w, "must be an object")
        unknown(item, _CA_FIELDS, w)
        account = item.get("account")
        require(account in regions_of, w, f"account {account!r} is not in accounts")
        region = item.get("region")
        require(region in regions_of[account], w,
                f"region {region!r} is not one of account {account}'s regions")
        name = item.get("name")
        require(isinstance(name, str) and bool(_CA_NAME.match(name)), w,
                f"name (the CA's CommonName) must be 1-64 characters, got {name!r}")
        # Certificates name their issuer by it (issuer_ca), so it must be unambiguous.
        require(all(ca.name != name for ca in out), w, f"a second private CA named {name!r}")
        organization = item.get("organization", "certinv Example Corp")
        require(isinstance(organization, str) and organization != "", w, "organization must be a string")
        expires = item.get("expires_in_days")
        require(_number(expires), w, "expires_in_days must be a number")
        valid_days = item.get("valid_days", 3650)
        require(_number(valid_days) and valid_days > 0, w, "valid_days must be a positive number")
        status = item.get("status", "ACTIVE" if expires > 0 else "EXPIRED")
        require(status in CA_STATUSES, w, f"status must be one of {CA_STATUSES}")
        require(status != "ACTIVE" or expires > 0, w,
                "an ACTIVE CA must expire after the anchor (use status EXPIRED)")
        require(status != "EXPIRED" or expires <= 0, w,
                "an EXPIRED CA must expire at or before the anchor")
        out.append(PrivateCaSpec(account, region, name, organization, float(expires),
                                 float(valid_days), status))
    return out


def check_issuer(cert: Any, cas: list[PrivateCaSpec], where: str, require: Require) -> None:
    """An ACM certificate's ``issuer_ca``: a PRIVATE certificate, a CA in its own account
    and region (a CA shared from another account through RAM is not modelled), and a
    validity window inside the CA's (AWS Private CA refuses to issue past its own
    NotAfter)."""
    require(cert.type == "PRIVATE", where, "only a PRIVATE certificate has an issuer_ca")
    ca = next((c for c in cas if c.name == cert.issuer_ca), None)
    require(ca is not None, where, f"issuer_ca {cert.issuer_ca!r} is not one of private_cas")
    require((ca.account, ca.region) == (cert.account, cert.region), where,
            f"issuer_ca {ca.name!r} lives in {ca.account}/{ca.region}, not in the "
            f"certificate's {cert.account}/{cert.region}")
    require(cert.expires_in_days is not None, where, "a certificate with an issuer_ca must have been issued")
    require(cert.expires_in_days <= ca.expires_in_days, where,
            f"expires after its issuer {ca.name!r} (AWS Private CA never issues past its own NotAfter)")
    require(cert.expires_in_days - cert.valid_days >= ca.expires_in_days - ca.valid_days, where,
            f"valid before its issuer {ca.name!r} was")
    if cert.config_state != "deleted" and cert.domain not in ca.issued:
        ca.issued.append(cert.domain)


def validity(anchor: datetime, expires_in_days: float, valid_days: float) -> tuple[datetime, datetime]:
    """(NotBefore, NotAfter), truncated to the second as X.509 stores them."""
    not_after = (anchor + timedelta(days=expires_in_days)).replace(microsecond=0)
    return (not_after - timedelta(days=valid_days)).replace(microsecond=0), not_after


def bucket(expires_in_days: float, in_use: bool, high_days: int = 30, medium_days: int = 90) -> str:
    """SPEC section 5 for a certificate with a NotAfter (``scenario.bucket_of`` for ACM)."""
    if expires_in_days <= 0:
        return "CRITICAL" if in_use else "REMOVE"
    days = math.floor(expires_in_days)
    return "HIGH" if days <= high_days else "MEDIUM" if days <= medium_days else "OK"


def iam_bucket(spec: IamCertSpec) -> str:
    """By the certificate body's NotAfter (what the certificate really does), not the
    API's ``Expiration`` that ``expiration_mismatch_days`` skews; in use = a usage site."""
    return bucket(spec.expires_in_days, bool(spec.in_use))


def ca_bucket(spec: PrivateCaSpec) -> str:
    """By the CA certificate's NotAfter; an expired CA counts as in use while an ACM
    certificate it issued is still held (the emulator's convention)."""
    return bucket(spec.expires_in_days, bool(spec.issued))
