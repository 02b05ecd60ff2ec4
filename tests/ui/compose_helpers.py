"""Helpers for the composer tests: a ticket in a known state, typing text as real keys, and
waiting for the screen a key opens."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from ui_helpers import frozen_clock, settle

from console.core import operations
from console.core.model import Priority, Ticket
from console.core.store import Store
from console.tui.app import ConsoleApp
from tests.support import make_desk

KEY_NAMES = {
    " ": "space",
    "\n": "enter",
    ",": "comma",
    ".": "full_stop",
    "!": "exclamation_mark",
    ":": "colon",
    "?": "question_mark",
    "'": "apostrophe",
    "-": "minus",
}


def fresh_ticket(db_path: Path, *, subject: str = "VPN drops every hour") -> Ticket:
    """An open ticket whose move is ours, with one customer message."""
    with Store.open(db_path, clock=frozen_clock) as store:
        desk = make_desk(store, "intake")
        ticket = operations.create_ticket(
            desk,
            subject=subject,
            requester="Ann Lee <ann@example.com>",
            body="It drops at ten past.",
            priority=Priority.P2,
        )
        return operations.customer_message(desk, ticket.id, "Still dropping.")


async def type_text(pilot: Pilot, text: str) -> None:
    await pilot.press(*(KEY_NAMES.get(char, char) for char in text))


async def open_on(pilot: Pilot, app: ConsoleApp, ticket_id: int) -> None:
    await settle(pilot)
    app.open_ticket(ticket_id)
    await settle(pilot)


async def wait_for(pilot: Pilot, screen_type: type) -> None:
    for _ in range(50):
        await settle(pilot)
        if isinstance(pilot.app.screen, screen_type):
            return
    raise AssertionError(f"{screen_type.__name__} did not open; {pilot.app.screen!r} did")
