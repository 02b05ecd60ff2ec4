"""What an agent does to a ticket: open it, write on it, move the ball, close the loop, agree
paid work, promise a follow-up, set its priority, assign it.

Each function is one change through `workflow` (the version the agent saw is checked, the
rules applied, the clocks kept, every change logged) and returns the ticket as it is after.
They take `expected_version`: the version the agent saw; scripts that act on the current
state pass None."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from console.core import triage
from console.core.canned import Canned, canned
from console.core.clock import from_text
from console.core.desk import Desk
from console.core.errors import InvalidInput
from console.core.model import (
    OPEN_STATUSES,
    Approval,
    Channel,
    Court,
    EventAction,
    Impact,
    Line,
    LinkKind,
    MessageKind,
    Priority,
    Status,
    Ticket,
    Urgency,
)
from console.core.store import Store
from console.core.ticket_types import check_type
from console.core.workflow import KEEP, Change, Followup, change


def _text(value: str | None, what: str) -> str:
    cleaned = (value or "").strip()
    if not cleaned:
        raise InvalidInput(f"{what} is empty")
    return cleaned


def _require_open(c: Change, ticket_id: int, doing: str) -> None:
    status = c.row(ticket_id)["status"]
    if Status(status) not in OPEN_STATUSES:
        raise InvalidInput(f"ticket #{ticket_id} is {status}: reopen it before you {doing}")


# -- opening a ticket and writing on it ---------------------------------------------------------


def create_ticket(
    desk: Desk,
    *,
    subject: str,
    requester: str,
    body: str = "",
    body_raw: bytes | None = None,
    line: Line = Line.L1,
    priority: Priority = Priority.P3,
    source: str = "cli",
    channel: Channel = Channel.CLI,
    impact: Impact | None = None,
    urgency: Urgency | None = None,
    ticket_type: str | None = None,
) -> Ticket:
    """Open a new ticket for `requester` ("name@example.com", "Name <name@...>", a phone number
    or a name: see `requester`). Given an impact and an urgency, its priority is the team's
    matrix cell for them, not `priority`; `ticket_type` is one of the team's types."""
    if (impact is None) != (urgency is None):
        raise InvalidInput("give both the impact and the urgency, or neither")
    if impact is not None and urgency is not None:
        priority = triage.priority_for(impact, urgency, desk.policy.matrix)
    with change(desk) as c:
        ticket_id = c.create(
            subject=subject,
            requester=requester,
            body=body,
            body_raw=body_raw,
            line=line,
            priority=priority,
            source=source,
            channel=channel,
            impact=impact,
            urgency=urgency,
            ticket_type=ticket_type,
        )
    return desk.store.ticket(ticket_id)


def customer_message(
    desk: Desk,
    ticket_id: int,
    body: str,
    *,
    body_raw: bytes | None = None,
    author: str | None = None,
    channel: Channel | None = None,
    expected_version: int | None = None,
) -> Ticket:
    """Record what the customer said (by mail, phone or chat): the move becomes ours.

    On a solved or closed ticket this reopens it; when it was resolved longer ago than the
    policy's `reopen_within`, a new ticket linked to the old one is opened instead, and that
    new ticket is returned."""
    with change(desk) as c:
        said = customer_said(
            c,
            ticket_id,
            body,
            body_raw=body_raw,
            author=author,
            channel=channel,
            expected_version=expected_version,
        )
    return desk.store.ticket(said.ticket_id)


@dataclass(frozen=True)
class Said:
    """Where a customer's message went: its ticket and message (None when it opened a new
    ticket, whose body it became), and whether it reopened or followed up a closed case."""

    ticket_id: int
    message_id: int | None
    reopened: bool = False
    followed_up: bool = False


def customer_said(
    c: Change,
    ticket_id: int,
    body: str,
    *,
    body_raw: bytes | None = None,
    author: str | None = None,
    channel: Channel | None = None,
    notes: Sequence[str] = (),
    expected_version: int | None = None,
) -> Said:
    """`customer_message` inside a change that may do more (mail intake stores the mail
    with it); `notes` are the console's own notes on the same ticket (a refused file)."""
    row = c.check_version(ticket_id, expected_version)
    reopening = Status(row["status"]) not in OPEN_STATUSES
    resolved_at = row["resolved_at"]
    if reopening and resolved_at is not None:
        waited = (c.moment - from_text(resolved_at)).total_seconds()
        if waited > c.desk.policy.reopen_within:
            new_id = _follow_up(c, row, body, body_raw, author, channel, notes)
            return Said(new_id, None, followed_up=True)
    message_id = c.message(
        ticket_id, MessageKind.CUSTOMER, body, body_raw=body_raw, author=author, channel=channel
    )
    for note in notes:
        c.message(ticket_id, MessageKind.NOTE, note)
    c.update(
        ticket_id,
        court=Court.US,
        status=Status.OPEN if reopening else KEEP,
        reason="reopened by a customer message" if reopening else "customer message",
    )
    return Said(ticket_id, message_id, reopened=reopening)


