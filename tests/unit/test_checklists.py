"""Checklists on a ticket: attach, answer, ask again from the top, gate escalation."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from console.core import checklists, operations, workflow
from console.core.checklists import AlreadyAttached, EscalationBlocked
from console.core.desk import Desk
from console.core.errors import InvalidInput, TicketNotFound
from console.core.macro_loader import load_catalog
from console.core.store import Store
from console.core.team import NotAllowed, parse_team
from tests.support import FrozenClock, make_desk, open_store

ROOT = Path(__file__).resolve().parents[2]
CATALOG = load_catalog([ROOT / "macros.toml"])
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
def desk(store: Store) -> Desk:
    return make_desk(store, "amy")


@pytest.fixture
def ticket(desk: Desk) -> int:
    ticket_id = operations.create_ticket(
        desk, subject="Export fails", requester="Ann Lee <ann@example.com>"
    ).id
    checklists.attach(desk, ticket_id, CATALOG.checklist("request-template"))
    return ticket_id


def open_numbers(store: Store, ticket_id: int) -> list[int]:
    return [i.number for i in checklists.items(store, ticket_id) if not i.answered]


def test_attach_copies_questions_in_order_and_logs(store: Store, desk: Desk, ticket: int) -> None:
    [group] = checklists.attached(store, ticket)
    assert [i.question_id for i in group.items] == ["did", "expected", "got", "env", "screenshot"]
    assert [i.number for i in group.items] == [1, 2, 3, 4, 5]
    assert store.ticket(ticket).version == 2
    event = store.events(ticket)[-1]
    assert (event.action, event.after, event.detail) == (
        "checklist",
        "request-template",
        "attached 5 questions",
    )
    with pytest.raises(AlreadyAttached, match="ticket #1 already has checklist 'request-template'"):
        checklists.attach(desk, ticket, CATALOG.checklist("request-template"))


def test_numbering_continues_across_checklists(store: Store, desk: Desk, ticket: int) -> None:
    checklists.attach(desk, ticket, CATALOG.checklist("self-diagnosis"))
    numbered = [(i.number, i.checklist, i.question_id) for i in checklists.items(store, ticket)]
    assert numbered[5] == (6, "self-diagnosis", "reproducible")
    item = checklists.answer(desk, ticket, "self-diagnosis:who", "only me")
    assert item.number == 7


def test_ask_after_the_customer_answered_only_the_last_question(
    store: Store, desk: Desk, ticket: int
) -> None:
    # Seed 004: customers answer the last question; the agent asks the rest from the first.
    checklists.answer(desk, ticket, "5", "screenshot attached")
    checklists.answer(desk, ticket, "expected", "a CSV file")
    message = checklists.ask_message(desk, ticket)
    assert message == (
        "Hello Ann,\n\nto find the cause quickly we need a few details about ticket #1:\n\n"
        "Thank you for your answers so far. To move on we still need the following, "
        "the most important first:\n\n"
        "1. What did you do, step by step, right before the problem?\n"
        "2. What happened instead (the exact error message, if any)?\n"
        "3. Which browser and operating system do you use (with versions)?\n\n"
        "Thank you. We will get back to you by 2026-03-03 09:30 UTC.\n\namy"
    )


def test_first_ask_has_no_thanks_and_answering_all_leaves_nothing(
    store: Store, desk: Desk, ticket: int
) -> None:
    message = checklists.ask_message(desk, ticket) or ""
    assert "Thank you for your answers" not in message and "5. Could you send" in message
    for number in range(1, 6):
        checklists.answer(desk, ticket, str(number), f"answer {number}")
    assert checklists.ask_message(desk, ticket) is None


def test_ask_in_the_checklists_language(store: Store, desk: Desk) -> None:
    ticket_id = operations.create_ticket(
        desk, subject="Экспорт", requester="Олег <oleg@example.com>"
    ).id
    checklists.attach(desk, ticket_id, CATALOG.checklist("self-diagnosis.uk"))
    checklists.answer(desk, ticket_id, "1", "так")
    message = checklists.ask_message(desk, ticket_id) or ""
    assert message.startswith("Вітаємо, Олег!")
    assert "Дякуємо за відповіді!" in message
    assert "\n1. Вона виникає в усіх колег чи тільки у вас?\n" in message


def test_unanswer_and_answer_events(store: Store, desk: Desk, ticket: int) -> None:
    checklists.answer(desk, ticket, "did", "clicked Export")
    checklists.answer(desk.acting_as("bob"), ticket, "did", "clicked Export twice")
    item = checklists.unanswer(desk, ticket, "1")
    assert not item.answered and open_numbers(store, ticket) == [1, 2, 3, 4, 5]
    log = [(e.actor, e.action, e.before, e.after, e.detail) for e in store.events(ticket)][-3:]
    assert log == [
        ("amy", "answer", None, "clicked Export", "request-template:did"),
        ("bob", "answer", "clicked Export", "clicked Export twice", "request-template:did"),
        ("amy", "unanswer", "clicked Export twice", None, "request-template:did"),
    ]


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("9", "ticket #1 has questions 1 to 5, not 9"),
        ("colour", "ticket #1 has no question 'colour'"),
    ],
)
def test_bad_question_names_what_exists(
    store: Store, desk: Desk, ticket: int, question: str, message: str
) -> None:
    version = store.ticket(ticket).version
    with pytest.raises(InvalidInput, match=message):
        checklists.answer(desk, ticket, question, "x")
    assert store.ticket(ticket).version == version


def test_bad_answers_and_tickets(store: Store, desk: Desk, ticket: int) -> None:
    with pytest.raises(InvalidInput, match="the answer is empty"):
        checklists.answer(desk, ticket, "1", "  ")
    with pytest.raises(InvalidInput, match="question 1 of ticket #1 is not answered"):
        checklists.unanswer(desk, ticket, "1")
    with pytest.raises(TicketNotFound):
        checklists.attached(store, 99)
    other = operations.create_ticket(desk, subject="s", requester="x@example.com").id
    with pytest.raises(InvalidInput, match="ticket #2 has no checklist: attach one first"):
        checklists.answer(desk, other, "1", "x")


def test_ambiguous_question_id_asks_for_the_checklist(
    store: Store, desk: Desk, ticket: int
) -> None:
    checklists.attach(desk, ticket, CATALOG.checklist("request-template.ru"))
    with pytest.raises(
        InvalidInput,
        match="question 'did' is ambiguous on ticket #1: use one "
        "of request-template:did, request-template.ru:did",
    ):
        checklists.answer(desk, ticket, "did", "x")
    assert checklists.answer(desk, ticket, "request-template.ru:did", "x").number == 6


def _check(desk: Desk, ticket: int, override_reason: str | None = None) -> list:
    """`check_escalation` inside a change of its own, as an escalation calls it."""
    with workflow.change(desk) as c:
        return checklists.check_escalation(c, ticket, override_reason)


def test_escalation_refused_while_required_questions_are_open(
    store: Store, desk: Desk, ticket: int
) -> None:
    with pytest.raises(
        EscalationBlocked,
        match=r"ticket #1 has unanswered required questions: "
        r"1 \(request-template:did\), 2 ",
    ):
        _check(desk, ticket)
    for question in ("did", "expected", "got"):
        checklists.answer(desk, ticket, question, "known")
    assert _check(desk, ticket) == []


def test_escalation_override_needs_a_reason_and_is_logged(
    store: Store, desk: Desk, ticket: int
) -> None:
    with pytest.raises(InvalidInput, match="the override reason is empty"):
        _check(desk, ticket, " ")
    left = _check(desk, ticket, "customer unreachable, P1 outage")
    assert [i.question_id for i in left] == ["did", "expected", "got"]
    event = store.events(ticket)[-1]
    assert (event.actor, event.action, event.after, event.detail) == (
        "amy",
        "checklist-override",
        "request-template:did, request-template:expected, request-template:got",
        "customer unreachable, P1 outage",
    )


def test_escalation_override_inside_the_callers_transaction(
    store: Store, desk: Desk, ticket: int
) -> None:
    version = store.ticket(ticket).version
    logged = len(store.events(ticket))
    with pytest.raises(RuntimeError), workflow.change(desk) as c:
        checklists.check_escalation(c, ticket, "vendor asked for it")
        raise RuntimeError("the caller's change fails after the check")
    assert len(store.events(ticket)) == logged  # rolled back with the caller's change
    with workflow.change(desk) as c:
        checklists.check_escalation(c, ticket, "vendor asked for it")
    assert store.events(ticket)[-1].action == "checklist-override"
    assert store.ticket(ticket).version == version  # the caller's change bumps it


def test_send_ask_replies_and_hands_the_ball_to_the_customer(
    store: Store, desk: Desk, ticket: int, clock: FrozenClock
) -> None:
    checklists.answer(desk, ticket, "got", "HTTP 500")
    clock.advance(hours=1)
    message = checklists.send_ask(desk, ticket)
    [reply] = store.messages(ticket)
    assert reply.body == message and str(reply.kind) == "reply"
    current = store.ticket(ticket)
    assert (str(current.court), str(current.status)) == ("customer", "waiting")
    # A public reply like any other: the first response, and a new stretch for the customer.
    clocks = workflow.clocks(store, ticket)
    assert clocks.first_response_at == clocks.clock_since == "2026-03-02T10:30:00Z"
    assert store.query("SELECT count(*) FROM outbox WHERE message_id = ?", (reply.id,)) == [(1,)]
    # The outro promises an update by {sla.next_update}: the promise is tracked.
    assert "We will get back to you by 2026-03-03 10:30 UTC." in message
    assert (clocks.followup_due_at, clocks.followup_by_reply) == ("2026-03-03T10:30:00Z", True)
    log = [(e.action, e.after) for e in store.events(ticket)][-6:]
    assert log == [
        ("message", "reply"),
        (
            "ask",
            "request-template:did, request-template:expected, "
            "request-template:env, request-template:screenshot",
        ),
        ("status", "waiting"),
        ("court", "customer"),
        ("assignee", "amy"),  # who answered an unassigned ticket has it now
        ("followup", "2026-03-03T10:30:00Z"),
    ]


def test_send_ask_refuses_unknown_values_and_an_empty_list(store: Store, desk: Desk) -> None:
    ticket_id = operations.create_ticket(desk, subject="s", requester="nobody@example.com").id
    named = replace(CATALOG.checklist("self-diagnosis"), intro="Dear {customer.first_name},")
    checklists.attach(desk, ticket_id, named)
    with pytest.raises(InvalidInput, match="need customer.first_name, which is not known"):
        checklists.send_ask(desk, ticket_id)
    assert store.messages(ticket_id) == []
    for number in range(1, 6):
        checklists.answer(desk, ticket_id, str(number), "yes")
    with pytest.raises(InvalidInput, match="ticket #1 has no open question to ask"):
        checklists.send_ask(desk, ticket_id)


def test_a_file_from_before_tags_and_checklists_is_brought_forward(
    tmp_path: Path, clock: FrozenClock
) -> None:
    import sqlite3

    from console.core import schema

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    before = schema.MIGRATIONS.index(next(m for m in schema.MIGRATIONS if "CREATE TABLE tags" in m))
    schema.migrate(conn, target=before)
    conn.close()
    with open_store(path, clock) as opened:
        assert opened.query("PRAGMA user_version") == [(schema.LATEST,)]
        amy = make_desk(opened, "amy")
        ticket_id = operations.create_ticket(amy, subject="s", requester="a@example.com").id
        checklists.attach(amy, ticket_id, CATALOG.checklist("request-template"))
        assert len(checklists.items(opened, ticket_id)) == 5


def test_escalate_is_gated_by_required_questions(store: Store, desk: Desk, ticket: int) -> None:
    from console.core import escalation
    from console.core.model import Line
    from console.core.team import Agent

    front = desk.acting_as(Agent("amy", "Amy", (Line.L1, Line.L2)))
    with pytest.raises(EscalationBlocked):
        escalation.escalate(front, ticket, "tried the usual")
    assert store.ticket(ticket).line == Line.L1
    moved = escalation.escalate(
        front, ticket, "tried the usual", override_reason="P1: the customer is on the phone"
    )
    assert moved.line == Line.L2
    actions = [e.action for e in store.events(ticket)]
    # The override is logged first, in the escalation's own change (the hand-off note, the
    # new line and the new status follow it).
    assert actions[-4] == "checklist-override"
    assert sorted(actions[-3:]) == ["escalated", "message", "status"]


def test_the_third_line_may_not_send_the_questions(store: Store, ticket: int) -> None:
    team = parse_team({"agents": {"tess": {"name": "Tess", "lines": ["L3"]}}})
    tess = make_desk(store, "tess", team=team)
    snapshot = [store.query(f"SELECT * FROM {t}") for t in ("tickets", "messages", "events")]
    with pytest.raises(
        NotAllowed,
        match="tess works L3 and cannot write to the customer; ask the front line instead",
    ):
        checklists.send_ask(tess, ticket)
    assert [store.query(f"SELECT * FROM {t}") for t in ("tickets", "messages", "events")] == (
        snapshot
    )
    # Composing the questions is no message to anyone: the third line may read them.
    assert "1. What did you do" in (checklists.ask_message(tess, ticket) or "")
