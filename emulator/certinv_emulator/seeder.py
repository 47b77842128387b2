"""Builds a scenario inside moto, in-process, through moto's own backends.

The layout is a real organization's: Organizations in the management account
(123456789012) with the scenario's fixed member account IDs; each certificate in its
own account's ACM backend in its region; each in-use certificate on a real resource in
that account (ELBv2, classic ELB, CloudFront, API Gateway v1/v2: ``usage_sites``), so
certinv's usage scan finds it, then InUseBy adjusted as the scenario says.

A further kind of deployment adds a builder to ``usage_sites.USAGE_BUILDERS``; a
further service adds a step to ``BUILD_STEPS``, as the Config aggregators, Resource
Explorer and faults did. Nothing else needs to change.
"""

from __future__ import annotations

import time
from collections import Counter
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterator

from . import MANAGEMENT_ACCOUNT_ID
from . import config as config_ext
from . import iam_server_certificates, private_ca, resource_explorer
from .acm import META_ATTR, CertMeta, remember_private_key
from .certs import KEYRING, build_certificate
from .scenario import USAGE_KINDS, CertSpec, Scenario, expected_buckets_by_source
from .scenario_iam_pca import validity
from .state import STATE, ScenarioState, format_instant
from .usage_sites import USAGE_BUILDERS

# Issuer names shaped like the real ones, by certificate type and key family.
_ISSUERS = {
    ("AMAZON_ISSUED", "RSA"): ("Amazon RSA 2048 M02", "Amazon"),
    ("AMAZON_ISSUED", "EC"): ("Amazon ECDSA 256 M02", "Amazon"),
    ("IMPORTED", "RSA"): ("R11", "Let's Encrypt"),
    ("IMPORTED", "EC"): ("E6", "Let's Encrypt"),
    ("PRIVATE", "RSA"): ("certinv Private Issuing CA", "certinv Example Corp"),
    ("PRIVATE", "EC"): ("certinv Private Issuing CA", "certinv Example Corp"),
}
# Validity window for a certificate that was never issued: invisible through the API
# (DescribeCertificate strips it) but moto needs some PEM to hold.
_PLACEHOLDER_VALID_DAYS = 395


@dataclass
class SeedReport:
    scenario: str
    anchor: datetime
    accounts: int
    certificates: int
    load_balancers: int
    buckets: dict[str, int]
    seconds: float
    arns: list[str] = field(default_factory=list)
    usage_sites: dict[str, int] = field(default_factory=dict)
    iam_server_certificates: int = 0
    private_cas: int = 0
    buckets_by_source: dict[str, dict[str, int]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "anchor": format_instant(self.anchor),
            "accounts": self.accounts,
            "certificates": self.certificates,
            "iam_server_certificates": self.iam_server_certificates,
            "private_cas": self.private_cas,
            "load_balancers": self.load_balancers,
            "usage_sites": self.usage_sites,
            "buckets": self.buckets,
            "buckets_by_source": self.buckets_by_source,
            "seconds": round(self.seconds, 3),
        }


@dataclass
class _Build:
    """What the build steps share while one scenario is being seeded."""

    scenario: Scenario
    anchor: datetime
    arns: list[str] = field(default_factory=list)  # what ACM holds once seeded
    # in_use kind -> resources built (usage_sites.USAGE_BUILDERS)
    usage_sites: Counter = field(default_factory=Counter)
    # (account, region) -> subnet ids of the default VPC, made once per pair.
    subnets: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    # private CA name -> (ARN, certificate PEM), for certificates naming an issuer_ca.
    private_cas: dict[str, tuple[str, bytes]] = field(default_factory=dict)


# --- Organizations ---------------------------------------------------------------------


@contextmanager
def _next_account_id(account_id: str) -> Iterator[None]:
    """moto's CreateAccount draws a random account ID; a scenario needs fixed ones.

    Swapping the ID generator for the one call (rather than renaming the account
    afterwards) also puts the OrganizationAccountAccessRole that moto creates into the
    right account's IAM. Seeding holds STATE.seed_lock, so nothing else creates
    accounts meanwhile.
    """
    from moto.organizations import utils

    original = utils.make_random_account_id
    utils.make_random_account_id = lambda: account_id
    try:
        yield
    finally:
        utils.make_random_account_id = original


