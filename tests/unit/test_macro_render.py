"""Rendering a macro for a ticket and applying it: placeholders, markers, one transaction."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from console.core import checklists, macro_render, operations, tags, workflow
from console.core.errors import InvalidInput, TicketConflict
from console.core.macro_loader import load_catalog
from console.core.macros import Actions, Catalog, Checklist, Macro, Question
from console.core.model import Court, MessageKind, Priority, Status
from console.core.store import Store
from console.core.ticket_values import marker, render_text

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    with Store.open(tmp_path / "t.db", clock=lambda: NOW) as opened:
        yield opened


def new_ticket(
    store: Store, requester: str = "Ann Lee <ann@example.com>", subject: str = "Cannot log in"
) -> int:
    return operations.create_ticket(
        store, "amy", subject=subject, requester=requester, body="help"
    ).id


def test_every_placeholder_renders_for_a_ticket(store: Store) -> None:
    ticket_id = new_ticket(store)
    body = (
        "{ticket.id}|{ticket.subject}|{ticket.priority}|{ticket.line}|{ticket.status}|"
        "{ticket.created}|{customer.name}|{customer.first_name}|{customer.email}|"
        "{agent.name}|{agent.login}|{sla.next_update}|{today}|{{literal}}"
    )
    rendered = macro_render.preview(
        store, Macro(id="m", title="t", body=body), ticket_id, "amy", agent_name="Amy Pond"
    )
    assert rendered.text == (
        "1|Cannot log in|P3|L1|new|2026-03-02 09:30:00 UTC|Ann Lee|Ann|"
        "ann@example.com|Amy Pond|amy|2026-03-03 09:30 UTC|2026-03-02|"
        "{literal}"
    )
    assert rendered.missing == ()


def test_unknown_values_show_as_markers_never_crash(store: Store) -> None:
    ticket_id = new_ticket(store, requester="nobody@example.com")
    macro = Macro(id="m", title="t", body="Hello {customer.first_name} ({customer.email})")
    rendered = macro_render.preview(store, macro, ticket_id, "amy")
    assert rendered.text == f"Hello {marker('customer.first_name')} (nobody@example.com)"
    assert rendered.missing == ("customer.first_name",)


def test_hostile_subject_is_one_visible_line(store: Store) -> None:
    ticket_id = new_ticket(store, subject="ok\x1b]52;c;ZXZpbA==\x07\nsecond [bold]line[/]")
    text, _ = render_text(
        "{ticket.subject}", macro_render.ticket_values(store, store.ticket(ticket_id), "amy")
    )
    assert "\x1b" not in text and "\x07" not in text and "\n" not in text
    assert text.endswith("second [bold]line[/]")


def test_sla_next_update_can_come_from_the_sla_clock(store: Store) -> None:
    ticket_id = new_ticket(store)
    macro = Macro(id="m", title="t", body="by {sla.next_update}")
    rendered = macro_render.preview(
        store, macro, ticket_id, "amy", next_update=datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
    )
    assert rendered.text == "by 2026-03-04 12:00 UTC"


def test_preview_lists_actions_in_order() -> None:
    macro = Macro(
        id="m",
        title="t",
        body="b",
        actions=Actions(
            status=Status.WAITING,
            court=Court.CUSTOMER,
            priority=Priority.P2,
            tags=("a", "b"),
            checklist="basics",
        ),
    )
    assert macro_render.render(macro, {}).actions == (
        "add a public reply",
        "set status to waiting",
        "set court to customer",
        "set priority to P2",
        "add tag a",
        "add tag b",
        "attach checklist basics",
    )


def test_apply_writes_message_and_actions_in_one_transaction(store: Store) -> None:
    ticket_id = new_ticket(store)
    catalog = load_catalog([ROOT / "macros.toml"])
    applied = macro_render.apply(
        store, "amy", catalog, catalog.macro("need-details"), ticket_id, expected_version=1
    )
    ticket = applied.ticket
    assert (ticket.status, ticket.court, ticket.version) == (Status.WAITING, Court.CUSTOMER, 2)
    [message] = store.messages(ticket_id)
    assert message.kind == MessageKind.REPLY and message.body == applied.rendered.text
    assert message.body.startswith(
        'Hello Ann,\n\nthank you for contacting us about "Cannot log in"'
    )
    assert applied.done == (
        "set status to waiting",
        "set court to customer",
        "attach checklist request-template",
    )
    events = [(e.action, e.before, e.after, e.detail) for e in store.events(ticket_id)][1:]
    assert events == [
        ("message", None, "reply", f"message {message.id}"),
        ("status", "new", "waiting", "macro need-details"),
        ("court", "us", "customer", "macro need-details"),
        ("checklist", None, "request-template", "macro need-details"),
        ("macro", None, "need-details", catalog.macro("need-details").title),
    ]
    # A canned reply is a reply: it answers the customer first and pauses our clock.
    clocks = workflow.clocks(store, ticket_id)
    assert clocks.first_response_at == message.created_at
    assert len(checklists.items(store, ticket_id)) == 5


def test_a_canned_reply_without_court_action_gives_the_ball_to_the_customer(store: Store) -> None:
    ticket_id = new_ticket(store)
    catalog = load_catalog([ROOT / "macros.toml"])
    applied = macro_render.apply(store, "amy", catalog, catalog.macro("ask-screenshot"), ticket_id)
    assert (applied.ticket.court, applied.ticket.status) == (Court.CUSTOMER, Status.WAITING)


def test_apply_adds_tags_once_and_skips_values_already_set(store: Store) -> None:
    ticket_id = new_ticket(store)
    catalog = load_catalog([ROOT / "macros.toml"])
    macro = catalog.macro("known-outage")  # court us (already), status waiting, tag outage
    first = macro_render.apply(store, "amy", catalog, macro, ticket_id)
    assert first.done == ("set status to waiting", "add tag outage")
    again = macro_render.apply(store, "amy", catalog, macro, ticket_id)
    assert again.done == ()
    assert tags.tags(store, ticket_id) == ["outage"]
    assert len(store.messages(ticket_id)) == 2


def test_reply_with_unknown_value_is_refused_and_nothing_written(store: Store) -> None:
    ticket_id = new_ticket(store, requester="nobody@example.com")
    catalog = load_catalog([ROOT / "macros.toml"])
    with pytest.raises(
        InvalidInput,
        match=r"macro 'nudge' needs customer.first_name for "
        r"ticket #1, which is not known",
    ):
        macro_render.apply(store, "amy", catalog, catalog.macro("nudge"), ticket_id)
    assert store.messages(ticket_id) == [] and store.ticket(ticket_id).version == 1
    applied = macro_render.apply(
        store, "amy", catalog, catalog.macro("nudge"), ticket_id, allow_missing=True
    )
    assert marker("customer.first_name") in applied.rendered.text


def test_conflict_writes_nothing(store: Store) -> None:
    ticket_id = new_ticket(store)
    operations.set_priority(store, "bob", ticket_id, "P1")
    catalog = Catalog(
        macros=(), checklists=(Checklist(id="c", title="C", questions=(Question("q", "Q?"),)),)
    )
    macro = Macro(id="m", title="t", body="hi", actions=Actions(tags=("x",), checklist="c"))
    with pytest.raises(TicketConflict):
        macro_render.apply(store, "amy", catalog, macro, ticket_id, expected_version=1)
    assert store.messages(ticket_id) == [] and tags.tags(store, ticket_id) == []
    assert checklists.attached(store, ticket_id) == []
    assert [e.action for e in store.events(ticket_id)] == ["created", "priority"]


def test_note_macro_renders_without_customer_data(store: Store) -> None:
    ticket_id = new_ticket(store)
    catalog = load_catalog([ROOT / "macros.toml"])
    applied = macro_render.apply(store, "amy", catalog, catalog.macro("note-handoff"), ticket_id)
    assert store.messages(ticket_id)[0].kind == MessageKind.NOTE
    assert applied.rendered.text.startswith("Hand-off for #1 (P3, L1), by amy on 2026-03-02")
