"""Fault injection: each kind, in each service's own protocol, through boto3 with
retries disabled (or exactly as many as a test says), and its trace in the op log."""

from __future__ import annotations

import random
import time

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError

from conftest import MANAGEMENT, enabled_regions, list_all

NO_RETRIES = Config(retries={"mode": "standard", "total_max_attempts": 1})
WORKLOAD = "210000000001"  # keytypes-3regions


def _set(emulator, faults: dict) -> dict:
    status, payload = emulator.call("POST", "/certinv-emulator/faults", faults)
    assert status == 200, payload
    return payload


def _client(emulator, service: str, region: str = "ap-southeast-2", account: str = MANAGEMENT):
    return emulator.client(service, region, account, config=NO_RETRIES)


# One read-only call per service certinv uses: (signing name, client, region, call).
CALLS = {
    "acm": ("acm", "ap-southeast-2", lambda c: c.list_certificates()),
    "config": ("config", "ap-southeast-2", lambda c: c.describe_configuration_aggregators()),
    "organizations": ("organizations", "us-east-1", lambda c: c.list_accounts()),
    "sts": ("sts", "us-east-1", lambda c: c.get_caller_identity()),
    "ec2": ("ec2", "ap-southeast-2", lambda c: c.describe_regions()),
    "elasticloadbalancing": ("elbv2", "ap-southeast-2", lambda c: c.describe_load_balancers()),
    "elasticloadbalancing/classic": ("elb", "ap-southeast-2", lambda c: c.describe_load_balancers()),
    "cloudfront": ("cloudfront", "us-east-1", lambda c: c.list_distributions()),
    "apigateway": ("apigateway", "ap-southeast-2", lambda c: c.get_domain_names()),
    "apigateway/v2": ("apigatewayv2", "ap-southeast-2", lambda c: c.get_domain_names()),
    "resource-explorer-2": ("resource-explorer-2", "ap-southeast-2", lambda c: c.list_indexes()),
    "iam": ("iam", "us-east-1", lambda c: c.list_server_certificates()),
    "acm-pca": ("acm-pca", "ap-southeast-2", lambda c: c.list_certificate_authorities()),
}

THROTTLED = {  # status, code
    "acm": (400, "ThrottlingException"),
    "config": (400, "ThrottlingException"),
    "organizations": (400, "TooManyRequestsException"),
    "sts": (400, "Throttling"),
    "ec2": (503, "RequestLimitExceeded"),
    "elasticloadbalancing": (400, "Throttling"),
    "elasticloadbalancing/classic": (400, "Throttling"),
    "cloudfront": (400, "Throttling"),
    "apigateway": (429, "TooManyRequestsException"),
    "apigateway/v2": (429, "TooManyRequestsException"),
    "resource-explorer-2": (429, "ThrottlingException"),
    "iam": (400, "Throttling"),
    "acm-pca": (400, "ThrottlingException"),
}


def _error(call) -> tuple[int, str, dict]:
    with pytest.raises(ClientError) as err:
        call()
    response = err.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"], response


def test_throttling_in_each_services_own_protocol(emulator):
    emulator.seed("usage-sites")
    _set(emulator, {"throttle": [{"rate": 1.0}]})
    emulator.clear_ops()
    for name, (service, region, call) in CALLS.items():
        status, code, response = _error(lambda: call(_client(emulator, service, region)))
        assert (status, code) == THROTTLED[name], name
        # botocore (like the Rust SDK) files these codes under throttling.
        from botocore.retries.standard import RetryContext, ThrottledRetryableChecker
        assert ThrottledRetryableChecker().is_retryable(RetryContext(
            attempt_number=1, parsed_response=response, http_response=None, caught_exception=None)), name
    ops = emulator.ops()
    assert len(ops) == len(CALLS)
    assert [(o["status"], o["fault"]) for o in ops] == [(THROTTLED[n][0], "throttle") for n in CALLS]


@pytest.mark.parametrize("status", [500, 503])
def test_server_errors(emulator, status):
    emulator.seed("usage-sites")
    _set(emulator, {"errors_5xx": [{"status": status}]})
    codes = {}
    for name, (service, region, call) in CALLS.items():
        got, code, _ = _error(lambda: call(_client(emulator, service, region)))
        assert got == status, name
        codes[name] = code
    if status == 500:
        assert codes["acm"] == codes["sts"] == codes["cloudfront"] == "InternalFailure"
        assert (codes["ec2"], codes["organizations"], codes["resource-explorer-2"]) == (
            "InternalError", "ServiceException", "InternalServerException")
    else:
        assert codes["acm"] == codes["sts"] == codes["elasticloadbalancing"] == "ServiceUnavailable"
        assert (codes["ec2"], codes["apigateway"]) == ("Unavailable", "ServiceUnavailableException")
    assert {o.get("fault") for o in emulator.ops()[-len(CALLS):]} == {"errors_5xx"}


