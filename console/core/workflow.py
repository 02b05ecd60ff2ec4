"""The life of a ticket: whose move it is, its status, and the SLA clocks that follow both.

Every function here is one operation in the sense of `operations`: one transaction, the
version checked and raised, an event for each change. What they add is the workflow: a
customer message puts the ball in our court, a public reply in the customer's, a vendor
hand-off in the vendor's; the status follows (new, open, waiting, solved, closed); and the
ticket's clock columns (`clock_since`, `ours_seconds`, `sla_due_at`, ...) are brought up to
date in the same transaction, so a queue can sort by time to breach with an index and no
history.

A deadline that passed before a move is logged as a breach by that move, so a late answer is
counted even if the timers (`timers.tick`) never ran in between."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from console.core import operations
from console.core.clock import from_text, to_text
from console.core.errors import InvalidInput, TicketNotFound
from console.core.model import OPEN_STATUSES, Court, MessageKind, Priority, Status, Ticket
from console.core.operations import bump_version, insert_message, record_event
from console.core.sla import (
    FIRST_RESPONSE,
    RESOLUTION,
    ClockState,
    SlaPolicy,
    business_seconds,
    clock_runs,
    deadlines,
)
from console.core.store import Store

DEFAULT_POLICY = SlaPolicy()

CONFIRM_TEXT = (
    "We believe this is now solved. Could you confirm that it works for you? If anything is "
    "still wrong, just reply to this message and the ticket reopens."
)
NUDGE_TEXT = (
    "We are still waiting for your answer on this ticket, and we would like to get it solved "
    "for you. Could you reply when you have a moment?"
)
CLOSE_TEXT = (
    "We have not heard back from you, so we are closing this ticket. If the problem is still "
    "there, just reply and we will pick it up again."
)
APPROVAL_TEXT = (
    "This needs paid work, estimated at {estimate}. We will start once you approve it; "
    "reply to approve or to decline."
)


@dataclass(frozen=True)
class Clocks:
    """A ticket's workflow and SLA state, as stored on its row."""

    ticket_id: int
    priority: Priority
    status: Status
    court: Court
    created_at: str
    clock_since: str | None
    """When the current stretch (same court and status) began; None until the clocks start."""
    ours_seconds: int
    """Working seconds the ball was ours before the current stretch."""
    first_response_at: str | None
    resolved_at: str | None
    sla_kind: str | None
    """Which promise falls due first: first_response, next_update or resolution."""
    sla_due_at: str | None
    """When it falls due; None while the clocks are stopped."""
    sla_breached: tuple[str, ...]
    vendor: str | None
    vendor_case: str | None
    followup_due_at: str | None
    followup_note: str | None
    rating: int | None
    billable: bool
    estimate_minutes: int | None
    approval: str | None
    version: int

    def state(self) -> ClockState:
        return ClockState(
            priority=self.priority,
            status=self.status,
            court=self.court,
            clock_since=from_text(self.clock_since or self.created_at),
            ours_seconds=self.ours_seconds,
            first_response_at=(
                from_text(self.first_response_at) if self.first_response_at else None
            ),
        )


def _row(conn: sqlite3.Connection, ticket_id: int) -> dict[str, Any]:
    cursor = conn.execute("SELECT * FROM tickets WHERE id = ?", (ticket_id,))
    found = cursor.fetchone()
    if found is None:
        raise TicketNotFound(ticket_id)
    return dict(zip([d[0] for d in cursor.description], found, strict=True))


def clocks_from_row(row: dict[str, Any]) -> Clocks:
    return Clocks(
        ticket_id=row["id"],
        priority=Priority(row["priority"]),
        status=Status(row["status"]),
        court=Court(row["court"]),
        created_at=row["created_at"],
        clock_since=row["clock_since"],
        ours_seconds=row["ours_seconds"] or 0,
        first_response_at=row["first_response_at"],
        resolved_at=row["resolved_at"],
        sla_kind=row["sla_kind"],
        sla_due_at=row["sla_due_at"],
        sla_breached=tuple((row["sla_breached"] or "").split()),
        vendor=row["vendor"],
        vendor_case=row["vendor_case"],
        followup_due_at=row["followup_due_at"],
        followup_note=row["followup_note"],
        rating=row["rating"],
        billable=bool(row["billable"]),
        estimate_minutes=row["estimate_minutes"],
        approval=row["approval"],
        version=row["version"],
    )


