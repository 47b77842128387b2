#!/usr/bin/env python3
"""The emulator floor: a zero-work client that makes the same AWS calls as a
discovery path and does nothing with the answers, so readers see what the
emulator itself costs.

    python3 bench/floor.py --endpoint http://127.0.0.1:PORT p1 [--aggregator NAME]
    python3 bench/floor.py --endpoint http://127.0.0.1:PORT p3 [--concurrency 32]

p1: GetCallerIdentity, Organizations ListAccounts (all pages),
    DescribeConfigurationAggregators, DescribeConfigurationAggregatorSourcesStatus
    (all pages), SelectAggregateResourceConfig with certinv's expression, 100 a page,
    strictly one after another (a paginated query cannot be parallelised).
p3: GetCallerIdentity, ListAccounts, then per member account AssumeRole,
    DescribeRegions, and per region ListCertificates (all seven key types, paged)
    + DescribeCertificate per ARN, with N calls in flight (threads).

Stdlib only. Requests carry a SigV4-shaped Authorization header (the emulator routes
on its credential scope and, like moto, does not check signatures). One persistent
HTTP/1.1 connection per thread. Prints one JSON line: {"path", "calls", "seconds",
"certificates"}. Talks to the given loopback endpoint only.
"""

from __future__ import annotations

import argparse
import http.client
import json
import sys
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor

KEY = "AKIAEMULATORFLOOR001"
KEY_TYPES = ["RSA_1024", "RSA_2048", "RSA_3072", "RSA_4096",
             "EC_prime256v1", "EC_secp384r1", "EC_secp521r1"]
# certinv's P1 expression (crates/certinv-aws/src/source/config.rs)
EXPRESSION = (
    "SELECT arn, resourceId, accountId, awsRegion, configuration.domainName, "
    "configuration.subjectAlternativeNames, configuration.type, configuration.status, "
    "configuration.keyAlgorithm, configuration.notBefore, configuration.notAfter, "
    "configuration.inUseBy, configuration.renewalEligibility, "
    "configuration.renewalSummary.renewalStatus, tags "
    "WHERE resourceType = 'AWS::ACM::Certificate'"
)


class Client:
    def __init__(self, endpoint: str):
        u = urllib.parse.urlsplit(endpoint)
        if u.hostname not in ("127.0.0.1", "localhost"):
            raise SystemExit("floor.py only talks to a loopback emulator")
        self.host, self.port = u.hostname, u.port
        self.local = threading.local()
        self.calls = 0
        self.lock = threading.Lock()

    def _conn(self) -> http.client.HTTPConnection:
        c = getattr(self.local, "conn", None)
        if c is None:
            c = http.client.HTTPConnection(self.host, self.port, timeout=120)
            self.local.conn = c
        return c

    def request(self, service: str, region: str, body: bytes, headers: dict,
                key: str = KEY, token: str | None = None) -> bytes:
        h = {
            "Authorization": f"AWS4-HMAC-SHA256 Credential={key}/20260101/{region}/{service}/"
                             "aws4_request, SignedHeaders=host, Signature=0",
            "Host": f"{self.host}:{self.port}",
            **headers,
        }
        if token:
            h["X-Amz-Security-Token"] = token
        for attempt in range(2):
            c = self._conn()
            try:
                c.request("POST", "/", body=body, headers=h)
                r = c.getresponse()
                data = r.read()
                break
            except (http.client.HTTPException, OSError):
                c.close()
                self.local.conn = None
                if attempt:
                    raise
        with self.lock:
            self.calls += 1
        if r.status >= 400:
            raise RuntimeError(f"{service} {r.status}: {data[:300]!r}")
        return data

    def json(self, service, region, target, payload, **kw):
        data = self.request(service, region, json.dumps(payload).encode(),
                            {"Content-Type": "application/x-amz-json-1.1",
                             "X-Amz-Target": target}, **kw)
        return json.loads(data or b"{}")

    def query(self, service, region, params, **kw):
        body = urllib.parse.urlencode(params).encode()
        data = self.request(service, region, body,
                            {"Content-Type": "application/x-www-form-urlencoded"}, **kw)
        return ET.fromstring(data)


