"""The acknowledgement a person's new ticket gets at once: its number, by when we answer, and
the seeds' advice (reply to this mail for this case, one problem per request, a screenshot
with the clock in it). The text is the `ack` macro in the customer's language (`ack.ru`,
`ack.uk`; told from the letters of their mail), so a team words it as it likes.

None is sent to automatic mail, to the senders the team keeps quiet (monitoring), or to a
sender who already had `acknowledgements_per_hour` automatic answers this hour: two
auto-responders writing to each other stop at once."""

from __future__ import annotations

import re
from datetime import timedelta
from fnmatch import fnmatch

from console.core.clock import to_text
from console.core.errors import ConsoleError
from console.core.mail.automatic import MailKind
from console.core.mail.parse import Incoming
from console.core.workflow import Change

_UKRAINIAN = re.compile("[іїєґІЇЄҐ]")
_CYRILLIC = re.compile("[а-яёА-ЯЁ]")
_LATIN = re.compile("[a-zA-Z]")
MIN_LETTERS = 12
"""Fewer letters than this ("ok", "спасибо") tell no language."""


def language_of(text: str, default: str | None) -> str | None:
    """ "uk", "ru" or "en" by the letters a customer wrote in; `default` when too few."""
    cyrillic = len(_CYRILLIC.findall(text)) + len(_UKRAINIAN.findall(text))
    latin = len(_LATIN.findall(text))
    if cyrillic > latin // 2 and cyrillic >= MIN_LETTERS:
        return "uk" if _UKRAINIAN.search(text) else "ru"
    if latin >= MIN_LETTERS and cyrillic <= latin // 2:
        return "en"
    return default


def acknowledgement(c: Change, ticket_id: int, mail: Incoming) -> str | None:
    """The acknowledgement for the ticket `mail` opened, or None with no word sent."""
    settings = c.desk.mail
    if not (settings.acknowledge and settings.sending) or mail.kind != MailKind.PERSON:
        return None  # a desk that sends no mail promises nothing
    if any(fnmatch(mail.sender, pattern) for pattern in settings.quiet_senders):
        return None
    hour_ago = to_text(c.moment - timedelta(hours=1))
    answered = c.conn.execute(
        "SELECT count(*) FROM outbox o JOIN messages m ON m.id = o.message_id"
        " JOIN tickets t ON t.id = m.ticket_id"
        " WHERE t.requester = ? AND o.automatic = 1 AND o.queued_at > ?",
        (mail.sender, hour_ago),
    ).fetchone()[0]
    if answered >= settings.acknowledgements_per_hour:
        return None
    from console.core.macro_render import render
    from console.core.ticket_values import ticket_values

    language = language_of(f"{mail.subject}\n{mail.text}", settings.language) or "en"
    try:
        catalog = c.desk.catalog()
        macro = catalog.macro(f"ack.{language}" if language != "en" else "ack")
    except ConsoleError:
        try:
            macro = c.desk.catalog().macro("ack")
        except ConsoleError:
            return None  # the team removed it: they acknowledge no one
    ticket = c.desk.store.ticket(ticket_id)
    rendered = render(macro, ticket_values(c.desk, ticket), ticket_id)
    if rendered.missing:
        return None  # never "Hello ⟨customer.name?⟩" to a customer
    return rendered.text
