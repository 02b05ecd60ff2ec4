"""Clarifying-question checklists on a ticket: attach, answer, ask again, gate escalation.

Questions are kept in order of significance. Customers tend to answer only the last of several
questions, so "ask" always composes one message with every question still open, numbered from
the most significant. The questions are copied onto the ticket when a checklist is attached:
what the customer was asked stays what it was, whatever later happens to macros.toml.

A line may require some questions answered before a ticket goes up: `check_escalation` is what
the escalation feature calls; it refuses while a required question is open, unless the agent
gives a reason, which is recorded in the ticket's log."""

from __future__ import annotations

from dataclasses import dataclass

from console.core.desk import Desk
from console.core.errors import ConsoleError, InvalidInput, TicketNotFound
from console.core.macros import Checklist
from console.core.model import Court, EventAction, MessageKind
from console.core.store import Store
from console.core.ticket_values import promised_followup, render_text, ticket_values
from console.core.workflow import KEEP, Change, change


@dataclass(frozen=True)
class Item:
    """One question on a ticket, numbered across all the ticket's checklists."""

    number: int
    """1-based position on the ticket, as `show` lists it and `answer` accepts it."""
    checklist: str
    question_id: str
    text: str
    required: bool
    answer: str | None
    answered_at: str | None
    answered_by: str | None

    @property
    def answered(self) -> bool:
        return self.answer is not None


@dataclass(frozen=True)
class Attached:
    """A checklist as attached to a ticket, with its questions in order."""

    checklist: str
    title: str
    lang: str
    intro: str | None
    outro: str | None
    attached_at: str
    attached_by: str
    items: tuple[Item, ...]


class EscalationBlocked(ConsoleError):
    """Required questions are still open and no reason to go ahead was given."""

    def __init__(self, ticket_id: int, open_items: list[Item]) -> None:
        numbers = ", ".join(f"{i.number} ({i.checklist}:{i.question_id})" for i in open_items)
        super().__init__(
            f"ticket #{ticket_id} has unanswered required questions: {numbers}; "
            "answer them or override with a reason"
        )
        self.ticket_id = ticket_id
        self.open_items = open_items


class AlreadyAttached(InvalidInput):
    pass


def attach_in(
    c: Change, ticket_id: int, checklist: Checklist, *, detail: str | None = None
) -> bool:
    """Inside a caller's change: copy `checklist` onto the ticket and log it.

    False (and nothing written) when the ticket already has it."""
    cursor = c.conn.execute(
        "INSERT OR IGNORE INTO ticket_checklists (ticket_id, checklist, title, lang, intro,"
        " outro, attached_at, attached_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            ticket_id,
            checklist.id,
            checklist.title,
            checklist.lang,
            checklist.intro,
            checklist.outro,
            c.now,
            c.actor,
        ),
    )
    if cursor.rowcount != 1:
        return False
    attachment = cursor.lastrowid
    c.conn.executemany(
        "INSERT INTO checklist_items (attachment_id, ticket_id, position, question_id, question,"
        " required) VALUES (?, ?, ?, ?, ?, ?)",
        [
            (attachment, ticket_id, position, q.id, q.text, int(q.required))
            for position, q in enumerate(checklist.questions, start=1)
        ],
    )
    c.event(
        ticket_id,
        EventAction.CHECKLIST,
        None,
        checklist.id,
        detail or f"attached {len(checklist.questions)} questions",
    )
    return True


def attach(
    desk: Desk, ticket_id: int, checklist: Checklist, *, expected_version: int | None = None
) -> Attached:
    """Attach a checklist to a ticket; attaching one it already has is an error."""
    with change(desk) as c:
        c.check_version(ticket_id, expected_version)
        if not attach_in(c, ticket_id, checklist):
            raise AlreadyAttached(f"ticket #{ticket_id} already has checklist {checklist.id!r}")
        c.update(ticket_id)
    return next(a for a in attached(desk.store, ticket_id) if a.checklist == checklist.id)


