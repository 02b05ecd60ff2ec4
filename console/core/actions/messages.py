"""Writing on a ticket: a public reply, an internal note, what the customer said, a nudge,
and the back lines' questions to the front line."""

from __future__ import annotations

from typing import TYPE_CHECKING

from console.core.actions.base import Kind, Outcome, Param, Rule, TicketAction
from console.core.model import Channel, Ticket
from console.core.requester import is_address
from console.core.words import CHANNEL_WORDS, COURT_WORDS

if TYPE_CHECKING:
    from console.core.desk import Desk

AREA = "Writing"
CHANNELS = tuple(
    (c.value, CHANNEL_WORDS[c])
    for c in (Channel.PHONE, Channel.CHAT, Channel.EMAIL, Channel.MONITORING)
)


BODY = Param(
    "body",
    Kind.LONG_TEXT,
    "The text",
    help="the text (read from standard input when absent)",
    stdin=True,
)


def _sent(ticket: Ticket) -> str:
    """What became of a public message: sent, or kept for an agent to say by phone."""
    if is_address(ticket.requester):
        return "sent"
    return "saved but not mailed (no e-mail address): tell them by phone"


def move_words(ticket: Ticket) -> str:
    """Whose move the ticket is, in words."""
    return COURT_WORDS[ticket.court]


def _reply(
    desk: Desk,
    ticket_id: int,
    *,
    expected_version: int | None,
    body: str,
    keep_court: bool = False,
    body_raw: bytes | None = None,
) -> Outcome:
    from console.core import operations

    ticket = operations.reply(
        desk,
        ticket_id,
        body,
        keep_court=keep_court,
        body_raw=body_raw,
        expected_version=expected_version,
    )
    return Outcome(ticket, f"#{ticket.id}: reply {_sent(ticket)}; {move_words(ticket)}")


def _note(
    desk: Desk,
    ticket_id: int,
    *,
    expected_version: int | None,
    body: str,
    body_raw: bytes | None = None,
) -> Outcome:
    from console.core import operations

    ticket = operations.note(
        desk, ticket_id, body, body_raw=body_raw, expected_version=expected_version
    )
    return Outcome(ticket, f"#{ticket.id}: note added; only the team sees it")


def _customer(
    desk: Desk,
    ticket_id: int,
    *,
    expected_version: int | None,
    body: str,
    author: str | None = None,
    channel: Channel | None = None,
    body_raw: bytes | None = None,
) -> Outcome:
    from console.core import operations

    ticket = operations.customer_message(
        desk,
        ticket_id,
        body,
        body_raw=body_raw,
        author=author,
        channel=channel,
        expected_version=expected_version,
    )
    if ticket.id != ticket_id:
        said = f"#{ticket_id} was closed too long ago: follow-up #{ticket.id} opened"
    else:
        said = f"#{ticket.id}: the customer's words recorded; {move_words(ticket)}"
    return Outcome(ticket, said)


def _nudge(
    desk: Desk, ticket_id: int, *, expected_version: int | None, body: str | None = None
) -> Outcome:
    from console.core import operations

    ticket = operations.nudge(desk, ticket_id, body, expected_version=expected_version)
    if not is_address(ticket.requester):
        return Outcome(ticket, f"#{ticket.id}: reminder {_sent(ticket)}; still their move")
    return Outcome(ticket, f"#{ticket.id}: the customer is reminded; still their move")


def _ask_front(
    desk: Desk, ticket_id: int, *, expected_version: int | None, question: str
) -> Outcome:
    from console.core import escalation

    asked = escalation.ask_front(desk, ticket_id, question, expected_version=expected_version)
    ticket = desk.store.ticket(ticket_id)
    return Outcome(
        ticket,
        f"#{ticket_id}: asked the front line; the question is in Needs customer contact",
        {"question_id": asked.id},
    )


def _answer_front(
    desk: Desk,
    ticket_id: int,
    *,
    expected_version: int | None,
    answer: str,
    question_id: int | None = None,
) -> Outcome:
    from console.core import escalation

    done = escalation.answer_front(
        desk, ticket_id, answer, question_id, expected_version=expected_version
    )
    ticket = desk.store.ticket(ticket_id)
    return Outcome(
        ticket,
        f"#{ticket_id}: the customer's answer is noted for {done.asked_by}",
        {"question_id": done.id, "asked_by": done.asked_by},
    )


def _mail_retry(desk: Desk, ticket_id: int, *, expected_version: int | None) -> Outcome:
    from console.core.mail import delivery

    ticket = delivery.retry(desk, ticket_id, expected_version=expected_version)
    return Outcome(ticket, f"#{ticket.id}: the undelivered mail is queued again")


