"""Moving a case between support lines, and the back lines' questions to the front line.

Escalation is a hand-off, not a shrug: it needs a note saying what was tried, what is known
and what is asked, and that note is what the next line reads first (`handoff`). The ticket
leaves the current assignee so the next line's queue shows it as unclaimed.

The third line and the vendor never talk to the customer: when they need something from the
customer they `ask_front`, which puts the ticket in the front line's "Needs customer contact"
queue; `answer_front` records the customer's answer as a note for the one who asked."""

from __future__ import annotations

from dataclasses import dataclass

from console.core.checklists import check_escalation
from console.core.desk import Desk
from console.core.errors import InvalidInput
from console.core.model import Direction, EventAction, Line, MessageKind, Status, Ticket
from console.core.store import Store
from console.core.team import NotAllowed, require_customer_contact
from console.core.workflow import KEEP, change

_ORDER = list(Line)


@dataclass(frozen=True)
class Handoff:
    """The latest hand-off of a ticket between lines, for the top of the detail view."""

    actor: str
    at: str
    from_line: Line
    to_line: Line
    note: str
    direction: Direction


@dataclass(frozen=True)
class Clarification:
    id: int
    ticket_id: int
    asked_by: str
    question: str
    asked_at: str
    answered_by: str | None = None
    answer: str | None = None
    answered_at: str | None = None


def _note(text: str, what: str) -> str:
    cleaned = (text or "").strip()
    if not cleaned:
        raise InvalidInput(f"{what} is empty: say what was tried, what is known and what is asked")
    return cleaned


def _target(
    current: Line, to_line: Line | str | None, direction: Direction, ticket_id: int
) -> Line:
    """The line a hand-off goes to: the next one up or down unless named; refused when it
    does not go the way asked (to the same line included)."""
    step = 1 if direction == Direction.ESCALATED else -1
    if to_line is None:
        index = _ORDER.index(current) + step
        if not 0 <= index < len(_ORDER):
            where = "L4, the vendor line" if step > 0 else "L1, the first line"
            raise InvalidInput(f"ticket #{ticket_id} is already at {where}")
        return _ORDER[index]
    target = Line.parse(str(to_line), "line")
    if (_ORDER.index(target) - _ORDER.index(current)) * step <= 0:
        if step > 0:
            raise InvalidInput(
                f"cannot escalate ticket #{ticket_id} from {current} to {target}: "
                "pick a higher line, or de-escalate"
            )
        raise InvalidInput(
            f"cannot de-escalate ticket #{ticket_id} from {current} to {target}: "
            "pick a lower line, or escalate"
        )
    return target


def _hand_off(
    desk: Desk,
    ticket_id: int,
    note: str,
    to_line: Line | str | None,
    direction: Direction,
    expected_version: int | None,
    override_reason: str | None = None,
) -> Ticket:
    with change(desk) as c:
        # The line is read inside the change: two agents escalating at once cannot both
        # decide from the same line, and the second one's version check fails.
        row = c.check_version(ticket_id, expected_version)
        current = Line(row["line"])
        target = _target(current, to_line, direction, ticket_id)
        if direction == Direction.ESCALATED:
            # Required checklist questions gate the way up; an override is logged in this
            # same change, so a refused escalation leaves no trace and an allowed one says why.
            check_escalation(c, ticket_id, override_reason)
        c.message(ticket_id, MessageKind.NOTE, f"Hand-off {current} → {target}: {note}")
        c.update(
            ticket_id,
            line=target,
            assignee=None,
            status=Status.OPEN if row["status"] == Status.NEW.value else KEEP,
            reason=note,
            line_event=EventAction(direction.value),
        )
    return desk.store.ticket(ticket_id)


def escalate(
    desk: Desk,
    ticket_id: int,
    note: str,
    *,
    to_line: Line | str | None = None,
    expected_version: int | None = None,
    override_reason: str | None = None,
) -> Ticket:
    """Hand the ticket to a higher line (the next one unless `to_line`), with a note.

    Refused while a required checklist question is unanswered, unless `override_reason`
    says why it can wait (the reason is logged)."""
    note = _note(note, "the hand-off note")
    return _hand_off(
        desk, ticket_id, note, to_line, Direction.ESCALATED, expected_version, override_reason
    )


