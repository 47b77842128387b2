"""The emulator processes the benchmark talks to, and the environments of the tools
pointed at them."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

from common import EMU_PY, EMU_RUN, KEY_ID, REGION, ROOT, SECRET, WORK, log


class Emulator:
    """One emulator process on a free loopback port, with its own op log.

    ``workers`` > 1 starts it with ``--workers``: forked processes sharing the port,
    for read-only runs, whose faults are fixed at start (``faults``, ``--faults``)."""

    def __init__(self, scenario: str | Path, name: str, timeout: float = 600, workers: int = 1,
                 faults: dict | None = None):
        self.name = name
        self.oplog = WORK / f"oplog-{name}.jsonl"
        if self.oplog.exists():
            self.oplog.unlink()
        self.stderr_path = WORK / f"emulator-{name}.err"
        self.workers = workers
        self.argv = [str(EMU_PY), str(EMU_RUN), "--port", "0", "--scenario", str(scenario),
                     "--oplog", str(self.oplog)]
        if workers > 1:
            self.argv += ["--workers", str(workers)]
        if faults is not None:
            self.argv += ["--faults", json.dumps(faults)]
        t0 = time.perf_counter()
        self.proc = subprocess.Popen(self.argv, stdout=subprocess.PIPE,
                                     stderr=open(self.stderr_path, "wb"), cwd=ROOT)
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        line = self.proc.stdout.readline() if ready else b""
        self.ready_s = time.perf_counter() - t0
        if not line:
            self.proc.kill()
            tail = self.stderr_path.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"emulator {name} did not start in {timeout:.0f} s: {tail}")
        self.info = json.loads(line)
        self.port = int(self.info["port"])
        self.url = f"http://127.0.0.1:{self.port}"
        log(f"emulator {name}: {self.info} ready in {self.ready_s:.1f} s")

    def call(self, method: str, path: str, body: dict | None = None) -> dict:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=600) as r:
            return json.loads(r.read() or b"{}")

    def faults(self, spec: dict) -> dict:
        return self.call("POST", "/certinv-emulator/faults", spec)

    def offset(self) -> int:
        return self.oplog.stat().st_size if self.oplog.exists() else 0

    def ops_since(self, offset: int) -> list[dict]:
        with open(self.oplog, "rb") as f:
            f.seek(offset)
            return [json.loads(line) for line in f.read().splitlines() if line.strip()]

    def pids(self) -> list[int]:
        """The emulator's process and, with --workers, its workers."""
        try:
            children = open(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read().split()
        except OSError:
            children = []
        return [self.proc.pid] + [int(c) for c in children]

    def rss_kb(self) -> int | None:
        """Peak RSS of the emulator's process (with --workers, the largest worker's)."""
        peaks = []
        for pid in self.pids():
            try:
                for line in open(f"/proc/{pid}/status"):
                    if line.startswith("VmHWM:"):
                        peaks.append(int(line.split()[1]))
            except OSError:
                pass
        return max(peaks) if peaks else None

    def cpu_s(self) -> float:
        """User + system CPU seconds used so far by the emulator and its workers."""
        ticks = 0
        for pid in self.pids():
            try:
                fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
                ticks += int(fields[11]) + int(fields[12])
            except (OSError, IndexError, ValueError):
                pass
        return ticks / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def write_home(emu: Emulator) -> Path:
    """A throw-away HOME whose AWS config points profile `ops` (and default) at the emulator."""
    home = WORK / "home"
    (home / ".aws").mkdir(parents=True, exist_ok=True)
    (home / ".aws" / "config").write_text(
        f"[default]\nregion = {REGION}\nendpoint_url = {emu.url}\n\n"
        f"[profile ops]\nregion = {REGION}\nendpoint_url = {emu.url}\n")
    (home / ".aws" / "credentials").write_text(
        f"[default]\naws_access_key_id = {KEY_ID}\naws_secret_access_key = {SECRET}\n\n"
        f"[ops]\naws_access_key_id = {KEY_ID}\naws_secret_access_key = {SECRET}\n")
    return home


def base_env() -> dict:
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8",
            "HOME": str(WORK / "home"), "AWS_EC2_METADATA_DISABLED": "true",
            "TZ": "UTC"}


def certinv_env(emu: Emulator) -> tuple[dict, dict]:
    shown = {"AWS_ENDPOINT_URL": emu.url, "AWS_ACCESS_KEY_ID": KEY_ID,
             "AWS_SECRET_ACCESS_KEY": SECRET, "AWS_REGION": REGION}
    return {**base_env(), **shown}, shown


def runbooks_env(emu: Emulator) -> tuple[dict, dict]:
    shown = {"HOME": "$TMPHOME", "AWS_OPERATIONS_PROFILE": "ops", "AWS_ENDPOINT_URL": emu.url,
             "COLUMNS": "160"}
    env = {**base_env(), "AWS_OPERATIONS_PROFILE": "ops", "AWS_ENDPOINT_URL": emu.url,
           "COLUMNS": "160", "PYTHONDONTWRITEBYTECODE": "0"}
    return env, shown

