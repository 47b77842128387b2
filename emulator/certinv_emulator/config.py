"""AWS Config aggregators that see ACM certificates across the organization.

moto 5.2.5 stores configuration aggregators but its aggregate calls only see the
caller's own account, it does not know ``AWS::ACM::Certificate``, and it has neither
``SelectAggregateResourceConfig`` nor ``DescribeConfigurationAggregatorSourcesStatus``.
certinv's fastest discovery path (SPEC P1) is one Select per 100 certificates, so:

- select_aggregate_resource_config (new operation): runs config_query's SQL subset over
  the configuration items of every account and region the aggregator covers, read from
  the ACM backends, minus what the recorder has not caught up with, plus certificates
  deleted from ACM that Config still lists. Pages of ``Limit`` (<= 100). The items and
  each WHERE clause's matches are kept on the aggregator until moto's state changes
  (``changes``): rebuilding them per page made a query O(certificates^2 / 100).
- describe_configuration_aggregator_sources_status (new operation): one entry per
  source account and region, SUCCEEDED or FAILED as the scenario says.
- describe_aggregators_checks_limit: moto accepts any Limit; AWS refuses more than 100.

moto's own PutConfigurationAggregator and DescribeConfigurationAggregators are used as
they are. What moto has no place for (excluded accounts/regions, failed sources, access
denied) rides on its ConfigAggregator as ``_certinv`` (the leading underscore keeps it
out of moto's to_dict).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from moto.acm.models import CertBundle
from moto.config.exceptions import (
    InvalidLimitException,
    InvalidNextTokenException,
    NoSuchConfigurationAggregatorException,
)
from moto.config.models import ConfigAggregator
from moto.config.responses import ConfigResponse
from moto.core.exceptions import JsonRESTError

from . import config_query
from .organization import active_account_ids
from .state import STATE, iso_millis

META_ATTR = "_certinv"
ITEMS_ATTR = "_certinv_items"
RESOURCE_TYPE = "AWS::ACM::Certificate"
MAX_LIMIT = 100
_TOKEN_PREFIX = "certinv-config:"
# Config's item is a snapshot: taken a little before the anchor, as a recorder would.
CAPTURE_LAG = timedelta(hours=2)
# When sources last reported to the aggregator.
SOURCE_UPDATE_LAG = timedelta(minutes=40)
# DescribeCertificate fields that are instants (epoch seconds there, ISO strings in Config).
_TIME_FIELDS = {"NotBefore", "NotAfter", "CreatedAt", "IssuedAt", "ImportedAt", "RevokedAt",
                "UpdatedAt"}


class InvalidExpressionException(JsonRESTError):
    code = 400

    def __init__(self, detail: str) -> None:
        super().__init__("InvalidExpressionException", f"Invalid expression: {detail}")


class AccessDeniedException(JsonRESTError):
    code = 400  # Config's JSON protocol answers every client error with 400

    def __init__(self, account: str, operation: str, resource: str) -> None:
        super().__init__(
            "AccessDeniedException",
            f"User: arn:aws:iam::{account}:root is not authorized to perform: "
            f"config:{operation} on resource: {resource}",
        )


@dataclass
class AggregatorMeta:
    """What the scenario says about an aggregator beyond its sources."""

    exclude_accounts: set[str] = field(default_factory=set)
    exclude_regions: set[str] = field(default_factory=set)
    # (account, region) -> (LastErrorCode, LastErrorMessage)
    failed: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    access_denied: bool = False


@dataclass
class Source:
    account: str
    region: str
    source_type: str  # ORGANIZATION or ACCOUNT
    error: tuple[str, str] | None  # None: SUCCEEDED


@dataclass
class ConfigItem:
    """A configuration item as Config stores it; ``record`` is what queries see."""

    account: str
    region: str
    arn: str
    record: dict[str, Any]


# --- configuration items -----------------------------------------------------------------


def _from_epoch(value: float) -> str:
    return iso_millis(datetime.fromtimestamp(value, timezone.utc))


def _camel(value: Any, key: str | None = None) -> Any:
    """DescribeCertificate's PascalCase to Config's camelCase, instants as ISO strings."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            name = k.lower() if k.isupper() else k[:1].lower() + k[1:]  # OID -> oid
            out[name] = _camel(v, k)
        return out
    if isinstance(value, list):
        return [_camel(v) for v in value]
    if key in _TIME_FIELDS and isinstance(value, (int, float)):
        return _from_epoch(value)
    return value


def config_item(bundle: CertBundle) -> ConfigItem:
    """The configuration item Config records for one ACM certificate, now."""
    detail = bundle.describe()["Certificate"]
    configuration = _camel(detail)
    created = bundle.created_at.replace(tzinfo=timezone.utc)
    captured = max(STATE.current.anchor - CAPTURE_LAG, created)
    account, region = bundle.arn.split(":")[4], bundle.arn.split(":")[3]
    record: dict[str, Any] = {
        "version": "1.3",
        "accountId": account,
        "configurationItemCaptureTime": iso_millis(captured),
        "configurationItemStatus": "OK",
        "resourceType": RESOURCE_TYPE,
        "resourceId": bundle.arn,
        "resourceName": detail.get("DomainName"),
        "arn": bundle.arn,
        "awsRegion": region,
        "availabilityZone": "Regional",
        "resourceCreationTime": iso_millis(created),
        "tags": [{"key": k, "value": v} for k, v in bundle.tags.items()],
        "relationships": [],
        "configuration": configuration,
        "supplementaryConfiguration": {},
    }
    return ConfigItem(account, region, bundle.arn, record)


