"""Nothing is mailed to nobody: a public message on the ticket of a caller with no e-mail
address is kept as said but not queued in the outbox, and the thread says so in words; the
timers nudge and close such tickets like any other."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.cli import main
from console.core import contacts, operations, timers
from console.core.check import check
from console.core.context import load_context
from console.core.desk import Desk
from console.core.errors import InvalidInput
from console.core.mail.delivery import DeliveryState
from console.core.model import Channel, Court, EventAction, MessageKind, QueueFilter, Status
from console.core.query import parse
from console.core.store import Store
from console.core.words import NOT_MAILED
from tests.support import FrozenClock

PHONE = "+380 44 123 45 67"
KEY = "+380441234567"


def _outbox(store: Store) -> int:
    return int(store.query("SELECT count(*) FROM outbox")[0][0])


def test_a_reply_to_a_caller_with_no_address_is_kept_not_queued(desk: Desk) -> None:
    store = desk.store
    ticket = operations.create_ticket(desk, subject="Payroll fails", requester=PHONE).id
    operations.reply(desk, ticket, "Restart the payroll service, please")
    [reply] = store.messages(ticket)
    assert (reply.kind, reply.channel) == (MessageKind.REPLY, Channel.PHONE)
    assert _outbox(store) == 0
    context = load_context(store, ticket, desk.policy)
    assert context.deliveries[reply.id].state == DeliveryState.NOT_MAILED
    assert store.ticket(ticket).court == Court.CUSTOMER  # said is said: the move is theirs
    # A caller with an address is mailed as before.
    other = operations.create_ticket(desk, subject="VPN", requester="bob@shop.test").id
    operations.reply(desk, other, "Try again")
    assert _outbox(store) == 1
    assert store.messages(other)[0].channel == Channel.EMAIL


def test_the_timers_nudge_and_close_a_callers_ticket_and_mail_nothing(
    desk: Desk, clock: FrozenClock
) -> None:
    store = desk.store
    ticket = operations.create_ticket(desk, subject="Payroll fails", requester="Ann Lee").id
    operations.reply(desk, ticket, "Please send the logs")
    clock.advance(days=3)
    assert timers.tick(desk).nudges_due == [ticket]
    operations.nudge(desk, ticket)
    clock.advance(days=4)
    assert timers.tick(desk).auto_closed == [ticket]
    assert store.ticket(ticket).status == Status.CLOSED
    assert [m.channel for m in store.messages(ticket)] == [Channel.PHONE] * 3
    assert _outbox(store) == 0
    assert timers.tick(desk).auto_closed == []


def test_show_and_the_reply_verb_say_it_was_not_mailed(
    capsys: pytest.CaptureFixture[str], db_path: Path
) -> None:
    base = ["--db", str(db_path), "--as", "tess"]
    assert main([*base, "new", "--subject", "Payroll", "--requester", PHONE, "--body", "b"]) == 0
    capsys.readouterr()
    assert main([*base, "reply", "1", "--body", "Restart it"]) == 0
    said = capsys.readouterr().out
    assert said == (
        "#1: reply saved but not mailed (no e-mail address): tell them by phone;"
        " the customer's move\n"
    )
    assert main([*base, "show", "1"]) == 0
    shown = capsys.readouterr().out
    assert f", {NOT_MAILED}\nRestart it" in shown
    assert "by phone, not mailed" not in shown and "None" not in shown


# -- the e-mail address comes later ------------------------------------------------------------


def test_an_address_added_later_is_followed_by_the_tickets_and_mailed(desk: Desk) -> None:
    store = desk.store
    first = operations.create_ticket(desk, subject="Payroll fails", requester=PHONE).id
    operations.reply(desk, first, "Restart the payroll service")
    operations.close(desk, first)  # a closed ticket follows too: a mail may reopen it
    second = operations.create_ticket(desk, subject="Payslips", requester=PHONE).id
    caller = contacts.one(store, PHONE)
    versions = {t: store.ticket(t).version for t in (first, second)}
    ann = contacts.edit(desk, caller.id, email="Ann@Example.com")
    assert (ann.email, ann.phone, ann.label) == ("ann@example.com", KEY, "ann@example.com")
    for ticket in (first, second):
        assert store.ticket(ticket).requester == "ann@example.com"
        assert store.ticket(ticket).version == versions[ticket] + 1
        followed = store.events(ticket)[-1]
        assert (followed.action, followed.before, followed.after) == (
            EventAction.REQUESTER,
            KEY,
            "ann@example.com",
        )
    assert contacts.history(store, ann.label).total == 2
    for text in ("from:ann@example.com", KEY, "@example.com"):
        found = [t.id for t in store.tickets(QueueFilter(query=parse(f"{text} status:any")))]
        assert sorted(found) == [first, second], text
    # From now on what is said is mailed; what was said before stays "not mailed".
    operations.reply(desk, second, "Here is your payslip")
    assert _outbox(store) == 1
    deliveries = load_context(store, first, desk.policy).deliveries
    assert [d.state for d in deliveries.values()] == [DeliveryState.NOT_MAILED]
    assert check(store, desk.policy).sound


def test_an_address_another_contact_has_is_refused_naming_them(desk: Desk) -> None:
    store = desk.store
    operations.create_ticket(desk, subject="VPN", requester="Bob Ray <bob@shop.test>")
    ticket = operations.create_ticket(desk, subject="Payroll", requester=PHONE).id
    caller = contacts.one(store, KEY)
    with pytest.raises(InvalidInput, match="bob@shop.test is already the address of another"
                       " contact, Bob Ray: give a different address"):  # fmt: skip
        contacts.edit(desk, caller.id, email="BOB@shop.test", notes="Calls before 10")
    assert contacts.one(store, KEY) == caller
    assert store.ticket(ticket).requester == KEY and store.ticket(ticket).version == 1
    with pytest.raises(InvalidInput, match="--email: the address alone, such as ann@x.test"):
        contacts.edit(desk, caller.id, email="Ann <ann@x.test>")
    with pytest.raises(InvalidInput, match="is not an e-mail address"):
        contacts.edit(desk, caller.id, email="ann")


def test_an_address_taken_away_leaves_the_phone_or_the_name(desk: Desk) -> None:
    store = desk.store
    ticket = operations.create_ticket(desk, subject="VPN", requester="Ann Lee <ann@x.test>").id
    ann = contacts.edit(desk, "ann@x.test", email="")
    assert (ann.email, ann.label, store.ticket(ticket).requester) == (None, "Ann Lee", "Ann Lee")
    operations.reply(desk, ticket, "Try again")
    assert _outbox(store) == 0
    with pytest.raises(InvalidInput, match="needs an e-mail address, a phone or a name"):
        contacts.edit(desk, ann.id, name="")
    operations.create_ticket(desk, subject="Printer", requester="Bob Ray")
    bob = contacts.one(store, "Bob Ray")
    with pytest.raises(InvalidInput, match="no e-mail address is known as ann lee too"):
        contacts.edit(desk, bob.id, name="ann lee")


def test_contact_edit_email_on_the_command_line(
    capsys: pytest.CaptureFixture[str], db_path: Path
) -> None:
    base = ["--db", str(db_path), "--as", "tess"]
    assert main([*base, "new", "--subject", "Payroll", "--requester", PHONE, "--body", "b"]) == 0
    assert main([*base, "new", "--subject", "VPN", "--from", "bob@shop.test", "--body", "b"]) == 0
    capsys.readouterr()
    before = db_path.read_bytes()
    for wrong, says in (
        ("bob@shop.test", "--email: bob@shop.test is already the address of another contact:"),
        ("ann@", "requester 'ann@' is not an e-mail address"),
    ):
        assert main([*base, "contact", "edit", PHONE, "--email", wrong]) == 2
        err = capsys.readouterr().err
        assert says in err and len(err.strip().splitlines()) == 1
        assert db_path.read_bytes() == before
    assert main([*base, "contact", "edit", PHONE, "--email", "ann@example.com"]) == 0
    assert capsys.readouterr().out == "ann@example.com: saved\n"
    assert main([*base, "show", "1"]) == 0
    shown = capsys.readouterr().out
    assert "from ann@example.com," in shown
    assert f"changed the requester {KEY} → ann@example.com" in shown
