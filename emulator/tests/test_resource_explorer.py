"""The resource_explorer extension: Resource Explorer 2, which moto lacks (SPEC P2)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime

import pytest
from botocore.exceptions import ClientError

from conftest import MANAGEMENT, load_scenario

OPS = "ap-southeast-2"
QUERY = "resourcetype:acm:certificate"


def search_all(rex, **kwargs) -> tuple[list[dict], list[dict]]:
    """Every resource of a query, and each page's Count."""
    resources, counts, token = [], [], None
    while True:
        page = rex.search(**kwargs, **({"NextToken": token} if token else {}))
        resources += page["Resources"]
        counts.append(page["Count"])
        token = page.get("NextToken")
        if not token:
            return resources, counts


def error_code(call, **kwargs) -> tuple[str, int]:
    with pytest.raises(ClientError) as err:
        call(**kwargs)
    return err.value.response["Error"]["Code"], err.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_indexes_and_views_of_the_landing_zone(emulator):
    emulator.seed("landing-zone-31")
    rex = emulator.client("resource-explorer-2", OPS)
    indexes = rex.list_indexes()["Indexes"]
    assert sorted((i["Region"], i["Type"]) for i in indexes) == [
        ("ap-southeast-2", "AGGREGATOR"), ("us-east-1", "LOCAL")]
    assert all(i["Arn"].startswith(f"arn:aws:resource-explorer-2:{i['Region']}:{MANAGEMENT}:index/")
               for i in indexes)
    assert [i["Region"] for i in rex.list_indexes(Type="AGGREGATOR")["Indexes"]] == [OPS]
    assert rex.list_indexes(Regions=["us-east-1"])["Indexes"][0]["Type"] == "LOCAL"
    index = rex.get_index()
    assert (index["Type"], index["State"], index["ReplicatingFrom"]) == ("AGGREGATOR", "ACTIVE", ["us-east-1"])
    assert isinstance(index["CreatedAt"], datetime)
    local = emulator.client("resource-explorer-2", "us-east-1").get_index()
    assert (local["Type"], local["ReplicatingTo"]) == ("LOCAL", [OPS])

    view_arn = rex.get_default_view()["ViewArn"]
    assert view_arn.startswith(f"arn:aws:resource-explorer-2:{OPS}:{MANAGEMENT}:view/all-resources/")
    assert rex.list_views()["Views"] == [view_arn]
    view = rex.get_view(ViewArn=view_arn)["View"]
    org_arn = emulator.client("organizations").describe_organization()["Organization"]["Arn"]
    assert (view["ViewName"], view["Owner"], view["Scope"]) == ("all-resources", MANAGEMENT, org_arn)
    assert view["Filters"] == {"FilterString": ""} and view["IncludedProperties"] == []
    # Views are regional and belong to their account.
    assert emulator.client("resource-explorer-2", "us-east-1").list_views()["Views"] == []
    assert "ViewArn" not in emulator.client("resource-explorer-2", "us-east-1").get_default_view()
    member = emulator.client("resource-explorer-2", OPS, "598593893478")
    assert member.list_indexes()["Indexes"] == [] and member.list_views()["Views"] == []
    assert error_code(member.get_index) == ("ResourceNotFoundException", 404)
    assert error_code(rex.get_view, ViewArn=view_arn.replace("all-resources", "other")) == \
        ("ResourceNotFoundException", 404)
    # Writes (and anything else not modelled) say so rather than pretend.
    assert error_code(rex.create_view, ViewName="x") == ("NotImplemented", 501)


def test_search_finds_all_176_through_the_org_view(emulator):
    emulator.seed("landing-zone-31")
    scenario = load_scenario("landing-zone-31")
    rex = emulator.client("resource-explorer-2", OPS)
    emulator.clear_ops()
    resources, counts = search_all(rex, QueryString=QUERY, MaxResults=50)
    assert len(resources) == 176 and len(counts) == 4
    assert counts[0] == {"TotalResources": 176, "Complete": True}
    assert {(o["service"], o["operation"], o["status"]) for o in emulator.ops()} == \
        {("resource-explorer-2", "Search", 200)}
    assert len({r["Arn"] for r in resources}) == 176
    assert Counter(r["OwningAccountId"] for r in resources) == Counter(c["account"] for c in scenario["certificates"])
    assert Counter(r["Region"] for r in resources) == Counter(c["region"] for c in scenario["certificates"])
    for r in resources:
        assert (r["ResourceType"], r["Service"], r["Properties"]) == ("acm:certificate", "acm", [])
        assert r["Arn"].split(":")[3:5] == [r["Region"], r["OwningAccountId"]]
        assert isinstance(r["LastReportedAt"], datetime)
    # The same ARNs as the Config aggregator's.
    config = emulator.client("config", OPS)
    arns, token = [], None
    while True:
        page = config.select_aggregate_resource_config(
            Expression="SELECT arn WHERE resourceType = 'AWS::ACM::Certificate'",
            ConfigurationAggregatorName="org-aggregator", **({"NextToken": token} if token else {}))
        arns += [json.loads(r)["arn"] for r in page["Results"]]
        token = page.get("NextToken")
        if not token:
            break
    assert set(arns) == {r["Arn"] for r in resources}
    # Without a ViewArn, Search uses the default view and says which.
    page = rex.search(QueryString=QUERY)
    assert len(page["Resources"]) == 176 and "NextToken" not in page
    assert page["ViewArn"] == rex.get_default_view()["ViewArn"]


