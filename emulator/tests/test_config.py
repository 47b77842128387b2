"""The config extension: aggregators that see ACM certificates org-wide (SPEC P1)."""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from datetime import datetime, timezone

import pytest
from botocore.exceptions import ClientError

from conftest import MANAGEMENT, load_scenario

OPS = "ap-southeast-2"
AGG = "org-aggregator"
ACM_WHERE = "WHERE resourceType = 'AWS::ACM::Certificate'"
ISO_MILLIS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
LB_ARN = re.compile(r"^arn:aws:elasticloadbalancing:[a-z0-9-]+:\d{12}:loadbalancer/app/[^/]+/[0-9a-f]+$")


def select_all(config, expression: str, aggregator: str = AGG, **kwargs) -> tuple[list[dict], int]:
    """Every row of a query, and how many calls it took."""
    rows, calls, token = [], 0, None
    while True:
        args = dict(Expression=expression, ConfigurationAggregatorName=aggregator, **kwargs)
        if token:
            args["NextToken"] = token
        page = config.select_aggregate_resource_config(**args)
        calls += 1
        assert all(isinstance(r, str) for r in page["Results"])
        rows += [json.loads(r) for r in page["Results"]]
        token = page.get("NextToken")
        if not token:
            return rows, calls


def error_code(call, **kwargs) -> str:
    with pytest.raises(ClientError) as err:
        call(**kwargs)
    return err.value.response["Error"]["Code"]


