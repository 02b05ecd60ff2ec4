"""Unsent replies, notes and recorded customer messages, kept in the database as the agent types.

A composer saves its text here every second or so and when it is left, so the text survives a
crash, a dropped SSH session or a closed terminal; the next time the agent opens the composer on
that ticket the draft comes back. Sending discards it. A draft belongs to one agent, one ticket
and one kind of message: a half-written reply and a half-written note on the same ticket are two
drafts. Drafts are the agent's scratch paper, not a change to the ticket, so they leave its
version and event log alone."""

from __future__ import annotations

from dataclasses import dataclass

from console.core.errors import InvalidInput, TicketNotFound
from console.core.model import MessageKind
from console.core.store import Store

MAX_DRAFT_CHARS = 1_000_000
"""A draft longer than this is refused: it is a pasted file, not something being written."""


@dataclass(frozen=True)
class Draft:
    agent: str
    ticket_id: int
    kind: MessageKind
    body: str
    keep_court: bool
    """For a reply: the next move stays ours after sending."""
    macro_id: str | None
    """The macro the text came from, whose actions sending also applies."""
    created_at: str
    updated_at: str

    def as_dict(self) -> dict[str, object]:
        return {
            "agent": self.agent,
            "ticket": self.ticket_id,
            "kind": self.kind.value,
            "body": self.body,
            "keep_court": self.keep_court,
            "macro": self.macro_id,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


_COLUMNS = "agent, ticket_id, kind, body, keep_court, macro_id, created_at, updated_at"


def _draft(row: tuple[object, ...]) -> Draft:
    agent, ticket_id, kind, body, keep_court, macro_id, created_at, updated_at = row
    return Draft(
        str(agent),
        int(str(ticket_id)),
        MessageKind(str(kind)),
        str(body),
        bool(keep_court),
        None if macro_id is None else str(macro_id),
        str(created_at),
        str(updated_at),
    )


def _kind(kind: MessageKind | str) -> MessageKind:
    return MessageKind.parse(kind, "draft kind") if isinstance(kind, str) else kind


def save(
    store: Store,
    agent: str,
    ticket_id: int,
    kind: MessageKind | str,
    body: str,
    *,
    keep_court: bool = False,
    macro_id: str | None = None,
) -> Draft | None:
    """Keep `body` as the agent's draft of this kind on this ticket, replacing the last one.

    Text that is only whitespace is no draft: the one kept is discarded and None returned, so
    an emptied composer does not come back next time."""
    kind = _kind(kind)
    if len(body) > MAX_DRAFT_CHARS:
        raise InvalidInput(
            f"the draft for ticket #{ticket_id} has {len(body)} characters; "
            f"at most {MAX_DRAFT_CHARS} are kept"
        )
    if not body.strip():
        discard(store, agent, ticket_id, kind)
        return None
    now = store.now()
    with store.transaction() as conn:
        if conn.execute("SELECT 1 FROM tickets WHERE id = ?", (ticket_id,)).fetchone() is None:
            raise TicketNotFound(ticket_id)
        conn.execute(
            f"INSERT INTO drafts ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (agent, ticket_id, kind) DO UPDATE SET body = excluded.body,"
            " keep_court = excluded.keep_court, macro_id = excluded.macro_id,"
            " updated_at = excluded.updated_at",
            (agent, ticket_id, kind.value, body, int(keep_court), macro_id, now, now),
        )
    return load(store, agent, ticket_id, kind)


def load(store: Store, agent: str, ticket_id: int, kind: MessageKind | str) -> Draft | None:
    """The agent's draft of this kind on this ticket, or None."""
    with store.read() as conn:
        row = conn.execute(
            f"SELECT {_COLUMNS} FROM drafts WHERE agent = ? AND ticket_id = ? AND kind = ?",
            (agent, ticket_id, _kind(kind).value),
        ).fetchone()
    return None if row is None else _draft(row)


def discard(store: Store, agent: str, ticket_id: int, kind: MessageKind | str) -> bool:
    """Forget the draft (it was sent, or thrown away); True when there was one."""
    with store.transaction() as conn:
        cursor = conn.execute(
            "DELETE FROM drafts WHERE agent = ? AND ticket_id = ? AND kind = ?",
            (agent, ticket_id, _kind(kind).value),
        )
    return cursor.rowcount > 0


def list_drafts(store: Store, agent: str, *, limit: int = 100) -> list[Draft]:
    """The agent's drafts, most recently edited first."""
    with store.read() as conn:
        rows = conn.execute(
            f"SELECT {_COLUMNS} FROM drafts WHERE agent = ? ORDER BY updated_at DESC,"
            " ticket_id DESC LIMIT ?",
            (agent, limit),
        ).fetchall()
    return [_draft(row) for row in rows]
