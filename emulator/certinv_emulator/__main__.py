"""Start the emulator: ``python -m certinv_emulator --port 0 [--scenario S] [--anchor T]
[--oplog F] [--faults JSON] [--workers N]``.

Binds 127.0.0.1 only. Once the scenario (if any) is seeded it prints exactly one line,
``{"port": N, "anchor": "...", "accounts": N, "certificates": N}``, to stdout, then
serves until SIGTERM or SIGINT, and exits 0. ``--workers N`` (N > 1) serves from N
forked processes, for runs that change nothing (``workers``).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="certinv_emulator",
        description="moto 5.2.5 with certinv's extensions, on 127.0.0.1.",
    )
    parser.add_argument("--port", type=int, default=0, help="TCP port; 0 picks a free one (default)")
    parser.add_argument("--scenario", help="scenario name (emulator/scenarios/NAME.json) or file path")
    parser.add_argument("--anchor", help="RFC 3339 instant the scenario's offsets are relative to "
                                         "(default: now, truncated to the second)")
    parser.add_argument("--oplog", help="append one JSON line per AWS operation served to this file")
    parser.add_argument("--log-requests", action="store_true",
                        help="log each HTTP request to stderr (werkzeug's access log)")
    parser.add_argument("--faults", metavar="JSON",
                        help="fault set to apply once seeded, replacing the scenario's "
                             "(as POST /certinv-emulator/faults), e.g. "
                             "'{\"latency\": {\"fixed_ms\": 40}}'")
    parser.add_argument("--workers", type=int, default=1, metavar="N",
                        help="serve from N forked processes sharing the port (default 1); "
                             "N > 1 is for read-only runs: each worker has its own copy of "
                             "the state, and the calls that would change it are refused")
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    # First, before moto's imports: the RSA 3072/4096 keys take most of a second and
    # are generated on a background thread meanwhile.
    from .certs import KEYRING

    KEYRING.start()
    args = _parse_args(argv)

    # moto loads ~1,300 AMIs into every EC2 backend (~70 ms per account and region);
    # certinv never reads AMIs, and the seeder touches many accounts.
    os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")

    from .server import build_server
    from .state import STATE, ScenarioState, format_instant, parse_instant, utc_now_seconds

    try:
        anchor = parse_instant(args.anchor) if args.anchor else utc_now_seconds()
    except ValueError as err:
        print(f"certinv_emulator: {err}", file=sys.stderr)
        return 2

    fault_set = None
    if args.faults is not None:
        from . import faults as faults_mod

        try:
            fault_set = faults_mod.validate(json.loads(args.faults))
        except json.JSONDecodeError as err:
            print(f"certinv_emulator: --faults is not JSON: {err}", file=sys.stderr)
            return 2
        except ValueError as err:  # ".latency[0]: fixed_ms must be ..."
            print(f"certinv_emulator: --faults{err}", file=sys.stderr)
            return 2

    oplog_path = os.path.abspath(args.oplog) if args.oplog else None
    server, oplog = build_server(args.port, oplog_path, log_requests=args.log_requests,
                                 workers=args.workers)
    port = server.server_port
    # moto builds some URLs to itself from MOTO_PORT.
    os.environ["MOTO_PORT"] = str(port)

    accounts = certificates = 0
    if args.scenario:
        from . import scenario as scenario_mod
        from .seeder import seed

        try:
            report = seed(scenario_mod.validate(scenario_mod.load(args.scenario)), anchor)
        except scenario_mod.ScenarioError as err:
            print(f"certinv_emulator: {err}", file=sys.stderr)
            server.server_close()
            return 2
        accounts, certificates = report.accounts, report.certificates
    else:
        STATE.install(ScenarioState(anchor=anchor))
    if fault_set is not None:
        STATE.current.faults = fault_set

    def announce() -> None:
        sys.stdout.write(json.dumps({"port": port, "anchor": format_instant(anchor),
                                     "accounts": accounts, "certificates": certificates}) + "\n")
        sys.stdout.flush()
        # stdout carries exactly that one line: callers may stop reading it (or close
        # the pipe) once they have the port, and moto prints diagnostics with print().
        sys.stdout = sys.stderr

    if args.workers > 1:
        from . import workers

        return workers.serve(server, oplog, args.workers, announce)

    stop = threading.Event()

    def _on_signal(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)

    serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                               name="certinv-emulator", daemon=True)
    serving.start()
    announce()

    while not stop.wait(timeout=3600):
        pass
    server.shutdown()
    server.server_close()
    oplog.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
