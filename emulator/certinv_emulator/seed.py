"""The emulator's own endpoints, under ``/certinv-emulator/``, and moto's reset hook.

moto 5.2.5 can reset itself but has no way to build a whole organization in one call.

    POST /certinv-emulator/seed        {"scenario": NAME | {...}, "anchor": RFC3339?}
                                       -> 200 {"scenario", "anchor", "accounts",
                                               "certificates", "iam_server_certificates",
                                               "private_cas", "load_balancers", "usage_sites",
                                               "buckets", "buckets_by_source", "seconds"}
                                       -> 400 {"error": "..."} for a bad scenario
    GET  /certinv-emulator/ops         -> 200 [ {op}, ... ]   (the in-memory op log)
    POST /certinv-emulator/ops/clear   -> 200 {"cleared": N}
    GET  /certinv-emulator/health      -> 200 {"status": "ok", "scenario", "anchor", "now"}
    POST /certinv-emulator/faults      {fault set}  -> 200 {fault set, normalised}; 400 {"error"}
    GET  /certinv-emulator/faults      -> 200 {fault set, with each rule's "injected" count}

These requests are not AWS operations and never enter the op log.
"""

from __future__ import annotations

import json
import traceback
from typing import Any, Callable, Iterable

from moto.moto_api._internal.models import MotoAPIBackend

from . import faults as faults_mod
from . import scenario as scenario_mod
from .oplog import OpLog
from .seeder import seed
from .state import STATE, format_instant, parse_instant, utc_now_seconds

PREFIX = "/certinv-emulator"

_original_reset = MotoAPIBackend.reset


def reset_clears_scenario(self: MotoAPIBackend) -> None:
    """Wraps MotoAPIBackend.reset: a moto reset also forgets the scenario's regions,
    page size and anchor, and the organization's record of member accounts (moto keeps
    that on the BackendDict, which its reset does not clear)."""
    from moto.organizations.models import organizations_backends

    _original_reset(self)
    organizations_backends.master_accounts.clear()
    STATE.clear()


_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    MotoAPIBackend.reset = reset_clears_scenario
    _installed = True


def seed_from_request(body: dict[str, Any]) -> dict[str, Any]:
    """Validates a seed request body and seeds it; raises ScenarioError/ValueError."""
    if not isinstance(body, dict) or "scenario" not in body:
        raise scenario_mod.ScenarioError('body must be {"scenario": NAME or {...}, "anchor"?: RFC3339}')
    extra = sorted(set(body) - {"scenario", "anchor"})
    if extra:
        raise scenario_mod.ScenarioError(f"unknown field(s) in seed request: {extra}")
    raw = body["scenario"]
    if isinstance(raw, str):
        raw = scenario_mod.load(raw)
    parsed = scenario_mod.validate(raw)
    anchor = parse_instant(body["anchor"]) if body.get("anchor") else utc_now_seconds()
    return seed(parsed, anchor).to_json()


class ExtensionEndpoints:
    """WSGI: answers ``/certinv-emulator/*`` itself, hands everything else to moto."""

    def __init__(self, app: Callable, oplog: OpLog) -> None:
        self.app = app
        self.oplog = oplog

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if not (path == PREFIX or path.startswith(PREFIX + "/")):
            return self.app(environ, start_response)
        method = environ.get("REQUEST_METHOD", "GET")
        route = path[len(PREFIX):].rstrip("/")
        try:
            status, payload = self._route(method, route, environ)
        except (scenario_mod.ScenarioError, ValueError) as err:
            status, payload = 400, {"error": str(err)}
        except Exception as err:  # a bug in the emulator: say so, keep serving
            status, payload = 500, {"error": f"{type(err).__name__}: {err}",
                                    "traceback": traceback.format_exc()}
        body = json.dumps(payload).encode()
        reasons = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed",
                   500: "Internal Server Error"}
        start_response(f"{status} {reasons.get(status, 'Error')}",
                       [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    def _route(self, method: str, route: str, environ: dict[str, Any]) -> tuple[int, Any]:
        routes = {
            "/health": {"GET": self._health},
            "/seed": {"POST": self._seed},
            "/ops": {"GET": self._ops},
            "/ops/clear": {"POST": self._ops_clear},
            "/faults": {"GET": self._faults, "POST": self._set_faults},
        }
        if route not in routes:
            return 404, {"error": f"no endpoint {PREFIX}{route}", "endpoints": sorted(routes)}
        if method not in routes[route]:
            return 405, {"error": f"{PREFIX}{route} takes {' or '.join(routes[route])}"}
        return routes[route][method](environ)

    def _health(self, environ: dict[str, Any]) -> tuple[int, Any]:
        current = STATE.current
        return 200, {"status": "ok", "scenario": current.name,
                     "anchor": format_instant(current.anchor),
                     "now": format_instant(STATE.now())}

    @staticmethod
    def _json_body(environ: dict[str, Any], what: str) -> Any:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        raw = environ["wsgi.input"].read(length) if length > 0 else b""
        try:
            return json.loads(raw or b"null")
        except json.JSONDecodeError as err:
            raise scenario_mod.ScenarioError(f"{what} body is not JSON: {err}") from err

    def _seed(self, environ: dict[str, Any]) -> tuple[int, Any]:
        return 200, seed_from_request(self._json_body(environ, "seed"))

    def _faults(self, environ: dict[str, Any]) -> tuple[int, Any]:
        current = STATE.current.faults or faults_mod.FaultSet()
        return 200, current.to_json()

    def _set_faults(self, environ: dict[str, Any]) -> tuple[int, Any]:
        """Replaces the whole fault set (``{}`` clears it); the scenario stays as seeded."""
        body = self._json_body(environ, "faults")
        try:
            fault_set = faults_mod.validate(body if body is not None else {})
        except ValueError as err:
            raise scenario_mod.ScenarioError(f"faults{err}") from None
        STATE.current.faults = fault_set
        return 200, fault_set.to_json()

    def _ops(self, environ: dict[str, Any]) -> tuple[int, Any]:
        return 200, self.oplog.entries()

    def _ops_clear(self, environ: dict[str, Any]) -> tuple[int, Any]:
        return 200, {"cleared": self.oplog.clear()}
