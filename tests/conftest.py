"""Fixtures shared by every test: real SQLite files in a temporary folder, one frozen clock,
and the desk an agent works at (see `tests.support`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from console.core.desk import Desk
from console.core.store import Store
from tests.support import START, FrozenClock, make_desk, open_store


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "tickets.db"


@pytest.fixture
def store(db_path: Path, clock: FrozenClock) -> Iterator[Store]:
    with open_store(db_path, clock) as opened:
        yield opened


@pytest.fixture
def desk(store: Store) -> Desk:
    """The store as "agent" works it: every line, the built-in SLA policy."""
    return make_desk(store)
