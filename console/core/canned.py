"""What the console says to a customer when nobody wrote the words: the confirmation asked on
solving, a nudge, the approval of paid work, a merge notice, the auto-close notice.

The texts are macros of the team's file (`console.confirm`, `console.nudge`, `console.close`,
`console.approval`, `console.merge`, each with `.ru` and `.uk`), so a team words them as it
likes, in the customer's language: the one their mail was written in (kept on the contact),
else the team's `[mail] language`. When the file has no such macro, or a value it needs is
unknown, the console's own English is sent, so nothing a customer is owed goes unsaid."""

from __future__ import annotations

from enum import Enum

from console.core.desk import Desk
from console.core.errors import ConsoleError
from console.core.model import Ticket
from console.core.requester import contact_where


class Canned(Enum):
    CONFIRM = (
        "confirm",
        "We believe this is now solved. Could you confirm that it works for you? If anything "
        "is still wrong, just reply to this message and the ticket reopens.",
    )
    NUDGE = (
        "nudge",
        "We are still waiting for your answer on this ticket, and we would like to get it "
        "solved for you. Could you reply when you have a moment?",
    )
    CLOSE = (
        "close",
        "We have not heard back from you, so we are closing this ticket. If the problem is "
        "still there, just reply and we will pick it up again.",
    )
    APPROVAL = (
        "approval",
        "This needs paid work, estimated at {work.estimate}. We will start once you approve "
        "it; reply to approve or to decline.",
    )
    MERGE = (
        "merge",
        "Thank you for your message. We are already working on the same request in ticket "
        "#{merge.into}, so we have joined the two: all further updates will come there.",
    )

    def __init__(self, key: str, english: str) -> None:
        self.key = key
        self.english = english


def language_for(desk: Desk, ticket: Ticket) -> str:
    """The customer's language, as their mail told it, else the team's."""
    where, params = contact_where(ticket.requester)
    rows = desk.store.query(f"SELECT lang FROM contacts WHERE {where} LIMIT 1", params)
    return (rows[0][0] if rows and rows[0][0] else None) or desk.mail.language


def canned(desk: Desk, which: Canned, ticket: Ticket, **extra: str) -> str:
    """The text for `ticket`, in its customer's language."""
    from console.core.macro_render import render
    from console.core.macros import fill
    from console.core.ticket_values import ticket_values

    language = language_for(desk, ticket)
    values = {**ticket_values(desk, ticket), **extra}
    ids = [f"console.{which.key}"]
    if language != "en":
        ids.insert(0, f"console.{which.key}.{language}")
    for macro_id in ids:
        try:
            macro = desk.catalog().macro(macro_id)
        except ConsoleError:
            continue
        rendered = render(macro, values, ticket.id)
        if not rendered.missing:
            return rendered.text
    return fill(which.english, values)
