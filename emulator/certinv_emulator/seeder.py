"""Builds a scenario inside moto, in-process, through moto's own backends.

The layout is a real organization's: Organizations in the management account
(123456789012) with the scenario's fixed member account IDs; each certificate in its
own account's ACM backend in its region; each in-use certificate on a real ELBv2
load balancer in that account and region, so a later DescribeListeners finds it.

Later kinds of deployment (CloudFront, API Gateway, classic ELB) add a builder to
``USAGE_BUILDERS``; later services (faults, ...) add a step to ``BUILD_STEPS``, as the
Config aggregators and Resource Explorer did. Nothing else needs to change.
"""

from __future__ import annotations

import re
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterator

from . import MANAGEMENT_ACCOUNT_ID
from . import config as config_ext
from . import resource_explorer
from .acm import META_ATTR, CertMeta, remember_private_key
from .certs import KEYRING, build_certificate
from .scenario import CertSpec, Scenario, expected_buckets
from .state import STATE, ScenarioState, format_instant

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

    def to_json(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "anchor": format_instant(self.anchor),
            "accounts": self.accounts,
            "certificates": self.certificates,
            "load_balancers": self.load_balancers,
            "buckets": self.buckets,
            "seconds": round(self.seconds, 3),
        }


@dataclass
class _Build:
    """What the build steps share while one scenario is being seeded."""

    scenario: Scenario
    anchor: datetime
    load_balancers: int = 0
    arns: list[str] = field(default_factory=list)  # what ACM holds once seeded
    # (account, region) -> subnet ids of the default VPC, made once per pair.
    subnets: dict[tuple[str, str], list[str]] = field(default_factory=dict)


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
    pem = build_certificate(
        key_type=cert.key_algorithm,
        domain=cert.domain,
        sans=cert.sans,
        not_before=not_before,
        not_after=not_after,
        issuer_cn=issuer_cn,
        issuer_org=issuer_org,
        serial_seed=f"{build.scenario.name}/{cert.index}/{cert.domain}",
    )
    authority = None
    if cert.type == "PRIVATE":
        authority = (f"arn:aws:acm-pca:{cert.region}:{cert.account}:certificate-authority/"
                     f"{uuid.uuid5(uuid.NAMESPACE_DNS, cert.account + cert.region)}")
    key_pem = KEYRING.key_pem(cert.key_algorithm)
    remember_private_key(key_pem, KEYRING.key(cert.key_algorithm))
    bundle = CertBundle(
        cert.account,
        pem,
        key_pem,
        region=cert.region,
        cert_type=cert.type,
        cert_status=cert.status,
        cert_authority_arn=authority,
    )
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
        USAGE_BUILDERS[kind](build, cert, bundle.arn)


def _load_balancer_name(cert: CertSpec) -> str:
    # ELBv2 names: at most 32 of [A-Za-z0-9-], no leading/trailing hyphen.
    label = re.sub(r"[^a-z0-9-]", "-", cert.domain.lstrip("*.").split(".")[0]).strip("-") or "lb"
    return f"alb-{label[:20]}-{cert.index:04d}".replace("--", "-")


def _use_on_elbv2(build: _Build, cert: CertSpec, certificate_arn: str) -> None:
    """An internet-facing ALB with an HTTPS:443 listener serving the certificate.

    moto's CreateListener marks the certificate in use (acm's
    in_use_by_names_the_load_balancer turns that into the load balancer ARN).
    """
    from moto.ec2.models import ec2_backends
    from moto.elbv2.models import elbv2_backends

    key = (cert.account, cert.region)
    if key not in build.subnets:
        ec2 = ec2_backends[cert.account][cert.region]
        subnets = ec2.describe_subnets(filters={"vpc-id": [ec2.default_vpc.id]})
        build.subnets[key] = [s.id for s in subnets[:2]]
    elbv2 = elbv2_backends[cert.account][cert.region]
    balancer = elbv2.create_load_balancer(
        name=_load_balancer_name(cert),
        security_groups=[],
        subnet_ids=build.subnets[key],
        scheme="internet-facing",
        loadbalancer_type="application",
        tags=[{"Key": "certinv:domain", "Value": cert.domain}],
    )
    balancer.state = "active"
    elbv2.create_listener(
        load_balancer_arn=balancer.arn,
        protocol="HTTPS",
        port=443,
        ssl_policy="ELBSecurityPolicy-TLS13-1-2-2021-06",
        certificate=certificate_arn,
        actions=[{
            "Type": "fixed-response",
            "FixedResponseConfig": {"StatusCode": "200", "ContentType": "text/plain",
                                    "MessageBody": "ok"},
        }],
    )
    build.load_balancers += 1


USAGE_BUILDERS: dict[str, Callable[[_Build, CertSpec, str], None]] = {
    "elbv2": _use_on_elbv2,
}


def _build_certificates(build: _Build) -> None:
    for cert in build.scenario.certificates:
        _build_certificate(build, cert)


def _build_config_aggregators(build: _Build) -> None:
    for spec in build.scenario.aggregators:
        config_ext.seed_aggregator(spec)


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
    _build_certificates,
    _build_config_aggregators,
    _build_resource_explorer,
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
    return SeedReport(
        scenario=scenario.name,
        anchor=anchor,
        accounts=len(scenario.accounts),
        certificates=len(build.arns),
        load_balancers=build.load_balancers,
        buckets=expected_buckets(scenario),
        seconds=time.monotonic() - started,
        arns=build.arns,
    )
