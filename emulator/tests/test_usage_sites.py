"""Usage sites (SPEC phase 3): ELBv2, classic ELB, CloudFront, API Gateway v1/v2, and
ACM's InUseBy as the scenario says, all read back through boto3 as certinv reads them."""

from __future__ import annotations

import copy
from collections import defaultdict

import pytest
from botocore.exceptions import ClientError

from conftest import ALL_KEY_TYPES, MANAGEMENT, enabled_regions, list_all, load_scenario

WEB = "620000000001"


def _paginate(client, operation: str, key: str, **kwargs) -> list:
    return [item for page in client.get_paginator(operation).paginate(**kwargs)
            for item in _dig(page, key)]


def _dig(page: dict, key: str) -> list:
    for part in key.split("."):
        page = page.get(part, {})
    return page or []


def scan_elbv2(emulator, account: str, region: str, found: dict[str, set[str]]) -> None:
    """Balancers -> listeners -> listener certificates, every page of each."""
    elbv2 = emulator.client("elbv2", region, account)
    for balancer in _paginate(elbv2, "describe_load_balancers", "LoadBalancers"):
        for listener in _paginate(elbv2, "describe_listeners", "Listeners",
                                  LoadBalancerArn=balancer["LoadBalancerArn"]):
            for cert in _paginate(elbv2, "describe_listener_certificates", "Certificates",
                                  ListenerArn=listener["ListenerArn"]):
                found[cert["CertificateArn"]].add(balancer["LoadBalancerArn"])


def scan_usage(emulator, account: str) -> dict[str, set[str]]:
    """certificate ARN -> resource ARNs using it, found as certinv's phase 3 finds them:
    per region ELBv2, classic ELB, API Gateway v1 and v2 domain names; CloudFront once,
    through us-east-1."""
    found: dict[str, set[str]] = defaultdict(set)
    for region in enabled_regions(emulator, account):
        scan_elbv2(emulator, account, region, found)
        elb = emulator.client("elb", region, account)
        for balancer in _paginate(elb, "describe_load_balancers", "LoadBalancerDescriptions"):
            for description in balancer["ListenerDescriptions"]:
                if description["Listener"].get("SSLCertificateId"):
                    found[description["Listener"]["SSLCertificateId"]].add(
                        f"arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/"
                        f"{balancer['LoadBalancerName']}")
        for item in _paginate(emulator.client("apigateway", region, account), "get_domain_names", "items"):
            for field in ("certificateArn", "regionalCertificateArn"):
                if item.get(field):
                    found[item[field]].add(f"arn:aws:apigateway:{region}::/domainnames/{item['domainName']}")
        for item in _paginate(emulator.client("apigatewayv2", region, account), "get_domain_names", "Items"):
            for config in item["DomainNameConfigurations"]:
                found[config["CertificateArn"]].add(
                    f"arn:aws:apigateway:{region}::/domainnames/{item['DomainName']}")
    cloudfront = emulator.client("cloudfront", "us-east-1", account)
    for dist in _paginate(cloudfront, "list_distributions", "DistributionList.Items"):
        viewer = dist["ViewerCertificate"]
        if viewer.get("ACMCertificateArn"):
            found[viewer["ACMCertificateArn"]].add(dist["ARN"])
    return found


def describe_all(emulator, account: str) -> dict[str, dict]:
    out = {}
    for region in enabled_regions(emulator, account):
        acm = emulator.client("acm", region, account)
        for summary in list_all(acm, Includes={"keyTypes": ALL_KEY_TYPES}):
            out[summary["CertificateArn"]] = acm.describe_certificate(
                CertificateArn=summary["CertificateArn"])["Certificate"]
    return out


