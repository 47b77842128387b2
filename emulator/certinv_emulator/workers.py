"""``--workers N``: N forked processes serving one seeded scenario, for read-only load.

One Python process serves some 500 calls a second at best (moto's dispatch and
serialisation hold the GIL), below what certinv's 32 concurrent calls ask for in the
benchmark's latency model. So the parent binds the port, seeds the scenario, applies
``--faults``, and forks N workers that accept connections from the same listening
socket; each has its own copy of moto's state, taken at the fork.

That copy is the limit of this mode: a change made through one worker is seen only by
calls that reach the same worker. So it is for runs that change nothing:

- ``POST /certinv-emulator/seed``, ``POST /certinv-emulator/faults``, ``GET`` and
  ``POST .../ops[/clear]`` and every non-GET ``/moto-api/*`` request answer 409 with
  the reason (set faults with ``--faults`` at start; read calls from ``--oplog``).
- An AWS call that is not a read by its name (``changes.is_read``) is served, and the
  worker says so once per operation on stderr. ``sts:AssumeRole`` (a read there) must
  work across workers: its keys are made in one worker and used in all, so a worker that
  does not hold a temporary key takes its account from the key itself (moto's access
  keys carry the account ID, as AWS's do).
- Fault rules count and draw per worker (``rate``, ``limit``, jitter sequences).

The op log file gets every call from every worker once, a line per call (``oplog``).
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import signal
import sys
import threading
from typing import Any, Callable, Iterable

from . import hot_path
from .changes import is_read
from .state import STATE

_REFUSED = {("POST", "/certinv-emulator/seed"), ("POST", "/certinv-emulator/faults"),
            ("GET", "/certinv-emulator/ops"), ("POST", "/certinv-emulator/ops/clear")}


def account_in_key(access_key: str) -> str | None:
    """The scenario account a temporary (``ASIA``) key was issued in, read from the key
    as moto 5.2.5 writes it (moto.iam.utils.generate_access_key_id_from_account_id);
    None for any other key, or an account the scenario does not have."""
    from moto.iam.utils import ACCOUNT_OFFSET, AWS_ROLE_ALPHABET

    if len(access_key) != 20 or not access_key.startswith("ASIA"):
        return None
    try:
        half = int.from_bytes(base64.b32decode(access_key[4:12]), "big") - ACCOUNT_OFFSET
    except (binascii.Error, ValueError):
        return None
    odd = access_key[12] in AWS_ROLE_ALPHABET[16:]
    account = f"{half * 2 + odd:012d}"
    return account if account in STATE.current.regions_by_account else None


class ForkedGuard:
    """WSGI, outermost: refuses what would change one worker's state only, and says
    when an AWS call that may write reaches a worker."""

    def __init__(self, app: Callable, workers: int) -> None:
        self.app = app
        self.workers = workers
        self._warned: set[str] = set()

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "").rstrip("/")
        if (method, path) in _REFUSED or (path.startswith("/moto-api") and method != "GET"):
            body = json.dumps({"error": (
                f"{method} {path} is refused: the emulator runs {self.workers} forked workers "
                "(--workers), each with its own copy of the state, so a change would reach one "
                "of them only. Restart it with the scenario and --faults wanted; read calls "
                "from the --oplog file.")}).encode()
            start_response("409 Conflict", [("Content-Type", "application/json"),
                                             ("Content-Length", str(len(body)))])
            return [body]
        result = self.app(environ, start_response)
        op = environ.get("certinv.op")
        if op is not None and not is_read(op):
            name = f"{op.get('service')}:{op.get('operation')}"
            if name not in self._warned:
                self._warned.add(name)
                print(f"certinv_emulator: worker {os.getpid()} served {name}, which may change "
                      "state: with --workers only calls reaching this worker will see it",
                      file=sys.stderr, flush=True)
        return result


def _serve_child(server: Any, oplog: Any) -> int:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops the workers
    serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                               name="certinv-emulator", daemon=True)
    serving.start()
    while not stop.wait(timeout=3600):
        pass
    server.shutdown()
    oplog.close()
    return 0


def serve(server: Any, oplog: Any, workers: int, announce: Callable[[], None]) -> int:
    """Forks ``workers`` processes onto ``server``'s socket, announces, and waits for
    SIGTERM/SIGINT (0) or a worker that dies (1); then stops them all."""
    from .certs import KEYRING

    hot_path.KEY_ACCOUNTS.unknown_key = account_in_key
    # Loaded once here, shared by every worker: otherwise each pays for it on its
    # first calls.
    hot_path.preload_service_models()
    KEYRING.wait_all()  # no thread may be mid-work at the fork
    # Every worker wakes for each new connection; the ones that lose the race to
    # accept it must get EAGAIN, not block.
    server.socket.setblocking(False)
    children: list[int] = []
    for _ in range(workers):
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                code = _serve_child(server, oplog)
            finally:
                os._exit(code)
        children.append(pid)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    signal.signal(signal.SIGINT, lambda signum, frame: stop.set())
    announce()
    failed: list[str] = []
    while not stop.wait(timeout=0.2):
        for pid in list(children):
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                children.remove(pid)
                failed.append(f"worker {pid} exited with status {status}")
        if failed:
            print(f"certinv_emulator: {'; '.join(failed)}; stopping", file=sys.stderr, flush=True)
            break
    for pid in children:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    for pid in children:
        os.waitpid(pid, 0)
    server.server_close()
    oplog.close()
    return 1 if failed else 0
