"""Whose move it is, and the ticket's terms: the court, a vendor hand-off, a promised
follow-up, the priority, the type, tags, and paid work."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from console.core.actions.base import Kind, Outcome, Param, Rule, TicketAction
from console.core.actions.messages import move_words
from console.core.model import Approval, Court, Impact, Priority, Urgency

if TYPE_CHECKING:
    from console.core.context import TicketContext
    from console.core.desk import Desk

COURTS = (
    ("us", "Us: the next move is ours"),
    ("customer", "The customer"),
    ("vendor", "A vendor"),
)
PRIORITIES = (("P1", "P1 urgent"), ("P2", "P2 high"), ("P3", "P3 normal"), ("P4", "P4 low"))
IMPACTS = (
    ("high", "High: the whole service, or many customers"),
    ("medium", "Medium: a team, a site, or one feature"),
    ("low", "Low: one person, or there is a workaround"),
)
URGENCIES = (
    ("high", "High: work has stopped, or money is lost now"),
    ("medium", "Medium: work is slowed down"),
    ("low", "Low: it can wait"),
)


def _court(
    desk: Desk,
    ticket_id: int,
    *,
    expected_version: int | None,
    court: Court,
    reason: str,
    vendor: str | None = None,
    case: str | None = None,
) -> Outcome:
    from console.core import operations

    ticket = operations.move_court(
        desk,
        ticket_id,
        court,
        reason,
        vendor=vendor,
        case=case,
        expected_version=expected_version,
    )
    return Outcome(ticket, f"#{ticket.id}: {move_words(ticket)}")


def _vendor(
    desk: Desk,
    ticket_id: int,
    *,
    expected_version: int | None,
    vendor: str,
    case: str,
    reason: str | None = None,
) -> Outcome:
    from console.core import operations

    ticket = operations.hand_to_vendor(
        desk, ticket_id, vendor, case, reason=reason, expected_version=expected_version
    )
    return Outcome(ticket, f"#{ticket.id}: handed to {vendor} (case {case}); the vendor's move")


def _vendor_answer(
    desk: Desk, ticket_id: int, *, expected_version: int | None, body: str | None = None
) -> Outcome:
    from console.core import operations

    ticket = operations.vendor_answer(desk, ticket_id, body, expected_version=expected_version)
    return Outcome(ticket, f"#{ticket.id}: the vendor answered; our move")


def _followup(
    desk: Desk,
    ticket_id: int,
    *,
    expected_version: int | None,
    due: datetime,
    note: str | None = None,
) -> Outcome:
    from console.core import operations
    from console.core.words import when

    ticket = operations.set_followup(desk, ticket_id, due, note, expected_version=expected_version)
    return Outcome(ticket, f"#{ticket.id}: follow-up due {when(due, desk.now(), desk.policy.zone)}")


def _followup_done(desk: Desk, ticket_id: int, *, expected_version: int | None) -> Outcome:
    from console.core import operations

    ticket = operations.clear_followup(desk, ticket_id, expected_version=expected_version)
    return Outcome(ticket, f"#{ticket.id}: follow-up done")


def _priority(
    desk: Desk, ticket_id: int, *, expected_version: int | None, priority: Priority
) -> Outcome:
    from console.core import operations

    ticket = operations.set_priority(desk, ticket_id, priority, expected_version=expected_version)
    return Outcome(ticket, f"#{ticket.id} is {ticket.priority}; its deadlines follow")


def _triage(
    desk: Desk,
    ticket_id: int,
    *,
    expected_version: int | None,
    impact: Impact | None = None,
    urgency: Urgency | None = None,
) -> Outcome:
    from console.core import operations, triage

    ticket = operations.set_triage(
        desk, ticket_id, impact=impact, urgency=urgency, expected_version=expected_version
    )
    why = triage.reason(ticket.impact, ticket.urgency)
    return Outcome(ticket, f"#{ticket.id} is {ticket.priority} ({why}); its deadlines follow")


def _type(desk: Desk, ticket_id: int, *, expected_version: int | None, ticket_type: str) -> Outcome:
    from console.core import operations
    from console.core.ticket_types import NO_TYPE, type_words

    chosen = None if ticket_type == NO_TYPE else ticket_type
    ticket = operations.set_type(desk, ticket_id, chosen, expected_version=expected_version)
    words = type_words(ticket.ticket_type, desk.team.types)
    return Outcome(ticket, f"#{ticket.id}: {words.lower()}", {"type": ticket.ticket_type})


def _tag(
    desk: Desk,
    ticket_id: int,
    *,
    expected_version: int | None,
    tags: tuple[list[str], list[str]],
) -> Outcome:
    from console.core import tags as tagging

    add, remove = tags
    ticket = tagging.change_tags(desk, ticket_id, add, remove, expected_version=expected_version)
    now = tagging.tags(desk.store, ticket_id)
    return Outcome(
        ticket,
        f"#{ticket.id} tags: {', '.join(now) or 'none'}",
        {"tags": now},
    )


def _bill(
    desk: Desk,
    ticket_id: int,
    *,
    expected_version: int | None,
    estimate: int,
    body: str | None = None,
) -> Outcome:
    from console.core import operations
    from console.core.operations import minutes_text

    ticket = operations.bill(
        desk, ticket_id, estimate, message=body, expected_version=expected_version
    )
    return Outcome(
        ticket, f"#{ticket.id}: estimate of {minutes_text(estimate)} sent; waiting for approval"
    )


def _approve(
    desk: Desk, ticket_id: int, *, expected_version: int | None, note: str | None = None
) -> Outcome:
    from console.core import operations

    ticket = operations.approve(desk, ticket_id, note, expected_version=expected_version)
    return Outcome(ticket, f"#{ticket.id}: the paid work is approved; our move")


def _refuse(
    desk: Desk, ticket_id: int, *, expected_version: int | None, note: str | None = None
) -> Outcome:
    from console.core import operations

    ticket = operations.refuse(desk, ticket_id, note, expected_version=expected_version)
    return Outcome(ticket, f"#{ticket.id}: the paid work is declined; our move")


def _log_time(
    desk: Desk,
    ticket_id: int,
    *,
    expected_version: int | None,
    duration: int,
    internal: bool = False,
    note: str | None = None,
) -> Outcome:
    from console.core import operations
    from console.core.operations import minutes_text

    ticket = operations.log_time(
        desk,
        ticket_id,
        duration,
        billable=False if internal else None,
        note=note,
        expected_version=expected_version,
    )
    return Outcome(ticket, f"#{ticket.id}: {minutes_text(duration)} logged")


def _pending(context: TicketContext) -> bool:
    return context.clocks.approval == Approval.PENDING


NOTE = Param("note", Kind.TEXT, "Note (optional)", help="what the customer said", required=False)
AREA = "Whose move and the terms"

ACTIONS = (
    TicketAction(
        "court",
        "c",
        "Move the ball",
        "put the ball in a court (ours, the customer's, a vendor's), saying why",
        ("court",),
        _court,
        (
            Param(
                "court",
                Kind.CHOICE,
                "Whose move is it?",
                positional=True,
                choices=COURTS,
                convert=Court,
                metavar="us|customer|vendor",
            ),
            Param("vendor", Kind.TEXT, "Which vendor?", help="the vendor", required=False),
            Param("case", Kind.TEXT, "The vendor's case number", help="their case", required=False),
            Param(
                "reason",
                Kind.TEXT,
                "Why does the move change hands?",
                help="why the move changes hands",
            ),
        ),
        area=AREA,
        footer=True,
        bulk=True,
    ),
    TicketAction(
        "vendor",
        "v",
        "Hand to a vendor",
        "hand the case to a vendor under their case number; the move is theirs",
        ("vendor",),
        _vendor,
        (
            Param("vendor", Kind.TEXT, "Which vendor?", help="the vendor", metavar="NAME"),
            Param("case", Kind.TEXT, "Their case number", help="the vendor's case", metavar="REF"),
            Param("reason", Kind.TEXT, "Why? (optional)", help="why", required=False),
        ),
        area=AREA,
    ),
    TicketAction(
        "vendor_answer",
        "V",
        "Vendor answered",
        "the vendor answered: the move is ours again (their answer kept as a note)",
        ("vendor-answer",),
        _vendor_answer,
        (
            Param(
                "body",
                Kind.LONG_TEXT,
                "Their answer (optional, kept as an internal note)",
                help="their answer, kept as an internal note",
                required=False,
            ),
        ),
        area=AREA,
    ),
    TicketAction(
        "followup",
        "f",
        "Promise a follow-up",
        "promise to get back by a time; the Due queue reminds you",
        ("followup",),
        _followup,
        (
            Param(
                "due",
                Kind.WHEN,
                "When? (tue 12:00, tomorrow 9:00, +2h)",
                help='"tue 12:00", "tomorrow 9:00", "+2h", "2026-11-24 12:00"',
                metavar="WHEN",
            ),
            Param("note", Kind.TEXT, "What was promised? (optional)", required=False),
        ),
        area=AREA,
    ),
    TicketAction(
        "followup_done",
        "F",
        "Follow-up done",
        "the promised follow-up was kept (or is no longer needed)",
        ("followup-done",),
        _followup_done,
        area=AREA,
    ),
    TicketAction(
        "priority",
        "P",
        "Priority",
        "set the priority; the SLA deadlines move with it",
        ("priority",),
        _priority,
        (
            Param(
                "priority",
                Kind.CHOICE,
                "Which priority?",
                positional=True,
                choices=PRIORITIES,
                convert=Priority,
                metavar="P1|P2|P3|P4",
            ),
        ),
        area=AREA,
        bulk=True,
    ),
    TicketAction(
        "triage",
        "I",
        "Impact and urgency",
        "how many it hits and how soon it hurts: the priority follows the team's matrix",
        ("triage",),
        _triage,
        (
            Param(
                "impact",
                Kind.CHOICE,
                "How many does it hit?",
                help="high, medium or low",
                required=False,
                choices=IMPACTS,
                convert=Impact,
                metavar="high|medium|low",
            ),
            Param(
                "urgency",
                Kind.CHOICE,
                "How soon does it hurt?",
                help="high, medium or low",
                required=False,
                choices=URGENCIES,
                convert=Urgency,
                metavar="high|medium|low",
            ),
        ),
        area=AREA,
        bulk=True,
    ),
    TicketAction(
        "type",
        "K",
        "Type",
        "what kind of case it is: a question, a bug, a feature request, not ours",
        ("type",),
        _type,
        (
            Param(
                "ticket_type",
                Kind.TICKET_TYPE,
                "What kind of case is it?",
                help="one of the team's types (question, bug, feature, not-ours by default), "
                "or none",
                positional=True,
                metavar="TYPE",
            ),
        ),
        area=AREA,
        bulk=True,
    ),
    TicketAction(
        "tag",
        "T",
        "Tags",
        "add or remove tags: +outage -billing",
        ("tag",),
        _tag,
        (
            Param(
                "tags",
                Kind.TAGS,
                "Tags to add (+tag or tag) and remove (-tag)",
                help="+tag or tag adds it, -tag (or ~tag) removes it",
                positional=True,
                metavar="+TAG|-TAG",
            ),
        ),
        area=AREA,
        bulk=True,
    ),
    TicketAction(
        "bill",
        "B",
        "Paid work: estimate",
        "the work is billable: send the estimate for the customer's approval",
        ("bill",),
        _bill,
        (
            Param(
                "estimate",
                Kind.MINUTES,
                "Estimated work (45m, 2h, 1h30m)",
                help="e.g. 2h, 90m",
                metavar="DURATION",
            ),
            Param(
                "body",
                Kind.LONG_TEXT,
                "The request for approval (empty: the canned one)",
                help="the request for approval (default: a canned one)",
                required=False,
            ),
        ),
        rule=Rule.TALKS_TO_CUSTOMERS,
        area=AREA,
        applies=lambda context: (
            context.ticket.is_open and context.clocks.approval != Approval.PENDING
        ),
    ),
    TicketAction(
        "approve",
        "B",
        "Paid work: approved",
        "the customer approved the estimate; time may be logged",
        ("approve",),
        _approve,
        (NOTE,),
        area=AREA,
        applies=_pending,
    ),
    TicketAction(
        "refuse",
        "B",
        "Paid work: declined",
        "the customer declined the estimate",
        ("refuse",),
        _refuse,
        (NOTE,),
        area=AREA,
        applies=_pending,
    ),
    TicketAction(
        "log_time",
        "L",
        "Log time",
        "log time spent (billable time needs the customer's approval first)",
        ("log-time",),
        _log_time,
        (
            Param(
                "duration",
                Kind.MINUTES,
                "Time spent (30m, 1h30m)",
                positional=True,
                metavar="DURATION",
            ),
            Param(
                "internal",
                Kind.FLAG,
                "Not billable?",
                help="not billable",
                required=False,
            ),
            Param("note", Kind.TEXT, "What was done? (optional)", required=False),
        ),
        area=AREA,
    ),
)
