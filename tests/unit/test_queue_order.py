"""Sorting any open queue by time to breach, and the workflow queues as pages of rows: the
order, the counts, and that each page is one range scan of an index (no sort of the queue)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from console.core import escalation, queues, workflow
from console.core.model import Line, Priority, QueueFilter
from console.core.sla import SlaPolicy
from console.core.store import DUE_KEY, Store, _source, _where
from console.core.team import Agent

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path):  # type: ignore[no-untyped-def]
    moment = [NOW]
    opened = Store.open(tmp_path / "order.db", clock=lambda: moment[0])
    opened.moment = moment  # type: ignore[attr-defined]
    yield opened
    opened.close()


def _new(
    store: Store, subject: str, priority: Priority, hours_ago: int = 0, line: Line = Line.L1
) -> int:
    store.moment[0] = NOW - timedelta(hours=hours_ago)  # type: ignore[attr-defined]
    ticket = workflow.create_ticket(
        store, "intake", subject=subject, requester="c@example.com", priority=priority, line=line
    )
    store.moment[0] = NOW  # type: ignore[attr-defined]
    return ticket.id


def test_breach_order_puts_the_nearest_deadline_first_and_stopped_clocks_last(store) -> None:
    p1 = _new(store, "p1 now", Priority.P1)  # due in 1h
    p4 = _new(store, "p4 now", Priority.P4)  # due in 24h
    late = _new(store, "p2 late", Priority.P2, hours_ago=6)  # 2h past
    waiting = _new(store, "p3 waiting", Priority.P3)
    workflow.reply(store, "alice", waiting, "Which version?")
    assert [t.id for t in store.tickets()] == [p1, late, waiting, p4]
    assert [t.id for t in store.tickets(order="breach")] == [late, p1, p4, waiting]
    assert [t.id for t in store.tickets(order="breach", limit=2, offset=1)] == [p1, p4]
    with pytest.raises(ValueError):
        store.tickets(order="sideways")


def test_breach_order_within_a_line_and_for_an_assignee(store) -> None:
    a = _new(store, "l2 soon", Priority.P1, line=Line.L2)
    b = _new(store, "l2 late", Priority.P3, hours_ago=10, line=Line.L2)
    _new(store, "l1 other", Priority.P1, hours_ago=10)
    assert [t.id for t in store.tickets(QueueFilter(line=Line.L2), order="breach")] == [b, a]
    assert store.tickets(QueueFilter(assignee="nobody"), order="breach") == []


@pytest.mark.parametrize(
    "queue", [QueueFilter(), QueueFilter(line=Line.L2), QueueFilter(assignee="bob")]
)
def test_each_breach_ordered_page_is_one_index_range_scan(store, queue) -> None:
    where, params = _where(queue)
    plan = store.conn.execute(
        f"EXPLAIN QUERY PLAN SELECT id FROM {_source(queue, 'breach')} WHERE {where} "
        f"ORDER BY {DUE_KEY}, priority, created_at, id LIMIT 100",
        params,
    ).fetchall()
    details = " ".join(row[3] for row in plan)
    assert "_due" in details and "TEMP B-TREE" not in details, details


def test_needs_customer_contact_starts_from_the_open_questions(store) -> None:
    ticket = _new(store, "ask them", Priority.P2)
    _new(store, "not this one", Priority.P1)
    expert = Agent(login="erin", name="Erin", lines=(Line.L3,))
    escalation.ask_front(store, expert, ticket, "Which browser?")
    queue = QueueFilter(needs_customer_contact=True)
    assert [t.id for t in store.tickets(queue)] == [ticket]
    assert store.count(queue) == 1
    where, params = _where(queue)
    plan = store.conn.execute(
        f"EXPLAIN QUERY PLAN SELECT count(*) FROM {_source(queue)} WHERE {where}", params
    ).fetchall()
    assert "INTEGER PRIMARY KEY" in " ".join(row[3] for row in plan)


def test_workflow_queue_pages_and_counts_match_the_queue_functions(store) -> None:
    policy = SlaPolicy()
    ids = [_new(store, f"t{n}", Priority.P2, hours_ago=n) for n in range(5)]
    workflow.set_followup(store, "alice", ids[0], NOW - timedelta(hours=1), "call back")
    workflow.set_followup(store, "alice", ids[1], NOW + timedelta(days=9), "much later")
    store.moment[0] = NOW - timedelta(days=5)  # type: ignore[attr-defined]
    workflow.reply(store, "alice", ids[2], "Does it work now?")
    store.moment[0] = NOW  # type: ignore[attr-defined]
    for name, rows in (
        ("due", queues.due(store, policy)),
        ("nudge", queues.nudge(store, policy)),
        ("breach", queues.breach(store)),
    ):
        page = queues.page(store, policy, name, limit=100)
        assert [t.id for t in page] == [r.id for r in rows]
        assert queues.count(store, policy, name) == len(rows)
        assert [t.id for t in queues.page(store, policy, name, limit=1, offset=1)] == [
            r.id for r in rows[1:2]
        ]
    assert [t.id for t in queues.page(store, policy, "due")] == [ids[0]]
    assert [t.id for t in queues.page(store, policy, "nudge")] == [ids[2]]
