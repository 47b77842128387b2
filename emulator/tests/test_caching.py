"""What the emulator keeps between calls (hot_path, Config's items) is never stale."""

from __future__ import annotations

import json

from conftest import MANAGEMENT, ROLE, load_scenario

OPS = "ap-southeast-2"
AGG = "org-aggregator"
WHERE = "WHERE resourceType = 'AWS::ACM::Certificate'"


def _count(config) -> int:
    answer = config.select_aggregate_resource_config(
        Expression=f"SELECT COUNT(*) {WHERE}", ConfigurationAggregatorName=AGG)
    return json.loads(answer["Results"][0])["COUNT(*)"]


def _tags_of(config, arn: str) -> list[dict]:
    rows, token = [], None
    while True:
        args = {"Expression": f"SELECT arn, tags {WHERE}", "ConfigurationAggregatorName": AGG}
        if token:
            args["NextToken"] = token
        page = config.select_aggregate_resource_config(**args)
        rows += [json.loads(r) for r in page["Results"]]
        token = page.get("NextToken")
        if not token:
            break
    return next(r.get("tags", []) for r in rows if r["arn"] == arn)


def test_select_follows_acm_changes_between_pages(emulator):
    emulator.seed("landing-zone-31")
    config = emulator.client("config", OPS)
    member = next(a["id"] for a in load_scenario("landing-zone-31")["accounts"]
                  if a["id"] != MANAGEMENT and a.get("status", "ACTIVE") == "ACTIVE")
    acm = emulator.client("acm", OPS, member)
    first = config.select_aggregate_resource_config(
        Expression=f"SELECT arn {WHERE}", ConfigurationAggregatorName=AGG, Limit=100)
    assert _count(config) == 176

    arn = acm.request_certificate(DomainName="cache.example.com")["CertificateArn"]
    assert _count(config) == 177
    acm.add_tags_to_certificate(CertificateArn=arn, Tags=[{"Key": "Owner", "Value": "cache"}])
    assert _tags_of(config, arn) == [{"key": "Owner", "value": "cache"}]
    acm.delete_certificate(CertificateArn=arn)
    assert _count(config) == 176
    # A token from before the changes still pages the (current) result.
    rest = config.select_aggregate_resource_config(
        Expression=f"SELECT arn {WHERE}", ConfigurationAggregatorName=AGG, Limit=100,
        NextToken=first["NextToken"])
    assert len(first["Results"]) + len(rest["Results"]) == 176


def test_select_sees_a_new_seed(emulator):
    emulator.seed("landing-zone-31")
    assert _count(emulator.client("config", OPS)) == 176
    scenario = load_scenario("landing-zone-31")
    scenario["certificates"] = scenario["certificates"][:10]
    emulator.seed(scenario)
    assert _count(emulator.client("config", OPS)) == 10


def _assume(emulator, account: str) -> dict:
    creds = emulator.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/{ROLE}", RoleSessionName="cache")["Credentials"]
    return {"aws_access_key_id": creds["AccessKeyId"],
            "aws_secret_access_key": creds["SecretAccessKey"],
            "aws_session_token": creds["SessionToken"]}


def test_assumed_keys_follow_seeds(emulator):
    import boto3

    workload = "210000000001"
    emulator.seed("keytypes-3regions")
    creds = _assume(emulator, workload)
    sts = boto3.client("sts", region_name="us-east-1", endpoint_url=emulator.endpoint, **creds)
    assert sts.get_caller_identity()["Account"] == workload
    # A re-seed forgets the key: it acts as the management account (README), even
    # though it was answered from the cache a moment ago.
    emulator.seed("keytypes-3regions")
    emulator.clear_ops()
    boto3.client("acm", region_name="us-east-1", endpoint_url=emulator.endpoint,
                 **creds).list_certificates()
    assert [o["account"] for o in emulator.ops()] == [MANAGEMENT]
    # The same scenario seeds the same random sequence: assuming the role again may
    # issue that very key, which must then belong to the workload account again.
    again = _assume(emulator, workload)
    emulator.clear_ops()
    boto3.client("acm", region_name="us-east-1", endpoint_url=emulator.endpoint,
                 **again).list_certificates()
    boto3.client("acm", region_name="us-east-1", endpoint_url=emulator.endpoint,
                 **creds).list_certificates()
    expected = [workload, workload if again == creds else MANAGEMENT]
    assert [o["account"] for o in emulator.ops()] == expected