def clocks(store: Store, ticket_id: int) -> Clocks:
    """A ticket's workflow and SLA state."""
    with store.lock:
        return clocks_from_row(_row(store.conn, ticket_id))


def _state(row: dict[str, Any]) -> ClockState:
    return clocks_from_row(row).state()


def settle_breaches(
    conn: sqlite3.Connection, row: dict[str, Any], policy: SlaPolicy, now: datetime, actor: str
) -> set[str]:
    """Log every deadline of the current stretch that passed by `now` and is not logged yet.

    Returns the keys of the breaches logged for the ticket so far (old and new)."""
    breached = set((row["sla_breached"] or "").split())
    for deadline in deadlines(_state(row), policy):
        if deadline.due <= now and deadline.key not in breached:
            record_event(
                conn,
                row["id"],
                to_text(now),
                actor,
                "sla_breach",
                None,
                deadline.kind,
                f"due {to_text(deadline.due)}",
            )
            breached.add(deadline.key)
    return breached


def clock_columns(row: dict[str, Any], policy: SlaPolicy, breached: set[str]) -> dict[str, Any]:
    """The stored deadline columns for the state in `row` (already updated)."""
    found = deadlines(_state(row), policy)
    current = {d.key for d in found}
    # First response and resolution breach once per ticket; a next-update breach belongs to
    # its stretch and is forgotten when the stretch ends.
    kept = {k for k in breached if k in (FIRST_RESPONSE, RESOLUTION) or k in current}
    pending = [d for d in found if d.key not in kept]
    return {
        "sla_due_at": to_text(found[0].due) if found else None,
        "sla_kind": found[0].kind if found else None,
        "sla_check_at": to_text(pending[0].due) if pending else None,
        "sla_breached": " ".join(sorted(kept)) or None,
    }


def _status_for(status: Status, court: Court) -> Status:
    """The status an open ticket has when the move is `court`'s."""
    if status not in OPEN_STATUSES:
        return status
    if court != Court.US:
        return Status.WAITING
    return Status.NEW if status == Status.NEW else Status.OPEN


def move(
    store: Store,
    conn: sqlite3.Connection,
    policy: SlaPolicy,
    actor: str,
    ticket_id: int,
    now: str,
    *,
    court: Court | None = None,
    status: Status | None = None,
    reason: str | None = None,
    restart: bool = False,
    assignments: dict[str, Any] | None = None,
    expected_version: int | None = None,
) -> dict[str, Any]:
    """Inside a transaction: change court and/or status and keep the clocks right.

    `restart` begins a new stretch without a change (a public reply that keeps the ball with
    us restarts the next-update clock). Returns the ticket's row as it is now."""
    row = _row(conn, ticket_id)
    moment = from_text(now)
    unclocked = row["clock_since"] is None
    if unclocked:  # a ticket from before the clocks (or a script): its stretch began then
        row["clock_since"] = row["updated_at"]
    breached = settle_breaches(conn, row, policy, moment, actor)
    old_court, old_status = Court(row["court"]), Status(row["status"])
    new_court = court or old_court
    new_status = status or _status_for(old_status, new_court)
    changes: dict[str, Any] = dict(assignments or {})
    if (new_court, new_status) != (old_court, old_status) or restart:
        if clock_runs(old_status, old_court):
            changes["ours_seconds"] = (row["ours_seconds"] or 0) + business_seconds(
                from_text(row["clock_since"]), moment, policy.calendar
            )
        changes["clock_since"] = now
    if new_court != old_court:
        changes["court"] = new_court.value
    if new_status != old_status:
        changes["status"] = new_status.value
        if new_status in OPEN_STATUSES and old_status not in OPEN_STATUSES:
            changes["resolved_at"] = None
        elif new_status not in OPEN_STATUSES and old_status in OPEN_STATUSES:
            changes["resolved_at"] = now
    after = {**row, **changes}
    changes.update(clock_columns(after, policy, breached))
    if unclocked:
        changes.setdefault("clock_since", row["clock_since"])
    bump_version(store, conn, ticket_id, expected_version, actor, now, changes)
    if new_status != old_status:
        record_event(
            conn, ticket_id, now, actor, "status", old_status.value, new_status.value, reason
        )
    if new_court != old_court:
        record_event(conn, ticket_id, now, actor, "court", old_court.value, new_court.value, reason)
    return {**row, **changes}


