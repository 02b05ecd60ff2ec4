"""Acting on a ticket from its screen with real keys: the ball, the status, the follow-up,
priority, paid work, lines and people; each checked in the store after. The dialogs are the
ones the action declarations ask for ("#N: <prompt>"), and the notification is the action's
own sentence."""

from __future__ import annotations

from action_helpers import (
    back_on_ticket,
    choose,
    dialog,
    new_ticket,
    on_ticket,
    store_of,
    type_text,
    until,
    until_title,
)
from ui_helpers import AGENT, frozen_clock, screen_text, settle

from console.core import escalation, operations, workflow
from console.core.canned import Canned
from console.core.model import Approval, Court, Line, Priority, Status
from console.core.team import Agent, Team
from console.tui.app import make_app
from console.tui.screens.detail import DetailScreen
from console.tui.screens.dialogs import AskChoice, Confirm
from console.tui.screens.help import HelpScreen
from tests.support import make_desk


def _events(db_path, ticket_id: int, action: str) -> list:
    with store_of(db_path) as store:
        return [e for e in store.events(ticket_id) if e.action == action]


def _said(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(n.message) for n in app._notifications]


async def test_c_moves_the_ball_to_the_customer_with_a_reason(app, db_path) -> None:
    ticket_id = new_ticket(db_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await on_ticket(pilot, ticket_id)
        assert "SLA first response due in 4 h" in screen_text(app)
        await pilot.press("c")
        await until_title(pilot, f"#{ticket_id}: Whose move is it?")
        await choose(pilot, "customer")
        await until_title(pilot, f"#{ticket_id}: Why does the move change hands?")
        await type_text(pilot, "waiting for logs")
        await pilot.press("enter")
        await back_on_ticket(pilot)
        text = screen_text(app)
        assert "the customer's move" in text and "SLA paused: the move is not ours" in text
        assert f"#{ticket_id}: the customer's move" in _said(app)
    with store_of(db_path) as store:
        ticket = store.ticket(ticket_id)
    assert (ticket.court, ticket.status) == (Court.CUSTOMER, Status.WAITING)
    assert _events(db_path, ticket_id, "court")[-1].detail == "waiting for logs"


async def test_vendor_hand_off_and_answer(app, db_path) -> None:
    ticket_id = new_ticket(db_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await on_ticket(pilot, ticket_id)
        await pilot.press("v")
        await until_title(pilot, f"#{ticket_id}: Which vendor?")
        await type_text(pilot, "Acme")
        await pilot.press("enter")
        await until_title(pilot, f"#{ticket_id}: Their case number")
        await type_text(pilot, "C-42")
        await pilot.press("enter")
        await until_title(pilot, f"#{ticket_id}: Why? (optional)")
        await pilot.press("enter")
        await back_on_ticket(pilot)
        assert "vendor Acme, case C-42" in screen_text(app)
        with store_of(db_path) as store:
            assert store.ticket(ticket_id).court == Court.VENDOR
        await pilot.press("V")
        await until_title(pilot, f"#{ticket_id}: Their answer (optional, kept as an internal note)")
        await type_text(pilot, "patch 1.2 fixes it")
        await pilot.press("ctrl+s")
        await back_on_ticket(pilot)
        assert f"#{ticket_id}: the vendor answered; our move" in _said(app)
    with store_of(db_path) as store:
        assert store.ticket(ticket_id).court == Court.US
        assert store.messages(ticket_id)[-1].body == "patch 1.2 fixes it"


async def test_solve_confirm_rate_and_close(app, db_path) -> None:
    ticket_id = new_ticket(db_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await on_ticket(pilot, ticket_id)
        await pilot.press("S")
        confirm = await dialog(pilot, Confirm)
        assert confirm.question == f"Solve #{ticket_id} and ask the customer to confirm?"
        await pilot.press("y")
        await back_on_ticket(pilot)
        with store_of(db_path) as store:
            assert store.ticket(ticket_id).status == Status.SOLVED
            assert store.messages(ticket_id)[-1].body == Canned.CONFIRM.english
        await pilot.press("O")
        confirm = await dialog(pilot, Confirm)
        assert confirm.question == (
            f"The customer confirmed #{ticket_id} is solved? The ticket is closed."
        )
        await pilot.press("y")
        await back_on_ticket(pilot)
        await pilot.press("R")
        await until_title(pilot, f"#{ticket_id}: How did the customer rate it?")
        await choose(pilot, "4")
        await until_title(pilot, f"#{ticket_id}: What did they say? (optional)")
        await pilot.press("enter")
        await back_on_ticket(pilot)
        assert "rating 4/5" in screen_text(app)
        await pilot.press("C")  # already closed: refused before any question, nothing changes
        await back_on_ticket(pilot)
        said = f"#{ticket_id}: \u201cClose\u201d does not apply to this ticket now"
        assert said in _said(app), _said(app)
    with store_of(db_path) as store:
        assert store.ticket(ticket_id).status == Status.CLOSED
        assert workflow.clocks(store, ticket_id).rating == 4
    assert len(_events(db_path, ticket_id, "status")) == 2


async def test_close_with_a_reason(app, db_path) -> None:
    ticket_id = new_ticket(db_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await on_ticket(pilot, ticket_id)
        await pilot.press("C")
        await until_title(pilot, f"#{ticket_id}: Why? (optional)")
        await type_text(pilot, "spam")
        await pilot.press("enter")
        await until_title(pilot, f"#{ticket_id}: A closing message to the customer (optional)")
        await pilot.press("ctrl+s")  # none: nothing goes to the customer
        await back_on_ticket(pilot)
    with store_of(db_path) as store:
        assert store.ticket(ticket_id).status == Status.CLOSED
        assert store.messages(ticket_id) == []
    assert _events(db_path, ticket_id, "status")[-1].detail == "spam"


async def test_followup_set_after_a_bad_time_and_cleared(app, db_path) -> None:
    ticket_id = new_ticket(db_path)
    when = f"#{ticket_id}: When? (tue 12:00, tomorrow 9:00, +2h)"
    async with app.run_test(size=(120, 36)) as pilot:
        await on_ticket(pilot, ticket_id)
        await pilot.press("f")
        await until_title(pilot, when)
        await type_text(pilot, "someday")
        await pilot.press("enter")
        await until(pilot, lambda: "not understood" in screen_text(app), "the error")
        assert pilot.app.screen.title_text == when  # the dialog stays open on the error
        await pilot.press(*["backspace"] * 7)
        await type_text(pilot, "+2h")
        await pilot.press("enter")
        await until_title(pilot, f"#{ticket_id}: What was promised? (optional)")
        await type_text(pilot, "call back")
        await pilot.press("enter")
        await back_on_ticket(pilot)
        assert "follow-up today 14:00: call back" in screen_text(app)
        assert f"#{ticket_id}: follow-up due today 14:00" in _said(app)
        with store_of(db_path) as store:
            assert workflow.clocks(store, ticket_id).followup_due_at == "2026-01-15T14:00:00Z"
        await pilot.press("F")  # no dialog
        await back_on_ticket(pilot)
        assert f"#{ticket_id}: follow-up done" in _said(app)
    with store_of(db_path) as store:
        assert workflow.clocks(store, ticket_id).followup_due_at is None


async def test_priority_from_a_choice_that_starts_on_the_current_one(app, db_path) -> None:
    ticket_id = new_ticket(db_path)  # P2
    async with app.run_test(size=(120, 36)) as pilot:
        await on_ticket(pilot, ticket_id)
        await pilot.press("P")
        await until_title(pilot, f"#{ticket_id}: Which priority?")
        screen = pilot.app.screen
        assert isinstance(screen, AskChoice)
        assert [key for key, _ in screen.options] == ["P1", "P2", "P3", "P4"]
        assert screen.selected == "P2"
        await choose(pilot, "P1")
        await back_on_ticket(pilot)
        assert f"#{ticket_id} is P1; its deadlines follow" in _said(app)
    with store_of(db_path) as store:
        assert store.ticket(ticket_id).priority == Priority.P1


async def test_a_digit_chooses_in_a_picker(app, db_path) -> None:
    ticket_id = new_ticket(db_path)  # P2
    async with app.run_test(size=(120, 36)) as pilot:
        await on_ticket(pilot, ticket_id)
        await pilot.press("P")
        await until_title(pilot, f"#{ticket_id}: Which priority?")
        assert "1  P1 urgent" in screen_text(app) and "1–4 or enter" in screen_text(app)
        await pilot.press("4")  # at once, no enter
        await back_on_ticket(pilot)
        assert f"#{ticket_id} is P4; its deadlines follow" in _said(app)
    with store_of(db_path) as store:
        assert store.ticket(ticket_id).priority == Priority.P4


async def test_impact_and_urgency_give_the_priority_and_say_why(app, db_path) -> None:
    ticket_id = new_ticket(db_path)  # P2, not judged yet
    async with app.run_test(size=(120, 36)) as pilot:
        await on_ticket(pilot, ticket_id)
        await pilot.press("I")
        await until_title(pilot, f"#{ticket_id}: How many does it hit?")
        await choose(pilot, "high")
        await until_title(pilot, f"#{ticket_id}: How soon does it hurt?")
        await choose(pilot, "low")
        await back_on_ticket(pilot)
        assert f"#{ticket_id} is P3 (impact high × urgency low); its deadlines follow" in _said(app)
        await until(pilot, lambda: "P3: impact high × urgency low" in screen_text(app))
    with store_of(db_path) as store:
        assert store.ticket(ticket_id).priority == Priority.P3


async def test_the_type_is_chosen_from_the_teams_and_shown(app, db_path) -> None:
    ticket_id = new_ticket(db_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await on_ticket(pilot, ticket_id)
        await pilot.press("K")
        await until_title(pilot, f"#{ticket_id}: What kind of case is it?")
        screen = pilot.app.screen
        assert isinstance(screen, AskChoice)
        assert [key for key, _ in screen.options] == [
            "question",
            "bug",
            "feature",
            "not-ours",
            "none",
        ]
        await choose(pilot, "feature")
        await back_on_ticket(pilot)
        assert f"#{ticket_id}: feature request" in _said(app)
        await until(pilot, lambda: "type Feature request" in screen_text(app))
    with store_of(db_path) as store:
        assert store.ticket(ticket_id).ticket_type == "feature"


async def test_paid_work_estimate_then_approve(app, db_path) -> None:
    ticket_id = new_ticket(db_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await on_ticket(pilot, ticket_id)
        await pilot.press("B")  # nothing to approve yet: straight to the estimate
        await until(
            pilot,
            lambda: (
                isinstance(pilot.app.screen, AskChoice)
                or getattr(pilot.app.screen, "title_text", None)
                == f"#{ticket_id}: Estimated work (45m, 2h, 1h30m)"
            ),
            "the first question of B",
        )
        assert not isinstance(pilot.app.screen, AskChoice), pilot.app.screen.options
        await type_text(pilot, "1h30m")
        await pilot.press("enter")
        await until_title(pilot, f"#{ticket_id}: The request for approval (empty: the canned one)")
        await pilot.press("ctrl+s")
        await back_on_ticket(pilot)
        assert "billable 1h30m, pending" in screen_text(app)
        await pilot.press("B")
        await until_title(pilot, f"#{ticket_id}: what now?")
        await choose(pilot, "approve")
        await until_title(pilot, f"#{ticket_id}: Note (optional)")
        await pilot.press("enter")
        await back_on_ticket(pilot)
    with store_of(db_path) as store:
        state = workflow.clocks(store, ticket_id)
    assert (state.estimate_minutes, state.approval, state.court) == (
        90,
        Approval.APPROVED,
        Court.US,
    )


async def test_B_with_an_estimate_pending_offers_approve_and_refuse(app, db_path) -> None:
    ticket_id = new_ticket(db_path)
    with store_of(db_path) as store:
        operations.bill(make_desk(store, "bob"), ticket_id, 90)
    async with app.run_test(size=(120, 36)) as pilot:
        await on_ticket(pilot, ticket_id)
        assert "billable 1h30m, pending" in screen_text(app)
        await pilot.press("B")
        await until_title(pilot, f"#{ticket_id}: what now?")
        screen = pilot.app.screen
        assert isinstance(screen, AskChoice)
        offered = dict(screen.options)
        assert {"approve", "refuse"} <= set(offered), offered
        assert offered["approve"].startswith("Paid work: approved")
        assert offered["refuse"].startswith("Paid work: declined")
        await choose(pilot, "refuse")
        await until_title(pilot, f"#{ticket_id}: Note (optional)")
        await type_text(pilot, "too dear")
        await pilot.press("enter")
        await back_on_ticket(pilot)
        assert f"#{ticket_id}: the paid work is declined; our move" in _said(app)
        assert "billable 1h30m, refused" in screen_text(app)
    with store_of(db_path) as store:
        state = workflow.clocks(store, ticket_id)
    assert (state.approval, state.court) == (Approval.REFUSED, Court.US)
    assert _events(db_path, ticket_id, "approval")[-1].detail == "too dear"


async def test_escalate_shows_the_hand_off_then_de_escalate(app, db_path) -> None:
    ticket_id = new_ticket(db_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await on_ticket(pilot, ticket_id)
        await pilot.press("t")
        await back_on_ticket(pilot)
        await pilot.press("e")
        await until_title(pilot, f"Escalate #{ticket_id} from L1 to")
        await choose(pilot, "L2")
        await until_title(pilot, "Hand-off note for L2")
        await type_text(pilot, "Tried a restart. Asked: firmware?")
        await pilot.press("ctrl+s")
        await back_on_ticket(pilot)
        assert f"#{ticket_id} escalated to L2" in _said(app)
        text = screen_text(app)
        assert "Escalated L1 \u2192 L2" in text and "Tried a restart. Asked: firmware?" in text
        with store_of(db_path) as store:
            ticket = store.ticket(ticket_id)
            assert (ticket.line, ticket.assignee) == (Line.L2, None)
        await pilot.press("E")  # one line below: no choice to make
        await until_title(pilot, "Hand-back note for L1")
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
        await pilot.press("t")  # no dialog
        await back_on_ticket(pilot)
        assert f"#{ticket_id} is yours" in _said(app)
        with store_of(db_path) as store:
            assert store.ticket(ticket_id).assignee == AGENT
        await pilot.press("a")
        await until_title(pilot, f"Assign #{ticket_id} to")
        await choose(pilot, "-")
        await back_on_ticket(pilot)
        assert f"#{ticket_id} unassigned" in _said(app)
    with store_of(db_path) as store:
        assert store.ticket(ticket_id).assignee is None
    assert [e.after for e in _events(db_path, ticket_id, "assignee")] == [AGENT, None]


async def test_a_colleagues_change_is_a_conflict_not_an_overwrite(app, db_path) -> None:
    ticket_id = new_ticket(db_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await on_ticket(pilot, ticket_id)
        with store_of(db_path) as store:  # bob takes it while the screen still shows v1
            operations.assign(make_desk(store, "bob"), ticket_id, "bob")
        await pilot.press("t")
        await back_on_ticket(pilot)
        said = _said(app)
        assert any("was changed by bob" in m for m in said), said
    with store_of(db_path) as store:
        assert store.ticket(ticket_id).assignee == "bob"


async def test_a_third_line_agent_cannot_solve(db_path) -> None:
    team = Team(agents={AGENT: Agent(login=AGENT, name="Alice", lines=(Line.L3,))})
    app = make_app(db_path, AGENT, clock=frozen_clock, team=team)
    ticket_id = new_ticket(db_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await on_ticket(pilot, ticket_id)
        await pilot.press("S")  # no Solve key for them: nothing opens, nothing is written
        await settle(pilot)
        assert pilot.app.screen is screen, pilot.app.screen
        assert not screen.action_tasks
    with store_of(db_path) as store:
        assert store.ticket(ticket_id).status == Status.NEW


async def test_the_palette_lists_the_ticket_actions_the_agent_may_use(app, db_path) -> None:
    ticket_id = new_ticket(db_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await on_ticket(pilot, ticket_id)
        await pilot.press("ctrl+p")
        await until(pilot, lambda: pilot.app.screen is not screen, "the palette")
        await type_text(pilot, "escalate")
        await until(pilot, lambda: "Escalate (e)" in screen_text(app), "the palette's hits")
        assert "hand the ticket to a higher line with a note" in screen_text(app)
        await pilot.press("enter")  # runs the action's flow, as the key would
        await until_title(pilot, f"Escalate #{ticket_id} from L1 to")
        await pilot.press("escape")
        await back_on_ticket(pilot)
        # Only what the agent may do on this ticket now; none of Textual's own commands.
        for query, wanted, unwanted in (
            ("solve", "Solve (S)", "Customer confirmed (O)"),  # confirm needs a solved ticket
            ("theme", None, "Change the current theme"),
            ("screenshot", None, "SVG 'screenshot'"),
            ("keys", None, "Show help for the focused widget"),
            ("maximize", None, "Maximize the focused widget"),
        ):
            await pilot.press("ctrl+p")
            await until(pilot, lambda: pilot.app.screen is not screen, "the palette")
            await type_text(pilot, query)
            await settle(pilot)
            if wanted:
                await until(pilot, lambda w=wanted: w in screen_text(app), wanted)
            assert unwanted not in screen_text(app), query
            await pilot.press("escape")
            await until(pilot, lambda: pilot.app.screen is screen, "the palette to close")
    with store_of(db_path) as store:
        assert store.ticket(ticket_id).line == Line.L1  # esc in the dialog wrote nothing


async def test_key_help_shows_what_each_action_does(app, db_path) -> None:
    ticket_id = new_ticket(db_path)
    async with app.run_test(size=(120, 50)) as pilot:
        screen = await on_ticket(pilot, ticket_id)
        await pilot.press("question_mark")
        help_screen = await dialog(pilot, HelpScreen)
        assert isinstance(help_screen, HelpScreen)
        await settle(pilot)
        rows = help_screen.rows
        assert (
            "Ticket screen",
            "e",
            "Escalate \u2014 hand the ticket to a higher line with a note",
        ) in rows
        # A shared key: its group's title, then the actions on it.
        assert (
            "Ticket screen",
            "B",
            "Paid work \u2014 Paid work: estimate \u00b7 Paid work: approved \u00b7 "
            "Paid work: declined",
        ) in rows
        assert "Note \u2014 an internal note: only the team sees it" in screen_text(app)
        for _ in range(80):  # scroll down to a row further on
            if "Take \u2014 assign the ticket to yourself" in screen_text(app):
                break
            await pilot.press("j")
            await pilot.pause()
        assert "Take \u2014 assign the ticket to yourself" in screen_text(app)
        await pilot.press("escape")
        await until(pilot, lambda: pilot.app.screen is screen, "the ticket screen")
        assert isinstance(pilot.app.screen, DetailScreen)
