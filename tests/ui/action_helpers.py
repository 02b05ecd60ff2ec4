"""Helpers for the ticket-action tests: open a ticket, wait for a dialog, answer it with keys."""

from __future__ import annotations

from collections.abc import Callable

from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import OptionList
from ui_helpers import frozen_clock, settle

from console.core import operations
from console.core.model import Priority
from console.core.store import Store
from console.tui.app import ConsoleApp
from console.tui.screens.detail import DetailScreen
from console.tui.screens.dialogs import AskChoice
from tests.support import make_desk


async def until(pilot: Pilot, ready: Callable[[], bool], what: str = "condition") -> None:
    """Wait (a few seconds at most) for `ready()`, letting workers and tasks run."""
    for _ in range(200):
        if ready():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"timed out waiting for {what}")


async def dialog(pilot: Pilot, kind: type[Screen]) -> Screen:
    await until(pilot, lambda: isinstance(pilot.app.screen, kind), kind.__name__)
    return pilot.app.screen


async def until_title(pilot: Pilot, title: str) -> None:
    """Wait for the dialog titled `title` (the next question of a flow)."""
    await until(pilot, lambda: getattr(pilot.app.screen, "title_text", None) == title, title)


async def type_text(pilot: Pilot, text: str) -> None:
    await pilot.press(*["space" if ch == " " else ch for ch in text])


async def choose(pilot: Pilot, option_id: str) -> None:
    """In the open AskChoice: move with j/k to the option and press enter."""
    screen = await dialog(pilot, AskChoice)
    assert isinstance(screen, AskChoice)
    ids = [key for key, _ in screen.options]
    assert option_id in ids, f"{option_id!r} not among {ids}"
    choices = screen.query_one(OptionList)
    here = choices.highlighted or 0
    target = ids.index(option_id)
    await pilot.press(*(["j"] * (target - here) if target >= here else ["k"] * (here - target)))
    await pilot.press("enter")


async def on_ticket(pilot: Pilot, ticket_id: int) -> DetailScreen:
    app = pilot.app
    assert isinstance(app, ConsoleApp)
    await settle(pilot)
    app.open_ticket(ticket_id)
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, DetailScreen)
    await until(
        pilot,
        lambda: screen.ticket is not None and screen.context is not None,
        "the ticket to load",
    )
    return screen


async def back_on_ticket(pilot: Pilot) -> DetailScreen:
    """Wait until every dialog is closed and the write has been read back."""
    await dialog(pilot, DetailScreen)
    screen = pilot.app.screen
    assert isinstance(screen, DetailScreen)
    await until(pilot, lambda: not screen.action_tasks, "the action to finish")
    await settle(pilot)
    return screen


def new_ticket(
    db_path,
    subject: str = "Printer on fire",
    body: str = "It smokes.",
    requester: str = "ann@example.com",
) -> int:
    with Store.open(db_path, clock=frozen_clock) as store:
        return operations.create_ticket(
            make_desk(store, "intake"),
            subject=subject,
            requester=requester,
            body=body,
            priority=Priority.P2,
        ).id


def store_of(db_path) -> Store:
    return Store.open(db_path, clock=frozen_clock)
