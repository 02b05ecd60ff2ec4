"""Sorting any open queue by time to breach, and the workflow queues as pages of rows: the
order, the counts, and that each page is one range scan of an index (no sort of the queue)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from console.core import escalation, operations, queues
from console.core.desk import Desk
from console.core.model import Line, Order, Priority, QueueFilter, QueueTimer
from console.core.sla import SlaPolicy
from console.core.store import DUE_KEY, Store, _source, _where
from console.core.team import Agent
from tests.support import FrozenClock, make_desk, utc

NOW = utc(2026, 3, 2, 10, 0)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
def desk(store: Store) -> Desk:
    return make_desk(store, "intake")


def _new(
    desk: Desk,
    clock: FrozenClock,
    subject: str,
    priority: Priority,
    hours_ago: int = 0,
    line: Line = Line.L1,
) -> int:
    clock.set(NOW - timedelta(hours=hours_ago))
    ticket = operations.create_ticket(
        desk, subject=subject, requester="c@example.com", priority=priority, line=line
    )
    clock.set(NOW)
    return ticket.id


def test_breach_order_puts_the_nearest_deadline_first_and_stopped_clocks_last(
    desk: Desk, store: Store, clock: FrozenClock
) -> None:
    p1 = _new(desk, clock, "p1 now", Priority.P1)  # due in 1h
    p4 = _new(desk, clock, "p4 now", Priority.P4)  # due in 24h
    late = _new(desk, clock, "p2 late", Priority.P2, hours_ago=6)  # 2h past
    waiting = _new(desk, clock, "p3 waiting", Priority.P3)
    operations.reply(desk.acting_as("alice"), waiting, "Which version?")
    assert [t.id for t in store.tickets()] == [p1, late, waiting, p4]
    assert [t.id for t in store.tickets(order=Order.BREACH)] == [late, p1, p4, waiting]
    assert [t.id for t in store.tickets(order=Order.BREACH, limit=2, offset=1)] == [p1, p4]
    with pytest.raises(ValueError):
        store.tickets(order="sideways")  # type: ignore[arg-type]


def test_breach_order_within_a_line_and_for_an_assignee(
    desk: Desk, store: Store, clock: FrozenClock
) -> None:
    a = _new(desk, clock, "l2 soon", Priority.P1, line=Line.L2)
    b = _new(desk, clock, "l2 late", Priority.P3, hours_ago=10, line=Line.L2)
    _new(desk, clock, "l1 other", Priority.P1, hours_ago=10)
    assert [t.id for t in store.tickets(QueueFilter(line=Line.L2), order=Order.BREACH)] == [b, a]
    assert store.tickets(QueueFilter(assignee="nobody"), order=Order.BREACH) == []


@pytest.mark.parametrize(
    "queue", [QueueFilter(), QueueFilter(line=Line.L2), QueueFilter(assignee="bob")]
)
def test_each_breach_ordered_page_is_one_index_range_scan(store: Store, queue) -> None:
    where, params = _where(queue, store.clock())
    with store.read() as conn:
        plan = conn.execute(
            f"EXPLAIN QUERY PLAN SELECT id FROM {_source(queue, Order.BREACH)} WHERE {where} "
            f"ORDER BY {DUE_KEY}, priority, created_at, id LIMIT 100",
            params,
        ).fetchall()
    details = " ".join(row[3] for row in plan)
    assert "_due" in details and "TEMP B-TREE" not in details, details


def test_needs_customer_contact_starts_from_the_open_questions(
    desk: Desk, store: Store, clock: FrozenClock
) -> None:
    ticket = _new(desk, clock, "ask them", Priority.P2)
    _new(desk, clock, "not this one", Priority.P1)
    expert = Agent(login="erin", name="Erin", lines=(Line.L3,))
    escalation.ask_front(desk.acting_as(expert), ticket, "Which browser?")
    queue = QueueFilter(needs_customer_contact=True)
    assert [t.id for t in store.tickets(queue)] == [ticket]
    assert store.count(queue) == 1
    where, params = _where(queue, store.clock())
    with store.read() as conn:
        plan = conn.execute(
            f"EXPLAIN QUERY PLAN SELECT count(*) FROM {_source(queue)} WHERE {where}", params
        ).fetchall()
    assert "INTEGER PRIMARY KEY" in " ".join(row[3] for row in plan)


def test_workflow_queue_pages_and_counts(desk: Desk, store: Store, clock: FrozenClock) -> None:
    policy = SlaPolicy()
    alice = desk.acting_as("alice")
    ids = [_new(desk, clock, f"t{n}", Priority.P2, hours_ago=n) for n in range(5)]
    operations.set_followup(alice, ids[0], NOW - timedelta(hours=1), "call back")
    operations.set_followup(alice, ids[1], NOW + timedelta(days=9), "much later")
    clock.set(NOW - timedelta(days=5))
    operations.reply(alice, ids[2], "Does it work now?")
    clock.set(NOW)
    expected = {
        QueueTimer.DUE: [ids[0]],  # the other promise is for later
        QueueTimer.NUDGE: [ids[2]],  # silent for five days
        # First responses due 4 hours after each ticket's creation: missed or within the
        # 2 hours at risk only (ids[1] and ids[0] have 3 and 4 left; ids[2] waits on them).
        QueueTimer.BREACH: [ids[4], ids[3]],
    }
    for timer, rows in expected.items():
        page = queues.page(store, policy, timer, limit=100)
        assert [t.id for t in page] == rows, timer
        assert queues.count(store, policy, timer) == len(rows)
        assert [t.id for t in queues.page(store, policy, timer, limit=1, offset=1)] == rows[1:2]
    due = [r.sla_due_at for r in queues.clock_rows(store, expected[QueueTimer.BREACH])]
    assert due == sorted(due) and due[0] == "2026-03-02T10:00:00Z"