def test_usage_sites_scenario_matches_its_expected_block(emulator):
    report = emulator.seed("usage-sites")
    expected = load_scenario("usage-sites")["expected"]
    assert report["buckets"] == expected["buckets"] and report["certificates"] == expected["total"]
    assert report["usage_sites"] == {"elbv2": 1, "clb": 1, "cloudfront": 1, "apigw": 1, "apigwv2": 1}

    certs = {**describe_all(emulator, WEB), **describe_all(emulator, MANAGEMENT)}
    domain_of = {arn: c["DomainName"] for arn, c in certs.items()}
    assert {domain_of[a]: c["InUseBy"] for a, c in certs.items()} == expected["in_use_by"]

    scanned = scan_usage(emulator, WEB)
    assert {domain_of[a]: sorted(r) for a, r in scanned.items()} == expected["usage_sites"]

    disagreements = []
    for arn, cert in certs.items():
        in_use_by, found = set(cert["InUseBy"]), scanned.get(arn, set())
        for resource in sorted(found - in_use_by):
            disagreements.append(("in_use_by_missing", cert["DomainName"], resource))
        for resource in sorted(in_use_by - found):
            disagreements.append(("in_use_by_stale", cert["DomainName"], resource))
    assert sorted(disagreements) == sorted(
        (d["kind"], d["domain"], d["resource"]) for d in expected["disagreements"])

    expired = {a for a, c in certs.items() if c["Status"] == "EXPIRED"}
    merged = {a for a in certs if certs[a]["InUseBy"] or scanned.get(a)}
    assert sorted(domain_of[a] for a in expired & merged) == expected["critical"]
    assert sorted(domain_of[a] for a in expired - merged) == expected["removal_candidates"]
    # Trusting InUseBy alone misses the CloudFront use: one CRITICAL becomes REMOVE.
    by_in_use_by = {a for a in expired if certs[a]["InUseBy"]}
    assert len(by_in_use_by) == expected["buckets_from_in_use_by_only"]["CRITICAL"]
    assert len(expired - by_in_use_by) == expected["buckets_from_in_use_by_only"]["REMOVE"]


def test_each_site_answers_as_aws_shapes_it(emulator):
    emulator.seed("usage-sites")
    viewer = emulator.client("cloudfront", "us-east-1", WEB).list_distributions()[
        "DistributionList"]["Items"][0]["ViewerCertificate"]
    assert viewer["CertificateSource"] == "acm" and viewer["CloudFrontDefaultCertificate"] is False
    assert viewer["Certificate"] == viewer["ACMCertificateArn"] and "IAMCertificateId" not in viewer
    assert viewer["ACMCertificateArn"].startswith(f"arn:aws:acm:us-east-1:{WEB}:certificate/")

    v1 = emulator.client("apigateway", "ap-southeast-2", WEB).get_domain_names()["items"]
    rest = next(d for d in v1 if d["domainName"] == "rest.web.example.com")
    assert rest["endpointConfiguration"] == {"types": ["REGIONAL"]}
    assert "distributionDomainName" not in rest and "certificateArn" not in rest
    assert rest["regionalDomainName"].endswith(".execute-api.ap-southeast-2.amazonaws.com")
    v2 = emulator.client("apigatewayv2", "ap-southeast-2", WEB).get_domain_names()["Items"]
    http = next(d for d in v2 if d["DomainName"] == "http.web.example.com")
    config = http["DomainNameConfigurations"][0]
    assert (config["EndpointType"], config["DomainNameStatus"]) == ("REGIONAL", "AVAILABLE")
    # v1 and v2 share domain names: each API lists both.
    assert {d["domainName"] for d in v1} == {d["DomainName"] for d in v2} == {
        "rest.web.example.com", "http.web.example.com"}

    clb = emulator.client("elb", "ap-southeast-2", WEB).describe_load_balancers()[
        "LoadBalancerDescriptions"][0]
    assert clb["DNSName"].startswith("clb-legacy-0003-")
    assert clb["DNSName"].endswith(".ap-southeast-2.elb.amazonaws.com")
    assert clb["ListenerDescriptions"][0]["Listener"]["LoadBalancerPort"] == 443
    # Nothing is deployed in the management account.
    assert scan_usage(emulator, MANAGEMENT) == {}


