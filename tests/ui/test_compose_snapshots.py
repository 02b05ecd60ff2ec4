"""Snapshots of the composer at 100x30: a public reply and an internal note must look
unmistakably different (banner, border). Regenerate with `--snapshot-update` and look first."""

from __future__ import annotations

from compose_helpers import type_text
from textual.pilot import Pilot
from textual.widgets import TextArea
from ui_helpers import settle


async def _composer(pilot: Pilot, key: str) -> None:
    await settle(pilot)
    await pilot.press("j", "enter")
    await settle(pilot)
    await pilot.press(key)
    await settle(pilot)
    await type_text(pilot, "Thanks for the screenshot, checking now.")
    pilot.app.screen.query_one(TextArea).cursor_blink = False
    await settle(pilot)


async def _reply(pilot: Pilot) -> None:
    await _composer(pilot, "r")


async def _note(pilot: Pilot) -> None:
    await _composer(pilot, "n")


def test_reply_composer_100x30(snap_compare, make) -> None:
    assert snap_compare(make(), terminal_size=(100, 30), run_before=_reply)


def test_note_composer_100x30(snap_compare, make) -> None:
    assert snap_compare(make(), terminal_size=(100, 30), run_before=_note)
