"""Helpers shared by the UI tests: reading the screen as text and waiting for workers."""

from __future__ import annotations

from datetime import UTC, datetime

from textual.pilot import Pilot
from textual.widgets import Input
from textual.worker import WorkerCancelled

from console.tui.app import ConsoleApp
from console.tui.screens.main import MainScreen
from console.tui.widgets.ticket_list import TicketList

FROZEN = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
AGENT = "alice"


def frozen_clock() -> datetime:
    return FROZEN


def screen_text(app: ConsoleApp) -> str:
    """What the terminal shows, as plain text lines.

    Read from the screen's compositor, which is what a terminal would be sent; the SVG
    export splits text into styled spans and is no good for substring checks."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def settle(pilot: Pilot) -> None:
    """Wait until every worker has posted its result and the screen has caught up.

    Also stops input cursors blinking, so a snapshot never catches one half-way."""
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    for _ in range(3):
        for _attempt in range(5):
            try:
                await pilot.app.workers.wait_for_complete()
                break
            except WorkerCancelled:
                continue  # a newer read replaced it (an exclusive worker): wait for that one
        await pilot.pause()


def ticket_list(app: ConsoleApp) -> TicketList:
    return app.screen.query_one(TicketList)


def main_screen(app: ConsoleApp) -> MainScreen:
    screen = app.screen
    assert isinstance(screen, MainScreen)
    return screen
