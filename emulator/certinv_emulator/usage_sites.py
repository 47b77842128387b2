"""Where a scenario's certificates are deployed: one builder per ``in_use`` kind.

Each builds, through moto's own backends in the certificate's account, the resource
certinv's usage phase will find, and returns that resource's ARN as ACM's InUseBy
names it. Creating it marks the certificate in use as AWS does (moto itself for ELB;
the cloudfront and domain_names extensions for the rest), so the seeder only has to
take out what a scenario's ``inuseby_omits`` says ACM forgot.

| kind       | builds                                                           | InUseBy entry |
|------------|------------------------------------------------------------------|---------------|
| elbv2      | internet-facing ALB ``alb-LABEL-NNNN``, HTTPS:443 listener       | ``arn:aws:elasticloadbalancing:R:A:loadbalancer/app/NAME/ID`` |
| clb        | classic ELB ``clb-LABEL-NNNN``, HTTPS:443 → HTTP:80 listener     | ``arn:aws:elasticloadbalancing:R:A:loadbalancer/NAME`` |
| cloudfront | distribution, alias = the domain, ACM certificate (us-east-1), SNI | ``arn:aws:cloudfront::A:distribution/ID`` |
| apigw      | API Gateway v1 REGIONAL custom domain name = the domain          | ``arn:aws:apigateway:R::/domainnames/NAME`` |
| apigwv2    | API Gateway v2 (REGIONAL) custom domain name = the domain        | same form |

(NNNN is the certificate's position in the scenario; a wildcard's ``*`` becomes ``www``
in a CloudFront alias and ``api`` in a domain name: ``scenario.usage_name``.)
"""

from __future__ import annotations

import re
from typing import Any, Callable

from .domain_names import domain_name_arn
from .scenario import CertSpec, usage_name

_FIXED_RESPONSE = [{
    "Type": "fixed-response",
    "FixedResponseConfig": {"StatusCode": "200", "ContentType": "text/plain", "MessageBody": "ok"},
}]


def _load_balancer_name(cert: CertSpec, prefix: str = "alb") -> str:
    # ELB names: at most 32 of [A-Za-z0-9-], no leading/trailing hyphen.
    label = re.sub(r"[^a-z0-9-]", "-", cert.domain.lstrip("*.").split(".")[0]).strip("-") or "lb"
    return f"{prefix}-{label[:20]}-{cert.index:04d}".replace("--", "-")


def _default_subnets(build: Any, cert: CertSpec) -> list[str]:
    """Two subnets of the account's default VPC in the region, looked up once."""
    from moto.ec2.models import ec2_backends

    key = (cert.account, cert.region)
    if key not in build.subnets:
        ec2 = ec2_backends[cert.account][cert.region]
        subnets = ec2.describe_subnets(filters={"vpc-id": [ec2.default_vpc.id]})
        build.subnets[key] = [s.id for s in subnets[:2]]
    return build.subnets[key]


def use_on_elbv2(build: Any, cert: CertSpec, certificate_arn: str) -> str:
    """An internet-facing ALB with an HTTPS:443 listener serving the certificate; moto's
    CreateListener marks it in use (acm turns the listener into the balancer's ARN)."""
    from moto.elbv2.models import elbv2_backends

    elbv2 = elbv2_backends[cert.account][cert.region]
    balancer = elbv2.create_load_balancer(
        name=_load_balancer_name(cert),
        security_groups=[],
        subnet_ids=_default_subnets(build, cert),
        scheme="internet-facing",
        loadbalancer_type="application",
        tags=[{"Key": "certinv:domain", "Value": cert.domain}],
    )
    balancer.state = "active"
    elbv2.create_listener(
        load_balancer_arn=balancer.arn,
        protocol="HTTPS",
        port=443,
        ssl_policy="ELBSecurityPolicy-TLS13-1-2-2021-06",
        certificate=certificate_arn,
        actions=_FIXED_RESPONSE,
    )
    return balancer.arn


