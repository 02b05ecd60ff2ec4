"""The queues that tell what to do next: Due, Nudge, Breach and Needs customer contact in the
sidebar with their counts, the Left column's colours at a frozen clock, `o` to sort a queue by
time to breach, colleagues' presence in the list and on the ticket, and the timers the TUI
runs by itself."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from ui_helpers import AGENT, FROZEN, main_screen, screen_text, settle, ticket_list

from console.core import escalation, operations, presence, queues, timers
from console.core.model import (
    Activity,
    EventAction,
    Line,
    Order,
    Priority,
    QueueFilter,
    QueueTimer,
)
from console.core.sla import SlaPolicy
from console.core.store import Store
from console.core.team import Agent, Team, parse_team
from console.tui.app import make_app
from console.tui.queues import QUEUES
from console.tui.widgets.presence_line import PresenceLine
from console.tui.widgets.queue_sidebar import QueueSidebar
from tests.support import make_desk

ERIN = Agent(login="erin", name="Erin", lines=(Line.L3,))
"""A third-line expert: she asks the front line to contact the customer."""


def _erin(store: Store):  # type: ignore[no-untyped-def]
    return make_desk(store, ERIN.login, team=Team(agents={ERIN.login: ERIN}))


async def _wait_for(predicate, seconds: float = 3.0) -> bool:  # type: ignore[no-untyped-def]
    for _ in range(int(seconds / 0.05)):
        if predicate():
            return True
        await asyncio.sleep(0.05)
    return predicate()


def _row_ids(app) -> list[int]:  # type: ignore[no-untyped-def]
    tickets = ticket_list(app)
    return [tickets._row(i).id for i in range(tickets.total)]  # type: ignore[union-attr]


def _clocked_store(path: Path) -> dict[str, int]:
    """Four tickets whose deadlines at FROZEN are: 1h away (at risk), 24h away (fine), 2h
    past (breached), and none (the customer's move)."""
    moment = [FROZEN]
    store = Store.open(path, clock=lambda: moment[0])
    try:

        def new(subject: str, priority: Priority, hours_ago: int = 0) -> int:
            moment[0] = FROZEN - timedelta(hours=hours_ago)
            ticket = operations.create_ticket(
                make_desk(store, "intake"),
                subject=subject,
                requester="c@example.com",
                priority=priority,
            )
            return ticket.id

        ids = {
            "at_risk": new("close to the deadline", Priority.P1),
            "fine": new("plenty of time", Priority.P4),
            "breached": new("past the deadline", Priority.P2, hours_ago=6),
            "waiting": new("answered, waiting on the customer", Priority.P3, hours_ago=1),
        }
        operations.reply(make_desk(store, "alice"), ids["waiting"], "Could you send a screenshot?")
        moment[0] = FROZEN
        timers.tick(make_desk(store, "cron"))
    finally:
        store.close()
    return ids


def _segment(app, ticket_id: int, text: str):  # type: ignore[no-untyped-def]
    """The painted segment of `ticket_id`'s row that holds `text`."""
    tickets = ticket_list(app)
    row = _row_ids(app).index(ticket_id)
    strip = tickets.render_line(row + 1 - int(tickets.scroll_offset.y))
    return next(s for s in strip if text in s.text)


async def test_left_column_says_time_left_and_colours_risk_and_breach(tmp_path) -> None:
    path = tmp_path / "clocks.db"
    ids = _clocked_store(path)
    app = make_app(path, AGENT, clock=lambda: FROZEN)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("6")  # All open
        await settle(pilot)
        tickets = ticket_list(app)
        breached = _segment(app, ids["breached"], "-2h")
        at_risk = _segment(app, ids["at_risk"], "1h")
        fine = _segment(app, ids["fine"], "24h")
        assert breached.style.bold
        assert breached.style.color == tickets._style("breached").color
        assert at_risk.style.color == tickets._style("at-risk").color
        assert at_risk.style.color != breached.style.color
        assert fine.style.color not in (at_risk.style.color, breached.style.color)
        assert "Left" in screen_text(app)


async def test_o_sorts_the_queue_by_time_to_breach_and_back(tmp_path) -> None:
    path = tmp_path / "clocks.db"
    ids = _clocked_store(path)
    app = make_app(path, AGENT, clock=lambda: FROZEN)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("6")
        await settle(pilot)
        by_priority = [ids["at_risk"], ids["breached"], ids["waiting"], ids["fine"]]
        assert _row_ids(app) == by_priority
        await pilot.press("o")
        await settle(pilot)
        assert _row_ids(app) == [ids["breached"], ids["at_risk"], ids["fine"], ids["waiting"]]
        assert "by time to breach" in screen_text(app)
        await pilot.press("1")  # the order holds across queues
        await settle(pilot)
        assert _row_ids(app) == [ids["breached"], ids["at_risk"], ids["fine"], ids["waiting"]]
        await pilot.press("o")
        await settle(pilot)
        assert _row_ids(app) == by_priority
        assert "by time to breach" not in screen_text(app)


async def test_workflow_queues_in_the_sidebar_with_counts_and_rows(app, db_path) -> None:
    policy = SlaPolicy()
    store = Store.open(db_path, clock=lambda: FROZEN)
    try:
        chosen = store.tickets(QueueFilter(), limit=3)
        operations.set_followup(
            make_desk(store, AGENT),
            chosen[0].id,
            FROZEN - timedelta(hours=1),
            "promised a call back",
        )
        escalation.ask_front(_erin(store), chosen[1].id, "Which browser do you use?")
        expected = {timer: queues.count(store, policy, timer) for timer in QueueTimer}
        timers.tick(make_desk(store, "cron"))  # the reminder logged: the app's run finds none
        breach_first = [r.id for r in queues.page(store, policy, QueueTimer.BREACH, limit=100)]
        nudge_ids = [r.id for r in queues.page(store, policy, QueueTimer.NUDGE, limit=100)]
    finally:
        store.close()
    assert expected[QueueTimer.DUE] == 1
    assert expected[QueueTimer.NUDGE] > 0 and expected[QueueTimer.BREACH] > 10
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        sidebar = app.screen.query_one(QueueSidebar)
        assert sidebar.totals["due"] == 1
        assert sidebar.totals["contact"] == 1
        assert sidebar.totals["nudge"] == expected[QueueTimer.NUDGE]
        assert sidebar.totals["breach"] == expected[QueueTimer.BREACH]
        text = screen_text(app)
        assert "Due follow-ups  1" in text and "Needs contact  1" in text
        await pilot.press("7")
        await settle(pilot)
        assert main_screen(app).queue.id == "due"
        assert _row_ids(app) == [chosen[0].id]
        text = screen_text(app)  # what the queue is for: the promised time and the promise
        assert "Promised" in text and "Promise " in text and " Left" not in text
        assert "today 11:00" in text and "promised a call b" in text
        await pilot.press("8")
        await settle(pilot)
        assert _row_ids(app)[:100] == nudge_ids
        text = screen_text(app)  # how long each customer has been silent
        assert "Silent" in text and " Left" not in text and "Promised" not in text
        await pilot.press("9")
        await settle(pilot)
        tickets = ticket_list(app)
        assert tickets.total == expected[QueueTimer.BREACH]
        assert _row_ids(app)[:100] == breach_first
        await pilot.press("o")  # Breach has its own order: o says so and changes nothing
        await settle(pilot)
        assert main_screen(app).order == Order.PRIORITY
        await pilot.press("0")
        await settle(pilot)
        assert main_screen(app).queue.id == "contact"
        assert _row_ids(app) == [chosen[1].id]
        await pilot.press("right_square_bracket")  # past the digits: Undelivered mail
        await settle(pilot)
        assert main_screen(app).queue.id == "undelivered" == QUEUES[-1].id
        await pilot.press("right_square_bracket")  # ] wraps from the last queue to the first
        await settle(pilot)
        assert main_screen(app).queue.id == QUEUES[0].id


async def test_needs_customer_contact_count_follows_another_console(app, db_path) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        sidebar = app.screen.query_one(QueueSidebar)
        assert sidebar.totals["contact"] == 0
        other = Store.open(db_path, clock=lambda: FROZEN)
        try:
            ticket_id = other.tickets(QueueFilter(), limit=1)[0].id
            escalation.ask_front(_erin(other), ticket_id, "Since when?")
        finally:
            other.close()
        assert await _wait_for(lambda: sidebar.totals.get("contact") == 1)


async def test_presence_of_a_colleague_shows_in_the_list_and_on_the_ticket(app, db_path) -> None:
    other = Store.open(db_path, clock=lambda: FROZEN)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            first = ticket_list(app).current
            assert first is not None
            heads = main_screen(app)._heads
            presence.heartbeat(other, "bob", first.id, Activity.REPLYING)
            assert await _wait_for(lambda: "\u270ebob" in screen_text(app))
            # Only presence changed: the marks were read again, the queues were not.
            assert main_screen(app)._heads is heads
            mark = _segment(app, first.id, "\u270ebob")
            assert mark.style.italic
            await pilot.press("enter")
            await settle(pilot)
            line = app.screen.query_one(PresenceLine)
            assert await _wait_for(lambda: line.display and "bob is replying" in screen_text(app))
            # Alice's own console says where she is, for the others.
            assert await _wait_for(
                lambda: (
                    [p.agent for p in presence.on_ticket(other, first.id, exclude_agent="bob")]
                    == [AGENT]
                )
            )
            assert (
                presence.on_ticket(other, first.id, exclude_agent="bob")[0].activity
                == Activity.VIEWING
            )
            presence.leave(other, "bob")
            assert await _wait_for(lambda: not line.display)
            await pilot.press("escape")
            await settle(pilot)
            assert await _wait_for(lambda: not presence.on_ticket(other, first.id))
        # Quitting removes alice's presence at once.
        rows = other.query("SELECT count(*) FROM presence WHERE agent = ?", (AGENT,))
        assert rows[0][0] == 0
    finally:
        other.close()


async def test_the_tui_runs_the_timers_and_says_what_they_did(tmp_path) -> None:
    path = tmp_path / "late.db"
    moment = [FROZEN - timedelta(hours=3)]
    store = Store.open(path, clock=lambda: moment[0])
    try:
        late = operations.create_ticket(
            make_desk(store, "intake"),
            subject="urgent and unanswered",
            requester="c@example.com",
            priority=Priority.P1,
        )
    finally:
        store.close()
    app = make_app(path, AGENT, clock=lambda: FROZEN)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert await _wait_for(lambda: any("SLA breach" in n.message for n in app._notifications))
    store = Store.open(path, clock=lambda: FROZEN)
    try:
        breaches = [e for e in store.events(late.id) if e.action == EventAction.SLA_BREACH]
        assert len(breaches) == 1
        assert breaches[0].actor == "console"  # the timers act as the console, not as alice
        assert timers.tick(make_desk(store, "cron")).breaches == []  # nothing left to do
    finally:
        store.close()


async def test_an_agent_missing_from_the_team_config_is_told_at_start(db_path) -> None:
    team = parse_team({"agents": {"bob": {"name": "Bob", "lines": ["L2"]}}})
    app = make_app(db_path, AGENT, clock=lambda: FROZEN, team=team)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert any("not in the team config" in n.message for n in app._notifications)


def test_left_cell_is_short_and_signed() -> None:
    from console.tui.columns import short_left

    assert [short_left(s) for s in (59 * 60, 3600, 47 * 3600, 49 * 3600, -7200, -30)] == [
        "59m",
        "1h",
        "47h",
        "2d",
        "-2h",
        "-0m",
    ]


async def test_a_colleague_whose_console_died_fades_out_after_the_ttl(db_path) -> None:
    moment = [FROZEN]
    app = make_app(db_path, AGENT, clock=lambda: moment[0])
    other = Store.open(db_path, clock=lambda: FROZEN)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            first = ticket_list(app).current
            assert first is not None
            # Zoe opens the ticket, and then her SSH session drops: no `leave`, no more beats.
            presence.heartbeat(other, "zoe-agent", first.id, Activity.VIEWING)
            assert await _wait_for(lambda: "zoe-agent" in screen_text(app))
            moment[0] = FROZEN + presence.TTL + timedelta(seconds=1)
            ticket_list(app).refresh_marks()  # what the list's interval timer does
            assert await _wait_for(lambda: "zoe-agent" not in screen_text(app))
    finally:
        other.close()


async def test_writing_a_reply_shows_as_replying_and_stays_so(app, db_path) -> None:
    other = Store.open(db_path, clock=lambda: FROZEN)
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            ticket = ticket_list(app).current
            assert ticket is not None
            await pilot.press("enter")
            await settle(pilot)
            await pilot.press("r")
            await pilot.pause()

            def activity() -> str | None:
                found = presence.on_ticket(other, ticket.id, exclude_agent="nobody")
                return found[0].activity if found else None

            assert await _wait_for(lambda: activity() == Activity.REPLYING)
            # The app's regular heartbeat falls due now: it says the same.
            app.watcher._sent_at = 0.0
            assert await _wait_for(lambda: app.watcher._sent_at > 0.0)  # it was sent again
            assert activity() == Activity.REPLYING
    finally:
        other.close()