def start_clocks(policy: SlaPolicy) -> Any:
    """An `on_create` hook for `operations.create_ticket`: start a new ticket's clocks."""

    def hook(conn: sqlite3.Connection, ticket_id: int, now: str) -> None:
        row = _row(conn, ticket_id)
        row.update(clock_since=now, ours_seconds=0)
        columns = {"clock_since": now, **clock_columns(row, policy, set())}
        conn.execute(
            f"UPDATE tickets SET {', '.join(f'{k} = ?' for k in columns)} WHERE id = ?",
            [*columns.values(), ticket_id],
        )

    return hook


def create_ticket(
    store: Store, actor: str, *, policy: SlaPolicy = DEFAULT_POLICY, **fields: Any
) -> Ticket:
    """`operations.create_ticket` with the SLA clocks started in the same transaction."""
    return operations.create_ticket(store, actor, on_create=start_clocks(policy), **fields)


def _body(body: str, body_raw: bytes | None) -> None:
    if not body.strip() and body_raw is None:
        raise InvalidInput("the message is empty: write something first")


def _text(value: str | None, what: str) -> str:
    cleaned = (value or "").strip()
    if not cleaned:
        raise InvalidInput(f"{what} is empty")
    return cleaned


# -- messages -------------------------------------------------------------------------------


def customer_message(
    store: Store,
    actor: str,
    ticket_id: int,
    body: str,
    *,
    body_raw: bytes | None = None,
    author: str | None = None,
    policy: SlaPolicy = DEFAULT_POLICY,
    expected_version: int | None = None,
) -> Ticket:
    """Record what the customer said (by mail, phone or chat): the move becomes ours.

    On a solved or closed ticket this reopens it; when it was resolved longer ago than the
    policy's `reopen_within`, a new ticket linked to the old one is opened instead, and that
    new ticket is returned."""
    _body(body, body_raw)
    now = store.now()
    old = store.ticket(ticket_id)
    resolved_at = clocks(store, ticket_id).resolved_at
    if (
        old.status not in OPEN_STATUSES
        and resolved_at is not None
        and (from_text(now) - from_text(resolved_at)).total_seconds() > policy.reopen_within
    ):
        return _follow_up_ticket(store, actor, old, body, body_raw, policy, expected_version)
    with store.transaction() as conn:
        insert_message(
            conn,
            ticket_id,
            MessageKind.CUSTOMER,
            author or old.requester,
            body,
            body_raw,
            now,
            actor,
        )
        reopening = old.status not in OPEN_STATUSES
        move(
            store,
            conn,
            policy,
            actor,
            ticket_id,
            now,
            court=Court.US,
            status=Status.OPEN if reopening else None,
            reason="reopened by a customer message" if reopening else "customer message",
            expected_version=expected_version,
        )
    return store.ticket(ticket_id)


def _follow_up_ticket(
    store: Store,
    actor: str,
    old: Ticket,
    body: str,
    body_raw: bytes | None,
    policy: SlaPolicy,
    expected_version: int | None,
) -> Ticket:
    def link(conn: sqlite3.Connection, new_id: int, now: str) -> None:
        start_clocks(policy)(conn, new_id, now)
        conn.execute(
            "INSERT INTO links (ticket_id, other_id, kind, created_at, created_by) "
            "VALUES (?, ?, 'follow-up of', ?, ?)",
            (new_id, old.id, now, actor),
        )
        record_event(conn, new_id, now, actor, "link", None, str(old.id), f"follow-up of #{old.id}")
        bump_version(store, conn, old.id, expected_version, actor, now)
        record_event(
            conn,
            old.id,
            now,
            actor,
            "link",
            None,
            str(new_id),
            f"the customer wrote again: follow-up #{new_id}",
        )

    return operations.create_ticket(
        store,
        actor,
        subject=old.subject,
        requester=old.requester,
        body=body,
        body_raw=body_raw,
        line=old.line,
        priority=old.priority,
        source=f"customer message on closed #{old.id}",
        on_create=link,
    )


