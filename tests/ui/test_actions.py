"""Acting on a ticket from its screen with real keys: the ball, the status, the follow-up,
priority, paid work, lines and people; each checked in the store after."""

from __future__ import annotations

from action_helpers import (
    back_on_ticket,
    choose,
    dialog,
    new_ticket,
    on_ticket,
    store_of,
    type_text,
    until_title,
)
from ui_helpers import AGENT, frozen_clock, screen_text

from console.core import escalation, operations, workflow
from console.core.model import Court, Line, Status
from console.core.team import Agent, Team
from console.tui.app import make_app
from console.tui.screens.dialogs import AskLongText, AskText, Confirm


def _events(db_path, ticket_id: int, action: str) -> list:
    with store_of(db_path) as store:
        return [e for e in store.events(ticket_id) if e.action == action]


async def test_c_moves_the_ball_to_the_customer_with_a_reason(app, db_path) -> None:
    ticket_id = new_ticket(db_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await on_ticket(pilot, ticket_id)
        await pilot.press("c")
        await choose(pilot, "customer")
        await dialog(pilot, AskText)
        await type_text(pilot, "waiting for logs")
        await pilot.press("enter")
        await back_on_ticket(pilot)
        assert "customer ann@example.com" in screen_text(app)
    with store_of(db_path) as store:
        ticket = store.ticket(ticket_id)
    assert (ticket.court, ticket.status) == (Court.CUSTOMER, Status.WAITING)
    assert _events(db_path, ticket_id, "court")[-1].detail == "waiting for logs"


async def test_vendor_hand_off_and_answer(app, db_path) -> None:
    ticket_id = new_ticket(db_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await on_ticket(pilot, ticket_id)
        await pilot.press("v")
        await dialog(pilot, AskText)
        await type_text(pilot, "Acme")
        await pilot.press("enter")
        await until_title(pilot, "Acme's case number")
        await type_text(pilot, "C-42")
        await pilot.press("enter")
        await until_title(pilot, "Why? (optional)")
        await pilot.press("enter")
        await back_on_ticket(pilot)
        assert "vendor Acme, case C-42" in screen_text(app)
        with store_of(db_path) as store:
            assert store.ticket(ticket_id).court == Court.VENDOR
        await pilot.press("V")
        await dialog(pilot, AskLongText)
        await type_text(pilot, "patch 1.2 fixes it")
        await pilot.press("ctrl+s")
        await back_on_ticket(pilot)
    with store_of(db_path) as store:
        assert store.ticket(ticket_id).court == Court.US
        assert store.messages(ticket_id)[-1].body == "patch 1.2 fixes it"


async def test_solve_confirm_rate_and_close(app, db_path) -> None:
    ticket_id = new_ticket(db_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await on_ticket(pilot, ticket_id)
        await pilot.press("S")
        await dialog(pilot, Confirm)
        await pilot.press("y")
        await back_on_ticket(pilot)
        with store_of(db_path) as store:
            assert store.ticket(ticket_id).status == Status.SOLVED
            assert store.messages(ticket_id)[-1].body == workflow.CONFIRM_TEXT
        await pilot.press("O")
        await dialog(pilot, Confirm)
        await pilot.press("y")
        await back_on_ticket(pilot)
        await pilot.press("R")
        await choose(pilot, "4")
        await back_on_ticket(pilot)
        assert "rating 4/5" in screen_text(app)
        await pilot.press("C")  # already closed: the core refuses, nothing changes
        await dialog(pilot, AskText)
        await pilot.press("enter")
        await back_on_ticket(pilot)
    with store_of(db_path) as store:
        assert store.ticket(ticket_id).status == Status.CLOSED
        assert workflow.clocks(store, ticket_id).rating == 4
    assert len(_events(db_path, ticket_id, "status")) == 2


async def test_close_with_a_reason(app, db_path) -> None:
    ticket_id = new_ticket(db_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await on_ticket(pilot, ticket_id)
        await pilot.press("C")
        await dialog(pilot, AskText)
        await type_text(pilot, "spam")
        await pilot.press("enter")
        await back_on_ticket(pilot)
    with store_of(db_path) as store:
        assert store.ticket(ticket_id).status == Status.CLOSED
    assert _events(db_path, ticket_id, "status")[-1].detail == "spam"


async def test_followup_set_after_a_bad_time_and_cleared(app, db_path) -> None:
    ticket_id = new_ticket(db_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await on_ticket(pilot, ticket_id)
        await pilot.press("f")
        await dialog(pilot, AskText)
        await type_text(pilot, "someday")
        await pilot.press("enter")
        await until_title(pilot, f"Promise a follow-up on #{ticket_id}: when?")
        assert "not understood" in screen_text(app)
        await pilot.press(*["backspace"] * 7)
        await type_text(pilot, "+2h")
        await pilot.press("enter")
        await until_title(pilot, "What was promised? (optional)")
        await type_text(pilot, "call back")
        await pilot.press("enter")
        await back_on_ticket(pilot)
        assert "follow-up 2026-01-15 14:00 UTC: call back" in screen_text(app)
        with store_of(db_path) as store:
            assert workflow.clocks(store, ticket_id).followup_due_at == "2026-01-15T14:00:00Z"
        await pilot.press("F")
        await back_on_ticket(pilot)
    with store_of(db_path) as store:
        assert workflow.clocks(store, ticket_id).followup_due_at is None


async def test_priority_and_paid_work(app, db_path) -> None:
    ticket_id = new_ticket(db_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await on_ticket(pilot, ticket_id)
        await pilot.press("P")
        await choose(pilot, "P1")
        await back_on_ticket(pilot)
        await pilot.press("B")
        await choose(pilot, "estimate")
        await dialog(pilot, AskText)
        await type_text(pilot, "1h30m")
        await pilot.press("enter")
        await back_on_ticket(pilot)
        assert "billable 1h30m, pending" in screen_text(app)
        await pilot.press("B")
        await choose(pilot, "approve")
        await dialog(pilot, AskText)
        await pilot.press("enter")
        await back_on_ticket(pilot)
    with store_of(db_path) as store:
        assert str(store.ticket(ticket_id).priority) == "P1"
        state = workflow.clocks(store, ticket_id)
    assert (state.estimate_minutes, state.approval, state.court) == (90, "approved", Court.US)


async def test_escalate_shows_the_hand_off_then_de_escalate(app, db_path) -> None:
    ticket_id = new_ticket(db_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await on_ticket(pilot, ticket_id)
        await pilot.press("t")
        await back_on_ticket(pilot)
        await pilot.press("e")
        await choose(pilot, "L2")
        await dialog(pilot, AskLongText)
        await type_text(pilot, "Tried a restart. Asked: firmware?")
        await pilot.press("ctrl+s")
        await back_on_ticket(pilot)
        text = screen_text(app)
        assert "Escalated L1 \u2192 L2" in text and "Tried a restart. Asked: firmware?" in text
        with store_of(db_path) as store:
            ticket = store.ticket(ticket_id)
            assert (ticket.line, ticket.assignee) == (Line.L2, None)
        await pilot.press("E")
        await dialog(pilot, AskLongText)
        await type_text(pilot, "not a firmware issue")
        await pilot.press("ctrl+s")
        await back_on_ticket(pilot)
        assert "Handed back L2 \u2192 L1" in screen_text(app)
    with store_of(db_path) as store:
        assert store.ticket(ticket_id).line == Line.L1
        assert escalation.handoff(store, ticket_id).note == "not a firmware issue"


async def test_take_and_assign_to_nobody(app, db_path) -> None:
    ticket_id = new_ticket(db_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await on_ticket(pilot, ticket_id)
        await pilot.press("t")
        await back_on_ticket(pilot)
        with store_of(db_path) as store:
            assert store.ticket(ticket_id).assignee == AGENT
        await pilot.press("a")
        await choose(pilot, "\0nobody")
        await back_on_ticket(pilot)
    with store_of(db_path) as store:
        assert store.ticket(ticket_id).assignee is None
    assert [e.after for e in _events(db_path, ticket_id, "assignee")] == [AGENT, None]


async def test_a_colleagues_change_is_a_conflict_not_an_overwrite(app, db_path) -> None:
    ticket_id = new_ticket(db_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await on_ticket(pilot, ticket_id)
        with store_of(db_path) as store:  # bob takes it while the screen still shows v1
            operations.assign(store, "bob", ticket_id, "bob")
        await pilot.press("t")
        await back_on_ticket(pilot)
        said = [n.message for n in app._notifications]
        assert any("was changed by bob" in m for m in said), said
    with store_of(db_path) as store:
        assert store.ticket(ticket_id).assignee == "bob"


async def test_a_third_line_agent_cannot_solve(db_path) -> None:
    team = Team(agents={AGENT: Agent(login=AGENT, name="Alice", lines=(Line.L3,))})
    app = make_app(db_path, AGENT, clock=frozen_clock, team=team)
    ticket_id = new_ticket(db_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await on_ticket(pilot, ticket_id)
        await pilot.press("S")
        await back_on_ticket(pilot)
        said = [n.message for n in app._notifications]
        assert any("cannot reply to the customer" in m for m in said), said
    with store_of(db_path) as store:
        assert store.ticket(ticket_id).status == Status.NEW
