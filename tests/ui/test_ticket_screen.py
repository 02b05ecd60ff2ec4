"""The ticket screen: header, thread kinds, timeline, scrolling, and a stranger's text shown
literally (markup as typed, escapes as visible marks, a 5 MB body cut without freezing)."""

from __future__ import annotations

import time

from action_helpers import until
from textual.widgets import Static
from ui_helpers import AGENT, frozen_clock, main_screen, screen_text, settle, ticket_list

from console.core import contacts, operations
from console.core.model import Priority
from console.core.store import Store
from console.core.words import NOT_MAILED
from console.tui.screens.compose import ComposeScreen
from console.tui.screens.detail import DetailScreen
from console.tui.widgets.thread_entry import MAX_BODY_CHARS, ThreadEntry
from tests.support import make_desk

HOSTILE_SUBJECT = "[bold red]x[/] \x1b]52;c;aGFja2Vk\x07 grab"
HOSTILE_BODY = "[link=https://evil.example]click[/link] \x1b[2J cleared? \x1b]0;title\x07 \ufffd"


def _hostile_ticket(db_path) -> int:
    with Store.open(db_path, clock=frozen_clock) as store:
        ticket = operations.create_ticket(
            make_desk(store, "intake"),
            subject=HOSTILE_SUBJECT,
            requester="[i]eve[/i] <eve@evil.example>",
            body=HOSTILE_BODY,
            priority=Priority.P1,
        )
        operations.note(make_desk(store, AGENT), ticket.id, "[reverse]note[/] \x1b[31mred\x1b[0m")
    return ticket.id


async def test_thread_shows_each_kind_and_the_timeline(app) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("6")  # All open: has tickets with replies and notes
        for _ in range(30):
            await pilot.press("enter")
            await settle(pilot)
            kinds = {e.classes for e in app.screen.query(ThreadEntry)}
            if len(kinds) >= 3:
                break
            await pilot.press("escape", "j")
        screen = app.screen
        assert isinstance(screen, DetailScreen)
        entries = list(screen.query(ThreadEntry))
        assert entries[0].has_class("-request")
        assert len({e.classes for e in entries}) >= 3
        text = screen_text(app)
        assert "Request" in text and "Public reply" in text
        assert "Events (" in text and "opened the ticket" in text


async def test_j_k_scroll_the_ticket_and_esc_goes_back(app, db_path) -> None:
    with Store.open(db_path, clock=frozen_clock) as store:
        ticket = operations.create_ticket(
            make_desk(store, "intake"),
            subject="Long one",
            requester="ann@example.com",
            body="\n".join(f"line {n}" for n in range(200)),
            priority=Priority.P1,
        )
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        app.open_ticket(ticket.id)
        await settle(pilot)
        body = app.screen.query_one("#detail-body")
        await pilot.press("j", "j", "j")
        assert body.scroll_y == 3
        await pilot.press("k")
        assert body.scroll_y == 2
        await pilot.press("G")
        assert body.scroll_y == body.max_scroll_y > 0
        await pilot.press("g")
        assert body.scroll_y == 0
        await pilot.press("escape")
        main_screen(app)
        app.open_ticket(ticket.id)
        await settle(pilot)
        await pilot.press("q")  # back to the queue, not out of the console
        await settle(pilot)
        main_screen(app)
        assert app.is_running


async def test_hostile_text_is_shown_literally(app, db_path) -> None:
    ticket_id = _hostile_ticket(db_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        text = screen_text(app)  # the new P1 ticket is on the first screen of L1
        assert "[bold red]x[/] \u241b]52;c;" in text  # cut to the column
        assert "\x1b" not in text
        app.open_ticket(ticket_id)
        await settle(pilot)
        assert app.screen.ticket_id == ticket_id
        text = screen_text(app)
        assert "[link=https://evil.example]click[/link] \u241b[2J cleared?" in text
        assert "\u241b]0;title\u2407 \ufffd" in text
        assert "[reverse]note[/] \u241b[31mred\u241b[0m" in text
        assert "[bold red]x[/] \u241b]52;c;aGFja2Vk\u2407 grab" in text  # the header
        assert "\x1b" not in text


async def test_a_five_megabyte_body_is_cut_and_does_not_freeze(app, db_path) -> None:
    huge = ("All work and no play. " * 40 + "\n") * 5700  # about 5 MB
    with Store.open(db_path, clock=frozen_clock) as store:
        ticket = operations.create_ticket(
            make_desk(store, "intake"), subject="Log dump", requester="ops@example.com", body=huge
        )
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        started = time.perf_counter()
        app.open_ticket(ticket.id)
        await settle(pilot)
        assert time.perf_counter() - started < 5
        await pilot.press("G")
        await pilot.pause()
        hidden = len(huge) - MAX_BODY_CHARS
        assert f"{hidden:,} more characters; see `console show {ticket.id}`" in screen_text(app)


async def test_an_unknown_ticket_is_an_error_not_a_crash(app) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        app.open_ticket(999_999)
        await settle(pilot)
        main_screen(app)
        assert any("999999" in str(n.message) for n in app._notifications)
        assert ticket_list(app).total > 0


async def test_the_customer_and_their_other_tickets_are_under_the_ticket(app, db_path) -> None:
    with Store.open(db_path, clock=frozen_clock) as store:
        first = store.ticket(1)
        desk = make_desk(store)
        contacts.edit(desk, first.requester, phone="+380441234567", notes="Calls before 10")
        history = contacts.history(store, first.requester, leave_out=1)
    assert history.latest, "the demo customer has other tickets"
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        app.open_ticket(1)

        def customer() -> str:
            line = next(app.screen.query("#customer-line").results(Static), None)
            return str(line.content) if isinstance(app.screen, DetailScreen) and line else ""

        await until(pilot, lambda: "Calls before 10" in customer(), "the customer")
        await settle(pilot)
        assert "+380441234567" in customer() and f"{history.total:,} tickets" in customer()
        other = history.latest[0][0]
        app.screen.query_one("#customer-tickets").focus()
        await pilot.press("enter")
        await until(
            pilot,
            lambda: isinstance(app.screen, DetailScreen) and app.screen.ticket_id == other,
            "the other ticket",
        )


async def test_a_caller_with_no_address_is_told_by_phone(app, db_path) -> None:
    with Store.open(db_path, clock=frozen_clock) as store:
        desk = make_desk(store, AGENT)
        ticket = operations.create_ticket(desk, subject="Payroll fails", requester="Ann Lee")
        operations.reply(desk, ticket.id, "Restart the payroll service")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        app.open_ticket(ticket.id)

        def entries() -> str:
            if not isinstance(app.screen, DetailScreen):
                return ""
            return " ".join(str(e.render()) for e in app.screen.query(ThreadEntry))

        def customer() -> str:
            line = next(app.screen.query("#customer-line").results(Static), None)
            return str(line.content) if isinstance(app.screen, DetailScreen) and line else ""

        await until(pilot, lambda: "Restart the payroll service" in entries(), "the reply")
        assert "not mailed: no e-mail address; tell them by phone" in entries()
        await until(pilot, lambda: "Ann Lee" in customer(), "the customer")
        assert "no e-mail address: not mailed" in customer() and "None" not in customer()
        await pilot.press("r")  # what the agent writes now is said on the phone too
        await until(pilot, lambda: isinstance(app.screen, ComposeScreen), "the reply")
        banner = app.screen.query_one("#compose-banner", Static)
        assert str(banner.content) == f"PUBLIC \u2014 {NOT_MAILED}"
