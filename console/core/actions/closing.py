"""Closing the loop: solve (the customer is asked to confirm), confirmed, close, rating."""

from __future__ import annotations

from typing import TYPE_CHECKING

from console.core.actions.base import Kind, Outcome, Param, Rule, TicketAction
from console.core.model import OPEN_STATUSES, Status

if TYPE_CHECKING:
    from console.core.context import TicketContext
    from console.core.desk import Desk

AREA = "Closing the loop"
RATINGS = (("5", "5 great"), ("4", "4 good"), ("3", "3 so-so"), ("2", "2 poor"), ("1", "1 bad"))


def _solve(
    desk: Desk, ticket_id: int, *, expected_version: int | None, body: str | None = None
) -> Outcome:
    from console.core import operations

    ticket = operations.solve(desk, ticket_id, body, expected_version=expected_version)
    return Outcome(ticket, f"#{ticket.id} solved; the customer is asked to confirm")


def _confirm(desk: Desk, ticket_id: int, *, expected_version: int | None) -> Outcome:
    from console.core import operations

    ticket = operations.confirm(desk, ticket_id, expected_version=expected_version)
    return Outcome(ticket, f"#{ticket.id}: confirmed by the customer and closed")


def _close(
    desk: Desk,
    ticket_id: int,
    *,
    expected_version: int | None,
    reason: str | None = None,
    message: str | None = None,
) -> Outcome:
    from console.core import operations

    ticket = operations.close(
        desk, ticket_id, reason, message=message, expected_version=expected_version
    )
    return Outcome(ticket, f"#{ticket.id} closed")


def _rate(
    desk: Desk,
    ticket_id: int,
    *,
    expected_version: int | None,
    score: str,
    comment: str | None = None,
) -> Outcome:
    from console.core import operations

    ticket = operations.rate(
        desk, ticket_id, int(score), comment, expected_version=expected_version
    )
    return Outcome(ticket, f"#{ticket.id} rated {score} out of 5")


def _is_open(context: TicketContext) -> bool:
    return context.ticket.status in OPEN_STATUSES


ACTIONS = (
    TicketAction(
        "solve",
        "S",
        "Solve",
        "mark it solved and ask the customer to confirm (a public reply)",
        ("solve",),
        _solve,
        (
            Param(
                "body",
                Kind.LONG_TEXT,
                "The reply (empty: the canned request to confirm)",
                help="the reply (default: a request to confirm)",
                required=False,
            ),
        ),
        rule=Rule.TALKS_TO_CUSTOMERS,
        area=AREA,
        footer=True,
        applies=_is_open,
    ),
    TicketAction(
        "confirm",
        "O",
        "Customer confirmed",
        "the customer confirmed the solution: the ticket is closed",
        ("confirm",),
        _confirm,
        area=AREA,
        confirm="The customer confirmed #{ticket} is solved? The ticket is closed.",
        applies=lambda context: context.ticket.status == Status.SOLVED,
    ),
    TicketAction(
        "close",
        "C",
        "Close",
        "close the ticket (with a closing message to the customer if you write one)",
        ("close",),
        _close,
        (
            Param(
                "reason", Kind.TEXT, "Why? (optional)", help="why (kept in the log)", required=False
            ),
            Param(
                "message",
                Kind.LONG_TEXT,
                "A closing message to the customer (optional)",
                help="a closing message to send to the customer",
                required=False,
                rule=Rule.TALKS_TO_CUSTOMERS,
            ),
        ),
        area=AREA,
        applies=lambda context: context.ticket.status != Status.CLOSED,
        bulk=True,
    ),
    TicketAction(
        "rate",
        "R",
        "Rating",
        "record the customer's satisfaction, 1 (bad) to 5 (great)",
        ("rate",),
        _rate,
        (
            Param(
                "score",
                Kind.CHOICE,
                "How did the customer rate it?",
                positional=True,
                choices=RATINGS,
                metavar="SCORE",
            ),
            Param(
                "comment",
                Kind.TEXT,
                "What did they say? (optional)",
                required=False,
                help="what the customer said about it",
            ),
        ),
        area=AREA,
        applies=lambda context: not _is_open(context),
    ),
)
