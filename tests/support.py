"""What every test shares: one frozen clock, one store factory, one desk factory.

A `FrozenClock` stands still until the test moves it, so deadlines, ages and snapshots never
depend on when the suite runs. `make_desk` gives the core's `Desk` (the store, an agent, the
team's rules) that every operation takes; without a team, an agent works every line, as in a
one-person shop."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from console.core.desk import Desk
from console.core.sla import SlaPolicy
from console.core.store import Store
from console.core.team import Team


class FrozenClock:
    """A clock that stands still until the test moves it."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    @property
    def moment(self) -> datetime:
        return self.now

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


START = utc(2026, 11, 2, 9, 0)
"""A Monday morning."""


def open_store(path: Path, clock: FrozenClock) -> Store:
    """A store file at `path` (made when absent) that keeps time by `clock`."""
    if path.is_dir():
        path = path / "t.db"
    return Store.open(path, clock=clock)


def make_desk(
    store: Store,
    login: str = "agent",
    *,
    policy: SlaPolicy | None = None,
    team: Team | None = None,
    macros: str | Path | None = None,
) -> Desk:
    """`login` at the desk of `store`, under `policy` and `team` (the defaults: the built-in
    SLA and no team config, so the agent works every line)."""
    team = team or Team()
    return Desk(
        store,
        team.agent(login),
        policy or SlaPolicy(),
        team,
        None if macros is None else str(macros),
    )
