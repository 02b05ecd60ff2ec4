"""Taking one received e-mail into the desk: which ticket it belongs to, and what it does there.

Threading never splits a case and never lets a stranger into one:

1. a message that names one of ours (the desk's outbound Message-IDs, or a mail the desk took
   before) in In-Reply-To or References joins that ticket;
2. else a subject tag `[#123]` joins ticket 123, but only when the sender is already on it
   (its requester, or someone who wrote on it): a tag anybody can type is no proof;
3. else the message opens a new ticket.

A merged ticket's mail goes to the ticket it was merged into. What a person writes moves the
ball to us, and reopens a solved case (or opens a linked new one after `reopen_within`).
A person's new ticket is acknowledged at once (see `acknowledge`). Automatic mail is recorded
but moves nothing; a bounce becomes a note on the ticket whose mail
failed; the desk's own mail, come back in a loop, is dropped. Every outcome, the dropped ones
too, is kept in `mail_in` with the message's bytes, in the same transaction as the ticket's
change, so a message is taken once and only once, however often it is delivered."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.utils import formataddr

from console.core import words
from console.core.desk import Desk
from console.core.mail.acknowledge import acknowledgement, language_of
from console.core.mail.automatic import MailKind
from console.core.mail.parse import Attachment, Incoming, parse
from console.core.model import Channel, Choice, LinkKind, MessageKind
from console.core.operations import customer_said
from console.core.words import count
from console.core.workflow import MAX_SUBJECT, Change, change

_TAG = re.compile(r"\[[^\[\]#]{0,30}#(\d{1,12})\]")
_MERGE_HOPS = 10
NO_SUBJECT = "(no subject)"


class Outcome(Choice):
    NEW = "new"
    ADDED = "added"
    REOPENED = "reopened"
    FOLLOW_UP = "follow-up"
    NOTED = "noted"
    DROPPED = "dropped"


@dataclass(frozen=True)
class Received:
    """What became of a message."""

    mail_id: str
    outcome: Outcome
    ticket_id: int | None
    detail: str | None = None
    already: bool = False
    """Taken before (a retry, a second import): nothing was written this time."""

    def sentence(self) -> str:
        """One line in plain words for the command line."""
        where = f"#{self.ticket_id}" if self.ticket_id is not None else ""
        said = {
            Outcome.NEW: f"new ticket {where}",
            Outcome.ADDED: f"added to {where}",
            Outcome.REOPENED: f"added to {where}, which it reopened",
            Outcome.FOLLOW_UP: f"new ticket {where}, following up a closed case",
            Outcome.NOTED: f"noted on {where}" if where else "noted",
            Outcome.DROPPED: "dropped",
        }[self.outcome]
        detail = f": {self.detail}" if self.detail else ""
        prefix = "already taken: " if self.already else ""
        return f"{prefix}{said}{detail}"


@dataclass
class Tally:
    """What a run over many messages (an import, a fetch) did with them."""

    seen: int = 0
    taken: int = 0
    already: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    """(where the message is, what went wrong) for each message that could not be taken."""

    def count(self, received: Received) -> None:
        if received.already:
            self.already += 1
        else:
            self.taken += 1

    def as_dict(self) -> dict[str, object]:
        return {
            "seen": self.seen,
            "taken": self.taken,
            "already": self.already,
            "failed": [{"where": w, "error": e} for w, e in self.failed],
        }

    def notice(self) -> str | None:
        """What a fetch took, for the TUI's notice; None when there was nothing to read."""
        if not self.seen:
            return None
        failed = f", {len(self.failed)} not taken" if self.failed else ""
        return f"{count(self.taken, 'mail')} taken in{failed}"

    def sentence(self, what: str) -> str:
        """ "4 messages: 3 taken, 1 taken before, 0 not taken" (`what` names the seen)."""
        return (
            f"{self.seen:,} {what}: {self.taken:,} taken, {self.already:,} taken before,"
            f" {len(self.failed):,} not taken"
        )


