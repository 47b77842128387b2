"""landing-zone-31 through the direct path (SPEC P3), as certinv will walk it."""

from __future__ import annotations

import math
import re
from collections import Counter
from datetime import datetime, timezone

from conftest import ALL_KEY_TYPES, MANAGEMENT, enabled_regions, list_all, load_scenario

SPEC_BUCKETS = {"CRITICAL": 19, "REMOVE": 5, "HIGH": 12, "MEDIUM": 27, "OK": 113, "NOT_ISSUED": 0}
LB_ARN = re.compile(
    r"^arn:aws:elasticloadbalancing:[a-z0-9-]+:[0-9]{12}:loadbalancer/app/[A-Za-z0-9-]+/[0-9a-f]{16}$")


def bucket(detail: dict, now: datetime) -> str:
    """SPEC section 5, defaults 30/90."""
    if detail["Status"] in ("PENDING_VALIDATION", "FAILED", "VALIDATION_TIMED_OUT") \
            or "NotAfter" not in detail:
        return "NOT_ISSUED"
    not_after = detail["NotAfter"]
    if not_after <= now or detail["Status"] == "REVOKED":
        return "CRITICAL" if detail["InUseBy"] else "REMOVE"
    days = math.floor((not_after - now).total_seconds() / 86400)
    return "HIGH" if days <= 30 else "MEDIUM" if days <= 90 else "OK"


def test_organization_layout(emulator):
    report = emulator.seed("landing-zone-31")
    assert report["accounts"] == 31 and report["certificates"] == 176
    assert report["buckets"] == SPEC_BUCKETS
    org = emulator.client("organizations")
    accounts = [a for page in org.get_paginator("list_accounts").paginate() for a in page["Accounts"]]
    assert len(accounts) == 31
    assert accounts[0]["Id"] == MANAGEMENT and accounts[0]["Name"] == "management"
    assert all(a["Status"] == "ACTIVE" for a in accounts)
    scenario_ids = [a["id"] for a in load_scenario("landing-zone-31")["accounts"]]
    assert [a["Id"] for a in accounts] == scenario_ids
    # Paging with AWS's maximum page size still lists each account once.
    paged = [a["Id"] for page in org.get_paginator("list_accounts").paginate(
        PaginationConfig={"PageSize": 20}) for a in page["Accounts"]]
    assert paged == scenario_ids
    assert org.describe_organization()["Organization"]["MasterAccountId"] == MANAGEMENT
    # OUs as the scenario lays them out: prod-payments sits in Workloads/Prod.
    payments = next(a["Id"] for a in accounts if a["Name"] == "prod-payments")
    parent = org.list_parents(ChildId=payments)["Parents"][0]
    assert parent["Type"] == "ORGANIZATIONAL_UNIT"
    assert org.describe_organizational_unit(OrganizationalUnitId=parent["Id"])[
        "OrganizationalUnit"]["Name"] == "Prod"
    grandparent = org.list_parents(ChildId=parent["Id"])["Parents"][0]
    assert org.describe_organizational_unit(OrganizationalUnitId=grandparent["Id"])[
        "OrganizationalUnit"]["Name"] == "Workloads"


def test_direct_sweep_reproduces_spec_section_1(emulator):
    report = emulator.seed("landing-zone-31")
    anchor = datetime.strptime(report["anchor"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    org = emulator.client("organizations")
    accounts = [a["Id"] for a in org.list_accounts()["Accounts"] if a["Status"] == "ACTIVE"]

    per_account: Counter = Counter()
    buckets: Counter = Counter()
    critical_in_use_by: list[tuple[str, str, list[str]]] = []
    for account in accounts:
        for region in enabled_regions(emulator, account):
            acm = emulator.client("acm", region, account)
            for summary in list_all(acm, Includes={"keyTypes": ALL_KEY_TYPES}):
                detail = acm.describe_certificate(CertificateArn=summary["CertificateArn"])["Certificate"]
                assert detail["CertificateArn"].split(":")[4] == account
                assert detail["CertificateArn"].split(":")[3] == region
                per_account[account] += 1
                b = bucket(detail, anchor)
                buckets[b] += 1
                if b == "CRITICAL":
                    assert detail["Status"] == "EXPIRED"
                    critical_in_use_by.append((account, region, detail["InUseBy"]))

    assert sum(per_account.values()) == 176
    assert len(per_account) == 31, "every account holds at least one certificate"
    assert {k: buckets.get(k, 0) for k in SPEC_BUCKETS} == SPEC_BUCKETS

    # Every CRITICAL certificate is really served by an ELBv2 HTTPS listener.
    assert len(critical_in_use_by) == 19
    assert any(region == "us-east-1" for _, region, _ in critical_in_use_by)
    for account, region, in_use_by in critical_in_use_by:
        assert len(in_use_by) == 1 and LB_ARN.match(in_use_by[0]), in_use_by
        elbv2 = emulator.client("elbv2", region, account)
        listeners = elbv2.describe_listeners(LoadBalancerArn=in_use_by[0])["Listeners"]
        assert [l["Protocol"] for l in listeners] == ["HTTPS"]


def test_omitting_key_types_undercounts(emulator):
    emulator.seed("landing-zone-31")
    expected = load_scenario("landing-zone-31")["expected"]["default_listing_without_key_types"]
    assert expected < 176
    seen = Counter()
    total = 0
    for account in [a["Id"] for a in emulator.client("organizations").list_accounts()["Accounts"]]:
        for region in enabled_regions(emulator, account):
            for summary in list_all(emulator.client("acm", region, account)):
                seen[summary["KeyAlgorithm"]] += 1
                total += 1
    assert total == expected
    assert set(seen) <= {"RSA_1024", "RSA_2048"}
