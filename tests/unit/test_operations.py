"""Operations: each change is one transaction with its events; conflicts are refused."""

from __future__ import annotations

import sqlite3

import pytest

from console.core import escalation, operations, workflow
from console.core.desk import Desk
from console.core.errors import InvalidInput, TicketConflict, TicketNotFound
from console.core.model import Court, Line, MessageKind, Priority, Status
from console.core.store import Store
from tests.support import make_desk, open_store


@pytest.fixture
def desk(store: Store) -> Desk:
    return make_desk(store, "ann")


def _new(desk: Desk, **kw):
    return operations.create_ticket(
        desk,
        subject=kw.pop("subject", "Cannot log in"),
        requester=kw.pop("requester", "Bob Ray <BOB@example.com>"),
        body=kw.pop("body", "It says 403."),
        **kw,
    )


def test_create_records_contact_and_event(desk: Desk, store: Store) -> None:
    ticket = _new(desk, priority=Priority.P2, line=Line.L2)
    assert (ticket.requester, ticket.priority, ticket.line) == ("bob@example.com", "P2", "L2")
    assert (ticket.status, ticket.court, ticket.version) == (Status.NEW, Court.US, 1)
    assert store.contact_name("bob@example.com") == "Bob Ray"
    [event] = store.events(ticket.id)
    assert (event.actor, event.action) == ("ann", "created")


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"subject": "   "}, "the subject is empty"),
        ({"requester": "ann@"}, "is not an e-mail address"),
        ({"requester": "#42 ?"}, "is neither an e-mail address, a phone number nor a name"),
        ({"requester": " "}, "the requester is empty"),
    ],
)
def test_bad_create_input_writes_nothing(desk: Desk, store: Store, kw, message) -> None:
    with pytest.raises(InvalidInput, match=message):
        _new(desk, **kw)
    assert store.query("SELECT count(*) FROM tickets") == [(0,)]
    assert store.query("SELECT count(*) FROM events") == [(0,)]


def test_each_change_bumps_version_and_logs_before_and_after(desk: Desk, store: Store) -> None:
    t = _new(desk)
    t = operations.set_priority(desk, t.id, "p1")
    t = escalation.escalate(desk, t.id, "needs a second look", to_line=Line.L2)
    t = operations.move_court(desk, t.id, "customer", "asked for logs")
    t = operations.assign(desk, t.id, "bob")
    assert (t.priority, t.line, t.status, t.court, t.assignee, t.version) == (
        "P1",
        "L2",
        "waiting",
        "customer",
        "bob",
        5,
    )
    changes = [(e.action, e.before, e.after) for e in store.events(t.id)[1:]]
    assert changes == [
        ("priority", "P3", "P1"),
        ("message", None, "note"),  # the hand-off note
        ("status", "new", "open"),
        ("escalated", "L1", "L2"),
        ("status", "open", "waiting"),
        ("court", "us", "customer"),
        ("assignee", None, "bob"),
    ]
    assert [e.detail for e in store.events(t.id)[5:7]] == ["asked for logs"] * 2


def test_one_change_raises_the_version_once_and_logs_each_field(desk: Desk, store: Store) -> None:
    t = _new(desk)
    with workflow.change(desk) as c:
        c.message(t.id, MessageKind.NOTE, "moving it by hand")
        c.update(
            t.id,
            expected_version=t.version,
            priority=Priority.P2,
            line=Line.L3,
            court=Court.VENDOR,
            assignee="bob",
            terms={"vendor": "Acme", "vendor_case": "A-1"},
            reason="legacy import",
        )
    fresh = store.ticket(t.id)
    assert (fresh.priority, fresh.line, fresh.status, fresh.court, fresh.assignee) == (
        "P2",
        "L3",
        "waiting",
        "vendor",
        "bob",
    )
    assert fresh.version == t.version + 1
    assert [(e.action, e.before, e.after, e.detail) for e in store.events(t.id)[1:]] == [
        ("message", None, "note", "message 1"),
        ("status", "new", "waiting", "legacy import"),
        ("court", "us", "vendor", "legacy import"),
        ("priority", "P3", "P2", "legacy import"),
        ("line", "L1", "L3", "legacy import"),
        ("assignee", None, "bob", "legacy import"),
    ]
    assert workflow.clocks(store, t.id).vendor == "Acme"


