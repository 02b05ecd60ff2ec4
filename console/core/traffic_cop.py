"""What happened on a ticket while an agent was writing to it ("Traffic Cop").

A composer remembers the ticket's version and its last event when it opens. Before sending,
`changes_since` lists what the others did since: a new customer message (with its opening
words, since it may change the answer), someone else's reply or note, a status, court, line or
assignee change. The agent then sends anyway or goes back to the text; nothing is lost."""

from __future__ import annotations

import re
from dataclasses import dataclass

from console.core.store import Store
from console.core.text import one_line

MAX_CHANGES = 20
"""At most this many changes are listed; a busier ticket says how many more there were."""

_MESSAGE_ID = re.compile(r"^message (\d+)")
_KIND_WORDS = {
    "customer": "the customer wrote",
    "reply": "replied to the customer",
    "note": "added an internal note",
}


@dataclass(frozen=True)
class Change:
    event_id: int
    at: str
    actor: str
    text: str
    """One line saying what happened, customer text made safe to print."""


@dataclass(frozen=True)
class Since:
    """What changed after the event an agent last saw."""

    version: int
    """The ticket's version now: send with this as the expected version to go ahead."""
    last_event_id: int
    changes: tuple[Change, ...]
    more: int
    """Changes left off the list."""

    def describe(self) -> str:
        lines = [f"{c.at[11:16]}  {c.text}" for c in self.changes]
        if self.more:
            lines.append(f"... and {self.more} more")
        return "\n".join(lines)


def last_event_id(store: Store, ticket_id: int) -> int:
    with store.read() as conn:
        row = conn.execute(
            "SELECT max(id) FROM events WHERE ticket_id = ?", (ticket_id,)
        ).fetchone()
    return int(row[0] or 0)


def changes_since(store: Store, ticket_id: int, after_event_id: int) -> Since:
    """The ticket's changes after `after_event_id`, oldest first, one line each."""
    with store.read() as conn:
        version = conn.execute("SELECT version FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
        rows = conn.execute(
            "SELECT id, at, actor, action, before, after, detail FROM events"
            " WHERE ticket_id = ? AND id > ? ORDER BY id LIMIT ?",
            (ticket_id, after_event_id, MAX_CHANGES + 1),
        ).fetchall()
        total = conn.execute(
            "SELECT count(*), max(id) FROM events WHERE ticket_id = ? AND id > ?",
            (ticket_id, after_event_id),
        ).fetchone()
        changes = [
            Change(row[0], row[1], row[2], _describe(store, *row[2:])) for row in rows[:MAX_CHANGES]
        ]
    return Since(
        version=int(version[0]) if version else 0,
        last_event_id=int(total[1] or after_event_id),
        changes=tuple(changes),
        more=max(0, int(total[0]) - len(changes)),
    )


def _describe(
    store: Store, actor: str, action: str, before: str | None, after: str | None, detail: str | None
) -> str:
    who = one_line(actor, 40)
    if action == "message":
        found = _MESSAGE_ID.match(detail or "")
        excerpt = ""
        if found:
            rows = store.query(
                "SELECT author, body FROM messages WHERE id = ?", (int(found.group(1)),)
            )
            row = rows[0] if rows else None
            if row is not None:
                if after == "customer":
                    who = one_line(row[0], 40)
                excerpt = f": \u201c{one_line(row[1], 80)}\u201d"
        return f"{who} {_KIND_WORDS.get(after or '', 'added a message')}{excerpt}"
    if before is None and after is None:
        return f"{who}: {one_line(action, 30)}" + (f" ({one_line(detail, 60)})" if detail else "")
    return (
        f"{who} changed {one_line(action, 30)}: {one_line(before or '-', 40)} \u2192 "
        f"{one_line(after or '-', 40)}"
    )
