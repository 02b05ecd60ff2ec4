"""One public message of the desk as an e-mail, ready for the server.

Each mail carries what brings the customer's answer back to its ticket: a Message-ID that
names the ticket (`<42.317.9f2c…@example.com>`), In-Reply-To and References to the customer's
mail (and ours before it) so their mail program threads it, and the `[#42]` tag in the
subject for the programs that drop the references. Mail the console writes by itself says
so (RFC 3834): `Auto-Submitted: auto-replied` on the acknowledgement, which answers a mail,
`auto-generated` on a nudge or the auto-close notice, so an auto-responder does not answer;
every mail carries the desk's `X-Loop` mark.

Subjects and names are a stranger's text: they go through `one_line` and the `email`
package's header classes, so a newline can never start a header of its own."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from console.core.clock import from_text
from console.core.mail.settings import MailSettings
from console.core.model import Line
from console.core.text import one_line

MAX_REFERENCES = 20
"""References kept in a mail (the newest): enough to thread, short enough for any server."""


@dataclass(frozen=True)
class Outgoing:
    """A queued public message and what its mail needs, read from the store."""

    outbox_id: int
    message_id: int
    ticket_id: int
    line: Line
    subject: str
    to: str
    to_name: str | None
    body: str
    auto_submitted: str | None
    """`auto-replied` on the acknowledgement, `auto-generated` on the console's other mail
    (RFC 3834), None on what a person wrote."""
    created_at: str
    mail_id: str | None
    """Given at the first attempt and kept, so a retry is the same mail to the receiver."""
    in_reply_to: str | None
    """The Message-ID of the customer's latest mail on the ticket."""
    thread_ids: tuple[str, ...]
    """The Message-IDs of the ticket's mail so far, theirs and ours, oldest first."""


def new_mail_id(ticket_id: int, message_id: int, settings: MailSettings) -> str:
    return f"<{ticket_id}.{message_id}.{secrets.token_hex(6)}@{settings.domain}>"


def tagged(subject: str, ticket_id: int) -> str:
    tag = f"[#{ticket_id}]"
    subject = one_line(subject, 200)
    return subject if tag in subject else f"{subject} {tag}"


def compose(mail: Outgoing, settings: MailSettings) -> EmailMessage:
    """The e-mail for `mail`, with `mail.mail_id` as its Message-ID."""
    assert mail.mail_id is not None, "a mail is given its Message-ID before it is composed"
    message = EmailMessage()
    address, name = settings.sender(mail.line)
    # Address objects, not formatted text: a name is quoted or encoded as it needs, and an
    # address with non-ASCII letters stays one (sent where the server speaks SMTPUTF8).
    message["From"] = _address(name, address)
    message["To"] = _address(mail.to_name, mail.to)
    prefix = "Re: " if mail.in_reply_to else ""
    message["Subject"] = prefix + tagged(mail.subject, mail.ticket_id)
    message["Date"] = format_datetime(from_text(mail.created_at))
    message["Message-ID"] = mail.mail_id
    if mail.in_reply_to:
        message["In-Reply-To"] = mail.in_reply_to
    if mail.thread_ids:
        message["References"] = " ".join(mail.thread_ids[-MAX_REFERENCES:])
    if mail.auto_submitted:
        message["Auto-Submitted"] = mail.auto_submitted
    message["X-Loop"] = settings.loop_mark
    message.set_content(mail.body)
    return message


def _address(name: str | None, address: str) -> Address:
    user, at, domain = address.rpartition("@")
    if not at or not user or not domain:
        raise ValueError(f"{address!r} is not an e-mail address")
    return Address(one_line(name or "", 80), username=user, domain=domain)
