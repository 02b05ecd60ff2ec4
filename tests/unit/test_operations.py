"""Operations: each change is one transaction with its events; conflicts are refused."""

from __future__ import annotations

import sqlite3

import pytest

from console.core import operations
from console.core.errors import InvalidInput, TicketConflict, TicketNotFound
from console.core.model import Court, Line, MessageKind, Priority, Status
from console.core.store import Store


def _new(store: Store, **kw):
    return operations.create_ticket(
        store,
        "ann",
        subject=kw.pop("subject", "Cannot log in"),
        requester=kw.pop("requester", "Bob Ray <BOB@example.com>"),
        body=kw.pop("body", "It says 403."),
        **kw,
    )


def test_create_records_contact_and_event(store: Store) -> None:
    ticket = _new(store, priority=Priority.P2, line=Line.L2)
    assert (ticket.requester, ticket.priority, ticket.line) == ("bob@example.com", "P2", "L2")
    assert (ticket.status, ticket.court, ticket.version) == (Status.NEW, Court.US, 1)
    assert store.contact_name("bob@example.com") == "Bob Ray"
    [event] = store.events(ticket.id)
    assert (event.actor, event.action) == ("ann", "created")


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"subject": "   "}, "the subject is empty"),
        ({"requester": "not an address"}, "is not an e-mail address"),
    ],
)
def test_bad_create_input_writes_nothing(store: Store, kw, message) -> None:
    with pytest.raises(InvalidInput, match=message):
        _new(store, **kw)
    assert store.conn.execute("SELECT count(*) FROM tickets").fetchone()[0] == 0
    assert store.conn.execute("SELECT count(*) FROM events").fetchone()[0] == 0


def test_each_change_bumps_version_and_logs_before_and_after(store: Store) -> None:
    t = _new(store)
    t = operations.set_priority(store, "ann", t.id, "p1")
    t = operations.set_line(store, "ann", t.id, Line.L2)
    t = operations.set_status(store, "ann", t.id, "open")
    t = operations.set_court(store, "ann", t.id, "customer", reason="asked for logs")
    t = operations.assign(store, "ann", t.id, "bob")
    assert (t.priority, t.line, t.status, t.court, t.assignee, t.version) == (
        "P1",
        "L2",
        "open",
        "customer",
        "bob",
        6,
    )
    changes = [(e.action, e.before, e.after) for e in store.events(t.id)[1:]]
    assert changes == [
        ("priority", "P3", "P1"),
        ("line", "L1", "L2"),
        ("status", "new", "open"),
        ("court", "us", "customer"),
        ("assignee", None, "bob"),
    ]
    assert store.events(t.id)[4].detail == "asked for logs"


def test_setting_the_same_value_writes_nothing(store: Store) -> None:
    t = _new(store)
    again = operations.set_priority(store, "ann", t.id, "P3")
    assert again.version == t.version and len(store.events(t.id)) == 1


def test_messages_of_each_kind_go_to_the_thread(store: Store) -> None:
    t = _new(store)
    for kind in MessageKind:
        operations.add_message(store, "ann", t.id, kind, f"a {kind}")
    assert [m.kind for m in store.messages(t.id)] == list(MessageKind)
    assert [e.after for e in store.events(t.id) if e.action == "message"] == [
        k.value for k in MessageKind
    ]


def test_empty_message_and_bad_values_are_refused(store: Store) -> None:
    t = _new(store)
    with pytest.raises(InvalidInput, match="message is empty"):
        operations.add_message(store, "ann", t.id, "reply", "  \n ")
    with pytest.raises(InvalidInput, match="unknown priority 'P7': use one of P1, P2, P3, P4"):
        operations.set_priority(store, "ann", t.id, "P7")
    with pytest.raises(InvalidInput, match="unknown message kind"):
        operations.add_message(store, "ann", t.id, "shout", "x")
    with pytest.raises(TicketNotFound, match="ticket #999 does not exist"):
        operations.set_priority(store, "ann", 999, "P1")
    assert store.ticket(t.id).version == 1


def test_second_writer_from_an_old_version_gets_a_conflict(store: Store, db_path, clock) -> None:
    t = _new(store)
    with Store.open(db_path, clock=clock) as other:
        operations.set_priority(other, "bob", t.id, "P1", expected_version=t.version)
    with pytest.raises(TicketConflict) as caught:
        operations.set_line(store, "ann", t.id, "L2", expected_version=t.version)
    assert str(caught.value) == (f"ticket #{t.id} was changed by bob at {store.now()}; reload")
    fresh = store.ticket(t.id)
    assert (fresh.priority, fresh.line, fresh.version) == ("P1", "L1", 2)
    with pytest.raises(TicketConflict):
        operations.add_message(store, "ann", t.id, "reply", "hi", expected_version=t.version)
    assert store.messages(t.id) == []


def test_event_log_cannot_be_changed_or_deleted(store: Store) -> None:
    t = _new(store)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.conn.execute("UPDATE events SET actor = 'mallory' WHERE ticket_id = ?", (t.id,))
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.conn.execute("DELETE FROM events")
    assert store.events(t.id)[0].actor == "ann"


def test_failed_operation_rolls_back_everything(store: Store, monkeypatch) -> None:
    t = _new(store)

    def boom(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(operations, "record_event", boom)
    with pytest.raises(RuntimeError):
        operations.set_priority(store, "ann", t.id, "P1")
    assert store.ticket(t.id).priority == "P3" and store.ticket(t.id).version == 1