def attached(store: Store, ticket_id: int) -> list[Attached]:
    """The ticket's checklists in the order they were attached, questions numbered."""
    if not store.ticket_exists(ticket_id):
        raise TicketNotFound(ticket_id)
    with store.read() as conn:
        heads = conn.execute(
            "SELECT id, checklist, title, lang, intro, outro, attached_at, attached_by"
            " FROM ticket_checklists WHERE ticket_id = ? ORDER BY id",
            (ticket_id,),
        ).fetchall()
        rows = conn.execute(
            "SELECT attachment_id, question_id, question, required, answer, answered_at,"
            " answered_by FROM checklist_items WHERE ticket_id = ?"
            " ORDER BY attachment_id, position",
            (ticket_id,),
        ).fetchall()
    result: list[Attached] = []
    number = 0
    for head in heads:
        items = []
        for row in rows:
            if row[0] == head[0]:
                number += 1
                items.append(
                    Item(
                        number=number,
                        checklist=head[1],
                        question_id=row[1],
                        text=row[2],
                        required=bool(row[3]),
                        answer=row[4],
                        answered_at=row[5],
                        answered_by=row[6],
                    )
                )
        result.append(
            Attached(
                checklist=head[1],
                title=head[2],
                lang=head[3],
                intro=head[4],
                outro=head[5],
                attached_at=head[6],
                attached_by=head[7],
                items=tuple(items),
            )
        )
    return result


def items(store: Store, ticket_id: int) -> list[Item]:
    return [item for group in attached(store, ticket_id) for item in group.items]


def find(all_items: list[Item], ticket_id: int, question: str) -> Item:
    """The item a person means by `question`: its number, its id, or "checklist:id"."""
    wanted = question.strip().lstrip("#")
    if not all_items:
        raise InvalidInput(f"ticket #{ticket_id} has no checklist: attach one first")
    if wanted.isdigit():
        number = int(wanted)
        if 1 <= number <= len(all_items):
            return all_items[number - 1]
        raise InvalidInput(f"ticket #{ticket_id} has questions 1 to {len(all_items)}, not {number}")
    checklist, _, qid = wanted.rpartition(":")
    found = [
        i for i in all_items if i.question_id == qid and (not checklist or i.checklist == checklist)
    ]
    if len(found) == 1:
        return found[0]
    if found:
        names = ", ".join(f"{i.checklist}:{i.question_id}" for i in found)
        raise InvalidInput(
            f"question {question!r} is ambiguous on ticket #{ticket_id}: "
            f"use one of {names} or a number"
        )
    raise InvalidInput(
        f"ticket #{ticket_id} has no question {question!r} "
        "(give its number or id, as `checklist show` lists them)"
    )


def _set_answer(
    desk: Desk, ticket_id: int, question: str, answer: str | None, expected_version: int | None
) -> Item:
    with change(desk) as c:
        c.check_version(ticket_id, expected_version)
        item = find(items(desk.store, ticket_id), ticket_id, question)
        if answer is None and not item.answered:
            raise InvalidInput(f"question {item.number} of ticket #{ticket_id} is not answered")
        c.conn.execute(
            "UPDATE checklist_items SET answer = ?, answered_at = ?, answered_by = ?"
            " WHERE ticket_id = ? AND question_id = ? AND attachment_id ="
            " (SELECT id FROM ticket_checklists WHERE ticket_id = ? AND checklist = ?)",
            (
                answer,
                None if answer is None else c.now,
                None if answer is None else c.actor,
                ticket_id,
                item.question_id,
                ticket_id,
                item.checklist,
            ),
        )
        c.event(
            ticket_id,
            EventAction.ANSWER if answer is not None else EventAction.UNANSWER,
            item.answer,
            answer,
            f"{item.checklist}:{item.question_id}",
        )
        c.update(ticket_id)
    return find(items(desk.store, ticket_id), ticket_id, str(item.number))


def answer(
    desk: Desk, ticket_id: int, question: str, text: str, *, expected_version: int | None = None
) -> Item:
    """Mark a question answered with what the customer said."""
    if not text.strip():
        raise InvalidInput(
            "the answer is empty: write what the customer said (or un-answer the question)"
        )
    return _set_answer(desk, ticket_id, question, text.strip(), expected_version)


def unanswer(
    desk: Desk, ticket_id: int, question: str, *, expected_version: int | None = None
) -> Item:
    """Mark a question open again (the answer turned out wrong or incomplete)."""
    return _set_answer(desk, ticket_id, question, None, expected_version)


_STILL_NEEDED = {
    "en": "Thank you for your answers so far. To move on we still need the following, "
    "the most important first:",
    "ru": "Спасибо за ответы! Чтобы двигаться дальше, нам ещё нужно знать (самое важное — первым):",
    "uk": "Дякуємо за відповіді! Щоб рухатися далі, нам ще потрібно знати (найважливіше — першим):",
}
_DEFAULT_INTRO = "Hello,\n\nto move on with ticket #{ticket.id}, please answer:"


