"""Moments, spans and deadlines in the words an agent reads: "today 14:05", "in 2 h",
"first response 3 h overdue". Times are in the team's zone; the machine forms (ISO moments,
seconds) stay in `--json`. Plain strings, no markup: the screens and the command line both
use them."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from console.core.model import Channel, Court, SlaKind

if TYPE_CHECKING:
    from console.core.mail.delivery import Delivery


def when(moment: datetime, now: datetime, zone: tzinfo) -> str:
    """ "today 14:05", "yesterday 09:00", "tomorrow 12:00", "Tue 3 Dec 14:00", or with the
    year when it is not this one."""
    local, today = moment.astimezone(zone), now.astimezone(zone).date()
    clock = f"{local:%H:%M}"
    days = (local.date() - today).days
    named = {0: "today", -1: "yesterday", 1: "tomorrow"}
    if days in named:
        return f"{named[days]} {clock}"
    if local.year == today.year:
        return f"{local:%a} {local.day} {local:%b} {clock}"
    return f"{local.day} {local:%b %Y} {clock}"


def span(seconds: float) -> str:
    """A length of time, rounded to what matters: "45 s", "12 min", "2 h 5 min", "3 days 4 h",
    "5 weeks"."""
    seconds = abs(int(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    if days < 14:
        unit = "day" if days == 1 else "days"
        return f"{days} {unit} {hours} h" if hours else f"{days} {unit}"
    return f"{days // 7} weeks"


def count(n: int, thing: str, things: str | None = None) -> str:
    """ "1 ticket", "3 tickets", "no tickets"."""
    if n == 0:
        return f"no {things or thing + 's'}"
    return f"{n:,} {thing if n == 1 else things or thing + 's'}"


def ago(moment: datetime, now: datetime) -> str:
    """ "3 h ago", "just now"."""
    seconds = (now - moment).total_seconds()
    if abs(seconds) < 60:
        return "just now"
    return f"{span(seconds)} ago" if seconds > 0 else f"in {span(seconds)}"


def deadline(kind: SlaKind, left_seconds: int) -> str:
    """ "first response due in 2 h", "resolution 3 h overdue"."""
    if left_seconds <= 0:
        return f"{kind.words} {span(left_seconds)} overdue"
    return f"{kind.words} due in {span(left_seconds)}"


COURT_WORDS = {
    Court.US: "our move",
    Court.CUSTOMER: "the customer's move",
    Court.VENDOR: "the vendor's move",
}


CHANNEL_WORDS = {
    Channel.EMAIL: "by e-mail",
    Channel.PHONE: "by phone",
    Channel.CHAT: "in chat",
    Channel.MONITORING: "from monitoring",
    Channel.CLI: "typed in",
}


NOT_MAILED = "not mailed: no e-mail address; tell them by phone"
"""A public message to a customer the desk has no address for."""


def delivery(sent: Delivery, now: datetime, zone: tzinfo, *, sending: bool) -> str | None:
    """What became of a reply's mail: "sent today 10:05", "queued", "not delivered: 550 ..."
    (None when there is nothing worth saying: a desk that sends no mail queues everything)."""
    from console.core.clock import from_text

    state = sent.state.value
    if state == "not mailed":
        return NOT_MAILED
    if state == "sent" and sent.at is not None:
        return f"sent {when(from_text(sent.at), now, zone)}"
    if state in ("failed", "dismissed"):
        return f"not delivered: {sent.error or 'refused'}"
    if state == "retrying":
        return f"not sent yet, trying again: {sent.error}"
    return "queued" if sending else None


def how_sent(
    channel: Channel | None, sent: Delivery | None, now: datetime, zone: tzinfo, *, sending: bool
) -> str:
    """The end of a thread entry's line: how it came or left, and what became of its mail
    (", by e-mail, sent today 10:05"); a message that was not mailed says only that."""
    fate = delivery(sent, now, zone, sending=sending) if sent else None
    came = f", {CHANNEL_WORDS[channel]}" if channel and fate != NOT_MAILED else ""
    return came + (f", {fate}" if fate else "")


def size(count: int) -> str:
    """A file's size: "820 bytes", "14 KB", "2.5 MB"."""
    if count < 1024:
        return f"{count} bytes"
    if count < 1024 * 1024:
        return f"{round(count / 1024)} KB"
    return f"{count / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")


def silent_for(since: datetime, now: datetime) -> str:
    return f"silent for {span((now - since).total_seconds())}"
