"""One emulator process for the whole session, on a free loopback port.

Each test seeds the scenario it needs through POST /certinv-emulator/seed, so tests do
not depend on each other's state.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

EMULATOR_DIR = Path(__file__).resolve().parent.parent
SCENARIOS = EMULATOR_DIR / "scenarios"
MANAGEMENT = "123456789012"
ALL_KEY_TYPES = ["RSA_1024", "RSA_2048", "RSA_3072", "RSA_4096",
                 "EC_prime256v1", "EC_secp384r1", "EC_secp521r1"]
ROLE = "OrganizationAccountAccessRole"


class Emulator:
    def __init__(self, port: int, oplog_path: Path, startup: dict[str, Any]) -> None:
        self.port = port
        self.endpoint = f"http://127.0.0.1:{port}"
        self.oplog_path = oplog_path
        self.startup = startup
        self._credentials: dict[str, dict[str, str]] = {}
        self._clients: dict[tuple[str, str, str], Any] = {}

    # --- extension endpoints -----------------------------------------------------------

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.endpoint + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read() or b"null")

    def seed(self, scenario: Any, anchor: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"scenario": scenario}
        if anchor:
            body["anchor"] = anchor
        status, payload = self.call("POST", "/certinv-emulator/seed", body)
        assert status == 200, payload
        self._credentials.clear()  # a reset forgets every assumed-role key
        self._clients.clear()
        return payload

    def ops(self) -> list[dict[str, Any]]:
        status, payload = self.call("GET", "/certinv-emulator/ops")
        assert status == 200
        return payload

    def clear_ops(self) -> int:
        status, payload = self.call("POST", "/certinv-emulator/ops/clear")
        assert status == 200
        return payload["cleared"]

    # --- boto3 clients -----------------------------------------------------------------

    def client(self, service: str, region: str = "us-east-1", account: str = MANAGEMENT,
               config: Config | None = None):
        """A client acting in ``account``: plain keys for the management account,
        sts:AssumeRole into OrganizationAccountAccessRole for any other. Kept until the
        next seed (making a boto3 client costs more than most calls); with ``config``,
        a fresh one."""
        key = (service, region, account)
        if config is None and key in self._clients:
            return self._clients[key]
        cache = config is None
        config = config or Config(retries={"max_attempts": 1})
        if account == MANAGEMENT:
            creds = {"aws_access_key_id": "AKIAIOSFODNN7EXAMPLE", "aws_secret_access_key": "testing"}
        else:
            if account not in self._credentials:
                sts = self.client("sts")
                c = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/{ROLE}",
                                    RoleSessionName="certinv")["Credentials"]
                self._credentials[account] = {
                    "aws_access_key_id": c["AccessKeyId"],
                    "aws_secret_access_key": c["SecretAccessKey"],
                    "aws_session_token": c["SessionToken"],
                }
            creds = self._credentials[account]
        client = boto3.client(service, region_name=region, endpoint_url=self.endpoint,
                              config=config, **creds)
        if cache:
            self._clients[key] = client
        return client


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory):
    oplog_path = tmp_path_factory.mktemp("oplog") / "ops.jsonl"
    env = dict(os.environ)
    # moto's own ACM would flip PENDING_VALIDATION to ISSUED at once with this; the
    # emulator must not.
    env["MOTO_ACM_VALIDATION_WAIT"] = "0"
    env.pop("MOTO_ACCOUNT_ID", None)
    for var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        env.pop(var, None)
    process = subprocess.Popen(
        [sys.executable, str(EMULATOR_DIR / "run.py"), "--port", "0", "--oplog", str(oplog_path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd="/",
    )
    line = process.stdout.readline()
    if not line:
        process.wait(timeout=10)
        pytest.fail(f"emulator did not start: {process.stderr.read()}")
    startup = json.loads(line)
    try:
        yield Emulator(startup["port"], oplog_path, startup)
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0


@pytest.fixture(autouse=True)
def _no_real_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    # Every client gets an explicit endpoint; these keep anything else off the network.
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")


def load_scenario(name: str) -> dict[str, Any]:
    return json.loads((SCENARIOS / f"{name}.json").read_text())


def list_all(acm, **kwargs) -> list[dict[str, Any]]:
    summaries: list[dict[str, Any]] = []
    for page in acm.get_paginator("list_certificates").paginate(**kwargs):
        summaries += page["CertificateSummaryList"]
    return summaries


def enabled_regions(emulator: Emulator, account: str) -> list[str]:
    ec2 = emulator.client("ec2", "us-east-1", account)
    return [r["RegionName"] for r in ec2.describe_regions()["Regions"]]