def _build_organization(build: _Build) -> None:
    from moto.organizations.models import organizations_backends

    scenario, anchor = build.scenario, build.anchor
    orgs = organizations_backends[MANAGEMENT_ACCOUNT_ID]["aws"]
    orgs.create_organization(region="us-east-1", FeatureSet="ALL")
    root_id = orgs.ou[0].id
    ou_ids: dict[str, str] = {}

    def ou_for(path: str) -> str:
        parent, sofar = root_id, []
        for part in path.split("/"):
            sofar.append(part)
            key = "/".join(sofar)
            if key not in ou_ids:
                ou_ids[key] = orgs.create_organizational_unit(Name=part, ParentId=parent)[
                    "OrganizationalUnit"]["Id"]
            parent = ou_ids[key]
        return parent

    # JoinedTimestamp orders ListAccounts (and moto pages on it), so every account gets
    # a distinct one, the management account the earliest.
    first_joined = anchor - timedelta(days=2000)
    management = next(a for a in scenario.accounts if a.id == MANAGEMENT_ACCOUNT_ID)
    members = [a for a in scenario.accounts if a.id != MANAGEMENT_ACCOUNT_ID]
    for position, spec in enumerate([management] + members):
        if spec.id == MANAGEMENT_ACCOUNT_ID:
            account = orgs.get_account_by_id(MANAGEMENT_ACCOUNT_ID)
            orgs.org.master_account_email = spec.email
        else:
            with _next_account_id(spec.id):
                orgs.create_account(AccountName=spec.name, Email=spec.email)
            account = orgs.get_account_by_id(spec.id)
        account.name = spec.name
        account.email = spec.email
        account.status = account.state = spec.status
        account.create_time = (first_joined + timedelta(days=7 * position)).replace(tzinfo=None)
        if spec.ou:
            orgs.move_account(AccountId=spec.id, SourceParentId=root_id,
                              DestinationParentId=ou_for(spec.ou))


# --- certificates ----------------------------------------------------------------------


def _validity(cert: CertSpec, anchor: datetime) -> tuple[datetime, datetime]:
    if cert.expires_in_days is None:
        not_before = anchor
        return not_before, not_before + timedelta(days=_PLACEHOLDER_VALID_DAYS)
    # X.509 times have whole seconds; truncating keeps the instant the API reports
    # identical to the one in the PEM.
    not_after = (anchor + timedelta(days=cert.expires_in_days)).replace(microsecond=0)
    not_before = (not_after - timedelta(days=cert.valid_days)).replace(microsecond=0)
    return not_before, not_after


