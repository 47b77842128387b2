"""The homes scenario walked as certinv will walk it: ACM, IAM server certificates and
ACM Private CAs per account, the OU tree from Organizations, ACM tags; then its
expected block checked number by number. Also the Organizations OU calls' edges."""

from __future__ import annotations

import json
import math
from collections import Counter
from datetime import datetime, timezone

import pytest
from botocore.exceptions import ClientError
from cryptography import x509

from conftest import ALL_KEY_TYPES, MANAGEMENT, list_all, load_scenario

REGIONS = ("us-east-1", "ap-southeast-2")


def _bucket(not_after: datetime, anchor: datetime, in_use: bool, revoked: bool = False) -> str:
    if not_after <= anchor or revoked:
        return "CRITICAL" if in_use else "REMOVE"
    days = math.floor((not_after - anchor).total_seconds() / 86400)
    return "HIGH" if days <= 30 else "MEDIUM" if days <= 90 else "OK"


def ou_path(org, child_id: str) -> str:
    """``/Root/Workloads/Prod``: ListParents up to the root, DescribeOrganizationalUnit
    for each OU's name."""
    names = []
    while True:
        [parent] = org.list_parents(ChildId=child_id)["Parents"]
        if parent["Type"] == "ROOT":
            return "/" + "/".join(["Root"] + names[::-1])
        names.append(org.describe_organizational_unit(
            OrganizationalUnitId=parent["Id"])["OrganizationalUnit"]["Name"])
        child_id = parent["Id"]


def _usage(emulator, account: str) -> set[str]:
    """Certificate ARNs and IAM server certificate IDs some listener or distribution serves."""
    used = set()
    for region in REGIONS:
        for balancer in emulator.client("elb", region, account).describe_load_balancers()[
                "LoadBalancerDescriptions"]:
            used |= {d["Listener"].get("SSLCertificateId") for d in balancer["ListenerDescriptions"]}
        elbv2 = emulator.client("elbv2", region, account)
        for balancer in elbv2.describe_load_balancers()["LoadBalancers"]:
            for listener in elbv2.describe_listeners(LoadBalancerArn=balancer["LoadBalancerArn"])["Listeners"]:
                used |= {c["CertificateArn"] for c in listener.get("Certificates", [])}
    dists = emulator.client("cloudfront", "us-east-1", account).list_distributions()["DistributionList"]
    used |= {d["ViewerCertificate"].get("Certificate") for d in dists.get("Items", [])}
    return used - {None}


