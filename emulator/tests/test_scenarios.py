"""Shipped scenarios and the schema for Config, Resource Explorer, config_state and count."""

from __future__ import annotations

import copy
import time

import pytest

from conftest import ALL_KEY_TYPES, MANAGEMENT, SCENARIOS, list_all, load_scenario

SHIPPED = sorted(p.stem for p in SCENARIOS.glob("*.json"))


def test_every_shipped_scenario_seeds_as_its_expected_block_says(emulator):
    assert {"landing-zone-31", "keytypes-3regions", "lz-no-aggregator", "lz-aggregator-denied",
            "lz-no-index", "lz-local-index", "lz-stale", "re-1200", "usage-sites",
            "homes"} <= set(SHIPPED)
    for name in SHIPPED:
        started = time.monotonic()
        report = emulator.seed(name)
        assert time.monotonic() - started < 5, name  # seeding stays a few seconds at most
        expected = load_scenario(name)["expected"]
        assert report["buckets"] == expected["buckets"], name
        assert report.get("buckets_by_source", {}).get("acm") == expected.get(
            "buckets_by_source", {}).get("acm", expected["buckets"]), name
        if "total" in expected and name != "keytypes-3regions":  # that one counts ACTIVE only
            # Every source: ACM, IAM server certificates, private CAs.
            assert report["certificates"] + report["iam_server_certificates"] + \
                report["private_cas"] == expected["total"], name


def test_count_expands_to_numbered_certificates(emulator):
    scenario = {
        "name": "counted",
        "accounts": [{"id": MANAGEMENT, "name": "mgmt", "regions": ["us-east-1"]}],
        "certificates": [
            {"account": MANAGEMENT, "region": "us-east-1", "domain": "api.example.com",
             "expires_in_days": 50.5, "count": 12},
            {"account": MANAGEMENT, "region": "us-east-1", "domain": "*.edge.example.com",
             "type": "AMAZON_ISSUED", "expires_in_days": 150.5, "count": 2},
        ],
    }
    report = emulator.seed(scenario)
    assert report["certificates"] == 14 and report["buckets"]["MEDIUM"] == 12
    domains = {s["DomainName"] for s in list_all(emulator.client("acm", "us-east-1"),
                                                 Includes={"keyTypes": ALL_KEY_TYPES})}
    assert domains == {f"api-{n:02d}.example.com" for n in range(1, 13)} | {
        "*.edge-1.example.com", "*.edge-2.example.com"}


def _bad(base: dict, path: list, value, remove: bool = False) -> dict:
    doc = copy.deepcopy(base)
    node = doc
    for key in path[:-1]:
        node = node[key]
    if remove:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return doc


@pytest.mark.parametrize("path,value,needle", [
    (["config", "aggregators", 0, "nme"], "x", "nme"),
    (["config", "aggregators", 0, "name"], "bad name!", "name must match"),
    (["config", "aggregators", 0, "type"], "global", "type must be one of"),
    (["config", "aggregators", 0, "regions"], ["us-east-1"], "not both"),
    (["config", "aggregators", 0, "region"], "eu-west-1", "eu-west-1"),
    (["config", "aggregators", 0, "accounts"], ["410000000001"], "only for type account"),
    (["config", "aggregators", 0, "failed_sources"], [{"account": "410000000002", "region": "us-east-1"}],
     "not a source"),
    (["config", "aggregators", 0, "access_denied"], "yes", "true or false"),
    (["resource_explorer"], {"view": {"name": "v"}}, "needs an index"),
    (["resource_explorer"], {"index": {"type": "GLOBAL"}}, "type must be one of"),
    (["resource_explorer"], {"index": {}, "exclude_regions": ["ap-southeast-2"]}, "own region"),
    (["resource_explorer"], {"index": {}, "view": {"name": "all resources"}}, "name must match"),
    (["certificates", 0, "config_state"], "lost", "config_state must be one of"),
    (["certificates", 2, "config_state"], "deleted", "cannot be in use"),
    (["certificates", 0, "count"], 0, "count must be"),
])
def test_bad_schema_additions_are_refused_with_the_path(emulator, path, value, needle):
    doc = _bad(load_scenario("lz-stale"), path, value)
    status, payload = emulator.call("POST", "/certinv-emulator/seed", {"scenario": doc})
    assert status == 400 and needle in payload["error"], payload
    where = path[0] if path[0] != "certificates" else f"certificates[{path[1]}]"
    assert where in payload["error"], payload
