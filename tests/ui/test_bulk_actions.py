"""Bulk work on the queue screen with real keys: `space` selects a run of tickets, `*` every
ticket the filter shows, an action key asks its values once and how many, and each ticket
goes through the core on its own (one changed meanwhile is refused and stays selected)."""

from __future__ import annotations

from action_helpers import choose, dialog, until
from ui_helpers import frozen_clock, main_screen, screen_text, settle, ticket_list

from console.core import operations
from console.core.model import Line, Priority, QueueFilter
from console.core.query import parse
from console.core.store import Store
from console.tui.screens.dialogs import Confirm
from tests.support import make_desk


async def test_space_selects_and_an_action_key_applies_to_all(app, db_path) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        tickets = ticket_list(app)
        first = [tickets._row(i) for i in range(3)]
        await pilot.press("space", "space", "space")
        assert set(tickets.selected) == {t.id for t in first}
        assert "3 selected" in screen_text(app)
        # A colleague changes the second one after it was selected.
        with Store.open(db_path, clock=frozen_clock) as store:
            operations.note(make_desk(store, "bob"), first[1].id, "on it")
        await pilot.press("P")
        await choose(pilot, "P4")
        await dialog(pilot, Confirm)
        assert "Priority: 3 tickets?" in screen_text(app)
        await pilot.press("y")
        await until(pilot, lambda: set(tickets.selected) == {first[1].id}, "the refused one left")
        await settle(pilot)
        said = [n.message for n in app._notifications]
        assert any("Priority: 2 done, 1 refused" in m and "was changed by bob" in m for m in said)
        with Store.open(db_path, read_only=True) as store:
            priorities = [store.ticket(t.id).priority for t in first]
        assert priorities == [Priority.P4, first[1].priority, Priority.P4]
        await pilot.press("escape")  # lets go of the selection, keeps the queue
        assert not tickets.selected and main_screen(app).queue.id == "l1"


async def test_star_selects_what_the_filter_shows(app, db_path) -> None:
    query = "pri:P2 court:customer"
    with Store.open(db_path) as store:
        wanted = {t.id for t in store.tickets(QueueFilter(line=Line.L1, query=parse(query)))}
    assert len(wanted) > 1
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *query, "enter")
        await settle(pilot)
        await pilot.press("asterisk")
        tickets = ticket_list(app)
        await until(pilot, lambda: set(tickets.selected) == wanted, "every filtered ticket")
        await pilot.press("t")
        await dialog(pilot, Confirm)
        await pilot.press("y")
        await until(pilot, lambda: not tickets.selected, "all taken")
        with Store.open(db_path, read_only=True) as store:
            assert {store.ticket(t).assignee for t in wanted} == {app.desk.login}


async def test_with_nothing_selected_the_key_acts_on_the_cursor_row(app, db_path) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        current = ticket_list(app).current
        assert current is not None
        await pilot.press("C")  # close: the reason is optional
        await until(pilot, lambda: "#" in getattr(app.screen, "title_text", ""), "a question")
        assert app.screen.title_text.startswith(f"#{current.id}: ")
        await pilot.press("enter")  # no reason
        await until(pilot, lambda: "closing message" in getattr(app.screen, "title_text", ""))
        await pilot.press("ctrl+s")
        await dialog(pilot, Confirm)
        await pilot.press("y")
        await until(pilot, lambda: ticket_list(app).current != current, "the row gone")
        with Store.open(db_path, read_only=True) as store:
            assert store.ticket(current.id).status == "closed"


async def test_a_type_for_every_ticket_the_filter_shows(app, db_path) -> None:
    with Store.open(db_path) as store:
        wanted = {t.id for t in store.tickets(QueueFilter(line=Line.L1, query=parse("pri:P2")))}
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"pri:P2", "enter")
        await settle(pilot)
        await pilot.press("asterisk")
        tickets = ticket_list(app)
        await until(pilot, lambda: set(tickets.selected) == wanted, "every filtered ticket")
        await pilot.press("K")
        await choose(pilot, "bug")
        await dialog(pilot, Confirm)
        assert f"Type: {len(wanted)} tickets?" in screen_text(app)
        await pilot.press("y")
        await until(pilot, lambda: not tickets.selected, "all typed")
        await pilot.press("slash", "ctrl+u", *"type:bug", "enter")
        await until(pilot, lambda: tickets.total == len(wanted), "found by type:bug")
        assert {tickets._row(i).id for i in range(len(wanted))} == wanted
