"""CloudFront distributions as certinv's usage phase reads them (ListDistributions).

- viewer_certificate_as_aws: moto 5.2.5 reports every distribution's ViewerCertificate
  with ``CertificateSource: cloudfront`` and ``CloudFrontDefaultCertificate: true``
  unless the request said otherwise, even when it serves an ACM or IAM certificate.
  AWS reports ``CertificateSource`` ``acm`` (``Certificate`` = the ACM ARN) or ``iam``
  (``Certificate`` = the IAM certificate ID) and ``CloudFrontDefaultCertificate: false``;
  moto also answers the unused one of ``ACMCertificateArn``/``IAMCertificateId`` as an
  empty string, which AWS leaves out.
- distributions_mark_certificates_in_use: moto never puts a distribution in its ACM
  certificate's InUseBy; AWS puts the distribution ARN there
  (``arn:aws:cloudfront::ACCOUNT:distribution/ID``). The certificate lives in
  us-east-1 of the distribution's account.

ListDistributions' own paging (Marker, MaxItems default 100, NextMarker, IsTruncated)
is moto's and is right.
"""

from __future__ import annotations

from typing import Any, Callable

from moto.cloudfront.models import CloudFrontBackend, Distribution, ViewerCertificate

from .acm import mark_in_use


def viewer_certificate_as_aws(self: ViewerCertificate, config: dict[str, Any]) -> None:
    """Wraps ViewerCertificate.__init__."""
    _original_viewer_certificate_init(self, config)
    if self.acm_certificate_arn:
        self.certificate_source, self.certificate = "acm", self.acm_certificate_arn
    elif self.iam_certificate_id:
        self.certificate_source, self.certificate = "iam", self.iam_certificate_id
    if self.acm_certificate_arn or self.iam_certificate_id:
        self.cloud_front_default_certificate = False
    # moto answers the unused one as "" (a client would read an empty IAM certificate
    # ID); AWS leaves it out.
    self.acm_certificate_arn = self.acm_certificate_arn or None
    self.iam_certificate_id = self.iam_certificate_id or None
    self.certificate = self.certificate or None


def distributions_mark_certificates_in_use(self: CloudFrontBackend, *args: Any,
                                           **kwargs: Any) -> tuple[Distribution, str, str]:
    """Wraps CloudFrontBackend.create_distribution_with_tags (create_distribution calls it)."""
    dist, location, etag = _original_create(self, *args, **kwargs)
    # DistributionConfig keeps the request's keys as attributes: "ViewerCertificate".
    viewer = getattr(dist.distribution_config, "ViewerCertificate", None)
    certificate = getattr(viewer, "acm_certificate_arn", "")
    if certificate:
        mark_in_use(certificate, dist.arn)
    return dist, location, etag


_original_viewer_certificate_init: Callable = ViewerCertificate.__init__
_original_create: Callable = CloudFrontBackend.create_distribution_with_tags
_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    ViewerCertificate.__init__ = viewer_certificate_as_aws
    CloudFrontBackend.create_distribution_with_tags = distributions_mark_certificates_in_use
    _installed = True