def use_on_classic_elb(build: Any, cert: CertSpec, certificate_arn: str) -> str:
    """A classic ELB whose HTTPS:443 listener (``SSLCertificateId``) serves the
    certificate; moto's CreateLoadBalancer marks it in use."""
    from moto.elb.models import elb_backends
    from moto.utilities.utils import get_partition

    name = _load_balancer_name(cert, "clb")
    elb_backends[cert.account][cert.region].create_load_balancer(
        name=name,
        zones=[],
        ports=[{"Protocol": "HTTPS", "LoadBalancerPort": 443, "InstanceProtocol": "HTTP",
                "InstancePort": 80, "SSLCertificateId": certificate_arn}],
        scheme="internet-facing",
        subnets=_default_subnets(build, cert),
    )
    return (f"arn:{get_partition(cert.region)}:elasticloadbalancing:{cert.region}:"
            f"{cert.account}:loadbalancer/{name}")


def use_on_cloudfront(build: Any, cert: CertSpec, certificate_arn: str) -> str:
    """A deployed distribution in the certificate's account, aliased to its domain,
    serving the ACM certificate by SNI (cloudfront marks it in use). Given an IAM
    ServerCertificateId instead of an ACM ARN, it serves that IAM server certificate
    (``IAMCertificateId``), as CloudFront names IAM certificates by ID."""
    from moto.cloudfront.models import cloudfront_backends

    source = ({"ACMCertificateArn": certificate_arn} if certificate_arn.startswith("arn:")
              else {"IAMCertificateId": certificate_arn})
    alias = usage_name(cert, "cloudfront")
    config = {
        "CallerReference": f"certinv-{build.scenario.name}-{cert.index}",
        "Aliases": {"Quantity": 1, "Items": [alias]},
        "Origins": {"Quantity": 1, "Items": [{
            "Id": "origin", "DomainName": f"origin.{alias.split('.', 1)[-1]}",
            "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443,
                                   "OriginProtocolPolicy": "https-only"},
        }]},
        "DefaultCacheBehavior": {"TargetOriginId": "origin", "ViewerProtocolPolicy": "redirect-to-https",
                                 "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"},
        "Comment": f"certinv: {cert.domain}",
        "Enabled": True,
        "ViewerCertificate": {**source, "SSLSupportMethod": "sni-only",
                              "MinimumProtocolVersion": "TLSv1.2_2021"},
    }
    dist, _, _ = cloudfront_backends[cert.account]["aws"].create_distribution(
        distribution_config=config, tags=[])
    dist.advance()  # InProgress -> Deployed
    return dist.arn


def use_on_apigw(build: Any, cert: CertSpec, certificate_arn: str) -> str:
    """An API Gateway (v1) REGIONAL custom domain name (domain_names marks it in use)."""
    from moto.apigateway.models import apigateway_backends

    name = usage_name(cert, "apigw")
    apigateway_backends[cert.account][cert.region].create_domain_name(
        domain_name=name, certificate_name=None, tags=None, certificate_arn=None,
        certificate_body=None, certificate_private_key=None, certificate_chain=None,
        regional_certificate_name=None, regional_certificate_arn=certificate_arn,
        endpoint_configuration={"types": ["REGIONAL"]}, security_policy="TLS_1_2",
    )
    return domain_name_arn(cert.region, name)


def use_on_apigwv2(build: Any, cert: CertSpec, certificate_arn: str) -> str:
    """An API Gateway v2 custom domain name (REGIONAL, the only kind v2 creates)."""
    from moto.apigatewayv2.models import apigatewayv2_backends

    name = usage_name(cert, "apigwv2")
    apigatewayv2_backends[cert.account][cert.region].create_domain_name(
        domain_name=name,
        domain_name_configurations=[{"certificateArn": certificate_arn, "endpointType": "REGIONAL",
                                     "securityPolicy": "TLS_1_2"}],
        mutual_tls_authentication={}, tags={},
    )
    return domain_name_arn(cert.region, name)


USAGE_BUILDERS: dict[str, Callable[[Any, CertSpec, str], str]] = {
    "elbv2": use_on_elbv2,
    "clb": use_on_classic_elb,
    "cloudfront": use_on_cloudfront,
    "apigw": use_on_apigw,
    "apigwv2": use_on_apigwv2,
}
