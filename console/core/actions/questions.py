"""Clarifying questions: attach a checklist, answer a question (or open it again), ask the
customer every open question in one message; and canned responses."""

from __future__ import annotations

from typing import TYPE_CHECKING

from console.core.actions.base import Kind, Outcome, Param, Rule, TicketAction

if TYPE_CHECKING:
    from console.core.context import TicketContext
    from console.core.desk import Desk

AREA = "Questions and canned answers"


def _attach(desk: Desk, ticket_id: int, *, expected_version: int | None, checklist: str) -> Outcome:
    from console.core import checklists

    group = checklists.attach(
        desk, ticket_id, desk.catalog().checklist(checklist), expected_version=expected_version
    )
    return Outcome(
        desk.store.ticket(ticket_id),
        f"#{ticket_id}: checklist {group.checklist} attached ({len(group.items)} questions)",
        {"checklist": group.checklist},
    )


def _answer(
    desk: Desk, ticket_id: int, *, expected_version: int | None, question: str, text: str
) -> Outcome:
    from console.core import checklists

    item = checklists.answer(desk, ticket_id, question, text, expected_version=expected_version)
    left = sum(1 for i in checklists.items(desk.store, ticket_id) if not i.answered)
    return Outcome(
        desk.store.ticket(ticket_id),
        f"#{ticket_id}: question {item.number} answered; {left} still open",
        {"question": item.number, "open": left},
    )


def _reopen(desk: Desk, ticket_id: int, *, expected_version: int | None, question: str) -> Outcome:
    from console.core import checklists

    item = checklists.unanswer(desk, ticket_id, question, expected_version=expected_version)
    left = sum(1 for i in checklists.items(desk.store, ticket_id) if not i.answered)
    return Outcome(
        desk.store.ticket(ticket_id),
        f"#{ticket_id}: question {item.number} is open again; {left} open",
        {"question": item.number, "open": left},
    )


def _ask(
    desk: Desk, ticket_id: int, *, expected_version: int | None, allow_missing: bool = False
) -> Outcome:
    from console.core import checklists

    message = checklists.send_ask(
        desk, ticket_id, expected_version=expected_version, allow_missing=allow_missing
    )
    return Outcome(
        desk.store.ticket(ticket_id),
        f"#{ticket_id}: the open questions are sent; the customer's move",
        {"message": message},
    )


def _apply_macro(
    desk: Desk,
    ticket_id: int,
    *,
    expected_version: int | None,
    macro: str,
    allow_missing: bool = False,
    text: str | None = None,
    keep_court: bool = False,
) -> Outcome:
    from console.core import macro_render

    catalog = desk.catalog()
    applied = macro_render.apply(
        desk,
        catalog,
        catalog.macro(macro),
        ticket_id,
        expected_version=expected_version,
        allow_missing=allow_missing,
        text=text,
        keep_court=keep_court,
    )
    kind = applied.rendered.macro.kind
    done = "; ".join([f"added a {'reply' if kind.value == 'reply' else kind.value}", *applied.done])
    return Outcome(
        applied.ticket,
        f"#{ticket_id}: macro {macro} applied: {done}",
        {
            "macro": macro,
            "message_id": applied.message_id,
            "text": applied.rendered.text,
            "changes": list(applied.done),
        },
        copy=applied.rendered.text,
    )


def _copy(desk: Desk, ticket_id: int, *, expected_version: int | None) -> Outcome:
    from console.core.export import ticket_text

    ticket = desk.store.ticket(ticket_id)
    text = ticket_text(ticket, desk.store.messages(ticket_id), desk.policy.zone)
    return Outcome(ticket, f"#{ticket_id}: copied {len(text)} characters", copy=text)


def _has_questions(context: TicketContext) -> bool:
    return any(group.items for group in context.checklists)


QUESTION = Param(
    "question",
    Kind.TEXT,
    "Which question?",
    positional=True,
    metavar="QUESTION",
    help="its number, id, or checklist:id",
)

ACTIONS = (
    TicketAction(
        "attach",
        "x",
        "Attach a checklist",
        "attach clarifying questions to the ticket, most important first",
        ("checklist", "attach"),
        _attach,
        (Param("checklist", Kind.TEXT, "Which checklist?", positional=True, metavar="ID"),),
        area=AREA,
    ),
    TicketAction(
        "answer",
        "X",
        "Answer a question",
        "record what the customer answered to a checklist question",
        ("checklist", "answer"),
        _answer,
        (QUESTION, Param("text", Kind.TEXT, "What the customer said", help="their answer")),
        area=AREA,
        applies=_has_questions,
    ),
    TicketAction(
        "reopen_question",
        "X",
        "Open a question again",
        "mark an answered checklist question open again",
        ("checklist", "reopen"),
        _reopen,
        (QUESTION,),
        area=AREA,
        applies=lambda context: any(
            item.answered for group in context.checklists for item in group.items
        ),
    ),
    TicketAction(
        "ask",
        "A",
        "Ask the open questions",
        "send the customer every open question in one message, most important first",
        ("checklist", "send"),
        _ask,
        (
            Param(
                "allow_missing",
                Kind.FLAG,
                "Send although a value is unknown?",
                help="send even if some placeholder has no value",
                required=False,
            ),
        ),
        rule=Rule.TALKS_TO_CUSTOMERS,
        area=AREA,
        applies=lambda context: any(
            not item.answered for group in context.checklists for item in group.items
        ),
    ),
    TicketAction(
        "macro",
        "M",
        "Macro",
        "a canned response: its message and its actions, in one change",
        ("macro", "apply"),
        _apply_macro,
        (
            Param("macro", Kind.TEXT, "Which macro?", positional=True, metavar="ID"),
            Param(
                "allow_missing",
                Kind.FLAG,
                "Send although a value is unknown?",
                help="send a reply even if some placeholder has no value",
                required=False,
            ),
        ),
        area=AREA,
        ticket_last=True,
        bulk=True,
    ),
    TicketAction(
        "copy",
        "y",
        "Copy",
        "copy the ticket and its thread as plain text",
        ("copy",),
        _copy,
        area=AREA,
        writes=False,
    ),
)
