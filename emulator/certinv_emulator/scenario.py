"""Scenario files: loading, validation, and the buckets they should produce.

A scenario is data (see emulator/README.md for the format). Validation is strict:
an unknown field is an error, so a typo never silently seeds something else.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import MANAGEMENT_ACCOUNT_ID
from . import faults as faults_mod
from . import scenario_iam_pca as iam_pca
from .certs import KEY_TYPES
from .state import DEFAULT_ACM_PAGE_SIZE

NOT_ISSUED_STATUSES = frozenset({"PENDING_VALIDATION", "FAILED", "VALIDATION_TIMED_OUT"})

SCENARIO_DIR = Path(__file__).resolve().parent.parent / "scenarios"

ACCOUNT_STATUSES = ("ACTIVE", "SUSPENDED")
CERT_TYPES = ("AMAZON_ISSUED", "IMPORTED", "PRIVATE")
CERT_STATUSES = ("ISSUED", "EXPIRED", "REVOKED", "INACTIVE") + tuple(sorted(NOT_ISSUED_STATUSES))
RENEWAL_ELIGIBILITY = ("ELIGIBLE", "INELIGIBLE")
RENEWAL_STATUSES = ("PENDING_AUTO_RENEWAL", "PENDING_VALIDATION", "SUCCESS", "FAILED")
# Where a certificate can be deployed; each has a builder in seeder.USAGE_BUILDERS.
USAGE_KINDS = ("elbv2", "clb", "cloudfront", "apigw", "apigwv2")
# CloudFront only serves ACM certificates from us-east-1.
CLOUDFRONT_CERTIFICATE_REGION = "us-east-1"
_RESOURCE_ARN = re.compile(r"^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:([0-9]{12})?:\S+$")

_ACCOUNT_ID = re.compile(r"^[0-9]{12}$")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-[0-9]+$")
_DOMAIN = re.compile(r"^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")

_TOP_FIELDS = {"name", "description", "acm_page_size", "random_seed", "accounts",
               "certificates", "config", "resource_explorer", "faults", "expected",
               "iam_server_certificates", "private_cas"}
_ACCOUNT_FIELDS = {"id", "name", "email", "status", "regions", "ou"}
_CERT_FIELDS = {"account", "region", "domain", "sans", "type", "key_algorithm", "status",
                "expires_in_days", "valid_days", "in_use", "renewal_eligibility",
                "renewal_status", "tags", "config_state", "count", "inuseby_omits",
                "inuseby_stale", "issuer_ca"}
# What AWS Config knows of a certificate: recorded (default); not_yet_recorded (in ACM,
# the recorder has not caught up); deleted (gone from ACM, Config still lists it).
CONFIG_STATES = ("recorded", "not_yet_recorded", "deleted")
MAX_COUNT = 5000
_CONFIG_FIELDS = {"aggregators"}
_AGGREGATOR_FIELDS = {"name", "account", "region", "type", "accounts", "all_regions", "regions",
                      "exclude_accounts", "exclude_regions", "failed_sources", "access_denied"}
_FAILED_SOURCE_FIELDS = {"account", "region", "error_code", "error_message"}
AGGREGATOR_TYPES = ("organization", "account")
_AGGREGATOR_NAME = re.compile(r"^[\w-]{1,256}$", re.ASCII)
_EXPLORER_FIELDS = {"index", "view", "exclude_regions"}
_INDEX_FIELDS = {"account", "region", "type"}
_VIEW_FIELDS = {"name", "scope", "default"}
INDEX_TYPES = ("AGGREGATOR", "LOCAL")
VIEW_SCOPES = ("organization", "account")
_VIEW_NAME = re.compile(r"^[a-zA-Z0-9-]{1,64}$")
# Where an aggregator or index lives unless the scenario says otherwise.
DEFAULT_OPS_REGION = "ap-southeast-2"


class ScenarioError(ValueError):
    """A scenario that cannot be seeded; the message says where and why."""


@dataclass
class AccountSpec:
    id: str
    name: str
    email: str
    status: str
    regions: list[str]
    ou: str | None


@dataclass
class CertSpec:
    index: int
    account: str
    region: str
    domain: str
    sans: list[str]
    type: str
    key_algorithm: str
    status: str
    expires_in_days: float | None
    valid_days: float
    in_use: list[str]
    renewal_eligibility: str
    renewal_status: str | None
    tags: dict[str, str]
    config_state: str = "recorded"
    # Usage kinds whose resource ACM leaves out of InUseBy, and ARNs of resources that
    # do not exist but InUseBy names anyway (see seeder._build_certificate).
    inuseby_omits: list[str] = field(default_factory=list)
    inuseby_stale: list[str] = field(default_factory=list)
    # PRIVATE only: the name of the scenario's private CA that issued it (private_cas).
    issuer_ca: str | None = None

    @property
    def issued(self) -> bool:
        return self.status not in NOT_ISSUED_STATUSES

    @property
    def in_use_merged(self) -> bool:
        """In use by what a usage scan finds or what InUseBy says (a stale entry counts:
        ACM refuses to delete the certificate while InUseBy names anything)."""
        return bool(self.in_use or self.inuseby_stale)


@dataclass
class FailedSourceSpec:
    account: str
    region: str
    error_code: str
    error_message: str


@dataclass
class AggregatorSpec:
    name: str
    account: str
    region: str
    type: str
    accounts: list[str]
    all_regions: bool
    regions: list[str]
    exclude_accounts: list[str]
    exclude_regions: list[str]
    failed_sources: list[FailedSourceSpec]
    access_denied: bool


@dataclass
class IndexSpec:
    account: str
    region: str
    type: str


@dataclass
class ViewSpec:
    name: str
    scope: str
    default: bool


@dataclass
class ExplorerSpec:
    index: IndexSpec | None
    view: ViewSpec | None
    exclude_regions: list[str]


@dataclass
class Scenario:
    name: str
    description: str
    acm_page_size: int
    random_seed: int
    accounts: list[AccountSpec]
    certificates: list[CertSpec]
    expected: dict[str, Any] = field(default_factory=dict)
    aggregators: list[AggregatorSpec] = field(default_factory=list)
    explorer: ExplorerSpec | None = None
    faults: Any = None  # faults.FaultSet
    iam_certs: list[iam_pca.IamCertSpec] = field(default_factory=list)
    private_cas: list[iam_pca.PrivateCaSpec] = field(default_factory=list)

    @property
    def active_account_ids(self) -> set[str]:
        return {a.id for a in self.accounts if a.status == "ACTIVE"}


def load(name_or_path: str) -> dict[str, Any]:
    """A scenario by file path, or by name from emulator/scenarios/NAME.json."""
    path = Path(name_or_path)
    if not path.is_file():
        path = SCENARIO_DIR / f"{name_or_path}.json"
    if not path.is_file():
        known = sorted(p.stem for p in SCENARIO_DIR.glob("*.json"))
        raise ScenarioError(f"no scenario {name_or_path!r}: not a file, and not one of {known}")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise ScenarioError(f"{path}: not valid JSON: {err}") from err


def _require(cond: bool, where: str, message: str) -> None:
    if not cond:
        raise ScenarioError(f"{where}: {message}")


def _unknown_fields(obj: dict[str, Any], allowed: set[str], where: str) -> None:
    extra = sorted(set(obj) - allowed)
    _require(not extra, where, f"unknown field(s) {extra}; allowed: {sorted(allowed)}")


def _number(value: Any, where: str, what: str) -> float:
    _require(
        isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value),
        where, f"{what} must be a number, got {value!r}",
    )
    return float(value)


def validate(raw: Any) -> Scenario:
    _require(isinstance(raw, dict), "scenario", "must be a JSON object")
    _unknown_fields(raw, _TOP_FIELDS, "scenario")
    name = raw.get("name")
    _require(isinstance(name, str) and name != "", "scenario", "needs a non-empty name")
    where = f"scenario {name!r}"

    page_size = raw.get("acm_page_size", DEFAULT_ACM_PAGE_SIZE)
    _require(isinstance(page_size, int) and 1 <= page_size <= 1000, where,
             "acm_page_size must be an integer from 1 to 1000")
    random_seed = raw.get("random_seed", 0)
    _require(isinstance(random_seed, int), where, "random_seed must be an integer")

    accounts: list[AccountSpec] = []
    seen_ids: set[str] = set()
    raw_accounts = raw.get("accounts")
    _require(isinstance(raw_accounts, list) and raw_accounts, where, "needs a non-empty accounts list")
    for i, acc in enumerate(raw_accounts):
        aw = f"{where} accounts[{i}]"
        _require(isinstance(acc, dict), aw, "must be an object")
        _unknown_fields(acc, _ACCOUNT_FIELDS, aw)
        acc_id = acc.get("id")
        _require(isinstance(acc_id, str) and bool(_ACCOUNT_ID.match(acc_id)), aw,
                 f"id must be a 12-digit string, got {acc_id!r}")
        _require(acc_id not in seen_ids, aw, f"duplicate account id {acc_id}")
        seen_ids.add(acc_id)
        acc_name = acc.get("name")
        _require(isinstance(acc_name, str) and acc_name != "", aw, "needs a name")
        email = acc.get("email", f"aws+{acc_name}@example.com")
        _require(isinstance(email, str) and "@" in email, aw, f"email {email!r} is not an address")
        status = acc.get("status", "ACTIVE")
        _require(status in ACCOUNT_STATUSES, aw, f"status must be one of {ACCOUNT_STATUSES}")
        regions = acc.get("regions")
        _require(isinstance(regions, list) and regions, aw, "needs a non-empty regions list")
        for region in regions:
            _require(isinstance(region, str) and bool(_REGION.match(region)), aw,
                     f"region {region!r} is not of AWS's form")
        _require(len(set(regions)) == len(regions), aw, "lists a region twice")
        ou = acc.get("ou")
        _require(ou is None or (isinstance(ou, str) and all(ou.split("/"))), aw,
                 "ou must be a path like 'Workloads/Prod'")
        _require(not (acc_id == MANAGEMENT_ACCOUNT_ID and status != "ACTIVE"), aw,
                 "the management account must be ACTIVE")
        accounts.append(AccountSpec(acc_id, acc_name, email, status, list(regions), ou))
    _require(MANAGEMENT_ACCOUNT_ID in seen_ids, where,
             f"must include the management account {MANAGEMENT_ACCOUNT_ID} "
             "(moto maps plain credentials to it)")
    regions_of = {a.id: a.regions for a in accounts}
    # Before the certificates: an issuer_ca names one of these.
    private_cas = iam_pca.validate_cas(raw.get("private_cas"), regions_of, where,
                                       _require, _unknown_fields)

    certificates: list[CertSpec] = []
    usage_names: dict[tuple[str, ...], str] = {}
    raw_certs = raw.get("certificates", [])
    _require(isinstance(raw_certs, list), where, "certificates must be a list")
    for i, cert in enumerate(raw_certs):
        cw = f"{where} certificates[{i}]"
        _require(isinstance(cert, dict), cw, "must be an object")
        _unknown_fields(cert, _CERT_FIELDS, cw)
        account = cert.get("account")
        _require(account in regions_of, cw, f"account {account!r} is not in accounts")
        region = cert.get("region")
        _require(region in regions_of[account], cw,
                 f"region {region!r} is not one of account {account}'s regions {regions_of[account]}")
        domain = cert.get("domain")
        _require(isinstance(domain, str) and bool(_DOMAIN.match(domain)), cw,
                 f"domain {domain!r} is not a DNS name")
        sans = cert.get("sans", [])
        _require(isinstance(sans, list) and all(isinstance(s, str) and _DOMAIN.match(s) for s in sans),
                 cw, "sans must be a list of DNS names")
        cert_type = cert.get("type", "IMPORTED")
        _require(cert_type in CERT_TYPES, cw, f"type must be one of {CERT_TYPES}")
        key_algorithm = cert.get("key_algorithm", "RSA_2048")
        _require(key_algorithm in KEY_TYPES, cw, f"key_algorithm must be one of {KEY_TYPES}")

        expires = cert.get("expires_in_days")
        expires = None if expires is None else _number(expires, cw, "expires_in_days")
        status = cert.get("status")
        if status is None:
            _require(expires is not None, cw, "needs expires_in_days or a status")
            status = "ISSUED" if expires > 0 else "EXPIRED"
        _require(status in CERT_STATUSES, cw, f"status must be one of {CERT_STATUSES}")
        if status not in NOT_ISSUED_STATUSES:
            _require(expires is not None, cw, f"a {status} certificate needs expires_in_days")
        if status == "ISSUED":
            _require(expires > 0, cw, "an ISSUED certificate must expire after the anchor "
                                      "(use status EXPIRED)")
        if status == "EXPIRED":
            _require(expires <= 0, cw, "an EXPIRED certificate must expire at or before the anchor")
        valid_days = _number(cert.get("valid_days", 395), cw, "valid_days")
        _require(valid_days > 0, cw, "valid_days must be positive")

        in_use = cert.get("in_use", [])
        _require(isinstance(in_use, list) and all(u in USAGE_KINDS for u in in_use), cw,
                 f"in_use must be a list of {USAGE_KINDS}")
        _require(len(set(in_use)) == len(in_use), cw, "in_use lists a kind twice")
        _require(not (in_use and status in NOT_ISSUED_STATUSES), cw,
                 "a certificate that was never issued cannot be in use")
        _require("cloudfront" not in in_use or region == CLOUDFRONT_CERTIFICATE_REGION, cw,
                 f"cloudfront can only use a certificate in {CLOUDFRONT_CERTIFICATE_REGION}, "
                 f"not {region}")
        _require(not {"apigw", "apigwv2"} <= set(in_use), cw,
                 "apigw and apigwv2 would both create the same custom domain name "
                 "(API Gateway v1 and v2 share domain names); use two certificates")
        omits = cert.get("inuseby_omits", [])
        _require(isinstance(omits, list) and all(k in in_use for k in omits)
                 and len(set(omits)) == len(omits), cw,
                 f"inuseby_omits must list kinds from this certificate's in_use {in_use}")
        stale = cert.get("inuseby_stale", [])
        _require(isinstance(stale, list) and all(isinstance(a, str) and _RESOURCE_ARN.match(a)
                                                 for a in stale), cw,
                 "inuseby_stale must be a list of resource ARNs")
        _require(not (stale and status in NOT_ISSUED_STATUSES), cw,
                 "a certificate that was never issued cannot be in use")

        eligibility = cert.get("renewal_eligibility")
        if eligibility is None:
            # AWS: imported certificates never renew; ACM-issued ones renew while InUseBy
            # names something.
            in_use_by = [k for k in in_use if k not in omits] + stale
            eligibility = "ELIGIBLE" if cert_type != "IMPORTED" and in_use_by else "INELIGIBLE"
        _require(eligibility in RENEWAL_ELIGIBILITY, cw,
                 f"renewal_eligibility must be one of {RENEWAL_ELIGIBILITY}")
        renewal_status = cert.get("renewal_status")
        _require(renewal_status is None or renewal_status in RENEWAL_STATUSES, cw,
                 f"renewal_status must be null or one of {RENEWAL_STATUSES}")
        _require(renewal_status is None or cert_type != "IMPORTED", cw,
                 "imported certificates have no managed renewal (renewal_status must be null)")
        tags = cert.get("tags", {})
        _require(isinstance(tags, dict) and all(isinstance(k, str) and isinstance(v, str)
                                                for k, v in tags.items()),
                 cw, "tags must map strings to strings")
        config_state = cert.get("config_state", "recorded")
        _require(config_state in CONFIG_STATES, cw, f"config_state must be one of {CONFIG_STATES}")
        _require(not (config_state == "deleted" and (in_use or stale)), cw,
                 "a deleted certificate cannot be in use (ACM refuses to delete one that is)")
        issuer_ca = cert.get("issuer_ca")
        _require(issuer_ca is None or isinstance(issuer_ca, str), cw, "issuer_ca must be a CA name")
        count = cert.get("count", 1)
        _require(isinstance(count, int) and not isinstance(count, bool) and 1 <= count <= MAX_COUNT,
                 cw, f"count must be an integer from 1 to {MAX_COUNT}")

        for n in range(1, count + 1):
            numbered = domain if count == 1 else _numbered(domain, n, len(str(count)))
            _require(bool(_DOMAIN.match(numbered)), cw, f"numbered domain {numbered!r} is not a DNS name")
            certificates.append(CertSpec(
                index=len(certificates), account=account, region=region, domain=numbered,
                sans=list(sans), type=cert_type, key_algorithm=key_algorithm, status=status,
                expires_in_days=expires, valid_days=valid_days, in_use=list(in_use),
                renewal_eligibility=eligibility, renewal_status=renewal_status, tags=dict(tags),
                config_state=config_state, inuseby_omits=list(omits), inuseby_stale=list(stale),
                issuer_ca=issuer_ca,
            ))
            _claim_usage_names(certificates[-1], usage_names, cw)
            if issuer_ca is not None:
                iam_pca.check_issuer(certificates[-1], private_cas, cw, _require)

    iam_certs = iam_pca.validate_iam(raw.get("iam_server_certificates"), regions_of,
                                     len(certificates), where, _require, _unknown_fields)
    for spec in iam_certs:
        # A CloudFront alias is unique across the scenario, IAM-served or ACM-served.
        _claim_usage_names(spec, usage_names, f"{where} iam_server_certificates[{spec.name}]")

    expected = raw.get("expected", {})
    _require(isinstance(expected, dict), where, "expected must be an object")
    try:
        fault_set = faults_mod.validate(raw.get("faults"))
    except ValueError as err:
        raise ScenarioError(f"{where} faults{err}") from None
    return Scenario(
        name=name,
        description=str(raw.get("description", "")),
        acm_page_size=page_size,
        random_seed=random_seed,
        accounts=accounts,
        certificates=certificates,
        expected=expected,
        aggregators=_validate_config(raw.get("config"), accounts, f"{where} config"),
        explorer=_validate_explorer(raw.get("resource_explorer"), accounts,
                                    f"{where} resource_explorer"),
        faults=fault_set,
        iam_certs=iam_certs,
        private_cas=private_cas,
    )


def usage_name(cert: Any, kind: str) -> str:
    """The DNS name a usage site answers to: the certificate's domain, a wildcard's
    ``*`` replaced (``www`` for a CloudFront alias, ``api`` for an API Gateway domain)."""
    if not cert.domain.startswith("*."):
        return cert.domain
    return ("www" if kind == "cloudfront" else "api") + cert.domain[1:]


def _claim_usage_names(cert: Any, seen: dict[tuple[str, ...], str], where: str) -> None:
    """AWS refuses a second custom domain name of the same name in an account and
    region (v1 and v2 alike), and a CloudFront alias already in use anywhere."""
    for kind in cert.in_use:
        if kind in ("apigw", "apigwv2"):
            key: tuple[str, ...] = ("custom domain name", cert.account, cert.region,
                                    usage_name(cert, kind))
        elif kind == "cloudfront":
            key = ("CloudFront alias", usage_name(cert, kind))
        else:
            continue
        _require(key not in seen, where, f"{key[0]} {key[-1]!r} is already used by {seen.get(key)}")
        seen[key] = where


def _numbered(domain: str, n: int, width: int) -> str:
    """``api.example.com`` -> ``api-007.example.com`` (``*.x.com`` -> ``*.x-007.com``)."""
    labels = domain.split(".")
    at = 1 if labels[0] == "*" else 0
    labels[at] = f"{labels[at]}-{n:0{width}d}"
    return ".".join(labels)


def _account_ref(value: Any, regions_of: dict[str, list[str]], where: str, what: str) -> str:
    _require(value in regions_of, where, f"{what} {value!r} is not in accounts")
    return value


def _region_list(value: Any, where: str, what: str) -> list[str]:
    _require(isinstance(value, list) and all(isinstance(r, str) and _REGION.match(r) for r in value),
             where, f"{what} must be a list of region names")
    return list(value)


def _bool(value: Any, where: str, what: str) -> bool:
    _require(isinstance(value, bool), where, f"{what} must be true or false")
    return value


def covered_sources(agg: AggregatorSpec, accounts: list[AccountSpec]) -> list[tuple[str, str]]:
    """(account, region) pairs an aggregator collects from, as the scenario lays it out:
    an organization aggregator covers the ACTIVE accounts, an account aggregator the
    accounts it names; all their enabled regions, or those of ``regions`` they enabled;
    minus the excluded accounts and regions. (config.sources computes the same live.)"""
    members = ([a for a in accounts if a.status == "ACTIVE"] if agg.type == "organization"
               else [a for a in accounts if a.id in agg.accounts])
    return [(a.id, r) for a in members if a.id not in agg.exclude_accounts
            for r in a.regions
            if (agg.all_regions or r in agg.regions) and r not in agg.exclude_regions]


def _validate_config(raw: Any, accounts: list[AccountSpec], where: str) -> list[AggregatorSpec]:
    if raw is None:
        return []
    _require(isinstance(raw, dict), where, "must be an object")
    _unknown_fields(raw, _CONFIG_FIELDS, where)
    raw_aggs = raw.get("aggregators", [])
    _require(isinstance(raw_aggs, list), where, "aggregators must be a list")
    regions_of = {a.id: a.regions for a in accounts}
    seen: set[tuple[str, str, str]] = set()
    result: list[AggregatorSpec] = []
    for i, agg in enumerate(raw_aggs):
        aw = f"{where} aggregators[{i}]"
        _require(isinstance(agg, dict), aw, "must be an object")
        _unknown_fields(agg, _AGGREGATOR_FIELDS, aw)
        name = agg.get("name")
        _require(isinstance(name, str) and bool(_AGGREGATOR_NAME.match(name)), aw,
                 f"name must match [\\w-]{{1,256}}, got {name!r}")
        account = _account_ref(agg.get("account", MANAGEMENT_ACCOUNT_ID), regions_of, aw, "account")
        region = agg.get("region", DEFAULT_OPS_REGION)
        _require(region in regions_of[account], aw,
                 f"region {region!r} is not one of account {account}'s regions")
        _require((account, region, name) not in seen, aw,
                 f"a second aggregator {name!r} in {account}/{region}")
        seen.add((account, region, name))
        agg_type = agg.get("type", "organization")
        _require(agg_type in AGGREGATOR_TYPES, aw, f"type must be one of {AGGREGATOR_TYPES}")
        members = agg.get("accounts")
        if agg_type == "account":
            _require(isinstance(members, list) and members, aw,
                     "an account aggregator needs a non-empty accounts list")
            members = [_account_ref(m, regions_of, aw, "accounts entry") for m in members]
        else:
            _require(members is None, aw, "accounts is only for type account")
            members = []
        regions = _region_list(agg.get("regions", []), aw, "regions")
        all_regions = _bool(agg.get("all_regions", not regions), aw, "all_regions")
        # AWS (and moto) refuse both, and neither.
        _require(all_regions != bool(regions), aw, "give either all_regions: true or regions, not both")
        exclude_accounts = [_account_ref(a, regions_of, aw, "exclude_accounts entry")
                            for a in agg.get("exclude_accounts", [])]
        exclude_regions = _region_list(agg.get("exclude_regions", []), aw, "exclude_regions")
        access_denied = _bool(agg.get("access_denied", False), aw, "access_denied")
        spec = AggregatorSpec(name, account, region, agg_type, members, all_regions, regions,
                              exclude_accounts, exclude_regions, [], access_denied)
        covered = set(covered_sources(spec, accounts))
        failed = agg.get("failed_sources", [])
        _require(isinstance(failed, list), aw, "failed_sources must be a list")
        for j, src in enumerate(failed):
            fw = f"{aw} failed_sources[{j}]"
            _require(isinstance(src, dict), fw, "must be an object")
            _unknown_fields(src, _FAILED_SOURCE_FIELDS, fw)
            pair = (src.get("account"), src.get("region"))
            _require(pair in covered, fw, f"{pair[0]}/{pair[1]} is not a source of this aggregator")
            code = src.get("error_code", "AccessDeniedException")
            message = src.get("error_message", "AWS Config could not collect data from the source "
                                               "account: the aggregator's role was denied access.")
            _require(isinstance(code, str) and isinstance(message, str), fw,
                     "error_code and error_message must be strings")
            spec.failed_sources.append(FailedSourceSpec(pair[0], pair[1], code, message))
        result.append(spec)
    return result


def _validate_explorer(raw: Any, accounts: list[AccountSpec], where: str) -> ExplorerSpec | None:
    if raw is None:
        return None
    _require(isinstance(raw, dict), where, "must be an object")
    _unknown_fields(raw, _EXPLORER_FIELDS, where)
    regions_of = {a.id: a.regions for a in accounts}
    index = None
    raw_index = raw.get("index")
    if raw_index is not None:
        iw = f"{where} index"
        _require(isinstance(raw_index, dict), iw, "must be an object or null")
        _unknown_fields(raw_index, _INDEX_FIELDS, iw)
        account = _account_ref(raw_index.get("account", MANAGEMENT_ACCOUNT_ID), regions_of, iw, "account")
        region = raw_index.get("region", DEFAULT_OPS_REGION)
        _require(region in regions_of[account], iw,
                 f"region {region!r} is not one of account {account}'s regions")
        index_type = raw_index.get("type", "AGGREGATOR")
        _require(index_type in INDEX_TYPES, iw, f"type must be one of {INDEX_TYPES}")
        index = IndexSpec(account, region, index_type)
    view = None
    raw_view = raw.get("view")
    if raw_view is not None:
        vw = f"{where} view"
        _require(isinstance(raw_view, dict), vw, "must be an object or null")
        _unknown_fields(raw_view, _VIEW_FIELDS, vw)
        _require(index is not None, vw, "a view needs an index in its region (AWS refuses one without)")
        name = raw_view.get("name")
        _require(isinstance(name, str) and bool(_VIEW_NAME.match(name)), vw,
                 f"name must match [a-zA-Z0-9-]{{1,64}}, got {name!r}")
        scope = raw_view.get("scope", "account")
        _require(scope in VIEW_SCOPES, vw, f"scope must be one of {VIEW_SCOPES}")
        view = ViewSpec(name, scope, _bool(raw_view.get("default", True), vw, "default"))
    exclude = _region_list(raw.get("exclude_regions", []), where, "exclude_regions")
    _require(index is None or index.region not in exclude, where,
             "exclude_regions cannot exclude the index's own region")
    return ExplorerSpec(index, view, exclude)


def bucket_of(cert: CertSpec, high_days: int = 30, medium_days: int = 90) -> str:
    """SPEC section 5, evaluated at the anchor (days_to_expiry = floor(offset))."""
    if not cert.issued or cert.expires_in_days is None:
        return "NOT_ISSUED"
    expired = cert.expires_in_days <= 0 or cert.status == "REVOKED"
    if expired:
        return "CRITICAL" if cert.in_use_merged else "REMOVE"
    days = math.floor(cert.expires_in_days)
    if days <= high_days:
        return "HIGH"
    if days <= medium_days:
        return "MEDIUM"
    return "OK"


def expected_buckets(scenario: Scenario) -> dict[str, int]:
    """Bucket counts a correct certinv reports at the anchor: ACTIVE accounts only, and
    only what ACM holds (a ``deleted`` certificate lives on in AWS Config alone)."""
    buckets = {b: 0 for b in ("CRITICAL", "HIGH", "MEDIUM", "OK", "REMOVE", "NOT_ISSUED")}
    active = scenario.active_account_ids
    for cert in scenario.certificates:
        if cert.account in active and cert.config_state != "deleted":
            buckets[bucket_of(cert)] += 1
    return buckets


def expected_buckets_by_source(scenario: Scenario) -> dict[str, dict[str, int]]:
    """``{"acm", "iam", "pca"}`` bucket counts at the anchor, ACTIVE accounts only: ACM
    as ``expected_buckets``; IAM server certificates by their body's NotAfter and usage
    sites; private CAs by their CA certificate's NotAfter (scenario_iam_pca)."""
    active = scenario.active_account_ids
    out = {"acm": expected_buckets(scenario)}
    for source, items, rule in (("iam", scenario.iam_certs, iam_pca.iam_bucket),
                                ("pca", scenario.private_cas, iam_pca.ca_bucket)):
        counts = {b: 0 for b in out["acm"]}
        for item in items:
            if item.account in active:
                counts[rule(item)] += 1
        out[source] = counts
    return out