def receive(desk: Desk, raw: bytes, *, parsed: Incoming | None = None) -> Received:
    """Take the message in `raw` (`parsed`, when the caller read it already) under the desk's
    mail settings; a message taken before is recognised and left alone."""
    mail = parsed or parse(raw)
    with change(desk) as c:
        taken = c.conn.execute(
            "SELECT outcome, ticket_id, detail FROM mail_in WHERE mail_id = ?", (mail.mail_id,)
        ).fetchone()
        if taken is not None:
            return Received(mail.mail_id, Outcome(taken[0]), taken[1], taken[2], already=True)
        return _take(c, mail)


def _take(c: Change, mail: Incoming) -> Received:
    settings = c.desk.mail
    if mail.sender in settings.addresses or settings.loop_mark in mail.loop_marks:
        return _log(c, mail, Outcome.DROPPED, None, None, "the desk's own mail, come back")
    if not mail.sender:
        return _log(c, mail, Outcome.DROPPED, None, None, "it names no sender to answer")
    kept, refused = _sized(mail.attachments, settings.max_attachment_bytes)
    notes = [_refusal(a, settings.max_attachment_bytes) for a in refused]
    if mail.kind == MailKind.BOUNCE:
        return _bounce(c, mail, kept, notes)
    ticket_id = _thread(c, mail)
    if ticket_id is None:
        new_id = c.create(
            subject=mail.subject[:MAX_SUBJECT] or NO_SUBJECT,
            requester=formataddr((mail.sender_name or "", mail.sender)),
            body=mail.text,
            source="email",
            channel=Channel.EMAIL,
        )
        for note in notes:
            c.message(new_id, MessageKind.NOTE, note)
        acknowledged = acknowledgement(c, new_id, mail)
        if acknowledged:
            c.message(new_id, MessageKind.REPLY, acknowledged)
        _store_files(c, new_id, None, kept, refused)
        detail = "acknowledged" if acknowledged else mail.why_automatic
        return _log(c, mail, Outcome.NEW, new_id, None, detail)
    if mail.kind == MailKind.AUTOMATIC:  # recorded, but it neither moves the ball nor reopens
        message_id = c.message(
            ticket_id,
            MessageKind.CUSTOMER,
            mail.text or mail.subject or NO_SUBJECT,
            author=mail.sender,
            channel=Channel.EMAIL,
        )
        for note in notes:
            c.message(ticket_id, MessageKind.NOTE, note)
        c.update(ticket_id, reason="automatic mail")
        _store_files(c, ticket_id, message_id, kept, refused)
        return _log(c, mail, Outcome.NOTED, ticket_id, message_id, mail.why_automatic)
    said = customer_said(
        c,
        ticket_id,
        mail.text or mail.subject or NO_SUBJECT,
        author=mail.sender,
        channel=Channel.EMAIL,
        notes=notes,
    )
    _store_files(c, said.ticket_id, said.message_id, kept, refused)
    if said.followed_up:
        return _log(c, mail, Outcome.FOLLOW_UP, said.ticket_id, None, f"after #{ticket_id}")
    outcome = Outcome.REOPENED if said.reopened else Outcome.ADDED
    return _log(c, mail, outcome, said.ticket_id, said.message_id, None)


def _bounce(c: Change, mail: Incoming, kept: list[Attachment], notes: list[str]) -> Received:
    assert mail.bounce is not None
    ticket_id = _ours(c, mail.bounce.original_ids) or _thread(c, mail)
    sentence = mail.bounce.sentence()
    if ticket_id is None:
        return _log(c, mail, Outcome.DROPPED, None, None, f"{sentence}, for no mail of ours")
    message_id = c.message(ticket_id, MessageKind.NOTE, sentence)
    for note in notes:
        c.message(ticket_id, MessageKind.NOTE, note)
    c.update(ticket_id, reason="a delivery failed")
    _store_files(c, ticket_id, message_id, kept, [])
    return _log(c, mail, Outcome.NOTED, ticket_id, message_id, sentence)


# -- threading -------------------------------------------------------------------------------


