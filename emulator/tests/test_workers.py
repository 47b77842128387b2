"""``--workers N`` and ``--faults``: forked workers serving one read-only scenario."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from conftest import EMULATOR_DIR, MANAGEMENT, ROLE, SCENARIOS

SCENARIO = SCENARIOS / "keytypes-3regions.json"
MEMBERS = ["210000000001", "210000000002", "210000000003"]


def _start(tmp_path: Path, *args: str) -> tuple[subprocess.Popen, dict]:
    process = subprocess.Popen(
        [sys.executable, str(EMULATOR_DIR / "run.py"), "--port", "0", "--scenario", str(SCENARIO),
         "--oplog", str(tmp_path / "ops.jsonl"), *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    line = process.stdout.readline()
    if not line:
        process.wait(timeout=10)
        pytest.fail(f"emulator did not start: {process.stderr.read()}")
    startup = json.loads(line)
    assert line == json.dumps(startup) + "\n"
    assert set(startup) == {"port", "anchor", "accounts", "certificates"}
    return process, startup


def _call(port: int, method: str, path: str, body: object = None) -> tuple[int, dict]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method,
                                     data=None if body is None else json.dumps(body).encode())
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _client(port: int, service: str, region: str, **creds):
    # A fresh client is a fresh connection, so calls spread over the workers.
    creds = creds or {"aws_access_key_id": "AKIAIOSFODNN7EXAMPLE", "aws_secret_access_key": "x"}
    return boto3.client(service, region_name=region, endpoint_url=f"http://127.0.0.1:{port}",
                        config=Config(retries={"max_attempts": 1}), **creds)


def test_workers_serve_assumed_keys_and_log_every_call_once(tmp_path):
    process, startup = _start(tmp_path, "--workers", "2", "--faults",
                              '{"latency": {"fixed_ms": 5}}')
    try:
        assert (startup["accounts"], startup["certificates"]) == (4, 11)
        assert len(_children(process.pid)) == 2
        status, faults = _call(startup["port"], "GET", "/certinv-emulator/faults")
        assert status == 200 and faults["latency"] == [{"fixed_ms": 5.0}]

        made, listed = 0, {}
        for round_ in range(3):
            for account in MEMBERS:
                creds = _client(startup["port"], "sts", "us-east-1").assume_role(
                    RoleArn=f"arn:aws:iam::{account}:role/{ROLE}",
                    RoleSessionName="workers")["Credentials"]
                keys = {"aws_access_key_id": creds["AccessKeyId"],
                        "aws_secret_access_key": creds["SecretAccessKey"],
                        "aws_session_token": creds["SessionToken"]}
                for _ in range(4):  # four connections: most likely both workers
                    summary = _client(startup["port"], "acm", "us-east-1", **keys).list_certificates(
                        Includes={"keyTypes": ["RSA_2048", "RSA_3072", "RSA_4096", "EC_prime256v1",
                                               "EC_secp384r1", "EC_secp521r1", "RSA_1024"]})
                    arns = {s["CertificateArn"] for s in summary["CertificateSummaryList"]}
                    assert all(arn.split(":")[4] == account for arn in arns)
                    listed.setdefault(account, arns)
                    assert arns == listed[account]
                made += 5
        time.sleep(0.2)
        lines = (tmp_path / "ops.jsonl").read_text().splitlines()
        ops = [json.loads(line) for line in lines]
        assert len(ops) == made
        assumed = [o for o in ops if o["operation"] == "ListCertificates"]
        assert len(assumed) == made - 9
        assert {o["account"] for o in assumed} == set(MEMBERS)
        assert {o["account"] for o in ops if o["operation"] == "AssumeRole"} == {MANAGEMENT}
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
    assert _children(process.pid) == []


def test_workers_refuse_state_changes(tmp_path):
    process, startup = _start(tmp_path, "--workers", "2")
    port = startup["port"]
    try:
        for method, path, body in (("POST", "/certinv-emulator/seed", {"scenario": "lz-stale"}),
                                   ("POST", "/certinv-emulator/faults", {}),
                                   ("GET", "/certinv-emulator/ops", None),
                                   ("POST", "/certinv-emulator/ops/clear", None),
                                   ("POST", "/moto-api/reset", None)):
            status, answer = _call(port, method, path, body)
            assert status == 409, (method, path)
            assert "--workers" in answer["error"]
        status, health = _call(port, "GET", "/certinv-emulator/health")
        assert status == 200 and health["scenario"] == "keytypes-3regions"
        # An AWS write is served by one worker, which says so on stderr.
        acm = _client(port, "acm", "us-east-1")
        acm.request_certificate(DomainName="only-one-worker.example.com")
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0
    assert "acm:RequestCertificate, which may change state" in process.stderr.read()


def test_a_dead_worker_stops_the_emulator(tmp_path):
    process, _ = _start(tmp_path, "--workers", "2")
    try:
        os.kill(_children(process.pid)[0], signal.SIGKILL)
        assert process.wait(timeout=20) == 1
    finally:
        if process.poll() is None:
            process.kill()
    assert "stopping" in process.stderr.read()


def test_faults_flag_in_one_process_and_bad_flags(tmp_path):
    process, startup = _start(tmp_path, "--faults", '{"throttle": [{"service": "acm"}]}')
    try:
        status, faults = _call(startup["port"], "GET", "/certinv-emulator/faults")
        assert status == 200 and faults["throttle"][0]["service"] == "acm"
        status, _ = _call(startup["port"], "POST", "/certinv-emulator/faults", {})
        assert status == 200  # one process: the endpoint works as ever
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    for args, says in ((["--faults", "{"], "--faults is not JSON"),
                       (["--faults", '{"latency": {"fixed_ms": -1}}'], "--faults.latency[0]"),
                       (["--workers", "0"], "--workers must be at least 1")):
        done = subprocess.run([sys.executable, str(EMULATOR_DIR / "run.py"), "--port", "0", *args],
                              capture_output=True, text=True, timeout=60, cwd=tmp_path)
        assert (done.returncode, done.stdout) == (2, ""), args
        assert says in done.stderr


def test_account_in_key_reads_moto_keys():
    sys.path.insert(0, str(EMULATOR_DIR))
    from moto.iam.utils import generate_access_key_id_from_account_id

    from certinv_emulator.state import STATE, ScenarioState
    from certinv_emulator.workers import account_in_key

    accounts = ["123456789012", "210000000001", "999999999998", "000000000001"]
    STATE.install(ScenarioState(regions_by_account={a: ["us-east-1"] for a in accounts}))
    for account in accounts:
        for _ in range(20):
            key = generate_access_key_id_from_account_id(account, prefix="ASIA", total_length=20)
            assert account_in_key(key) == account
    assert account_in_key(generate_access_key_id_from_account_id(
        "111111111111", prefix="ASIA", total_length=20)) is None  # not a scenario account
    assert account_in_key("AKIAIOSFODNN7EXAMPLE") is None
    assert account_in_key("ASIA!!!!!!!!!!!!!!!!") is None