# --- what an aggregator covers -------------------------------------------------------------


def sources(aggregator: ConfigAggregator) -> list[Source]:
    """Each (account, region) the aggregator collects from, in organization order."""
    meta: AggregatorMeta = getattr(aggregator, META_ATTR, None) or AggregatorMeta()
    wanted: list[tuple[str, list[str] | None]] = []  # (account, listed regions or None = all)
    org_source = aggregator.organization_aggregation_source
    if org_source is not None:
        source_type = "ORGANIZATION"
        listed = None if org_source.all_aws_regions else list(org_source.aws_regions or [])
        wanted = [(account, listed) for account in active_account_ids()]
    else:
        source_type = "ACCOUNT"
        for src in aggregator.account_aggregation_sources or []:
            listed = None if src.all_aws_regions else list(src.aws_regions or [])
            wanted += [(account, listed) for account in src.account_ids]
    result: list[Source] = []
    seen: set[tuple[str, str]] = set()
    for account, listed in wanted:
        if account in meta.exclude_accounts:
            continue
        enabled = STATE.regions_for(account)
        if enabled is None:  # an account the scenario does not know: what was asked for
            regions = listed or []
        else:
            regions = [r for r in enabled if listed is None or r in listed]
        for region in regions:
            if region in meta.exclude_regions or (account, region) in seen:
                continue
            seen.add((account, region))
            result.append(Source(account, region, source_type, meta.failed.get((account, region))))
    return result


def items(aggregator: ConfigAggregator) -> list[ConfigItem]:
    """The certificates' configuration items the aggregator holds, source by source.

    A FAILED source delivered nothing; a certificate the recorder has not seen yet is
    missing; one deleted from ACM after it was recorded is still there.
    """
    from moto.acm.models import acm_backends

    state = STATE.current
    deleted: dict[tuple[str, str], list[ConfigItem]] = {}
    for item in state.config_deleted:
        deleted.setdefault((item.account, item.region), []).append(item)
    result: list[ConfigItem] = []
    for source in sources(aggregator):
        if source.error is not None:
            continue
        backend = acm_backends[source.account][source.region]
        for arn, bundle in list(backend._certificates.items()):
            if arn not in state.config_unrecorded:
                result.append(config_item(bundle))
        result += deleted.get((source.account, source.region), [])
    return result


@dataclass
class _KeptItems:
    state: Any      # the ScenarioState they were built under
    changes: int    # STATE.changes when building began
    items: list[ConfigItem]
    rows: dict[tuple[config_query.Condition, ...], list[dict[str, Any]]] = field(default_factory=dict)


def matching_records(aggregator: ConfigAggregator,
                     conditions: tuple[config_query.Condition, ...]) -> list[dict[str, Any]]:
    """The records of ``items(aggregator)`` that meet ``conditions``, rebuilt only after
    something may have changed (``changes.ChangeCounter``, seeding, a reset)."""
    changes = STATE.changes  # read first: a change while building outdates the result
    state = STATE.current
    kept: _KeptItems | None = getattr(aggregator, ITEMS_ATTR, None)
    if kept is None or kept.state is not state or kept.changes != changes:
        kept = _KeptItems(state, changes, items(aggregator))
        setattr(aggregator, ITEMS_ATTR, kept)
    rows = kept.rows.get(conditions)
    if rows is None:
        rows = [item.record for item in kept.items if config_query.matches(item.record, conditions)]
        kept.rows[conditions] = rows
    return rows


# --- operations ---------------------------------------------------------------------------


def _aggregator(response: ConfigResponse, operation: str) -> ConfigAggregator:
    name = response._get_param("ConfigurationAggregatorName")
    aggregator = response.config_backend.config_aggregators.get(name)
    if aggregator is None:
        raise NoSuchConfigurationAggregatorException()
    meta: AggregatorMeta | None = getattr(aggregator, META_ATTR, None)
    if meta is not None and meta.access_denied:
        raise AccessDeniedException(response.current_account, operation,
                                    aggregator.configuration_aggregator_arn)
    return aggregator


def _limit(response: ConfigResponse, *names: str) -> int:
    for name in names:
        value = response._get_param(name)
        if value is not None:
            value = int(value)
            if not 0 <= value <= MAX_LIMIT:
                raise InvalidLimitException(value)
            return value or MAX_LIMIT  # 0 means the default, the maximum
    return MAX_LIMIT


def _encode_token(offset: int, context: str) -> str:
    digest = hashlib.sha256(context.encode()).hexdigest()[:12]
    return base64.urlsafe_b64encode(f"{_TOKEN_PREFIX}{digest}:{offset}".encode()).decode()


