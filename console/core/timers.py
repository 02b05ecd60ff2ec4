"""The timers: what has fallen due while nobody was looking.

`tick` logs SLA breaches, reminds of promised follow-ups that are due, finds customers to
nudge, closes tickets idle on the customer's side for too long and sends the outbox's mail.
It is run by cron (`console tick`) and by the TUI, often by both, so it is idempotent: each
thing it does is marked on the ticket in the same transaction, and a second run finds
nothing left to do.

The timers act as the console itself (`team.SYSTEM`), whoever started them: a breach or an
auto-close is nobody's doing. Every change goes through `workflow`, like an agent's.
Bookkeeping (a breach or a reminder logged) does not raise a ticket's version: an agent
editing the ticket at that moment must not get a conflict because a clock ran out. Closing a
ticket is a real change and does."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from console.core.canned import Canned, canned
from console.core.clock import from_text, to_text
from console.core.desk import Desk
from console.core.errors import ConsoleError
from console.core.model import Court, EventAction, MessageKind, SlaKind, Status
from console.core.store import Store
from console.core.workflow import Change, in_batches

if TYPE_CHECKING:
    from console.core.mail.intake import Tally
    from console.core.mail.sender import SendReport

LISTED = 5000
"""Tickets listed at a time for a timer; each is then changed in short commits
(`workflow.in_batches`), so other agents' writes keep flowing through a year of backlog."""


@dataclass
class TickReport:
    """What one run of the timers did, ticket numbers per kind."""

    clocks_started: list[int] = field(default_factory=list)
    breaches: list[tuple[int, SlaKind]] = field(default_factory=list)
    followups_due: list[int] = field(default_factory=list)
    nudges_due: list[int] = field(default_factory=list)
    auto_closed: list[int] = field(default_factory=list)
    mail: SendReport | None = None
    """What the sender did; None when the desk sends no mail."""
    fetched: Tally | None = None
    """What was taken from the IMAP mailbox; None when the desk reads none."""
    fetch_error: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "clocks_started": len(self.clocks_started),
            "breaches": [{"id": i, "kind": k.value} for i, k in self.breaches],
            "followups_due": self.followups_due,
            "nudges_due": self.nudges_due,
            "auto_closed": self.auto_closed,
            "mail": self.mail.as_dict() if self.mail else None,
            **({"fetched": self.fetched.as_dict()} if self.fetched else {}),
            **({"fetch_error": self.fetch_error} if self.fetch_error else {}),
        }


def _ids(store: Store, sql: str, params: tuple[object, ...]) -> list[int]:
    with store.read() as conn:
        return [r[0] for r in conn.execute(sql, params).fetchall()]


def start_missing_clocks(desk: Desk, report: TickReport) -> None:
    """Tickets that came in without clocks (older files, the demo loader) get them, as if
    their current stretch began at their last change."""

    def start(c: Change, ticket_id: int) -> None:
        missed = c.start_clocks(ticket_id)
        if missed is not None:  # None: another tick got there first
            report.clocks_started.append(ticket_id)
            report.breaches.extend((ticket_id, b.kind) for b in missed)

    while True:
        ids = _ids(
            desk.store,
            "SELECT id FROM tickets INDEXED BY tickets_unclocked WHERE "
            "clock_since IS NULL AND status IN ('new', 'open', 'waiting', 'solved') "
            "LIMIT ?",
            (LISTED,),
        )
        if not ids:
            return
        in_batches(desk, ids, start, what="starting the clocks of tickets that had none")


def log_breaches(desk: Desk, report: TickReport) -> None:
    def settle(c: Change, ticket_id: int) -> None:
        report.breaches.extend((ticket_id, b.kind) for b in c.settle(ticket_id))

    ids = _ids(
        desk.store,
        "SELECT id FROM tickets WHERE sla_check_at IS NOT NULL AND "
        "sla_check_at <= ? ORDER BY sla_check_at",
        (desk.store.now(),),
    )
    in_batches(desk, ids, settle, what="logging missed deadlines")


def remind_followups(desk: Desk, report: TickReport) -> None:
    def remind(c: Change, ticket_id: int) -> None:
        if c.remind_followup(ticket_id):
            report.followups_due.append(ticket_id)

    ids = _ids(
        desk.store,
        "SELECT id FROM tickets INDEXED BY tickets_by_followup WHERE followup_due_at IS NOT NULL "
        "AND followup_due_at <= ? AND followup_reminded IS NOT followup_due_at",
        (desk.store.now(),),
    )
    in_batches(desk, ids, remind, what="noting follow-ups due")


