"""Every change to the store. Each function is one transaction that writes the change and its
events together, so the log always tells the whole story, and a failure writes nothing.

Functions that change an existing ticket take `expected_version`: the version the agent saw.
If someone else changed the ticket since, the change is refused with a TicketConflict naming
who and when, instead of silently overwriting their work. Scripts that act on the current
state pass None."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from typing import Any

from console.core.errors import InvalidInput, TicketConflict, TicketNotFound
from console.core.model import Choice, Court, Line, MessageKind, Priority, Status, Ticket
from console.core.store import Store

MAX_SUBJECT = 1000
"""Subjects longer than this are cut (the full text stays in the body): a subject is a
line in a queue, not a document."""

_ADDRESS = re.compile(
    r"""^\s*(?:
    (?P<name>[^<]*?)\s*<(?P<angle>[^<>\s]+@[^<>\s]+)>   # Name <address>
    | (?P<bare>[^\s<>]+@[^\s<>]+)                        # address
    )\s*$""",
    re.VERBOSE,
)


def parse_address(text: str) -> tuple[str, str | None]:
    """("ann@example.com", "Ann Lee") from "Ann Lee <ann@example.com>" or a bare address."""
    match = _ADDRESS.match(text or "")
    if not match:
        raise InvalidInput(
            f"requester {text!r} is not an e-mail address "
            "(use name@example.com or 'Name <name@example.com>')"
        )
    email = (match.group("angle") or match.group("bare")).lower()
    name = (match.group("name") or "").strip().strip('"') or None
    return email, name


def record_event(
    conn: sqlite3.Connection,
    ticket_id: int,
    at: str,
    actor: str,
    action: str,
    before: Any = None,
    after: Any = None,
    detail: str | None = None,
) -> None:
    conn.execute(
        "INSERT INTO events (ticket_id, at, actor, action, before, after, detail) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            ticket_id,
            at,
            actor,
            action,
            None if before is None else str(before),
            None if after is None else str(after),
            detail,
        ),
    )


def _subject(subject: str) -> str:
    cleaned = (subject or "").strip()
    if not cleaned:
        raise InvalidInput("the subject is empty: give the ticket a subject")
    return cleaned[:MAX_SUBJECT]


def create_ticket(
    store: Store,
    actor: str,
    *,
    subject: str,
    requester: str,
    body: str = "",
    body_raw: bytes | None = None,
    line: Line = Line.L1,
    priority: Priority = Priority.P3,
    court: Court = Court.US,
    status: Status = Status.NEW,
    source: str = "cli",
    on_create: Callable[[sqlite3.Connection, int, str], None] | None = None,
) -> Ticket:
    """Open a new ticket for `requester` ("name@example.com" or "Name <name@...>").

    `on_create(conn, ticket_id, now)` runs inside the same transaction, for callers (the SLA
    clocks) that must set up more of the ticket atomically with its creation."""
    subject = _subject(subject)
    email, name = parse_address(requester)
    now = store.now()
    with store.transaction() as conn:
        conn.execute(
            "INSERT OR IGNORE INTO contacts (email, name, created_at) VALUES (?, ?, ?)",
            (email, name, now),
        )
        if name:
            conn.execute(
                "UPDATE contacts SET name = ? WHERE email = ? AND name IS NULL", (name, email)
            )
        contact_id = conn.execute("SELECT id FROM contacts WHERE email = ?", (email,)).fetchone()[0]
        cursor = conn.execute(
            "INSERT INTO tickets (subject, body, body_raw, requester, contact_id, line, priority,"
            " status, court, created_at, updated_at, updated_by, version)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
            (
                subject,
                body,
                body_raw,
                email,
                contact_id,
                line.value,
                priority.value,
                status.value,
                court.value,
                now,
                now,
                actor,
            ),
        )
        ticket_id = int(cursor.lastrowid or 0)
        record_event(
            conn,
            ticket_id,
            now,
            actor,
            "created",
            None,
            None,
            f"{line.value} {priority.value} from {email} via {source}",
        )
        if on_create is not None:
            on_create(conn, ticket_id, now)
    return store.ticket(ticket_id)


def bump_version(
    store: Store,
    conn: sqlite3.Connection,
    ticket_id: int,
    expected_version: int | None,
    actor: str,
    now: str,
    assignments: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Inside a transaction: check the version, apply `assignments`, raise the version.

    Returns the ticket's row as it was before, for the events. The check and the write are one
    UPDATE guarded by the version, so two writers can never both succeed from one version."""
    row = conn.execute("SELECT * FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
    if row is None:
        raise TicketNotFound(ticket_id)
    names = [d[0] for d in conn.execute("SELECT * FROM tickets LIMIT 0").description]
    before = dict(zip(names, row, strict=True))
    version = before["version"] if expected_version is None else expected_version
    sets = {**(assignments or {}), "updated_at": now, "updated_by": actor}
    sql = (
        f"UPDATE tickets SET {', '.join(f'{k} = ?' for k in sets)}, version = version + 1 "
        "WHERE id = ? AND version = ?"
    )
    cursor = conn.execute(sql, [*sets.values(), ticket_id, version])
    if cursor.rowcount != 1:
        raise TicketConflict(ticket_id, before["updated_by"], before["updated_at"])
    return before


_FIELDS: dict[str, type[Choice]] = {
    "line": Line,
    "priority": Priority,
    "status": Status,
    "court": Court,
}


def change(
    store: Store,
    actor: str,
    ticket_id: int,
    field: str,
    value: Any,
    *,
    expected_version: int | None = None,
    reason: str | None = None,
) -> Ticket:
    """Set one field (line, priority, status, court or assignee) and log before → after.

    Setting a field to the value it has is not an error and writes nothing."""
    if field not in (*_FIELDS, "assignee"):
        raise InvalidInput(f"cannot change {field!r}")
    if field in _FIELDS:
        value = _FIELDS[field].parse(str(value), field)
    new = None if value is None else str(value)
    now = store.now()
    with store.transaction() as conn:
        current = conn.execute(
            f"SELECT {field}, version FROM tickets WHERE id = ?", (ticket_id,)
        ).fetchone()
        if current is None:
            raise TicketNotFound(ticket_id)
        if current[0] == new and (expected_version in (None, current[1])):
            return store.ticket(ticket_id)
        before = bump_version(store, conn, ticket_id, expected_version, actor, now, {field: new})
        record_event(conn, ticket_id, now, actor, field, before[field], new, reason)
    return store.ticket(ticket_id)


def set_line(store: Store, actor: str, ticket_id: int, line: Line | str, **kw: Any) -> Ticket:
    return change(store, actor, ticket_id, "line", line, **kw)


def set_priority(
    store: Store, actor: str, ticket_id: int, priority: Priority | str, **kw: Any
) -> Ticket:
    return change(store, actor, ticket_id, "priority", priority, **kw)


def set_status(store: Store, actor: str, ticket_id: int, status: Status | str, **kw: Any) -> Ticket:
    return change(store, actor, ticket_id, "status", status, **kw)


def set_court(store: Store, actor: str, ticket_id: int, court: Court | str, **kw: Any) -> Ticket:
    return change(store, actor, ticket_id, "court", court, **kw)


def assign(store: Store, actor: str, ticket_id: int, assignee: str | None, **kw: Any) -> Ticket:
    """Give the ticket to `assignee` (an agent's login), or to nobody with None."""
    if assignee is not None and not assignee.strip():
        raise InvalidInput("the assignee is empty: name an agent, or unassign")
    return change(
        store, actor, ticket_id, "assignee", None if assignee is None else assignee.strip(), **kw
    )


def add_message(
    store: Store,
    actor: str,
    ticket_id: int,
    kind: MessageKind | str,
    body: str,
    *,
    body_raw: bytes | None = None,
    expected_version: int | None = None,
    author: str | None = None,
) -> Ticket:
    """Add a customer message, a public reply or an internal note to the thread."""
    kind = MessageKind.parse(str(kind), "message kind")
    if not body.strip() and body_raw is None:
        raise InvalidInput("the message is empty: write something first")
    now = store.now()
    with store.transaction() as conn:
        bump_version(store, conn, ticket_id, expected_version, actor, now)
        insert_message(conn, ticket_id, kind, author or actor, body, body_raw, now, actor)
    return store.ticket(ticket_id)


def insert_message(
    conn: sqlite3.Connection,
    ticket_id: int,
    kind: MessageKind,
    author: str,
    body: str,
    body_raw: bytes | None,
    now: str,
    actor: str,
) -> int:
    """Inside a transaction: add a message and its event; return the message's id."""
    cursor = conn.execute(
        "INSERT INTO messages (ticket_id, kind, author, body, body_raw, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (ticket_id, kind.value, author, body, body_raw, now),
    )
    message_id = int(cursor.lastrowid or 0)
    record_event(conn, ticket_id, now, actor, "message", None, kind.value, f"message {message_id}")
    return message_id
