"""ELBv2 and classic ELB describe calls as AWS pages and fills them.

certinv's usage phase walks every load balancer, listener and listener certificate in
each account and region; each patch closes one moto 5.2.5 gap on that walk:

- elbv2_pages_as_aws: moto's DescribeLoadBalancers pages 50 at a time (AWS: 400) and
  its DescribeListeners and DescribeListenerCertificates ignore Marker and PageSize
  (AWS pages both). All three now page as AWS does: PageSize 1-400 (default 400),
  an opaque Marker, and AWS's ValidationError outside that range.
- classic_pages_as_aws: the same for classic ELB DescribeLoadBalancers (moto: 50).
- sni_certificates_marked_in_use: AddListenerCertificates does not put the load balancer
  in the certificate's InUseBy; AWS does for every certificate a listener serves.
- classic_dns_names_as_aws: a classic load balancer's DNSName is always
  ``NAME.us-east-1.elb.amazonaws.com``; AWS's is ``NAME-NNNNNNNNNN.REGION.elb.amazonaws.com``.
"""

from __future__ import annotations

import base64
import binascii
import zlib
from typing import Any, Callable

from moto.core.responses import ActionResult
from moto.elb.models import ELBBackend, LoadBalancer
from moto.elb.responses import ELBResponse
from moto.core.exceptions import ServiceException
from moto.elbv2.models import ELBv2Backend
from moto.elbv2.responses import ELBV2Response

from .acm import mark_in_use

MAX_PAGE_SIZE = 400
_MARKER_PREFIX = "certinv-elb:"


class _ValidationError(ServiceException):
    def __init__(self, message: str) -> None:
        super().__init__("ValidationError", message)


def _page(response: Any, items: list[Any]) -> tuple[list[Any], str | None]:
    """One page of ``items`` from the request's PageSize and Marker, and the next Marker."""
    size = response._get_int_param("PageSize", MAX_PAGE_SIZE)
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise _ValidationError(f"1 validation error detected: Value '{size}' at 'pageSize' failed "
                               f"to satisfy constraint: Member must have value less than or equal "
                               f"to {MAX_PAGE_SIZE}")
    marker = response._get_param("Marker")
    start = 0
    if marker:
        try:
            text = base64.urlsafe_b64decode(marker.encode()).decode()
            if not text.startswith(_MARKER_PREFIX):
                raise ValueError(text)
            start = int(text[len(_MARKER_PREFIX):])
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise _ValidationError("The marker is not valid.")
    end = start + size
    following = None
    if end < len(items):
        following = base64.urlsafe_b64encode(f"{_MARKER_PREFIX}{end}".encode()).decode()
    return items[start:end], following


def _result(key: str, page: list[Any], following: str | None) -> ActionResult:
    result: dict[str, Any] = {key: page}
    if following:
        result["NextMarker"] = following
    return ActionResult(result)


# --- ELBv2 -----------------------------------------------------------------------------


def describe_load_balancers_pages_as_aws(self: ELBV2Response) -> ActionResult:
    """Replaces ELBV2Response.describe_load_balancers."""
    balancers = list(self.elbv2_backend.describe_load_balancers(
        self._get_param("LoadBalancerArns", []), self._get_param("Names", [])))
    return _result("LoadBalancers", *_page(self, balancers))


def describe_listeners_pages_as_aws(self: ELBV2Response) -> ActionResult:
    """Wraps ELBV2Response.describe_listeners (which keeps moto's argument checks)."""
    listeners = _original_describe_listeners(self).result["Listeners"]
    return _result("Listeners", *_page(self, list(listeners)))


def describe_listener_certificates_pages_as_aws(self: ELBV2Response) -> ActionResult:
    """Wraps ELBV2Response.describe_listener_certificates: the default certificate first
    (IsDefault true), then those added with AddListenerCertificates, paged."""
    certificates = _original_describe_listener_certificates(self).result["Certificates"]
    return _result("Certificates", *_page(self, list(certificates)))


def sni_certificates_marked_in_use(self: ELBv2Backend, arn: str,
                                   certificates: list[dict[str, Any]]) -> list[str]:
    """Wraps ELBv2Backend.add_listener_certificates."""
    result = _original_add_listener_certificates(self, arn, certificates)
    listener = self.describe_listeners(None, [arn])[0]
    for certificate in certificates:
        if certificate.get("CertificateArn"):
            mark_in_use(certificate["CertificateArn"], listener.load_balancer_arn)
    return result


# --- classic ELB -----------------------------------------------------------------------


def classic_describe_load_balancers_pages_as_aws(self: ELBResponse) -> ActionResult:
    """Replaces ELBResponse.describe_load_balancers."""
    balancers = list(self.elb_backend.describe_load_balancers(
        self._get_param("LoadBalancerNames", [])))
    return _result("LoadBalancerDescriptions", *_page(self, balancers))


def classic_dns_names_as_aws(self: ELBBackend, name: str, *args: Any, **kwargs: Any) -> LoadBalancer:
    """Wraps ELBBackend.create_load_balancer: AWS's DNS name, region and all. (moto
    records InUseBy from the DNS name during the call; acm maps either form to the ARN.)"""
    balancer = _original_create_load_balancer(self, name, *args, **kwargs)
    digits = zlib.crc32(f"{self.account_id}/{self.region_name}/{name}".encode()) % 10**10
    prefix = "internal-" if balancer.scheme == "internal" else ""
    balancer.dns_name = f"{prefix}{name}-{digits:010d}.{self.region_name}.elb.amazonaws.com"
    return balancer


_original_describe_listeners: Callable = ELBV2Response.describe_listeners
_original_describe_listener_certificates: Callable = ELBV2Response.describe_listener_certificates
_original_add_listener_certificates: Callable = ELBv2Backend.add_listener_certificates
_original_create_load_balancer: Callable = ELBBackend.create_load_balancer
_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    ELBV2Response.describe_load_balancers = describe_load_balancers_pages_as_aws
    ELBV2Response.describe_listeners = describe_listeners_pages_as_aws
    ELBV2Response.describe_listener_certificates = describe_listener_certificates_pages_as_aws
    ELBv2Backend.add_listener_certificates = sni_certificates_marked_in_use
    ELBResponse.describe_load_balancers = classic_describe_load_balancers_pages_as_aws
    ELBBackend.create_load_balancer = classic_dns_names_as_aws
    _installed = True
