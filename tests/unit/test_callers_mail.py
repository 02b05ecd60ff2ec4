"""Nothing is mailed to nobody: a public message on the ticket of a caller with no e-mail
address is kept as said but not queued in the outbox, and the thread says so in words; the
timers nudge and close such tickets like any other."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.cli import main
from console.core import operations, timers
from console.core.context import load_context
from console.core.desk import Desk
from console.core.mail.delivery import DeliveryState
from console.core.model import Channel, Court, MessageKind, Status
from console.core.store import Store
from console.core.words import NOT_MAILED
from tests.support import FrozenClock

PHONE = "+380 44 123 45 67"


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
