"""Records every AWS operation the emulator serves, as one JSON line each.

moto keeps no usable record of the calls it answered. Tests use this one to assert a run
was read-only, to count calls, to prove every SDK client reached the emulator, and to
check each discovery path against its IAM policy (moto enforces none).

Each entry: ``{"ts", "service", "operation", "account", "region", "status"}`` (+ ``"fault"``).

- ``service``: the SigV4 credential scope's service (``acm``, ``sts``, ``organizations``,
  ``ec2``, ``elasticloadbalancing``, ``config``, ...).
- ``operation``: ``X-Amz-Target`` after the dot (JSON protocols), else ``Action`` from the
  query string or form body (query protocols), else the operation in an RPC-v2 CBOR
  path, else the botocore operation whose HTTP method and URI template match (REST),
  else ``"METHOD /path"``.
- ``account``: the account moto serves the request as: the ``MOTO_ACCOUNT_ID``
  environment variable, else the ``x-moto-account-id`` header, else the account the
  access key belongs to (keys from ``sts:AssumeRole`` belong to the role's account; any
  other key is 123456789012).
- ``status``: the HTTP status code returned; 0 when a ``drop_connection`` fault closed
  the socket without one.
- ``fault``: only on calls the faults module answered: ``throttle``, ``errors_5xx``,
  ``drop_connection`` or ``access_denied``.

Requests to ``/certinv-emulator/*`` and ``/moto-api/*`` are not AWS operations and are
not recorded.
"""

from __future__ import annotations

import io
import json
import os
import re
import threading
from datetime import datetime, timezone
from typing import Any, Callable, Iterable
from urllib.parse import parse_qs

from . import MANAGEMENT_ACCOUNT_ID

UNRECORDED_PREFIXES = ("/certinv-emulator", "/moto-api", "/favicon.ico")

_ACCESS_KEY = re.compile(r"Credential=([A-Za-z0-9]+)/")
_CBOR_PATH = re.compile(r"^/service/[^/]+/operation/([A-Za-z0-9]+)$")


class OpLog:
    """Thread-safe in-memory list of operations, mirrored to an append-only file.

    Each line reaches the file in one ``write`` on an ``O_APPEND`` descriptor, so
    processes sharing the file (forked workers, ``--workers``) never split or
    interleave lines."""

    def __init__(self, path: str | None = None) -> None:
        self._lock = threading.Lock()
        self._entries: list[dict[str, Any]] = []
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644) if path else None

    def record(self, entry: dict[str, Any]) -> None:
        line = (json.dumps(entry, separators=(",", ":")) + "\n").encode()
        with self._lock:
            self._entries.append(entry)
            if self._fd is not None:
                os.write(self._fd, line)

    def entries(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._entries)

    def clear(self) -> int:
        """Empties the in-memory list; the file is an append-only record and keeps all."""
        with self._lock:
            count = len(self._entries)
            self._entries.clear()
            return count

    def close(self) -> None:
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None