def strip(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def find_text(root, name):
    for el in root.iter():
        if strip(el.tag) == name:
            return el.text
    return None


def caller_and_accounts(c: Client):
    c.query("sts", "ap-southeast-2", {"Action": "GetCallerIdentity", "Version": "2011-06-15"})
    accounts, token = [], None
    while True:
        payload = {"NextToken": token} if token else {}
        out = c.json("organizations", "us-east-1", "AWSOrganizationsV20161128.ListAccounts", payload)
        accounts += [a["Id"] for a in out.get("Accounts", []) if a.get("Status") == "ACTIVE"]
        token = out.get("NextToken")
        if not token:
            return accounts


def p1(c: Client, aggregator: str | None) -> int:
    caller_and_accounts(c)
    region = "ap-southeast-2"
    out = c.json("config", region, "StarlingDoveService.DescribeConfigurationAggregators", {})
    name = aggregator or out["ConfigurationAggregators"][0]["ConfigurationAggregatorName"]
    token = None
    while True:
        payload = {"ConfigurationAggregatorName": name}
        if token:
            payload["NextToken"] = token
        out = c.json("config", region,
                     "StarlingDoveService.DescribeConfigurationAggregatorSourcesStatus", payload)
        token = out.get("NextToken")
        if not token:
            break
    rows, token = 0, None
    while True:
        payload = {"ConfigurationAggregatorName": name, "Expression": EXPRESSION, "Limit": 100}
        if token:
            payload["NextToken"] = token
        out = c.json("config", region, "StarlingDoveService.SelectAggregateResourceConfig", payload)
        rows += len(out.get("Results", []))
        token = out.get("NextToken")
        if not token:
            return rows


def p3(c: Client, concurrency: int) -> int:
    accounts = caller_and_accounts(c)
    pool = ThreadPoolExecutor(max_workers=concurrency)

    def creds(account):
        if account == "123456789012":
            return KEY, None
        root = c.query("sts", "ap-southeast-2", {
            "Action": "AssumeRole", "Version": "2011-06-15",
            "RoleArn": f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole",
            "RoleSessionName": "floor"})
        return find_text(root, "AccessKeyId"), find_text(root, "SessionToken")

    def regions(key, token):
        root = c.query("ec2", "ap-southeast-2", {"Action": "DescribeRegions",
                                                 "Version": "2016-11-15"}, key=key, token=token)
        return [el.text for el in root.iter() if strip(el.tag) == "regionName"]

    def list_pair(key, token, region):
        arns, nxt = [], None
        while True:
            payload = {"Includes": {"keyTypes": KEY_TYPES}, "MaxItems": 1000}
            if nxt:
                payload["NextToken"] = nxt
            out = c.json("acm", region, "CertificateManager.ListCertificates", payload,
                         key=key, token=token)
            arns += [s["CertificateArn"] for s in out.get("CertificateSummaryList", [])]
            nxt = out.get("NextToken")
            if not nxt:
                return arns

    def describe(key, token, region, arn):
        c.json("acm", region, "CertificateManager.DescribeCertificate",
               {"CertificateArn": arn}, key=key, token=token)

    def account_setup(account):
        key, token = creds(account)
        return [(key, token, r) for r in regions(key, token)]

    pairs = [p for ps in pool.map(account_setup, accounts) for p in ps]
    listed = list(pool.map(lambda p: (p, list_pair(*p)), pairs))
    jobs = [(k, t, r, arn) for (k, t, r), arns in listed for arn in arns]
    list(pool.map(lambda j: describe(*j), jobs))
    pool.shutdown()
    return len(jobs)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("path", choices=["p1", "p3"])
    ap.add_argument("--aggregator")
    ap.add_argument("--concurrency", type=int, default=32)
    a = ap.parse_args()
    c = Client(a.endpoint)
    t0 = time.perf_counter()
    n = p1(c, a.aggregator) if a.path == "p1" else p3(c, a.concurrency)
    dt = time.perf_counter() - t0
    print(json.dumps({"path": a.path, "calls": c.calls, "seconds": round(dt, 4),
                      "certificates": n}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
