"""What the extensions need to know about the seeded scenario, and the emulator's clock.

moto keeps its own state in its backends; this holds only what moto has no place for:
the anchor instant, each account's enabled regions, ACM's page size, what AWS Config
has (not) recorded, the Resource Explorer set-up (moto has no Resource Explorer), and
the faults to inject.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

DEFAULT_ACM_PAGE_SIZE = 1000


def utc_now_seconds() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def format_instant(instant: datetime) -> str:
    return instant.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_millis(instant: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SS.mmmZ``: how AWS Config and Resource Explorer write instants."""
    return instant.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + \
        f"{instant.microsecond // 1000:03d}Z"


def parse_instant(text: str) -> datetime:
    """RFC 3339 (``Z`` or an offset) to an aware UTC datetime, truncated to the second."""
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as err:
        raise ValueError(f"anchor {text!r} is not an RFC 3339 instant") from err
    if parsed.tzinfo is None:
        raise ValueError(f"anchor {text!r} has no time zone; add Z or an offset")
    return parsed.astimezone(timezone.utc).replace(microsecond=0)


@dataclass
class ScenarioState:
    name: str | None = None
    anchor: datetime = field(default_factory=utc_now_seconds)
    # Monotonic reading taken when the anchor was set, so the emulator's "now" advances
    # from the anchor at the real rate even when the anchor is in the past or future.
    anchor_monotonic: float = field(default_factory=time.monotonic)
    acm_page_size: int = DEFAULT_ACM_PAGE_SIZE
    regions_by_account: dict[str, list[str]] = field(default_factory=dict)
    accounts: int = 0
    certificates: int = 0
    # AWS Config lags ACM: ARNs its recorders have not caught up with yet, and the last
    # configuration items of certificates already gone from ACM (config.ConfigItem).
    config_unrecorded: set[str] = field(default_factory=set)
    config_deleted: list[Any] = field(default_factory=list)
    # resource_explorer.Explorer: indexes and views; None = Resource Explorer not set up.
    explorer: Any = None
    # faults.FaultSet: what to break; None = nothing (set when seeded or by POST /faults).
    faults: Any = None


class EmulatorState:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._current = ScenarioState()
        # Held across reset + build so no request sees a half-built scenario from a second seed.
        self.seed_lock = threading.Lock()
        # Moves on after anything that may have changed moto's state (see changes.py):
        # what is computed from that state may be kept while it stays the same.
        self.changes = 0

    @property
    def current(self) -> ScenarioState:
        return self._current

    def install(self, scenario: ScenarioState) -> None:
        with self._lock:
            self._current = scenario
            self.changes += 1

    def clear(self) -> None:
        """Back to "no scenario": moto's defaults apply again, the clock is the real one."""
        with self._lock:
            self._current = ScenarioState()
            self.changes += 1

    def changed(self) -> None:
        """Something may have changed moto's state: drop what was computed from it."""
        with self._lock:
            self.changes += 1

    def now(self) -> datetime:
        """The emulator's clock: the anchor plus the real time elapsed since it was set.

        With the default anchor (now) this is the real clock; with a fixed anchor, a
        certificate seeded to expire in 10 days stays ISSUED for 10 real days, matching
        what a client run with ``--now ANCHOR`` computes.
        """
        state = self._current
        return state.anchor + timedelta(seconds=time.monotonic() - state.anchor_monotonic)

    def regions_for(self, account_id: str) -> list[str] | None:
        return self._current.regions_by_account.get(account_id)


STATE = EmulatorState()
