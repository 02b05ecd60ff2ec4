"""The composer by keys: a reply and a note land in the store with the right court, look
different, keep their draft across a closed app, and Traffic Cop and conflicts never lose text."""

from __future__ import annotations

import threading
from typing import Any

from action_helpers import until
from compose_helpers import fresh_ticket, open_on, type_text, wait_for
from ui_helpers import AGENT, frozen_clock, screen_text, settle

from console.core import drafts, operations
from console.core.actions import Outcome, TicketAction
from console.core.desk import Desk
from console.core.model import Channel, Court, MessageKind
from console.core.store import Store
from console.tui.screens.compose import ComposeScreen
from console.tui.screens.detail import DetailScreen
from console.tui.screens.dialogs import Confirm
from console.tui.screens.help import HelpScreen
from tests.support import make_desk


def _last_message(db_path, ticket_id):
    with Store.open(db_path, clock=frozen_clock) as store:
        return store.messages(ticket_id)[-1], store.ticket(ticket_id)


async def test_reply_by_keys_goes_to_the_customer(app, db_path) -> None:
    ticket = fresh_ticket(db_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_on(pilot, app, ticket.id)
        await pilot.press("r")
        await wait_for(pilot, ComposeScreen)
        text = screen_text(app)
        assert "PUBLIC \u2014 the customer will read this" in text
        assert "ball goes to the CUSTOMER" in text
        await type_text(pilot, "Please restart the router.")
        await pilot.press("ctrl+s")
        await wait_for(pilot, DetailScreen)
    message, after = _last_message(db_path, ticket.id)
    assert (message.kind, message.author, message.body) == (
        MessageKind.REPLY,
        AGENT,
        "Please restart the router.",
    )
    assert after.court == Court.CUSTOMER


async def test_reply_keeping_the_ball_and_a_note(app, db_path) -> None:
    ticket = fresh_ticket(db_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_on(pilot, app, ticket.id)
        await pilot.press("r")
        await wait_for(pilot, ComposeScreen)
        await type_text(pilot, "Looking into it.")
        await pilot.press("ctrl+t")
        assert "ball stays with US" in screen_text(app)
        await pilot.press("ctrl+s")
        await wait_for(pilot, DetailScreen)
        message, after = _last_message(db_path, ticket.id)
        assert message.kind == MessageKind.REPLY and after.court == Court.US
        await pilot.press("n")
        await wait_for(pilot, ComposeScreen)
        text = screen_text(app)
        assert "INTERNAL note \u2014 only the team sees this" in text and "PUBLIC" not in text
        assert "Keep ball" not in text  # no ball to keep on a note
        await type_text(pilot, "Router firmware is old.")
        await pilot.press("ctrl+s")
        await wait_for(pilot, DetailScreen)
    message, after = _last_message(db_path, ticket.id)
    assert (message.kind, message.body) == (MessageKind.NOTE, "Router firmware is old.")
    assert after.court == Court.US


async def test_customer_said_moves_the_ball_to_us(app, db_path) -> None:
    ticket = fresh_ticket(db_path)
    with Store.open(db_path, clock=frozen_clock) as store:
        operations.reply(make_desk(store, "bob"), ticket.id, "Which router?")
    async with app.run_test(size=(120, 36)) as pilot:
        await open_on(pilot, app, ticket.id)
        await pilot.press("i")
        await wait_for(pilot, ComposeScreen)
        assert "FROM THE CUSTOMER" in screen_text(app)
        await type_text(pilot, "A Fritzbox 7590.")
        await pilot.press("ctrl+s")
        await wait_for(pilot, DetailScreen)
    message, after = _last_message(db_path, ticket.id)
    assert (message.kind, message.body) == (MessageKind.CUSTOMER, "A Fritzbox 7590.")
    assert message.channel == Channel.PHONE
    assert after.court == Court.US


async def test_the_customers_words_say_how_they_came(make, db_path) -> None:
    ticket = fresh_ticket(db_path)
    app = make()
    async with app.run_test(size=(120, 36)) as pilot:
        await open_on(pilot, app, ticket.id)
        await pilot.press("i")
        await wait_for(pilot, ComposeScreen)
        assert "said this by phone (ctrl+g: in chat)" in screen_text(app)
        await pilot.press("ctrl+g")
        await until(pilot, lambda: "said this in chat" in screen_text(app))
        await type_text(pilot, "Typed in the chat window.")
        await pilot.press("ctrl+s")
        await wait_for(pilot, DetailScreen)
        await until(pilot, lambda: "in chat" in screen_text(app))
    message, _after = _last_message(db_path, ticket.id)
    assert (message.body, message.channel) == ("Typed in the chat window.", Channel.CHAT)


async def test_quitting_with_a_draft_open_asks_first(make, db_path) -> None:
    ticket = fresh_ticket(db_path)
    app = make()
    async with app.run_test(size=(120, 36)) as pilot:
        await open_on(pilot, app, ticket.id)
        await pilot.press("n")
        await wait_for(pilot, ComposeScreen)
        await type_text(pilot, "Checked the logs")
        await pilot.press("ctrl+q")
        await wait_for(pilot, Confirm)
        assert f"Quit with the internal note on #{ticket.id} not sent?" in screen_text(app)
        await pilot.press("n")  # no: back to the note, as it was
        await wait_for(pilot, ComposeScreen)
        assert app.is_running and "Checked the logs" in screen_text(app)
        await pilot.press("ctrl+q")
        await wait_for(pilot, Confirm)
        await pilot.press("y")
        await until(pilot, lambda: not app.is_running, "the console quit")
    with Store.open(db_path, clock=frozen_clock) as store:
        assert drafts.load(store, AGENT, ticket.id, "note").body == "Checked the logs"


async def test_quitting_with_an_empty_composer_does_not_ask(make, db_path) -> None:
    ticket = fresh_ticket(db_path)
    app = make()
    async with app.run_test(size=(120, 36)) as pilot:
        await open_on(pilot, app, ticket.id)
        await pilot.press("r")
        await wait_for(pilot, ComposeScreen)
        await pilot.press("ctrl+q")
        await until(pilot, lambda: not app.is_running, "the console quit")


async def test_the_draft_survives_closing_the_app(make, db_path) -> None:
    ticket = fresh_ticket(db_path)
    app = make()
    async with app.run_test(size=(120, 36)) as pilot:
        await open_on(pilot, app, ticket.id)
        await pilot.press("r")
        await wait_for(pilot, ComposeScreen)
        await type_text(pilot, "Half a thought")
        await pilot.press("escape")
        await wait_for(pilot, DetailScreen)
        await pilot.press("n")
        await wait_for(pilot, ComposeScreen)
        await type_text(pilot, "note typed when the session died")
        app.exit()  # the app goes away with the composer open
    with Store.open(db_path, clock=frozen_clock) as store:
        assert drafts.load(store, AGENT, ticket.id, "reply").body == "Half a thought"
        assert drafts.load(store, AGENT, ticket.id, "note").body == (
            "note typed when the session died"
        )
        assert len(store.messages(ticket.id)) == 1  # nothing was sent
    again = make()
    async with again.run_test(size=(120, 36)) as pilot:
        await open_on(pilot, again, ticket.id)
        await pilot.press("r")
        await wait_for(pilot, ComposeScreen)
        assert again.screen.query_one("#compose-text").text == "Half a thought"
        await type_text(pilot, ", finished.")
        await pilot.press("ctrl+s")
        await wait_for(pilot, DetailScreen)
    message, _ = _last_message(db_path, ticket.id)
    assert message.body == "Half a thought, finished."
    with Store.open(db_path, clock=frozen_clock) as store:
        assert drafts.load(store, AGENT, ticket.id, "reply") is None  # sent: discarded
        assert drafts.load(store, AGENT, ticket.id, "note") is not None


async def test_what_is_typed_while_the_draft_is_read_is_kept_after_it(
    app, db_path, monkeypatch
) -> None:
    ticket = fresh_ticket(db_path)
    with Store.open(db_path, clock=frozen_clock) as store:
        drafts.save(store, AGENT, ticket.id, "reply", "Dear Ann,")
    read = threading.Event()
    load = drafts.load

    def slow_load(*args: Any, **kwargs: Any) -> Any:
        read.wait(5)  # the draft comes back only once the agent has started typing
        return load(*args, **kwargs)

    monkeypatch.setattr(drafts, "load", slow_load)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_on(pilot, app, ticket.id)
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, ComposeScreen), "the composer")
        await type_text(pilot, "the driver is fixed")
        read.set()
        editor = app.screen.query_one("#compose-text")
        await until(pilot, lambda: editor.text == "Dear Ann,\n\nthe driver is fixed", "draft")


