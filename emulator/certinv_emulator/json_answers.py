"""ACM's two hot reads answered as JSON directly, not through moto's model serializer.

moto 5.2.5 turns an ``ActionResult`` into JSON by walking botocore's output shape
member by member; under certinv's P3 load (3,000 DescribeCertificate and 900
ListCertificates of 4,500 calls) that walk was a quarter of the emulator's CPU. For
these operations the dicts are already in AWS's shape (``acm``: moto's describe plus
``describe_as_aws``, ``certificate_summary``), so ``answer`` writes the same JSON the
serializer would (compared on 840 answers: same headers, same parsed documents; key
order and spacing may differ): members whose value is None left out, instants as whole epoch
seconds (``datetime_to_epoch`` gives floats such as ``1792917687.0``), the JSON 1.1
content type. Errors still go through moto (raised before anything is written).
"""

from __future__ import annotations

import json
from typing import Any

from moto.acm.exceptions import AWSValidationException
from moto.acm.responses import AWSCertificateManagerResponse

# DescribeCertificate / CertificateSummary members that are timestamps.
TIME_FIELDS = {"NotBefore", "NotAfter", "CreatedAt", "IssuedAt", "ImportedAt", "RevokedAt",
               "UpdatedAt"}
CONTENT_TYPE = "application/x-amz-json-1.1"


def _wire(value: Any, key: str | None = None) -> Any:
    if isinstance(value, dict):
        return {k: _wire(v, k) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_wire(v) for v in value if v is not None]
    if key in TIME_FIELDS and isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def answer(result: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """A JSON 1.1 response body and headers, as moto's call_action takes them."""
    return json.dumps(_wire(result), separators=(",", ":")), {"Content-Type": CONTENT_TYPE}


def describe_certificate(self: AWSCertificateManagerResponse) -> tuple[str, dict[str, str]]:
    """Replaces AWSCertificateManagerResponse.describe_certificate (same checks)."""
    arn = self._get_param("CertificateArn")
    if arn is None:
        raise AWSValidationException("A required parameter for the specified action is not supplied.")
    return answer(self.acm_backend.describe_certificate(arn).describe())


_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    AWSCertificateManagerResponse.describe_certificate = describe_certificate
    _installed = True
