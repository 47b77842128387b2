"""The regions, oplog and seed extensions."""

from __future__ import annotations

import copy
import json
import signal
import subprocess
import sys
import urllib.request
from datetime import datetime, timezone

from conftest import (ALL_KEY_TYPES, EMULATOR_DIR, MANAGEMENT, SCENARIOS, enabled_regions,
                      list_all, load_scenario)


def _account(scenario: dict, name: str) -> dict:
    return next(a for a in scenario["accounts"] if a["name"] == name)


# --- regions ----------------------------------------------------------------------------


def test_describe_regions_answers_per_account(emulator):
    emulator.seed("landing-zone-31")
    scenario = load_scenario("landing-zone-31")
    hub = _account(scenario, "network-hub")["id"]
    audit = _account(scenario, "audit")["id"]
    assert enabled_regions(emulator, hub) == ["ap-southeast-2", "ap-southeast-4", "us-east-1"]
    assert enabled_regions(emulator, audit) == ["ap-southeast-2", "us-east-1"]
    assert enabled_regions(emulator, MANAGEMENT) == ["ap-southeast-2", "us-east-1"]

    every = emulator.client("ec2", "ap-southeast-2", audit).describe_regions(AllRegions=True)["Regions"]
    status = {r["RegionName"]: r["OptInStatus"] for r in every}
    assert len(status) > 20
    assert status["ap-southeast-2"] == "opt-in-not-required"
    assert status["ap-southeast-4"] == "not-opted-in"
    assert status["eu-west-1"] == "not-opted-in"
    hub_all = emulator.client("ec2", "ap-southeast-2", hub).describe_regions(
        AllRegions=True, Filters=[{"Name": "opt-in-status", "Values": ["opted-in"]}])["Regions"]
    assert [r["RegionName"] for r in hub_all] == ["ap-southeast-4"]


def test_moto_reset_forgets_the_scenario(emulator):
    emulator.seed("keytypes-3regions")
    assert len(enabled_regions(emulator, MANAGEMENT)) == 3
    status, _ = emulator.call("POST", "/moto-api/reset")
    assert status == 200
    assert len(enabled_regions(emulator, MANAGEMENT)) > 3  # moto's own answer again
    _, health = emulator.call("GET", "/certinv-emulator/health")
    assert health["scenario"] is None


# --- oplog ------------------------------------------------------------------------------


def test_oplog_records_service_operation_account(emulator):
    emulator.seed("keytypes-3regions")
    emulator.clear_ops()
    workload = "210000000001"
    emulator.client("organizations").list_accounts()
    acm = emulator.client("acm", "eu-west-1", workload)  # AssumeRole as the management account
    list_all(acm, Includes={"keyTypes": ALL_KEY_TYPES})
    emulator.client("ec2", "ap-southeast-2", workload).describe_regions()
    emulator.client("elbv2", "ap-southeast-2", workload).describe_load_balancers()
    emulator.client("cloudfront").list_distributions()  # REST: named from botocore's model
    emulator.client("apigatewayv2", "ap-southeast-2", workload).get_domain_names()
    emulator.call("GET", "/certinv-emulator/health")

    ops = emulator.ops()
    assert [(o["service"], o["operation"], o["account"], o["region"], o["status"]) for o in ops] == [
        ("organizations", "ListAccounts", MANAGEMENT, "us-east-1", 200),
        ("sts", "AssumeRole", MANAGEMENT, "us-east-1", 200),
        ("acm", "ListCertificates", workload, "eu-west-1", 200),
        ("ec2", "DescribeRegions", workload, "ap-southeast-2", 200),
        ("elasticloadbalancing", "DescribeLoadBalancers", workload, "ap-southeast-2", 200),
        ("cloudfront", "ListDistributions", MANAGEMENT, "us-east-1", 200),
        ("apigateway", "GetDomainNames", workload, "ap-southeast-2", 200),
    ]
    assert all(o["ts"].endswith("Z") and list(o) == ["ts", "service", "operation", "account",
                                                     "region", "status"] for o in ops)
    # Failures are recorded with their status.
    try:
        acm.describe_certificate(CertificateArn="arn:aws:acm:eu-west-1:210000000001:certificate/none")
    except Exception:
        pass
    assert emulator.ops()[-1]["status"] == 400
    # The file holds the same lines (it is append-only: clearing leaves it alone).
    lines = [json.loads(l) for l in emulator.oplog_path.read_text().splitlines()]
    assert lines[-len(ops) - 1:-1] == ops
    assert emulator.clear_ops() == len(ops) + 1 and emulator.ops() == []