class _RestOperations:
    """Matches a REST request to a botocore operation by HTTP method and URI template."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_service: dict[str, list[tuple[str, re.Pattern[str], list[str], int, str]]] = {}

    def _load(self, service: str) -> list[tuple[str, re.Pattern[str], list[str], int, str]]:
        import botocore.session

        routes = []
        try:
            model = botocore.session.get_session().get_service_model(service)
        except Exception:
            return routes
        for name in model.operation_names:
            http = model.operation_model(name).http
            uri = http.get("requestUri", "/")
            path, _, query = uri.partition("?")
            pattern = ""
            for piece in re.split(r"(\{[^}]+\})", path):
                if piece.startswith("{"):
                    pattern += ".+" if piece.endswith("+}") else "[^/]+"
                else:
                    pattern += re.escape(piece)
            literal = len(re.sub(r"\{[^}]+\}", "", path))
            required_query = [q.split("=", 1)[0] for q in query.split("&") if q]
            routes.append(
                (http.get("method", "POST"), re.compile(f"^{pattern}/?$"), required_query, literal, name)
            )
        return routes

    def match(self, signing_name: str, method: str, path: str, query: dict[str, Any]) -> str | None:
        routes = []
        for service in _MODELS_FOR_SIGNING_NAME.get(signing_name, (signing_name,)):
            with self._lock:
                if service not in self._by_service:
                    self._by_service[service] = self._load(service)
                routes += self._by_service[service]
        best: tuple[int, str] | None = None
        for route_method, pattern, required_query, literal, name in routes:
            if route_method != method or not pattern.match(path):
                continue
            if any(q not in query for q in required_query):
                continue
            score = literal * 10 + len(required_query)
            if best is None or score > best[0]:
                best = (score, name)
        return best[1] if best else None


_REST = _RestOperations()

# Signing names shared by several botocore models (API Gateway v1 and v2 both sign as
# "apigateway"); the best-matching route across them wins.
_MODELS_FOR_SIGNING_NAME = {"apigateway": ("apigateway", "apigatewayv2")}


def _form_body(environ: dict[str, Any]) -> dict[str, list[str]]:
    """Reads a form-encoded body and puts it back for moto to read again."""
    if not environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        return {}
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return {}
    if length <= 0:
        return {}
    body = environ["wsgi.input"].read(length)
    environ["wsgi.input"] = io.BytesIO(body)
    return parse_qs(body.decode("utf-8", "replace"))


def _account_for(environ: dict[str, Any], access_key: str | None) -> str:
    # Same precedence as moto's BaseResponse.get_current_account.
    if "MOTO_ACCOUNT_ID" in os.environ:
        return os.environ["MOTO_ACCOUNT_ID"]
    if environ.get("HTTP_X_MOTO_ACCOUNT_ID"):
        return environ["HTTP_X_MOTO_ACCOUNT_ID"]
    if not access_key:
        return MANAGEMENT_ACCOUNT_ID
    from moto.iam.models import get_account_id_from

    return get_account_id_from(access_key)


def describe_request(environ: dict[str, Any]) -> dict[str, Any]:
    """service, operation, account and region of one request, without answering it."""
    auth = environ.get("HTTP_AUTHORIZATION", "")
    service = region = None
    access_key = None
    if "Credential=" in auth:
        try:
            scope = auth.split("Credential=", 1)[1].split(",", 1)[0].strip()
            access_key, _date, region, service, _term = scope.split("/")
        except ValueError:
            pass
    query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    if access_key is None and query.get("X-Amz-Credential"):  # presigned URL
        try:
            access_key, _date, region, service, _term = query["X-Amz-Credential"][0].split("/")
        except ValueError:
            pass

    path = environ.get("PATH_INFO", "") or "/"
    method = environ.get("REQUEST_METHOD", "GET")
    operation = None
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        operation = target.rsplit(".", 1)[-1]
    if operation is None and "Action" in query:
        operation = query["Action"][0]
    if operation is None and method == "POST":
        form = _form_body(environ)
        if "Action" in form:
            operation = form["Action"][0]
    if operation is None:
        cbor = _CBOR_PATH.match(path)
        if cbor:
            operation = cbor.group(1)
    if operation is None and service:
        operation = _REST.match(service, method, path, query)
    if operation is None:
        operation = f"{method} {path}"

    return {
        "service": service,
        "operation": operation,
        "account": _account_for(environ, access_key),
        "region": region,
    }


class OpLogMiddleware:
    """WSGI middleware: records each AWS request, then hands it to the wrapped app."""

    def __init__(self, app: Callable, oplog: OpLog) -> None:
        self.app = app
        self.oplog = oplog

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "").startswith(UNRECORDED_PREFIXES):
            return self.app(environ, start_response)

        entry: dict[str, Any] = {
            "ts": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z"
        }
        try:
            entry.update(describe_request(environ))
            # The faults layer matches its rules against the same description.
            environ["certinv.op"] = dict(entry)
        except Exception as err:  # the record must never break the request
            entry.update({"service": None, "operation": f"unparsed: {err}", "account": None, "region": None})
        recorded = False

        def record(status: int) -> None:
            nonlocal recorded
            if not recorded:
                recorded = True
                entry["status"] = status
                if environ.get("certinv.fault"):
                    entry["fault"] = environ["certinv.fault"]
                self.oplog.record(entry)

        def recording_start_response(status: str, headers: list, exc_info: Any = None):
            record(int(status.split(" ", 1)[0]))
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        try:
            return self.app(environ, recording_start_response)
        except Exception:
            # A drop_connection fault closes the socket: no status was ever sent.
            record(0 if environ.get("certinv.fault") == "drop_connection" else 500)
            raise
