"""The queues of the workflow: "Due" (promised follow-ups due today or overdue), "Nudge"
(customers silent for too long) and "Breach" (open tickets by time to their next SLA
deadline). Each is one paged query on a partial index, whatever the size of the store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from console.core.clock import to_text
from console.core.model import Court, Line, Priority, Status, TicketSummary
from console.core.sla import SlaPolicy
from console.core.store import SUBJECT_PREVIEW, Store

QUEUES = ("due", "nudge", "breach")


@dataclass(frozen=True)
class ClockRow:
    """A queue row with what the workflow queues sort and show by."""

    id: int
    subject: str
    requester: str
    line: Line
    priority: Priority
    status: Status
    court: Court
    assignee: str | None
    created_at: str
    clock_since: str | None
    """When the ball went where it is now."""
    sla_kind: str | None
    sla_due_at: str | None
    followup_due_at: str | None
    followup_note: str | None
    approval: str | None


_COLUMNS = (
    f"id, substr(subject, 1, {SUBJECT_PREVIEW}) AS subject, requester, line, priority,"
    " status, court, assignee, created_at, clock_since, sla_kind, sla_due_at,"
    " followup_due_at, followup_note, approval"
)


def _rows(store: Store, sql: str, params: tuple[Any, ...]) -> list[ClockRow]:
    with store.lock:
        cursor = store.conn.execute(sql, params)
        names = [d[0] for d in cursor.description]
        found = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
    return [
        ClockRow(
            **{
                **r,
                "line": Line(r["line"]),
                "priority": Priority(r["priority"]),
                "status": Status(r["status"]),
                "court": Court(r["court"]),
            }
        )
        for r in found
    ]


def end_of_today(now: datetime, policy: SlaPolicy) -> datetime:
    """Midnight at the end of the team's local day, in UTC."""
    local = now.astimezone(policy.zone)
    tomorrow = local.date() + timedelta(days=1)
    return datetime.combine(tomorrow, time(0), tzinfo=policy.zone).astimezone(UTC)


def due(store: Store, policy: SlaPolicy, *, limit: int = 100, offset: int = 0) -> list[ClockRow]:
    """Promised follow-ups due today (the team's today) or overdue, soonest first."""
    cutoff = to_text(end_of_today(store.clock(), policy))
    return _rows(
        store,
        f"SELECT {_COLUMNS} FROM tickets INDEXED BY tickets_by_followup "
        "WHERE followup_due_at IS NOT NULL AND followup_due_at < ? "
        "ORDER BY followup_due_at, id LIMIT ? OFFSET ?",
        (cutoff, limit, offset),
    )


def nudge(store: Store, policy: SlaPolicy, *, limit: int = 100, offset: int = 0) -> list[ClockRow]:
    """Tickets waiting on a customer for `nudge_after` or longer, not nudged since; longest
    silence first."""
    cutoff = to_text(store.clock() - timedelta(seconds=policy.nudge_after))
    return _rows(
        store,
        f"SELECT {_COLUMNS} FROM tickets INDEXED BY tickets_idle_customer "
        "WHERE court = 'customer' AND status IN ('waiting', 'solved') "
        "AND clock_since <= ? AND nudged_since IS NOT clock_since "
        "ORDER BY clock_since, id LIMIT ? OFFSET ?",
        (cutoff, limit, offset),
    )


def breach(store: Store, *, limit: int = 100, offset: int = 0) -> list[ClockRow]:
    """Tickets whose clocks run, nearest deadline first (breached ones at the top)."""
    return _rows(
        store,
        f"SELECT {_COLUMNS} FROM tickets INDEXED BY tickets_by_sla_due "
        "WHERE sla_due_at IS NOT NULL ORDER BY sla_due_at, id LIMIT ? OFFSET ?",
        (limit, offset),
    )


def breach_count(
    store: Store, since: str | None = None, until: str | None = None
) -> dict[str, int]:
    """SLA breaches logged, per kind, between two stored moments (for reports)."""
    with store.lock:
        rows = store.conn.execute(
            "SELECT after, count(*) FROM events WHERE action = 'sla_breach' AND at >= ? "
            "AND at < ? GROUP BY after",
            (since or "", until or "9999"),
        ).fetchall()
    return {kind: int(n) for kind, n in rows}


def deadlines_for(store: Store, ids: list[int]) -> dict[int, tuple[str | None, str | None]]:
    """(sla_kind, sla_due_at) for the tickets of one page, so any queue can show time left
    next to each row with one primary-key lookup per row."""
    if not ids:
        return {}
    marks = ", ".join("?" for _ in ids)
    with store.lock:
        rows = store.conn.execute(
            f"SELECT id, sla_kind, sla_due_at FROM tickets WHERE id IN ({marks})", ids
        ).fetchall()
    return {ticket_id: (kind, due) for ticket_id, kind, due in rows}


# -- the same queues as pages of queue rows, with their sizes, for the TUI's ticket list ------


def _due_sql(store: Store, policy: SlaPolicy) -> tuple[str, tuple[Any, ...], str]:
    cutoff = to_text(end_of_today(store.clock(), policy))
    return (
        "FROM tickets INDEXED BY tickets_by_followup WHERE followup_due_at IS NOT NULL "
        "AND followup_due_at < ?",
        (cutoff,),
        "followup_due_at, id",
    )


def _nudge_sql(store: Store, policy: SlaPolicy) -> tuple[str, tuple[Any, ...], str]:
    cutoff = to_text(store.clock() - timedelta(seconds=policy.nudge_after))
    return (
        "FROM tickets INDEXED BY tickets_idle_customer WHERE court = 'customer' "
        "AND status IN ('waiting', 'solved') AND clock_since <= ? "
        "AND nudged_since IS NOT clock_since",
        (cutoff,),
        "clock_since, id",
    )


def _breach_sql(store: Store, policy: SlaPolicy) -> tuple[str, tuple[Any, ...], str]:
    return (
        "FROM tickets INDEXED BY tickets_by_sla_due WHERE sla_due_at IS NOT NULL",
        (),
        "sla_due_at, id",
    )


_SQL = {"due": _due_sql, "nudge": _nudge_sql, "breach": _breach_sql}


def page(
    store: Store, policy: SlaPolicy, name: str, *, limit: int = 100, offset: int = 0
) -> list[TicketSummary]:
    """One page of the queue `name` ("due", "nudge" or "breach") as queue rows, in the
    queue's own order (the same as `due`, `nudge` and `breach`)."""
    source, params, order = _SQL[name](store, policy)
    return store.summaries(f"{source} ORDER BY {order} LIMIT ? OFFSET ?", (*params, limit, offset))


def count(store: Store, policy: SlaPolicy, name: str) -> int:
    """How many tickets the queue `name` holds now (a count on its partial index)."""
    source, params, _ = _SQL[name](store, policy)
    with store.lock:
        return int(store.conn.execute(f"SELECT count(*) {source}", params).fetchone()[0])
