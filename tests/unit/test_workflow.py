"""The workflow in the core: the ball moves by itself, statuses follow, the clocks pause
while the ball is not ours, and every move is an event."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from console.core import operations, queues, workflow
from console.core.canned import Canned
from console.core.desk import Desk
from console.core.errors import InvalidInput, TicketConflict, TicketNotFound
from console.core.model import Court, Priority, QueueTimer, Status
from console.core.sla import Breach, SlaKind, SlaPolicy, Targets, calendar_from_config
from console.core.store import Store
from tests.support import FrozenClock, make_desk, open_store, utc

H = 3600
POLICY = SlaPolicy(targets={p: Targets(4 * H, 2 * H, 8 * H) for p in Priority})


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(utc(2026, 11, 23, 9))  # a Monday


@pytest.fixture
def desk(store: Store) -> Desk:
    return make_desk(store, "kim", policy=POLICY)


def new(desk: Desk, **kw: object) -> int:
    fields = {
        "subject": "VPN drops every hour",
        "requester": "Ann <ann@example.com>",
        "body": "It drops.",
        "priority": Priority.P2,
        **kw,
    }
    return operations.create_ticket(desk, **fields).id  # type: ignore[arg-type]


def actions(store: Store, ticket_id: int) -> list[tuple[str, str | None, str | None]]:
    return [(e.action, e.before, e.after) for e in store.events(ticket_id)]


def test_a_new_ticket_starts_its_clocks(desk: Desk) -> None:
    c = workflow.clocks(desk.store, new(desk))
    assert (c.status, c.court, c.clock_since) == (Status.NEW, Court.US, "2026-11-23T09:00:00Z")
    assert (c.sla_kind, c.sla_due_at) == (SlaKind.FIRST_RESPONSE, "2026-11-23T13:00:00Z")


def test_full_flow_message_reply_answer_solve_confirm_rate(
    desk: Desk, store: Store, clock: FrozenClock
) -> None:
    t = new(desk)
    clock.advance(hours=1)
    operations.reply(desk, t, "Which VPN client do you use?")
    c = workflow.clocks(store, t)
    assert (c.status, c.court, c.sla_due_at) == (Status.WAITING, Court.CUSTOMER, None)
    assert c.first_response_at == "2026-11-23T10:00:00Z" and c.ours_seconds == H

    clock.advance(hours=20)  # the customer takes their time: our clocks do not run
    operations.customer_message(desk, t, "WireGuard 1.0.2")
    c = workflow.clocks(store, t)
    assert (c.status, c.court, c.ours_seconds) == (Status.OPEN, Court.US, H)
    assert (c.sla_kind, c.sla_due_at) == (SlaKind.NEXT_UPDATE, "2026-11-24T08:00:00Z")

    clock.advance(minutes=30)
    operations.solve(desk, t)
    c = workflow.clocks(store, t)
    assert (c.status, c.court, c.sla_due_at) == (Status.SOLVED, Court.CUSTOMER, None)
    assert c.ours_seconds == H + 1800 and c.resolved_at == "2026-11-24T06:30:00Z"
    assert store.messages(t)[-1].body == Canned.CONFIRM.english

    clock.advance(hours=2)
    operations.confirm(desk, t)
    operations.rate(desk, t, 5, "quick and kind")
    c = workflow.clocks(store, t)
    assert (c.status, c.rating) == (Status.CLOSED, 5)
    assert actions(store, t) == [
        ("created", None, None),
        ("message", None, "reply"),
        ("status", "new", "waiting"),
        ("court", "us", "customer"),
        ("assignee", None, desk.login),  # the first reply takes the unassigned ticket
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


def test_a_reply_that_asks_nothing_keeps_the_ball(desk: Desk, clock: FrozenClock) -> None:
    t = new(desk)
    clock.advance(hours=1)
    operations.reply(desk, t, "We are on it.", keep_court=True)
    c = workflow.clocks(desk.store, t)
    assert (c.status, c.court) == (Status.NEW, Court.US)
    # The first response is given; the next update is due two hours from this reply.
    assert (c.sla_kind, c.sla_due_at) == (SlaKind.NEXT_UPDATE, "2026-11-23T12:00:00Z")
    assert c.ours_seconds == H


def test_vendor_hand_off_and_answer(desk: Desk, store: Store, clock: FrozenClock) -> None:
    t = new(desk)
    clock.advance(hours=1)
    operations.hand_to_vendor(desk, t, "Acme", "AC-1234")
    c = workflow.clocks(store, t)
    assert (c.court, c.status, c.vendor, c.vendor_case) == (
        Court.VENDOR,
        Status.WAITING,
        "Acme",
        "AC-1234",
    )
    assert c.sla_due_at is None
    clock.advance(days=3)
    operations.vendor_answer(desk, t, "Fixed in 2.1")
    c = workflow.clocks(store, t)
    assert (c.court, c.status, c.ours_seconds) == (Court.US, Status.OPEN, H)
    assert ("vendor", None, "Acme case AC-1234") in actions(store, t)
    assert store.messages(t)[-1].author == "Acme"


def test_manual_override_needs_a_reason_and_is_logged(desk: Desk, store: Store) -> None:
    t = new(desk)
    with pytest.raises(InvalidInput, match="the reason for moving the ticket is empty"):
        operations.move_court(desk, t, "customer", "  ")
    operations.move_court(desk, t, "customer", "called them, they will test tonight")
    events = store.events(t)
    assert (events[-1].action, events[-1].detail) == (
        "court",
        "called them, they will test tonight",
    )
    with pytest.raises(InvalidInput, match="needs the vendor's name and case number"):
        operations.move_court(desk, t, "vendor", "their bug")
    with pytest.raises(InvalidInput, match="unknown court 'moon'"):
        operations.move_court(desk, t, "moon", "why not")


def test_customer_message_reopens_a_solved_or_recently_closed_ticket(
    desk: Desk, clock: FrozenClock
) -> None:
    t = new(desk)
    operations.solve(desk, t)
    clock.advance(days=1)
    reopened = operations.customer_message(desk, t, "Still broken")
    assert reopened.id == t and (reopened.status, reopened.court) == (Status.OPEN, Court.US)
    assert workflow.clocks(desk.store, t).resolved_at is None
    operations.close(desk, t)
    clock.advance(days=3)
    assert operations.customer_message(desk, t, "Again").id == t


def test_customer_message_long_after_closing_opens_a_linked_ticket(
    desk: Desk, store: Store, clock: FrozenClock
) -> None:
    desk = replace(desk, policy=SlaPolicy(reopen_within=7 * 86400))
    t = new(desk)
    operations.close(desk, t, "done")
    clock.advance(days=8)
    follow = operations.customer_message(desk, t, "It is back")
    assert follow.id != t and follow.subject == "VPN drops every hour"
    assert (follow.status, follow.court, follow.body) == (Status.NEW, Court.US, "It is back")
    assert store.ticket(t).status == Status.CLOSED
    assert ("link", None, str(follow.id)) in actions(store, t)
    assert ("link", None, str(t)) in actions(store, follow.id)
    assert workflow.clocks(store, follow.id).sla_due_at is not None
    links = store.query("SELECT ticket_id, other_id, kind FROM links")
    assert links == [(follow.id, t, "follow-up of")]


def test_a_late_answer_is_logged_as_a_breach_by_the_answer_itself(
    desk: Desk, store: Store, clock: FrozenClock
) -> None:
    t = new(desk)
    clock.advance(hours=5)  # first response was due after 4 hours
    operations.reply(desk, t, "Sorry for the wait")
    breaches = [e for e in store.events(t) if e.action == "sla_breach"]
    assert [(e.after, e.detail) for e in breaches] == [
        ("first_response", "due 2026-11-23T13:00:00Z")
    ]
    assert workflow.clocks(store, t).breaches == frozenset({Breach(SlaKind.FIRST_RESPONSE)})
    assert queues.breach_count(store) == {"first_response": 1}


def test_a_breach_keeps_its_lateness_after_the_customer_answers(
    desk: Desk, store: Store, clock: FrozenClock
) -> None:
    t = new(desk)
    clock.advance(hours=9)  # 18:00: the resolution deadline (8 hours) passed an hour ago
    operations.reply(desk, t, "Sorry, which client?")
    assert {b.kind for b in workflow.clocks(store, t).breaches} == {
        SlaKind.FIRST_RESPONSE,
        SlaKind.RESOLUTION,
    }
    clock.advance(days=1)  # the ball was the customer's: our clocks stood still
    operations.customer_message(desk, t, "WireGuard")
    c = workflow.clocks(store, t)
    # The resolution deadline is not "now": it lies in the past by the hour it is late.
    assert (c.sla_kind, c.sla_due_at) == (SlaKind.RESOLUTION, "2026-11-24T17:00:00Z")
    assert c.ours_seconds == 9 * H
    # Already logged: the customer's answer logs no breach a second time.
    assert [e.after for e in store.events(t) if e.action == "sla_breach"] == [
        "first_response",
        "resolution",
    ]


def test_a_first_response_missed_before_a_vendor_hand_off_stays_missed(
    desk: Desk, store: Store, clock: FrozenClock
) -> None:
    t = new(desk)
    clock.advance(hours=6)  # first response was due at 13:00
    operations.hand_to_vendor(desk, t, "Acme", "AC-1")
    clock.advance(days=2)
    operations.vendor_answer(desk, t)
    c = workflow.clocks(store, t)
    assert (c.sla_kind, c.sla_due_at) == (SlaKind.FIRST_RESPONSE, "2026-11-25T13:00:00Z")
    assert c.breaches == frozenset({Breach(SlaKind.FIRST_RESPONSE)})


def test_a_priority_change_moves_the_deadlines(
    desk: Desk, store: Store, clock: FrozenClock
) -> None:
    policy = SlaPolicy(
        targets={
            Priority.P1: Targets(H, 2 * H, 4 * H),
            Priority.P2: Targets(4 * H, 2 * H, 8 * H),
            Priority.P3: Targets(8 * H, 2 * H, 16 * H),
            Priority.P4: Targets(24 * H, 2 * H, 40 * H),
        }
    )
    desk = replace(desk, policy=policy)
    t = new(desk, priority=Priority.P3)
    assert workflow.clocks(store, t).sla_due_at == "2026-11-23T17:00:00Z"
    clock.advance(minutes=30)
    operations.set_priority(desk, t, Priority.P2)
    c = workflow.clocks(store, t)
    assert (c.sla_kind, c.sla_due_at, c.breaches) == (
        SlaKind.FIRST_RESPONSE,
        "2026-11-23T13:00:00Z",
        frozenset(),
    )
    clock.advance(hours=1)  # 10:30: under P1 the first response was due at 10:00
    operations.set_priority(desk, t, Priority.P1)
    c = workflow.clocks(store, t)
    assert (c.sla_kind, c.sla_due_at) == (SlaKind.FIRST_RESPONSE, "2026-11-23T10:00:00Z")
    assert c.breaches == frozenset({Breach(SlaKind.FIRST_RESPONSE)})
    assert [(e.action, e.after) for e in store.events(t)][-2:] == [
        ("sla_breach", "first_response"),
        ("priority", "P1"),
    ]
    clock.advance(minutes=30)
    operations.set_priority(desk, t, Priority.P4)  # a lower priority gives time back
    c = workflow.clocks(store, t)
    assert (c.sla_kind, c.sla_due_at) == (SlaKind.FIRST_RESPONSE, "2026-11-24T09:00:00Z")
    assert c.breaches == frozenset({Breach(SlaKind.FIRST_RESPONSE)})  # a breach stays logged


def test_business_hours_pause_the_clocks_overnight(tmp_path: Path) -> None:
    clock = FrozenClock(utc(2026, 11, 23, 7))  # Monday 09:00 in Kyiv
    policy = SlaPolicy(
        targets={p: Targets(4 * H, 2 * H, 8 * H) for p in Priority},
        calendar=calendar_from_config({"timezone": "Europe/Kyiv"}),
    )
    with open_store(tmp_path, clock) as store:
        desk = make_desk(store, "kim", policy=policy)
        t = new(desk)
        clock.advance(hours=1)
        operations.reply(desk, t, "Which client?")
        clock.set(utc(2026, 11, 23, 15, 30))  # the customer answers at 17:30 local
        operations.customer_message(desk, t, "WireGuard")
        c = workflow.clocks(store, t)
        # 30 working minutes today, then from 09:00 tomorrow: next update due 10:30 local.
        assert (c.sla_kind, c.sla_due_at) == (SlaKind.NEXT_UPDATE, "2026-11-24T08:30:00Z")
        clock.set(utc(2026, 11, 24, 8))  # 10:00 local on Tuesday
        operations.note(desk, t, "looking at the logs")
        assert workflow.clocks(store, t).ours_seconds == H  # a note does not move the ball


def test_billable_work_waits_for_approval(desk: Desk, store: Store, clock: FrozenClock) -> None:
    t = new(desk)
    operations.bill(desk, t, 120)
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
        operations.log_time(desk, t, 30)
    operations.log_time(desk, t, 15, billable=False, note="estimate")
    clock.advance(hours=3)
    operations.approve(desk, t, "go ahead")
    c = workflow.clocks(store, t)
    assert (c.court, c.status, c.approval) == (Court.US, Status.OPEN, "approved")
    operations.log_time(desk, t, 90)
    assert operations.time_logged(store, t) == {"billable": 90, "internal": 15}
    assert ("approval", "pending", "approved") in actions(store, t)
    with pytest.raises(InvalidInput, match="no billable work awaiting approval .it is approved"):
        operations.refuse(desk, t)


def test_refused_work_is_recorded_and_blocks_billable_time(desk: Desk) -> None:
    t = new(desk)
    operations.bill(desk, t, 60)
    operations.refuse(desk, t, "too expensive")
    assert workflow.clocks(desk.store, t).approval == "refused"
    assert workflow.clocks(desk.store, t).court == Court.US
    with pytest.raises(InvalidInput, match=r"\(the work is refused\)"):
        operations.log_time(desk, t, 10)


def test_follow_ups_and_the_due_queue(desk: Desk, store: Store, clock: FrozenClock) -> None:
    a, b, c = new(desk), new(desk), new(desk)
    operations.set_followup(desk, a, utc(2026, 11, 23, 12), "call back")
    operations.set_followup(desk, b, utc(2026, 11, 25, 12))
    operations.set_followup(desk, c, utc(2026, 11, 23, 10))
    clock.advance(hours=2)  # 11:00: c is overdue, a is due today, b is for later
    assert [r.id for r in queues.page(store, POLICY, QueueTimer.DUE)] == [c, a]
    operations.clear_followup(desk, c)
    assert [r.id for r in queues.page(store, POLICY, QueueTimer.DUE)] == [a]
    with pytest.raises(InvalidInput, match=f"ticket #{c} has no follow-up to clear"):
        operations.clear_followup(desk, c)


def test_solving_or_closing_clears_the_follow_up(desk: Desk, store: Store) -> None:
    solved, closed = new(desk), new(desk)
    for t in (solved, closed):
        operations.set_followup(desk, t, utc(2026, 11, 23, 12), "call back")  # due today
    assert [r.id for r in queues.page(store, POLICY, QueueTimer.DUE)] == [solved, closed]
    operations.solve(desk, solved)
    operations.close(desk, closed)
    for t, status in ((solved, "solved"), (closed, "closed")):
        assert workflow.clocks(store, t).followup_due_at is None
        [event] = [e for e in store.events(t) if e.action == "followup" and e.after is None]
        assert (event.before, event.detail) == ("2026-11-23T12:00:00Z", f"the ticket is {status}")
    assert queues.page(store, POLICY, QueueTimer.DUE) == []


def test_breach_queue_is_sorted_by_time_to_breach(
    desk: Desk, store: Store, clock: FrozenClock
) -> None:
    p4 = new(desk, priority=Priority.P4)
    p1 = new(desk, priority=Priority.P1)
    waiting = new(desk)
    operations.reply(desk, waiting, "Need logs")
    late = operations.create_ticket(
        replace(desk, policy=SlaPolicy()),
        subject="x",
        requester="a@example.com",
        priority=Priority.P1,
    ).id
    # Only the missed and the at-risk deadlines (within 2 hours) are in it: at 09:00 the
    # default P1 promise (1 hour), not yet the 4-hour ones.
    assert [r.id for r in queues.page(store, POLICY, QueueTimer.BREACH)] == [late]
    clock.advance(hours=3)
    # The P1's promise falls due first; the waiting ticket's clock is paused.
    page = queues.page(store, POLICY, QueueTimer.BREACH)
    assert [r.id for r in page] == [late, p4, p1]
    assert queues.clock_rows(store, [page[0].id])[0].sla_due_at == "2026-11-23T10:00:00Z"


def test_errors_for_bad_input_change_nothing(desk: Desk, store: Store) -> None:
    t = new(desk)
    version = store.ticket(t).version
    cases = [
        (lambda: operations.reply(desk, t, "  "), "the message is empty"),
        (lambda: operations.customer_message(desk, t, ""), "the message is empty"),
        (lambda: operations.rate(desk, t, 6), "rating 6 is out of range"),
        (lambda: operations.rate(desk, t, 4), f"ticket #{t} is new: a rating is taken"),
        (lambda: operations.confirm(desk, t), f"ticket #{t} is new, not solved"),
        (lambda: operations.vendor_answer(desk, t), f"ticket #{t} is not with a vendor"),
        (
            lambda: operations.hand_to_vendor(desk, t, "Acme", " "),
            "the vendor's case number is empty",
        ),
        (lambda: operations.bill(desk, t, 0), "the estimate must be more than zero"),
        (lambda: operations.log_time(desk, t, 0), "the time to log must be more"),
        (
            lambda: operations.approve(desk, t),
            "no billable work awaiting approval .it is not billable.",
        ),
        (lambda: operations.nudge(desk, t), "is not waiting on the customer"),
        (lambda: operations.clear_followup(desk, t), "has no follow-up to clear"),
    ]
    for call, message in cases:
        with pytest.raises(InvalidInput, match=message):
            call()
    assert store.ticket(t).version == version
    assert len(store.events(t)) == 1
    with pytest.raises(TicketNotFound, match="ticket #999 does not exist"):
        operations.reply(desk, 999, "hello")
    operations.close(desk, t)
    for call, message in [
        (lambda: operations.close(desk, t), f"ticket #{t} is already closed"),
        (lambda: operations.solve(desk, t), f"ticket #{t} is closed: reopen it"),
        (lambda: operations.set_followup(desk, t, utc(2027, 1, 1)), "is closed"),
        (lambda: operations.move_court(desk, t, "us", "x"), "is closed: reopen it"),
    ]:
        with pytest.raises(InvalidInput, match=message):
            call()


def test_a_stale_version_is_refused(desk: Desk, store: Store) -> None:
    t = new(desk)
    seen = store.ticket(t).version
    operations.note(desk.acting_as("ann"), t, "first")
    with pytest.raises(TicketConflict, match=f"ticket #{t} was changed by ann"):
        operations.reply(desk, t, "hello", expected_version=seen)
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
    with store.read() as conn:
        for sql in statements:
            plan = " ".join(row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql))
            assert "USING" in plan and "INDEX" in plan and "TEMP B-TREE" not in plan, plan


def test_clocks_for_a_page_of_any_queue(desk: Desk, store: Store) -> None:
    a, b = new(desk), new(desk)
    operations.reply(desk, b, "logs?")
    rows = {r.id: r for r in queues.clock_rows(store, [a, b, 999])}
    assert set(rows) == {a, b}
    assert (rows[a].sla_kind, rows[a].sla_due_at) == (
        SlaKind.FIRST_RESPONSE,
        "2026-11-23T13:00:00Z",
    )
    assert (rows[b].sla_kind, rows[b].sla_due_at, rows[b].court) == (None, None, Court.CUSTOMER)
    assert queues.clock_rows(store, []) == []


def test_work_in_batches_commits_each_batch_and_keeps_it_when_a_later_one_fails(
    desk: Desk, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workflow, "BATCH_SECONDS", 0)  # one item a commit
    ids = [
        operations.create_ticket(desk, subject=f"Case {n}", requester="a@example.com", body="x").id
        for n in range(4)
    ]
    batches: list[int] = []  # how many were done after each batch

    def tag(c: workflow.Change, ticket_id: int) -> None:
        if ticket_id == ids[2]:
            raise RuntimeError("the disk is full")
        c.update(ticket_id, priority=Priority.P1, reason="outage")

    watched = replace(desk, progress=lambda what, done, total: batches.append(done))
    with pytest.raises(RuntimeError):
        workflow.in_batches(watched, ids, tag, what="raising priorities")
    assert [store.ticket(i).priority for i in ids] == ["P1", "P1", "P3", "P3"]
    assert batches == [1, 2]
