"""The workflow in the core: the ball moves by itself, statuses follow, the clocks pause
while the ball is not ours, and every move is an event."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.core import queues, workflow
from console.core.errors import InvalidInput, TicketConflict, TicketNotFound
from console.core.model import Court, Priority, Status
from console.core.sla import SlaPolicy, Targets, calendar_from_config
from console.core.store import Store
from tests.unit.sla_helpers import FrozenClock, open_store, utc

H = 3600
POLICY = SlaPolicy(targets={p: Targets(4 * H, 2 * H, 8 * H) for p in Priority})


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(utc(2026, 11, 23, 9))  # a Monday


@pytest.fixture
def store(tmp_path: Path, clock: FrozenClock) -> Store:
    with open_store(tmp_path, clock) as opened:
        yield opened


def new(store: Store, policy: SlaPolicy = POLICY, **kw: object) -> int:
    fields = {
        "subject": "VPN drops every hour",
        "requester": "Ann <ann@example.com>",
        "body": "It drops.",
        "priority": Priority.P2,
        **kw,
    }
    return workflow.create_ticket(store, "kim", policy=policy, **fields).id


def actions(store: Store, ticket_id: int) -> list[tuple[str, str | None, str | None]]:
    return [(e.action, e.before, e.after) for e in store.events(ticket_id)]


def test_a_new_ticket_starts_its_clocks(store: Store) -> None:
    c = workflow.clocks(store, new(store))
    assert (c.status, c.court, c.clock_since) == (Status.NEW, Court.US, "2026-11-23T09:00:00Z")
    assert (c.sla_kind, c.sla_due_at) == ("first_response", "2026-11-23T13:00:00Z")


def test_full_flow_message_reply_answer_solve_confirm_rate(
    store: Store, clock: FrozenClock
) -> None:
    t = new(store)
    clock.advance(hours=1)
    workflow.reply(store, "kim", t, "Which VPN client do you use?", policy=POLICY)
    c = workflow.clocks(store, t)
    assert (c.status, c.court, c.sla_due_at) == (Status.WAITING, Court.CUSTOMER, None)
    assert c.first_response_at == "2026-11-23T10:00:00Z" and c.ours_seconds == H

    clock.advance(hours=20)  # the customer takes their time: our clocks do not run
    workflow.customer_message(store, "kim", t, "WireGuard 1.0.2", policy=POLICY)
    c = workflow.clocks(store, t)
    assert (c.status, c.court, c.ours_seconds) == (Status.OPEN, Court.US, H)
    assert (c.sla_kind, c.sla_due_at) == ("next_update", "2026-11-24T08:00:00Z")

    clock.advance(minutes=30)
    workflow.solve(store, "kim", t, policy=POLICY)
    c = workflow.clocks(store, t)
    assert (c.status, c.court, c.sla_due_at) == (Status.SOLVED, Court.CUSTOMER, None)
    assert c.ours_seconds == H + 1800 and c.resolved_at == "2026-11-24T06:30:00Z"
    assert store.messages(t)[-1].body == workflow.CONFIRM_TEXT

    clock.advance(hours=2)
    workflow.confirm(store, "kim", t, policy=POLICY)
    workflow.rate(store, "kim", t, 5, "quick and kind")
    c = workflow.clocks(store, t)
    assert (c.status, c.rating) == (Status.CLOSED, 5)
    assert actions(store, t) == [
        ("created", None, None),
        ("message", None, "reply"),
        ("status", "new", "waiting"),
        ("court", "us", "customer"),
        ("message", None, "customer"),
        ("status", "waiting", "open"),
        ("court", "customer", "us"),
        ("message", None, "reply"),
        ("status", "open", "solved"),
        ("court", "us", "customer"),
        ("status", "solved", "closed"),
        ("rating", None, "5"),
    ]
    assert [m.kind for m in store.messages(t)] == ["reply", "customer", "reply"]


def test_a_reply_that_asks_nothing_keeps_the_ball(store: Store, clock: FrozenClock) -> None:
    t = new(store)
    clock.advance(hours=1)
    workflow.reply(store, "kim", t, "We are on it.", keep_court=True, policy=POLICY)
    c = workflow.clocks(store, t)
    assert (c.status, c.court) == (Status.NEW, Court.US)
    # The first response is given; the next update is due two hours from this reply.
    assert (c.sla_kind, c.sla_due_at) == ("next_update", "2026-11-23T12:00:00Z")
    assert c.ours_seconds == H


def test_vendor_hand_off_and_answer(store: Store, clock: FrozenClock) -> None:
    t = new(store)
    clock.advance(hours=1)
    workflow.hand_to_vendor(store, "kim", t, "Acme", "AC-1234", policy=POLICY)
    c = workflow.clocks(store, t)
    assert (c.court, c.status, c.vendor, c.vendor_case) == (
        Court.VENDOR,
        Status.WAITING,
        "Acme",
        "AC-1234",
    )
    assert c.sla_due_at is None
    clock.advance(days=3)
    workflow.vendor_answer(store, "kim", t, "Fixed in 2.1", policy=POLICY)
    c = workflow.clocks(store, t)
    assert (c.court, c.status, c.ours_seconds) == (Court.US, Status.OPEN, H)
    assert ("vendor", None, "Acme case AC-1234") in actions(store, t)
    assert store.messages(t)[-1].author == "Acme"


def test_manual_override_needs_a_reason_and_is_logged(store: Store) -> None:
    t = new(store)
    with pytest.raises(InvalidInput, match="the reason for moving the ticket is empty"):
        workflow.move_court(store, "kim", t, "customer", "  ")
    workflow.move_court(store, "kim", t, "customer", "called them, they will test tonight")
    events = store.events(t)
    assert (events[-1].action, events[-1].detail) == (
        "court",
        "called them, they will test tonight",
    )
    with pytest.raises(InvalidInput, match="needs the vendor's name and case number"):
        workflow.move_court(store, "kim", t, "vendor", "their bug")
    with pytest.raises(InvalidInput, match="unknown court 'moon'"):
        workflow.move_court(store, "kim", t, "moon", "why not")


def test_customer_message_reopens_a_solved_or_recently_closed_ticket(
    store: Store, clock: FrozenClock
) -> None:
    t = new(store)
    workflow.solve(store, "kim", t, policy=POLICY)
    clock.advance(days=1)
    reopened = workflow.customer_message(store, "kim", t, "Still broken", policy=POLICY)
    assert reopened.id == t and (reopened.status, reopened.court) == (Status.OPEN, Court.US)
    assert workflow.clocks(store, t).resolved_at is None
    workflow.close(store, "kim", t, policy=POLICY)
    clock.advance(days=3)
    assert workflow.customer_message(store, "kim", t, "Again", policy=POLICY).id == t


def test_customer_message_long_after_closing_opens_a_linked_ticket(
    store: Store, clock: FrozenClock
) -> None:
    policy = SlaPolicy(reopen_within=7 * 86400)
    t = new(store, policy)
    workflow.close(store, "kim", t, "done", policy=policy)
    clock.advance(days=8)
    follow = workflow.customer_message(store, "kim", t, "It is back", policy=policy)
    assert follow.id != t and follow.subject == "VPN drops every hour"
    assert (follow.status, follow.court, follow.body) == (Status.NEW, Court.US, "It is back")
    assert store.ticket(t).status == Status.CLOSED
    assert ("link", None, str(follow.id)) in actions(store, t)
    assert ("link", None, str(t)) in actions(store, follow.id)
    assert workflow.clocks(store, follow.id).sla_due_at is not None
    with store.lock:
        links = store.conn.execute("SELECT ticket_id, other_id, kind FROM links").fetchall()
    assert links == [(follow.id, t, "follow-up of")]


def test_a_late_answer_is_logged_as_a_breach_by_the_answer_itself(
    store: Store, clock: FrozenClock
) -> None:
    t = new(store)
    clock.advance(hours=5)  # first response was due after 4 hours
    workflow.reply(store, "kim", t, "Sorry for the wait", policy=POLICY)
    breaches = [e for e in store.events(t) if e.action == "sla_breach"]
    assert [(e.after, e.detail) for e in breaches] == [
        ("first_response", "due 2026-11-23T13:00:00Z")
    ]
    assert workflow.clocks(store, t).sla_breached == ("first_response",)
    assert queues.breach_count(store) == {"first_response": 1}


def test_business_hours_pause_the_clocks_overnight(tmp_path: Path) -> None:
    clock = FrozenClock(utc(2026, 11, 23, 7))  # Monday 09:00 in Kyiv
    policy = SlaPolicy(
        targets={p: Targets(4 * H, 2 * H, 8 * H) for p in Priority},
        calendar=calendar_from_config({"timezone": "Europe/Kyiv"}),
    )
    with open_store(tmp_path, clock) as store:
        t = new(store, policy)
        clock.advance(hours=1)
        workflow.reply(store, "kim", t, "Which client?", policy=policy)
        clock.set(utc(2026, 11, 23, 15, 30))  # the customer answers at 17:30 local
        workflow.customer_message(store, "kim", t, "WireGuard", policy=policy)
        c = workflow.clocks(store, t)
        # 30 working minutes today, then from 09:00 tomorrow: next update due 10:30 local.
        assert (c.sla_kind, c.sla_due_at) == ("next_update", "2026-11-24T08:30:00Z")
        clock.set(utc(2026, 11, 24, 8))  # 10:00 local on Tuesday
        workflow.note(store, "kim", t, "looking at the logs")
        assert workflow.clocks(store, t).ours_seconds == H  # a note does not move the ball


def test_billable_work_waits_for_approval(store: Store, clock: FrozenClock) -> None:
    t = new(store)
    workflow.bill(store, "kim", t, 120, policy=POLICY)
    c = workflow.clocks(store, t)
    assert (c.court, c.status, c.approval, c.estimate_minutes, c.billable) == (
        Court.CUSTOMER,
        Status.WAITING,
        "pending",
        120,
        True,
    )
    assert "2h" in store.messages(t)[-1].body
    with pytest.raises(
        InvalidInput,
        match="billable time needs the customer's approval first "
        r"\(the work is pending\)",
    ):
        workflow.log_time(store, "kim", t, 30)
    workflow.log_time(store, "kim", t, 15, billable=False, note="estimate")
    clock.advance(hours=3)
    workflow.approve(store, "kim", t, "go ahead")
    c = workflow.clocks(store, t)
    assert (c.court, c.status, c.approval) == (Court.US, Status.OPEN, "approved")
    workflow.log_time(store, "kim", t, 90)
    assert workflow.time_logged(store, t) == {"billable": 90, "internal": 15}
    assert ("approval", "pending", "approved") in actions(store, t)
    with pytest.raises(InvalidInput, match="no billable work awaiting approval .it is approved"):
        workflow.refuse(store, "kim", t)


def test_refused_work_is_recorded_and_blocks_billable_time(store: Store) -> None:
    t = new(store)
    workflow.bill(store, "kim", t, 60, policy=POLICY)
    workflow.refuse(store, "kim", t, "too expensive", policy=POLICY)
    assert workflow.clocks(store, t).approval == "refused"
    assert workflow.clocks(store, t).court == Court.US
    with pytest.raises(InvalidInput, match=r"\(the work is refused\)"):
        workflow.log_time(store, "kim", t, 10)


def test_follow_ups_and_the_due_queue(store: Store, clock: FrozenClock) -> None:
    a, b, c = new(store), new(store), new(store)
    workflow.set_followup(store, "kim", a, utc(2026, 11, 23, 12), "call back")
    workflow.set_followup(store, "kim", b, utc(2026, 11, 25, 12))
    workflow.set_followup(store, "kim", c, utc(2026, 11, 23, 10))
    clock.advance(hours=2)  # 11:00: c is overdue, a is due today, b is for later
    assert [r.id for r in queues.due(store, POLICY)] == [c, a]
    workflow.clear_followup(store, "kim", c)
    assert [r.id for r in queues.due(store, POLICY)] == [a]
    with pytest.raises(InvalidInput, match=f"ticket #{c} has no follow-up to clear"):
        workflow.clear_followup(store, "kim", c)


def test_breach_queue_is_sorted_by_time_to_breach(store: Store, clock: FrozenClock) -> None:
    p4 = new(store, priority=Priority.P4)
    p1 = new(store, priority=Priority.P1)
    waiting = new(store)
    workflow.reply(store, "kim", waiting, "Need logs", policy=POLICY)
    policy = SlaPolicy()
    late = workflow.create_ticket(
        store, "kim", policy=policy, subject="x", requester="a@example.com", priority=Priority.P1
    ).id
    # The default P1 promise (1 hour) falls due first; the waiting ticket's clock is paused.
    assert [r.id for r in queues.breach(store)] == [late, p4, p1]
    assert queues.breach(store)[0].sla_due_at == "2026-11-23T10:00:00Z"


def test_errors_for_bad_input_change_nothing(store: Store) -> None:
    t = new(store)
    version = store.ticket(t).version
    cases = [
        (lambda: workflow.reply(store, "kim", t, "  "), "the message is empty"),
        (lambda: workflow.customer_message(store, "kim", t, ""), "the message is empty"),
        (lambda: workflow.rate(store, "kim", t, 6), "rating 6 is out of range"),
        (lambda: workflow.rate(store, "kim", t, 4), f"ticket #{t} is new: a rating is taken"),
        (lambda: workflow.confirm(store, "kim", t), f"ticket #{t} is new, not solved"),
        (lambda: workflow.vendor_answer(store, "kim", t), f"ticket #{t} is not with a vendor"),
        (
            lambda: workflow.hand_to_vendor(store, "kim", t, "Acme", " "),
            "the vendor's case number is empty",
        ),
        (lambda: workflow.bill(store, "kim", t, 0), "the estimate must be more than zero"),
        (lambda: workflow.log_time(store, "kim", t, 0), "the time to log must be more"),
        (
            lambda: workflow.approve(store, "kim", t),
            "no billable work awaiting approval .it is not billable.",
        ),
        (lambda: workflow.nudge(store, "kim", t), "is not waiting on the customer"),
        (lambda: workflow.clear_followup(store, "kim", t), "has no follow-up to clear"),
    ]
    for call, message in cases:
        with pytest.raises(InvalidInput, match=message):
            call()
    assert store.ticket(t).version == version
    assert len(store.events(t)) == 1
    with pytest.raises(TicketNotFound, match="ticket #999 does not exist"):
        workflow.reply(store, "kim", 999, "hello")
    workflow.close(store, "kim", t)
    for call, message in [
        (lambda: workflow.close(store, "kim", t), f"ticket #{t} is already closed"),
        (lambda: workflow.solve(store, "kim", t), f"ticket #{t} is closed: reopen it"),
        (lambda: workflow.set_followup(store, "kim", t, utc(2027, 1, 1)), "is closed"),
        (lambda: workflow.move_court(store, "kim", t, "us", "x"), "is closed: reopen it"),
    ]:
        with pytest.raises(InvalidInput, match=message):
            call()


def test_a_stale_version_is_refused(store: Store) -> None:
    t = new(store)
    seen = store.ticket(t).version
    workflow.note(store, "ann", t, "first")
    with pytest.raises(TicketConflict, match=f"ticket #{t} was changed by ann"):
        workflow.reply(store, "kim", t, "hello", expected_version=seen)
    assert [m.body for m in store.messages(t)] == ["first"]


def test_workflow_queues_run_on_indexes(store: Store) -> None:
    """Sorting by time to breach and finding what fell due never scan the tickets table."""
    statements = [
        "SELECT id FROM tickets INDEXED BY tickets_by_sla_due WHERE sla_due_at IS NOT NULL "
        "ORDER BY sla_due_at, id LIMIT 50",
        "SELECT id FROM tickets WHERE sla_check_at IS NOT NULL AND sla_check_at <= '2026' "
        "ORDER BY sla_check_at",
        "SELECT id FROM tickets INDEXED BY tickets_by_followup WHERE followup_due_at IS NOT "
        "NULL AND followup_due_at < '2026' ORDER BY followup_due_at, id LIMIT 50",
        "SELECT id FROM tickets INDEXED BY tickets_idle_customer WHERE court = 'customer' AND "
        "status IN ('waiting', 'solved') AND clock_since <= '2026' ORDER BY clock_since, id",
    ]
    with store.lock:
        for sql in statements:
            plan = " ".join(row[3] for row in store.conn.execute("EXPLAIN QUERY PLAN " + sql))
            assert "USING" in plan and "INDEX" in plan and "TEMP B-TREE" not in plan, plan


def test_deadlines_for_a_page_of_any_queue(store: Store) -> None:
    a, b = new(store), new(store)
    workflow.reply(store, "kim", b, "logs?", policy=POLICY)
    assert queues.deadlines_for(store, [a, b, 999]) == {
        a: ("first_response", "2026-11-23T13:00:00Z"),
        b: (None, None),
    }
    assert queues.deadlines_for(store, []) == {}