def test_a_message_without_an_update_is_a_bug_and_writes_nothing(desk: Desk, store: Store) -> None:
    t = _new(desk)
    with pytest.raises(AssertionError, match="changed without an update"):
        with workflow.change(desk) as c:
            c.message(t.id, MessageKind.NOTE, "forgot to update")
    assert store.messages(t.id) == [] and store.ticket(t.id).version == 1
    assert len(store.events(t.id)) == 1


def test_setting_the_same_value_writes_nothing(desk: Desk, store: Store) -> None:
    t = _new(desk)
    again = operations.set_priority(desk, t.id, "P3")
    assert again.version == t.version and len(store.events(t.id)) == 1
    operations.assign(desk, t.id, None)
    assert store.ticket(t.id).version == t.version and len(store.events(t.id)) == 1


def test_messages_of_each_kind_go_to_the_thread(desk: Desk, store: Store) -> None:
    t = _new(desk)
    operations.customer_message(desk, t.id, "a customer")
    operations.reply(desk, t.id, "a reply")
    operations.note(desk, t.id, "a note")
    assert [m.kind for m in store.messages(t.id)] == list(MessageKind)
    assert [e.after for e in store.events(t.id) if e.action == "message"] == [
        k.value for k in MessageKind
    ]
    # Every public message is queued for delivery, in the same transaction.
    [reply] = [m for m in store.messages(t.id) if m.kind == MessageKind.REPLY]
    assert store.query("SELECT message_id, automatic FROM outbox") == [(reply.id, 0)]


def test_empty_message_and_bad_values_are_refused(desk: Desk, store: Store) -> None:
    t = _new(desk)
    with pytest.raises(InvalidInput, match="message is empty"):
        operations.reply(desk, t.id, "  \n ")
    with pytest.raises(InvalidInput, match="unknown priority 'P7': use one of P1, P2, P3, P4"):
        operations.set_priority(desk, t.id, "P7")
    with pytest.raises(ValueError, match="'shout' is not a valid MessageKind"):
        with workflow.change(desk) as c:
            c.message(t.id, "shout", "x")  # type: ignore[arg-type]
            c.update(t.id)
    with pytest.raises(TicketNotFound, match="ticket #999 does not exist"):
        operations.set_priority(desk, 999, "P1")
    assert store.ticket(t.id).version == 1
    assert store.messages(t.id) == [] and len(store.events(t.id)) == 1


def test_second_writer_from_an_old_version_gets_a_conflict(
    desk: Desk, store: Store, db_path, clock
) -> None:
    t = _new(desk)
    with open_store(db_path, clock) as other:
        operations.set_priority(make_desk(other, "bob"), t.id, "P1", expected_version=t.version)
    with pytest.raises(TicketConflict) as caught:
        escalation.escalate(desk, t.id, "for L2", to_line="L2", expected_version=t.version)
    assert str(caught.value) == (f"ticket #{t.id} was changed by bob just now; reload")
    fresh = store.ticket(t.id)
    assert (fresh.priority, fresh.line, fresh.version) == ("P1", "L1", 2)
    with pytest.raises(TicketConflict):
        operations.reply(desk, t.id, "hi", expected_version=t.version)
    with pytest.raises(TicketConflict):
        with workflow.change(desk) as c:
            c.update(t.id, expected_version=t.version, line=Line.L2)
    assert store.messages(t.id) == []
    assert store.ticket(t.id).version == 2 and len(store.events(t.id)) == 2


def test_event_log_cannot_be_changed_or_deleted(desk: Desk, store: Store) -> None:
    t = _new(desk)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        with store.transaction() as conn:
            conn.execute("UPDATE events SET actor = 'mallory' WHERE ticket_id = ?", (t.id,))
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        with store.transaction() as conn:
            conn.execute("DELETE FROM events")
    assert store.events(t.id)[0].actor == "ann"


def test_failed_operation_rolls_back_everything(desk: Desk, store: Store, monkeypatch) -> None:
    t = _new(desk)

    def boom(*args, **kwargs):
        raise RuntimeError("disk on fire")

    # The priority event is logged after the ticket's row was written: both go.

    monkeypatch.setattr(workflow.Change, "event", boom)
    with pytest.raises(RuntimeError):
        operations.set_priority(desk, t.id, "P1")
    assert store.ticket(t.id).priority == "P3" and store.ticket(t.id).version == 1
    monkeypatch.undo()
    assert len(store.events(t.id)) == 1
