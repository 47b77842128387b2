"""Running commands and measuring them: one Case per command, run alternately with
the others it is compared with."""

from __future__ import annotations

import json
import statistics
import subprocess
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from common import BENCH, CERTINV, PYTHON, RUNS, WORK, cmdline, fmt_mb, log, slug
from emulators import Emulator, base_env, certinv_env

@dataclass
class Sample:
    wall: float
    rss_kb: int | None
    rc: int
    ops: list[dict] = field(default_factory=list)
    inner: float | None = None   # floor.py: seconds spent on the calls, in-process
    cpu: float | None = None     # user + system CPU seconds of the measured process


@dataclass
class Case:
    name: str
    argv: list
    env: dict
    shown_env: dict | None = None
    cwd: Path | None = None
    stdout: Path | None = None       # None: /dev/null
    ok_rc: tuple = (0,)
    emu: Emulator | None = None
    samples: list[Sample] = field(default_factory=list)
    before: object = None            # callable run (untimed) before each sample

    def command(self) -> str:
        return cmdline(self.argv, self.shown_env)

    def run(self) -> Sample:
        if self.before:
            self.before()
        off = self.emu.offset() if self.emu else 0
        tfile = WORK / "time.out"
        err = WORK / f"stderr-{slug(self.name)}.txt"
        out = open(self.stdout, "wb") if self.stdout else subprocess.DEVNULL
        t0 = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-f", "%M %U %S", "-o", str(tfile)] + [str(a) for a in self.argv],
                           env=self.env, cwd=self.cwd or WORK, stdout=out, stderr=open(err, "wb"))
        wall = time.perf_counter() - t0
        if self.stdout:
            out.close()
        rss = cpu = None
        try:
            m, u, sy = tfile.read_text().strip().splitlines()[-1].split()
            rss, cpu = int(m), float(u) + float(sy)
        except (OSError, ValueError, IndexError):
            pass
        ops = self.emu.ops_since(off) if self.emu else []
        if p.returncode not in self.ok_rc:
            tail = err.read_text(errors="replace")[-1500:]
            raise RuntimeError(f"{self.name}: exit {p.returncode}\n{self.command()}\n{tail}")
        inner = None
        if self.stdout and "floor.py" in " ".join(map(str, self.argv)):
            try:
                inner = json.loads(Path(self.stdout).read_text())["seconds"]
            except (OSError, ValueError, KeyError):
                pass
        return Sample(wall, rss, p.returncode, ops, inner, cpu)

    # statistics
    def walls(self):
        return [s.wall for s in self.samples]

    def median(self) -> float | None:
        return statistics.median(self.walls()) if self.samples else None

    def rss(self) -> float | None:
        vals = [s.rss_kb for s in self.samples if s.rss_kb]
        return statistics.median(vals) if vals else None

    def rss_max(self) -> float | None:
        vals = [s.rss_kb for s in self.samples if s.rss_kb]
        return max(vals) if vals else None

    def calls(self) -> tuple[int, int] | None:
        if not self.emu or not self.samples:
            return None
        n = [len(s.ops) for s in self.samples]
        return min(n), max(n)

    def cpu(self) -> float | None:
        vals = [s.cpu for s in self.samples if s.cpu is not None]
        return statistics.median(vals) if vals else None

    def inner(self) -> float | None:
        """For floor.py cases: the median of the seconds it reports spending on calls
        (its own process start-up excluded)."""
        vals = [s.inner for s in self.samples if s.inner is not None]
        return statistics.median(vals) if vals else None

    def op_counts(self) -> Counter:
        if not self.samples:
            return Counter()
        return Counter(f"{o['service']}:{o['operation']}" for o in self.samples[-1].ops)


def alternate(cases: list[Case], runs: int = RUNS, warmup: int = 1) -> None:
    """One warm-up each, then `runs` rounds of every case in turn (A B C, B C A, ...)."""
    for c in cases:
        for _ in range(warmup):
            log(f"warm-up {c.name}")
            c.run()
    for r in range(runs):
        # Rotate the order each round, so no command always follows the same one.
        k = r % len(cases)
        for c in cases[k:] + cases[:k]:
            s = c.run()
            c.samples.append(s)
            log(f"run {r + 1}/{runs} {c.name}: {s.wall:.3f} s, {fmt_mb(s.rss_kb)}, "
                f"{len(s.ops)} calls" + (f", {s.inner:.3f} s in calls" if s.inner is not None else ""))


def paired_overhead(c: Case, floor: Case) -> tuple[float, float, float]:
    """certinv's wall minus the floor's in-process call time, round by round (the two ran
    next to each other in each round): median, min, max. Pairing cancels slow drifts in
    what else the machine is doing."""
    diffs = [a.wall - b.inner for a, b in zip(c.samples, floor.samples) if b.inner is not None]
    return statistics.median(diffs), min(diffs), max(diffs)


def certinv_case(name, emu, args, out: Path | None, ok_rc=(0,)) -> Case:
    env, shown = certinv_env(emu)
    return Case(name, [CERTINV] + args, env, shown, stdout=out, emu=emu, ok_rc=ok_rc)


def floor_case(name, emu, path, concurrency=None) -> Case:
    argv = [PYTHON, BENCH / "floor.py", "--endpoint", emu.url, path]
    if concurrency:
        argv += ["--concurrency", str(concurrency)]
    return Case(name, argv, base_env(), None, stdout=WORK / f"floor-{slug(name)}.json", emu=emu)