def reply(
    store: Store,
    actor: str,
    ticket_id: int,
    body: str,
    *,
    keep_court: bool = False,
    body_raw: bytes | None = None,
    policy: SlaPolicy = DEFAULT_POLICY,
    expected_version: int | None = None,
) -> Ticket:
    """Send a public reply: the move becomes the customer's, unless `keep_court` (the reply
    asked nothing, so the next move is still ours; its next-update clock restarts)."""
    _body(body, body_raw)
    now = store.now()
    with store.transaction() as conn:
        row = _row(conn, ticket_id)
        insert_message(conn, ticket_id, MessageKind.REPLY, actor, body, body_raw, now, actor)
        first = {} if row["first_response_at"] else {"first_response_at": now}
        is_open = Status(row["status"]) in OPEN_STATUSES
        court = None if keep_court or not is_open else Court.CUSTOMER
        move(
            store,
            conn,
            policy,
            actor,
            ticket_id,
            now,
            court=court,
            restart=True,
            reason="public reply",
            assignments=first,
            expected_version=expected_version,
        )
    return store.ticket(ticket_id)


def note(
    store: Store,
    actor: str,
    ticket_id: int,
    body: str,
    *,
    body_raw: bytes | None = None,
    expected_version: int | None = None,
) -> Ticket:
    """An internal note: the customer never sees it, and the move stays where it is."""
    return operations.add_message(
        store,
        actor,
        ticket_id,
        MessageKind.NOTE,
        body,
        body_raw=body_raw,
        expected_version=expected_version,
    )


# -- court ----------------------------------------------------------------------------------


def hand_to_vendor(
    store: Store,
    actor: str,
    ticket_id: int,
    vendor: str,
    case: str,
    *,
    reason: str | None = None,
    policy: SlaPolicy = DEFAULT_POLICY,
    expected_version: int | None = None,
) -> Ticket:
    """Hand the case to a vendor under their case number: the move is the vendor's."""
    vendor, case = _text(vendor, "the vendor's name"), _text(case, "the vendor's case number")
    now = store.now()
    with store.transaction() as conn:
        row = _row(conn, ticket_id)
        _require_open(row, "hand it to a vendor")
        move(
            store,
            conn,
            policy,
            actor,
            ticket_id,
            now,
            court=Court.VENDOR,
            reason=reason or f"handed to {vendor}, case {case}",
            assignments={"vendor": vendor, "vendor_case": case},
            expected_version=expected_version,
        )
        record_event(
            conn,
            ticket_id,
            now,
            actor,
            "vendor",
            _vendor_text(row),
            f"{vendor} case {case}",
            reason,
        )
    return store.ticket(ticket_id)


def _vendor_text(row: dict[str, Any]) -> str | None:
    return f"{row['vendor']} case {row['vendor_case']}" if row["vendor"] else None


def vendor_answer(
    store: Store,
    actor: str,
    ticket_id: int,
    body: str | None = None,
    *,
    policy: SlaPolicy = DEFAULT_POLICY,
    expected_version: int | None = None,
) -> Ticket:
    """The vendor answered: the move is ours again. Their answer is kept as a note."""
    now = store.now()
    with store.transaction() as conn:
        row = _row(conn, ticket_id)
        if Court(row["court"]) != Court.VENDOR:
            raise InvalidInput(
                f"ticket #{ticket_id} is not with a vendor (the move is {row['court']}'s)"
            )
        if body and body.strip():
            insert_message(
                conn, ticket_id, MessageKind.NOTE, row["vendor"] or actor, body, None, now, actor
            )
        move(
            store,
            conn,
            policy,
            actor,
            ticket_id,
            now,
            court=Court.US,
            reason=f"{row['vendor']} answered (case {row['vendor_case']})",
            expected_version=expected_version,
        )
    return store.ticket(ticket_id)


