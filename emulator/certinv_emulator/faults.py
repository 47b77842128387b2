"""Fault injection: what certinv's reliability tests need and moto has no notion of.

moto answers every call at once and never fails on its own. certinv promises to retry
throttling and transient errors with backoff and to carry on past an unreadable account
or region (SPEC section 8), so the emulator can make calls fail as AWS does, in each
service's own protocol (``aws_errors``):

    {"throttle":        [RULE, ...],   the service's throttling error
     "errors_5xx":      [RULE, ...],   500 or 503 (RULE "status"), the service's code
     "drop_connection": [RULE, ...],   the socket is closed, no response at all
     "latency":         LATENCY | [LATENCY, ...],
     "deny_assume_role": ["ACCOUNT", ...],     sts:AssumeRole into them: 403 AccessDenied
     "deny_acm_regions": [{"account", "region"}, ...]}  every ACM call there: AccessDeniedException

RULE: ``{"service"?, "operations"?, "accounts"?, "regions"?, "rate"? (0-1, default 1),
"seed"? (default 0), "limit"? (at most this many faults), "status"? (errors_5xx: 500|503)}``.
Absent filters match everything. Each rule draws from its own ``random.Random(seed)``
once per matching call, so the same sequence of calls meets the same faults.

LATENCY: ``{"fixed_ms": N}`` or ``{"median_ms": N, "jitter_ms": J, "seed"?}`` (uniform in
median ± jitter), optionally with ``service``/``operations``; the first that matches a
call applies, before anything else happens to it.

Set by a scenario's ``faults`` key when seeded, replaced by ``POST /certinv-emulator/faults``
(``seed`` answers both). Every faulted call is in the op log with its status and
``"fault": KIND`` (a dropped connection: status 0).
"""

from __future__ import annotations

import io
import random
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable
from urllib.parse import parse_qs

from . import aws_errors
from .state import STATE

RULE_KINDS = ("throttle", "errors_5xx", "drop_connection")
_TOP_FIELDS = set(RULE_KINDS) | {"latency", "deny_assume_role", "deny_acm_regions"}
_RULE_FIELDS = {"service", "operations", "accounts", "regions", "rate", "seed", "limit", "status"}
_LATENCY_FIELDS = {"service", "operations", "fixed_ms", "median_ms", "jitter_ms", "seed"}
_ACCOUNT = re.compile(r"^[0-9]{12}$")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-[0-9]+$")
_SKIPPED_PREFIXES = ("/certinv-emulator", "/moto-api", "/favicon.ico")


class DroppedConnection(ConnectionAbortedError):
    """Raised through werkzeug, which takes any ConnectionError as a dropped connection
    and writes nothing (no 500 page)."""


@dataclass
class _Filter:
    service: str | None = None
    operations: list[str] | None = None
    accounts: list[str] | None = None
    regions: list[str] | None = None

    def matches(self, op: dict[str, Any]) -> bool:
        return ((self.service is None or op.get("service") == self.service)
                and (self.operations is None or op.get("operation") in self.operations)
                and (self.accounts is None or op.get("account") in self.accounts)
                and (self.regions is None or op.get("region") in self.regions))

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in (("service", self.service), ("operations", self.operations),
                                  ("accounts", self.accounts), ("regions", self.regions))
                if v is not None}