def test_search_filters(emulator):
    emulator.seed("landing-zone-31")
    scenario = load_scenario("landing-zone-31")
    certs = scenario["certificates"]
    rex = emulator.client("resource-explorer-2", OPS)
    payments = next(a["id"] for a in scenario["accounts"] if a["name"] == "prod-payments")
    cases = [
        (f"{QUERY} region:us-east-1", lambda c: c["region"] == "us-east-1"),
        (f"{QUERY} accountid:{payments}", lambda c: c["account"] == payments),
        (f"accountid:{payments} region:ap-southeast-4 {QUERY}",
         lambda c: c["account"] == payments and c["region"] == "ap-southeast-4"),
        (f"{QUERY} region:us-east-1 region:ap-southeast-4",  # same key twice: either
         lambda c: c["region"] in ("us-east-1", "ap-southeast-4")),
        ("service:acm", lambda c: True),
        ("resourcetype:ec2:instance", lambda c: False),
    ]
    for query, wanted in cases:
        resources, _ = search_all(rex, QueryString=query)
        assert len(resources) == sum(map(wanted, certs)), query
    for bad in ("certificate", "tag:Owner=team-a", "region:", "-region:us-east-1"):
        assert error_code(rex.search, QueryString=bad) == ("ValidationException", 400), bad
    assert error_code(rex.search, QueryString=QUERY, MaxResults=1001) == ("ValidationException", 400)
    assert error_code(rex.search, QueryString=QUERY, NextToken="bogus") == ("ValidationException", 400)


def test_search_stops_at_1000_results(emulator):
    report = emulator.seed("re-1200")
    assert report["certificates"] == 1200
    expected = load_scenario("re-1200")["expected"]["resource_explorer"]
    rex = emulator.client("resource-explorer-2", OPS)
    for page_size in (1000, 300):
        resources, counts = search_all(rex, QueryString=QUERY, MaxResults=page_size)
        assert len(resources) == 1000 == len({r["Arn"] for r in resources})
        assert all(c == {"TotalResources": 1000, "Complete": False} for c in counts)
    # Narrower queries stay under the cap and are complete.
    for region, n in expected["per_region"].items():
        resources, counts = search_all(rex, QueryString=f"{QUERY} region:{region}")
        assert len(resources) == n == 600 and counts[-1]["Complete"] is True
    account = next(iter(expected["per_account"]))
    resources, _ = search_all(rex, QueryString=f"{QUERY} accountid:{account}")
    assert len(resources) == 200


def test_fallback_scenarios(emulator):
    emulator.seed("lz-no-index")
    rex = emulator.client("resource-explorer-2", OPS)
    assert rex.list_indexes()["Indexes"] == []
    assert error_code(rex.get_index) == ("ResourceNotFoundException", 404)
    assert "ViewArn" not in rex.get_default_view() and rex.list_views()["Views"] == []
    assert error_code(rex.search, QueryString=QUERY) == ("ResourceNotFoundException", 404)

    emulator.seed("lz-local-index")
    assert [(i["Region"], i["Type"]) for i in rex.list_indexes()["Indexes"]] == [(OPS, "LOCAL")]
    assert rex.list_indexes(Type="AGGREGATOR")["Indexes"] == []
    assert rex.get_index()["Type"] == "LOCAL" and "ViewArn" not in rex.get_default_view()

    for name in ("lz-no-aggregator", "lz-aggregator-denied"):
        emulator.seed(name)
        expected = load_scenario(name)["expected"]["resource_explorer"]
        assert rex.list_indexes(Type="AGGREGATOR")["Indexes"][0]["Region"] == OPS
        resources, counts = search_all(rex, QueryString=QUERY)
        assert len(resources) == expected["search_total"] == 12 and counts[0]["Complete"] is True


def test_account_scoped_view_and_excluded_regions(emulator):
    scenario = load_scenario("landing-zone-31")
    scenario.pop("config")
    scenario["resource_explorer"] = {"index": {"type": "AGGREGATOR"}, "exclude_regions": ["ap-southeast-4"],
                                     "view": {"name": "mine", "scope": "account", "default": True}}
    emulator.seed(scenario)
    rex = emulator.client("resource-explorer-2", OPS)
    view = rex.get_view(ViewArn=rex.get_default_view()["ViewArn"])["View"]
    assert view["Scope"] == f"arn:aws:iam::{MANAGEMENT}:root"
    resources, _ = search_all(rex, QueryString=QUERY)
    assert {r["OwningAccountId"] for r in resources} == {MANAGEMENT}
    assert len(resources) == sum(c["account"] == MANAGEMENT for c in scenario["certificates"])
    assert sorted(i["Region"] for i in rex.list_indexes()["Indexes"]) == ["ap-southeast-2", "us-east-1"]
    # Organization-wide again, but Melbourne has no index: its certificates are not found.
    scenario["resource_explorer"]["view"]["scope"] = "organization"
    emulator.seed(scenario)
    resources, _ = search_all(rex, QueryString=QUERY)
    assert len(resources) == sum(c["region"] != "ap-southeast-4" for c in scenario["certificates"])
    assert emulator.client("config", OPS).describe_configuration_aggregators()["ConfigurationAggregators"] == []
