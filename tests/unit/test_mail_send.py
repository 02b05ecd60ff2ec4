"""Sending the outbox to a real SMTP server on loopback: the headers that bring the answer back
to its ticket, once and only once, "later" tried again after a pause, "never" on the ticket
and in the Undelivered queue, and a local sendmail as the other way out."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from console.cli import main
from console.core import operations, workflow
from console.core.desk import Desk
from console.core.mail import delivery, sender
from console.core.mail.intake import Outcome, receive
from console.core.mail.sender import send_due
from console.core.mail.settings import MailSettings, Security
from console.core.model import Court, Line, MessageKind, QueueFilter
from console.core.store import Store
from console.core.team import SYSTEM
from tests.mailserver import MailServer, smtp_server
from tests.support import FrozenClock, make_desk
from tests.unit.test_mail_intake import mail


@pytest.fixture
def server() -> Iterator[MailServer]:
    with smtp_server() as running:
        yield running


def settings_for(server: MailServer, **more: object) -> MailSettings:
    return MailSettings(
        address="support@desk.example.com",
        name="Example Support",
        smtp_host=server.host,
        smtp_port=server.port,
        security=Security.NONE,
        **more,  # type: ignore[arg-type]
    )


@pytest.fixture
def desk(store: Store, server: MailServer) -> Desk:
    """Alice's desk, sending through `server`; no acknowledgements (they have their test)."""
    return replace(make_desk(store, "alice"), mail=settings_for(server, acknowledge=False))


def from_mail(desk: Desk) -> int:
    """Ticket 1, opened by Ann's mail <m1@example.com>."""
    received = receive(desk.acting_as(SYSTEM), mail())
    assert received.ticket_id is not None
    return received.ticket_id


def test_a_reply_goes_out_with_what_threads_the_answer(
    desk: Desk, store: Store, server: MailServer
) -> None:
    ticket_id = from_mail(desk)
    operations.reply(desk, ticket_id, "Please try the other tray.")
    report = send_due(desk)
    assert report.sent == [ticket_id]
    [got] = server.accepted
    sent = got.message
    assert (got.sender, got.recipients) == ("support@desk.example.com", ["ann@example.com"])
    assert sent["From"] == "Example Support <support@desk.example.com>"
    assert sent["To"] == "Ann Lee <ann@example.com>"
    assert sent["Subject"] == "Re: Printer jams [#1]"
    assert sent["Message-ID"].startswith(f"<{ticket_id}.")
    assert sent["Message-ID"].endswith("@desk.example.com>")
    assert sent["In-Reply-To"] == "<m1@example.com>"
    assert sent["References"] == "<m1@example.com>"
    assert sent["X-Loop"] == desk.mail.loop_mark and sent["Auto-Submitted"] is None
    assert sent.get_content().strip() == "Please try the other tray."
    assert send_due(desk).sent == [], "a mail goes out once"
    [reply] = [m for m in store.messages(ticket_id) if m.kind == MessageKind.REPLY]
    assert delivery.deliveries(store, ticket_id)[reply.id].state == delivery.DeliveryState.SENT

    # The customer answers from a program that keeps only In-Reply-To and drops the tag.
    answer = mail(subject="Re: Printer", mail_id="<m2@example.com>", replies_to=sent["Message-ID"])
    back = receive(desk.acting_as(SYSTEM), answer)
    assert (back.outcome, back.ticket_id) == (Outcome.ADDED, ticket_id)
    operations.reply(desk, ticket_id, "Good to hear.")
    send_due(desk)
    second = server.accepted[-1].message
    assert second["In-Reply-To"] == "<m2@example.com>"
    assert second["References"].split() == [
        "<m1@example.com>",
        sent["Message-ID"],
        "<m2@example.com>",
    ]


def test_everything_due_goes_out_a_page_at_a_time(
    desk: Desk, store: Store, server: MailServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sender, "PAGE", 3)
    for n in range(8):
        ticket = operations.create_ticket(
            desk, subject=f"Case {n}", requester=f"c{n}@example.com", body="Hello."
        )
        operations.reply(desk, ticket.id, "Answer.")
    assert len(send_due(desk).sent) == 8 and len(server.accepted) == 8


def test_mail_the_console_writes_by_itself_says_so(
    desk: Desk, store: Store, server: MailServer
) -> None:
    ticket_id = from_mail(desk)
    operations.reply(desk.system(), ticket_id, "We have not heard from you.")
    send_due(desk)
    assert server.accepted[0].message["Auto-Submitted"] == "auto-generated"


