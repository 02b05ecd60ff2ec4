"""Taking e-mail in: threading that neither splits nor hijacks a case, automatic mail that moves
nothing, bounces on the ticket whose mail failed, loops dropped, files kept or refused, and
every message taken exactly once."""

from __future__ import annotations

from dataclasses import replace
from email.message import EmailMessage

import pytest

from console.core import attachments, operations
from console.core.desk import Desk
from console.core.links import merge
from console.core.mail.intake import Outcome, receive
from console.core.mail.settings import MailSettings
from console.core.model import Channel, Court, MessageKind, Status
from console.core.store import Store
from console.core.team import SYSTEM
from tests.support import FrozenClock, make_desk

DESK = MailSettings(address="support@desk.example.com", max_attachment_bytes=1000)


BOUNCE = b"""From: Mail Delivery System <MAILER-DAEMON@mx.example.com>
To: support@desk.example.com
Subject: Undelivered Mail Returned to Sender
Message-ID: <bounce1@mx.example.com>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="R"

--R
Content-Type: text/plain

Your message could not be delivered.

--R
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.com

Final-Recipient: rfc822; ann@example.com
Action: failed
Status: 5.2.2
Diagnostic-Code: smtp; 552 5.2.2 Mailbox full

--R
Content-Type: text/rfc822-headers

Message-ID: <t1.r1@desk.example.com>
Subject: Re: Printer jams

--R--
"""


