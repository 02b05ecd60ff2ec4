"""What every test shares: one frozen clock, one store factory, one desk factory, and one
way to wait for something another process does (`wait_until`: a condition, never a pause).

A `FrozenClock` stands still until the test moves it, so deadlines, ages and snapshots never
depend on when the suite runs. `make_desk` gives the core's `Desk` (the store, an agent, the
team's rules) that every operation takes; without a team, an agent works every line, as in a
one-person shop."""

from __future__ import annotations

import time
from collections.abc import Callable
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


def wait_until(ready: Callable[[], bool], what: str, seconds: float = 30.0) -> None:
    """Return as soon as `ready()` holds; fail naming `what` after `seconds`. For what another
    process does (a row it writes, a process that ends): its own pace is never assumed."""
    deadline = time.monotonic() + seconds
    while not ready():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {seconds:g} s")
        time.sleep(0.01)  # between looks at the condition


def outage(db_path: Path, children: int) -> int:
    """A store at `db_path` holding a parent problem with `children` open tickets hanging on
    it (set up in one commit); returns the parent's number."""
    from console.core import links, operations

    with Store.open(db_path) as store:
        desk = make_desk(store, "alice")
        parent = operations.create_ticket(desk, subject="Outage", requester="noc@example.com").id
        with store.batch():
            for n in range(children):
                child = operations.create_ticket(
                    desk, subject=f"Down {n}", requester=f"c{n}@example.com"
                ).id
                links.link_parent(desk, child, parent)
    return parent