def test_a_name_or_subject_cannot_add_a_header(
    desk: Desk, store: Store, server: MailServer
) -> None:
    ticket_id = operations.create_ticket(
        desk, subject="Hi\r\nBcc: evil@example.net", requester="Eve\r\nBcc: x@y <eve@example.net>"
    ).id
    operations.reply(desk, ticket_id, "Hello")
    send_due(desk)
    [got] = server.accepted
    assert got.recipients == ["eve@example.net"]
    headers = got.data.split(b"\r\n\r\n", 1)[0]
    assert b"\r\nBcc:" not in headers and headers.count(b"\r\nSubject:") == 1


def test_a_line_writes_from_its_own_address(desk: Desk, store: Store, server: MailServer) -> None:
    desk = replace(
        desk,
        mail=replace(desk.mail, line_senders={Line.L2: ("experts@desk.example.com", "Experts")}),
    )
    ticket_id = operations.create_ticket(
        desk, subject="Deep", requester="ann@example.com", line=Line.L2
    ).id
    operations.reply(desk, ticket_id, "We looked deeper.")
    send_due(desk)
    [got] = server.accepted
    assert got.sender == "experts@desk.example.com"
    assert got.message["From"] == "Experts <experts@desk.example.com>"
    assert got.message["Subject"] == "Deep [#1]"


def test_later_is_tried_again_after_a_pause(
    desk: Desk, store: Store, server: MailServer, clock: FrozenClock
) -> None:
    ticket_id = from_mail(desk)
    server.later.add("ann@example.com")
    operations.reply(desk, ticket_id, "Try the other tray.")
    report = send_due(desk)
    assert report.sent == [] and report.retrying[0][1].startswith("451")
    assert send_due(desk).retrying == [], "not before the pause is over"
    server.later.clear()
    clock.advance(minutes=2)
    assert send_due(desk).sent == [ticket_id]
    assert store.query("SELECT attempts FROM outbox") == [(2,)]


def test_no_server_is_later_too(store: Store, clock: FrozenClock) -> None:
    closed = MailServer("127.0.0.1", 9)  # nothing listens on the discard port here
    desk = replace(make_desk(store, "alice"), mail=settings_for(closed))
    ticket_id = operations.create_ticket(desk, subject="x", requester="ann@example.com").id
    operations.reply(desk, ticket_id, "hello")
    report = send_due(desk)
    assert report.retrying and "cannot reach 127.0.0.1:9" in report.retrying[0][1]


def test_never_is_on_the_ticket_and_in_the_undelivered_queue(
    desk: Desk, store: Store, server: MailServer
) -> None:
    ticket_id = from_mail(desk)
    server.refuse.add("ann@example.com")
    operations.reply(desk, ticket_id, "Try the other tray.")
    report = send_due(desk)
    assert report.failed and report.failed[0][1].startswith("550")
    note = store.messages(ticket_id)[-1]
    assert note.kind == MessageKind.NOTE and "was not delivered: 550" in note.body
    undelivered = QueueFilter(undelivered=True, statuses=())
    assert [t.id for t in store.tickets(undelivered)] == [ticket_id]
    assert send_due(desk).sent == []

    server.refuse.clear()
    delivery.retry(desk, ticket_id)
    assert store.tickets(undelivered) == []
    assert send_due(desk).sent == [ticket_id]


def test_letting_a_failure_go_takes_it_off_the_queue(
    desk: Desk, store: Store, server: MailServer
) -> None:
    ticket_id = from_mail(desk)
    server.refuse.add("ann@example.com")
    operations.reply(desk, ticket_id, "Try the other tray.")
    send_due(desk)
    delivery.dismiss(desk, ticket_id)
    assert store.tickets(QueueFilter(undelivered=True, statuses=())) == []
    with pytest.raises(Exception, match="no undelivered mail"):
        delivery.dismiss(desk, ticket_id)


def test_a_local_sendmail_is_the_other_way_out(store: Store, tmp_path: Path) -> None:
    kept = tmp_path / "sent.eml"
    script = tmp_path / "sendmail"
    script.write_text(f'#!/bin/sh\ncat > "{kept}"\necho "$@" > "{kept}.args"\n')
    script.chmod(0o755)
    settings = MailSettings(address="support@desk.example.com", sendmail=(str(script), "-oi"))
    desk = replace(make_desk(store, "alice"), mail=settings)
    ticket_id = operations.create_ticket(desk, subject="x", requester="ann@example.com").id
    operations.reply(desk, ticket_id, "By the local server.")
    assert send_due(desk).sent == [ticket_id]
    assert b"By the local server." in kept.read_bytes()
    assert kept.with_suffix(".eml.args").read_text().split() == [
        "-oi",
        "-f",
        "support@desk.example.com",
        "--",
        "ann@example.com",
    ]
    script.write_text("#!/bin/sh\necho 'no such user here' >&2\nexit 67\n")
    operations.reply(desk, ticket_id, "again")
    report = send_due(desk)
    assert report.failed == [(ticket_id, "no such user: no such user here")]


