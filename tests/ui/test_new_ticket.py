"""The new-ticket form (`N` on the queues, "New ticket" in the palette) with real keys: what is
wrong is said on the form and nothing is written; a call judged for impact and urgency opens
a ticket with the matrix's priority; a caller about a known problem joins its ticket."""

from __future__ import annotations

from action_helpers import until
from textual.pilot import Pilot
from ui_helpers import screen_text, settle

from console.core import contacts
from console.core.model import Channel, Impact, MessageKind, Priority, QueueFilter, Urgency
from console.core.store import Store
from console.tui.screens.detail import DetailScreen
from console.tui.screens.new_ticket import NewTicketScreen


async def _form(pilot: Pilot) -> NewTicketScreen:
    await settle(pilot)
    await pilot.press("N")
    await until(pilot, lambda: isinstance(pilot.app.screen, NewTicketScreen), "the form")
    screen = pilot.app.screen
    assert isinstance(screen, NewTicketScreen)
    return screen


def _count(db_path) -> int:
    with Store.open(db_path, read_only=True) as store:
        return store.count(QueueFilter(statuses=()))


async def test_what_is_wrong_is_said_and_nothing_is_written(app, db_path) -> None:
    before = _count(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await _form(pilot)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "who is it?" in screen_text(app), "asked who")
        await pilot.press(*"#42", "tab", *"Printer jams", "ctrl+s")
        await until(pilot, lambda: "is neither an e-mail address" in screen_text(app), "refused")
        assert app.screen is form and form.query_one("#new-subject").value == "Printer jams"
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, NewTicketScreen), "closed")
    assert _count(db_path) == before


async def test_a_judged_call_opens_a_ticket_with_the_matrixs_priority(app, db_path) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        form = await _form(pilot)
        await pilot.press(*"ann@acme.test", "tab", *"Payroll export fails")
        form.query_one("#new-impact").value = Impact.HIGH.value
        form.query_one("#new-urgency").value = Urgency.MEDIUM.value
        form.query_one("#new-type").value = "bug"
        await until(pilot, lambda: "priority P2: impact high × urgency medium" in screen_text(app))
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, DetailScreen), "the new ticket")
        ticket_id = app.screen.ticket_id
        assert any(f"#{ticket_id} opened, P2" in n.message for n in app._notifications)
    with Store.open(db_path, read_only=True) as store:
        ticket = store.ticket(ticket_id)
    assert (ticket.priority, ticket.impact, ticket.urgency, ticket.channel) == (
        Priority.P2,
        Impact.HIGH,
        Urgency.MEDIUM,
        Channel.PHONE,
    )
    assert ticket.requester == "ann@acme.test" and ticket.subject == "Payroll export fails"
    assert ticket.ticket_type == "bug"


async def test_a_caller_known_only_by_a_new_phone_gets_a_ticket(app, db_path) -> None:
    with Store.open(db_path, read_only=True) as store:
        assert not contacts.find(store, "+380 67 555 12 34")
    async with app.run_test(size=(120, 36)) as pilot:
        await _form(pilot)
        await pilot.press(*"+380 67 555 12 34")
        await until(pilot, lambda: "a new contact with no e-mail address yet" in screen_text(app))
        await pilot.press("tab", *"Cannot print payslips", "ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, DetailScreen), "the new ticket")
        ticket_id = app.screen.ticket_id
        said = [n.message for n in app._notifications]
        assert any(f"#{ticket_id} opened" in m and "no e-mail address" in m for m in said)
    with Store.open(db_path, read_only=True) as store:
        ticket = store.ticket(ticket_id)
        caller = contacts.one(store, "+380675551234")
    assert (ticket.requester, ticket.channel) == ("+380675551234", Channel.PHONE)
    assert (caller.email, caller.phone) == (None, "+380675551234")


async def test_the_next_caller_joins_the_likely_duplicate(app, db_path) -> None:
    before = _count(db_path)
    async with app.run_test(size=(120, 36)) as pilot:
        form = await _form(pilot)
        await pilot.press(*"ivan@acme.test", "tab", *"Charged twice this month")
        await until(pilot, lambda: bool(form.suggestions), "likely duplicates")
        likeliest = form.suggestions[0]
        assert likeliest.subject == "Charged twice this month"
        assert f"#{likeliest.ticket_id} Charged twice this month" in screen_text(app)
        await pilot.press("ctrl+a")
        await until(pilot, lambda: isinstance(app.screen, DetailScreen), "the ticket")
        assert app.screen.ticket_id == likeliest.ticket_id
    assert _count(db_path) == before
    with Store.open(db_path, read_only=True) as store:
        said = store.messages(likeliest.ticket_id)[-1]
    assert (said.kind, said.author, said.body, said.channel) == (
        MessageKind.CUSTOMER,
        "ivan@acme.test",
        "Charged twice this month",
        Channel.PHONE,
    )


async def test_the_palette_offers_a_new_ticket(app) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"new ticket")
        await until(pilot, lambda: "New ticket" in screen_text(app), "the command")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, NewTicketScreen), "the form")


def test_new_ticket_form_80x24(snap_compare, make) -> None:
    async def open_form(pilot: Pilot) -> None:
        await _form(pilot)
        await pilot.press(*"ann@acme.test", "tab", *"Printer jams on every page")
        await until(pilot, lambda: bool(pilot.app.screen.suggestions), "likely duplicates")
        await settle(pilot)

    assert snap_compare(make(), terminal_size=(80, 24), run_before=open_form)


def test_new_ticket_form_120x36(snap_compare, make) -> None:
    async def open_form(pilot: Pilot) -> None:
        await _form(pilot)
        await settle(pilot)

    assert snap_compare(make(), terminal_size=(120, 36), run_before=open_form)