def _follow_up(
    c: Change,
    old: dict[str, Any],
    body: str,
    body_raw: bytes | None,
    author: str | None,
    channel: Channel | None,
    notes: Sequence[str],
) -> int:
    old_id = int(old["id"])
    new_id = c.create(
        subject=str(old["subject"]),
        requester=str(old["requester"]),
        contact_id=old["contact_id"],
        body=body,
        body_raw=body_raw,
        line=Line(old["line"]),
        priority=Priority(old["priority"]),
        source=f"customer message on closed #{old_id}",
        channel=channel or Channel.CLI,
    )
    for note in notes:
        c.message(new_id, MessageKind.NOTE, note)
    c.conn.execute(
        "INSERT INTO links (ticket_id, other_id, kind, created_at, created_by) "
        "VALUES (?, ?, ?, ?, ?)",
        (new_id, old_id, LinkKind.FOLLOW_UP.value, c.now, c.actor),
    )
    c.event(new_id, EventAction.LINK, None, str(old_id), f"follow-up of #{old_id}")
    c.event(old_id, EventAction.LINK, None, str(new_id), f"the customer wrote again: #{new_id}")
    c.update(old_id)
    return new_id


def reply(
    desk: Desk,
    ticket_id: int,
    body: str,
    *,
    keep_court: bool = False,
    body_raw: bytes | None = None,
    expected_version: int | None = None,
) -> Ticket:
    """Send a public reply: the move becomes the customer's, unless `keep_court` (the reply
    asked nothing, so the next move is still ours; its next-update clock restarts)."""
    with change(desk) as c:
        row = c.check_version(ticket_id, expected_version)
        c.message(ticket_id, MessageKind.REPLY, body, body_raw=body_raw)
        is_open = Status(row["status"]) in OPEN_STATUSES
        c.update(
            ticket_id,
            court=Court.CUSTOMER if is_open and not keep_court else Court(row["court"]),
            restart=True,
            reason="public reply",
        )
    return desk.store.ticket(ticket_id)


def note(
    desk: Desk,
    ticket_id: int,
    body: str,
    *,
    body_raw: bytes | None = None,
    expected_version: int | None = None,
) -> Ticket:
    """An internal note: the customer never sees it, and the move stays where it is."""
    with change(desk) as c:
        c.check_version(ticket_id, expected_version)
        c.message(ticket_id, MessageKind.NOTE, body, body_raw=body_raw)
        c.update(ticket_id)
    return desk.store.ticket(ticket_id)


# -- whose move ------------------------------------------------------------------------------


def hand_to_vendor(
    desk: Desk,
    ticket_id: int,
    vendor: str,
    case: str,
    *,
    reason: str | None = None,
    expected_version: int | None = None,
) -> Ticket:
    """Hand the case to a vendor under their case number: the move is the vendor's."""
    vendor, case = _text(vendor, "the vendor's name"), _text(case, "the vendor's case number")
    with change(desk) as c:
        row = c.check_version(ticket_id, expected_version)
        _require_open(c, ticket_id, "hand it to a vendor")
        before = f"{row['vendor']} case {row['vendor_case']}" if row["vendor"] else None
        c.event(ticket_id, EventAction.VENDOR, before, f"{vendor} case {case}", reason)
        c.update(
            ticket_id,
            court=Court.VENDOR,
            terms={"vendor": vendor, "vendor_case": case},
            reason=reason or f"handed to {vendor}, case {case}",
        )
    return desk.store.ticket(ticket_id)


def vendor_answer(
    desk: Desk, ticket_id: int, body: str | None = None, *, expected_version: int | None = None
) -> Ticket:
    """The vendor answered: the move is ours again. Their answer is kept as a note."""
    with change(desk) as c:
        row = c.check_version(ticket_id, expected_version)
        if Court(row["court"]) != Court.VENDOR:
            raise InvalidInput(
                f"ticket #{ticket_id} is not with a vendor (the move is {row['court']}'s)"
            )
        if body and body.strip():
            c.message(ticket_id, MessageKind.NOTE, body, author=row["vendor"] or c.actor)
        c.update(
            ticket_id,
            court=Court.US,
            reason=f"{row['vendor']} answered (case {row['vendor_case']})",
        )
    return desk.store.ticket(ticket_id)


