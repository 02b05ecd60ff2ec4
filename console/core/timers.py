"""The timers: what has fallen due while nobody was looking.

`tick` logs SLA breaches, reminds of promised follow-ups that are due, finds customers to
nudge and closes tickets idle on the customer's side for too long. It is run by cron
(`console tick`) and by the TUI, often by both, so it is idempotent: each thing it does is
marked on the ticket in the same transaction, and a second run finds nothing left to do.

Bookkeeping (a breach or a reminder logged) does not raise a ticket's version: an agent
editing the ticket at that moment must not get a conflict because a clock ran out. Closing a
ticket is a real change and does."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from console.core.clock import from_text, to_text
from console.core.model import Court, MessageKind, Status
from console.core.operations import insert_message, record_event
from console.core.sla import SlaPolicy
from console.core.store import Store
from console.core.workflow import CLOSE_TEXT, _row, clock_columns, move, settle_breaches

BATCH = 500
"""Rows per transaction: short write transactions keep other agents' writes flowing."""


@dataclass
class TickReport:
    """What one run of the timers did, ticket numbers per kind."""

    clocks_started: list[int] = field(default_factory=list)
    breaches: list[tuple[int, str]] = field(default_factory=list)
    followups_due: list[int] = field(default_factory=list)
    nudges_due: list[int] = field(default_factory=list)
    auto_closed: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "clocks_started": len(self.clocks_started),
            "breaches": [{"id": i, "kind": k} for i, k in self.breaches],
            "followups_due": self.followups_due,
            "nudges_due": self.nudges_due,
            "auto_closed": self.auto_closed,
        }


def _ids(store: Store, sql: str, params: tuple[object, ...]) -> list[int]:
    with store.lock:
        return [r[0] for r in store.conn.execute(sql, params).fetchall()]


def start_missing_clocks(store: Store, policy: SlaPolicy, report: TickReport) -> None:
    """Tickets that came in without clocks (older files, other intake paths) get them, as
    if their current stretch began at their last change."""
    while True:
        ids = _ids(
            store,
            "SELECT id FROM tickets INDEXED BY tickets_unclocked WHERE "
            "clock_since IS NULL AND status IN ('new', 'open', 'waiting', 'solved') "
            "LIMIT ?",
            (BATCH,),
        )
        if not ids:
            return
        started = []
        with store.transaction() as conn:
            for ticket_id in ids:
                row = _row(conn, ticket_id)
                if row["clock_since"] is not None:  # another tick got there first
                    continue
                started.append(ticket_id)
                row["clock_since"] = row["updated_at"]
                columns = {"clock_since": row["clock_since"], **clock_columns(row, policy, set())}
                if row["status"] == Status.SOLVED.value:
                    columns["resolved_at"] = row["updated_at"]
                conn.execute(
                    f"UPDATE tickets SET {', '.join(f'{k} = ?' for k in columns)} WHERE id = ?",
                    [*columns.values(), ticket_id],
                )
        report.clocks_started.extend(started)


def log_breaches(store: Store, policy: SlaPolicy, actor: str, report: TickReport) -> None:
    now_text = store.now()
    now = from_text(now_text)
    ids = _ids(
        store,
        "SELECT id FROM tickets WHERE sla_check_at IS NOT NULL AND "
        "sla_check_at <= ? ORDER BY sla_check_at",
        (now_text,),
    )
    for start in range(0, len(ids), BATCH):
        with store.transaction() as conn:
            for ticket_id in ids[start : start + BATCH]:
                row = _row(conn, ticket_id)
                before = set((row["sla_breached"] or "").split())
                breached = settle_breaches(conn, row, policy, now, actor)
                columns = clock_columns(row, policy, breached)
                conn.execute(
                    "UPDATE tickets SET sla_due_at = ?, sla_kind = ?, "
                    "sla_check_at = ?, sla_breached = ? WHERE id = ?",
                    (
                        columns["sla_due_at"],
                        columns["sla_kind"],
                        columns["sla_check_at"],
                        columns["sla_breached"],
                        ticket_id,
                    ),
                )
                report.breaches.extend(
                    (ticket_id, key.split("@")[0]) for key in sorted(breached - before)
                )


