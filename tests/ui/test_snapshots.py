"""Snapshots of the main screen and the ticket screen at 80x24 and 120x36: as they open, with
a saved view, a query and a selection, with a query that cannot be read, and the ticket
screen scrolled to the customer.

The store is the 300-ticket demo with a frozen clock, so ages and counts never move. After a
deliberate change of the look, regenerate with `pytest tests/ui --snapshot-update` and look at
the SVG files before committing them."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from ui_helpers import AGENT, frozen_clock, settle

from console.core.desk import open_desk
from console.core.query import parse
from console.core.views import View
from console.tui.app import ConsoleApp


async def _open_second_ticket(pilot: Pilot) -> None:
    await settle(pilot)
    await pilot.press("j", "enter")
    await settle(pilot)


def test_main_screen_80x24(snap_compare, make) -> None:
    assert snap_compare(make(), terminal_size=(80, 24), run_before=settle)


def test_main_screen_120x36(snap_compare, make) -> None:
    assert snap_compare(make(), terminal_size=(120, 36), run_before=settle)


def test_ticket_screen_120x36(snap_compare, make) -> None:
    assert snap_compare(make(), terminal_size=(120, 36), run_before=_open_second_ticket)


def test_ticket_screen_80x24(snap_compare, make) -> None:
    assert snap_compare(make(), terminal_size=(80, 24), run_before=_open_second_ticket)


async def _to_the_customer(pilot: Pilot) -> None:
    await _open_second_ticket(pilot)
    await pilot.press("end")  # the thread ends with the customer and their other tickets
    await settle(pilot)


@pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=["80x24", "120x36"])
def test_ticket_screen_customer(snap_compare, make, size) -> None:
    assert snap_compare(make(), terminal_size=size, run_before=_to_the_customer)


def _with_a_view(db_path: Path) -> ConsoleApp:
    text = "pri:P1,P2 court:customer"
    view = View("Waiting on them", text, parse(text), "console.toml")
    return ConsoleApp(open_desk(db_path, AGENT, frozen_clock), clock=frozen_clock, views=[view])


async def _filter_and_select(pilot: Pilot) -> None:
    await settle(pilot)
    await pilot.press("slash", *"pri:P2 -court:vendor", "enter")
    await settle(pilot)
    await pilot.press("space", "space")
    await settle(pilot)


@pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=["80x24", "120x36"])
def test_main_screen_view_query_and_selection(snap_compare, db_path, size) -> None:
    assert snap_compare(_with_a_view(db_path), terminal_size=size, run_before=_filter_and_select)


async def _wrong_query(pilot: Pilot) -> None:
    await settle(pilot)
    await pilot.press("slash", *"line:L2 colour:red", "enter")
    await settle(pilot)


@pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=["80x24", "120x36"])
def test_main_screen_wrong_query(snap_compare, make, size) -> None:
    assert snap_compare(make(), terminal_size=size, run_before=_wrong_query)