def deescalate(
    desk: Desk,
    ticket_id: int,
    note: str,
    *,
    to_line: Line | str | None = None,
    expected_version: int | None = None,
) -> Ticket:
    """Hand the ticket back to a lower line (the previous one unless `to_line`), with a note."""
    note = _note(note, "the hand-back note")
    return _hand_off(desk, ticket_id, note, to_line, Direction.DEESCALATED, expected_version)


def handoff(store: Store, ticket_id: int) -> Handoff | None:
    rows = store.rows(
        "SELECT actor, at, before, after, detail, action FROM events WHERE ticket_id = ? AND "
        "action IN ('escalated', 'deescalated') ORDER BY id DESC LIMIT 1",
        (ticket_id,),
    )
    if not rows:
        return None
    r = rows[0]
    return Handoff(
        actor=r["actor"],
        at=r["at"],
        from_line=Line(r["before"]),
        to_line=Line(r["after"]),
        note=r["detail"] or "",
        direction=Direction(r["action"]),
    )


def ask_front(
    desk: Desk, ticket_id: int, question: str, *, expected_version: int | None = None
) -> Clarification:
    """Put a question for the customer into the front line's "Needs customer contact" queue.

    For the lines that do not talk to customers: whoever may, asks the customer directly."""
    if desk.agent.talks_to_customers:
        raise NotAllowed(
            f"{desk.login} talks to customers: ask the customer directly (the front line's "
            "queue of questions is for the lines that do not)"
        )
    question = (question or "").strip()
    if not question:
        raise InvalidInput("the question is empty: write what the customer should be asked")
    with change(desk) as c:
        c.check_version(ticket_id, expected_version)
        cursor = c.conn.execute(
            "INSERT INTO clarifications (ticket_id, asked_by, question, asked_at)"
            " VALUES (?, ?, ?, ?)",
            (ticket_id, c.actor, question, c.now),
        )
        c.event(ticket_id, EventAction.ASKED_FRONT, None, None, question)
        c.update(ticket_id)
    return Clarification(int(cursor.lastrowid or 0), ticket_id, desk.login, question, c.now)


def open_clarifications(store: Store, ticket_id: int) -> list[Clarification]:
    rows = store.rows(
        "SELECT id, ticket_id, asked_by, question, asked_at FROM clarifications "
        "WHERE ticket_id = ? AND answered_at IS NULL ORDER BY id",
        (ticket_id,),
    )
    return [Clarification(**row) for row in rows]


def answer_front(
    desk: Desk,
    ticket_id: int,
    answer: str,
    clarification_id: int | None = None,
    *,
    expected_version: int | None = None,
) -> Clarification:
    """Record the customer's answer to a back-line question as a note for the one who asked."""
    require_customer_contact(desk.agent)
    answer = (answer or "").strip()
    if not answer:
        raise InvalidInput("the answer is empty: write what the customer said")
    with change(desk) as c:
        c.check_version(ticket_id, expected_version)
        pending = open_clarifications(desk.store, ticket_id)
        if clarification_id is not None:
            pending = [q for q in pending if q.id == clarification_id]
        if not pending:
            which = f" {clarification_id}" if clarification_id is not None else "s"
            raise InvalidInput(
                f"ticket #{ticket_id} has no open question{which} for the front line"
            )
        asked = pending[0]
        c.conn.execute(
            "UPDATE clarifications SET answered_by = ?, answer = ?, answered_at = ? WHERE id = ?",
            (c.actor, answer, c.now, asked.id),
        )
        c.message(
            ticket_id,
            MessageKind.NOTE,
            f'For {asked.asked_by} — the customer\'s answer to "{asked.question}":\n{answer}',
        )
        c.event(ticket_id, EventAction.ANSWERED_FRONT, None, asked.asked_by, answer)
        c.update(ticket_id)
    return Clarification(
        asked.id,
        ticket_id,
        asked.asked_by,
        asked.question,
        asked.asked_at,
        desk.login,
        answer,
        c.now,
    )
