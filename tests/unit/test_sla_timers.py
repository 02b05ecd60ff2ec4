"""The timers (`tick`): breaches, follow-up reminders, nudges and auto-close, each done once
however often the timers run, and done as the console itself."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from console.core import operations, queues, timers, workflow
from console.core.canned import Canned
from console.core.desk import Desk
from console.core.model import Court, Priority, QueueTimer, Status
from console.core.sla import Breach, SlaKind, SlaPolicy, Targets
from console.core.store import Store
from console.core.team import SYSTEM_LOGIN
from tests.support import FrozenClock, make_desk, open_store, utc

H = 3600
POLICY = SlaPolicy(
    targets={p: Targets(4 * H, 2 * H, 8 * H) for p in Priority},
    nudge_after=3 * 86400,
    close_after=7 * 86400,
)
FIRST_RESPONSE, NEXT_UPDATE, RESOLUTION = SlaKind


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(utc(2026, 11, 23, 9))


@pytest.fixture
def desk(store: Store) -> Desk:
    return make_desk(store, "kim", policy=POLICY)


def new(desk: Desk) -> int:
    return operations.create_ticket(desk, subject="Disk full", requester="ops@example.com").id


def nudge_queue(store: Store) -> list[int]:
    return [t.id for t in queues.page(store, POLICY, QueueTimer.NUDGE)]


def snapshot(store: Store) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    with store.read() as conn:
        return (
            conn.execute("SELECT * FROM events ORDER BY id").fetchall(),
            conn.execute("SELECT * FROM tickets ORDER BY id").fetchall(),
        )


def test_breaches_are_logged_once(desk: Desk, store: Store, clock: FrozenClock) -> None:
    t = new(desk)
    assert timers.tick(desk).breaches == []
    clock.advance(hours=5)  # first response due at 13:00
    assert timers.tick(desk).breaches == [(t, FIRST_RESPONSE)]
    before = snapshot(store)
    assert timers.tick(desk).as_dict() == timers.TickReport().as_dict()
    assert snapshot(store) == before
    clock.advance(hours=4)  # resolution due at 17:00
    assert timers.tick(desk).breaches == [(t, RESOLUTION)]
    assert queues.breach_count(store) == {"first_response": 1, "resolution": 1}
    # Bookkeeping does not raise the version: an agent editing the ticket is not disturbed.
    assert store.ticket(t).version == 1
    # The ticket stays at the top of the breach queue, overdue.
    assert queues.page(store, POLICY, QueueTimer.BREACH)[0].id == t


def test_next_update_breaches_once_per_stretch(desk: Desk, clock: FrozenClock) -> None:
    t = new(desk)
    operations.reply(desk, t, "On it", keep_court=True)
    clock.advance(hours=3)
    assert timers.tick(desk).breaches == [(t, NEXT_UPDATE)]
    operations.reply(desk, t, "Still on it", keep_court=True)
    assert timers.tick(desk).breaches == []
    clock.advance(hours=2, seconds=1)
    assert timers.tick(desk).breaches == [(t, NEXT_UPDATE)]


def test_follow_up_reminders_are_logged_once(desk: Desk, clock: FrozenClock) -> None:
    t = new(desk)
    operations.set_followup(desk, t, utc(2026, 11, 24, 12), "call Ann")
    assert timers.tick(desk).followups_due == []
    clock.set(utc(2026, 11, 24, 12))
    assert timers.tick(desk).followups_due == [t]
    assert timers.tick(desk).followups_due == []
    # A new promise is a new reminder.
    operations.set_followup(desk, t, utc(2026, 11, 24, 15))
    clock.set(utc(2026, 11, 24, 16))
    assert timers.tick(desk).followups_due == [t]


def test_nudge_then_auto_close(desk: Desk, store: Store, clock: FrozenClock) -> None:
    t = new(desk)
    other = new(desk)
    operations.reply(desk, t, "Please send the logs")
    clock.advance(days=3)
    report = timers.tick(desk)
    assert (report.nudges_due, report.auto_closed) == ([t], [])
    assert nudge_queue(store) == [t]
    assert timers.tick(desk).nudges_due == []
    operations.nudge(desk, t)
    assert nudge_queue(store) == []
    assert store.messages(t)[-1].body == Canned.NUDGE.english
    assert workflow.clocks(store, t).court == Court.CUSTOMER
    clock.advance(days=4)  # seven days since the ball went to the customer
    report = timers.tick(desk)
    assert report.auto_closed == [t] and report.nudges_due == []
    ticket = store.ticket(t)
    assert ticket.status == Status.CLOSED
    assert store.messages(t)[-1].body == Canned.CLOSE.english
    assert [e.action for e in store.events(t)][-3:] == ["message", "auto_close", "status"]
    assert store.ticket(other).status == Status.NEW  # our move: never auto-closed
    before = snapshot(store)
    assert timers.tick(desk).auto_closed == []
    assert snapshot(store) == before


def test_a_nudge_keeps_the_auto_close_timer(desk: Desk, store: Store, clock: FrozenClock) -> None:
    t = new(desk)
    operations.reply(desk, t, "Please send the logs")
    handed = workflow.clocks(store, t).clock_since
    clock.advance(days=3)
    operations.nudge(desk, t)
    c = workflow.clocks(store, t)
    # The customer was reminded: the wait goes on from when they got the ball.
    assert (c.court, c.status, c.clock_since, c.nudged_since) == (
        Court.CUSTOMER,
        Status.WAITING,
        handed,
        handed,
    )
    assert [(e.action, e.detail) for e in store.events(t)][-1] == ("nudge", "reminded the customer")
    clock.advance(days=1)
    operations.reply(desk, t, "Any news?")  # any word to a customer who has the ball
    assert workflow.clocks(store, t).clock_since == handed
    assert [e.action for e in store.events(t)].count("nudge") == 1  # once per stretch
    clock.advance(days=3, seconds=-1)  # not quite seven days since the ball went over
    assert timers.tick(desk).auto_closed == []
    clock.advance(seconds=1)
    assert timers.tick(desk).auto_closed == [t]


def test_the_auto_close_message_is_no_first_response(
    desk: Desk, store: Store, clock: FrozenClock
) -> None:
    t = new(desk)
    operations.move_court(desk, t, "customer", "they will call us back")
    clock.advance(days=7)
    assert timers.tick(desk).auto_closed == [t]
    c = workflow.clocks(store, t)
    assert (c.status, c.first_response_at) == (Status.CLOSED, None)
    # Every public message is queued for delivery; the console's own says it is automatic.
    [closing] = store.messages(t)
    assert store.query(
        "SELECT message_id, automatic FROM outbox WHERE message_id = ?", (closing.id,)
    ) == [(closing.id, 1)]


def test_the_timers_act_as_the_console(store: Store, clock: FrozenClock) -> None:
    kim = make_desk(store, "kim", policy=POLICY)
    waiting, late, promised = new(kim), new(kim), new(kim)
    operations.reply(kim, waiting, "Please send the logs")
    operations.set_followup(kim, promised, utc(2026, 11, 24, 9), "call back")
    clock.advance(days=8)
    seen = store.query("SELECT max(id) FROM events")[0][0]
    report = timers.tick(make_desk(store, "lee", policy=POLICY))  # whoever's console runs them
    assert report.auto_closed == [waiting]
    assert (late, FIRST_RESPONSE) in report.breaches and report.followups_due == [promised]
    actors = store.query("SELECT DISTINCT actor FROM events WHERE id > ?", (seen,))
    assert actors == [(SYSTEM_LOGIN,)]
    closed = store.ticket(waiting)
    assert (closed.updated_by, store.messages(waiting)[-1].author) == (SYSTEM_LOGIN, SYSTEM_LOGIN)


def test_a_solved_ticket_nobody_confirms_is_closed(
    desk: Desk, store: Store, clock: FrozenClock
) -> None:
    t = new(desk)
    operations.solve(desk, t)
    clock.advance(days=7)
    assert timers.tick(desk).auto_closed == [t]
    assert store.ticket(t).status == Status.CLOSED


def _unclocked(store: Store, priority: str = "P3") -> int:
    """A ticket row as an intake path that knows no SLA (the demo loader) or an older console
    wrote it: no clock columns."""
    with store.transaction() as conn:
        cursor = conn.execute(
            "INSERT INTO tickets (subject, requester, line, priority, status, court, "
            "created_at, updated_at, updated_by) VALUES ('alert', 'mon@example.com', "
            "'L1', ?, 'new', 'us', ?, ?, 'script')",
            (priority, store.now(), store.now()),
        )
    return int(cursor.lastrowid or 0)


def test_tickets_without_clocks_get_them(desk: Desk, store: Store, clock: FrozenClock) -> None:
    """Tickets from an older file, or from an intake path that knows no SLA, get clocks."""
    t = _unclocked(store)
    assert workflow.clocks(store, t).sla_due_at is None
    clock.advance(hours=5)
    report = timers.tick(desk)
    assert report.clocks_started == [t]
    c = workflow.clocks(store, t)
    assert c.clock_since == "2026-11-23T09:00:00Z"
    assert (c.sla_kind, c.sla_due_at) == (FIRST_RESPONSE, "2026-11-23T13:00:00Z")
    # The first response it missed meanwhile is logged, once.
    assert c.breaches == frozenset({Breach(FIRST_RESPONSE)})
    assert [(e.action, e.after) for e in store.events(t)] == [("sla_breach", "first_response")]
    again = timers.tick(desk)
    assert (again.clocks_started, again.breaches) == ([], [])


def test_a_breach_found_when_the_clocks_start_is_reported(
    desk: Desk, store: Store, clock: FrozenClock
) -> None:
    t = _unclocked(store)
    clock.advance(hours=5)
    report = timers.tick(desk)
    assert report.clocks_started == [t]
    assert report.breaches == [(t, FIRST_RESPONSE)]


def test_timers_run_twice_give_the_same_result(tmp_path: Path) -> None:
    """Two copies of one store, one ticked once and one ticked twice, end up identical."""
    clock = FrozenClock(utc(2026, 11, 23, 9))
    with open_store(tmp_path / "a.db", clock) as store:
        desk = make_desk(store, "kim", policy=POLICY)
        ids = [new(desk) for _ in range(6)]
        operations.reply(desk, ids[0], "logs?")
        operations.solve(desk, ids[1])
        operations.set_followup(desk, ids[2], utc(2026, 11, 24, 9))
        operations.reply(desk, ids[3], "ok", keep_court=True)
        operations.bill(desk, ids[4], 60)
        clock.advance(days=8)
    source, copy = sqlite3.connect(tmp_path / "a.db"), sqlite3.connect(tmp_path / "b.db")
    source.backup(copy)
    source.close()
    copy.close()
    once, twice = open_store(tmp_path / "a.db", clock), open_store(tmp_path / "b.db", clock)
    with once, twice:
        first = timers.tick(make_desk(once, "kim", policy=POLICY))
        timers.tick(make_desk(twice, "kim", policy=POLICY))
        second = timers.tick(make_desk(twice, "kim", policy=POLICY))
        assert snapshot(once) == snapshot(twice)
        assert second.as_dict() == timers.TickReport().as_dict()
        assert sorted(first.auto_closed) == sorted([ids[0], ids[1], ids[4]])
        assert first.followups_due == [ids[2]]


def test_a_file_from_before_the_clocks_is_migrated_and_primed(tmp_path: Path) -> None:
    from console.core import schema

    path = tmp_path / "old.db"
    with sqlite3.connect(path, isolation_level=None) as conn:
        schema.migrate(conn, target=schema.MIGRATIONS.index(schema._SLA_CLOCKS))
    clock = FrozenClock(utc(2026, 11, 23, 9))
    # Write tickets the way the console did before this migration existed: no clock columns.
    with sqlite3.connect(path, isolation_level=None) as conn:
        conn.executemany(
            "INSERT INTO tickets (subject, requester, line, priority, status, court, "
            "created_at, updated_at, updated_by) VALUES (?, 'a@example.com', "
            "'L1', 'P3', 'open', 'us', '2026-11-23T08:00:00Z', ?, 'kim')",
            [("old", "2026-11-23T08:30:00Z"), ("older", "2026-11-23T08:45:00Z")],
        )
    with open_store(path, clock) as store:
        desk = make_desk(store, "kim", policy=POLICY)
        assert store.query("PRAGMA user_version") == [(schema.LATEST,)]
        assert workflow.clocks(store, 1).clock_since is None
        # An agent's change on such a ticket gives it its clocks, as if its stretch began at
        # its last change; the timers prime the others the same way.
        operations.note(desk, 1, "still works")
        c = workflow.clocks(store, 1)
        assert (c.clock_since, c.sla_kind) == ("2026-11-23T08:30:00Z", FIRST_RESPONSE)
        assert [m.body for m in store.messages(1)] == ["still works"]
        assert timers.tick(desk).clocks_started == [2]
        c = workflow.clocks(store, 2)
        assert (c.clock_since, c.sla_kind) == ("2026-11-23T08:45:00Z", FIRST_RESPONSE)


def test_two_timers_at_once_do_each_thing_once(tmp_path: Path) -> None:
    """cron and an open TUI may tick at the same moment, each with its own connection."""
    import threading

    clock = FrozenClock(utc(2026, 11, 23, 9))
    with open_store(tmp_path, clock) as store:
        desk = make_desk(store, "kim", policy=POLICY)
        ids = [new(desk) for _ in range(40)]
        for t in ids[:20]:
            operations.reply(desk, t, "logs?")
    clock.advance(days=8)
    reports: list[timers.TickReport] = []

    def run() -> None:
        with open_store(tmp_path, clock) as own:
            reports.append(timers.tick(make_desk(own, "cron", policy=POLICY)))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    closed = sorted(t for r in reports for t in r.auto_closed)
    breaches = sorted(b for r in reports for b in r.breaches)
    assert closed == ids[:20]
    assert breaches == sorted([(t, k) for t in ids[20:] for k in (FIRST_RESPONSE, RESOLUTION)])
    with open_store(tmp_path, clock) as store:
        counts = store.query(
            "SELECT action, count(*) FROM events WHERE action IN ('auto_close', 'sla_breach') "
            "GROUP BY action"
        )
    assert dict(counts) == {"auto_close": 20, "sla_breach": 40}