def remind_followups(store: Store, actor: str, report: TickReport) -> None:
    now = store.now()
    with store.transaction() as conn:
        rows = conn.execute(
            "SELECT id, followup_due_at, followup_note FROM tickets INDEXED BY "
            "tickets_by_followup WHERE followup_due_at IS NOT NULL AND followup_due_at <= ? "
            "AND followup_reminded IS NOT followup_due_at",
            (now,),
        ).fetchall()
        for ticket_id, due, note in rows:
            record_event(conn, ticket_id, now, actor, "followup_due", None, due, note)
            conn.execute("UPDATE tickets SET followup_reminded = ? WHERE id = ?", (due, ticket_id))
            report.followups_due.append(ticket_id)


_IDLE = (
    "SELECT id, clock_since FROM tickets INDEXED BY tickets_idle_customer WHERE "
    "court = 'customer' AND status IN ('waiting', 'solved') AND clock_since <= ?"
)


def find_nudges(store: Store, policy: SlaPolicy, actor: str, report: TickReport) -> None:
    """Log, once per stretch, that a silent customer is due a nudge (the Nudge queue)."""
    now = store.now()
    cutoff = to_text(from_text(now) - timedelta(seconds=policy.nudge_after))
    with store.transaction() as conn:
        rows = conn.execute(_IDLE + " AND nudged_since IS NOT clock_since", (cutoff,)).fetchall()
        for ticket_id, since in rows:
            seen = conn.execute(
                "SELECT 1 FROM events WHERE ticket_id = ? AND action = 'nudge_due' AND after = ?",
                (ticket_id, since),
            ).fetchone()
            if seen is None:
                record_event(
                    conn,
                    ticket_id,
                    now,
                    actor,
                    "nudge_due",
                    None,
                    since,
                    "the customer has not answered",
                )
                report.nudges_due.append(ticket_id)


def auto_close(store: Store, policy: SlaPolicy, actor: str, report: TickReport) -> None:
    """Close tickets the customer left unanswered for `close_after`, telling them so."""
    if policy.close_after <= 0:
        return
    now = store.now()
    cutoff = to_text(from_text(now) - timedelta(seconds=policy.close_after))
    while True:
        ids = _ids(store, _IDLE + " ORDER BY clock_since LIMIT ?", (cutoff, BATCH))
        if not ids:
            return
        closed = []
        with store.transaction() as conn:
            for ticket_id in ids:
                row = _row(conn, ticket_id)
                # The TUI and cron may tick at once: close only what is still idle.
                if not (
                    row["court"] == Court.CUSTOMER.value
                    and row["clock_since"] <= cutoff
                    and row["status"] in (Status.WAITING.value, Status.SOLVED.value)
                ):
                    continue
                closed.append(ticket_id)
                insert_message(
                    conn, ticket_id, MessageKind.REPLY, actor, CLOSE_TEXT, None, now, actor
                )
                idle = from_text(now) - from_text(row["clock_since"])
                move(
                    store,
                    conn,
                    policy,
                    actor,
                    ticket_id,
                    now,
                    status=Status.CLOSED,
                    court=Court.CUSTOMER,
                    reason=f"auto-closed: no answer from the customer for {idle.days} days",
                    assignments={"followup_due_at": None, "followup_note": None},
                )
                record_event(
                    conn,
                    ticket_id,
                    now,
                    actor,
                    "auto_close",
                    None,
                    None,
                    f"idle on the customer's side for {idle.days} days",
                )
        report.auto_closed.extend(closed)


def tick(store: Store, policy: SlaPolicy, actor: str) -> TickReport:
    """Run every timer once. Safe to run again at once: the second run does nothing."""
    report = TickReport()
    start_missing_clocks(store, policy, report)
    log_breaches(store, policy, actor, report)
    remind_followups(store, actor, report)
    auto_close(store, policy, actor, report)  # first: a closed ticket needs no nudge
    find_nudges(store, policy, actor, report)
    return report