def move_court(
    desk: Desk,
    ticket_id: int,
    court: Court | str,
    reason: str,
    *,
    vendor: str | None = None,
    case: str | None = None,
    expected_version: int | None = None,
) -> Ticket:
    """Any agent may put the ball in any court, saying why."""
    court = Court.parse(str(court), "court")
    reason = _text(reason, "the reason for moving the ticket")
    if court == Court.VENDOR:
        if not (vendor and case):
            current = desk.store.rows(
                "SELECT vendor, vendor_case FROM tickets WHERE id = ?", (ticket_id,)
            )
            if current:
                vendor = vendor or current[0]["vendor"]
                case = case or current[0]["vendor_case"]
        if not (vendor and case):
            raise InvalidInput(
                "moving a ticket to a vendor needs the vendor's name and "
                "case number (--vendor NAME --case REF)"
            )
        return hand_to_vendor(
            desk, ticket_id, vendor, case, reason=reason, expected_version=expected_version
        )
    with change(desk) as c:
        c.check_version(ticket_id, expected_version)
        _require_open(c, ticket_id, "move its court")
        c.update(ticket_id, court=court, reason=reason)
    return desk.store.ticket(ticket_id)


# -- closing the loop ------------------------------------------------------------------------


def solve(
    desk: Desk, ticket_id: int, body: str | None = None, *, expected_version: int | None = None
) -> Ticket:
    """Mark the problem solved and ask the customer to confirm (a public reply)."""
    with change(desk) as c:
        c.check_version(ticket_id, expected_version)
        _require_open(c, ticket_id, "solve it")
        text = body if body and body.strip() else canned(desk, Canned.CONFIRM, c.ticket(ticket_id))
        c.message(ticket_id, MessageKind.REPLY, text)
        c.update(
            ticket_id,
            court=Court.CUSTOMER,
            status=Status.SOLVED,
            reason="solved; waiting for the customer to confirm",
        )
    return desk.store.ticket(ticket_id)


def confirm(desk: Desk, ticket_id: int, *, expected_version: int | None = None) -> Ticket:
    """The customer confirmed the solution: the ticket is closed."""
    with change(desk) as c:
        row = c.check_version(ticket_id, expected_version)
        if Status(row["status"]) != Status.SOLVED:
            raise InvalidInput(
                f"ticket #{ticket_id} is {row['status']}, not solved: there is nothing to confirm"
            )
        c.update(ticket_id, status=Status.CLOSED, reason="the customer confirmed the solution")
    return desk.store.ticket(ticket_id)


def close(
    desk: Desk,
    ticket_id: int,
    reason: str | None = None,
    *,
    message: str | None = None,
    expected_version: int | None = None,
) -> Ticket:
    """Close the ticket (optionally with a public closing message)."""
    with change(desk) as c:
        row = c.check_version(ticket_id, expected_version)
        if Status(row["status"]) == Status.CLOSED:
            raise InvalidInput(f"ticket #{ticket_id} is already closed")
        if message and message.strip():
            c.message(ticket_id, MessageKind.REPLY, message)
        c.update(ticket_id, status=Status.CLOSED, reason=reason or "closed")
    return desk.store.ticket(ticket_id)


def rate(
    desk: Desk,
    ticket_id: int,
    score: int,
    comment: str | None = None,
    *,
    expected_version: int | None = None,
) -> Ticket:
    """Record the customer's satisfaction, 1 (bad) to 5 (great), for reports."""
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise InvalidInput(f"rating {score!r} is out of range: give 1 (bad) to 5 (great)")
    with change(desk) as c:
        row = c.check_version(ticket_id, expected_version)
        if Status(row["status"]) in OPEN_STATUSES:
            raise InvalidInput(
                f"ticket #{ticket_id} is {row['status']}: a rating is taken once it is solved "
                "or closed"
            )
        c.event(ticket_id, EventAction.RATING, row["rating"], score, comment)
        c.update(ticket_id, terms={"rating": score})
    return desk.store.ticket(ticket_id)


def nudge(
    desk: Desk, ticket_id: int, body: str | None = None, *, expected_version: int | None = None
) -> Ticket:
    """Remind a silent customer (a public reply, the canned one by default). The ball stays
    in their court and the auto-close timer keeps running from when they got it, as for any
    word to a customer who has the ball."""
    with change(desk) as c:
        row = c.check_version(ticket_id, expected_version)
        if Court(row["court"]) != Court.CUSTOMER or Status(row["status"]) not in (
            Status.WAITING,
            Status.SOLVED,
        ):
            raise InvalidInput(
                f"ticket #{ticket_id} is not waiting on the customer: there is nobody to nudge"
            )
        text = body if body and body.strip() else canned(desk, Canned.NUDGE, c.ticket(ticket_id))
        c.message(ticket_id, MessageKind.REPLY, text)
        c.update(ticket_id, reason="nudged the customer")
    return desk.store.ticket(ticket_id)