def test_oplog_names_config_and_resource_explorer_operations(emulator):
    emulator.seed("lz-no-aggregator")
    emulator.clear_ops()
    member = "410000000001"
    config = emulator.client("config", "ap-southeast-2")
    config.describe_configuration_aggregators()
    try:
        config.select_aggregate_resource_config(Expression="SELECT COUNT(*)",
                                                ConfigurationAggregatorName="none")
    except Exception:
        pass
    rex = emulator.client("resource-explorer-2", "ap-southeast-2")
    rex.list_indexes()
    rex.get_index()
    view = rex.get_default_view()["ViewArn"]
    rex.list_views()
    rex.get_view(ViewArn=view)
    rex.search(QueryString="resourcetype:acm:certificate", ViewArn=view)
    try:
        emulator.client("resource-explorer-2", "us-east-1", member).get_index()
    except Exception:
        pass
    ops = [(o["service"], o["operation"], o["account"], o["region"], o["status"]) for o in emulator.ops()]
    assert ops == [
        ("config", "DescribeConfigurationAggregators", MANAGEMENT, "ap-southeast-2", 200),
        ("config", "SelectAggregateResourceConfig", MANAGEMENT, "ap-southeast-2", 400),
        ("resource-explorer-2", "ListIndexes", MANAGEMENT, "ap-southeast-2", 200),
        ("resource-explorer-2", "GetIndex", MANAGEMENT, "ap-southeast-2", 200),
        ("resource-explorer-2", "GetDefaultView", MANAGEMENT, "ap-southeast-2", 200),
        ("resource-explorer-2", "ListViews", MANAGEMENT, "ap-southeast-2", 200),
        ("resource-explorer-2", "GetView", MANAGEMENT, "ap-southeast-2", 200),
        ("resource-explorer-2", "Search", MANAGEMENT, "ap-southeast-2", 200),
        ("sts", "AssumeRole", MANAGEMENT, "us-east-1", 200),
        ("resource-explorer-2", "GetIndex", member, "us-east-1", 404),
    ]


# --- seed -------------------------------------------------------------------------------


def test_suspended_account_is_listed_and_keeps_its_certificate(emulator):
    report = emulator.seed("keytypes-3regions")
    assert report["buckets"] == load_scenario("keytypes-3regions")["expected"]["buckets"]
    accounts = emulator.client("organizations").list_accounts()["Accounts"]
    status = {a["Name"]: a["Status"] for a in accounts}
    assert status == {"management": "ACTIVE", "workload-a": "ACTIVE",
                      "empty-account": "ACTIVE", "closed-legacy": "SUSPENDED"}
    assert len(list_all(emulator.client("acm", "us-east-1", "210000000003"))) == 1
    for region in enabled_regions(emulator, "210000000002"):
        assert list_all(emulator.client("acm", region, "210000000002"),
                        Includes={"keyTypes": ALL_KEY_TYPES}) == []