def move_court(
    store: Store,
    actor: str,
    ticket_id: int,
    court: Court | str,
    reason: str,
    *,
    vendor: str | None = None,
    case: str | None = None,
    policy: SlaPolicy = DEFAULT_POLICY,
    expected_version: int | None = None,
) -> Ticket:
    """Any agent may put the ball in any court, saying why."""
    court = Court.parse(str(court), "court")
    reason = _text(reason, "the reason for moving the ticket")
    if court == Court.VENDOR:
        if not (vendor and case):
            current = clocks(store, ticket_id)
            vendor, case = vendor or current.vendor, case or current.vendor_case
        if not (vendor and case):
            raise InvalidInput(
                "moving a ticket to a vendor needs the vendor's name and "
                "case number (--vendor NAME --case REF)"
            )
        return hand_to_vendor(
            store,
            actor,
            ticket_id,
            vendor,
            case,
            reason=reason,
            policy=policy,
            expected_version=expected_version,
        )
    now = store.now()
    with store.transaction() as conn:
        _require_open(_row(conn, ticket_id), "move its court")
        move(
            store,
            conn,
            policy,
            actor,
            ticket_id,
            now,
            court=court,
            reason=reason,
            expected_version=expected_version,
        )
    return store.ticket(ticket_id)


def _require_open(row: dict[str, Any], doing: str) -> None:
    if Status(row["status"]) not in OPEN_STATUSES:
        raise InvalidInput(f"ticket #{row['id']} is {row['status']}: reopen it before you {doing}")


# -- closing the loop -------------------------------------------------------------------------


def solve(
    store: Store,
    actor: str,
    ticket_id: int,
    body: str | None = None,
    *,
    policy: SlaPolicy = DEFAULT_POLICY,
    expected_version: int | None = None,
) -> Ticket:
    """Mark the problem solved and ask the customer to confirm (a public reply)."""
    text = body if body and body.strip() else CONFIRM_TEXT
    now = store.now()
    with store.transaction() as conn:
        row = _row(conn, ticket_id)
        _require_open(row, "solve it")
        insert_message(conn, ticket_id, MessageKind.REPLY, actor, text, None, now, actor)
        extra: dict[str, Any] = {"followup_due_at": None, "followup_note": None}
        if not row["first_response_at"]:
            extra["first_response_at"] = now
        move(
            store,
            conn,
            policy,
            actor,
            ticket_id,
            now,
            court=Court.CUSTOMER,
            status=Status.SOLVED,
            reason="solved; waiting for the customer to confirm",
            assignments=extra,
            expected_version=expected_version,
        )
    return store.ticket(ticket_id)


def confirm(
    store: Store,
    actor: str,
    ticket_id: int,
    *,
    policy: SlaPolicy = DEFAULT_POLICY,
    expected_version: int | None = None,
) -> Ticket:
    """The customer confirmed the solution: the ticket is closed."""
    now = store.now()
    with store.transaction() as conn:
        row = _row(conn, ticket_id)
        if Status(row["status"]) != Status.SOLVED:
            raise InvalidInput(
                f"ticket #{ticket_id} is {row['status']}, not solved: there is nothing to confirm"
            )
        move(
            store,
            conn,
            policy,
            actor,
            ticket_id,
            now,
            status=Status.CLOSED,
            reason="the customer confirmed the solution",
            expected_version=expected_version,
        )
    return store.ticket(ticket_id)


def close(
    store: Store,
    actor: str,
    ticket_id: int,
    reason: str | None = None,
    *,
    message: str | None = None,
    policy: SlaPolicy = DEFAULT_POLICY,
    expected_version: int | None = None,
) -> Ticket:
    """Close the ticket (optionally with a public closing message)."""
    now = store.now()
    with store.transaction() as conn:
        row = _row(conn, ticket_id)
        if Status(row["status"]) == Status.CLOSED:
            raise InvalidInput(f"ticket #{ticket_id} is already closed")
        if message:
            insert_message(conn, ticket_id, MessageKind.REPLY, actor, message, None, now, actor)
        move(
            store,
            conn,
            policy,
            actor,
            ticket_id,
            now,
            status=Status.CLOSED,
            reason=reason or "closed",
            assignments={"followup_due_at": None, "followup_note": None},
            expected_version=expected_version,
        )
    return store.ticket(ticket_id)


