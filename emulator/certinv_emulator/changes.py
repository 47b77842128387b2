"""Tells the emulator when moto's state may have changed, so derived answers can be kept.

Config's aggregate items are built from every ACM certificate the aggregator covers;
rebuilding them for each 100-row Select page made a page cost O(all certificates)
(232 ms at 3,000, 3.3 s at 20,000). ``config`` keeps them for as long as
``STATE.changes`` stays the same, and this middleware moves it on after every request
that could have changed anything: any AWS operation whose name does not mark it as a
read, every ``/certinv-emulator/*`` and ``/moto-api/*`` request (seeding, faults,
moto's reset), and anything it cannot name. A read that changes state anyway bumps the
count itself (ACM's ISSUED -> EXPIRED on the anchored clock, in ``acm``).
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

from .state import STATE

# Operation-name prefixes of calls that only read. Anything else counts as a change: a
# spare rebuild is only slow, a missed one would be wrong.
READ_PREFIXES = ("Describe", "List", "Get", "Select", "Search", "BatchGet", "Lookup")
# Calls that make credentials and nothing else. certinv's P2 and P3 assume a role in
# every account; counting them as changes would make the next P1 run rebuild every
# configuration item.
CREDENTIAL_ONLY = {"AssumeRole", "AssumeRoleWithSAML", "AssumeRoleWithWebIdentity"}


def is_read(op: dict[str, Any] | None) -> bool:
    operation = (op or {}).get("operation") or ""
    return operation.startswith(READ_PREFIXES) or operation in CREDENTIAL_ONLY


class ChangeCounter:
    """WSGI: after each request that may have changed state, moves STATE.changes on.

    Sits inside the op log, which hands over its description of the call as
    ``environ["certinv.op"]``. The count moves once the call is answered, so whatever
    was computed while the change was under way is already out of date."""

    def __init__(self, app: Callable) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        try:
            return self.app(environ, start_response)
        finally:
            if not is_read(environ.get("certinv.op")):
                STATE.changed()
