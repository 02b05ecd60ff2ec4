"""Another process's change shows up without a key press, in the list and in an open ticket."""

from __future__ import annotations

import asyncio

from ui_helpers import AGENT, frozen_clock, screen_text, settle, ticket_list

from console.core import operations
from console.core.model import Priority
from console.core.store import Store
from tests.support import make_desk


async def _wait_for(predicate, seconds: float = 2.5) -> bool:  # type: ignore[no-untyped-def]
    for _ in range(int(seconds / 0.05)):
        if predicate():
            return True
        await asyncio.sleep(0.05)
    return predicate()


async def test_a_new_ticket_from_elsewhere_appears_within_seconds(app, db_path) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        before = ticket_list(app).total
        with Store.open(db_path, clock=frozen_clock) as other:
            ticket = operations.create_ticket(
                make_desk(other, "monitoring"),
                subject="Disk full on db-7",
                requester="alerts@example.com",
                priority=Priority.P1,
            )
        assert await _wait_for(lambda: ticket_list(app).total == before + 1)
        await pilot.pause()
        assert "Disk full on db-7" in screen_text(app)
        said = [str(n.message) for n in app._notifications]  # a P1 is announced, once
        assert [m for m in said if m.startswith("New P1")] == [
            f"New P1 in L1 first line: #{ticket.id} Disk full on db-7"
        ]
        # The sidebar's count follows a moment after the rows.
        assert await _wait_for(lambda: f"L1 first line  {before + 1}" in screen_text(app))


async def test_a_p2_arrives_unannounced_and_a_raised_one_is_announced(app, db_path) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        before = ticket_list(app).total
        with Store.open(db_path, clock=frozen_clock) as other:
            desk = make_desk(other, "bob")
            ticket = operations.create_ticket(
                desk, subject="Slow reports", requester="a@example.com", priority=Priority.P2
            )
        assert await _wait_for(lambda: ticket_list(app).total == before + 1)
        await settle(pilot)
        assert not [n for n in app._notifications if str(n.message).startswith("New P1")]
        with Store.open(db_path, clock=frozen_clock) as other:
            operations.set_priority(make_desk(other, "bob"), ticket.id, Priority.P1)
        assert await _wait_for(
            lambda: any(f"#{ticket.id} Slow reports" in str(n.message) for n in app._notifications)
        )


async def test_an_open_ticket_shows_a_note_added_elsewhere(app, db_path) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        ticket = ticket_list(app).current
        assert ticket is not None
        await pilot.press("enter")
        await settle(pilot)
        with Store.open(db_path, clock=frozen_clock) as other:
            operations.note(
                make_desk(other, "bob"), ticket.id, "Checked the logs: the 500s started at 09:14."
            )
        assert await _wait_for(lambda: "the 500s started at 09:14" in screen_text(app))
        assert "Internal note" in screen_text(app)
        assert "bob added an internal note" in screen_text(app)  # the timeline says who
        assert AGENT  # the app acts as alice; the note came from bob's process


async def test_the_cursor_stays_on_its_ticket_when_one_arrives_above(app, db_path) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("j", "j", "j", "j", "j")
        chosen = ticket_list(app).current
        assert chosen is not None
        before = ticket_list(app).total
        with Store.open(db_path, clock=frozen_clock) as other:
            operations.create_ticket(
                make_desk(other, "monitoring"),
                subject="Everything is down",
                requester="alerts@example.com",
                priority=Priority.P1,
            )
        assert await _wait_for(lambda: ticket_list(app).total == before + 1)
        await settle(pilot)
        assert ticket_list(app).current == chosen
        assert ticket_list(app).cursor in (5, 6)
