"""How each AWS service spells an error on the wire, for the faults module.

A fault must look exactly like the real service's own error, in its own protocol, or
certinv's SDK would not classify it (throttling vs transient vs access denied) the way
it does against AWS. One table per fault kind, keyed by the SigV4 signing name:

| protocol  | services                         | wire form                                          |
|-----------|----------------------------------|----------------------------------------------------|
| json      | acm, acm-pca, config, organizations | ``{"__type": CODE, "message": MSG}``, x-amz-json-1.1 |
| query     | sts, elasticloadbalancing, iam   | ``<ErrorResponse xmlns=NS><Error><Type>Sender|Receiver</Type><Code/><Message/></Error><RequestId/></ErrorResponse>`` |
| ec2       | ec2                              | ``<Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>`` |
| rest-xml  | cloudfront                       | like query, namespace ``http://cloudfront.amazonaws.com/doc/2020-05-31/`` |
| rest-json | apigateway, resource-explorer-2  | header ``x-amzn-ErrorType: CODE``, body ``{"message": MSG}`` (Resource Explorer: ``Message``) |
"""

from __future__ import annotations

import json
import uuid
from xml.sax.saxutils import escape

PROTOCOLS = {
    "acm": "json", "acm-pca": "json", "config": "json", "organizations": "json",
    "sts": "query", "elasticloadbalancing": "query", "iam": "query",
    "ec2": "ec2",
    "cloudfront": "rest-xml",
    "apigateway": "rest-json", "resource-explorer-2": "rest-json",
}

# (HTTP status, code, message) of each service's throttling error.
THROTTLING = {
    "acm": (400, "ThrottlingException", "Rate exceeded"),
    "acm-pca": (400, "ThrottlingException", "Rate exceeded"),
    "config": (400, "ThrottlingException", "Rate exceeded"),
    "organizations": (400, "TooManyRequestsException",
                      "AWS Organizations can't complete your request because it received too "
                      "many requests. Try again later."),
    "sts": (400, "Throttling", "Rate exceeded"),
    "elasticloadbalancing": (400, "Throttling", "Rate exceeded"),
    "iam": (400, "Throttling", "Rate exceeded"),
    "ec2": (503, "RequestLimitExceeded", "Request limit exceeded."),
    "cloudfront": (400, "Throttling", "Rate exceeded"),
    "apigateway": (429, "TooManyRequestsException", "Too Many Requests"),
    "resource-explorer-2": (429, "ThrottlingException", "Rate exceeded"),
}
_DEFAULT_THROTTLING = (400, "ThrottlingException", "Rate exceeded")

# Server-side errors by status: AWS's common InternalFailure / ServiceUnavailable, or the
# service's own modelled exception where it has one.
_SERVER_ERRORS = {
    500: ("InternalFailure", "The request processing has failed because of an unknown error, "
                             "exception or failure."),
    503: ("ServiceUnavailable", "The request has failed due to a temporary failure of the server."),
}
_SERVER_ERROR_CODES = {
    ("ec2", 500): "InternalError",
    ("ec2", 503): "Unavailable",
    ("organizations", 500): "ServiceException",
    ("apigateway", 503): "ServiceUnavailableException",
    ("resource-explorer-2", 500): "InternalServerException",
}


def throttling(service: str | None) -> tuple[int, str, str]:
    return THROTTLING.get(service or "", _DEFAULT_THROTTLING)


def server_error(service: str | None, status: int) -> tuple[int, str, str]:
    code, message = _SERVER_ERRORS[status]
    return status, _SERVER_ERROR_CODES.get((service or "", status), code), message


def render(service: str | None, status: int, code: str, message: str,
           api_version: str | None = None) -> tuple[str, list[tuple[str, str]], bytes]:
    """(status line, headers, body) of ``code`` as ``service`` answers it."""
    request_id = str(uuid.uuid4())  # not moto's seeded random: faults must not shift seeded IDs
    protocol = PROTOCOLS.get(service or "", "json")
    headers = [("x-amzn-RequestId", request_id)]
    if protocol == "json":
        body = json.dumps({"__type": code, "message": message}).encode()
        headers += [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-ErrorType", code)]
    elif protocol == "rest-json":
        key = "Message" if service == "resource-explorer-2" else "message"
        body = json.dumps({key: message}).encode()
        headers += [("Content-Type", "application/json"), ("x-amzn-ErrorType", code)]
    elif protocol == "ec2":
        body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>{code}</Code>'
                f"<Message>{escape(message)}</Message></Error></Errors>"
                f"<RequestID>{request_id}</RequestID></Response>").encode()
        headers += [("Content-Type", "text/xml;charset=UTF-8")]
    else:  # query and rest-xml share AWS's ErrorResponse document
        if protocol == "rest-xml":
            namespace = "http://cloudfront.amazonaws.com/doc/2020-05-31/"
        else:
            host = "sts" if service == "sts" else service
            scheme = "https" if service in ("sts", "iam") else "http"
            namespace = f"{scheme}://{host}.amazonaws.com/doc/{api_version or _VERSIONS.get(service, '')}/"
        kind = "Sender" if status < 500 else "Receiver"
        body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="{namespace}">'
                f"<Error><Type>{kind}</Type><Code>{code}</Code><Message>{escape(message)}</Message>"
                f"</Error><RequestId>{request_id}</RequestId></ErrorResponse>").encode()
        headers += [("Content-Type", "text/xml")]
    headers.append(("Content-Length", str(len(body))))
    return f"{status} {_REASONS.get(status, 'Error')}", headers, body


# API version a query request names (``Version=``) picks the namespace; these are the
# fallbacks when it names none.
_VERSIONS = {"sts": "2011-06-15", "elasticloadbalancing": "2015-12-01", "iam": "2010-05-08"}
_REASONS = {400: "Bad Request", 403: "Forbidden", 429: "Too Many Requests",
            500: "Internal Server Error", 503: "Service Unavailable"}
