"""Auth fixtures: a clock the tests move by hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from gi_trace.api.auth.caller import EXTENSION
from tests.api.reads.world import World


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(world: World, monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The authenticator's clock, frozen at a whole second of the real time."""
    fake = Clock(datetime.now(UTC).replace(microsecond=0))
    monkeypatch.setattr(world.app.extensions[EXTENSION], "clock", fake)
    return fake