def test_the_command_line_sends_retries_and_lists(
    capsys, db_path: Path, server: MailServer, tmp_path: Path
) -> None:
    config = tmp_path / "console.toml"
    config.write_text(
        '[mail]\naddress = "support@desk.example.com"\n'
        f'smtp = "{server.host}:{server.port}"\nsecurity = "none"\n'
    )

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--db", str(db_path), "--config", str(config), "--as", "alice", *args])
        out, err = capsys.readouterr()
        return code, out, err

    run("new", "--subject", "Printer", "--from", "ann@example.com", "--body", "jams")
    server.refuse.add("ann@example.com")
    run("reply", "1", "--body", "Try the other tray.")
    code, out, _ = run("mail", "send")
    assert code == 1 and out.strip() == "1 not delivered"
    code, out, _ = run("queue", "undelivered")
    assert code == 0 and "failed: 550" in out
    code, out, _ = run("show", "1")
    assert "not delivered: 550 5.1.1" in out
    server.refuse.clear()
    code, out, _ = run("mail", "retry", "1")
    assert code == 0 and "queued again" in out
    code, out, _ = run("tick", "--json")
    assert json.loads(out)["mail"]["sent"] == [1]
    code, out, _ = run("show", "1")
    assert "by e-mail, sent today" in out
    code, _, err = main(["--db", str(db_path), "mail", "send"]), *capsys.readouterr()
    assert code == 2 and "no way to send mail" in err


def test_an_address_with_non_ascii_letters_goes_where_the_server_takes_it(
    desk: Desk, store: Store, server: MailServer
) -> None:
    ticket_id = operations.create_ticket(
        desk, subject="x", requester="Tomás <tomás@example.org>"
    ).id
    operations.reply(desk, ticket_id, "hello")
    assert send_due(desk).sent == [ticket_id]
    [got] = server.accepted
    assert got.recipients == ["tomás@example.org"]
    assert got.message["To"] == "Tomás <tomás@example.org>"
    with smtp_server(smtputf8=False) as ascii_only:
        desk = replace(desk, mail=settings_for(ascii_only))
        operations.reply(desk, ticket_id, "again")
        report = send_due(desk)
    assert report.failed == [
        (ticket_id, "the server cannot send to tomás@example.org: it takes no non-ASCII addresses")
    ]


def test_a_persons_new_ticket_is_acknowledged_with_its_number(
    desk: Desk, store: Store, server: MailServer
) -> None:
    desk = replace(desk, mail=replace(desk.mail, acknowledge=True))
    received = receive(desk.acting_as(SYSTEM), mail())
    assert (received.outcome, received.detail) == (Outcome.NEW, "acknowledged")
    ticket = store.ticket(1)
    assert ticket.court == Court.US and workflow.clocks(store, 1).first_response_at is None
    assert send_due(desk).sent == [1]
    [ack] = server.accepted
    sent = ack.message
    assert sent["Subject"] == "Re: Printer jams [#1]" and sent["In-Reply-To"] == "<m1@example.com>"
    assert sent["Auto-Submitted"] == "auto-replied"  # it answers their mail (RFC 3834)
    text = sent.get_content()
    assert "ticket #1" in text and "by 2026-11-02 17:00 UTC" in text  # P3: 8 hours from 09:00
    assert "one problem per request" in text


@pytest.mark.parametrize(
    ("body", "greeting"),
    [
        ("Принтер не печатает с утра.", "Здравствуйте!"),
        ("Принтер не друкує з ранку, ї.", "Вітаємо!"),
    ],
)
def test_the_acknowledgement_speaks_the_customers_language(
    desk: Desk, store: Store, server: MailServer, body: str, greeting: str
) -> None:
    desk = replace(desk, mail=replace(desk.mail, acknowledge=True))
    receive(desk.acting_as(SYSTEM), mail(body=body))
    send_due(desk)
    assert server.accepted[0].message.get_content().startswith(greeting)


def test_no_acknowledgement_for_machines_the_quiet_or_a_looping_sender(
    desk: Desk, store: Store, server: MailServer
) -> None:
    desk = replace(
        desk,
        mail=replace(desk.mail, acknowledge=True, quiet_senders=("*@nagios.example.com",)),
    )
    intake = desk.acting_as(SYSTEM)
    automatic = mail(mail_id="<a1@example.com>", headers={"Auto-Submitted": "auto-replied"})
    assert receive(intake, automatic).detail == "Auto-Submitted: auto-replied"
    nagios = mail("nagios@nagios.example.com", mail_id="<n1@example.com>")
    assert receive(intake, nagios).detail is None
    details = [
        receive(intake, mail(subject=f"Loop {n}", mail_id=f"<l{n}@example.com>")).detail
        for n in range(5)
    ]
    assert details == ["acknowledged"] * 3 + [None] * 2
    assert store.query("SELECT count(*) FROM outbox") == [(3,)]