def _thread(c: Change, mail: Incoming) -> int | None:
    found = _ours(c, mail.answers)
    if found is None:
        tag = _TAG.search(mail.subject)
        if tag and _is_on_ticket(c, int(tag.group(1)), mail.sender):
            found = int(tag.group(1))
    return None if found is None else _primary(c, found)


def _ours(c: Change, mail_ids: tuple[str, ...]) -> int | None:
    """The ticket of the first of `mail_ids` the desk sent or took, in the order given."""
    if not mail_ids:
        return None
    marks = ", ".join("?" * len(mail_ids))
    rows = c.conn.execute(
        f"SELECT o.mail_id, m.ticket_id FROM outbox o JOIN messages m ON m.id = o.message_id"
        f" WHERE o.mail_id IN ({marks})"
        f" UNION ALL SELECT mail_id, ticket_id FROM mail_in"
        f" WHERE mail_id IN ({marks}) AND ticket_id IS NOT NULL",
        (*mail_ids, *mail_ids),
    ).fetchall()
    tickets = {mail_id: ticket_id for mail_id, ticket_id in rows}
    return next((int(tickets[i]) for i in mail_ids if i in tickets), None)


def _is_on_ticket(c: Change, ticket_id: int, sender: str) -> bool:
    row = c.conn.execute(
        "SELECT 1 FROM tickets WHERE id = ? AND requester = ? COLLATE NOCASE"
        " UNION ALL SELECT 1 FROM messages WHERE ticket_id = ? AND kind = 'customer'"
        " AND author = ? COLLATE NOCASE LIMIT 1",
        (ticket_id, sender, ticket_id, sender),
    ).fetchone()
    return row is not None


def _primary(c: Change, ticket_id: int) -> int:
    """The ticket that `ticket_id` was merged into, however many merges away."""
    for _ in range(_MERGE_HOPS):
        row = c.conn.execute(
            "SELECT other_id FROM links WHERE ticket_id = ? AND kind = ?",
            (ticket_id, LinkKind.MERGED.value),
        ).fetchone()
        if row is None:
            break
        ticket_id = int(row[0])
    return ticket_id


# -- files and the log -----------------------------------------------------------------------


def _sized(files: tuple[Attachment, ...], limit: int) -> tuple[list[Attachment], list[Attachment]]:
    kept = [a for a in files if len(a.data) <= limit]
    return kept, [a for a in files if len(a.data) > limit]


def _refusal(file: Attachment, limit: int) -> str:
    return (
        f"The file {file.filename} ({words.size(len(file.data))}) was not kept: it is larger than "
        f"the {words.size(limit)} limit. Ask the customer for it another way."
    )


def _store_files(
    c: Change,
    ticket_id: int,
    message_id: int | None,
    kept: list[Attachment],
    refused: list[Attachment],
) -> None:
    for files, keep in ((kept, True), (refused, False)):
        for file in files:
            c.conn.execute(
                "INSERT INTO attachments (ticket_id, message_id, filename, content_type, size,"
                " data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    ticket_id,
                    message_id,
                    file.filename,
                    file.content_type,
                    len(file.data),
                    file.data if keep else None,
                    c.now,
                ),
            )


def _log(
    c: Change,
    mail: Incoming,
    outcome: Outcome,
    ticket_id: int | None,
    message_id: int | None,
    detail: str | None,
) -> Received:
    if outcome != Outcome.DROPPED and mail.kind == MailKind.PERSON:
        # The language they write in: what the console says to them by itself follows it.
        language = language_of(f"{mail.subject}\n{mail.text}", None)
        if language:
            c.conn.execute("UPDATE contacts SET lang = ? WHERE email = ?", (language, mail.sender))
    c.conn.execute(
        "INSERT INTO mail_in (mail_id, received_at, sender, subject, kind, outcome, detail,"
        " ticket_id, message_id, raw) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            mail.mail_id,
            c.now,
            mail.sender,
            mail.subject,
            mail.kind.value,
            outcome.value,
            detail,
            ticket_id,
            message_id,
            mail.raw,
        ),
    )
    return Received(mail.mail_id, outcome, ticket_id, detail)
