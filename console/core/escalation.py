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
from console.core.errors import InvalidInput
from console.core.model import Line, MessageKind, Status, Ticket
from console.core.operations import bump_version, change, record_event
from console.core.store import Store
from console.core.team import Agent, require_customer_contact

_ORDER = list(Line)


@dataclass(frozen=True)
class Handoff:
    """The latest hand-off of a ticket between lines, for the top of the detail view."""

    actor: str
    at: str
    from_line: str
    to_line: str
    note: str
    direction: str
    """"escalated" or "deescalated"."""


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


def _move(
    store: Store,
    agent: Agent,
    ticket_id: int,
    to_line: Line,
    note: str,
    direction: str,
    expected_version: int | None,
    override_reason: str | None = None,
) -> Ticket:
    now = store.now()
    with store.transaction() as conn:
        if direction == "escalated":
            # Required checklist questions gate the way up; an override is logged in this
            # same change, so a refused escalation leaves no trace and an allowed one says why.
            check_escalation(store, ticket_id, override_reason, actor=agent.login, conn=conn)
        before = bump_version(
            store,
            conn,
            ticket_id,
            expected_version,
            agent.login,
            now,
            {"line": to_line.value, "assignee": None},
        )
        reopen = before["status"] == Status.NEW.value
        if reopen:
            conn.execute("UPDATE tickets SET status = 'open' WHERE id = ?", (ticket_id,))
        conn.execute(
            "INSERT INTO messages (ticket_id, kind, author, body, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (
                ticket_id,
                MessageKind.NOTE.value,
                agent.login,
                f"Hand-off {before['line']} → {to_line.value}: {note}",
                now,
            ),
        )
        record_event(
            conn, ticket_id, now, agent.login, direction, before["line"], to_line.value, note
        )
        if before["assignee"] is not None:
            record_event(
                conn,
                ticket_id,
                now,
                agent.login,
                "assignee",
                before["assignee"],
                None,
                f"{direction} to {to_line.value}",
            )
        if reopen:
            record_event(conn, ticket_id, now, agent.login, "status", "new", "open", direction)
    return store.ticket(ticket_id)


def escalate(
    store: Store,
    agent: Agent,
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
    current = store.ticket(ticket_id).line
    if to_line is None:
        if current == Line.L4:
            raise InvalidInput(f"ticket #{ticket_id} is already at L4, the vendor line")
        target = _ORDER[_ORDER.index(current) + 1]
    else:
        target = Line.parse(str(to_line), "line")
        if _ORDER.index(target) <= _ORDER.index(current):
            raise InvalidInput(
                f"cannot escalate ticket #{ticket_id} from {current} to {target}: "
                "pick a higher line, or de-escalate"
            )
    return _move(
        store, agent, ticket_id, target, note, "escalated", expected_version, override_reason
    )


def deescalate(
    store: Store,
    agent: Agent,
    ticket_id: int,
    note: str,
    *,
    to_line: Line | str | None = None,
    expected_version: int | None = None,
) -> Ticket:
    """Hand the ticket back to a lower line (the previous one unless `to_line`), with a note."""
    note = _note(note, "the hand-back note")
    current = store.ticket(ticket_id).line
    if to_line is None:
        if current == Line.L1:
            raise InvalidInput(f"ticket #{ticket_id} is already at L1, the first line")
        target = _ORDER[_ORDER.index(current) - 1]
    else:
        target = Line.parse(str(to_line), "line")
        if _ORDER.index(target) >= _ORDER.index(current):
            raise InvalidInput(
                f"cannot de-escalate ticket #{ticket_id} from {current} to "
                f"{target}: pick a lower line, or escalate"
            )
    return _move(store, agent, ticket_id, target, note, "deescalated", expected_version)


def take(
    store: Store, agent: Agent, ticket_id: int, *, expected_version: int | None = None
) -> Ticket:
    """Assign the ticket to oneself."""
    return change(
        store,
        agent.login,
        ticket_id,
        "assignee",
        agent.login,
        expected_version=expected_version,
        reason="took it",
    )


def handoff(store: Store, ticket_id: int) -> Handoff | None:
    with store.lock:
        rows = store.conn.execute(
            "SELECT actor, at, before, after, detail, action FROM events WHERE ticket_id = ? AND "
            "action IN ('escalated', 'deescalated') ORDER BY id DESC LIMIT 1",
            (ticket_id,),
        ).fetchall()
    if not rows:
        return None
    actor, at, before, after, detail, action = rows[0]
    return Handoff(
        actor=actor, at=at, from_line=before, to_line=after, note=detail or "", direction=action
    )


def ask_front(store: Store, agent: Agent, ticket_id: int, question: str) -> Clarification:
    """Put a question for the customer into the front line's "Needs customer contact" queue."""
    question = (question or "").strip()
    if not question:
        raise InvalidInput("the question is empty: write what the customer should be asked")
    now = store.now()
    with store.transaction() as conn:
        bump_version(store, conn, ticket_id, None, agent.login, now)
        cursor = conn.execute(
            "INSERT INTO clarifications (ticket_id, asked_by, question, asked_at)"
            " VALUES (?, ?, ?, ?)",
            (ticket_id, agent.login, question, now),
        )
        record_event(conn, ticket_id, now, agent.login, "asked-front", None, None, question)
    return Clarification(int(cursor.lastrowid or 0), ticket_id, agent.login, question, now)


def open_clarifications(store: Store, ticket_id: int) -> list[Clarification]:
    with store.lock:
        rows = store.conn.execute(
            "SELECT id, ticket_id, asked_by, question, asked_at FROM clarifications "
            "WHERE ticket_id = ? AND answered_at IS NULL ORDER BY id",
            (ticket_id,),
        ).fetchall()
    return [Clarification(*row) for row in rows]


def answer_front(
    store: Store, agent: Agent, ticket_id: int, answer: str, clarification_id: int | None = None
) -> Clarification:
    """Record the customer's answer to a back-line question as a note for the one who asked."""
    require_customer_contact(agent)
    answer = (answer or "").strip()
    if not answer:
        raise InvalidInput("the answer is empty: write what the customer said")
    pending = open_clarifications(store, ticket_id)
    if clarification_id is not None:
        pending = [c for c in pending if c.id == clarification_id]
    if not pending:
        which = f" {clarification_id}" if clarification_id is not None else "s"
        raise InvalidInput(f"ticket #{ticket_id} has no open question{which} for the front line")
    asked = pending[0]
    now = store.now()
    with store.transaction() as conn:
        bump_version(store, conn, ticket_id, None, agent.login, now)
        conn.execute(
            "UPDATE clarifications SET answered_by = ?, answer = ?, answered_at = ? WHERE id = ?",
            (agent.login, answer, now, asked.id),
        )
        conn.execute(
            "INSERT INTO messages (ticket_id, kind, author, body, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (
                ticket_id,
                MessageKind.NOTE.value,
                agent.login,
                f'For {asked.asked_by} — the customer\'s answer to "{asked.question}":\n{answer}',
                now,
            ),
        )
        record_event(
            conn, ticket_id, now, agent.login, "answered-front", None, asked.asked_by, answer
        )
    return Clarification(
        asked.id,
        ticket_id,
        asked.asked_by,
        asked.question,
        asked.asked_at,
        agent.login,
        answer,
        now,
    )
