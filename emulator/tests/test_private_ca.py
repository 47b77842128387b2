"""ACM Private CA: the scenario's CAs as ListCertificateAuthorities, Describe and
GetCertificateAuthorityCertificate show them, and ACM certificates naming their issuer."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone

import pytest
from botocore.exceptions import ClientError
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import padding

from conftest import ALL_KEY_TYPES, MANAGEMENT, list_all, load_scenario

PROD = "630000000001"
REGION = "ap-southeast-2"


def _anchor(report: dict) -> datetime:
    return datetime.strptime(report["anchor"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


def test_homes_ca_as_aws_lists_and_describes_it(emulator):
    report = emulator.seed("homes")
    anchor = _anchor(report)
    want = load_scenario("homes")["expected"]["private_ca"]
    pca = emulator.client("acm-pca", REGION, PROD)
    [ca] = pca.list_certificate_authorities()["CertificateAuthorities"]
    assert ca["Arn"] == want["arn"] and ca["OwnerAccount"] == PROD
    assert (ca["Type"], ca["Status"], ca["UsageMode"]) == ("ROOT", "ACTIVE", "GENERAL_PURPOSE")
    assert ca["CertificateAuthorityConfiguration"]["Subject"]["CommonName"] == want["name"]
    assert ca["NotAfter"] == anchor + timedelta(days=20.5)
    assert (ca["NotAfter"] - anchor).days == want["days_to_expiry"] == 20
    assert ca["CreatedAt"] == ca["NotBefore"] < anchor
    assert pca.describe_certificate_authority(CertificateAuthorityArn=ca["Arn"])["CertificateAuthority"] == ca
    pem = pca.get_certificate_authority_certificate(CertificateAuthorityArn=ca["Arn"])
    assert "CertificateChain" not in pem  # a root CA
    ca_cert = x509.load_pem_x509_certificate(pem["Certificate"].encode())
    assert ca_cert.not_valid_after_utc == ca["NotAfter"] and ca_cert.not_valid_before_utc == ca["NotBefore"]
    assert ca_cert.subject == ca_cert.issuer
    assert ca_cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    # Nowhere else: no other account or region has a CA.
    for account, region in ((PROD, "us-east-1"), (MANAGEMENT, REGION), ("630000000002", REGION)):
        assert emulator.client("acm-pca", region, account).list_certificate_authorities()[
            "CertificateAuthorities"] == []


def test_homes_private_certificates_name_and_chain_to_their_ca(emulator):
    emulator.seed("homes")
    want = load_scenario("homes")["expected"]["private_ca"]
    pca = emulator.client("acm-pca", REGION, PROD)
    ca_pem = pca.get_certificate_authority_certificate(CertificateAuthorityArn=want["arn"])["Certificate"]
    ca_key = x509.load_pem_x509_certificate(ca_pem.encode()).public_key()
    acm = emulator.client("acm", REGION, PROD)
    issued = {}
    for summary in list_all(acm, Includes={"keyTypes": ALL_KEY_TYPES}):
        detail = acm.describe_certificate(CertificateArn=summary["CertificateArn"])["Certificate"]
        if detail.get("CertificateAuthorityArn") == want["arn"]:
            issued[detail["DomainName"]] = detail
            assert detail["Type"] == "PRIVATE" and detail["Issuer"] == want["name"]
            got = acm.get_certificate(CertificateArn=detail["CertificateArn"])
            assert got["CertificateChain"].strip() == ca_pem.strip()
            leaf = x509.load_pem_x509_certificate(got["Certificate"].encode())
            ca_key.verify(leaf.signature, leaf.tbs_certificate_bytes, padding.PKCS1v15(),
                          leaf.signature_hash_algorithm)  # raises if not signed by the CA
    assert sorted(issued) == sorted(want["issued_domains"])
    # Config carries the same ARN in configuration.certificateAuthorityArn.
    config = emulator.client("config", REGION)
    rows = [json.loads(r) for r in config.select_aggregate_resource_config(
        Expression="SELECT resourceName, configuration.certificateAuthorityArn WHERE "
                   f"configuration.certificateAuthorityArn = '{want['arn']}'",
        ConfigurationAggregatorName="org-aggregator")["Results"]]
    assert sorted(r["resourceName"] for r in rows) == sorted(want["issued_domains"])


def _ca_scenario(cas: list[dict], certs: list[dict] | None = None) -> dict:
    return {"name": "pca", "accounts": [{"id": MANAGEMENT, "name": "mgmt",
                                         "regions": ["us-east-1", "eu-west-1"]}],
            "private_cas": cas, "certificates": certs or []}


def test_status_expired_disabled_and_the_clock(emulator):
    cas = [{"account": MANAGEMENT, "region": "us-east-1", "name": "Soon", "expires_in_days": 1.5 / 86400},
           {"account": MANAGEMENT, "region": "us-east-1", "name": "Gone", "expires_in_days": -3.5},
           {"account": MANAGEMENT, "region": "us-east-1", "name": "Off", "expires_in_days": 99.5,
            "status": "DISABLED"}]
    report = emulator.seed(_ca_scenario(cas))
    assert report["private_cas"] == 3
    assert report["buckets_by_source"]["pca"] == {"CRITICAL": 0, "HIGH": 1, "MEDIUM": 0, "OK": 1,
                                                  "REMOVE": 1, "NOT_ISSUED": 0}
    pca = emulator.client("acm-pca", "us-east-1")

    def statuses() -> dict[str, str]:
        return {ca["CertificateAuthorityConfiguration"]["Subject"]["CommonName"]: ca["Status"]
                for ca in pca.list_certificate_authorities()["CertificateAuthorities"]}

    assert statuses() == {"Soon": "ACTIVE", "Gone": "EXPIRED", "Off": "DISABLED"}
    for ca in pca.list_certificate_authorities()["CertificateAuthorities"]:
        # an installed certificate stays readable whatever the status
        assert pca.get_certificate_authority_certificate(CertificateAuthorityArn=ca["Arn"])["Certificate"]
    time.sleep(2.1)  # "Soon" expires 1.5 s after the anchor, on the emulator's clock
    assert statuses()["Soon"] == "EXPIRED"
    with pytest.raises(ClientError) as err:
        pca.describe_certificate_authority(
            CertificateAuthorityArn=f"arn:aws:acm-pca:us-east-1:{MANAGEMENT}:certificate-authority/"
                                    "00000000-0000-0000-0000-000000000000")
    assert err.value.response["Error"]["Code"] == "ResourceNotFoundException"


def _cert(**change) -> dict:
    return {"account": MANAGEMENT, "region": "us-east-1", "domain": "i.example.com", "type": "PRIVATE",
            "issuer_ca": "Root", "expires_in_days": 10.5, **change}


@pytest.mark.parametrize("cert,ca_change,needle", [
    (_cert(type="IMPORTED"), {}, "only a PRIVATE certificate"),
    (_cert(issuer_ca="Other"), {}, "is not one of private_cas"),
    (_cert(region="eu-west-1"), {}, "lives in"),
    (_cert(expires_in_days=60.5), {}, "expires after its issuer"),
    (_cert(valid_days=5000), {}, "valid before its issuer"),
    (None, {"status": "ACTIVE", "expires_in_days": -1.5}, "ACTIVE CA must expire after"),
    (None, {"status": "PENDING_CERTIFICATE"}, "status must be one of"),
    (None, {"region": "ap-southeast-2"}, "region"),
    (None, {"colour": "red"}, "colour"),
])
def test_bad_private_ca_entries_are_refused(emulator, cert, ca_change, needle):
    ca = {"account": MANAGEMENT, "region": "us-east-1", "name": "Root", "expires_in_days": 30.5, **ca_change}
    status, payload = emulator.call("POST", "/certinv-emulator/seed",
                                    {"scenario": _ca_scenario([ca], [cert] if cert else [])})
    assert status == 400 and needle in payload["error"], payload
