"""The timers (`tick`): breaches, follow-up reminders, nudges and auto-close, each done once
however often the timers run."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from console.core import queues, timers, workflow
from console.core.model import Court, Priority, Status
from console.core.sla import SlaPolicy, Targets
from console.core.store import Store
from tests.unit.sla_helpers import FrozenClock, open_store, utc

H = 3600
POLICY = SlaPolicy(
    targets={p: Targets(4 * H, 2 * H, 8 * H) for p in Priority},
    nudge_after=3 * 86400,
    close_after=7 * 86400,
)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(utc(2026, 11, 23, 9))


@pytest.fixture
def store(tmp_path: Path, clock: FrozenClock) -> Store:
    with open_store(tmp_path, clock) as opened:
        yield opened


def new(store: Store) -> int:
    return workflow.create_ticket(
        store, "kim", policy=POLICY, subject="Disk full", requester="ops@example.com"
    ).id


def snapshot(store: Store) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    with store.lock:
        return (
            store.conn.execute("SELECT * FROM events ORDER BY id").fetchall(),
            store.conn.execute("SELECT * FROM tickets ORDER BY id").fetchall(),
        )


def test_breaches_are_logged_once(store: Store, clock: FrozenClock) -> None:
    t = new(store)
    assert timers.tick(store, POLICY, "cron").breaches == []
    clock.advance(hours=5)  # first response due at 13:00
    assert timers.tick(store, POLICY, "cron").breaches == [(t, "first_response")]
    before = snapshot(store)
    assert timers.tick(store, POLICY, "cron").as_dict() == timers.TickReport().as_dict()
    assert snapshot(store) == before
    clock.advance(hours=4)  # resolution due at 17:00
    assert timers.tick(store, POLICY, "cron").breaches == [(t, "resolution")]
    assert queues.breach_count(store) == {"first_response": 1, "resolution": 1}
    # Bookkeeping does not raise the version: an agent editing the ticket is not disturbed.
    assert store.ticket(t).version == 1
    # The ticket stays at the top of the breach queue, overdue.
    assert queues.breach(store)[0].id == t


def test_next_update_breaches_once_per_stretch(store: Store, clock: FrozenClock) -> None:
    t = new(store)
    workflow.reply(store, "kim", t, "On it", keep_court=True, policy=POLICY)
    clock.advance(hours=3)
    assert timers.tick(store, POLICY, "cron").breaches == [(t, "next_update")]
    workflow.reply(store, "kim", t, "Still on it", keep_court=True, policy=POLICY)
    assert timers.tick(store, POLICY, "cron").breaches == []
    clock.advance(hours=2, seconds=1)
    assert timers.tick(store, POLICY, "cron").breaches == [(t, "next_update")]


def test_follow_up_reminders_are_logged_once(store: Store, clock: FrozenClock) -> None:
    t = new(store)
    workflow.set_followup(store, "kim", t, utc(2026, 11, 24, 12), "call Ann")
    assert timers.tick(store, POLICY, "cron").followups_due == []
    clock.set(utc(2026, 11, 24, 12))
    assert timers.tick(store, POLICY, "cron").followups_due == [t]
    assert timers.tick(store, POLICY, "cron").followups_due == []
    # A new promise is a new reminder.
    workflow.set_followup(store, "kim", t, utc(2026, 11, 24, 15))
    clock.set(utc(2026, 11, 24, 16))
    assert timers.tick(store, POLICY, "cron").followups_due == [t]


def test_nudge_then_auto_close(store: Store, clock: FrozenClock) -> None:
    t = new(store)
    other = new(store)
    workflow.reply(store, "kim", t, "Please send the logs", policy=POLICY)
    clock.advance(days=3)
    report = timers.tick(store, POLICY, "cron")
    assert (report.nudges_due, report.auto_closed) == ([t], [])
    assert [r.id for r in queues.nudge(store, POLICY)] == [t]
    assert timers.tick(store, POLICY, "cron").nudges_due == []
    workflow.nudge(store, "kim", t)
    assert queues.nudge(store, POLICY) == []
    assert store.messages(t)[-1].body == workflow.NUDGE_TEXT
    assert workflow.clocks(store, t).court == Court.CUSTOMER
    clock.advance(days=4)  # seven days since the ball went to the customer
    report = timers.tick(store, POLICY, "cron")
    assert report.auto_closed == [t] and report.nudges_due == []
    ticket = store.ticket(t)
    assert ticket.status == Status.CLOSED
    assert store.messages(t)[-1].body == workflow.CLOSE_TEXT
    assert [e.action for e in store.events(t)][-3:] == ["message", "status", "auto_close"]
    assert store.ticket(other).status == Status.NEW  # our move: never auto-closed
    before = snapshot(store)
    assert timers.tick(store, POLICY, "cron").auto_closed == []
    assert snapshot(store) == before


def test_a_solved_ticket_nobody_confirms_is_closed(store: Store, clock: FrozenClock) -> None:
    t = new(store)
    workflow.solve(store, "kim", t, policy=POLICY)
    clock.advance(days=7)
    assert timers.tick(store, POLICY, "cron").auto_closed == [t]
    assert store.ticket(t).status == Status.CLOSED


def test_tickets_without_clocks_get_them(tmp_path: Path, clock: FrozenClock) -> None:
    """Tickets from an older file, or from an intake path that knows no SLA, get clocks."""
    from console.core import operations

    with open_store(tmp_path, clock) as store:
        t = operations.create_ticket(
            store, "script", subject="alert", requester="mon@example.com"
        ).id
        assert workflow.clocks(store, t).sla_due_at is None
        clock.advance(hours=5)
        report = timers.tick(store, POLICY, "cron")
        assert report.clocks_started == [t]
        assert report.breaches == [(t, "first_response")]
        assert workflow.clocks(store, t).clock_since == "2026-11-23T09:00:00Z"
        assert timers.tick(store, POLICY, "cron").clocks_started == []


def test_timers_run_twice_give_the_same_result(tmp_path: Path) -> None:
    """Two copies of one store, one ticked once and one ticked twice, end up identical."""
    clock = FrozenClock(utc(2026, 11, 23, 9))
    with open_store(tmp_path, clock, "a.db") as store:
        ids = [new(store) for _ in range(6)]
        workflow.reply(store, "kim", ids[0], "logs?", policy=POLICY)
        workflow.solve(store, "kim", ids[1], policy=POLICY)
        workflow.set_followup(store, "kim", ids[2], utc(2026, 11, 24, 9))
        workflow.reply(store, "kim", ids[3], "ok", keep_court=True, policy=POLICY)
        workflow.bill(store, "kim", ids[4], 60, policy=POLICY)
        clock.advance(days=8)
        with sqlite3.connect(tmp_path / "b.db") as copy:
            store.conn.backup(copy)
    with open_store(tmp_path, clock, "a.db") as once, open_store(tmp_path, clock, "b.db") as twice:
        first = timers.tick(once, POLICY, "cron")
        timers.tick(twice, POLICY, "cron")
        second = timers.tick(twice, POLICY, "cron")
        assert snapshot(once) == snapshot(twice)
        assert second.as_dict() == timers.TickReport().as_dict()
        assert sorted(first.auto_closed) == sorted([ids[0], ids[1], ids[4]])
        assert first.followups_due == [ids[2]]


def test_a_file_from_before_the_clocks_is_migrated_and_primed(tmp_path: Path) -> None:
    from console.core import operations, schema

    path = tmp_path / "old.db"
    with sqlite3.connect(path, isolation_level=None) as conn:
        schema.migrate(conn, target=schema.LATEST - 1)
    clock = FrozenClock(utc(2026, 11, 23, 9))
    # Write a ticket the way the console did before this migration existed: no clock columns.
    with sqlite3.connect(path, isolation_level=None) as conn:
        conn.execute(
            "INSERT INTO tickets (subject, requester, line, priority, status, court, "
            "created_at, updated_at, updated_by) VALUES ('old', 'a@example.com', "
            "'L1', 'P3', 'open', 'us', '2026-11-23T08:00:00Z', "
            "'2026-11-23T08:30:00Z', 'kim')"
        )
    with Store.open(path, clock=clock) as store:
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == schema.LATEST
        assert workflow.clocks(store, 1).clock_since is None
        operations.add_message(store, "kim", 1, "note", "still works")
        assert timers.tick(store, POLICY, "cron").clocks_started == [1]
        c = workflow.clocks(store, 1)
        assert (c.clock_since, c.sla_kind) == ("2026-11-23T09:00:00Z", "first_response")


def test_two_timers_at_once_do_each_thing_once(tmp_path: Path) -> None:
    """cron and an open TUI may tick at the same moment, each with its own connection."""
    import threading

    clock = FrozenClock(utc(2026, 11, 23, 9))
    with open_store(tmp_path, clock) as store:
        ids = [new(store) for _ in range(40)]
        for t in ids[:20]:
            workflow.reply(store, "kim", t, "logs?", policy=POLICY)
    clock.advance(days=8)
    reports: list[timers.TickReport] = []

    def run() -> None:
        with open_store(tmp_path, clock) as own:
            reports.append(timers.tick(own, POLICY, "cron"))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    closed = sorted(t for r in reports for t in r.auto_closed)
    breaches = sorted(b for r in reports for b in r.breaches)
    assert closed == ids[:20]
    assert breaches == sorted([(t, k) for t in ids[20:] for k in ("first_response", "resolution")])
    with open_store(tmp_path, clock) as store, store.lock:
        counts = store.conn.execute(
            "SELECT action, count(*) FROM events WHERE action IN ('auto_close', 'sla_breach') "
            "GROUP BY action"
        ).fetchall()
    assert dict(counts) == {"auto_close": 20, "sla_breach": 40}
