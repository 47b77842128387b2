"""API Gateway custom domain names (v1 and v2 GetDomainNames) as AWS answers them.

certinv's usage phase reads ``certificateArn``/``regionalCertificateArn`` from v1
GetDomainNames and ``DomainNameConfigurations[].CertificateArn`` from v2 GetDomainNames
in every account and region. moto 5.2.5 differs from AWS there:

- domain_names_page_as_aws: v1 ignores ``limit``/``position`` (AWS: 25 per page by
  default, at most 500, then ``position``); v2 ignores ``maxResults``/``nextToken``.
- domain_names_are_shared: in AWS a custom domain name is one resource per account and
  region whichever API created it, and both APIs list it; moto keeps two unrelated
  lists. Each API now also lists the other's, in its own shape. certinv therefore sees
  a domain name twice (once per API) and must de-duplicate by its ARN
  ``arn:aws:apigateway:REGION::/domainnames/NAME``.
- v1 REGIONAL domain names carry moto's made-up ``distributionDomainName``/
  ``distributionHostedZoneId``; AWS returns those for EDGE ones only. v2 configurations
  get the fields AWS fills (``ApiGatewayDomainName``, ``DomainNameStatus``,
  ``HostedZoneId``, ``SecurityPolicy``) when the request left them out.
- domain_names_mark_certificates_in_use: moto never puts a domain name in its ACM
  certificate's InUseBy; AWS puts ``arn:aws:apigateway:REGION::/domainnames/NAME``.

Only the list calls merge the two APIs; GetDomainName (one name) is moto's.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Any, Callable

from moto.apigateway.exceptions import BadRequestException as V1BadRequest
from moto.apigateway.models import APIGatewayBackend, apigateway_backends
from moto.apigateway.responses import APIGatewayResponse
from moto.apigatewayv2.exceptions import BadRequestException as V2BadRequest
from moto.apigatewayv2.models import ApiGatewayV2Backend, apigatewayv2_backends
from moto.apigatewayv2.responses import ApiGatewayV2Response
from moto.utilities.utils import get_partition

from .acm import mark_in_use

V1_DEFAULT_LIMIT = 25
V1_MAX_LIMIT = 500
_TOKEN_PREFIX = "certinv-domainnames:"
# Route 53 hosted zone of API Gateway's regional endpoints; a fixed example value
# (moto uses one value for every region too).
_HOSTED_ZONE = "Z2FDTNDATAQYW2"


def domain_name_arn(region: str, name: str) -> str:
    return f"arn:{get_partition(region)}:apigateway:{region}::/domainnames/{name}"


def _gateway_host(region: str, name: str) -> str:
    digest = hashlib.sha256(f"{region}/{name}".encode()).hexdigest()[:10]
    return f"d-{digest}.execute-api.{region}.amazonaws.com"


# --- the two shapes ----------------------------------------------------------------------


def _v1_view(item: dict[str, Any]) -> dict[str, Any]:
    """A v1-created domain name as v1 GetDomainNames shows it."""
    item = dict(item)
    if "REGIONAL" in (item.get("endpointConfiguration") or {}).get("types", []):
        item.pop("distributionDomainName", None)
        item.pop("distributionHostedZoneId", None)
    item.setdefault("securityPolicy", "TLS_1_2")
    return item


def _v1_from_v2(domain: Any, region: str) -> dict[str, Any]:
    """A v2-created (REGIONAL) domain name as v1 GetDomainNames shows it."""
    config = (domain.domain_name_configurations or [{}])[0]
    item: dict[str, Any] = {
        "domainName": domain.domain_name,
        "regionalDomainName": config.get("apiGatewayDomainName")
        or _gateway_host(region, domain.domain_name),
        "regionalHostedZoneId": config.get("hostedZoneId", _HOSTED_ZONE),
        "endpointConfiguration": {"types": [config.get("endpointType", "REGIONAL")]},
        "domainNameStatus": "AVAILABLE",
        "domainNameStatusMessage": "Domain Name Available",
        "securityPolicy": config.get("securityPolicy", "TLS_1_2"),
    }
    if config.get("certificateArn"):
        item["regionalCertificateArn"] = config["certificateArn"]
    return item


def _v2_view(item: dict[str, Any], region: str) -> dict[str, Any]:
    """A v2-created domain name, its configurations completed as AWS fills them."""
    item = dict(item)
    configs = []
    for config in item.get("domainNameConfigurations") or []:
        config = dict(config)
        config.setdefault("endpointType", "REGIONAL")
        config.setdefault("apiGatewayDomainName", _gateway_host(region, item["domainName"]))
        config.setdefault("hostedZoneId", _HOSTED_ZONE)
        config.setdefault("securityPolicy", "TLS_1_2")
        config.setdefault("domainNameStatus", "AVAILABLE")
        configs.append(config)
    item["domainNameConfigurations"] = configs
    return item


def _v2_from_v1(domain: Any, region: str) -> dict[str, Any]:
    """A v1-created domain name as v2 GetDomainNames shows it."""
    regional = "REGIONAL" in (domain.endpoint_configuration or {}).get("types", []) \
        or (domain.regional_certificate_arn and not domain.certificate_arn)
    config: dict[str, Any] = {
        "apiGatewayDomainName": domain.regional_domain_name if regional
        else domain.distribution_domain_name,
        "endpointType": "REGIONAL" if regional else "EDGE",
        "hostedZoneId": domain.regional_hosted_zone_id if regional
        else domain.distribution_hosted_zone_id,
        "securityPolicy": domain.security_policy or "TLS_1_2",
        "domainNameStatus": "AVAILABLE",
    }
    certificate = domain.regional_certificate_arn if regional else domain.certificate_arn
    if certificate:
        config["certificateArn"] = certificate
    return {
        "apiMappingSelectionExpression": "$request.basepath",
        "domainName": domain.domain_name,
        "domainNameArn": domain_name_arn(region, domain.domain_name),
        "domainNameConfigurations": [config],
        "tags": {},
    }


# --- paging ------------------------------------------------------------------------------


def _token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"{_TOKEN_PREFIX}{offset}".encode()).decode()


def _offset(token: str | None, error: type) -> int:
    if not token:
        return 0
    try:
        text = base64.urlsafe_b64decode(token.encode()).decode()
        if not text.startswith(_TOKEN_PREFIX):
            raise ValueError(text)
        return int(text[len(_TOKEN_PREFIX):])
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise error("Invalid pagination token")


def _limit(raw: Any, default: int | None, maximum: int, error: type, what: str) -> int | None:
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise error(f"Invalid {what}: {raw}")
    if not 1 <= value <= maximum:
        raise error(f"Invalid {what}: {raw}; must be between 1 and {maximum}")
    return value


# --- patches -----------------------------------------------------------------------------


def domain_names_page_as_aws_v1(self: APIGatewayResponse) -> str:
    """Replaces APIGatewayResponse.get_domain_names (v1: ``item``, ``position``)."""
    limit = _limit(self._get_param("limit"), V1_DEFAULT_LIMIT, V1_MAX_LIMIT, V1BadRequest, "limit")
    start = _offset(self._get_param("position"), V1BadRequest)
    own = self.backend.get_domain_names()
    names = {d.domain_name for d in own}
    items = [_v1_view(d.to_json()) for d in own] + [
        _v1_from_v2(d, self.region)
        for d in apigatewayv2_backends[self.current_account][self.region].get_domain_names()
        if d.domain_name not in names
    ]
    result: dict[str, Any] = {"item": items[start:start + limit]}
    if start + limit < len(items):
        result["position"] = _token(start + limit)
    return json.dumps(result)


def domain_names_page_as_aws_v2(self: ApiGatewayV2Response) -> tuple[int, dict, str]:
    """Replaces ApiGatewayV2Response.get_domain_names (v2: ``items``, ``nextToken``)."""
    limit = _limit(self._get_param("maxResults"), None, V1_MAX_LIMIT, V2BadRequest, "maxResults")
    start = _offset(self._get_param("nextToken"), V2BadRequest)
    own = self.apigatewayv2_backend.get_domain_names()
    names = {d.domain_name for d in own}
    items = [_v2_view(d.to_json(), self.region) for d in own] + [
        _v2_from_v1(d, self.region)
        for d in apigateway_backends[self.current_account][self.region].get_domain_names()
        if d.domain_name not in names
    ]
    end = len(items) if limit is None else start + limit
    result: dict[str, Any] = {"items": items[start:end]}
    if end < len(items):
        result["nextToken"] = _token(end)
    return 200, {}, json.dumps(result)


def domain_names_mark_certificates_in_use_v1(self: APIGatewayBackend, domain_name: str,
                                             *args: Any, **kwargs: Any) -> Any:
    """Wraps APIGatewayBackend.create_domain_name."""
    domain = _original_v1_create(self, domain_name, *args, **kwargs)
    for certificate in (domain.certificate_arn, domain.regional_certificate_arn):
        if certificate:
            mark_in_use(certificate, domain_name_arn(self.region_name, domain.domain_name))
    return domain


def domain_names_mark_certificates_in_use_v2(self: ApiGatewayV2Backend, *args: Any,
                                             **kwargs: Any) -> Any:
    """Wraps ApiGatewayV2Backend.create_domain_name."""
    domain = _original_v2_create(self, *args, **kwargs)
    for config in domain.domain_name_configurations or []:
        if config.get("certificateArn"):
            mark_in_use(config["certificateArn"], domain_name_arn(self.region_name, domain.domain_name))
    return domain


_original_v1_create: Callable = APIGatewayBackend.create_domain_name
_original_v2_create: Callable = ApiGatewayV2Backend.create_domain_name
_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    APIGatewayResponse.get_domain_names = domain_names_page_as_aws_v1
    ApiGatewayV2Response.get_domain_names = domain_names_page_as_aws_v2
    APIGatewayBackend.create_domain_name = domain_names_mark_certificates_in_use_v1
    ApiGatewayV2Backend.create_domain_name = domain_names_mark_certificates_in_use_v2
    _installed = True
