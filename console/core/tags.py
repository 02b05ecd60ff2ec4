"""Tags on tickets: short labels such as "outage" or "password-reset", added by hand or by a
macro, so recurring problems can be counted and found. Each added tag is logged as an event."""

from __future__ import annotations

import re
import sqlite3

from console.core import operations
from console.core.errors import InvalidInput
from console.core.store import Store

_TAG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def check_tag(tag: str) -> str:
    if not _TAG.match(tag):
        raise InvalidInput(f"tag {tag!r} must be letters, digits, '.', '_' or '-'")
    return tag


def add_tag_in(
    conn: sqlite3.Connection,
    ticket_id: int,
    tag: str,
    actor: str,
    now: str,
    detail: str | None = None,
) -> bool:
    """Inside a caller's transaction: tag the ticket and log it; False if it had the tag."""
    cursor = conn.execute(
        "INSERT OR IGNORE INTO tags (ticket_id, tag, added_at, added_by) VALUES (?, ?, ?, ?)",
        (ticket_id, check_tag(tag), now, actor),
    )
    if cursor.rowcount != 1:
        return False
    operations.record_event(conn, ticket_id, now, actor, "tag", None, tag, detail)
    return True


def tags(store: Store, ticket_id: int) -> list[str]:
    with store.lock:
        rows = store.conn.execute(
            "SELECT tag FROM tags WHERE ticket_id = ? ORDER BY tag", (ticket_id,)
        ).fetchall()
    return [row[0] for row in rows]
