"""Snapshots of the main screen at 80x24 and 120x36 and of the ticket screen at 120x36.

The store is the 300-ticket demo with a frozen clock, so ages and counts never move. After a
deliberate change of the look, regenerate with `pytest tests/ui --snapshot-update` and look at
the SVG files before committing them."""

from __future__ import annotations

from textual.pilot import Pilot
from ui_helpers import settle


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