def _build_certificate(build: _Build, cert: CertSpec) -> None:
    from moto.acm.models import CertBundle, acm_backends

    anchor = build.anchor
    not_before, not_after = _validity(cert, anchor)
    family = "EC" if cert.key_algorithm.startswith("EC_") else "RSA"
    issuer_cn, issuer_org = _ISSUERS[(cert.type, family)]
    authority, chain = None, None
    if cert.issuer_ca:
        # Issued by a scenario CA: its name, signed by its key, its certificate as chain.
        ca_spec = next(ca for ca in build.scenario.private_cas if ca.name == cert.issuer_ca)
        issuer_cn, issuer_org = ca_spec.name, ca_spec.organization
        authority, chain = build.private_cas[cert.issuer_ca]
    elif cert.type == "PRIVATE":
        # A CA the scenario does not model: an ARN of AWS's form, stable per account+region.
        authority = (f"arn:aws:acm-pca:{cert.region}:{cert.account}:certificate-authority/"
                     f"{uuid.uuid5(uuid.NAMESPACE_DNS, cert.account + cert.region)}")
    pem = build_certificate(
        key_type=cert.key_algorithm,
        domain=cert.domain,
        sans=cert.sans,
        not_before=not_before,
        not_after=not_after,
        issuer_cn=issuer_cn,
        issuer_org=issuer_org,
        serial_seed=f"{build.scenario.name}/{cert.index}/{cert.domain}",
        signed_by_ca=cert.issuer_ca is not None,
    )
    key_pem = KEYRING.key_pem(cert.key_algorithm)
    remember_private_key(key_pem, KEYRING.key(cert.key_algorithm))
    bundle = CertBundle(
        cert.account,
        pem,
        key_pem,
        chain=chain,
        region=cert.region,
        cert_type=cert.type,
        cert_status=cert.status,
        cert_authority_arn=authority,
    )
    if chain is not None:
        # moto appends Amazon's public root to every chain; a private CA's certificate
        # chains to that CA alone (GetCertificate's CertificateChain).
        bundle.chain = chain
    # Created/imported when its validity began, as a real one would have been.
    bundle.created_at = not_before.astimezone(timezone.utc).replace(tzinfo=None)
    setattr(bundle, META_ATTR, CertMeta(
        renewal_eligibility=cert.renewal_eligibility,
        renewal_status=cert.renewal_status,
        renewal_updated_at=anchor - timedelta(hours=6) if cert.renewal_status else None,
        revoked_at=(min(anchor, not_after) - timedelta(days=1)) if cert.status == "REVOKED" else None,
        revocation_reason="KEY_COMPROMISE" if cert.status == "REVOKED" else None,
    ))
    backend = acm_backends[cert.account][cert.region]
    backend._certificates[bundle.arn] = bundle
    if cert.tags:
        bundle.tags.add([{"Key": k, "Value": v} for k, v in cert.tags.items()])
    if cert.config_state == "deleted":
        # Config recorded it, then it was deleted from ACM before Config noticed.
        STATE.current.config_deleted.append(config_ext.config_item(bundle))
        del backend._certificates[bundle.arn]
        return
    if cert.config_state == "not_yet_recorded":
        STATE.current.config_unrecorded.add(bundle.arn)
    build.arns.append(bundle.arn)

    for kind in cert.in_use:
        resource = USAGE_BUILDERS[kind](build, cert, bundle.arn)
        build.usage_sites[kind] += 1
        if kind in cert.inuseby_omits and resource in bundle.in_use_by:
            # ACM did not record this one (as moto never does for CloudFront or API
            # Gateway): certinv's scan finds a use that InUseBy does not name.
            bundle.in_use_by.remove(resource)
    # InUseBy naming resources that no longer exist (AWS clears them late, if ever).
    for resource in cert.inuseby_stale:
        if resource not in bundle.in_use_by:
            bundle.in_use_by.append(resource)


def _build_certificates(build: _Build) -> None:
    for cert in build.scenario.certificates:
        _build_certificate(build, cert)


def _build_private_cas(build: _Build) -> None:
    """Before the certificates: those naming an issuer_ca need its ARN and certificate."""
    for spec in build.scenario.private_cas:
        not_before, not_after = validity(build.anchor, spec.expires_in_days, spec.valid_days)
        build.private_cas[spec.name] = private_ca.seed_private_ca(
            spec.account, spec.region, spec.name, spec.organization, not_before, not_after,
            spec.status)


