"""Shared helpers for the SLA and workflow tests: a clock the test moves by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from console.core.store import Store


class FrozenClock:
    """A clock that stands still until the test moves it."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now

    def set(self, moment: datetime) -> datetime:
        self.now = moment
        return moment


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def open_store(tmp_path: Path, clock: FrozenClock, name: str = "t.db") -> Store:
    return Store.open(tmp_path / name, clock=clock)
