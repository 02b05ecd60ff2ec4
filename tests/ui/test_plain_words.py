"""A walk through every screen of the TUI on the demo, as an agent would look around on the
first day: every queue, tickets of every kind scrolled to the end, the help, the palette, the
new-ticket form, the composers, the macro picker and the choice dialogs. What the screen shows
must be plain words: no ISO timestamp, no snake_case name, no version number, no "None", no
"ticket(s)".

Customers' own words are theirs, so the check reads what the console itself writes: the demo's
texts hold none of these shapes, and a test keeps it so."""

from __future__ import annotations

import re

import pytest
from action_helpers import until
from textual.pilot import Pilot
from ui_helpers import main_screen, screen_text, settle, ticket_list

from console.core import demo
from console.tui.app import ConsoleApp
from console.tui.screens.detail import DetailScreen
from console.tui.screens.main import MainScreen

INTERNAL = {
    "an ISO timestamp": re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}"),
    "a snake_case name": re.compile(r"\b[a-z]+_[a-z_]+\b"),
    "a version number": re.compile(r"\bversion\s*\d+", re.IGNORECASE),
    "None": re.compile(r"\bNone\b"),
    'a "(s)" plural': re.compile(r"\w\(s\)"),
}


def _internal(text: str) -> list[str]:
    found = []
    for what, shape in INTERNAL.items():
        for match in shape.finditer(text):
            line = text[text.rfind("\n", 0, match.start()) + 1 : text.find("\n", match.end())]
            found.append(f"{what} {match.group()!r} in: {line.strip()}")
    return found


class Walk:
    def __init__(self, app: ConsoleApp, pilot: Pilot) -> None:
        self.app, self.pilot = app, pilot
        self.seen: dict[str, list[str]] = {}

    async def look(self, where: str) -> None:
        await settle(self.pilot)
        problems = _internal(screen_text(self.app))
        if problems:
            self.seen.setdefault(where, []).extend(problems)

    async def scroll_through(self, where: str, pages: int = 12) -> None:
        await self.look(where)
        for page in range(pages):
            await self.pilot.press("pagedown")
            await self.look(f"{where}, page {page + 2}")


def test_the_demo_texts_hold_no_internal_shapes() -> None:
    texts = [*demo._EN_SUBJECTS, *demo._EN_BODIES, *demo._REPLIES, *demo._NOTES]
    texts += [t for pair in (*demo._RU, *demo._UK) for t in pair]
    assert [t for t in texts if _internal(t)] == []


@pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=["80x24", "120x36"])
async def test_every_screen_speaks_plain_words(app: ConsoleApp, size: tuple[int, int]) -> None:
    async with app.run_test(size=size) as pilot:
        walk = Walk(app, pilot)
        await settle(pilot)
        queues = main_screen(app).queues
        for queue in queues:  # every queue, each as the sidebar's key opens it
            await walk.look(f"the queue {queue.label}")
            await pilot.press("right_square_bracket")
        await walk.look("the queue screen again")
        await pilot.press("question_mark")
        await walk.scroll_through("the queue screen's help", 4)
        await pilot.press("escape")
        await pilot.press("ctrl+p")
        await walk.look("the command palette")
        await pilot.press("escape")
        await pilot.press("N")
        await walk.look("the new-ticket form")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, MainScreen), "back on the queues")
        all_open = next(i for i, q in enumerate(queues) if q.id == "all")
        for _ in range(all_open):
            await pilot.press("right_square_bracket")
        await settle(pilot)
        for row in range(0, min(ticket_list(app).total, 40), 5):  # tickets of every kind
            await pilot.press("home", *["j"] * row, "enter")
            await until(pilot, lambda: isinstance(app.screen, DetailScreen), "the ticket")
            await walk.scroll_through(f"ticket row {row}")
            await pilot.press("escape")
            await until(pilot, lambda: isinstance(app.screen, MainScreen), "back")
        await pilot.press("home", "enter")
        await until(pilot, lambda: isinstance(app.screen, DetailScreen), "the ticket")
        for key, what in (
            ("question_mark", "the ticket's help"),
            ("r", "the reply composer"),
            ("n", "the note composer"),
            ("M", "the macro picker"),
            ("c", "the court dialog"),
            ("P", "the priority dialog"),
            ("K", "the type dialog"),
        ):
            await pilot.press(key)
            await walk.scroll_through(what, 2)
            await pilot.press("escape")
            await until(pilot, lambda: isinstance(app.screen, DetailScreen), "back on the ticket")
    assert walk.seen == {}
