"""Resource Explorer 2, which moto 5.2.5 does not have at all (it answers HTTP 500).

certinv's second discovery path (SPEC P2) searches ``resourcetype:acm:certificate`` in
an aggregator index's organization-wide view. This WSGI layer answers the read
operations it needs, in the service's REST-JSON protocol (``POST /Search`` etc.,
signing name ``resource-explorer-2``), from the scenario's index and view and the ACM
backends at call time:

- ListIndexes, GetIndex, ListViews, GetView, GetDefaultView: the caller's account (and,
  except ListIndexes, region), as the scenario set them up;
- Search: certificates of every ACTIVE account (organization scope) or of the owner
  (account scope), in the regions the index covers; like AWS it stops at 1,000
  results per query however it is paged (``Count.Complete`` false past that).

Query syntax: space-separated ``resourcetype:``, ``service:``, ``region:`` and
``accountid:`` filters; the same key twice is OR, different keys AND; anything else is
a ValidationException (free text and other filters are not modelled).
Errors: the ``x-amzn-ErrorType`` header and ``{"Message"}``, with the model's status.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable, Iterable

from .oplog import describe_request
from .organization import active_account_ids, organization_arn
from .state import STATE, iso_millis

SIGNING_NAME = "resource-explorer-2"
RESULT_CAP = 1000  # AWS: a query never yields more than 1,000 resources
RESOURCE_TYPE = "acm:certificate"
REPORT_LAG = timedelta(minutes=25)
_TOKEN_PREFIX = "certinv-rex:"
_FILTER_KEYS = ("resourcetype", "service", "region", "accountid")


@dataclass
class Index:
    account: str
    region: str
    type: str  # AGGREGATOR or LOCAL
    arn: str


@dataclass
class View:
    account: str
    region: str
    name: str
    arn: str
    scope: str  # an organization ARN or arn:aws:iam::ACCOUNT:root
    default: bool
    filter_string: str = ""


@dataclass
class Explorer:
    indexes: list[Index] = field(default_factory=list)
    views: list[View] = field(default_factory=list)
    # Regions whose resources reach the aggregator index (or the LOCAL index's one).
    covered_regions: set[str] = field(default_factory=set)
    set_up_at: datetime | None = None


class ApiError(Exception):
    STATUS = {"ValidationException": 400, "UnauthorizedException": 401,
              "AccessDeniedException": 403, "ResourceNotFoundException": 404,
              "ThrottlingException": 429, "InternalServerException": 500,
              # Not AWS's: an operation this emulator does not model (writes, ListResources, ...).
              "NotImplemented": 501}

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.status = self.STATUS[code]


# --- set-up from a scenario ---------------------------------------------------------------


def build(spec: Any, scenario_name: str, all_regions: list[str], regions_of_index_account: list[str]
          ) -> Explorer:
    """An Explorer from a scenario.ExplorerSpec. A LOCAL index covers its own region; an
    AGGREGATOR index every scenario region not excluded, and the index account gets
    LOCAL indexes in its other (not excluded) regions, replicating into it."""
    explorer = Explorer(set_up_at=STATE.current.anchor - timedelta(days=30))
    index = spec.index
    if index is None:
        return explorer

    def arn(region: str, kind: str, *parts: str) -> str:
        ident = uuid.uuid5(uuid.NAMESPACE_URL, f"{scenario_name}/{index.account}/{region}/{kind}")
        return f"arn:aws:resource-explorer-2:{region}:{index.account}:{kind}/" + "/".join(parts + (str(ident),))

    explorer.indexes.append(Index(index.account, index.region, index.type, arn(index.region, "index")))
    if index.type == "AGGREGATOR":
        explorer.covered_regions = {r for r in all_regions if r not in spec.exclude_regions}
        for region in regions_of_index_account:
            if region != index.region and region not in spec.exclude_regions:
                explorer.indexes.append(Index(index.account, region, "LOCAL", arn(region, "index")))
    else:
        explorer.covered_regions = {index.region}
    if spec.view is not None:
        scope = (organization_arn() if spec.view.scope == "organization"
                 else f"arn:aws:iam::{index.account}:root")
        explorer.views.append(View(index.account, index.region, spec.view.name,
                                   arn(index.region, "view", spec.view.name), scope or "",
                                   spec.view.default))
    return explorer


# --- queries ----------------------------------------------------------------------------


def parse_query(text: str) -> dict[str, set[str]]:
    filters: dict[str, set[str]] = {}
    for token in text.split():
        key, sep, value = token.partition(":")
        if not sep or key.lower() not in _FILTER_KEYS or not value:
            raise ApiError("ValidationException",
                           f"The query string contains an unsupported term: {token!r}. "
                           f"Supported here: {', '.join(k + ':VALUE' for k in _FILTER_KEYS)}.")
        filters.setdefault(key.lower(), set()).add(value)
    return filters


def _matches(filters: dict[str, set[str]], account: str, region: str) -> bool:
    facts = {"resourcetype": RESOURCE_TYPE, "service": "acm", "region": region, "accountid": account}
    return all(facts[key] in values for key, values in filters.items())


def _encode_token(offset: int, context: str) -> str:
    digest = hashlib.sha256(context.encode()).hexdigest()[:12]
    return base64.urlsafe_b64encode(f"{_TOKEN_PREFIX}{digest}:{offset}".encode()).decode()


def _decode_token(token: str, context: str) -> int:
    try:
        text = base64.urlsafe_b64decode(token.encode()).decode()
        prefix, digest, offset = text.rsplit(":", 2)
        if prefix + ":" != _TOKEN_PREFIX or digest != hashlib.sha256(context.encode()).hexdigest()[:12]:
            raise ValueError(text)
        value = int(offset)
        if value < 0:
            raise ValueError(text)
        return value
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ApiError("ValidationException", "The NextToken is not valid for this request.")


def _max_results(body: dict[str, Any], limit: int, default: int) -> int:
    value = body.get("MaxResults")
    if value is None:
        return default
    if not isinstance(value, int) or not 1 <= value <= limit:
        raise ApiError("ValidationException",
                       f"1 validation error detected: Value '{value}' at 'maxResults' failed to "
                       f"satisfy constraint: Member must have value between 1 and {limit}")
    return value


def _page(items: list[Any], body: dict[str, Any], limit: int, default: int, context: str
          ) -> tuple[list[Any], str | None]:
    size = _max_results(body, limit, default)
    token = body.get("NextToken")
    start = _decode_token(token, context) if token else 0
    nxt = _encode_token(start + size, context) if start + size < len(items) else None
    return items[start:start + size], nxt


# --- operations ---------------------------------------------------------------------------


def _explorer() -> Explorer:
    return STATE.current.explorer or Explorer()


def _view_for(explorer: Explorer, account: str, region: str, arn: str | None) -> View:
    for view in explorer.views:
        if view.account == account and view.region == region and (
                view.arn == arn if arn else view.default):
            return view
    if arn:
        raise ApiError("ResourceNotFoundException", f"The view {arn} was not found in {region}.")
    raise ApiError("ResourceNotFoundException",
                   f"There is no default view in {region}; specify a ViewArn.")


def list_indexes(account: str, region: str, body: dict[str, Any]) -> dict[str, Any]:
    index_type = body.get("Type")
    if index_type is not None and index_type not in ("LOCAL", "AGGREGATOR"):
        raise ApiError("ValidationException", f"Type must be LOCAL or AGGREGATOR, not {index_type!r}")
    regions = body.get("Regions") or None
    rows = [{"Arn": i.arn, "Region": i.region, "Type": i.type} for i in _explorer().indexes
            if i.account == account and (index_type is None or i.type == index_type)
            and (regions is None or i.region in regions)]
    page, nxt = _page(rows, body, 100, 100, f"indexes\n{index_type}\n{regions}")
    return {"Indexes": page, **({"NextToken": nxt} if nxt else {})}


def get_index(account: str, region: str, body: dict[str, Any]) -> dict[str, Any]:
    explorer = _explorer()
    mine = [i for i in explorer.indexes if i.account == account]
    index = next((i for i in mine if i.region == region), None)
    if index is None:
        raise ApiError("ResourceNotFoundException", f"There is no Resource Explorer index in {region}.")
    aggregator = next((i for i in mine if i.type == "AGGREGATOR"), None)
    created = iso_millis(explorer.set_up_at or STATE.current.anchor)
    result: dict[str, Any] = {"Arn": index.arn, "Type": index.type, "State": "ACTIVE",
                              "CreatedAt": created, "LastUpdatedAt": created, "Tags": {}}
    if index.type == "AGGREGATOR":
        result["ReplicatingFrom"] = [i.region for i in mine if i.type == "LOCAL"]
    elif aggregator is not None:
        result["ReplicatingTo"] = [aggregator.region]
    return result


def list_views(account: str, region: str, body: dict[str, Any]) -> dict[str, Any]:
    arns = [v.arn for v in _explorer().views if v.account == account and v.region == region]
    page, nxt = _page(arns, body, 50, 50, "views")
    return {"Views": page, **({"NextToken": nxt} if nxt else {})}


def get_view(account: str, region: str, body: dict[str, Any]) -> dict[str, Any]:
    arn = body.get("ViewArn")
    if not arn:
        raise ApiError("ValidationException", "ViewArn is required.")
    explorer = _explorer()
    view = _view_for(explorer, account, region, arn)
    return {"View": {
        "ViewArn": view.arn, "ViewName": view.name, "Owner": view.account,
        "LastUpdatedAt": iso_millis(explorer.set_up_at or STATE.current.anchor),
        "Scope": view.scope, "IncludedProperties": [],
        "Filters": {"FilterString": view.filter_string},
    }, "Tags": {}}


def get_default_view(account: str, region: str, body: dict[str, Any]) -> dict[str, Any]:
    view = next((v for v in _explorer().views
                 if v.account == account and v.region == region and v.default), None)
    return {"ViewArn": view.arn} if view else {}


def _in_scope_accounts(view: View) -> list[str]:
    if view.scope.startswith("arn:aws:organizations::"):
        return active_account_ids()
    return [view.account]


def search(account: str, region: str, body: dict[str, Any]) -> dict[str, Any]:
    from moto.acm.models import acm_backends

    query = body.get("QueryString") or ""
    if not isinstance(query, str) or len(query) > 1280:
        raise ApiError("ValidationException", "QueryString must be a string of at most 1280 characters.")
    explorer = _explorer()
    view = _view_for(explorer, account, region, body.get("ViewArn") or None)
    filters = parse_query(query)
    view_filters = parse_query(view.filter_string)
    reported = iso_millis(STATE.current.anchor - REPORT_LAG)
    found: list[dict[str, Any]] = []
    for owner in _in_scope_accounts(view):
        for res_region in STATE.regions_for(owner) or []:
            if res_region not in explorer.covered_regions:
                continue
            if not (_matches(filters, owner, res_region) and _matches(view_filters, owner, res_region)):
                continue
            for arn in list(acm_backends[owner][res_region]._certificates):
                found.append({"Arn": arn, "OwningAccountId": owner, "Region": res_region,
                              "ResourceType": RESOURCE_TYPE, "Service": "acm",
                              "LastReportedAt": reported, "Properties": []})
                if len(found) > RESULT_CAP:
                    break
            if len(found) > RESULT_CAP:
                break
        if len(found) > RESULT_CAP:
            break
    complete = len(found) <= RESULT_CAP
    found = found[:RESULT_CAP]
    page, nxt = _page(found, body, RESULT_CAP, RESULT_CAP, f"search\n{view.arn}\n{query}")
    result: dict[str, Any] = {"Resources": page, "ViewArn": view.arn,
                              "Count": {"TotalResources": len(found), "Complete": complete}}
    if nxt:
        result["NextToken"] = nxt
    return result


OPERATIONS: dict[str, Callable[[str, str, dict[str, Any]], dict[str, Any]]] = {
    "/ListIndexes": list_indexes,
    "/GetIndex": get_index,
    "/ListViews": list_views,
    "/GetView": get_view,
    "/GetDefaultView": get_default_view,
    "/Search": search,
}


class ResourceExplorerEndpoints:
    """WSGI: answers requests signed for resource-explorer-2, hands the rest on."""

    def __init__(self, app: Callable) -> None:
        self.app = app

    @staticmethod
    def _is_mine(environ: dict[str, Any]) -> bool:
        auth = environ.get("HTTP_AUTHORIZATION", "")
        return (f"/{SIGNING_NAME}/aws4_request" in auth
                or environ.get("HTTP_HOST", "").startswith(SIGNING_NAME + "."))

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        if not self._is_mine(environ):
            return self.app(environ, start_response)
        headers = [("Content-Type", "application/json"), ("x-amzn-RequestId", str(uuid.uuid4()))]
        try:
            operation = OPERATIONS.get(environ.get("PATH_INFO", ""))
            if operation is None or environ.get("REQUEST_METHOD") != "POST":
                raise ApiError("NotImplemented",
                               f"{environ.get('REQUEST_METHOD')} {environ.get('PATH_INFO')} is not an "
                               "operation this emulator's Resource Explorer answers "
                               f"(it answers {', '.join(o[1:] for o in OPERATIONS)}).")
            caller = describe_request(environ)
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            raw = environ["wsgi.input"].read(length) if length > 0 else b""
            try:
                body = json.loads(raw or b"{}")
            except json.JSONDecodeError:
                raise ApiError("ValidationException", "The request body is not JSON.")
            if not isinstance(body, dict):
                raise ApiError("ValidationException", "The request body must be a JSON object.")
            status, payload = 200, operation(caller["account"], caller["region"] or "us-east-1", body)
        except ApiError as err:
            status, payload = err.status, {"Message": str(err)}
            headers.append(("x-amzn-ErrorType", err.code))
        data = json.dumps(payload).encode()
        headers.append(("Content-Length", str(len(data))))
        reasons = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
                   404: "Not Found", 429: "Too Many Requests", 500: "Internal Server Error",
                   501: "Not Implemented"}
        start_response(f"{status} {reasons[status]}", headers)
        return [data]