def test_landing_zone_elbv2_usage_is_visible_through_the_walk(emulator):
    emulator.seed("landing-zone-31")
    accounts = [a["Id"] for a in emulator.client("organizations").list_accounts()["Accounts"]]
    found_total = 0
    for account in accounts:
        for region in enabled_regions(emulator, account):
            found: dict[str, set[str]] = defaultdict(set)
            scan_elbv2(emulator, account, region, found)
            acm = emulator.client("acm", region, account)
            in_use = {s["CertificateArn"] for s in list_all(acm, Includes={"keyTypes": ALL_KEY_TYPES})
                      if s["InUse"]}
            assert set(found) == in_use, (account, region)
            for arn, balancers in found.items():
                assert acm.describe_certificate(CertificateArn=arn)["Certificate"]["InUseBy"] == \
                    sorted(balancers)
            found_total += len(found)
    assert found_total > 19  # the 19 CRITICAL and the valid ones in use


def _inline(certificates: list[dict]) -> dict:
    return {"name": "paging", "random_seed": 3,
            "accounts": [{"id": MANAGEMENT, "name": "mgmt", "regions": ["us-east-1"]}],
            "certificates": [{"account": MANAGEMENT, "region": "us-east-1", "expires_in_days": 100.5,
                              **c} for c in certificates]}


def test_every_listing_pages_as_aws_does(emulator):
    report = emulator.seed(_inline([
        {"domain": "alb.example.com", "count": 3, "in_use": ["elbv2"]},
        {"domain": "clb.example.com", "count": 3, "in_use": ["clb"]},
        {"domain": "cdn.example.com", "count": 3, "in_use": ["cloudfront"]},
        {"domain": "rest.example.com", "count": 30, "in_use": ["apigw"]},
        {"domain": "http.example.com", "count": 3, "in_use": ["apigwv2"]},
        {"domain": "spare.example.com"},
    ]))
    assert report["usage_sites"] == {"elbv2": 3, "clb": 3, "cloudfront": 3, "apigw": 30, "apigwv2": 3}
    assert report["load_balancers"] == 6

    def sizes(client, operation, key, **kwargs):
        return [len(_dig(p, key)) for p in client.get_paginator(operation).paginate(**kwargs)]

    elbv2 = emulator.client("elbv2")
    assert sizes(elbv2, "describe_load_balancers", "LoadBalancers", PaginationConfig={"PageSize": 2}) == [2, 1]
    balancer = elbv2.describe_load_balancers()["LoadBalancers"][0]["LoadBalancerArn"]
    listener = elbv2.describe_listeners(LoadBalancerArn=balancer)["Listeners"][0]["ListenerArn"]
    elbv2.create_listener(LoadBalancerArn=balancer, Protocol="HTTP", Port=80,
                          DefaultActions=[{"Type": "fixed-response",
                                           "FixedResponseConfig": {"StatusCode": "200"}}])
    assert sizes(elbv2, "describe_listeners", "Listeners", LoadBalancerArn=balancer,
                 PaginationConfig={"PageSize": 1}) == [1, 1]
    # An SNI certificate added to the listener: listed after the default, and in use.
    acm = emulator.client("acm")
    spare = next(s["CertificateArn"] for s in list_all(acm) if s["DomainName"] == "spare.example.com")
    elbv2.add_listener_certificates(ListenerArn=listener, Certificates=[{"CertificateArn": spare}])
    certificates = _paginate(elbv2, "describe_listener_certificates", "Certificates",
                             ListenerArn=listener, PaginationConfig={"PageSize": 1})
    assert [c["IsDefault"] for c in certificates] == [True, False] and certificates[1]["CertificateArn"] == spare
    assert acm.describe_certificate(CertificateArn=spare)["Certificate"]["InUseBy"] == [balancer]
    with pytest.raises(ClientError) as err:
        elbv2.describe_load_balancers(PageSize=401)
    assert err.value.response["Error"]["Code"] == "ValidationError"
    with pytest.raises(ClientError) as err:
        elbv2.describe_load_balancers(Marker="not-a-marker")
    assert err.value.response["Error"]["Code"] == "ValidationError"

    assert sizes(emulator.client("elb"), "describe_load_balancers", "LoadBalancerDescriptions",
                 PaginationConfig={"PageSize": 2}) == [2, 1]
    assert sizes(emulator.client("cloudfront"), "list_distributions", "DistributionList.Items",
                 PaginationConfig={"PageSize": 2}) == [2, 1]

    v1 = emulator.client("apigateway")
    assert sizes(v1, "get_domain_names", "items") == [25, 8]  # AWS's default limit is 25
    assert sizes(v1, "get_domain_names", "items", PaginationConfig={"PageSize": 20}) == [20, 13]
    v2 = emulator.client("apigatewayv2")
    assert sizes(v2, "get_domain_names", "Items") == [33]
    assert sizes(v2, "get_domain_names", "Items", PaginationConfig={"PageSize": 10}) == [10, 10, 10, 3]
    with pytest.raises(ClientError) as err:
        v1.get_domain_names(limit=501)
    assert err.value.response["Error"]["Code"] == "BadRequestException"


