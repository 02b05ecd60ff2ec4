"""Support lines and people: escalate with a hand-off note, hand back, take, assign."""

from __future__ import annotations

from typing import TYPE_CHECKING

from console.core.actions.base import Kind, Outcome, Param, TicketAction
from console.core.model import Line

if TYPE_CHECKING:
    from console.core.desk import Desk

AREA = "Lines and people"
LINES = tuple((line.value, line.value) for line in Line)
HANDOFF = "What was tried, what is known, what is asked (the next line reads this first)"


def _escalate(
    desk: Desk,
    ticket_id: int,
    *,
    expected_version: int | None,
    note: str,
    to: Line | None = None,
    override: str | None = None,
) -> Outcome:
    from console.core import escalation

    ticket = escalation.escalate(
        desk,
        ticket_id,
        note,
        to_line=to,
        expected_version=expected_version,
        override_reason=override,
    )
    return Outcome(ticket, f"#{ticket.id} escalated to {ticket.line}")


def _deescalate(
    desk: Desk, ticket_id: int, *, expected_version: int | None, note: str, to: Line | None = None
) -> Outcome:
    from console.core import escalation

    ticket = escalation.deescalate(
        desk, ticket_id, note, to_line=to, expected_version=expected_version
    )
    return Outcome(ticket, f"#{ticket.id} handed back to {ticket.line}")


def _take(desk: Desk, ticket_id: int, *, expected_version: int | None) -> Outcome:
    from console.core import operations

    ticket = operations.take(desk, ticket_id, expected_version=expected_version)
    return Outcome(ticket, f"#{ticket.id} is yours")


def _assign(desk: Desk, ticket_id: int, *, expected_version: int | None, assignee: str) -> Outcome:
    from console.core import operations

    who = None if assignee.strip() == "-" else assignee
    ticket = operations.assign(desk, ticket_id, who, expected_version=expected_version)
    return Outcome(
        ticket,
        f"#{ticket.id} assigned to {ticket.assignee}"
        if ticket.assignee
        else f"#{ticket.id} unassigned",
    )


def _to(default: str) -> Param:
    return Param(
        "to",
        Kind.CHOICE,
        "To which line?",
        help=f"default: {default}",
        required=False,
        choices=LINES,
        convert=Line,
        metavar="LINE",
    )


ACTIONS = (
    TicketAction(
        "escalate",
        "e",
        "Escalate",
        "hand the ticket to a higher line with a note",
        ("escalate",),
        _escalate,
        (
            _to("the next line up"),
            Param(
                "note", Kind.LONG_TEXT, HANDOFF, help="what was tried, what is known, what is asked"
            ),
            Param(
                "override",
                Kind.TEXT,
                "Why can the required questions wait?",
                help="escalate although required checklist questions are open, saying why",
                required=False,
                metavar="REASON",
            ),
        ),
        area=AREA,
        footer=True,
        bulk=True,
    ),
    TicketAction(
        "deescalate",
        "E",
        "Hand back",
        "hand the ticket back to a lower line with a note",
        ("deescalate",),
        _deescalate,
        (
            _to("the next line down"),
            Param("note", Kind.LONG_TEXT, HANDOFF, help="what was done, what is left"),
        ),
        area=AREA,
    ),
    TicketAction(
        "take",
        "t",
        "Take",
        "assign the ticket to yourself",
        ("take",),
        _take,
        area=AREA,
        footer=True,
        bulk=True,
    ),
    TicketAction(
        "assign",
        "a",
        "Assign",
        "assign the ticket to someone who works its line (or - for nobody)",
        ("assign",),
        _assign,
        (
            Param(
                "assignee",
                Kind.TEXT,
                "Assign to (login, or - for nobody)",
                positional=True,
                metavar="AGENT",
                help="an agent's login, or - for nobody",
            ),
        ),
        area=AREA,
        bulk=True,
    ),
)
