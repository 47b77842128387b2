"""The organization as Config aggregators and Resource Explorer views see it.

Both services' organization-wide answers span "every ACTIVE account of the
organization"; this reads that from moto's Organizations backend at call time (so a
test that changes an account's status sees the change), not from the scenario file.
"""

from __future__ import annotations

from . import MANAGEMENT_ACCOUNT_ID


def _organizations():
    from moto.organizations.models import organizations_backends

    backend = organizations_backends[MANAGEMENT_ACCOUNT_ID]["aws"]
    return backend if backend.org is not None else None


def active_account_ids() -> list[str]:
    """ACTIVE member accounts (the management account first), in joining order."""
    backend = _organizations()
    if backend is None:
        return []
    return [a.id for a in backend.accounts if a.status == "ACTIVE"]


def organization_arn() -> str | None:
    backend = _organizations()
    return backend.org.arn if backend is not None else None