def compose_ask(groups: list[Attached], values: dict[str, str]) -> str | None:
    """One message asking every open question, numbered from the most significant.

    The intro and outro come from the first checklist with open questions. When some questions
    were answered already, the message thanks the customer and says these are the ones left.
    None when nothing is left to ask."""
    open_groups = [g for g in groups if any(not i.answered for i in g.items)]
    if not open_groups:
        return None
    lead = open_groups[0]
    questions = [i.text for g in open_groups for i in g.items if not i.answered]
    partial = any(i.answered for g in groups for i in g.items)
    parts = [render_text(lead.intro or _DEFAULT_INTRO, values, lead.lang)[0]]
    if partial:
        parts.append(_STILL_NEEDED.get(lead.lang, _STILL_NEEDED["en"]))
    parts.append("\n".join(f"{n}. {q}" for n, q in enumerate(questions, start=1)))
    if lead.outro:
        parts.append(render_text(lead.outro, values, lead.lang)[0])
    return "\n\n".join(parts)


def ask_message(desk: Desk, ticket_id: int) -> str | None:
    """`compose_ask` for a ticket in the store, placeholders filled for the desk's agent."""
    groups = attached(desk.store, ticket_id)
    values = ticket_values(desk, desk.store.ticket(ticket_id))
    return compose_ask(groups, values)


def send_ask(
    desk: Desk, ticket_id: int, *, expected_version: int | None = None, allow_missing: bool = False
) -> str:
    """Send the "ask" message as a public reply; the ball goes to the customer, who now owes
    the answers. A reply like any other: it counts as a response, and the customer's silence
    is timed from now.

    Refused when nothing is left to ask, or when the message would carry an unknown value."""
    with change(desk) as c:
        c.check_version(ticket_id, expected_version)
        groups = attached(desk.store, ticket_id)
        ticket = desk.store.ticket(ticket_id)
        values = ticket_values(desk, ticket)
        message = compose_ask(groups, values)
        if message is None:
            raise InvalidInput(f"ticket #{ticket_id} has no open question to ask")
        missing = _missing_in_ask(groups, values)
        if missing and not allow_missing:
            raise InvalidInput(
                f"the questions for ticket #{ticket_id} need "
                f"{', '.join(missing)}, which is not known; allow the markers "
                "or send the questions by hand"
            )
        open_ids = [
            f"{i.checklist}:{i.question_id}" for g in groups for i in g.items if not i.answered
        ]
        c.message(ticket_id, MessageKind.REPLY, message)
        c.event(ticket_id, EventAction.ASK, None, ", ".join(open_ids))
        c.update(
            ticket_id,
            court=Court.CUSTOMER if ticket.is_open else ticket.court,
            followup=promised_followup(desk, ticket, message) or KEEP,
            reason="asked the customer",
        )
    return message


def _missing_in_ask(groups: list[Attached], values: dict[str, str]) -> list[str]:
    lead = next((g for g in groups if any(not i.answered for i in g.items)), None)
    if lead is None:
        return []
    texts = [lead.intro or _DEFAULT_INTRO, lead.outro or ""]
    return list(dict.fromkeys(m for text in texts for m in render_text(text, values, lead.lang)[1]))


def unanswered_required(store: Store, ticket_id: int) -> list[Item]:
    return [i for i in items(store, ticket_id) if i.required and not i.answered]


def check_escalation(c: Change, ticket_id: int, override_reason: str | None = None) -> list[Item]:
    """Inside an escalation's change: may the ticket go up? Returns the required questions
    still open.

    With open required questions and no reason, raises EscalationBlocked. With a reason, the
    override is logged in the same change and the open questions are returned so the
    hand-off can show them."""
    if override_reason is not None and not override_reason.strip():
        raise InvalidInput("the override reason is empty: say why the questions can wait")
    open_items = unanswered_required(c.desk.store, ticket_id)
    if not open_items:
        return []
    if override_reason is None:
        raise EscalationBlocked(ticket_id, open_items)
    after = ", ".join(f"{i.checklist}:{i.question_id}" for i in open_items)
    c.event(ticket_id, EventAction.CHECKLIST_OVERRIDE, None, after, override_reason)  # as typed
    return open_items