def rate(
    store: Store,
    actor: str,
    ticket_id: int,
    score: int,
    comment: str | None = None,
    *,
    expected_version: int | None = None,
) -> Ticket:
    """Record the customer's satisfaction, 1 (bad) to 5 (great), for reports."""
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise InvalidInput(f"rating {score!r} is out of range: give 1 (bad) to 5 (great)")
    now = store.now()
    with store.transaction() as conn:
        row = _row(conn, ticket_id)
        if Status(row["status"]) in OPEN_STATUSES:
            raise InvalidInput(
                f"ticket #{ticket_id} is {row['status']}: a rating is taken "
                "once it is solved or closed"
            )
        bump_version(store, conn, ticket_id, expected_version, actor, now, {"rating": score})
        record_event(conn, ticket_id, now, actor, "rating", row["rating"], score, comment)
    return store.ticket(ticket_id)


# -- follow-ups -------------------------------------------------------------------------------


def set_followup(
    store: Store,
    actor: str,
    ticket_id: int,
    due: datetime,
    note: str | None = None,
    *,
    expected_version: int | None = None,
) -> Ticket:
    """Promise the customer to get back by `due`: a reminder the Due queue shows."""
    now = store.now()
    due_text = to_text(due)
    with store.transaction() as conn:
        row = _row(conn, ticket_id)
        if Status(row["status"]) == Status.CLOSED:
            raise InvalidInput(f"ticket #{ticket_id} is closed: reopen it to promise a follow-up")
        bump_version(
            store,
            conn,
            ticket_id,
            expected_version,
            actor,
            now,
            {"followup_due_at": due_text, "followup_note": note},
        )
        record_event(
            conn, ticket_id, now, actor, "followup", row["followup_due_at"], due_text, note
        )
    return store.ticket(ticket_id)


def clear_followup(
    store: Store, actor: str, ticket_id: int, *, expected_version: int | None = None
) -> Ticket:
    """The promised follow-up was done (or is no longer needed)."""
    now = store.now()
    with store.transaction() as conn:
        row = _row(conn, ticket_id)
        if row["followup_due_at"] is None:
            raise InvalidInput(f"ticket #{ticket_id} has no follow-up to clear")
        bump_version(
            store,
            conn,
            ticket_id,
            expected_version,
            actor,
            now,
            {"followup_due_at": None, "followup_note": None},
        )
        record_event(conn, ticket_id, now, actor, "followup", row["followup_due_at"], None, "done")
    return store.ticket(ticket_id)


def nudge(
    store: Store,
    actor: str,
    ticket_id: int,
    body: str | None = None,
    *,
    expected_version: int | None = None,
) -> Ticket:
    """Remind a silent customer (a public reply); the ball stays in their court and the
    auto-close timer keeps running from when they got it."""
    now = store.now()
    with store.transaction() as conn:
        row = _row(conn, ticket_id)
        if Court(row["court"]) != Court.CUSTOMER or Status(row["status"]) not in (
            Status.WAITING,
            Status.SOLVED,
        ):
            raise InvalidInput(
                f"ticket #{ticket_id} is not waiting on the customer: there is nobody to nudge"
            )
        text = body if body and body.strip() else NUDGE_TEXT
        insert_message(conn, ticket_id, MessageKind.REPLY, actor, text, None, now, actor)
        bump_version(
            store,
            conn,
            ticket_id,
            expected_version,
            actor,
            now,
            {"nudged_since": row["clock_since"]},
        )
        record_event(
            conn,
            ticket_id,
            now,
            actor,
            "nudge",
            None,
            None,
            f"waiting on the customer since {row['clock_since']}",
        )
    return store.ticket(ticket_id)


# -- paid work --------------------------------------------------------------------------------


