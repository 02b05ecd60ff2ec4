"""The queues of the workflow: "Due" (promised follow-ups due today or overdue), "Nudge"
(customers silent for too long) and "Breach" (open tickets whose next SLA deadline was missed
or is at risk, nearest first). Each is one paged query on a partial index, whatever the size
of the store; the screen and the command line read the same pages.

`clock_rows` gives a page's tickets with what these queues show beside each (the promise, the
silence, the deadline)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from console.core.clock import to_text
from console.core.model import Court, Line, Priority, QueueTimer, Status, TicketSummary
from console.core.sla import SlaKind, SlaPolicy
from console.core.store import SUBJECT_PREVIEW, Store


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
    sla_kind: SlaKind | None
    sla_due_at: str | None
    followup_due_at: str | None
    followup_note: str | None


_COLUMNS = (
    f"id, substr(subject, 1, {SUBJECT_PREVIEW}) AS subject, requester, line, priority,"
    " status, court, assignee, created_at, clock_since, sla_kind, sla_due_at,"
    " followup_due_at, followup_note"
)


def clock_rows(store: Store, ids: list[int]) -> list[ClockRow]:
    """These tickets (in this order) with their clocks: one primary-key lookup each."""
    if not ids:
        return []
    rows = store.rows(
        f"SELECT {_COLUMNS} FROM tickets WHERE id IN (SELECT value FROM json_each(?))",
        ("[" + ",".join(map(str, ids)) + "]",),
    )
    by_id = {
        r["id"]: ClockRow(
            **{
                **r,
                "line": Line(r["line"]),
                "priority": Priority(r["priority"]),
                "status": Status(r["status"]),
                "court": Court(r["court"]),
                "sla_kind": SlaKind(r["sla_kind"]) if r["sla_kind"] else None,
            }
        )
        for r in rows
    }
    return [by_id[i] for i in ids if i in by_id]


def open_questions(store: Store, ids: list[int]) -> dict[int, str]:
    """The oldest open back-line question of each of these tickets."""
    if not ids:
        return {}
    rows = store.rows(
        "SELECT ticket_id, question FROM clarifications WHERE answered_at IS NULL AND "
        "ticket_id IN (SELECT value FROM json_each(?)) ORDER BY id DESC",
        ("[" + ",".join(map(str, ids)) + "]",),
    )
    return {r["ticket_id"]: r["question"] for r in rows}


def end_of_today(now: datetime, policy: SlaPolicy) -> datetime:
    """Midnight at the end of the team's local day, in UTC."""
    local = now.astimezone(policy.zone)
    tomorrow = local.date() + timedelta(days=1)
    return datetime.combine(tomorrow, time(0), tzinfo=policy.zone).astimezone(UTC)


def breach_count(
    store: Store, since: str | None = None, until: str | None = None
) -> dict[str, int]:
    """SLA breaches logged, per kind, between two stored moments (for reports)."""
    rows = store.rows(
        "SELECT after AS kind, count(*) AS n FROM events WHERE action = 'sla_breach' "
        "AND at >= ? AND at < ? GROUP BY after",
        (since or "", until or "9999"),
    )
    return {r["kind"]: int(r["n"]) for r in rows}


# -- each queue: its rows, its order, its size ------------------------------------------------

Source = tuple[str, tuple[Any, ...], str]
"""What follows SELECT: "FROM ... WHERE ...", its parameters, and the ORDER BY."""


def _due_sql(store: Store, policy: SlaPolicy) -> Source:
    cutoff = to_text(end_of_today(store.clock(), policy))
    return (
        "FROM tickets INDEXED BY tickets_by_followup WHERE followup_due_at IS NOT NULL "
        "AND followup_due_at < ?",
        (cutoff,),
        "followup_due_at, id",
    )


def _nudge_sql(store: Store, policy: SlaPolicy) -> Source:
    cutoff = to_text(store.clock() - timedelta(seconds=policy.nudge_after))
    return (
        "FROM tickets INDEXED BY tickets_idle_customer WHERE court = 'customer' "
        "AND status IN ('waiting', 'solved') AND clock_since <= ? "
        "AND nudged_since IS NOT clock_since",
        (cutoff,),
        "clock_since, id",
    )


def _breach_sql(store: Store, policy: SlaPolicy) -> Source:
    # Missed, or due within the at-risk margin: what the sidebar counts is what needs saving
    # now. (Every ticket by time to its deadline is `o` on any other queue.)
    cutoff = to_text(store.clock() + timedelta(seconds=policy.at_risk))
    return (
        "FROM tickets INDEXED BY tickets_by_sla_due WHERE sla_due_at IS NOT NULL "
        "AND sla_due_at < ?",
        (cutoff,),
        "sla_due_at, id",
    )


_SQL: dict[QueueTimer, Callable[[Store, SlaPolicy], Source]] = {
    QueueTimer.DUE: _due_sql,
    QueueTimer.NUDGE: _nudge_sql,
    QueueTimer.BREACH: _breach_sql,
}


def page(
    store: Store, policy: SlaPolicy, timer: QueueTimer, *, limit: int = 100, offset: int = 0
) -> list[TicketSummary]:
    """One page of a workflow queue in its own order: Due by the promised time, Nudge by the
    longest silence, Breach by the nearest deadline (missed ones first, then those at risk)."""
    source, params, order = _SQL[QueueTimer(timer)](store, policy)
    return store.summaries(f"{source} ORDER BY {order} LIMIT ? OFFSET ?", (*params, limit, offset))


def count(store: Store, policy: SlaPolicy, timer: QueueTimer) -> int:
    """How many tickets the queue holds now (a count on its partial index)."""
    source, params, _ = _SQL[QueueTimer(timer)](store, policy)
    return int(store.query(f"SELECT count(*) {source}", params)[0][0])
