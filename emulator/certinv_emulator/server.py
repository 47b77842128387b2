"""moto's WSGI app with certinv's extensions around it, bound to 127.0.0.1."""

from __future__ import annotations

import queue
import threading
from typing import Any

from werkzeug.serving import BaseWSGIServer, ThreadedWSGIServer

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)

from . import (acm, cloudfront, config, domain_names, hot_path, iam_server_certificates,
               json_answers, load_balancers, organizations_ous, private_ca, regions, seed)
from .changes import ChangeCounter
from .faults import FaultInjector
from .oplog import OpLog, OpLogMiddleware
from .resource_explorer import ResourceExplorerEndpoints

HOST = "127.0.0.1"  # never anything else: the emulator is for this machine only


class QuietRequestHandler(MotoRequestHandler):
    """moto's handler without the per-request access log line on stderr."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class CachedDispatcher(DomainDispatcherApplication):
    """moto's dispatcher, remembering which service each host name maps to.

    moto answers it by listing its package directory and trying its URL patterns, on
    every request; both are fixed for the life of the process."""

    def __init__(self, create_app: Any) -> None:
        super().__init__(create_app)
        self._backends: dict[str | None, Any] = {}

    def get_backend_for_host(self, host: str | None) -> Any:
        # moto calls this under its own lock.
        if host not in self._backends:
            self._backends[host] = super().get_backend_for_host(host)
        return self._backends[host]


class PooledWSGIServer(ThreadedWSGIServer):
    """werkzeug's threaded server, its connection threads kept and reused.

    werkzeug closes every connection after one response, so each call is a new
    connection, and socketserver starts a thread for each and waits until that thread
    has run: under load, a wait for the GIL in the accepting loop on every call. Here
    the accepting loop hands the connection to an idle thread, and starts one more only
    when none is idle, so there is never less concurrency than before."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._connections: queue.SimpleQueue = queue.SimpleQueue()
        self._idle = 0
        self._idle_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._idle_lock:
            if self._idle > 0:
                self._idle -= 1
                start = False
            else:
                start = True
        if start:
            threading.Thread(target=self._serve_connections, name="certinv-connection",
                             daemon=True).start()
        self._connections.put((request, client_address))

    def _serve_connections(self) -> None:
        while True:
            request, client_address = self._connections.get()
            self.process_request_thread(request, client_address)
            with self._idle_lock:
                self._idle += 1


def install_extensions() -> None:
    hot_path.install()
    acm.install()
    cloudfront.install()
    config.install()
    domain_names.install()
    iam_server_certificates.install()
    json_answers.install()
    load_balancers.install()
    organizations_ous.install()
    private_ca.install()
    regions.install()
    seed.install()


def build_app(oplog: OpLog, workers: int = 1):
    install_extensions()
    moto_app = CachedDispatcher(create_backend_app)
    # Resource Explorer sits inside the op log (its calls are recorded) and in front of
    # moto (which has no such service); faults inside the op log (faulted calls are
    # recorded) and in front of every service, Resource Explorer included; the change
    # counter inside the op log (it reads the op log's description of each call).
    app = OpLogMiddleware(ChangeCounter(
        FaultInjector(ResourceExplorerEndpoints(seed.ExtensionEndpoints(moto_app, oplog)))), oplog)
    if workers > 1:
        from .workers import ForkedGuard

        app = ForkedGuard(app, workers)
    return app


def build_server(port: int, oplog_path: str | None, log_requests: bool = False,
                 workers: int = 1) -> tuple[BaseWSGIServer, OpLog]:
    oplog = OpLog(oplog_path)
    server = PooledWSGIServer(HOST, port, build_app(oplog, workers),
                              MotoRequestHandler if log_requests else QuietRequestHandler)
    return server, oplog
