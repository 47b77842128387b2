"""The organization's OU tree as AWS Organizations answers it.

The seeder builds the tree with moto's own CreateOrganizationalUnit and MoveAccount (a
scenario account's ``ou`` path; accounts without one stay under the root), and moto
5.2.5 answers ListRoots, ListOrganizationalUnitsForParent, ListAccountsForParent and
ListParents right for it. What differs from AWS:

- describe_ou_refuses_other_ids: DescribeOrganizationalUnit given the root's ID answers
  the root's own description, without the ``OrganizationalUnit`` wrapper (boto3 sees an
  empty answer). AWS validates the ID (``ou-…``): InvalidInputException.
- list_parents_child_not_found: ListParents of an unknown account answers
  AccountNotFoundException (and of an unknown OU OrganizationalUnitNotFoundException);
  AWS answers ChildNotFoundException for both.
- page_size_at_most_20: ListAccountsForParent and ListOrganizationalUnitsForParent
  accept any MaxResults; AWS refuses anything outside 1-20 (InvalidInputException).
  (moto's default page of 20 and its NextToken are kept.)
"""

from __future__ import annotations

import re
from typing import Any, Callable

from moto.organizations.exceptions import InvalidInputException, OrganizationsClientError
from moto.organizations.responses import OrganizationsResponse

MAX_RESULTS_LIMIT = 20
_OU_ID = re.compile(r"^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$")
_CHILD_ID = re.compile(r"^(\d{12})|(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$")


class ChildNotFoundException(OrganizationsClientError):
    def __init__(self) -> None:
        super().__init__("ChildNotFoundException",
                         "We can't find an organizational unit (OU) or AWS account with the "
                         "ChildId that you specified.")


def _pattern_error(field: str) -> InvalidInputException:
    return InvalidInputException(
        f"You provided a value that does not match the required pattern. ({field})")


def describe_ou_refuses_other_ids(self: OrganizationsResponse) -> str:
    """Wraps OrganizationsResponse.describe_organizational_unit."""
    if not _OU_ID.match(str(self._get_param("OrganizationalUnitId") or "")):
        raise _pattern_error("OrganizationalUnitId")
    return _original["describe_organizational_unit"](self)


def list_parents_child_not_found(self: OrganizationsResponse) -> str:
    """Wraps OrganizationsResponse.list_parents."""
    if not _CHILD_ID.match(str(self._get_param("ChildId") or "")):
        raise _pattern_error("ChildId")
    try:
        return _original["list_parents"](self)
    except OrganizationsClientError as err:
        if err.code in ("AccountNotFoundException", "OrganizationalUnitNotFoundException"):
            raise ChildNotFoundException() from None
        raise


def _page_size_at_most_20(name: str) -> Callable[[OrganizationsResponse], str]:
    def page_size_at_most_20(self: OrganizationsResponse) -> str:
        max_results = self._get_param("MaxResults")
        if max_results is not None and not 1 <= int(max_results) <= MAX_RESULTS_LIMIT:
            raise InvalidInputException(
                f"You specified a value that is outside the range allowed for MaxResults "
                f"(1-{MAX_RESULTS_LIMIT}).")
        return _original[name](self)

    page_size_at_most_20.__doc__ = f"Wraps OrganizationsResponse.{name}."
    return page_size_at_most_20


_original: dict[str, Any] = {}
_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    for name in ("describe_organizational_unit", "list_parents", "list_accounts_for_parent",
                 "list_organizational_units_for_parent"):
        _original[name] = getattr(OrganizationsResponse, name)
    OrganizationsResponse.describe_organizational_unit = describe_ou_refuses_other_ids
    OrganizationsResponse.list_parents = list_parents_child_not_found
    for name in ("list_accounts_for_parent", "list_organizational_units_for_parent"):
        setattr(OrganizationsResponse, name, _page_size_at_most_20(name))
    _installed = True
