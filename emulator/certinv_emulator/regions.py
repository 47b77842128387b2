"""EC2 DescribeRegions answers each account's enabled regions, from the scenario.

moto 5.2.5 lists every region it knows to every account. certinv reads "enabled
regions" from DescribeRegions in each account (opt-in regions differ per account), so
the emulator answers from the scenario:

- without ``AllRegions``: only the account's enabled regions;
- with ``AllRegions=true`` (or ``RegionNames``): every region, each with its
  ``OptInStatus``: ``opt-in-not-required`` or ``opted-in`` when enabled, else
  ``not-opted-in``.

An account the scenario does not name (or no scenario at all) gets moto's answer.
Filters ``region-name``, ``endpoint`` and ``opt-in-status`` are honoured.
"""

from __future__ import annotations

from typing import Any

from moto.core.responses import ActionResult
from moto.ec2.models.availability_zones_and_regions import RegionsAndZonesBackend
from moto.ec2.responses.availability_zones_and_regions import AvailabilityZonesAndRegions

from .state import STATE

_original_describe_regions = AvailabilityZonesAndRegions.describe_regions

_FILTER_FIELDS = {
    "region-name": "RegionName",
    "endpoint": "Endpoint",
    "opt-in-status": "OptInStatus",
}


def _region_row(name: str, enabled: bool) -> dict[str, str]:
    if not enabled:
        status = "not-opted-in"
    elif name in RegionsAndZonesBackend.regions_opt_in_not_required:
        status = "opt-in-not-required"
    else:
        status = "opted-in"
    return {"RegionName": name, "Endpoint": f"ec2.{name}.amazonaws.com", "OptInStatus": status}


def describe_regions_per_account(self: AvailabilityZonesAndRegions) -> ActionResult:
    """Replaces moto's AvailabilityZonesAndRegions.describe_regions."""
    enabled = STATE.regions_for(self.current_account)
    if enabled is None:
        return _original_describe_regions(self)
    self.error_on_dryrun()

    region_names: list[str] = self._get_param("RegionNames", []) or []
    all_regions = bool(self._get_bool_param("AllRegions", False)) or bool(region_names)
    universe = [r.name for r in RegionsAndZonesBackend.regions]
    universe += [name for name in enabled if name not in universe]

    rows: list[dict[str, Any]] = [
        _region_row(name, name in enabled)
        for name in sorted(universe)
        if all_regions or name in enabled
    ]
    if region_names:
        rows = [row for row in rows if row["RegionName"] in region_names]
    for filter_name, values in self._filters_from_querystring().items():
        field = _FILTER_FIELDS.get(filter_name)
        if field is not None:
            rows = [row for row in rows if row[field] in values]
    return ActionResult({"Regions": rows})


_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    AvailabilityZonesAndRegions.describe_regions = describe_regions_per_account
    _installed = True