def test_throttle_rate_is_deterministic_with_its_seed(emulator):
    emulator.seed("keytypes-3regions")
    acm = _client(emulator, "acm", "ap-southeast-2", WORKLOAD)  # AssumeRole before any fault
    arn = list_all(acm)[0]["CertificateArn"]
    faults = {"throttle": [{"service": "acm", "operations": ["ListCertificates"], "rate": 0.2, "seed": 1}]}
    draws = random.Random(1)
    wanted = [400 if draws.random() < 0.2 else 200 for _ in range(40)]
    assert 3 <= wanted.count(400) <= 15

    for _attempt in range(2):  # replacing the fault set restarts its sequence
        _set(emulator, faults)
        emulator.clear_ops()
        for _ in range(40):
            try:
                acm.list_certificates()
            except ClientError as err:
                assert err.response["Error"]["Code"] == "ThrottlingException"
            acm.describe_certificate(CertificateArn=arn)  # not a listed operation: never faulted
        ops = emulator.ops()
        assert [o["status"] for o in ops if o["operation"] == "ListCertificates"] == wanted
        assert {o["status"] for o in ops if o["operation"] == "DescribeCertificate"} == {200}
        assert all(o["account"] == WORKLOAD for o in ops)
    state = emulator.call("GET", "/certinv-emulator/faults")[1]
    assert state["throttle"][0]["injected"] == wanted.count(400)


def test_a_limited_fault_is_outlasted_by_retries(emulator):
    emulator.seed("keytypes-3regions")
    _set(emulator, {"throttle": [{"service": "acm", "limit": 1}]})
    emulator.clear_ops()
    retrying = emulator.client("acm", "ap-southeast-2", config=Config(
        retries={"mode": "standard", "total_max_attempts": 2}))
    assert retrying.list_certificates()["ResponseMetadata"]["RetryAttempts"] == 1
    assert [o["status"] for o in emulator.ops()] == [400, 200]
    assert "fault" not in emulator.ops()[-1]


def test_dropped_connection(emulator):
    emulator.seed("keytypes-3regions")
    _set(emulator, {"drop_connection": [{"service": "acm", "regions": ["eu-west-1"], "limit": 1}]})
    emulator.clear_ops()
    with pytest.raises(ConnectionClosedError):
        _client(emulator, "acm", "eu-west-1").list_certificates()
    _client(emulator, "acm", "eu-west-1").list_certificates()  # the limit is spent
    _client(emulator, "acm", "us-east-1").list_certificates()
    ops = emulator.ops()
    assert [(o["region"], o["status"], o.get("fault")) for o in ops] == [
        ("eu-west-1", 0, "drop_connection"), ("eu-west-1", 200, None), ("us-east-1", 200, None)]


def test_latency_fixed_and_jittered(emulator):
    emulator.seed("keytypes-3regions")
    sts = _client(emulator, "sts", "us-east-1")
    acm = _client(emulator, "acm", "ap-southeast-2")
    sts.get_caller_identity()  # warm both clients up
    acm.list_certificates()
    emulator.clear_ops()

    _set(emulator, {"latency": {"fixed_ms": 40}})
    started = time.monotonic()
    for _ in range(5):
        sts.get_caller_identity()
    assert time.monotonic() - started >= 0.2

    _set(emulator, {"latency": [{"service": "sts", "median_ms": 40, "jitter_ms": 10, "seed": 1}]})
    draws = random.Random(1)
    delays = [40 + draws.uniform(-10, 10) for _ in range(5)]
    started = time.monotonic()
    for _ in range(5):
        sts.get_caller_identity()
    assert time.monotonic() - started >= sum(delays) / 1000 - 0.005
    started = time.monotonic()
    for _ in range(5):
        acm.list_certificates()  # another service: no latency
    assert time.monotonic() - started < 0.15
    assert not any("fault" in o for o in emulator.ops())