def _mail_dismiss(desk: Desk, ticket_id: int, *, expected_version: int | None) -> Outcome:
    from console.core.mail import delivery

    ticket = delivery.dismiss(desk, ticket_id, expected_version=expected_version)
    return Outcome(ticket, f"#{ticket.id}: the undelivered mail is let go")


def _save_file(
    desk: Desk,
    ticket_id: int,
    *,
    expected_version: int | None,
    number: int,
    path: str | None = None,
    force: bool = False,
) -> Outcome:
    from console.core import attachments

    info, data = attachments.file_data(desk.store, ticket_id, number)
    where = attachments.save(data, info, path, overwrite=force)
    return Outcome(desk.store.ticket(ticket_id), f"saved {info.filename} to {where}")


ACTIONS = (
    TicketAction(
        "reply",
        "r",
        "Reply",
        "write to the customer; the ball goes to them unless you keep it",
        ("reply",),
        _reply,
        (
            BODY,
            Param(
                "keep_court",
                Kind.FLAG,
                "Keep the ball with us?",
                help="the reply asked nothing: the next move stays ours",
                required=False,
            ),
        ),
        rule=Rule.TALKS_TO_CUSTOMERS,
        area=AREA,
        footer=True,
    ),
    TicketAction(
        "ask_front",
        "r",
        "Ask the front line",
        "ask the front line to put a question to the customer for you",
        ("ask-front",),
        _ask_front,
        (
            Param(
                "question",
                Kind.LONG_TEXT,
                "What should the customer be asked?",
                help="the question for the customer",
            ),
        ),
        rule=Rule.BACK_LINE,
        area=AREA,
        footer=True,
    ),
    TicketAction(
        "note",
        "n",
        "Note",
        "an internal note: only the team sees it",
        ("note",),
        _note,
        (BODY,),
        area=AREA,
        footer=True,
    ),
    TicketAction(
        "customer",
        "i",
        "Customer said",
        "record what the customer said by phone, chat or mail; the move becomes ours",
        ("customer",),
        _customer,
        (
            BODY,
            Param(
                "author",
                Kind.TEXT,
                "Who said it?",
                help="who said it (default: the ticket's requester)",
                required=False,
                metavar="WHO",
            ),
            Param(
                "channel",
                Kind.CHOICE,
                "How did they say it?",
                help="how it came: phone, chat, email or monitoring",
                required=False,
                choices=CHANNELS,
                convert=Channel,
            ),
        ),
        area=AREA,
    ),
    TicketAction(
        "answer_front",
        "Q",
        "Answer the back line",
        "record the customer's answer to a question from the third line or the vendor",
        ("answer-front",),
        _answer_front,
        (
            Param("answer", Kind.LONG_TEXT, "What did the customer say?", help="their answer"),
            Param(
                "question_id",
                Kind.NUMBER,
                "Which question?",
                help="the question's number (default: the oldest open one)",
                required=False,
            ),
        ),
        rule=Rule.TALKS_TO_CUSTOMERS,
        area=AREA,
    ),
    TicketAction(
        "nudge",
        "N",
        "Nudge",
        "remind a silent customer (the canned reminder unless you write one)",
        ("nudge",),
        _nudge,
        (
            Param(
                "body",
                Kind.LONG_TEXT,
                "The reminder (empty: the canned one)",
                help="the reminder (default: the canned one)",
                required=False,
            ),
        ),
        rule=Rule.TALKS_TO_CUSTOMERS,
        area=AREA,
    ),
    TicketAction(
        "mail_retry",
        "D",
        "Send the failed mail again",
        "queue the ticket's undelivered mail again (after fixing the address)",
        ("mail", "retry"),
        _mail_retry,
        rule=Rule.TALKS_TO_CUSTOMERS,
        area=AREA,
        applies=lambda context: context.undelivered > 0,
    ),
    TicketAction(
        "mail_dismiss",
        "D",
        "Let the failed mail go",
        "take the ticket off the Undelivered queue; the failure stays on the thread",
        ("mail", "dismiss"),
        _mail_dismiss,
        area=AREA,
        applies=lambda context: context.undelivered > 0,
    ),
    TicketAction(
        "save_file",
        "W",
        "Save a file",
        "write a file that came with the ticket's mail to disk",
        ("attachment", "save"),
        _save_file,
        (
            Param("number", Kind.NUMBER, "Which file?", positional=True, metavar="FILE"),
            Param(
                "path",
                Kind.TEXT,
                "Save it where? (a folder or a file)",
                positional=True,
                required=False,
                metavar="PATH",
                help="a folder or a file (default: here)",
            ),
            Param("force", Kind.FLAG, "Overwrite?", required=False, help="overwrite a file"),
        ),
        area=AREA,
        writes=False,
        applies=lambda context: any(f.kept for f in context.files),
    ),
)
