"""Tags on tickets: short labels such as "outage" or "password-reset", added by hand or by a
macro, so recurring problems can be counted and found. Each tag added or removed is logged."""

from __future__ import annotations

import re
from collections.abc import Iterable

from console.core.desk import Desk
from console.core.errors import InvalidInput
from console.core.model import EventAction, Ticket
from console.core.store import Store
from console.core.workflow import Change, change

_TAG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def check_tag(tag: str) -> str:
    if not _TAG.match(tag):
        raise InvalidInput(f"tag {tag!r} must be letters, digits, '.', '_' or '-'")
    return tag


def add_tag_in(c: Change, ticket_id: int, tag: str, detail: str | None = None) -> bool:
    """Inside a caller's change: tag the ticket and log it; False if it had the tag."""
    cursor = c.conn.execute(
        "INSERT OR IGNORE INTO tags (ticket_id, tag, added_at, added_by) VALUES (?, ?, ?, ?)",
        (ticket_id, check_tag(tag), c.now, c.actor),
    )
    if cursor.rowcount != 1:
        return False
    c.event(ticket_id, EventAction.TAG, None, tag, detail)
    return True


def _remove_tag_in(c: Change, ticket_id: int, tag: str) -> bool:
    cursor = c.conn.execute("DELETE FROM tags WHERE ticket_id = ? AND tag = ?", (ticket_id, tag))
    if cursor.rowcount != 1:
        return False
    c.event(ticket_id, EventAction.UNTAG, tag, None)
    return True


def change_tags(
    desk: Desk,
    ticket_id: int,
    add: Iterable[str] = (),
    remove: Iterable[str] = (),
    *,
    expected_version: int | None = None,
) -> Ticket:
    """Add and remove tags in one change; tags it already has (or lacks) are left alone."""
    adding = [check_tag(t.strip()) for t in add]
    removing = [t.strip() for t in remove]
    if not adding and not removing:
        raise InvalidInput("name a tag to add (+tag) or remove (-tag)")
    with change(desk) as c:
        c.check_version(ticket_id, expected_version)
        changed = [add_tag_in(c, ticket_id, t) for t in adding]
        changed += [_remove_tag_in(c, ticket_id, t) for t in removing]
        if any(changed):
            c.update(ticket_id)
    return desk.store.ticket(ticket_id)


def tags(store: Store, ticket_id: int) -> list[str]:
    rows = store.rows("SELECT tag FROM tags WHERE ticket_id = ? ORDER BY tag", (ticket_id,))
    return [row["tag"] for row in rows]
