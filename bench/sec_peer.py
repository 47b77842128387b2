"""Sections 1-2: certinv against the peer tool (runbooks) on landing-zone-31, P1."""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
from collections import Counter
from pathlib import Path

from common import CERTINV, PYTHON, BENCH, RUNBOOKS, WORK, fmt_s, fmt_x
from emulators import Emulator, base_env, certinv_env, runbooks_env, write_home
from measure import Case, alternate
from report import Report, calls_text, case_table, commands_block, ops_block

def peer_section(rep: Report) -> Path | None:
    emu = Emulator("landing-zone-31", "lz31")
    try:
        write_home(emu)
        cenv, cshown = certinv_env(emu)
        renv, rshown = runbooks_env(emu)
        rb_cwd = WORK / "runbooks-cwd"
        rb_cwd.mkdir(exist_ok=True)
        ci_inv_out = WORK / "lz31-certinv-inventory.json"
        ci_tri_out = WORK / "lz31-certinv-triage.json"
        cases = [
            Case("certinv inventory --source config", [CERTINV, "inventory", "--all-accounts",
                 "--source", "config", "--output", "json"], cenv, cshown, stdout=ci_inv_out, emu=emu),
            Case("runbooks cert inventory", [RUNBOOKS, "cert", "inventory", "--all-accounts"],
                 renv, rshown, cwd=rb_cwd, stdout=WORK / "lz31-runbooks-inventory.txt", emu=emu),
            Case("certinv triage --source config", [CERTINV, "triage", "--all-accounts",
                 "--source", "config", "--output", "json"], cenv, cshown, stdout=ci_tri_out, emu=emu),
            Case("runbooks cert triage", [RUNBOOKS, "cert", "triage", "--all-accounts",
                 "--output-dir", str(rb_cwd)], renv, rshown, cwd=rb_cwd,
                 stdout=WORK / "lz31-runbooks-triage.txt", emu=emu),
            Case("floor: P1 calls, zero work (bench/floor.py)", [PYTHON, BENCH / "floor.py",
                 "--endpoint", emu.url, "p1"], base_env(), None, stdout=WORK / "lz31-floor.json", emu=emu),
            Case("context: runbooks --version (Python start-up + imports)", [RUNBOOKS, "--version"],
                 renv, None, cwd=rb_cwd, emu=emu),
            Case("context: certinv --version", [CERTINV, "--version"], cenv, None, emu=emu),
        ]
        alternate(cases)
        ci_inv, rb_inv, ci_tri, rb_tri, floor, rb_ver, ci_ver = cases

        # What each found: one more run of each tool with a machine-readable export.
        rb_json = WORK / "lz31-runbooks-inventory-export.json"
        Case("runbooks export", [RUNBOOKS, "cert", "inventory", "--all-accounts", "--export-json",
             rb_json], renv, None, cwd=rb_cwd, emu=emu).run()
        rb_tri_json = WORK / "lz31-runbooks-triage-export.json"
        Case("runbooks triage export", [RUNBOOKS, "cert", "triage", "--all-accounts", "--output-dir",
             rb_cwd, "--export-json", rb_tri_json], renv, None, cwd=rb_cwd, emu=emu).run()
        compare = compare_findings(ci_inv_out, ci_tri_out, rb_json, rb_tri_json)
        to_first_call = first_call_ms(ci_inv.argv, cenv)

        r_inv = rb_inv.median() / ci_inv.median()
        r_tri = rb_tri.median() / ci_tri.median()
        selects = ci_inv.op_counts().get("config:SelectAggregateResourceConfig", 0)
        selects_t = ci_tri.op_counts().get("config:SelectAggregateResourceConfig", 0)
        calls_s = floor.inner()
        lines = [
            f"Emulator: `landing-zone-31` (31 accounts, 176 certificates, org aggregator "
            f"`org-aggregator`), started in {emu.ready_s:.1f} s. Both tools take the Config "
            "aggregator path (P1). runbooks reads profile `ops` from a throw-away `$TMPHOME/.aws` "
            "whose `endpoint_url` is the emulator (dummy keys, region ap-southeast-2); certinv "
            "takes the endpoint and keys from the environment. stdout goes to a file, stderr to "
            "a file; runbooks renders its Rich table (not a terminal), certinv writes JSON.",
            "",
        ] + case_table(cases, ci_inv, "vs certinv inventory") + [
            "",
            f"**Ratios (runbooks ÷ certinv, medians of alternated runs): inventory {fmt_x(r_inv)}, "
            f"triage {fmt_x(r_tri)}.**",
            "",
            f"- The floor makes certinv's {calls_text(ci_inv)} P1 calls with no work at all; the calls themselves "
            f"take {fmt_s(calls_s)} (its Python start-up excluded). So certinv inventory spends "
            f"{fmt_s(ci_inv.median() - calls_s)} beyond the emulator's own time, start-up "
            f"({fmt_s(ci_ver.median())}) included, and the best ratio any client could reach "
            f"against runbooks here is ≈ {fmt_x(rb_inv.median() / calls_s)}.",
            (f"- certinv's first AWS call leaves {to_first_call:.1f} ms after its `execve` (median of "
             "5 runs under `strace -f --seccomp-bpf -ttt -e trace=execve,connect`): process start-up, profile "
             "handling and loading the SDK configurations." if to_first_call is not None else
             "- (strace not installed: no start-up-to-first-call figure.)"),
            f"- Of runbooks' {fmt_s(rb_inv.median())}, {fmt_s(rb_ver.median())} is Python start-up and "
            f"imports (`runbooks --version`); it also makes "
            f"{rb_inv.op_counts().get('organizations:DescribeAccount', 0)} sequential `DescribeAccount` "
            "calls for account names, where certinv takes them from the `ListAccounts` pages it "
            f"reads anyway ({ci_inv.op_counts().get('organizations:ListAccounts', 0)} here).",
            "",
            "API calls (last run, from the op log):",
            "",
            f"- certinv inventory: {ops_block(ci_inv)}",
            f"- certinv triage: {ops_block(ci_tri)}",
            f"- runbooks inventory: {ops_block(rb_inv)}",
            f"- runbooks triage: {ops_block(rb_tri)}",
            f"- floor: {ops_block(floor)}",
            "",
            "Commands:",
            "",
        ] + commands_block(cases) + ["", "### What each tool found", ""] + compare
        rep.add("1–2. The peer (runbooks 1.5.11) and the emulator floor, landing-zone-31 on P1", lines)
        rep.target("P1 landing-zone-31 ≥ 10× faster than the Python tool",
                   f"inventory {fmt_x(r_inv)}, triage {fmt_x(r_tri)}", min(r_inv, r_tri) >= 10,
                   f"certinv {fmt_s(ci_inv.median())} / {fmt_s(ci_tri.median())}; "
                   f"runbooks {fmt_s(rb_inv.median())} / {fmt_s(rb_tri.median())}")
        rep.target("P1 landing-zone-31 ≤ 3 Select calls", f"{selects} (inventory), {selects_t} (triage)",
                   max(selects, selects_t) <= 3)
        return ci_inv_out
    finally:
        emu.stop()


