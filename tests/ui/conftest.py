"""Fixtures for the UI tests: a small demo store in a temporary file and the app on it, with a
frozen clock so that ages, and therefore snapshots, never change."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from ui_helpers import AGENT, frozen_clock

from console.core import timers
from console.core.demo import build_demo
from console.core.store import Store
from console.tui.app import ConsoleApp, make_app
from tests.support import make_desk


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once; each test gets its own copy, so tests may write to it."""
    path = tmp_path_factory.mktemp("demo") / "template.db"
    build_demo(path, tickets=300, seed=7, clock=frozen_clock)
    # As cron would leave it: the app's own timer run at start then finds nothing to do, so
    # the screens (and snapshots) show the same data whichever worker finishes first.
    store = Store.open(path, clock=frozen_clock)
    try:
        timers.tick(make_desk(store, "cron"))
    finally:
        store.close()
    return path


@pytest.fixture
def db_path(demo_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "desk.db"
    shutil.copy(demo_template, path)
    return path


@pytest.fixture
def make(db_path: Path) -> Callable[[], ConsoleApp]:
    """Builds the app on the test's store; call it inside the test."""
    return lambda: make_app(db_path, AGENT, clock=frozen_clock)


@pytest.fixture
def app(make: Callable[[], ConsoleApp]) -> ConsoleApp:
    return make()
