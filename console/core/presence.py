"""Who has which ticket open, and who is writing a reply, across every running console.

Each console process keeps one row (agent, host, pid) fresh with a heartbeat every few
seconds. A row older than `TTL` is ignored, so a console killed with its SSH session simply
fades out; a console that quits removes its row at once."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta

from console.core.clock import from_text, to_text
from console.core.model import Activity
from console.core.store import Store

TTL = timedelta(seconds=15)
HEARTBEAT_SECONDS = 5


@dataclass(frozen=True)
class Presence:
    agent: str
    ticket_id: int | None
    activity: Activity
    seen_at: str


def _me() -> tuple[str, int]:
    import socket  # only where a console says where it is: most commands never do

    return socket.gethostname(), os.getpid()


def heartbeat(
    store: Store,
    agent: str,
    ticket_id: int | None = None,
    activity: Activity = Activity.BROWSING,
) -> None:
    """Say that this console's agent is on `ticket_id` (or browsing queues) right now."""
    activity = Activity(activity)
    host, pid = _me()
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO presence (agent, host, pid, ticket_id, activity, seen_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (agent, host, pid) DO UPDATE SET"
            " ticket_id = excluded.ticket_id, activity = excluded.activity,"
            " seen_at = excluded.seen_at",
            (agent, host, pid, ticket_id, activity.value, store.now()),
        )


def leave(store: Store, agent: str) -> None:
    """This console is quitting: forget its presence now rather than after the TTL."""
    host, pid = _me()
    with store.transaction() as conn:
        conn.execute(
            "DELETE FROM presence WHERE agent = ? AND host = ? AND pid = ?", (agent, host, pid)
        )


def _presence(row: tuple[object, ...]) -> Presence:
    agent, ticket_id, activity, seen_at = row
    return Presence(
        str(agent),
        None if ticket_id is None else int(str(ticket_id)),
        Activity(str(activity)),
        str(seen_at),
    )


def _fresh_since(store: Store) -> str:
    return to_text(from_text(store.now()) - TTL)


def on_ticket(store: Store, ticket_id: int, *, exclude_agent: str | None = None) -> list[Presence]:
    """Other agents on this ticket now, writers first."""
    with store.read() as conn:
        rows = conn.execute(
            "SELECT agent, ticket_id, activity, max(seen_at) FROM presence WHERE ticket_id = ? "
            "AND seen_at >= ? AND agent IS NOT ? GROUP BY agent, activity "
            "ORDER BY activity = 'replying' DESC, agent",
            (ticket_id, _fresh_since(store), exclude_agent),
        ).fetchall()
    return [_presence(row) for row in rows]


def on_tickets(
    store: Store, ticket_ids: list[int], *, exclude_agent: str | None = None
) -> dict[int, list[Presence]]:
    """Presence for a page of queue rows, in one query."""
    if not ticket_ids:
        return {}
    marks = ", ".join("?" for _ in ticket_ids)
    with store.read() as conn:
        rows = conn.execute(
            f"SELECT agent, ticket_id, activity, max(seen_at) FROM presence WHERE ticket_id IN "
            f"({marks}) AND seen_at >= ? AND agent IS NOT ? GROUP BY agent, ticket_id, activity",
            (*ticket_ids, _fresh_since(store), exclude_agent),
        ).fetchall()
    found: dict[int, list[Presence]] = {}
    for row in rows:
        found.setdefault(row[1], []).append(_presence(row))
    return found


Where = tuple[str, int | None, str]
"""(agent, ticket, activity): what colleagues' screens show of one console."""


def everyone(store: Store, *, exclude_agent: str | None = None) -> frozenset[Where]:
    """Where every fresh console is, as the screens show it (not when it last said so).

    A heartbeat that only says "still here" leaves this unchanged, so a console can tell
    a colleague's move from the team's steady heartbeats (thirty consoles send six a second)
    with one look at a table of a row per console."""
    with store.read() as conn:
        rows = conn.execute(
            "SELECT agent, ticket_id, activity FROM presence WHERE seen_at >= ? AND agent IS NOT ?",
            (_fresh_since(store), exclude_agent),
        ).fetchall()
    return frozenset((str(agent), ticket_id, str(activity)) for agent, ticket_id, activity in rows)