def _build_iam_server_certificates(build: _Build) -> None:
    """Each uploaded to its account's (global) IAM, then its usage sites: ELBv2 and
    classic listeners name its ARN, a CloudFront distribution its ServerCertificateId.
    ACM's InUseBy is not involved: IAM keeps no record of what uses a certificate."""
    for spec in build.scenario.iam_certs:
        not_before, not_after = validity(build.anchor, spec.expires_in_days, spec.valid_days)
        family = "EC" if spec.key_algorithm.startswith("EC_") else "RSA"
        issuer_cn, issuer_org = _ISSUERS[("IMPORTED", family)]
        pem = build_certificate(
            key_type=spec.key_algorithm, domain=spec.domain, sans=[], not_before=not_before,
            not_after=not_after, issuer_cn=issuer_cn, issuer_org=issuer_org,
            serial_seed=f"{build.scenario.name}/iam/{spec.account}/{spec.name}")
        cert = iam_server_certificates.seed_server_certificate(
            spec.account, spec.name, pem, KEYRING.key_pem(spec.key_algorithm), spec.path,
            upload_date=not_before, expiration_shift_days=spec.expiration_mismatch_days)
        server_certificate_id = getattr(cert, iam_server_certificates.META_ATTR).certificate_id
        for kind in spec.in_use:
            reference = server_certificate_id if kind == "cloudfront" else cert.arn
            USAGE_BUILDERS[kind](build, spec, reference)
            build.usage_sites[kind] += 1


def _build_config_aggregators(build: _Build) -> None:
    for spec in build.scenario.aggregators:
        config_ext.seed_aggregator(spec)


def _build_faults(build: _Build) -> None:
    STATE.current.faults = build.scenario.faults


def _build_resource_explorer(build: _Build) -> None:
    spec = build.scenario.explorer
    if spec is None:
        return
    all_regions = list(dict.fromkeys(r for a in build.scenario.accounts for r in a.regions))
    index_account = spec.index.account if spec.index else MANAGEMENT_ACCOUNT_ID
    STATE.current.explorer = resource_explorer.build(
        spec, build.scenario.name, all_regions, STATE.regions_for(index_account) or [])


# Run in order; later services append here.
BUILD_STEPS: list[Callable[[_Build], None]] = [
    _build_organization,
    _build_private_cas,
    _build_certificates,
    _build_iam_server_certificates,
    _build_config_aggregators,
    _build_resource_explorer,
    _build_faults,
]


def seed(scenario: Scenario, anchor: datetime) -> SeedReport:
    """Resets moto (as ``POST /moto-api/reset``) and builds the scenario at ``anchor``."""
    from moto.moto_api._internal import mock_random
    from moto.moto_api._internal.models import moto_api_backend

    started = time.monotonic()
    with STATE.seed_lock:
        moto_api_backend.reset()  # seed.reset_clears_scenario also clears STATE
        # Same scenario, same ARNs and IDs, run after run.
        mock_random.seed(scenario.random_seed)
        STATE.install(ScenarioState(
            name=scenario.name,
            anchor=anchor,
            anchor_monotonic=time.monotonic(),
            acm_page_size=scenario.acm_page_size,
            regions_by_account={a.id: list(a.regions) for a in scenario.accounts},
            accounts=len(scenario.accounts),
            certificates=sum(c.config_state != "deleted" for c in scenario.certificates),
        ))
        build = _Build(scenario=scenario, anchor=anchor)
        try:
            for step in BUILD_STEPS:
                step(build)
        except BaseException:
            moto_api_backend.reset()  # never leave half a scenario behind
            raise
        finally:
            # A call served while the build ran saw part of it.
            STATE.changed()
    by_source = expected_buckets_by_source(scenario)
    return SeedReport(
        scenario=scenario.name,
        anchor=anchor,
        accounts=len(scenario.accounts),
        certificates=len(build.arns),
        load_balancers=build.usage_sites["elbv2"] + build.usage_sites["clb"],
        usage_sites={kind: build.usage_sites[kind] for kind in USAGE_KINDS},
        buckets=_sum_buckets(by_source),
        seconds=time.monotonic() - started,
        arns=build.arns,
        iam_server_certificates=len(scenario.iam_certs),
        private_cas=len(scenario.private_cas),
        buckets_by_source=by_source,
    )


def _sum_buckets(by_source: dict[str, dict[str, int]]) -> dict[str, int]:
    """Every source together: what certinv reports once it reads IAM and ACM PCA too
    (the ACM part alone for scenarios without either)."""
    total: Counter = Counter()
    for counts in by_source.values():
        total.update(counts)
    return {bucket: total[bucket] for bucket in by_source["acm"]}