def test_in_use_by_flags(emulator):
    stale = "arn:aws:cloudfront::123456789012:distribution/EDFDVBD6EXAMPLE"
    emulator.seed(_inline([
        {"domain": "both.example.com", "in_use": ["elbv2", "cloudfront"], "inuseby_omits": ["elbv2"],
         "inuseby_stale": [stale], "type": "AMAZON_ISSUED"},
        {"domain": "quiet.example.com", "in_use": ["apigwv2"], "inuseby_omits": ["apigwv2"],
         "type": "AMAZON_ISSUED"},
    ]))
    acm = emulator.client("acm")
    certs = {s["DomainName"]: acm.describe_certificate(CertificateArn=s["CertificateArn"])["Certificate"]
             for s in list_all(acm)}
    both = certs["both.example.com"]["InUseBy"]
    assert len(both) == 2 and both[0].startswith("arn:aws:cloudfront::123456789012:distribution/")
    assert both[1] == stale
    assert certs["quiet.example.com"]["InUseBy"] == []
    # Renewal eligibility follows what InUseBy says, as ACM's does.
    assert certs["both.example.com"]["RenewalEligibility"] == "ELIGIBLE"
    assert certs["quiet.example.com"]["RenewalEligibility"] == "INELIGIBLE"
    summaries = {s["DomainName"]: s["InUse"] for s in list_all(acm)}
    assert summaries == {"both.example.com": True, "quiet.example.com": False}


@pytest.mark.parametrize("change,needle", [
    ({"in_use": ["cloudfront"], "region": "ap-southeast-2"}, "cloudfront can only use a certificate in us-east-1"),
    ({"in_use": ["apigw", "apigwv2"]}, "share domain names"),
    ({"in_use": ["elbv2"], "inuseby_omits": ["clb"]}, "inuseby_omits must list"),
    ({"inuseby_stale": ["not-an-arn"]}, "inuseby_stale must be"),
    ({"in_use": ["elbv2", "elbv2"]}, "lists a kind twice"),
    ({"in_use": ["s3"]}, "in_use must be a list of"),
])
def test_bad_usage_fields_are_refused(emulator, change, needle):
    cert = {"account": MANAGEMENT, "region": "us-east-1", "domain": "a.example.com",
            "expires_in_days": 10.5, **change}
    doc = {"name": "bad", "accounts": [{"id": MANAGEMENT, "name": "m",
                                        "regions": ["us-east-1", "ap-southeast-2"]}],
           "certificates": [cert]}
    status, payload = emulator.call("POST", "/certinv-emulator/seed", {"scenario": doc})
    assert status == 400 and needle in payload["error"] and "certificates[0]" in payload["error"], payload


def test_custom_domain_names_and_aliases_must_be_unique(emulator):
    doc = _inline([{"domain": "x.example.com", "in_use": ["apigw"]},
                   {"domain": "x.example.com", "in_use": ["apigwv2"]}])
    status, payload = emulator.call("POST", "/certinv-emulator/seed", {"scenario": doc})
    assert status == 400 and "certificates[1]" in payload["error"] and "custom domain name" in payload["error"]
    doc = copy.deepcopy(doc)
    for cert in doc["certificates"]:
        cert["in_use"] = ["cloudfront"]
    status, payload = emulator.call("POST", "/certinv-emulator/seed", {"scenario": doc})
    assert status == 400 and "CloudFront alias" in payload["error"]
