"""certinv's AWS emulator: moto 5.2.5 in server mode plus small named extensions.

Every extension lives in its own module, named for the moto 5.2.5 gap it closes:

- ``oplog``   records every AWS operation served (tests prove read-only runs with it)
- ``acm``     makes ACM answer as AWS does (paging, default key-type filter, InUseBy, ...)
- ``regions`` makes EC2 DescribeRegions answer each account's enabled regions
- ``config``  Config aggregators that see ACM certificates org-wide: SelectAggregateResourceConfig
              (SQL subset in ``config_query``) and DescribeConfigurationAggregatorSourcesStatus
- ``resource_explorer``  Resource Explorer 2 (absent from moto): indexes, views, Search
- ``load_balancers``  ELBv2 / classic ELB describe calls paged and filled as AWS does
- ``cloudfront``      distributions' ViewerCertificate as AWS reports it; InUseBy
- ``domain_names``    API Gateway v1/v2 GetDomainNames paged and shared; InUseBy
- ``iam_server_certificates``  IAM server certificates' real metadata (Expiration from the
              body, ID, UploadDate), ListServerCertificates paged
- ``private_ca``  ACM Private CA status on the anchored clock; CA certificates readable
- ``organizations_ous``  the OU tree's calls refuse as AWS does (IDs, MaxResults, ChildNotFound)
- ``faults``  throttling, 5xx, latency, dropped connections, denials (``aws_errors``
              spells each service's errors)
- ``seed``    the ``/certinv-emulator/*`` endpoints: seed a scenario, read the op log,
              set faults
- ``hot_path``, ``json_answers``  what moto recomputes on every call, kept (never stale);
              DescribeCertificate and ListCertificates written as JSON directly
- ``changes`` counts calls that may change state, so Config's items are kept until then

``workers`` serves one seeded scenario from forked processes (``--workers N``), for
read-only load such as the benchmark's latency model.

``seeder`` builds a scenario through moto's backends in-process (``usage_sites``: where
each certificate is deployed); ``scenario`` loads and validates scenario files
(``scenario_iam_pca``: its IAM server certificate and private CA sections); ``certs``
makes the certificate bodies; ``organization`` reads the ACTIVE accounts that
organization-wide answers span.
"""

MANAGEMENT_ACCOUNT_ID = "123456789012"  # moto's DEFAULT_ACCOUNT_ID: plain credentials land here