def test_homes_walked_as_certinv_matches_its_expected_block(emulator):
    report = emulator.seed("homes")
    anchor = datetime.strptime(report["anchor"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    scenario = load_scenario("homes")
    expected = scenario["expected"]
    assert report["buckets"] == expected["buckets"]
    assert report["buckets_by_source"] == expected["buckets_by_source"]
    emulator.clear_ops()
    org = emulator.client("organizations")
    accounts = [a["Id"] for page in org.get_paginator("list_accounts").paginate() for a in page["Accounts"]]
    items = []  # (source, account, name, bucket, tags)
    visible_by_default = 0
    for account in accounts:
        used = _usage(emulator, account)
        for region in REGIONS:
            acm = emulator.client("acm", region, account)
            visible_by_default += len(list_all(acm))
            for summary in list_all(acm, Includes={"keyTypes": ALL_KEY_TYPES}):
                arn = summary["CertificateArn"]
                detail = acm.describe_certificate(CertificateArn=arn)["Certificate"]
                tags = {t["Key"]: t["Value"] for t in acm.list_tags_for_certificate(CertificateArn=arn)["Tags"]}
                in_use = bool(detail["InUseBy"]) or arn in used
                items.append(("acm", account, detail["DomainName"],
                              _bucket(detail["NotAfter"], anchor, in_use, detail["Status"] == "REVOKED"), tags))
            for ca in emulator.client("acm-pca", region, account).list_certificate_authorities()[
                    "CertificateAuthorities"]:
                name = ca["CertificateAuthorityConfiguration"]["Subject"]["CommonName"]
                items.append(("pca", account, name, _bucket(ca["NotAfter"], anchor, True), {}))
        for meta in emulator.client("iam", "us-east-1", account).list_server_certificates()[
                "ServerCertificateMetadataList"]:
            body = emulator.client("iam", "us-east-1", account).get_server_certificate(
                ServerCertificateName=meta["ServerCertificateName"])["ServerCertificate"]["CertificateBody"]
            not_after = x509.load_pem_x509_certificate(body.encode()).not_valid_after_utc
            in_use = meta["Arn"] in used or meta["ServerCertificateId"] in used
            items.append(("iam", account, meta["ServerCertificateName"], _bucket(not_after, anchor, in_use), {}))
            if meta["Expiration"] != not_after:
                assert [{"name": meta["ServerCertificateName"], "account_id": account,
                         "api_minus_body_days": (meta["Expiration"] - not_after).days}] == \
                    expected["iam_expiration_mismatch"]

    # The op log names the new services and the account each call was served as.
    ops = {(o["service"], o["operation"], o["account"]) for o in emulator.ops()}
    for account in accounts:
        assert {("iam", "ListServerCertificates", account),
                ("acm-pca", "ListCertificateAuthorities", account)} <= ops
    assert ("iam", "GetServerCertificate", "630000000002") in ops

    assert len(items) == expected["total"]
    assert Counter(i[0] for i in items) == expected["by_source"]
    for source in ("acm", "iam", "pca"):
        counts = Counter(i[3] for i in items if i[0] == source)
        assert {b: counts[b] for b in expected["buckets"]} == expected["buckets_by_source"][source]
    assert visible_by_default == expected["acm_visible_without_key_types"]
    assert sorted(i[2] for i in items if i[3] == "CRITICAL") == sorted(
        c.get("name", c["domain"]) if c["source"] == "iam" else c["domain"] for c in expected["critical"])
    assert sorted(i[2] for i in items if i[3] == "REMOVE") == sorted(
        c["domain"] for c in expected["removal_candidates"])

    # OUs: every account's path, and the per-OU counts.
    paths = {account: ou_path(org, account) for account in accounts}
    assert paths == expected["ous"]
    for key, want in expected["ou_filters"].items():
        prefix = key.split(" ")[0]
        exact = key.endswith("(directly)")
        members = sorted(a for a, p in paths.items() if (p == prefix if exact else
                                                         (p + "/").startswith(prefix + "/")))
        assert members == sorted(want["accounts"]), key
        chosen = [i for i in items if i[1] in members]
        assert {s: sum(1 for i in chosen if i[0] == s) for s in ("acm", "iam", "pca")} == \
            {s: want[s] for s in ("acm", "iam", "pca")}, key
        assert len(chosen) == want["total"], key

    # Tags (ACM): Owner=team-a / team-b / untagged.
    acm_items = [i for i in items if i[0] == "acm"]
    tag_filters = expected["tag_filters"]
    for team in ("team-a", "team-b"):
        domains = sorted(i[2] for i in acm_items if i[4].get("Owner") == team)
        assert domains == tag_filters[f"Owner={team}"]["domains"]
        assert len(domains) == tag_filters[f"Owner={team}"]["count"]
    assert sorted(i[2] for i in acm_items if not i[4]) == tag_filters["untagged"]["domains"]
    assert sum(1 for i in acm_items if i[4].get("Owner") == "team-a"
               and paths[i[1]] == "/Root/Workloads/Prod") == tag_filters["Owner=team-a AND /Root/Workloads/Prod"]

    # Config and Resource Explorer see the ACM certificates, with their tags.
    config = emulator.client("config", "ap-southeast-2")
    rows = [json.loads(r) for r in config.select_aggregate_resource_config(
        Expression="SELECT resourceName, tags WHERE resourceType = 'AWS::ACM::Certificate'",
        ConfigurationAggregatorName=expected["config"]["aggregator"])["Results"]]
    assert len(rows) == expected["config"]["select_rows"]
    assert sorted(r["resourceName"] for r in rows if {"key": "Owner", "value": "team-a"} in r.get("tags", [])) \
        == tag_filters["Owner=team-a"]["domains"]
    assert len(config.describe_configuration_aggregator_sources_status(
        ConfigurationAggregatorName=expected["config"]["aggregator"])["AggregatedSourceStatusList"]) \
        == expected["config"]["sources"]
    search = emulator.client("resource-explorer-2", "ap-southeast-2").search(
        QueryString="resourcetype:acm:certificate")
    assert search["Count"]["TotalResources"] == expected["resource_explorer"]["search_total"]


def test_homes_ou_tree_as_organizations_answers_it(emulator):
    emulator.seed("homes")
    org = emulator.client("organizations")
    [root] = org.list_roots()["Roots"]
    assert root["Name"] == "Root" and root["Id"].startswith("r-")
    assert root["Arn"].startswith(f"arn:aws:organizations::{MANAGEMENT}:root/o-")
    [workloads] = org.list_organizational_units_for_parent(ParentId=root["Id"])["OrganizationalUnits"]
    assert workloads["Name"] == "Workloads" and workloads["Id"].startswith(root["Id"].replace("r-", "ou-") + "-")
    assert workloads["Arn"].startswith(f"arn:aws:organizations::{MANAGEMENT}:ou/o-")
    assert org.describe_organizational_unit(OrganizationalUnitId=workloads["Id"])["OrganizationalUnit"] == workloads
    children = org.list_organizational_units_for_parent(ParentId=workloads["Id"])["OrganizationalUnits"]
    assert sorted(c["Name"] for c in children) == ["Dev", "Prod"]
    by_name = {c["Name"]: c["Id"] for c in children}
    # paged one at a time, as AWS allows (MaxResults 1-20)
    page = org.list_organizational_units_for_parent(ParentId=workloads["Id"], MaxResults=1)
    assert len(page["OrganizationalUnits"]) == 1 and page["NextToken"]
    assert [a["Id"] for a in org.list_accounts_for_parent(ParentId=by_name["Prod"])["Accounts"]] == ["630000000001"]
    assert [a["Id"] for a in org.list_accounts_for_parent(ParentId=by_name["Dev"])["Accounts"]] == ["630000000002"]
    assert [a["Id"] for a in org.list_accounts_for_parent(ParentId=root["Id"])["Accounts"]] == [MANAGEMENT]
    assert org.list_accounts_for_parent(ParentId=workloads["Id"])["Accounts"] == []
    assert org.list_parents(ChildId="630000000001")["Parents"] == [{"Id": by_name["Prod"], "Type": "ORGANIZATIONAL_UNIT"}]
    assert org.list_parents(ChildId=by_name["Prod"])["Parents"] == [{"Id": workloads["Id"], "Type": "ORGANIZATIONAL_UNIT"}]
    assert org.list_parents(ChildId=workloads["Id"])["Parents"] == [{"Id": root["Id"], "Type": "ROOT"}]
    assert org.list_parents(ChildId=MANAGEMENT)["Parents"] == [{"Id": root["Id"], "Type": "ROOT"}]


@pytest.mark.parametrize("call,kwargs,code", [
    ("describe_organizational_unit", {"OrganizationalUnitId": "ROOT"}, "InvalidInputException"),
    ("describe_organizational_unit", {"OrganizationalUnitId": "ou-zzzz-zzzzzzzz"},
     "OrganizationalUnitNotFoundException"),
    ("list_parents", {"ChildId": "999999999999"}, "ChildNotFoundException"),
    ("list_parents", {"ChildId": "ou-zzzz-zzzzzzzz"}, "ChildNotFoundException"),
    ("list_parents", {"ChildId": "nonsense"}, "InvalidInputException"),
    ("list_accounts_for_parent", {"ParentId": "ROOT", "MaxResults": 21}, "InvalidInputException"),
    ("list_organizational_units_for_parent", {"ParentId": "ROOT", "MaxResults": 21}, "InvalidInputException"),
    ("list_accounts_for_parent", {"ParentId": "ou-zzzz-zzzzzzzz"}, "ParentNotFoundException"),
])
def test_ou_calls_refuse_as_aws(emulator, call, kwargs, code):
    emulator.seed("homes")
    org = emulator.client("organizations")
    root = org.list_roots()["Roots"][0]["Id"]
    kwargs = {k: (root if v == "ROOT" else v) for k, v in kwargs.items()}
    with pytest.raises(ClientError) as err:
        getattr(org, call)(**kwargs)
    assert err.value.response["Error"]["Code"] == code