async def test_traffic_cop_shows_what_arrived_and_no_keeps_the_text(app, db_path) -> None:
    ticket = fresh_ticket(db_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_on(pilot, app, ticket.id)
        await pilot.press("r")
        await wait_for(pilot, ComposeScreen)
        await type_text(pilot, "Try a cable.")
        with Store.open(db_path, clock=frozen_clock) as other:  # another console, another process
            operations.customer_message(make_desk(other, "intake"), ticket.id, "Works now!")
        await pilot.press("ctrl+s")
        await wait_for(pilot, Confirm)
        text = screen_text(app)
        assert "Send anyway?" in text
        assert "the customer wrote: \u201cWorks now!\u201d" in text
        await pilot.press("n")
        await wait_for(pilot, ComposeScreen)
        assert app.screen.query_one("#compose-text").text == "Try a cable."
        with Store.open(db_path, clock=frozen_clock) as store:
            assert store.messages(ticket.id)[-1].kind == MessageKind.CUSTOMER
        # Seen now: sending again does not ask about the same change twice.
        await pilot.press("ctrl+s")
        await wait_for(pilot, DetailScreen)
    message, after = _last_message(db_path, ticket.id)
    assert (message.kind, message.body) == (MessageKind.REPLY, "Try a cable.")


async def test_a_conflict_from_the_core_keeps_the_text_and_the_draft(
    app, db_path, monkeypatch
) -> None:
    ticket = fresh_ticket(db_path)
    perform = TicketAction.perform
    landed: list[int] = []

    def colleague_first(
        self: TicketAction,
        desk: Desk,
        ticket_id: int,
        values: dict[str, Any],
        *,
        expected_version: int | None,
    ) -> Outcome:
        # A colleague's write landing between Traffic Cop's look and our write (bob takes
        # the ticket, from his own console): the core must refuse ours as a conflict.
        if not landed:
            with Store.open(db_path, clock=frozen_clock) as other:
                landed.append(operations.take(make_desk(other, "bob"), ticket_id).version)
        return perform(self, desk, ticket_id, values, expected_version=expected_version)

    async with app.run_test(size=(120, 36)) as pilot:
        await open_on(pilot, app, ticket.id)
        await pilot.press("r")
        await wait_for(pilot, ComposeScreen)
        screen = app.screen
        await type_text(pilot, "Checked the logs.")
        monkeypatch.setattr(TicketAction, "perform", colleague_first)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert landed  # the colleague's change did land in between
        assert app.screen is screen
        assert screen.query_one("#compose-text").text == "Checked the logs."
        assert any(
            "was changed by bob" in n.message and "kept as a draft" in n.message
            for n in app._notifications
        )
    with Store.open(db_path, clock=frozen_clock) as store:
        assert len(store.messages(ticket.id)) == 1
        assert drafts.load(store, AGENT, ticket.id, "reply").body == "Checked the logs."


async def test_f1_shows_the_composer_keys(app, db_path) -> None:
    ticket = fresh_ticket(db_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_on(pilot, app, ticket.id)
        await pilot.press("r")
        await wait_for(pilot, ComposeScreen)
        await type_text(pilot, "Why?")
        await pilot.press("f1")
        await wait_for(pilot, HelpScreen)
        text = screen_text(app)
        for description in ("Send", "Keep ball", "$EDITOR", "Macros", "Back (draft kept)"):
            assert description in text
        await pilot.press("escape")
        await wait_for(pilot, ComposeScreen)
        assert app.screen.query_one("#compose-text").text == "Why?"
