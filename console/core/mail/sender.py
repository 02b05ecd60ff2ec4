"""Delivering the outbox: every public message the desk stored, sent by SMTP or a local
sendmail, once.

The outbox row is written in the same transaction as its message, so nothing said to a
customer is lost before it leaves. Here each due row is claimed (a team's consoles and cron
all run the sender; a claim lasts `CLAIM_SECONDS`), given its Message-ID, sent, and marked
sent. A server that says "later" (4xx, no connection) gets the mail again after a growing
pause; one that says "never" (5xx), or two days of "later", marks it failed: a note on the
ticket says so and the ticket shows in the Undelivered queue.

The one window where a mail can go out twice: the server accepted it and the process died
before marking it sent. The retry carries the same Message-ID, which lets the receiving side
recognise it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Protocol

from console.core import words
from console.core.clock import from_text, to_text
from console.core.desk import Desk
from console.core.mail.outgoing import Outgoing, compose, new_mail_id
from console.core.mail.settings import MailSettings
from console.core.model import Line, MessageKind
from console.core.text import one_line
from console.core.words import count
from console.core.workflow import change

if TYPE_CHECKING:
    from email.message import EmailMessage

CLAIM_SECONDS = 120
"""How long a sender may hold a mail: well past the server timeouts (30 s), so a claim never
runs out under a sender still at work, and a killed sender's mail waits two minutes at most."""
BACKOFF_SECONDS = (60, 300, 900, 3600, 3 * 3600, 6 * 3600)
"""The pause before each retry; the last one repeats."""
GIVE_UP_SECONDS = 2 * 86400


class DeliveryError(Exception):
    """The server did not take the mail; `permanent` when it never will."""

    def __init__(self, reason: str, *, permanent: bool) -> None:
        super().__init__(reason)
        self.permanent = permanent


class Transport(Protocol):
    def send(self, message: EmailMessage, sender: str, recipient: str) -> None: ...


@dataclass
class SendReport:
    sent: list[int] = field(default_factory=list)
    """The tickets whose mail went out (one entry per mail)."""
    retrying: list[tuple[int, str]] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "sent": self.sent,
            "retrying": [{"id": i, "error": e} for i, e in self.retrying],
            "failed": [{"id": i, "error": e} for i, e in self.failed],
        }

    def words(self) -> str | None:
        """What the run did, for a notice; None when it did nothing."""
        parts = []
        if self.sent:
            parts.append(f"{count(len(self.sent), 'mail')} sent")
        if self.retrying:
            parts.append(f"{len(self.retrying)} to try again ({self.retrying[-1][1]})")
        if self.failed:
            parts.append(f"{len(self.failed)} not delivered")
        return ", ".join(parts) or None


def send_due(desk: Desk, transport: Transport | None = None) -> SendReport:
    """Send everything due in the outbox, `PAGE` mails a connection; nothing when the desk
    has no way out configured."""
    report = SendReport()
    if transport is None and not desk.mail.sending:
        return report
    desk = desk.system()
    while _send_page(desk, transport, report):
        pass
    return report


PAGE = 200
"""Mails read from the outbox and sent over one connection at a time."""


def _send_page(desk: Desk, transport: Transport | None, report: SendReport) -> bool:
    """Send the next page of due mail; whether any of it went out (when none did, the server
    is not taking mail now, and the rest waits for the next run)."""
    settings = desk.mail
    now = desk.store.now()
    due = desk.store.query(
        "SELECT id FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL"
        " AND (next_attempt_at IS NULL OR next_attempt_at <= :now)"
        " AND (claimed_until IS NULL OR claimed_until <= :now) ORDER BY id LIMIT :limit",
        {"now": now, "limit": PAGE},
    )
    if not due:
        return False
    sent_before = len(report.sent)
    with _opened(transport, settings) as way_out:
        for (outbox_id,) in due:
            mail = _claim(desk, outbox_id)
            if mail is None:
                continue  # another sender has it, or it went out meanwhile
            try:
                way_out.send(_composed(mail, settings), settings.sender(mail.line)[0], mail.to)
            except DeliveryError as error:
                _failed(desk, mail, str(error), error.permanent, report)
            else:
                _sent(desk, mail, report)
    return len(report.sent) > sent_before


def _composed(mail: Outgoing, settings: MailSettings) -> EmailMessage:
    """The mail, or a permanent failure when no mail can be made of it (an address that is
    no address): retrying would not change that."""
    try:
        return compose(mail, settings)
    except (ValueError, UnicodeError, IndexError) as error:
        raise DeliveryError(f"cannot write a mail to {mail.to}: {error}", permanent=True) from None