def test_seed_inline_scenario_with_fixed_anchor(emulator):
    scenario = {
        "name": "inline",
        "accounts": [{"id": MANAGEMENT, "name": "mgmt", "regions": ["us-east-1"]}],
        "certificates": [{"account": MANAGEMENT, "region": "us-east-1", "domain": "a.example.com",
                          "expires_in_days": 10.5}],
    }
    # An anchor years in the past: the emulator's clock starts there, so the certificate
    # is still ISSUED, as certinv --now 2020-01-01T00:00:00Z would see it.
    report = emulator.seed(scenario, anchor="2020-01-01T00:00:00Z")
    assert report["anchor"] == "2020-01-01T00:00:00Z" and report["certificates"] == 1
    acm = emulator.client("acm", "us-east-1")
    detail = acm.describe_certificate(CertificateArn=list_all(acm)[0]["CertificateArn"])["Certificate"]
    assert detail["Status"] == "ISSUED"
    assert detail["NotAfter"] == datetime(2020, 1, 11, 12, tzinfo=timezone.utc)
    _, health = emulator.call("GET", "/certinv-emulator/health")
    assert health["scenario"] == "inline" and health["now"].startswith("2020-01-01T00:0")


def test_seed_is_deterministic(emulator):
    first = emulator.seed("keytypes-3regions")
    arns_1 = sorted(s["CertificateArn"] for s in list_all(
        emulator.client("acm", "ap-southeast-2", "210000000001"), Includes={"keyTypes": ALL_KEY_TYPES}))
    emulator.seed("keytypes-3regions")
    arns_2 = sorted(s["CertificateArn"] for s in list_all(
        emulator.client("acm", "ap-southeast-2", "210000000001"), Includes={"keyTypes": ALL_KEY_TYPES}))
    assert arns_1 == arns_2 and first["certificates"] == 11


def test_bad_seed_requests_are_400_and_say_why(emulator):
    good = load_scenario("keytypes-3regions")
    cases = [
        ({"scenario": "no-such-scenario"}, "no scenario"),
        ({}, "body must be"),
        ({"scenario": "keytypes-3regions", "anchor": "yesterday"}, "RFC 3339"),
    ]
    typo = copy.deepcopy(good)
    typo["certificates"][0]["expires_in_dayz"] = 3
    cases.append(({"scenario": typo}, "expires_in_dayz"))
    no_mgmt = copy.deepcopy(good)
    no_mgmt["accounts"] = no_mgmt["accounts"][1:]
    cases.append(({"scenario": no_mgmt}, "123456789012"))
    wrong_region = copy.deepcopy(good)
    wrong_region["certificates"][0]["region"] = "eu-central-1"
    cases.append(({"scenario": wrong_region}, "eu-central-1"))
    for body, needle in cases:
        status, payload = emulator.call("POST", "/certinv-emulator/seed", body)
        assert status == 400 and needle in payload["error"], (body, payload)
    status, _ = emulator.call("GET", "/certinv-emulator/nope")
    assert status == 404
    status, _ = emulator.call("GET", "/certinv-emulator/seed")
    assert status == 405


def test_startup_line_and_clean_exit(emulator, tmp_path):
    # The session's emulator started without a scenario.
    assert emulator.startup == {"port": emulator.port, "anchor": emulator.startup["anchor"],
                                "accounts": 0, "certificates": 0}
    # One started with a scenario and an anchor reports them, then exits 0 on SIGINT.
    process = subprocess.Popen(
        [sys.executable, str(EMULATOR_DIR / "run.py"), "--port", "0", "--scenario",
         str(SCENARIOS / "keytypes-3regions.json"), "--anchor", "2031-02-03T04:05:06+02:00"],
        stdout=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        line = process.stdout.readline()
        startup = json.loads(line)
        assert startup["anchor"] == "2031-02-03T02:05:06Z"
        assert (startup["accounts"], startup["certificates"]) == (4, 11)
        assert line == json.dumps(startup) + "\n"
        with urllib.request.urlopen(f"http://127.0.0.1:{startup['port']}/certinv-emulator/health") as r:
            assert json.loads(r.read())["scenario"] == "keytypes-3regions"
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
