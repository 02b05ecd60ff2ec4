"""The core behind the composer: a macro sent with the agent's edited text (and the ball kept),
and Traffic Cop's list of what changed while the agent was writing."""

from __future__ import annotations

import pytest

from console.core import macro_render, operations, traffic_cop
from console.core.desk import Desk
from console.core.errors import InvalidInput
from console.core.macros import Actions, Catalog, Macro
from console.core.model import Court, MessageKind, Status
from console.core.store import Store
from console.core.ticket_values import marker
from tests.support import FrozenClock, make_desk, utc

NOW = utc(2026, 3, 2, 9, 30)
GREET = Macro(
    id="greet",
    title="Greeting",
    body="Hello {customer.first_name}, fixed.",
    actions=Actions(status=Status.WAITING, tags=("fixed",)),
)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
def desk(store: Store) -> Desk:
    return make_desk(store, "amy")


def _ticket(desk: Desk, requester: str = "Ann Lee <ann@example.com>") -> int:
    ticket = operations.create_ticket(
        desk, subject="Cannot log in", requester=requester, body="help"
    )
    return operations.customer_message(desk, ticket.id, "still broken").id


def test_apply_sends_the_edited_text_with_the_macro_actions(desk: Desk, store: Store) -> None:
    ticket_id = _ticket(desk)
    applied = macro_render.apply(
        desk,
        Catalog(macros=(GREET,)),
        GREET,
        ticket_id,
        text="Hello Ann, fixed. Edited by hand.",
    )
    assert store.messages(ticket_id)[-1].body == "Hello Ann, fixed. Edited by hand."
    assert applied.ticket.status == Status.WAITING
    assert applied.ticket.court == Court.CUSTOMER


def test_apply_keep_court_keeps_the_ball_with_us(desk: Desk) -> None:
    ticket_id = _ticket(desk)
    macro = Macro(id="ack", title="Ack", body="We are on it.")
    applied = macro_render.apply(
        desk,
        Catalog(macros=(macro,)),
        macro,
        ticket_id,
        text="We are on it.",
        keep_court=True,
    )
    assert applied.ticket.court == Court.US


def test_edited_text_is_refused_only_while_a_marker_is_left(desk: Desk, store: Store) -> None:
    ticket_id = _ticket(desk, requester="ann@example.com")  # no name: first_name unknown
    version = store.ticket(ticket_id).version
    with pytest.raises(InvalidInput, match="customer.first_name"):
        macro_render.apply(
            desk,
            Catalog(macros=(GREET,)),
            GREET,
            ticket_id,
            text=f"Hello {marker('customer.first_name')}, fixed.",
        )
    assert store.ticket(ticket_id).version == version  # nothing written
    macro_render.apply(desk, Catalog(macros=(GREET,)), GREET, ticket_id, text="Hello Ann, fixed.")
    assert store.messages(ticket_id)[-1].body == "Hello Ann, fixed."
    with pytest.raises(InvalidInput, match="empty"):
        macro_render.apply(desk, Catalog(macros=(GREET,)), GREET, ticket_id, text=" ")


def test_traffic_cop_lists_what_others_did_since(desk: Desk, store: Store) -> None:
    ticket_id = _ticket(desk)
    seen = traffic_cop.last_event_id(store, ticket_id)
    assert traffic_cop.changes_since(store, ticket_id, seen).changes == ()
    bob = desk.acting_as("bob")
    operations.customer_message(desk.acting_as("intake"), ticket_id, "[b]It works\x1b[2J now[/b]")
    operations.reply(bob, ticket_id, "Glad to hear it.")
    operations.note(bob, ticket_id, "closing soon")
    since = traffic_cop.changes_since(store, ticket_id, seen)
    lines = [c.text for c in since.changes]
    assert lines[0] == (
        "ann@example.com the customer wrote: \u201c[b]It works\u241b[2J now[/b]\u201d"
    )
    assert "bob replied to the customer: \u201cGlad to hear it.\u201d" in lines
    assert "bob changed court: us \u2192 customer" in lines
    assert "bob added an internal note: \u201cclosing soon\u201d" in lines
    assert since.version == store.ticket(ticket_id).version
    assert since.last_event_id == traffic_cop.last_event_id(store, ticket_id)
    assert "\x1b" not in since.describe()


def test_traffic_cop_says_how_many_more(desk: Desk, store: Store) -> None:
    ticket_id = _ticket(desk)
    seen = traffic_cop.last_event_id(store, ticket_id)
    for n in range(traffic_cop.MAX_CHANGES + 5):
        operations.note(desk.acting_as("bob"), ticket_id, f"note {n}")
    since = traffic_cop.changes_since(store, ticket_id, seen)
    assert len(since.changes) == traffic_cop.MAX_CHANGES and since.more == 5
    assert since.describe().endswith("... and 5 more")
    assert store.messages(ticket_id)[-1].kind == MessageKind.NOTE
