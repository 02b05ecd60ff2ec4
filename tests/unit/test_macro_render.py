"""Rendering a macro for a ticket and applying it: placeholders, markers, one transaction."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from console.core import checklists, macro_render, operations, tags, workflow
from console.core.desk import Desk
from console.core.errors import InvalidInput, TicketConflict
from console.core.macro_loader import load_catalog
from console.core.macros import Actions, Catalog, Checklist, Macro, Question
from console.core.model import Court, MessageKind, Priority, Status
from console.core.sla import policy_from_config
from console.core.store import Store
from console.core.team import NotAllowed, parse_team
from console.core.ticket_values import marker, render_text
from tests.support import FrozenClock, make_desk

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
def desk(store: Store) -> Desk:
    return make_desk(store, "amy")


def new_ticket(
    desk: Desk, requester: str = "Ann Lee <ann@example.com>", subject: str = "Cannot log in"
) -> int:
    return operations.create_ticket(desk, subject=subject, requester=requester, body="help").id


def test_every_placeholder_renders_for_a_ticket(store: Store) -> None:
    team = parse_team({"agents": {"amy": {"name": "Amy Pond"}}})
    desk = make_desk(store, "amy", team=team)
    ticket_id = new_ticket(desk)
    body = (
        "{ticket.id}|{ticket.subject}|{ticket.priority}|{ticket.line}|{ticket.status}|"
        "{ticket.created}|{customer.name}|{customer.first_name}|{customer.email}|"
        "{agent.name}|{agent.login}|{sla.next_update}|{today}|{{literal}}"
    )
    rendered = macro_render.preview(desk, Macro(id="m", title="t", body=body), ticket_id)
    assert rendered.text == (
        "1|Cannot log in|P3|L1|new|2026-03-02 09:30 UTC|Ann Lee|Ann|"
        "ann@example.com|Amy Pond|amy|2026-03-03 09:30 UTC|2026-03-02|"
        "{literal}"
    )
    assert rendered.missing == ()


def test_unknown_values_show_as_markers_never_crash(store: Store, desk: Desk) -> None:
    ticket_id = new_ticket(desk, requester="nobody@example.com")
    macro = Macro(id="m", title="t", body="Hello {customer.first_name} ({customer.email})")
    rendered = macro_render.preview(desk, macro, ticket_id)
    assert rendered.text == f"Hello {marker('customer.first_name')} (nobody@example.com)"
    assert rendered.missing == ("customer.first_name",)


def test_hostile_subject_is_one_visible_line(store: Store, desk: Desk) -> None:
    ticket_id = new_ticket(desk, subject="ok\x1b]52;c;ZXZpbA==\x07\nsecond [bold]line[/]")
    text, _ = render_text(
        "{ticket.subject}", macro_render.ticket_values(desk, store.ticket(ticket_id))
    )
    assert "\x1b" not in text and "\x07" not in text and "\n" not in text
    assert text.endswith("second [bold]line[/]")


def test_sla_next_update_is_the_teams_target_in_working_time_and_zone(store: Store) -> None:
    policy = policy_from_config(
        {
            "next_update": "8h",
            "calendar": {"timezone": "Europe/Kyiv", "hours": "09:00-17:00"},
        }
    )
    desk = make_desk(store, "amy", policy=policy)
    ticket_id = new_ticket(desk)
    macro = Macro(id="m", title="t", body="by {sla.next_update}; opened {ticket.created}; {today}")
    rendered = macro_render.preview(desk, macro, ticket_id)
    # Monday 11:30 in Kyiv: 5h30 of working time left today, 2h30 more on Tuesday morning.
    assert rendered.text == "by 2026-03-03 11:30 EET; opened 2026-03-02 11:30 EET; 2026-03-02"


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


def test_apply_writes_message_and_actions_in_one_transaction(store: Store, desk: Desk) -> None:
    ticket_id = new_ticket(desk)
    catalog = load_catalog([ROOT / "macros.toml"])
    applied = macro_render.apply(
        desk, catalog, catalog.macro("need-details"), ticket_id, expected_version=1
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
        # The reply tells the customer when they will hear from us: a promise to keep.
        "promised the customer an update by 2026-03-03 09:30 UTC",
    )
    events = [(e.action, e.before, e.after, e.detail) for e in store.events(ticket_id)][1:]
    assert events == [
        ("message", None, "reply", f"message {message.id}"),
        ("checklist", None, "request-template", "macro need-details"),
        ("macro", None, "need-details", catalog.macro("need-details").title),
        ("status", "new", "waiting", "macro need-details"),
        ("court", "us", "customer", "macro need-details"),
        ("assignee", None, "amy", "macro need-details"),  # who answered has it now
        (
            "followup",
            None,
            "2026-03-03T09:30:00Z",
            "promised the customer an update by 2026-03-03 09:30 UTC",
        ),
    ]
    # A canned reply is a reply: it answers the customer first and pauses our clock.
    clocks = workflow.clocks(store, ticket_id)
    assert clocks.first_response_at == message.created_at
    assert len(checklists.items(store, ticket_id)) == 5


def test_a_canned_reply_without_court_action_gives_the_ball_to_the_customer(
    store: Store, desk: Desk
) -> None:
    ticket_id = new_ticket(desk)
    catalog = load_catalog([ROOT / "macros.toml"])
    applied = macro_render.apply(desk, catalog, catalog.macro("ask-screenshot"), ticket_id)
    assert (applied.ticket.court, applied.ticket.status) == (Court.CUSTOMER, Status.WAITING)


def test_apply_adds_tags_once_and_skips_values_already_set(store: Store, desk: Desk) -> None:
    ticket_id = new_ticket(desk)
    catalog = load_catalog([ROOT / "macros.toml"])
    macro = catalog.macro("known-outage")  # court us (already), status waiting, tag outage
    first = macro_render.apply(desk, catalog, macro, ticket_id)
    assert first.done == ("set status to waiting", "add tag outage")
    again = macro_render.apply(desk, catalog, macro, ticket_id)
    assert again.done == ()
    assert tags.tags(store, ticket_id) == ["outage"]
    assert len(store.messages(ticket_id)) == 2


def test_reply_with_unknown_value_is_refused_and_nothing_written(store: Store, desk: Desk) -> None:
    ticket_id = new_ticket(desk, requester="nobody@example.com")
    named = Macro(id="named", title="t", body="Dear {customer.first_name}, it works now.")
    catalog = Catalog(macros=(named,), checklists=())
    with pytest.raises(
        InvalidInput,
        match=r"macro 'named' needs customer.first_name for "
        r"ticket #1, which is not known",
    ):
        macro_render.apply(desk, catalog, named, ticket_id)
    assert store.messages(ticket_id) == [] and store.ticket(ticket_id).version == 1
    applied = macro_render.apply(desk, catalog, named, ticket_id, allow_missing=True)
    assert marker("customer.first_name") in applied.rendered.text


def test_conflict_writes_nothing(store: Store, desk: Desk) -> None:
    ticket_id = new_ticket(desk)
    operations.set_priority(desk.acting_as("bob"), ticket_id, Priority.P1)
    catalog = Catalog(
        macros=(), checklists=(Checklist(id="c", title="C", questions=(Question("q", "Q?"),)),)
    )
    macro = Macro(id="m", title="t", body="hi", actions=Actions(tags=("x",), checklist="c"))
    with pytest.raises(TicketConflict):
        macro_render.apply(desk, catalog, macro, ticket_id, expected_version=1)
    assert store.messages(ticket_id) == [] and tags.tags(store, ticket_id) == []
    assert checklists.attached(store, ticket_id) == []
    assert [e.action for e in store.events(ticket_id)] == ["created", "priority"]


def test_note_macro_renders_without_customer_data(store: Store, desk: Desk) -> None:
    ticket_id = new_ticket(desk)
    catalog = load_catalog([ROOT / "macros.toml"])
    applied = macro_render.apply(desk, catalog, catalog.macro("note-handoff"), ticket_id)
    assert store.messages(ticket_id)[0].kind == MessageKind.NOTE
    assert applied.rendered.text.startswith("Hand-off for #1 (P3, L1), by amy on 2026-03-02")


def test_a_promise_made_by_a_macro_is_kept_by_the_next_public_reply(
    store: Store, desk: Desk, clock: FrozenClock
) -> None:
    ticket_id = new_ticket(desk)
    catalog = load_catalog([ROOT / "macros.toml"])
    macro_render.apply(desk, catalog, catalog.macro("need-details"), ticket_id)
    promised = workflow.clocks(store, ticket_id)
    assert (promised.followup_due_at, promised.followup_by_reply) == ("2026-03-03T09:30:00Z", True)
    clock.advance(hours=2)
    operations.customer_message(desk, ticket_id, "It is Firefox 140 on Windows 11.")
    assert workflow.clocks(store, ticket_id).followup_due_at is not None  # not kept yet
    operations.reply(desk, ticket_id, "Thank you, we are looking into it.", keep_court=True)
    kept = workflow.clocks(store, ticket_id)
    assert (kept.followup_due_at, kept.followup_by_reply) == (None, False)
    event = store.events(ticket_id)[-1]
    assert (event.action, event.before, event.after, event.detail) == (
        "followup",
        "2026-03-03T09:30:00Z",
        None,
        "kept by this reply",
    )


def test_the_nudge_macro_keeps_the_customers_idle_clock(
    store: Store, desk: Desk, clock: FrozenClock
) -> None:
    ticket_id = new_ticket(desk)
    catalog = load_catalog([ROOT / "macros.toml"])
    operations.reply(desk, ticket_id, "Which version do you use?")
    waiting = workflow.clocks(store, ticket_id)
    assert (waiting.status, waiting.court) == (Status.WAITING, Court.CUSTOMER)
    clock.advance(days=3)
    macro_render.apply(desk, catalog, catalog.macro("nudge"), ticket_id)
    nudged = workflow.clocks(store, ticket_id)
    assert (nudged.status, nudged.court) == (Status.WAITING, Court.CUSTOMER)
    # The customer has had the ball since the first reply: auto-close still counts from then.
    assert nudged.clock_since == waiting.clock_since == "2026-03-02T09:30:00Z"
    assert nudged.nudged_since == waiting.clock_since
    assert [e.action for e in store.events(ticket_id)][-1] == "nudge"


def test_the_third_line_may_not_apply_a_reply_macro(store: Store) -> None:
    team = parse_team(
        {"agents": {"amy": {"lines": ["L1"]}, "tess": {"name": "Tess", "lines": ["L3"]}}}
    )
    amy = make_desk(store, "amy", team=team)
    tess = amy.acting_as("tess")
    ticket_id = new_ticket(amy)
    catalog = load_catalog([ROOT / "macros.toml"])
    before = (store.ticket(ticket_id), store.events(ticket_id))
    for macro in ("ask-screenshot", "need-details", "nudge"):
        with pytest.raises(
            NotAllowed,
            match="tess works L3 and cannot write to the customer; ask the front line instead",
        ):
            macro_render.apply(tess, catalog, catalog.macro(macro), ticket_id, allow_missing=True)
    assert store.messages(ticket_id) == [] and tags.tags(store, ticket_id) == []
    assert checklists.attached(store, ticket_id) == []
    assert (store.ticket(ticket_id), store.events(ticket_id)) == before
    # An internal note is for the team: the third line may write one from a macro.
    applied = macro_render.apply(tess, catalog, catalog.macro("note-handoff"), ticket_id)
    assert store.messages(ticket_id)[0].kind == MessageKind.NOTE
    assert applied.rendered.text.startswith("Hand-off for #1 (P3, L1), by Tess on 2026-03-02")
