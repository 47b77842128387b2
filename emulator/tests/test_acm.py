"""The acm extension: ACM as AWS answers it."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from botocore.exceptions import ClientError
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from conftest import ALL_KEY_TYPES, list_all

WORKLOAD = "210000000001"
DESCRIBE_FORMS = {
    "RSA_1024": "RSA-1024", "RSA_2048": "RSA-2048", "RSA_3072": "RSA-3072", "RSA_4096": "RSA-4096",
    "EC_prime256v1": "EC-prime256v1", "EC_secp384r1": "EC-secp384r1", "EC_secp521r1": "EC-secp521r1",
}
LB_ARN = re.compile(r"^arn:aws:elasticloadbalancing:[a-z0-9-]+:[0-9]{12}:loadbalancer/app/[^/]+/[0-9a-f]+$")


def _pem_pair(domain: str, not_before: datetime, not_after: datetime) -> tuple[bytes, bytes]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, domain)])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(not_before).not_valid_after(not_after)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(domain)]), critical=False)
            .sign(key, hashes.SHA256()))
    return (cert.public_bytes(serialization.Encoding.PEM),
            key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption()))


def test_pages_of_the_scenarios_page_size(emulator):
    emulator.seed("keytypes-3regions")  # acm_page_size 2; 5 certificates in ap-southeast-2
    acm = emulator.client("acm", "ap-southeast-2", WORKLOAD)
    first = acm.list_certificates(Includes={"keyTypes": ALL_KEY_TYPES})
    assert len(first["CertificateSummaryList"]) == 2 and first["NextToken"]
    pages = list(acm.get_paginator("list_certificates").paginate(Includes={"keyTypes": ALL_KEY_TYPES}))
    assert [len(p["CertificateSummaryList"]) for p in pages] == [2, 2, 1]
    arns = [s["CertificateArn"] for p in pages for s in p["CertificateSummaryList"]]
    assert len(set(arns)) == 5
    # MaxItems below the page size wins.
    pages = list(acm.get_paginator("list_certificates").paginate(
        Includes={"keyTypes": ALL_KEY_TYPES}, PaginationConfig={"PageSize": 1}))
    assert [len(p["CertificateSummaryList"]) for p in pages] == [1] * 5
    with pytest.raises(ClientError) as err:
        acm.list_certificates(NextToken="bm90LWEtdG9rZW4=")
    assert err.value.response["Error"]["Code"] == "InvalidArgsException"
    with pytest.raises(ClientError) as err:
        acm.list_certificates(MaxItems=1001)
    assert err.value.response["Error"]["Code"] == "ValidationException"


def test_default_listing_is_rsa_1024_and_2048_only(emulator):
    emulator.seed("keytypes-3regions")
    acm = emulator.client("acm", "ap-southeast-2", WORKLOAD)
    assert sorted(s["KeyAlgorithm"] for s in list_all(acm)) == ["RSA_1024", "RSA_2048"]
    assert sorted(s["KeyAlgorithm"] for s in list_all(acm, Includes={"keyTypes": ["RSA_4096"]})) == ["RSA_4096"]
    assert len(list_all(acm, Includes={"keyTypes": ALL_KEY_TYPES})) == 5


def test_all_seven_key_types_in_both_forms(emulator):
    emulator.seed("keytypes-3regions")
    seen = {}
    for region in ("us-east-1", "ap-southeast-2", "eu-west-1"):
        acm = emulator.client("acm", region, WORKLOAD)
        for summary in list_all(acm, Includes={"keyTypes": ALL_KEY_TYPES}):
            detail = acm.describe_certificate(CertificateArn=summary["CertificateArn"])["Certificate"]
            seen[summary["KeyAlgorithm"]] = detail["KeyAlgorithm"]
            for field in ("Type", "Status", "RenewalEligibility"):
                assert summary[field] == detail[field]
            assert summary["InUse"] == bool(detail["InUseBy"])
            if "NotAfter" in detail:
                assert summary["NotAfter"] == detail["NotAfter"]
    assert seen == DESCRIBE_FORMS


def test_describe_carries_the_scenarios_fields(emulator):
    report = emulator.seed("keytypes-3regions")
    anchor = datetime.strptime(report["anchor"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    acm = emulator.client("acm", "ap-southeast-2", WORKLOAD)
    by_domain = {}
    for s in list_all(acm, Includes={"keyTypes": ALL_KEY_TYPES}):
        by_domain[s["DomainName"]] = acm.describe_certificate(CertificateArn=s["CertificateArn"])["Certificate"]

    amazon = by_domain["rsa2048.workload-a.example.com"]
    assert (amazon["Type"], amazon["Status"], amazon["RenewalEligibility"]) == ("AMAZON_ISSUED", "ISSUED", "ELIGIBLE")
    assert amazon["RenewalSummary"]["RenewalStatus"] == "SUCCESS"
    assert amazon["NotAfter"] == anchor + timedelta(days=250.5)
    assert amazon["NotBefore"] == anchor + timedelta(days=250.5 - 395)

    expired = by_domain["ecp256.workload-a.example.com"]
    assert (expired["Type"], expired["Status"]) == ("IMPORTED", "EXPIRED")
    assert expired["SubjectAlternativeNames"] == ["ecp256.workload-a.example.com",
                                                  "www.ecp256.workload-a.example.com"]
    assert expired["RenewalEligibility"] == "INELIGIBLE" and "RenewalSummary" not in expired
    assert expired["NotAfter"] == anchor - timedelta(days=3.5)

    private = by_domain["rsa4096.internal.workload-a.example.com"]
    assert private["Type"] == "PRIVATE" and private["CertificateAuthorityArn"].startswith("arn:aws:acm-pca:")
    assert private["RenewalSummary"]["RenewalStatus"] == "PENDING_AUTO_RENEWAL"

    acm_eu = emulator.client("acm", "eu-west-1", WORKLOAD)
    revoked = [acm_eu.describe_certificate(CertificateArn=s["CertificateArn"])["Certificate"]
               for s in list_all(acm_eu, Includes={"keyTypes": ALL_KEY_TYPES})]
    revoked = next(d for d in revoked if d["Status"] == "REVOKED")
    assert revoked["RevokedAt"] and revoked["InUseBy"]


def test_not_issued_has_no_validity_and_never_validates(emulator):
    emulator.seed("keytypes-3regions")
    acm = emulator.client("acm", "us-east-1", WORKLOAD)
    pending = [s for s in list_all(acm, Includes={"keyTypes": ALL_KEY_TYPES})
               if s["Status"] == "PENDING_VALIDATION"]
    assert len(pending) == 1 and "NotAfter" not in pending[0]
    detail = acm.describe_certificate(CertificateArn=pending[0]["CertificateArn"])["Certificate"]
    assert detail["Status"] == "PENDING_VALIDATION"
    assert "NotAfter" not in detail and "NotBefore" not in detail
    # The fixture runs moto with MOTO_ACM_VALIDATION_WAIT=0: moto alone would issue it now.
    arn = acm.request_certificate(DomainName="new.workload-a.example.com",
                                  ValidationMethod="DNS")["CertificateArn"]
    for _ in range(2):
        detail = acm.describe_certificate(CertificateArn=arn)["Certificate"]
        assert detail["Status"] == "PENDING_VALIDATION" and "NotAfter" not in detail


def test_import_accepts_expired_and_not_yet_valid(emulator):
    emulator.seed("keytypes-3regions")
    acm = emulator.client("acm", "ap-southeast-2", WORKLOAD)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    cert, key = _pem_pair("old.example.com", now - timedelta(days=400), now - timedelta(days=5))
    arn = acm.import_certificate(Certificate=cert, PrivateKey=key)["CertificateArn"]
    detail = acm.describe_certificate(CertificateArn=arn)["Certificate"]
    assert detail["Status"] == "EXPIRED" and detail["Type"] == "IMPORTED"
    assert detail["NotAfter"] == now - timedelta(days=5)
    assert detail["KeyAlgorithm"] == "EC-prime256v1"

    cert, key = _pem_pair("future.example.com", now + timedelta(days=5), now + timedelta(days=100))
    arn = acm.import_certificate(Certificate=cert, PrivateKey=key)["CertificateArn"]
    assert acm.describe_certificate(CertificateArn=arn)["Certificate"]["Status"] == "ISSUED"


def test_in_use_by_holds_the_load_balancer_arn(emulator):
    emulator.seed("keytypes-3regions")
    acm = emulator.client("acm", "ap-southeast-2", WORKLOAD)
    elbv2 = emulator.client("elbv2", "ap-southeast-2", WORKLOAD)
    seeded_lbs = {lb["LoadBalancerArn"] for lb in elbv2.describe_load_balancers()["LoadBalancers"]}
    for summary in list_all(acm, Includes={"keyTypes": ALL_KEY_TYPES}):
        for user in acm.describe_certificate(CertificateArn=summary["CertificateArn"])["Certificate"]["InUseBy"]:
            assert LB_ARN.match(user) and user in seeded_lbs

    # Through the API too: two listeners on one load balancer give one InUseBy entry.
    now = datetime.now(timezone.utc)
    cert, key = _pem_pair("api-made.example.com", now - timedelta(days=1), now + timedelta(days=50))
    arn = acm.import_certificate(Certificate=cert, PrivateKey=key)["CertificateArn"]
    ec2 = emulator.client("ec2", "ap-southeast-2", WORKLOAD)
    subnets = [s["SubnetId"] for s in ec2.describe_subnets()["Subnets"]][:2]
    lb = elbv2.create_load_balancer(Name="api-made", Subnets=subnets)["LoadBalancers"][0]
    for port in (443, 8443):
        elbv2.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTPS", Port=port,
                              Certificates=[{"CertificateArn": arn}],
                              DefaultActions=[{"Type": "fixed-response", "FixedResponseConfig": {
                                  "StatusCode": "200", "ContentType": "text/plain"}}])
    in_use_by = acm.describe_certificate(CertificateArn=arn)["Certificate"]["InUseBy"]
    assert in_use_by == [lb["LoadBalancerArn"]]
