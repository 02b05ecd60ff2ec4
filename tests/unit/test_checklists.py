"""Checklists on a ticket: attach, answer, ask again from the top, gate escalation."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from console.core import checklists, operations
from console.core.checklists import AlreadyAttached, EscalationBlocked
from console.core.errors import InvalidInput, TicketNotFound
from console.core.macro_loader import load_catalog
from console.core.store import Store

ROOT = Path(__file__).resolve().parents[2]
CATALOG = load_catalog([ROOT / "macros.toml"])
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    with Store.open(tmp_path / "t.db", clock=lambda: NOW) as opened:
        yield opened


@pytest.fixture
def ticket(store: Store) -> int:
    ticket_id = operations.create_ticket(
        store, "amy", subject="Export fails", requester="Ann Lee <ann@example.com>"
    ).id
    checklists.attach(store, "amy", ticket_id, CATALOG.checklist("request-template"))
    return ticket_id


def open_numbers(store: Store, ticket_id: int) -> list[int]:
    return [i.number for i in checklists.items(store, ticket_id) if not i.answered]


def test_attach_copies_questions_in_order_and_logs(store: Store, ticket: int) -> None:
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
        checklists.attach(store, "amy", ticket, CATALOG.checklist("request-template"))


def test_numbering_continues_across_checklists(store: Store, ticket: int) -> None:
    checklists.attach(store, "amy", ticket, CATALOG.checklist("self-diagnosis"))
    numbered = [(i.number, i.checklist, i.question_id) for i in checklists.items(store, ticket)]
    assert numbered[5] == (6, "self-diagnosis", "reproducible")
    item = checklists.answer(store, "amy", ticket, "self-diagnosis:who", "only me")
    assert item.number == 7


def test_ask_after_the_customer_answered_only_the_last_question(store: Store, ticket: int) -> None:
    # Seed 004: customers answer the last question; the agent asks the rest from the first.
    checklists.answer(store, "amy", ticket, "5", "screenshot attached")
    checklists.answer(store, "amy", ticket, "expected", "a CSV file")
    message = checklists.ask_message(store, ticket, "amy")
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
    store: Store, ticket: int
) -> None:
    message = checklists.ask_message(store, ticket, "amy") or ""
    assert "Thank you for your answers" not in message and "5. Could you send" in message
    for number in range(1, 6):
        checklists.answer(store, "amy", ticket, str(number), f"answer {number}")
    assert checklists.ask_message(store, ticket, "amy") is None


def test_ask_in_the_checklists_language(store: Store) -> None:
    ticket_id = operations.create_ticket(
        store, "amy", subject="Экспорт", requester="Олег <oleg@example.com>"
    ).id
    checklists.attach(store, "amy", ticket_id, CATALOG.checklist("self-diagnosis.uk"))
    checklists.answer(store, "amy", ticket_id, "1", "так")
    message = checklists.ask_message(store, ticket_id, "amy") or ""
    assert message.startswith("Вітаємо, Олег!")
    assert "Дякуємо за відповіді!" in message
    assert "\n1. Вона виникає в усіх колег чи тільки у вас?\n" in message


def test_unanswer_and_answer_events(store: Store, ticket: int) -> None:
    checklists.answer(store, "amy", ticket, "did", "clicked Export")
    checklists.answer(store, "bob", ticket, "did", "clicked Export twice")
    item = checklists.unanswer(store, "amy", ticket, "1")
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
    store: Store, ticket: int, question: str, message: str
) -> None:
    version = store.ticket(ticket).version
    with pytest.raises(InvalidInput, match=message):
        checklists.answer(store, "amy", ticket, question, "x")
    assert store.ticket(ticket).version == version


def test_bad_answers_and_tickets(store: Store, ticket: int) -> None:
    with pytest.raises(InvalidInput, match="the answer is empty"):
        checklists.answer(store, "amy", ticket, "1", "  ")
    with pytest.raises(InvalidInput, match="question 1 of ticket #1 is not answered"):
        checklists.unanswer(store, "amy", ticket, "1")
    with pytest.raises(TicketNotFound):
        checklists.attached(store, 99)
    other = operations.create_ticket(store, "amy", subject="s", requester="x@example.com").id
    with pytest.raises(InvalidInput, match="ticket #2 has no checklist: attach one first"):
        checklists.answer(store, "amy", other, "1", "x")


def test_ambiguous_question_id_asks_for_the_checklist(store: Store, ticket: int) -> None:
    checklists.attach(store, "amy", ticket, CATALOG.checklist("request-template.ru"))
    with pytest.raises(
        InvalidInput,
        match="question 'did' is ambiguous on ticket #1: use one "
        "of request-template:did, request-template.ru:did",
    ):
        checklists.answer(store, "amy", ticket, "did", "x")
    assert checklists.answer(store, "amy", ticket, "request-template.ru:did", "x").number == 6


def test_escalation_refused_while_required_questions_are_open(store: Store, ticket: int) -> None:
    with pytest.raises(
        EscalationBlocked,
        match=r"ticket #1 has unanswered required questions: "
        r"1 \(request-template:did\), 2 ",
    ):
        checklists.check_escalation(store, ticket, actor="amy")
    for question in ("did", "expected", "got"):
        checklists.answer(store, "amy", ticket, question, "known")
    assert checklists.check_escalation(store, ticket, actor="amy") == []


def test_escalation_override_needs_a_reason_and_is_logged(store: Store, ticket: int) -> None:
    with pytest.raises(InvalidInput, match="the override reason is empty"):
        checklists.check_escalation(store, ticket, " ", actor="amy")
    left = checklists.check_escalation(
        store, ticket, "customer unreachable, P1 outage", actor="amy"
    )
    assert [i.question_id for i in left] == ["did", "expected", "got"]
    event = store.events(ticket)[-1]
    assert (event.actor, event.action, event.after, event.detail) == (
        "amy",
        "checklist-override",
        "request-template:did, request-template:expected, request-template:got",
        "customer unreachable, P1 outage",
    )


def test_escalation_override_inside_the_callers_transaction(store: Store, ticket: int) -> None:
    version = store.ticket(ticket).version
    with store.transaction() as conn:
        checklists.check_escalation(store, ticket, "vendor asked for it", actor="amy", conn=conn)
    assert store.events(ticket)[-1].action == "checklist-override"
    assert store.ticket(ticket).version == version  # the caller's change bumps it


def test_send_ask_replies_and_hands_the_ball_to_the_customer(store: Store, ticket: int) -> None:
    checklists.answer(store, "amy", ticket, "got", "HTTP 500")
    message = checklists.send_ask(store, "amy", ticket)
    [reply] = store.messages(ticket)
    assert reply.body == message and str(reply.kind) == "reply"
    current = store.ticket(ticket)
    assert (str(current.court), str(current.status)) == ("customer", "waiting")
    log = [(e.action, e.after) for e in store.events(ticket)][-4:]
    assert log == [
        ("message", "reply"),
        ("court", "customer"),
        ("status", "waiting"),
        (
            "ask",
            "request-template:did, request-template:expected, "
            "request-template:env, request-template:screenshot",
        ),
    ]


def test_send_ask_refuses_unknown_values_and_an_empty_list(store: Store) -> None:
    ticket_id = operations.create_ticket(
        store, "amy", subject="s", requester="nobody@example.com"
    ).id
    checklists.attach(store, "amy", ticket_id, CATALOG.checklist("self-diagnosis"))
    with pytest.raises(InvalidInput, match="need customer.first_name, which is not known"):
        checklists.send_ask(store, "amy", ticket_id)
    assert store.messages(ticket_id) == []
    for number in range(1, 6):
        checklists.answer(store, "amy", ticket_id, str(number), "yes")
    with pytest.raises(InvalidInput, match="ticket #1 has no open question to ask"):
        checklists.send_ask(store, "amy", ticket_id)


def test_a_file_from_before_tags_and_checklists_is_brought_forward(tmp_path: Path) -> None:
    import sqlite3

    from console.core import schema

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    before = schema.MIGRATIONS.index(next(m for m in schema.MIGRATIONS if "CREATE TABLE tags" in m))
    schema.migrate(conn, target=before)
    conn.close()
    with Store.open(path) as opened:
        assert opened.conn.execute("PRAGMA user_version").fetchone()[0] == schema.LATEST
        ticket_id = operations.create_ticket(
            opened, "amy", subject="s", requester="a@example.com"
        ).id
        checklists.attach(opened, "amy", ticket_id, CATALOG.checklist("request-template"))
        assert len(checklists.items(opened, ticket_id)) == 5


def test_escalate_is_gated_by_required_questions(store: Store, ticket: int) -> None:
    from console.core import escalation
    from console.core.model import Line
    from console.core.team import Agent

    front = Agent("amy", "Amy", (Line.L1, Line.L2))
    with pytest.raises(EscalationBlocked):
        escalation.escalate(store, front, ticket, "tried the usual")
    assert store.ticket(ticket).line == Line.L1
    moved = escalation.escalate(
        store, front, ticket, "tried the usual", override_reason="P1: the customer is on the phone"
    )
    assert moved.line == Line.L2
    actions = [e.action for e in store.events(ticket)]
    assert actions[-3:] == ["checklist-override", "escalated", "status"]