def _claim(desk: Desk, outbox_id: int) -> Outgoing | None:
    now = desk.store.now()
    until = to_text(from_text(now) + timedelta(seconds=CLAIM_SECONDS))
    with desk.store.transaction() as conn:
        row = conn.execute(
            "SELECT o.id, o.message_id, m.ticket_id, t.line, t.subject, t.requester,"
            " c.name, m.body, o.automatic, m.created_at, o.mail_id, o.auto_reply"
            " FROM outbox o JOIN messages m ON m.id = o.message_id"
            " JOIN tickets t ON t.id = m.ticket_id LEFT JOIN contacts c ON c.id = t.contact_id"
            " WHERE o.id = ? AND o.sent_at IS NULL AND o.failed_at IS NULL"
            " AND (o.claimed_until IS NULL OR o.claimed_until <= ?)",
            (outbox_id, now),
        ).fetchone()
        if row is None:
            return None
        ticket_id, mail_id = row[2], row[10]
        mail_id = mail_id or new_mail_id(ticket_id, row[1], desk.mail)
        conn.execute(
            "UPDATE outbox SET claimed_until = ?, mail_id = ? WHERE id = ?",
            (until, mail_id, outbox_id),
        )
        # In the thread's order: by message (the mail that opened the ticket has none, and
        # came first).
        thread = conn.execute(
            "SELECT ifnull(message_id, 0) AS said, mail_id, 1 AS theirs FROM mail_in"
            " WHERE ticket_id = ? AND kind = 'person'"
            " UNION ALL SELECT o.message_id, o.mail_id, 0 FROM outbox o JOIN messages m"
            " ON m.id = o.message_id WHERE m.ticket_id = ? AND o.sent_at IS NOT NULL"
            " AND o.mail_id IS NOT NULL ORDER BY said",
            (ticket_id, ticket_id),
        ).fetchall()
    theirs = [mail_id for _at, mail_id, by_them in thread if by_them]
    return Outgoing(
        outbox_id=row[0],
        message_id=row[1],
        ticket_id=ticket_id,
        line=Line(row[3]),
        subject=row[4],
        to=row[5],
        to_name=row[6],
        body=row[7],
        auto_submitted=(None if not row[8] else "auto-replied" if row[11] else "auto-generated"),
        created_at=row[9],
        mail_id=mail_id,
        in_reply_to=theirs[-1] if theirs else None,
        thread_ids=tuple(mail_id for _at, mail_id, _by_them in thread),
    )


def _sent(desk: Desk, mail: Outgoing, report: SendReport) -> None:
    with desk.store.transaction() as conn:
        conn.execute(
            "UPDATE outbox SET sent_at = ?, attempts = attempts + 1, claimed_until = NULL,"
            " last_error = NULL WHERE id = ?",
            (desk.store.now(), mail.outbox_id),
        )
    report.sent.append(mail.ticket_id)


def _failed(desk: Desk, mail: Outgoing, reason: str, permanent: bool, report: SendReport) -> None:
    now = from_text(desk.store.now())
    queued = desk.store.query(
        "SELECT queued_at, attempts FROM outbox WHERE id = ?", (mail.outbox_id,)
    )
    queued_at, attempts = from_text(queued[0][0]), int(queued[0][1]) + 1
    if not permanent and (now - queued_at).total_seconds() < GIVE_UP_SECONDS:
        pause = BACKOFF_SECONDS[min(attempts, len(BACKOFF_SECONDS)) - 1]
        with desk.store.transaction() as conn:
            conn.execute(
                "UPDATE outbox SET attempts = ?, next_attempt_at = ?, claimed_until = NULL,"
                " last_error = ? WHERE id = ?",
                (attempts, to_text(now + timedelta(seconds=pause)), reason, mail.outbox_id),
            )
        report.retrying.append((mail.ticket_id, reason))
        return
    written = words.when(from_text(mail.created_at), now, desk.policy.zone)
    with change(desk) as c:
        c.conn.execute(
            "UPDATE outbox SET attempts = ?, failed_at = ?, claimed_until = NULL, last_error = ?"
            " WHERE id = ?",
            (attempts, c.now, reason, mail.outbox_id),
        )
        c.message(
            mail.ticket_id,
            MessageKind.NOTE,
            f"The mail of {written} to {mail.to} was not delivered: {one_line(reason, 300)}. "
            "Check the address, then send it again (`console mail retry "
            f"{mail.ticket_id}`) or let it go (`console mail dismiss {mail.ticket_id}`).",
        )
        c.update(mail.ticket_id, reason="a mail was not delivered")
    report.failed.append((mail.ticket_id, reason))


@contextmanager
def _opened(transport: Transport | None, settings: MailSettings) -> Iterator[Transport]:
    if transport is not None:
        yield transport
        return
    from console.core.mail.transports import Sendmail, Smtp  # only when there is mail to send

    if settings.sendmail:
        yield Sendmail(settings.sendmail)
        return
    smtp = Smtp(settings)
    try:
        yield smtp
    finally:
        smtp.close()