@dataclass
class FaultRule(_Filter):
    kind: str = "throttle"
    rate: float = 1.0
    seed: int = 0
    limit: int | None = None
    status: int | None = None
    injected: int = 0
    _rng: random.Random = field(default_factory=random.Random, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def fires(self) -> bool:
        with self._lock:
            if self.limit is not None and self.injected >= self.limit:
                return False
            if self._rng.random() >= self.rate:
                return False
            self.injected += 1
            return True

    def to_json(self) -> dict[str, Any]:
        out = super().to_json()
        out.update({"rate": self.rate, "seed": self.seed})
        if self.limit is not None:
            out["limit"] = self.limit
        if self.status is not None:
            out["status"] = self.status
        out["injected"] = self.injected
        return out


@dataclass
class Latency(_Filter):
    fixed_ms: float | None = None
    median_ms: float = 0.0
    jitter_ms: float = 0.0
    seed: int = 0
    _rng: random.Random = field(default_factory=random.Random, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def delay_ms(self) -> float:
        if self.fixed_ms is not None:
            return self.fixed_ms
        with self._lock:
            return max(0.0, self.median_ms + self._rng.uniform(-self.jitter_ms, self.jitter_ms))

    def to_json(self) -> dict[str, Any]:
        out = super().to_json()
        if self.fixed_ms is not None:
            out["fixed_ms"] = self.fixed_ms
        else:
            out.update({"median_ms": self.median_ms, "jitter_ms": self.jitter_ms, "seed": self.seed})
        return out


@dataclass
class FaultSet:
    rules: list[FaultRule] = field(default_factory=list)  # drop, throttle, 5xx: checked in order
    latency: list[Latency] = field(default_factory=list)
    deny_assume_role: list[str] = field(default_factory=list)
    deny_acm_regions: list[tuple[str, str]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.rules or self.latency or self.deny_assume_role or self.deny_acm_regions)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {kind: [r.to_json() for r in self.rules if r.kind == kind]
                               for kind in RULE_KINDS}
        out["latency"] = [l.to_json() for l in self.latency]
        out["deny_assume_role"] = list(self.deny_assume_role)
        out["deny_acm_regions"] = [{"account": a, "region": r} for a, r in self.deny_acm_regions]
        return out


# --- validation --------------------------------------------------------------------------


def _fail(path: str, message: str) -> None:
    raise ValueError(f"{path}: {message}")


def _strings(value: Any, path: str, what: str, pattern: re.Pattern[str] | None = None) -> list[str]:
    if not (isinstance(value, list) and value and all(isinstance(v, str) and v for v in value)
            and (pattern is None or all(pattern.match(v) for v in value))):
        _fail(path, f"{what} must be a non-empty list of {'valid ' if pattern else ''}strings")
    return list(value)


def _number(value: Any, path: str, what: str, low: float, high: float | None = None) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and value >= low \
        and (high is None or value <= high)
    if not ok:
        _fail(path, f"{what} must be a number from {low}" + (f" to {high}" if high is not None else ""))
    return float(value)


def _int(value: Any, path: str, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        _fail(path, f"{what} must be an integer")
    return value


def _filter(raw: dict[str, Any], path: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "service" in raw:
        if not (isinstance(raw["service"], str) and raw["service"]):
            _fail(path, "service must be a SigV4 service name such as acm, sts, ec2")
        out["service"] = raw["service"]
    if "operations" in raw:
        out["operations"] = _strings(raw["operations"], path, "operations")
    if "accounts" in raw:
        out["accounts"] = _strings(raw["accounts"], path, "accounts", _ACCOUNT)
    if "regions" in raw:
        out["regions"] = _strings(raw["regions"], path, "regions", _REGION)
    return out


def _rule(kind: str, raw: Any, path: str) -> FaultRule:
    if not isinstance(raw, dict):
        _fail(path, "must be an object")
    extra = sorted(set(raw) - _RULE_FIELDS)
    if extra:
        _fail(path, f"unknown field(s) {extra}; allowed: {sorted(_RULE_FIELDS)}")
    status = raw.get("status")
    if kind == "errors_5xx":
        status = 500 if status is None else status
        if status not in (500, 503):
            _fail(path, "status must be 500 or 503")
    elif status is not None:
        _fail(path, "status is only for errors_5xx")
    limit = raw.get("limit")
    if limit is not None and (_int(limit, path, "limit") < 1):
        _fail(path, "limit must be at least 1")
    return FaultRule(kind=kind, rate=_number(raw.get("rate", 1.0), path, "rate", 0, 1),
                     seed=_int(raw.get("seed", 0), path, "seed"), limit=limit, status=status,
                     **_filter(raw, path))


def _latency(raw: Any, path: str) -> Latency:
    if not isinstance(raw, dict):
        _fail(path, "must be an object")
    extra = sorted(set(raw) - _LATENCY_FIELDS)
    if extra:
        _fail(path, f"unknown field(s) {extra}; allowed: {sorted(_LATENCY_FIELDS)}")
    if ("fixed_ms" in raw) == ("median_ms" in raw):
        _fail(path, "give either fixed_ms or median_ms (with jitter_ms)")
    if "fixed_ms" in raw:
        if "jitter_ms" in raw or "seed" in raw:
            _fail(path, "jitter_ms and seed go with median_ms, not fixed_ms")
        return Latency(fixed_ms=_number(raw["fixed_ms"], path, "fixed_ms", 0, 60000),
                       **_filter(raw, path))
    return Latency(median_ms=_number(raw["median_ms"], path, "median_ms", 0, 60000),
                   jitter_ms=_number(raw.get("jitter_ms", 0), path, "jitter_ms", 0, 60000),
                   seed=_int(raw.get("seed", 0), path, "seed"), **_filter(raw, path))


def validate(raw: Any) -> FaultSet:
    """A fault set from its JSON form; ValueError(".path: why") when it is wrong."""
    if raw is None:
        return FaultSet()
    if not isinstance(raw, dict):
        _fail("", "must be an object")
    extra = sorted(set(raw) - _TOP_FIELDS)
    if extra:
        _fail("", f"unknown field(s) {extra}; allowed: {sorted(_TOP_FIELDS)}")
    faults = FaultSet()
    # A dropped connection pre-empts an error answer, which pre-empts nothing.
    for kind in ("drop_connection", "throttle", "errors_5xx"):
        rules = raw.get(kind, [])
        if not isinstance(rules, list):
            _fail(f".{kind}", "must be a list of rules")
        faults.rules += [_rule(kind, r, f".{kind}[{i}]") for i, r in enumerate(rules)]
    latency = raw.get("latency", [])
    latency = [latency] if isinstance(latency, dict) else latency
    if not isinstance(latency, list):
        _fail(".latency", "must be an object or a list of them")
    faults.latency = [_latency(l, f".latency[{i}]") for i, l in enumerate(latency)]
    deny = raw.get("deny_assume_role", [])
    if deny:
        faults.deny_assume_role = _strings(deny, ".deny_assume_role", "deny_assume_role", _ACCOUNT)
    pairs = raw.get("deny_acm_regions", [])
    if not isinstance(pairs, list):
        _fail(".deny_acm_regions", "must be a list of {account, region}")
    for i, pair in enumerate(pairs):
        path = f".deny_acm_regions[{i}]"
        if not (isinstance(pair, dict) and set(pair) == {"account", "region"}
                and isinstance(pair["account"], str) and _ACCOUNT.match(pair["account"])
                and isinstance(pair["region"], str) and _REGION.match(pair["region"])):
            _fail(path, 'must be {"account": 12 digits, "region": a region name}')
        faults.deny_acm_regions.append((pair["account"], pair["region"]))
    return faults


# --- the WSGI layer ----------------------------------------------------------------------


def _request_params(environ: dict[str, Any]) -> dict[str, list[str]]:
    """Query string and form body (put back for moto to read again)."""
    params = parse_qs(environ.get("QUERY_STRING", ""))
    if environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > 0:
            body = environ["wsgi.input"].read(length)
            environ["wsgi.input"] = io.BytesIO(body)
            for key, values in parse_qs(body.decode("utf-8", "replace")).items():
                params.setdefault(key, []).extend(values)
    return params


def _denial(faults: FaultSet, op: dict[str, Any], environ: dict[str, Any]
            ) -> tuple[int, str, str] | None:
    if faults.deny_assume_role and op.get("service") == "sts" and op.get("operation") == "AssumeRole":
        role = (_request_params(environ).get("RoleArn") or [""])[0]
        parts = role.split(":")
        if len(parts) > 4 and parts[4] in faults.deny_assume_role:
            return (403, "AccessDenied",
                    f"User: arn:aws:iam::{op.get('account')}:user/certinv is not authorized to "
                    f"perform: sts:AssumeRole on resource: {role}")
    if op.get("service") == "acm" and (op.get("account"), op.get("region")) in faults.deny_acm_regions:
        return (400, "AccessDeniedException",
                f"User: arn:aws:sts::{op.get('account')}:assumed-role/certinv is not authorized "
                f"to perform: acm:{op.get('operation')} with an explicit deny in a service "
                f"control policy")
    return None


class FaultInjector:
    """WSGI: sleeps, fails or drops AWS calls per the current fault set; else passes on.

    Sits inside the op log (which hands over the call it described as
    ``environ["certinv.op"]`` and records ``environ["certinv.fault"]``)."""

    def __init__(self, app: Callable) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        faults: FaultSet | None = STATE.current.faults
        op = environ.get("certinv.op")
        if faults is None or faults.empty or op is None \
                or environ.get("PATH_INFO", "").startswith(_SKIPPED_PREFIXES):
            return self.app(environ, start_response)

        for latency in faults.latency:
            if latency.matches(op):
                time.sleep(latency.delay_ms() / 1000.0)
                break

        answer = _denial(faults, op, environ)
        kind = "access_denied" if answer else None
        fired = None
        if answer is None:
            fired = next((r for r in faults.rules if r.matches(op) and r.fires()), None)
            kind = fired.kind if fired else None
        if kind is None:
            return self.app(environ, start_response)

        environ["certinv.fault"] = kind
        if kind == "drop_connection":
            _request_params(environ)  # read the body: the client is not left mid-send
            sock = environ.get("werkzeug.socket")
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            raise DroppedConnection("certinv-emulator: drop_connection fault")
        if kind == "throttle":
            answer = aws_errors.throttling(op.get("service"))
        elif kind == "errors_5xx":
            answer = aws_errors.server_error(op.get("service"), fired.status or 500)
        version = (_request_params(environ).get("Version") or [None])[0]
        status, headers, body = aws_errors.render(op.get("service"), *answer, api_version=version)
        start_response(status, headers)
        return [body]