def _decode_token(token: str, context: str) -> int:
    """A token only continues the query (and aggregator) that issued it."""
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
        raise InvalidNextTokenException()


def _json(payload: dict[str, Any]) -> tuple[str, dict[str, str]]:
    # moto answers its own Config operations as text/html; AWS as JSON 1.1.
    return json.dumps(payload), {"Content-Type": "application/x-amz-json-1.1"}


def select_aggregate_resource_config(self: ConfigResponse) -> tuple[str, dict[str, str]]:
    """New operation: ConfigService SelectAggregateResourceConfig."""
    limit = _limit(self, "Limit", "MaxResults")
    aggregator = _aggregator(self, "SelectAggregateResourceConfig")
    expression = self._get_param("Expression") or ""
    try:
        query = config_query.parse(expression)
    except config_query.InvalidExpression as err:
        raise InvalidExpressionException(str(err))
    rows = matching_records(aggregator, query.conditions)
    result: dict[str, Any] = {
        "QueryInfo": {"SelectFields": [{"Name": name} for name in query.select_fields]},
    }
    if query.count:
        result["Results"] = [json.dumps({config_query.COUNT_STAR: len(rows)}, separators=(",", ":"))]
        return _json(result)
    context = f"{aggregator.configuration_aggregator_arn}\n{expression}"
    token = self._get_param("NextToken")
    start = _decode_token(token, context) if token else 0
    page = rows[start:start + limit]
    result["Results"] = [json.dumps(config_query.row(r, query), separators=(",", ":")) for r in page]
    if start + limit < len(rows):
        result["NextToken"] = _encode_token(start + limit, context)
    return _json(result)


def describe_configuration_aggregator_sources_status(self: ConfigResponse
                                                     ) -> tuple[str, dict[str, str]]:
    """New operation: ConfigService DescribeConfigurationAggregatorSourcesStatus."""
    limit = _limit(self, "Limit")
    aggregator = _aggregator(self, "DescribeConfigurationAggregatorSourcesStatus")
    wanted = set(self._get_param("UpdateStatus") or [])
    updated = (STATE.current.anchor - SOURCE_UPDATE_LAG).timestamp()
    entries = []
    for source in sources(aggregator):
        entry: dict[str, Any] = {
            "SourceId": source.account,
            "SourceType": source.source_type,
            "AwsRegion": source.region,
            "LastUpdateStatus": "FAILED" if source.error else "SUCCEEDED",
            "LastUpdateTime": updated,
        }
        if source.error:
            entry["LastErrorCode"], entry["LastErrorMessage"] = source.error
        if not wanted or entry["LastUpdateStatus"] in wanted:
            entries.append(entry)
    context = f"{aggregator.configuration_aggregator_arn}\nsources\n{sorted(wanted)}"
    token = self._get_param("NextToken")
    start = _decode_token(token, context) if token else 0
    result: dict[str, Any] = {"AggregatedSourceStatusList": entries[start:start + limit]}
    if start + limit < len(entries):
        result["NextToken"] = _encode_token(start + limit, context)
    return _json(result)


_original_describe_aggregators = ConfigResponse.describe_configuration_aggregators


def describe_aggregators_checks_limit(self: ConfigResponse) -> tuple[str, dict[str, str]]:
    """Wraps ConfigResponse.describe_configuration_aggregators: Limit 0-100, as AWS, and
    the JSON content type."""
    _limit(self, "Limit")
    return _original_describe_aggregators(self), {"Content-Type": "application/x-amz-json-1.1"}


def seed_aggregator(spec: Any) -> None:
    """Creates one scenario aggregator (scenario.AggregatorSpec) through moto's backend."""
    from moto.config.models import config_backends

    if spec.type == "organization":
        source_key, source = "OrganizationAggregationSource", {
            "RoleArn": f"arn:aws:iam::{spec.account}:role/service-role/AWSConfigRoleForOrganizations"}
    else:
        source_key, source = "AccountAggregationSources", {"AccountIds": list(spec.accounts)}
    if spec.all_regions:
        source["AllAwsRegions"] = True
    else:
        source["AwsRegions"] = list(spec.regions)
    backend = config_backends[spec.account][spec.region]
    backend.put_configuration_aggregator({
        "ConfigurationAggregatorName": spec.name,
        source_key: source if spec.type == "organization" else [source],
    })
    setattr(backend.config_aggregators[spec.name], META_ATTR, AggregatorMeta(
        exclude_accounts=set(spec.exclude_accounts),
        exclude_regions=set(spec.exclude_regions),
        failed={(f.account, f.region): (f.error_code, f.error_message) for f in spec.failed_sources},
        access_denied=spec.access_denied,
    ))


_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    ConfigResponse.select_aggregate_resource_config = select_aggregate_resource_config
    ConfigResponse.describe_configuration_aggregator_sources_status = \
        describe_configuration_aggregator_sources_status
    ConfigResponse.describe_configuration_aggregators = describe_aggregators_checks_limit
    _installed = True