# -- follow-ups, priority, people ---------------------------------------------------------------


def set_followup(
    desk: Desk,
    ticket_id: int,
    due: datetime,
    note: str | None = None,
    *,
    expected_version: int | None = None,
) -> Ticket:
    """Promise the customer to get back by `due`: a reminder the Due queue shows."""
    with change(desk) as c:
        row = c.check_version(ticket_id, expected_version)
        if Status(row["status"]) == Status.CLOSED:
            raise InvalidInput(f"ticket #{ticket_id} is closed: reopen it to promise a follow-up")
        c.update(ticket_id, followup=Followup(due, (note or "").strip() or None))
    return desk.store.ticket(ticket_id)


def clear_followup(desk: Desk, ticket_id: int, *, expected_version: int | None = None) -> Ticket:
    """The promised follow-up was done (or is no longer needed)."""
    with change(desk) as c:
        row = c.check_version(ticket_id, expected_version)
        if row["followup_due_at"] is None:
            raise InvalidInput(f"ticket #{ticket_id} has no follow-up to clear")
        c.update(ticket_id, followup=None)
    return desk.store.ticket(ticket_id)


def set_priority(
    desk: Desk, ticket_id: int, priority: Priority | str, *, expected_version: int | None = None
) -> Ticket:
    """Change the ticket's priority; its SLA deadlines move with it."""
    priority = Priority.parse(str(priority), "priority")
    with change(desk) as c:
        row = c.check_version(ticket_id, expected_version)
        if row["priority"] != priority.value:
            c.update(ticket_id, priority=priority)
    return desk.store.ticket(ticket_id)


def set_triage(
    desk: Desk,
    ticket_id: int,
    *,
    impact: Impact | None = None,
    urgency: Urgency | None = None,
    expected_version: int | None = None,
) -> Ticket:
    """Judge the ticket's impact and urgency (either keeps its current value); the priority
    becomes the matrix cell for the two and its SLA deadlines move with it."""
    with change(desk) as c:
        row = c.check_version(ticket_id, expected_version)
        old_impact = Impact(row["impact"]) if row["impact"] else None
        old_urgency = Urgency(row["urgency"]) if row["urgency"] else None
        impact = Impact(impact) if impact is not None else old_impact
        urgency = Urgency(urgency) if urgency is not None else old_urgency
        if impact is None or urgency is None:
            missing = "urgency" if impact else "impact"
            raise InvalidInput(f"ticket #{ticket_id} has no {missing} yet: give it too")
        if (impact, urgency) == (old_impact, old_urgency):
            return desk.store.ticket(ticket_id)
        said = triage.reason(impact, urgency)
        c.update(
            ticket_id,
            priority=triage.priority_for(impact, urgency, desk.policy.matrix),
            terms={"impact": impact, "urgency": urgency},
            reason=said,
        )
        before = triage.reason(old_impact, old_urgency) if old_impact and old_urgency else None
        c.event(ticket_id, EventAction.TRIAGE, before, said)
    return desk.store.ticket(ticket_id)


def set_type(
    desk: Desk, ticket_id: int, ticket_type: str | None, *, expected_version: int | None = None
) -> Ticket:
    """Say what kind of case the ticket is (one of the team's types), or that nobody knows
    yet (None). The clocks do not care: a bug is answered as fast as a question."""
    chosen = None if ticket_type is None else check_type(ticket_type, desk.team.types)
    with change(desk) as c:
        row = c.check_version(ticket_id, expected_version)
        if row["ticket_type"] != chosen:
            c.update(ticket_id, terms={"ticket_type": chosen})
            c.event(ticket_id, EventAction.TYPE, row["ticket_type"], chosen)
    return desk.store.ticket(ticket_id)


def assign(
    desk: Desk, ticket_id: int, assignee: str | None, *, expected_version: int | None = None
) -> Ticket:
    """Give the ticket to `assignee` (an agent's login who works its line), or to nobody."""
    if assignee is not None and not assignee.strip():
        raise InvalidInput("the assignee is empty: name an agent, or unassign")
    who = None if assignee is None else assignee.strip()
    with change(desk) as c:
        row = c.check_version(ticket_id, expected_version)
        if row["assignee"] != who:
            c.update(ticket_id, assignee=who)
    return desk.store.ticket(ticket_id)