def mail(
    sender: str = "Ann Lee <ann@example.com>",
    subject: str = "Printer jams",
    body: str = "It jams on every page.",
    *,
    mail_id: str = "<m1@example.com>",
    replies_to: str | None = None,
    references: str | None = None,
    headers: dict[str, str] | None = None,
    files: dict[str, bytes] | None = None,
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "support@desk.example.com"
    message["Subject"] = subject
    message["Message-ID"] = mail_id
    if replies_to:
        message["In-Reply-To"] = replies_to
    if references:
        message["References"] = references
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    for name, data in (files or {}).items():
        message.add_attachment(data, maintype="application", subtype="pdf", filename=name)
    return message.as_bytes()


@pytest.fixture
def intake(store: Store) -> Desk:
    return replace(make_desk(store).acting_as(SYSTEM), mail=DESK)


def sent_reply(desk: Desk, ticket_id: int, mail_id: str) -> None:
    """A reply of ours, as the sender would have stamped it with its Message-ID."""
    operations.reply(desk, ticket_id, "Please try the other tray.")
    with desk.store.transaction() as conn:
        conn.execute(
            "UPDATE outbox SET mail_id = ? WHERE id = (SELECT max(id) FROM outbox)", (mail_id,)
        )


def test_a_new_message_opens_a_ticket_from_its_sender(intake: Desk, store: Store) -> None:
    received = receive(intake, mail())
    assert (received.outcome, received.ticket_id) == (Outcome.NEW, 1)
    ticket = store.ticket(1)
    assert (ticket.subject, ticket.requester, ticket.body.strip()) == (
        "Printer jams",
        "ann@example.com",
        "It jams on every page.",
    )
    assert ticket.channel == Channel.EMAIL and ticket.court == Court.US
    assert store.contact_name("ann@example.com") == "Ann Lee"
    assert store.events(1)[0].actor == "console"


def test_the_same_message_twice_is_taken_once(intake: Desk, store: Store) -> None:
    first = receive(intake, mail())
    again = receive(intake, mail())
    assert again.already and (again.outcome, again.ticket_id) == (first.outcome, 1)
    assert store.query("SELECT count(*) FROM tickets") == [(1,)]
    assert store.query("SELECT count(*) FROM mail_in") == [(1,)]


def test_the_bytes_are_kept_as_they_came(intake: Desk, store: Store) -> None:
    raw = mail()
    receive(intake, raw)
    assert store.query("SELECT raw FROM mail_in") == [(raw,)]


def test_a_reply_to_our_mail_joins_its_ticket_even_without_a_tag(
    intake: Desk, store: Store
) -> None:
    receive(intake, mail())
    sent_reply(make_desk(store), 1, "<t1.r1@desk.example.com>")
    received = receive(
        intake,
        mail(
            subject="Re: something else",
            mail_id="<m2@example.com>",
            references="<x@y> <t1.r1@desk.example.com>",
        ),
    )
    assert (received.outcome, received.ticket_id) == (Outcome.ADDED, 1)
    [_reply, said] = store.messages(1)
    assert (said.kind, said.author, said.channel) == (
        MessageKind.CUSTOMER,
        "ann@example.com",
        Channel.EMAIL,
    )
    assert store.ticket(1).court == Court.US


def test_a_colleague_answering_the_customers_mail_in_cc_joins_the_ticket(
    intake: Desk, store: Store
) -> None:
    receive(intake, mail())
    received = receive(
        intake,
        mail(
            "Bob <bob@example.com>",
            "Re: Printer jams",
            "Same here.",
            mail_id="<b1@example.com>",
            replies_to="<m1@example.com>",
        ),
    )
    assert (received.outcome, received.ticket_id) == (Outcome.ADDED, 1)
    assert store.messages(1)[-1].author == "bob@example.com"


def test_a_subject_tag_joins_only_for_someone_already_on_the_ticket(
    intake: Desk, store: Store
) -> None:
    receive(intake, mail())
    stranger = receive(
        intake,
        mail("Eve <eve@example.net>", "Re: [#1] let me in", "hi", mail_id="<e1@example.net>"),
    )
    assert (stranger.outcome, stranger.ticket_id) == (Outcome.NEW, 2)
    requester = receive(
        intake, mail(subject="Fwd: [Support #1] Printer jams", mail_id="<m3@example.com>")
    )
    assert (requester.outcome, requester.ticket_id) == (Outcome.ADDED, 1)


def test_a_stripped_reply_without_references_or_tag_opens_a_new_ticket(
    intake: Desk, store: Store
) -> None:
    receive(intake, mail())
    received = receive(intake, mail(subject="Re: Printer jams", mail_id="<m4@example.com>"))
    assert (received.outcome, received.ticket_id) == (Outcome.NEW, 2)


def test_mail_for_a_merged_ticket_goes_to_the_one_it_was_merged_into(
    intake: Desk, store: Store
) -> None:
    receive(intake, mail())
    receive(intake, mail(subject="Printer again", mail_id="<m5@example.com>"))
    merge(make_desk(store), 2, 1)
    received = receive(
        intake,
        mail(
            subject="Re: Printer again", mail_id="<m6@example.com>", replies_to="<m5@example.com>"
        ),
    )
    assert received.ticket_id == 1


def test_a_reply_reopens_a_solved_ticket_and_later_opens_a_linked_one(
    intake: Desk, store: Store, clock: FrozenClock
) -> None:
    receive(intake, mail())
    operations.solve(make_desk(store), 1)
    reopened = receive(
        intake,
        mail(subject="Re: Printer jams", mail_id="<m7@example.com>", replies_to="<m1@example.com>"),
    )
    assert reopened.outcome == Outcome.REOPENED and store.ticket(1).status == Status.OPEN
    operations.solve(make_desk(store), 1)
    clock.advance(days=30)
    later = receive(
        intake,
        mail(subject="Re: Printer jams", mail_id="<m8@example.com>", replies_to="<m1@example.com>"),
    )
    assert (later.outcome, later.ticket_id) == (Outcome.FOLLOW_UP, 2)
    assert store.ticket(1).status == Status.SOLVED
    assert store.ticket(2).channel == Channel.EMAIL


def test_an_out_of_office_answer_is_recorded_but_moves_and_reopens_nothing(
    intake: Desk, store: Store
) -> None:
    receive(intake, mail())
    operations.solve(make_desk(store), 1)
    before = store.ticket(1)
    received = receive(
        intake,
        mail(
            subject="Away until Monday",
            mail_id="<ooo@example.com>",
            replies_to="<m1@example.com>",
            headers={"Auto-Submitted": "auto-replied"},
        ),
    )
    assert received.outcome == Outcome.NOTED and "Auto-Submitted" in (received.detail or "")
    after = store.ticket(1)
    assert (
        (after.status, after.court)
        == (before.status, before.court)
        == (
            Status.SOLVED,
            Court.CUSTOMER,
        )
    )
    assert store.messages(1)[-1].body.startswith("It jams")


def test_a_bounce_is_a_note_on_the_ticket_whose_mail_failed(intake: Desk, store: Store) -> None:
    receive(intake, mail())
    sent_reply(make_desk(store), 1, "<t1.r1@desk.example.com>")
    raw = BOUNCE.replace(b"\n", b"\r\n")
    received = receive(intake, raw)
    assert (received.outcome, received.ticket_id) == (Outcome.NOTED, 1)
    note = store.messages(1)[-1]
    assert note.kind == MessageKind.NOTE
    assert note.body.startswith("delivery to ann@example.com failed: mailbox full")
    assert store.ticket(1).court == Court.CUSTOMER


def test_the_desks_own_mail_come_back_is_dropped(intake: Desk, store: Store) -> None:
    own = receive(intake, mail("support@desk.example.com", mail_id="<o1@desk.example.com>"))
    looped = receive(intake, mail(mail_id="<o2@example.com>", headers={"X-Loop": DESK.loop_mark}))
    assert own.outcome == looped.outcome == Outcome.DROPPED
    assert store.query("SELECT count(*) FROM tickets") == [(0,)]
    assert store.query("SELECT count(*) FROM mail_in WHERE outcome = 'dropped'") == [(2,)]


def test_files_are_kept_and_a_too_large_one_is_refused_with_a_note(
    intake: Desk, store: Store
) -> None:
    receive(intake, mail(files={"small.pdf": b"%PDF-1 small", "big.pdf": b"x" * 5000}))
    [small, big] = attachments.files(store, 1)
    assert (small.filename, small.kept, big.filename, big.kept, big.size) == (
        "small.pdf",
        True,
        "big.pdf",
        False,
        5000,
    )
    assert attachments.file_data(store, 1, 1)[1] == b"%PDF-1 small"
    [note] = store.messages(1)
    assert note.kind == MessageKind.NOTE and "big.pdf" in note.body and "limit" in note.body
    with pytest.raises(Exception, match="not kept"):
        attachments.file_data(store, 1, 2)


def test_a_file_name_never_chooses_a_directory(intake: Desk, store: Store, tmp_path) -> None:
    receive(intake, mail(files={"../../etc/passwd": b"root"}))
    [info] = attachments.files(store, 1)
    assert info.filename == "passwd"
    info, data = attachments.file_data(store, 1, 1)
    written = attachments.save(data, info, str(tmp_path))
    assert written == str(tmp_path / "passwd")
    with pytest.raises(Exception, match="exists"):
        attachments.save(data, info, str(tmp_path))


def test_a_25_mb_file_over_the_default_limit_is_refused_and_the_mail_kept(
    intake: Desk, store: Store
) -> None:
    big = bytes(range(256)) * (26 * 1024 * 4)  # 26 MB
    received = receive(replace(intake, mail=MailSettings()), mail(files={"dump.bin": big}))
    assert received.outcome == Outcome.NEW
    [info] = attachments.files(store, 1)
    assert (info.kept, info.size) == (False, len(big))
    assert "26 MB" in store.messages(1)[0].body and store.ticket(1).body.startswith("It jams")
