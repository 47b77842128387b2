"""IAM server certificates: metadata from the body, paging, usage sites, global IAM."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from botocore.exceptions import ClientError
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from conftest import MANAGEMENT, load_scenario

PROD, DEV = "630000000001", "630000000002"
ACCOUNTS = (MANAGEMENT, PROD, DEV)
SERVER_CERTIFICATE_ID = re.compile(r"^ASCA[A-Z0-9]{17}$")
METADATA_FIELDS = {"Path", "ServerCertificateName", "ServerCertificateId", "Arn", "UploadDate",
                   "Expiration"}


def _anchor(report: dict) -> datetime:
    return datetime.strptime(report["anchor"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


def list_server_certificates(iam, **kwargs) -> list[dict]:
    return [m for page in iam.get_paginator("list_server_certificates").paginate(**kwargs)
            for m in page["ServerCertificateMetadataList"]]


def _pem(domain: str, not_after: datetime) -> tuple[str, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, domain)])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(7)
            .not_valid_before(not_after - timedelta(days=90)).not_valid_after(not_after)
            .sign(key, hashes.SHA256()))
    return (cert.public_bytes(serialization.Encoding.PEM).decode(),
            key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption()).decode())


def test_homes_metadata_is_the_bodys_and_iam_is_global(emulator):
    report = emulator.seed("homes")
    anchor = _anchor(report)
    expected = load_scenario("homes")["expected"]["iam_server_certificates"]
    assert report["iam_server_certificates"] == 4
    seen = {}
    for account in ACCOUNTS:
        answers = [list_server_certificates(emulator.client("iam", region, account))
                   for region in ("us-east-1", "ap-southeast-2", "eu-west-1")]
        assert answers[0] == answers[1] == answers[2]  # global: the same in every region
        for meta in answers[0]:
            assert set(meta) == METADATA_FIELDS
            seen[meta["ServerCertificateName"]] = (account, meta)
    assert set(seen) == set(expected)
    for name, (account, meta) in seen.items():
        want = expected[name]
        assert account == want["account_id"] and meta["Path"] == want["path"]
        assert meta["Arn"] == want["arn"] == \
            f"arn:aws:iam::{account}:server-certificate{want['path']}{name}"
        assert SERVER_CERTIFICATE_ID.match(meta["ServerCertificateId"])
        assert meta["ServerCertificateId"] == want["server_certificate_id"]
        body = emulator.client("iam", "us-east-1", account).get_server_certificate(
            ServerCertificateName=name)["ServerCertificate"]
        assert body["ServerCertificateMetadata"] == meta
        cert = x509.load_pem_x509_certificate(body["CertificateBody"].encode())
        assert cert.not_valid_after_utc == anchor + timedelta(days=want["expires_in_days"])
        assert meta["UploadDate"] == cert.not_valid_before_utc
        skew = want.get("api_expiration_in_days", want["expires_in_days"]) - want["expires_in_days"]
        assert meta["Expiration"] - cert.not_valid_after_utc == timedelta(days=skew)
    assert seen["cdn-homes"][1]["Expiration"] - anchor == timedelta(days=63.5)  # body: 60.5


def test_homes_usage_sites_name_the_iam_certificate(emulator):
    emulator.seed("homes")
    expected = load_scenario("homes")["expected"]["iam_server_certificates"]
    # classic ELB: SSLCertificateId is the IAM ARN
    elb = emulator.client("elb", "ap-southeast-2", PROD)
    listeners = {b["LoadBalancerName"]: [d["Listener"] for d in b["ListenerDescriptions"]]
                 for b in elb.describe_load_balancers()["LoadBalancerDescriptions"]}
    [listener] = listeners["clb-portal-0010"]
    assert (listener["Protocol"], listener["LoadBalancerPort"], listener["SSLCertificateId"]) == \
        ("HTTPS", 443, expected["legacy-portal-2019"]["arn"])
    # ELBv2: the listener's certificate is the IAM ARN
    elbv2 = emulator.client("elbv2", "ap-southeast-2", PROD)
    lb_arn = expected["partner-api"]["used_by"][0]
    listener = elbv2.describe_listeners(LoadBalancerArn=lb_arn)["Listeners"][0]
    assert [c["CertificateArn"] for c in listener["Certificates"]] == [expected["partner-api"]["arn"]]
    assert elbv2.describe_listener_certificates(ListenerArn=listener["ListenerArn"])["Certificates"] == [
        {"CertificateArn": expected["partner-api"]["arn"], "IsDefault": True}]
    # CloudFront: IAMCertificateId is the ServerCertificateId
    items = emulator.client("cloudfront", "us-east-1", MANAGEMENT).list_distributions()[
        "DistributionList"]["Items"]
    assert [d["ARN"] for d in items] == expected["cdn-homes"]["used_by"]
    viewer = items[0]["ViewerCertificate"]
    assert viewer["CertificateSource"] == "iam" and not viewer["CloudFrontDefaultCertificate"]
    assert viewer["IAMCertificateId"] == viewer["Certificate"] == expected["cdn-homes"]["server_certificate_id"]
    assert "ACMCertificateArn" not in viewer
    # spare-wildcard: used nowhere in its account
    spare = expected["spare-wildcard"]["arn"]
    for region in ("us-east-1", "ap-southeast-2"):
        for balancer in emulator.client("elb", region, DEV).describe_load_balancers()[
                "LoadBalancerDescriptions"]:
            assert all(d["Listener"].get("SSLCertificateId") != spare
                       for d in balancer["ListenerDescriptions"])
        assert emulator.client("elbv2", region, DEV).describe_load_balancers()["LoadBalancers"] == []


def _iam_scenario(certs: list[dict]) -> dict:
    return {"name": "iam-paging",
            "accounts": [{"id": MANAGEMENT, "name": "mgmt", "regions": ["us-east-1"]}],
            "iam_server_certificates": certs}


def test_pages_path_prefix_and_bad_arguments(emulator):
    certs = [{"account": MANAGEMENT, "name": f"cert-{n}", "domain": f"c{n}.example.com",
              "expires_in_days": 10.5 * n, "path": "/team/a/" if n % 2 else "/"}
             for n in range(1, 6)]
    emulator.seed(_iam_scenario(certs))
    iam = emulator.client("iam")
    first = iam.list_server_certificates(MaxItems=2)
    assert first["IsTruncated"] and len(first["ServerCertificateMetadataList"]) == 2
    second = iam.list_server_certificates(MaxItems=2, Marker=first["Marker"])
    assert [m["ServerCertificateName"] for m in second["ServerCertificateMetadataList"]] == ["cert-3", "cert-4"]
    paged = list_server_certificates(iam, PaginationConfig={"PageSize": 2})
    assert [m["ServerCertificateName"] for m in paged] == [f"cert-{n}" for n in range(1, 6)]
    whole = iam.list_server_certificates()
    assert not whole["IsTruncated"] and "Marker" not in whole
    assert [m["ServerCertificateName"] for m in iam.list_server_certificates(
        PathPrefix="/team/")["ServerCertificateMetadataList"]] == ["cert-1", "cert-3", "cert-5"]
    assert [m["Arn"] for m in iam.list_server_certificates(PathPrefix="/team/a/")[
        "ServerCertificateMetadataList"]][0] == f"arn:aws:iam::{MANAGEMENT}:server-certificate/team/a/cert-1"
    for kwargs in ({"MaxItems": 1001}, {"Marker": "not-a-marker"}):
        with pytest.raises(ClientError) as err:
            iam.list_server_certificates(**kwargs)
        assert err.value.response["Error"]["Code"] == "ValidationError"
    with pytest.raises(ClientError) as err:
        iam.get_server_certificate(ServerCertificateName="nope")
    assert err.value.response["Error"]["Code"] == "NoSuchEntity"


def test_upload_answers_real_metadata_and_aws_refusals(emulator):
    report = emulator.seed(_iam_scenario([]))
    iam = emulator.client("iam", "ap-southeast-2")
    not_after = _anchor(report).replace(microsecond=0) + timedelta(days=42)
    body, key = _pem("up.example.com", not_after)
    meta = iam.upload_server_certificate(ServerCertificateName="up", CertificateBody=body,
                                         PrivateKey=key, Path="/uploads/")["ServerCertificateMetadata"]
    assert meta["Expiration"] == not_after and SERVER_CERTIFICATE_ID.match(meta["ServerCertificateId"])
    assert meta["Arn"] == f"arn:aws:iam::{MANAGEMENT}:server-certificate/uploads/up"
    assert abs(meta["UploadDate"] - _anchor(report)) < timedelta(minutes=5)
    assert emulator.client("iam").list_server_certificates()["ServerCertificateMetadataList"] == [meta]
    for kwargs, code in (({"CertificateBody": body}, "EntityAlreadyExists"),
                         ({"CertificateBody": "not a certificate", "ServerCertificateName": "x"},
                          "MalformedCertificate")):
        with pytest.raises(ClientError) as err:
            iam.upload_server_certificate(**{"ServerCertificateName": "up", "PrivateKey": key, **kwargs})
        assert err.value.response["Error"]["Code"] == code


@pytest.mark.parametrize("change,needle", [
    ({"in_use": ["cloudfront"]}, "/cloudfront/"),
    ({"in_use": ["apigw"]}, "in_use"),
    ({"path": "no-slashes"}, "path"),
    ({"usage_region": "eu-west-1"}, "usage_region"),
    ({"expires_in_days": None}, "expires_in_days"),
    ({"nme": "x"}, "nme"),
])
def test_bad_iam_entries_are_refused(emulator, change, needle):
    cert = {"account": MANAGEMENT, "name": "c", "domain": "c.example.com", "expires_in_days": 5.5, **change}
    status, payload = emulator.call("POST", "/certinv-emulator/seed", {"scenario": _iam_scenario([cert])})
    assert status == 400 and needle in payload["error"], payload


def test_a_name_twice_in_an_account_is_refused(emulator):
    cert = {"account": MANAGEMENT, "name": "c", "domain": "c.example.com", "expires_in_days": 5.5}
    status, payload = emulator.call("POST", "/certinv-emulator/seed",
                                    {"scenario": _iam_scenario([cert, dict(cert, path="/other/")])})
    assert status == 400 and "already has a server certificate" in payload["error"]