def bucket(conf: dict, now: datetime) -> str:
    if "notAfter" not in conf:
        return "NOT_ISSUED"
    not_after = datetime.strptime(conf["notAfter"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
    if not_after <= now or conf["status"] == "REVOKED":
        return "CRITICAL" if conf.get("inUseBy") else "REMOVE"
    days = math.floor((not_after - now).total_seconds() / 86400)
    return "HIGH" if days <= 30 else "MEDIUM" if days <= 90 else "OK"


def test_select_sees_every_account_in_pages_of_100(emulator):
    report = emulator.seed("landing-zone-31")
    anchor = datetime.strptime(report["anchor"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    config = emulator.client("config", OPS)
    aggregators = config.describe_configuration_aggregators()["ConfigurationAggregators"]
    assert [a["ConfigurationAggregatorName"] for a in aggregators] == [AGG]
    assert aggregators[0]["OrganizationAggregationSource"]["AllAwsRegions"] is True

    emulator.clear_ops()
    rows, calls = select_all(config, "SELECT resourceId, arn, accountId, awsRegion, resourceType, "
                                     f"configuration.status, configuration.notAfter, "
                                     f"configuration.inUseBy {ACM_WHERE}")
    assert (len(rows), calls) == (176, 2)
    ops = emulator.ops()
    assert [(o["service"], o["operation"], o["account"], o["region"], o["status"]) for o in ops] == \
        [("config", "SelectAggregateResourceConfig", MANAGEMENT, OPS, 200)] * 2
    assert len({r["arn"] for r in rows}) == 176 and all(r["resourceId"] == r["arn"] for r in rows)
    assert {r["resourceType"] for r in rows} == {"AWS::ACM::Certificate"}
    scenario = load_scenario("landing-zone-31")
    assert Counter(r["accountId"] for r in rows) == Counter(c["account"] for c in scenario["certificates"])
    assert Counter(r["awsRegion"] for r in rows) == Counter(c["region"] for c in scenario["certificates"])
    for r in rows:
        assert r["arn"].split(":")[3:5] == [r["awsRegion"], r["accountId"]]
        assert ISO_MILLIS.match(r["configuration"]["notAfter"])
        assert all(LB_ARN.match(u) for u in r["configuration"]["inUseBy"])
    # SPEC section 1 from the Config path alone.
    assert Counter(bucket(r["configuration"], anchor) for r in rows) == \
        {"CRITICAL": 19, "REMOVE": 5, "HIGH": 12, "MEDIUM": 27, "OK": 113}

    count = config.select_aggregate_resource_config(
        Expression=f"SELECT COUNT(*) {ACM_WHERE}", ConfigurationAggregatorName=AGG)
    assert count["Results"] == ['{"COUNT(*)":176}'] and "NextToken" not in count
    assert count["QueryInfo"]["SelectFields"] == [{"Name": "COUNT(*)"}]


def test_configuration_mirrors_describe_certificate(emulator):
    emulator.seed("landing-zone-31")
    config = emulator.client("config", OPS)
    rows, _ = select_all(config, f"SELECT arn, resourceName, accountId, awsRegion, tags, configuration {ACM_WHERE}")
    row = next(r for r in rows if r["configuration"].get("renewalSummary") and r["configuration"]["inUseBy"])
    acm = emulator.client("acm", row["awsRegion"], row["accountId"])
    detail = acm.describe_certificate(CertificateArn=row["arn"])["Certificate"]
    conf = row["configuration"]
    assert conf["certificateArn"] == row["arn"] and conf["domainName"] == row["resourceName"]
    assert conf["subjectAlternativeNames"] == detail["SubjectAlternativeNames"]
    assert conf["keyAlgorithm"] == detail["KeyAlgorithm"] and "-" in conf["keyAlgorithm"]
    assert conf["status"] == detail["Status"] and conf["type"] == detail["Type"]
    assert conf["inUseBy"] == detail["InUseBy"]
    assert conf["renewalEligibility"] == detail["RenewalEligibility"]
    assert conf["renewalSummary"]["renewalStatus"] == detail["RenewalSummary"]["RenewalStatus"]
    assert conf["serial"] == detail["Serial"] and conf["issuer"] == detail["Issuer"]
    assert conf["subject"] == detail["Subject"]
    for ours, theirs in (("notBefore", "NotBefore"), ("notAfter", "NotAfter"), ("createdAt", "CreatedAt")):
        assert conf[ours] == detail[theirs].astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    tags = {t["Key"]: t["Value"] for t in acm.list_tags_for_certificate(CertificateArn=row["arn"])["Tags"]}
    assert {t["key"]: t["value"] for t in row["tags"]} == tags
    assert {"certificateArn", "domainName", "subjectAlternativeNames", "status", "type", "keyAlgorithm",
            "notBefore", "notAfter", "createdAt", "inUseBy", "renewalEligibility", "serial", "issuer",
            "subject"} <= set(conf)


def test_nested_fields_and_in_filters(emulator):
    emulator.seed("landing-zone-31")
    config = emulator.client("config", OPS)
    scenario = load_scenario("landing-zone-31")
    page = config.select_aggregate_resource_config(
        Expression=f"SELECT resourceId, configuration.renewalSummary.renewalStatus {ACM_WHERE}",
        ConfigurationAggregatorName=AGG, Limit=100)
    assert page["QueryInfo"]["SelectFields"] == [
        {"Name": "resourceId"}, {"Name": "configuration.renewalSummary.renewalStatus"}]
    rows, _ = select_all(config, f"SELECT resourceId, configuration.renewalSummary.renewalStatus {ACM_WHERE}")
    with_renewal = [r for r in rows if "configuration" in r]
    assert Counter(r["configuration"]["renewalSummary"]["renewalStatus"] for r in with_renewal) == \
        Counter(c["renewal_status"] for c in scenario["certificates"] if c.get("renewal_status"))
    assert all(set(r) == {"resourceId"} for r in rows if "configuration" not in r)  # absent: omitted
    assert json.loads(page["Results"][0]).keys() <= {"resourceId", "configuration"}

    two = [a["id"] for a in scenario["accounts"][9:11]]
    rows, _ = select_all(config, f"SELECT arn, accountId {ACM_WHERE} AND accountId IN ('{two[0]}', '{two[1]}')")
    assert Counter(r["accountId"] for r in rows) == \
        Counter(c["account"] for c in scenario["certificates"] if c["account"] in two)
    count = config.select_aggregate_resource_config(
        Expression=f"select count(*) {ACM_WHERE} and awsRegion = 'us-east-1' and configuration.status = 'EXPIRED'",
        ConfigurationAggregatorName=AGG)
    expired_east = sum(c["region"] == "us-east-1" and c["status"] == "EXPIRED" for c in scenario["certificates"])
    assert json.loads(count["Results"][0]) == {"COUNT(*)": expired_east}
    # '' is a quote inside a literal; it matches nothing here, and is not an error.
    none = config.select_aggregate_resource_config(
        Expression=f"SELECT arn {ACM_WHERE} AND resourceName = 'it''s'", ConfigurationAggregatorName=AGG)
    assert none["Results"] == []


@pytest.mark.parametrize("expression", [
    "SELECT arn FROM AWS::ACM::Certificate",
    "SELECT * WHERE resourceType = 'AWS::ACM::Certificate'",
    f"SELECT arn {ACM_WHERE} OR accountId = '123456789012'",
    "SELECT arn WHERE resourceType = 'AWS::ACM::Certificate",
    "SELECT arn WHERE accountId LIKE '1%'",
    "SELECT arn WHERE accountId = 123456789012",
    "SELECT nosuchfield WHERE resourceType = 'AWS::ACM::Certificate'",
    f"SELECT COUNT(*), arn {ACM_WHERE}",
    f"SELECT arn {ACM_WHERE} ORDER BY arn",
    "DROP TABLE certificates",
])
def test_bad_sql_is_invalid_expression(emulator, expression):
    emulator.seed("lz-stale")  # ~30 ms
    config = emulator.client("config", OPS)
    with pytest.raises(ClientError) as err:
        config.select_aggregate_resource_config(Expression=expression, ConfigurationAggregatorName=AGG)
    assert err.value.response["Error"]["Code"] == "InvalidExpressionException"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_select_errors(emulator):
    emulator.seed("lz-stale")
    config = emulator.client("config", OPS)
    select = config.select_aggregate_resource_config
    expr = f"SELECT arn {ACM_WHERE}"
    assert error_code(select, Expression=expr, ConfigurationAggregatorName="nope") == \
        "NoSuchConfigurationAggregatorException"
    # The aggregator lives in ap-southeast-2: asked in us-east-1, there is none.
    assert error_code(emulator.client("config", "us-east-1").select_aggregate_resource_config,
                      Expression=expr, ConfigurationAggregatorName=AGG) == \
        "NoSuchConfigurationAggregatorException"
    assert error_code(select, Expression=expr, ConfigurationAggregatorName=AGG, Limit=101) == \
        "InvalidLimitException"
    assert error_code(select, Expression=expr, ConfigurationAggregatorName=AGG, NextToken="garbage") == \
        "InvalidNextTokenException"
    # A token only continues the query that issued it.
    token = select(Expression=expr, ConfigurationAggregatorName=AGG, Limit=2)["NextToken"]
    assert error_code(select, Expression=f"SELECT resourceId {ACM_WHERE}", ConfigurationAggregatorName=AGG,
                      NextToken=token) == "InvalidNextTokenException"
    assert len(select(Expression=expr, ConfigurationAggregatorName=AGG, Limit=0)["Results"]) == 7


def test_stale_aggregator(emulator):
    emulator.seed("lz-stale")
    scenario = load_scenario("lz-stale")
    expected = scenario["expected"]["config"]
    config = emulator.client("config", OPS)
    rows, _ = select_all(config, f"SELECT arn, accountId, awsRegion, resourceName {ACM_WHERE}")
    assert len(rows) == expected["select_rows"] == 7
    names = {r["resourceName"] for r in rows}
    assert not {r["accountId"] for r in rows} & set(expected["excluded_accounts"])
    assert "edge.prod.example.com" not in names          # not recorded yet
    assert "proxy.net.example.com" not in names          # its source FAILED
    assert "old-api.prod.example.com" in names           # deleted from ACM, still in Config
    gone = next(r for r in rows if r["resourceName"] == "old-api.prod.example.com")
    acm = emulator.client("acm", gone["awsRegion"], gone["accountId"])
    assert error_code(acm.describe_certificate, CertificateArn=gone["arn"]) == "ResourceNotFoundException"

    status = config.describe_configuration_aggregator_sources_status(ConfigurationAggregatorName=AGG)
    sources = status["AggregatedSourceStatusList"]
    assert len(sources) == expected["sources"] == 6
    assert {s["SourceId"] for s in sources} == {MANAGEMENT, "410000000001", "410000000003"}
    assert {s["SourceType"] for s in sources} == {"ORGANIZATION"}
    failed = [s for s in sources if s["LastUpdateStatus"] == "FAILED"]
    assert [(s["SourceId"], s["AwsRegion"]) for s in failed] == [("410000000003", "us-east-1")]
    assert failed[0]["LastErrorCode"] and failed[0]["LastErrorMessage"]
    assert all(s["LastUpdateStatus"] == "SUCCEEDED" and "LastErrorCode" not in s
               for s in sources if s not in failed)
    assert all(isinstance(s["LastUpdateTime"], datetime) for s in sources)
    only_failed = config.describe_configuration_aggregator_sources_status(
        ConfigurationAggregatorName=AGG, UpdateStatus=["FAILED"])["AggregatedSourceStatusList"]
    assert only_failed == failed
    first = config.describe_configuration_aggregator_sources_status(ConfigurationAggregatorName=AGG, Limit=4)
    rest = config.describe_configuration_aggregator_sources_status(
        ConfigurationAggregatorName=AGG, Limit=4, NextToken=first["NextToken"])
    assert first["AggregatedSourceStatusList"] + rest["AggregatedSourceStatusList"] == sources
    assert "NextToken" not in rest


def test_access_denied_aggregator_is_listed_but_unusable(emulator):
    emulator.seed("lz-aggregator-denied")
    config = emulator.client("config", OPS)
    assert [a["ConfigurationAggregatorName"] for a in
            config.describe_configuration_aggregators()["ConfigurationAggregators"]] == [AGG]
    assert error_code(config.select_aggregate_resource_config, Expression=f"SELECT COUNT(*) {ACM_WHERE}",
                      ConfigurationAggregatorName=AGG) == "AccessDeniedException"
    assert error_code(config.describe_configuration_aggregator_sources_status,
                      ConfigurationAggregatorName=AGG) == "AccessDeniedException"
    assert emulator.ops()[-1]["status"] == 400


def test_no_config_key_means_no_aggregator(emulator):
    emulator.seed("lz-no-index")
    for region in ("ap-southeast-2", "us-east-1"):
        assert emulator.client("config", region).describe_configuration_aggregators()[
            "ConfigurationAggregators"] == []
    assert error_code(emulator.client("config", OPS).describe_configuration_aggregators,
                      Limit=101) == "InvalidLimitException"


def test_aggregators_put_through_the_api(emulator):
    emulator.seed("keytypes-3regions")
    config = emulator.client("config", "eu-west-1")
    workload = "210000000001"
    config.put_configuration_aggregator(
        ConfigurationAggregatorName="workload-a-two-regions",
        AccountAggregationSources=[{"AccountIds": [workload], "AwsRegions": ["ap-southeast-2", "eu-west-1"]}])
    config.put_configuration_aggregator(
        ConfigurationAggregatorName="whole-org",
        OrganizationAggregationSource={"RoleArn": "arn:aws:iam::123456789012:role/config", "AllAwsRegions": True})
    first = config.describe_configuration_aggregators(Limit=1)
    second = config.describe_configuration_aggregators(Limit=1, NextToken=first["NextToken"])
    assert [a["ConfigurationAggregatorName"] for a in
            first["ConfigurationAggregators"] + second["ConfigurationAggregators"]] == \
        ["whole-org", "workload-a-two-regions"]
    assert "NextToken" not in second
    scenario = load_scenario("keytypes-3regions")
    counted = json.loads(config.select_aggregate_resource_config(
        Expression=f"SELECT COUNT(*) {ACM_WHERE}", ConfigurationAggregatorName="workload-a-two-regions",
    )["Results"][0])["COUNT(*)"]
    assert counted == sum(c["account"] == workload and c["region"] in ("ap-southeast-2", "eu-west-1")
                          for c in scenario["certificates"])
    sources = config.describe_configuration_aggregator_sources_status(
        ConfigurationAggregatorName="workload-a-two-regions")["AggregatedSourceStatusList"]
    assert sorted((s["SourceId"], s["SourceType"], s["AwsRegion"]) for s in sources) == [
        (workload, "ACCOUNT", "ap-southeast-2"), (workload, "ACCOUNT", "eu-west-1")]
    # The organization: ACTIVE accounts only (closed-legacy is SUSPENDED).
    rows, _ = select_all(config, f"SELECT accountId {ACM_WHERE}", aggregator="whole-org")
    assert len(rows) == scenario["expected"]["total"] == 10
    assert "210000000003" not in {r["accountId"] for r in rows}