def test_denied_assume_role_and_acm_regions(emulator):
    emulator.seed("keytypes-3regions")
    _set(emulator, {"deny_assume_role": ["210000000002"],
                    "deny_acm_regions": [{"account": WORKLOAD, "region": "eu-west-1"}]})
    emulator.clear_ops()
    sts = _client(emulator, "sts", "us-east-1")
    status, code, response = _error(lambda: sts.assume_role(
        RoleArn="arn:aws:iam::210000000002:role/OrganizationAccountAccessRole", RoleSessionName="certinv"))
    assert (status, code, response["Error"]["Type"]) == (403, "AccessDenied", "Sender")
    assert "sts:AssumeRole" in response["Error"]["Message"]

    # The other member account: assumed, and its ACM answers except in eu-west-1.
    acm_denied = _client(emulator, "acm", "eu-west-1", WORKLOAD)
    status, code, _ = _error(lambda: acm_denied.list_certificates())
    assert (status, code) == (400, "AccessDeniedException")
    assert _error(lambda: acm_denied.describe_certificate(
        CertificateArn=f"arn:aws:acm:eu-west-1:{WORKLOAD}:certificate/x"))[1] == "AccessDeniedException"
    assert _client(emulator, "acm", "us-east-1", WORKLOAD).list_certificates()
    assert _client(emulator, "ec2", "eu-west-1", WORKLOAD).describe_regions()  # only ACM is denied
    assert _client(emulator, "acm", "eu-west-1").list_certificates()  # another account
    ops = [(o["service"], o["operation"], o["account"], o["status"], o.get("fault")) for o in emulator.ops()]
    assert ops == [
        ("sts", "AssumeRole", MANAGEMENT, 403, "access_denied"),
        ("sts", "AssumeRole", MANAGEMENT, 200, None),
        ("acm", "ListCertificates", WORKLOAD, 400, "access_denied"),
        ("acm", "DescribeCertificate", WORKLOAD, 400, "access_denied"),
        ("acm", "ListCertificates", WORKLOAD, 200, None),
        ("ec2", "DescribeRegions", WORKLOAD, 200, None),
        ("acm", "ListCertificates", MANAGEMENT, 200, None),
    ]


def test_scenario_faults_are_set_by_seeding_and_replaced_at_runtime(emulator):
    scenario = {"name": "faulty",
                "accounts": [{"id": MANAGEMENT, "name": "m", "regions": ["us-east-1"]}],
                "faults": {"throttle": [{"service": "ec2", "operations": ["DescribeRegions"]}]}}
    emulator.seed(scenario)
    state = emulator.call("GET", "/certinv-emulator/faults")[1]
    assert state["throttle"] == [{"service": "ec2", "operations": ["DescribeRegions"], "rate": 1.0,
                                  "seed": 0, "injected": 0}]
    assert _error(lambda: _client(emulator, "ec2", "us-east-1").describe_regions())[1] == "RequestLimitExceeded"
    assert _set(emulator, {}) == {"throttle": [], "errors_5xx": [], "drop_connection": [],
                                  "latency": [], "deny_assume_role": [], "deny_acm_regions": []}
    assert _client(emulator, "ec2", "us-east-1").describe_regions()["Regions"]
    emulator.seed(scenario)
    assert emulator.call("GET", "/certinv-emulator/faults")[1]["throttle"][0]["injected"] == 0
    emulator.seed("keytypes-3regions")  # no faults key: none
    assert emulator.call("GET", "/certinv-emulator/faults")[1]["throttle"] == []


@pytest.mark.parametrize("body,needle", [
    ({"throttle": [{"rate": 1.5}]}, "faults.throttle[0]: rate must be"),
    ({"throttle": {"rate": 1}}, "faults.throttle: must be a list"),
    ({"errors_5xx": [{"status": 502}]}, "status must be 500 or 503"),
    ({"throttle": [{"status": 500}]}, "status is only for errors_5xx"),
    ({"latency": {"fixed_ms": 10, "median_ms": 5}}, "either fixed_ms or median_ms"),
    ({"deny_assume_role": ["12345"]}, "deny_assume_role"),
    ({"deny_acm_regions": [{"account": MANAGEMENT}]}, "faults.deny_acm_regions[0]"),
    ({"slow": True}, "unknown field(s) ['slow']"),
    ({"drop_connection": [{"operation": "X"}]}, "unknown field(s) ['operation']"),
])
def test_bad_fault_sets_are_refused(emulator, body, needle):
    status, payload = emulator.call("POST", "/certinv-emulator/faults", body)
    assert status == 400 and needle in payload["error"], payload
    scenario = {"name": "bad", "accounts": [{"id": MANAGEMENT, "name": "m", "regions": ["us-east-1"]}],
                "faults": body}
    status, payload = emulator.call("POST", "/certinv-emulator/seed", {"scenario": scenario})
    assert status == 400 and needle in payload["error"], payload


def test_a_region_the_account_has_not_enabled(emulator):
    """What certinv sees of a region an account has not enabled: DescribeRegions leaves it
    out (AllRegions lists it as not-opted-in); a call there anyway answers as an empty
    region (moto does not refuse it as AWS would)."""
    emulator.seed("keytypes-3regions")
    assert "eu-west-1" not in enabled_regions(emulator, "210000000002")
    every = _client(emulator, "ec2", "us-east-1", "210000000002").describe_regions(AllRegions=True)
    assert {r["RegionName"]: r["OptInStatus"] for r in every["Regions"]}["eu-west-1"] == "not-opted-in"
    assert _client(emulator, "acm", "eu-west-1", "210000000002").list_certificates()[
        "CertificateSummaryList"] == []