def take(desk: Desk, ticket_id: int, *, expected_version: int | None = None) -> Ticket:
    """Assign the ticket to oneself."""
    with change(desk) as c:
        row = c.check_version(ticket_id, expected_version)
        if row["assignee"] != desk.login:
            c.update(ticket_id, assignee=desk.login, reason="took it")
    return desk.store.ticket(ticket_id)


# -- paid work -----------------------------------------------------------------------------------


def minutes_text(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"{hours}h{rest:02d}m" if hours and rest else f"{hours}h" if hours else f"{rest}m"


def bill(
    desk: Desk,
    ticket_id: int,
    estimate_minutes: int,
    *,
    message: str | None = None,
    expected_version: int | None = None,
) -> Ticket:
    """Mark the work billable with an estimate: it waits for the customer's approval, in the
    customer's court, and they are asked (a public reply)."""
    if estimate_minutes <= 0:
        raise InvalidInput("the estimate must be more than zero minutes")
    estimate = minutes_text(estimate_minutes)
    with change(desk) as c:
        row = c.check_version(ticket_id, expected_version)
        _require_open(c, ticket_id, "bill work on it")
        text = message if message and message.strip() else ""
        if not text:
            ticket = c.ticket(ticket_id)
            text = canned(desk, Canned.APPROVAL, ticket, **{"work.estimate": estimate})
        c.message(ticket_id, MessageKind.REPLY, text)
        c.event(ticket_id, EventAction.APPROVAL, row["approval"], "pending", f"estimate {estimate}")
        c.update(
            ticket_id,
            court=Court.CUSTOMER,
            terms={"billable": 1, "estimate_minutes": estimate_minutes, "approval": "pending"},
            reason=f"awaiting approval of {estimate} of billable work",
        )
    return desk.store.ticket(ticket_id)


def _decide(
    desk: Desk, ticket_id: int, decision: Approval, note: str | None, expected_version: int | None
) -> Ticket:
    with change(desk) as c:
        row = c.check_version(ticket_id, expected_version)
        if row["approval"] != Approval.PENDING.value:
            state = row["approval"] or "not billable"
            raise InvalidInput(
                f"ticket #{ticket_id} has no billable work awaiting approval (it is {state})"
            )
        c.event(ticket_id, EventAction.APPROVAL, "pending", decision.value, note)
        c.update(
            ticket_id,
            court=Court.US,
            terms={"approval": decision},
            reason=f"the customer {decision.value} the billable work",
        )
    return desk.store.ticket(ticket_id)


def approve(
    desk: Desk, ticket_id: int, note: str | None = None, *, expected_version: int | None = None
) -> Ticket:
    """The customer approved the billable work: the move is ours, time may be logged."""
    return _decide(desk, ticket_id, Approval.APPROVED, note, expected_version)


def refuse(
    desk: Desk, ticket_id: int, note: str | None = None, *, expected_version: int | None = None
) -> Ticket:
    """The customer declined the billable work: the move is ours (to say what happens now)."""
    return _decide(desk, ticket_id, Approval.REFUSED, note, expected_version)


def log_time(
    desk: Desk,
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
    with change(desk) as c:
        row = c.check_version(ticket_id, expected_version)
        is_billable = bool(row["billable"]) if billable is None else billable
        if is_billable and row["approval"] != Approval.APPROVED.value:
            state = row["approval"] or "not billable"
            raise InvalidInput(
                f"ticket #{ticket_id}: billable time needs the customer's approval first "
                f"(the work is {state})"
            )
        c.conn.execute(
            "INSERT INTO time_log (ticket_id, agent, minutes, billable, at, note) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (ticket_id, c.actor, minutes, int(is_billable), c.now, note),
        )
        c.event(
            ticket_id,
            EventAction.TIME,
            None,
            minutes_text(minutes),
            ("billable" if is_billable else "not billable") + (f": {note}" if note else ""),
        )
        c.update(ticket_id)
    return desk.store.ticket(ticket_id)


def time_logged(store: Store, ticket_id: int) -> dict[str, int]:
    """Minutes logged on a ticket: {"billable": n, "internal": m}."""
    rows = store.rows(
        "SELECT billable, sum(minutes) AS minutes FROM time_log WHERE ticket_id = ? "
        "GROUP BY billable",
        (ticket_id,),
    )
    totals = {"billable": 0, "internal": 0}
    for row in rows:
        totals["billable" if row["billable"] else "internal"] = int(row["minutes"])
    return totals