def _minutes_text(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"{hours}h{rest:02d}m" if hours and rest else f"{hours}h" if hours else f"{rest}m"


def bill(
    store: Store,
    actor: str,
    ticket_id: int,
    estimate_minutes: int,
    *,
    message: str | None = None,
    policy: SlaPolicy = DEFAULT_POLICY,
    expected_version: int | None = None,
) -> Ticket:
    """Mark the work billable with an estimate: it waits for the customer's approval, in the
    customer's court, and they are asked (a public reply)."""
    if estimate_minutes <= 0:
        raise InvalidInput("the estimate must be more than zero minutes")
    estimate = _minutes_text(estimate_minutes)
    now = store.now()
    with store.transaction() as conn:
        row = _row(conn, ticket_id)
        _require_open(row, "bill work on it")
        text = message if message and message.strip() else APPROVAL_TEXT.format(estimate=estimate)
        insert_message(conn, ticket_id, MessageKind.REPLY, actor, text, None, now, actor)
        extra: dict[str, Any] = {
            "billable": 1,
            "estimate_minutes": estimate_minutes,
            "approval": "pending",
        }
        if not row["first_response_at"]:
            extra["first_response_at"] = now
        move(
            store,
            conn,
            policy,
            actor,
            ticket_id,
            now,
            court=Court.CUSTOMER,
            restart=True,
            reason=f"awaiting approval of {estimate} of billable work",
            assignments=extra,
            expected_version=expected_version,
        )
        record_event(
            conn,
            ticket_id,
            now,
            actor,
            "approval",
            row["approval"],
            "pending",
            f"estimate {estimate}",
        )
    return store.ticket(ticket_id)


def _decide(
    store: Store,
    actor: str,
    ticket_id: int,
    decision: str,
    policy: SlaPolicy,
    note: str | None,
    expected_version: int | None,
) -> Ticket:
    now = store.now()
    with store.transaction() as conn:
        row = _row(conn, ticket_id)
        if row["approval"] != "pending":
            state = row["approval"] or "not billable"
            raise InvalidInput(
                f"ticket #{ticket_id} has no billable work awaiting approval (it is {state})"
            )
        move(
            store,
            conn,
            policy,
            actor,
            ticket_id,
            now,
            court=Court.US,
            reason=f"the customer {decision} the billable work",
            assignments={"approval": decision},
            expected_version=expected_version,
        )
        record_event(conn, ticket_id, now, actor, "approval", "pending", decision, note)
    return store.ticket(ticket_id)


def approve(
    store: Store,
    actor: str,
    ticket_id: int,
    note: str | None = None,
    *,
    policy: SlaPolicy = DEFAULT_POLICY,
    expected_version: int | None = None,
) -> Ticket:
    """The customer approved the billable work: the move is ours, time may be logged."""
    return _decide(store, actor, ticket_id, "approved", policy, note, expected_version)


def refuse(
    store: Store,
    actor: str,
    ticket_id: int,
    note: str | None = None,
    *,
    policy: SlaPolicy = DEFAULT_POLICY,
    expected_version: int | None = None,
) -> Ticket:
    """The customer declined the billable work: the move is ours (to say what happens now)."""
    return _decide(store, actor, ticket_id, "refused", policy, note, expected_version)


def log_time(
    store: Store,
    actor: str,
    ticket_id: int,
    minutes: int,
    *,
    billable: bool | None = None,
    note: str | None = None,
    expected_version: int | None = None,
) -> Ticket:
    """Log time spent. Billable time (the default on a billable ticket) needs approval first."""
    if minutes <= 0:
        raise InvalidInput("the time to log must be more than zero minutes")
    now = store.now()
    with store.transaction() as conn:
        row = _row(conn, ticket_id)
        is_billable = bool(row["billable"]) if billable is None else billable
        if is_billable and row["approval"] != "approved":
            state = row["approval"] or "not billable"
            raise InvalidInput(
                f"ticket #{ticket_id}: billable time needs the customer's "
                f"approval first (the work is {state})"
            )
        conn.execute(
            "INSERT INTO time_log (ticket_id, agent, minutes, billable, at, note) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (ticket_id, actor, minutes, int(is_billable), now, note),
        )
        bump_version(store, conn, ticket_id, expected_version, actor, now)
        record_event(
            conn,
            ticket_id,
            now,
            actor,
            "time",
            None,
            _minutes_text(minutes),
            ("billable" if is_billable else "not billable") + (f": {note}" if note else ""),
        )
    return store.ticket(ticket_id)


def time_logged(store: Store, ticket_id: int) -> dict[str, int]:
    """Minutes logged on a ticket: {"billable": n, "internal": m}."""
    with store.lock:
        rows = store.conn.execute(
            "SELECT billable, sum(minutes) FROM time_log WHERE ticket_id = ? GROUP BY billable",
            (ticket_id,),
        ).fetchall()
    totals = {"billable": 0, "internal": 0}
    for billable, minutes in rows:
        totals["billable" if billable else "internal"] = int(minutes)
    return totals