_IDLE = (
    "SELECT id, clock_since FROM tickets INDEXED BY tickets_idle_customer WHERE "
    "court = 'customer' AND status IN ('waiting', 'solved') AND clock_since <= ?"
)


def _still_idle(row: dict[str, object], cutoff: str) -> bool:
    """Whether the ticket is still the customer's, silent since before `cutoff`: the TUI and
    cron may tick at once, and the customer may have written since the ticket was listed."""
    since = row["clock_since"]
    return (
        row["court"] == Court.CUSTOMER.value
        and row["status"] in (Status.WAITING.value, Status.SOLVED.value)
        and isinstance(since, str)
        and since <= cutoff
    )


def find_nudges(desk: Desk, report: TickReport) -> None:
    """Log, once per stretch, that a silent customer is due a nudge (the Nudge queue)."""
    cutoff = to_text(desk.now() - timedelta(seconds=desk.policy.nudge_after))

    def note_nudge(c: Change, ticket_id: int) -> None:
        row = c.row(ticket_id)
        if not _still_idle(row, cutoff):
            return
        since = row["clock_since"]
        seen = c.conn.execute(
            "SELECT 1 FROM events WHERE ticket_id = ? AND action = ? AND after = ?",
            (ticket_id, EventAction.NUDGE_DUE.value, since),
        ).fetchone()
        if seen is None:
            c.event(ticket_id, EventAction.NUDGE_DUE, None, since, "the customer has not answered")
            report.nudges_due.append(ticket_id)

    ids = _ids(desk.store, _IDLE + " AND nudged_since IS NOT clock_since", (cutoff,))
    in_batches(desk, ids, note_nudge, what="noting silent customers")


def auto_close(desk: Desk, report: TickReport) -> None:
    """Close tickets the customer left unanswered for `close_after`, telling them so."""
    if desk.policy.close_after <= 0:
        return
    cutoff = to_text(desk.now() - timedelta(seconds=desk.policy.close_after))

    def close(c: Change, ticket_id: int) -> None:
        row = c.row(ticket_id)
        if not _still_idle(row, cutoff):
            return
        days = (c.moment - from_text(row["clock_since"])).days
        c.message(ticket_id, MessageKind.REPLY, canned(desk, Canned.CLOSE, c.ticket(ticket_id)))
        c.event(
            ticket_id,
            EventAction.AUTO_CLOSE,
            None,
            None,
            f"idle on the customer's side for {days} days",
        )
        c.update(
            ticket_id,
            status=Status.CLOSED,
            reason=f"auto-closed: no answer from the customer for {days} days",
        )
        report.auto_closed.append(ticket_id)

    while True:
        ids = _ids(desk.store, _IDLE + " ORDER BY clock_since LIMIT ?", (cutoff, LISTED))
        if not ids:
            return
        in_batches(desk, ids, close, what="closing idle tickets")


def tick(desk: Desk) -> TickReport:
    """Run every timer once, as the console itself. Safe to run again at once: the second
    run does nothing."""
    desk = desk.system()
    report = TickReport()
    with desk.store.holding("the timers (console tick)"):
        start_missing_clocks(desk, report)
        log_breaches(desk, report)
        remind_followups(desk, report)
        auto_close(desk, report)  # first: a closed ticket needs no nudge
        find_nudges(desk, report)
    if desk.mail.imap is not None:
        from console.core.mail.fetch import fetch

        try:
            report.fetched = fetch(desk)
        except ConsoleError as error:  # the mailbox is down: the other timers still ran
            report.fetch_error = str(error)
    if desk.mail.sending:  # last: the acknowledgements and auto-close notices go out too
        from console.core.mail.sender import send_due

        report.mail = send_due(desk)
    with desk.store.transaction() as conn:
        conn.execute(
            "INSERT INTO timer_runs (name, at) VALUES ('tick', ?) "
            "ON CONFLICT (name) DO UPDATE SET at = excluded.at",
            (desk.store.now(),),
        )
    return report


def ran_within(store: Store, seconds: float) -> bool:
    """Whether the timers ran (in any console, or cron) in the last `seconds`."""
    rows = store.query("SELECT at FROM timer_runs WHERE name = 'tick'")
    if not rows:
        return False
    return (store.clock() - from_text(rows[0][0])).total_seconds() < seconds