def first_call_ms(argv: list, env: dict, runs: int = 5) -> float | None:
    """Median time from certinv's execve to its first connect() (strace -ttt): start-up,
    argument and profile handling, SDK configuration, before any AWS call."""
    if not shutil.which("strace"):
        return None
    vals = []
    trace = WORK / "strace.txt"
    for _ in range(runs):
        # --seccomp-bpf: only the traced calls stop the process, so the rest runs at speed.
        r = subprocess.run(["strace", "-f", "--seccomp-bpf", "-ttt", "-e", "trace=execve,connect",
                            "-o", str(trace)]
                           + [str(a) for a in argv], env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
        if r.returncode != 0:
            return None
        start = first = None
        for line in trace.read_text().splitlines():
            parts = line.split(None, 2)
            if len(parts) < 3:
                continue
            if start is None and parts[2].startswith("execve("):
                start = float(parts[1])
            elif first is None and parts[2].startswith("connect("):
                first = float(parts[1])
                break
        if start is not None and first is not None:
            vals.append((first - start) * 1000)
    return statistics.median(vals) if vals else None


def bucket_of_runbooks(rec: dict) -> str:
    """runbooks' own triage groups (cli/commands/cert.py, triage()), named as certinv's buckets."""
    days = rec.get("days_until_expiry")
    if rec.get("expiry_bucket") == "EXPIRED":
        return "CRITICAL" if rec.get("in_use") else "REMOVE"
    if days is None:
        return "(none)"
    if 0 < days <= 90:
        return "HIGH+MEDIUM"
    if days > 90:
        return "OK"
    return "(in no group)"


def compare_findings(ci_inv: Path, ci_tri: Path, rb_json: Path, rb_tri_json: Path) -> list[str]:
    ci = json.loads(ci_inv.read_text())
    tri = json.loads(ci_tri.read_text())
    rb = json.loads(rb_json.read_text())
    rb_tri = json.loads(rb_tri_json.read_text())
    ci_tri_arns = {c["arn"] for c in tri["certificates"]}
    rb_tri_arns = {c["certificate_arn"] for c in rb_tri["certificates"]}
    ci_by = {c["arn"]: c for c in ci["certificates"]}
    rb_by = {c["certificate_arn"]: c for c in rb["certificates"]}
    only_ci = sorted(set(ci_by) - set(rb_by))
    only_rb = sorted(set(rb_by) - set(ci_by))
    both = sorted(set(ci_by) & set(rb_by))

    def ci_group(c):
        b = c.get("bucket")
        return "HIGH+MEDIUM" if b in ("HIGH", "MEDIUM") else b

    group_diff = [a for a in both if ci_group(ci_by[a]) != bucket_of_runbooks(rb_by[a])]
    days_diff = [a for a in both if ci_by[a].get("days_to_expiry") != rb_by[a].get("days_until_expiry")]
    inuse_diff = [a for a in both if bool(ci_by[a].get("in_use")) != bool(rb_by[a].get("in_use"))]
    name_diff = [a for a in both if (ci_by[a].get("account_name") or "") != (rb_by[a].get("account_name") or "")]
    alg_diff = [a for a in both if ci_by[a].get("key_algorithm") != rb_by[a].get("key_algorithm")]
    ci_groups = Counter(ci_group(ci_by[a]) for a in ci_by)
    rb_groups = Counter(bucket_of_runbooks(r) for r in rb_by.values())
    rb_native = Counter(r.get("expiry_bucket") for r in rb_by.values())
    seven = [a for a in both if rb_by[a].get("expiry_bucket") == "CRITICAL_7D"]
    renew_ci = Counter(ci_by[a].get("renewal_status") for a in both)
    renew_rb = Counter(rb_by[a].get("renewal_status") for a in both)

    lines = [
        "| | certinv | runbooks |",
        "|---|---:|---:|",
        f"| certificates | {len(ci_by)} | {len(rb_by)} |",
        f"| accounts | {len({c['account_id'] for c in ci_by.values()})} | "
        f"{len({c['account_id'] for c in rb_by.values()})} |",
        f"| in use | {sum(1 for c in ci_by.values() if c.get('in_use'))} | "
        f"{sum(1 for c in rb_by.values() if c.get('in_use'))} |",
    ]
    for g in ("CRITICAL", "REMOVE", "HIGH+MEDIUM", "OK", "NOT_ISSUED", "(in no group)", "(none)"):
        if ci_groups.get(g) or rb_groups.get(g):
            lines.append(f"| {g} | {ci_groups.get(g, 0)} | {rb_groups.get(g, 0)} |")
    lines += [
        "",
        f"certinv triage buckets: {json.dumps(tri['summary']['buckets'])}. "
        f"runbooks' own expiry buckets: {json.dumps(dict(rb_native))} (EXPIRED = days < 0; "
        "CRITICAL_7D ≤ 7 days, WARNING_30D ≤ 30, ATTENTION_90D ≤ 90, VALID otherwise); its "
        "`triage` groups them as expired-in-use, expired-unused, `0 < days ≤ 90` and "
        "`days > 90`, which the rows above map to certinv's buckets.",
        "",
        f"- ARNs only certinv found: {len(only_ci)}; only runbooks found: {len(only_rb)}; both: {len(both)}. "
        f"`triage` exports: certinv {len(ci_tri_arns)}, runbooks {len(rb_tri_arns)} "
        f"({'the same ARNs' if ci_tri_arns == rb_tri_arns else 'different ARNs'}).",
        f"- Same ARN, different bucket group: {len(group_diff)}"
        + (": " + "; ".join(f"`{ci_by[a]['domain_name']}` certinv {ci_by[a]['bucket']} "
                            f"({ci_by[a]['days_to_expiry']} d), runbooks {rb_by[a].get('expiry_bucket')} "
                            f"({rb_by[a].get('days_until_expiry')} d) → {bucket_of_runbooks(rb_by[a])}"
                            for a in group_diff[:8]) if group_diff else "") + ".",
        f"- Different day count: {len(days_diff)}; different in-use flag: {len(inuse_diff)}; "
        f"different account name: {len(name_diff)}.",
        f"- Key algorithm spelled differently: {len(alg_diff)} of {len(both)} "
        + (f"(e.g. certinv `{ci_by[alg_diff[0]]['key_algorithm']}`, runbooks "
           f"`{rb_by[alg_diff[0]]['key_algorithm']}`: runbooks passes Config's DescribeCertificate "
           "spelling through, certinv normalises to ACM's enum)" if alg_diff else "") + ".",
        f"- runbooks flags {len(seven)} certificate(s) CRITICAL_7D (≤ 7 days), a bucket certinv "
        "does not have (they are HIGH there).",
        f"- Renewal status: certinv {dict(renew_ci)}; runbooks {dict(renew_rb)} "
        "(runbooks keeps `renewal_status` empty on the P1 path and derives "
        "`auto_renewal_eligible` from renewalStatus == SUCCESS).",
    ]
    return lines

