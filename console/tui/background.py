"""What the console does on its own while the agent works: telling colleagues where it is
(presence heartbeats) and running the timers (SLA breaches, follow-ups, nudges, auto-close).

Plain functions for the app's workers: which ticket and activity the screen stack stands for,
and the one-line notice a timer run deserves. No terminal and no threads here."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, runtime_checkable

from rich.text import Text

from console.core import words
from console.core.model import Activity
from console.core.presence import Presence
from console.core.text import one_line
from console.core.timers import TickReport

TIMER_SECONDS = 60.0
"""How often the TUI runs the timers; cron's `console tick` may run them too."""


@runtime_checkable
class HasPresence(Protocol):
    """A screen that says where the agent is: the ticket (or None) and the activity."""

    def presence(self) -> tuple[int | None, Activity]: ...


def where(screens: Iterable[object]) -> tuple[int | None, Activity]:
    """The ticket and activity of the topmost screen that tells (dialogs do not): a composer
    says "replying", the ticket screen "viewing", the queue screen "browsing"."""
    for screen in reversed(list(screens)):
        if isinstance(screen, HasPresence):
            return screen.presence()
    return None, Activity.BROWSING


def others_text(present: list[Presence]) -> Text:
    """ "alice is replying · bob is viewing" for the ticket screen's header; empty when the
    agent is alone on the ticket."""
    text = Text(no_wrap=True, overflow="ellipsis")
    seen: set[str] = set()
    for person in sorted(present, key=lambda p: (p.activity != Activity.REPLYING, p.agent)):
        if person.agent in seen:
            continue  # writing in one console and reading in another: writing says more
        seen.add(person.agent)
        if text:
            text.append(" \u00b7 ", style="dim")
        writing = person.activity == Activity.REPLYING
        text.append(one_line(person.agent, 40), style="bold" if writing else "")
        text.append(
            " is replying" if writing else " is viewing", style="bold yellow" if writing else "dim"
        )
    return text


def tick_notice(report: TickReport) -> str | None:
    """What a timer run did, in one line, or None when it did nothing worth a word."""
    parts = []
    if report.breaches:
        parts.append(f"{words.count(len(report.breaches), 'SLA breach', 'SLA breaches')} logged")
    if report.followups_due:
        parts.append(f"{words.count(len(report.followups_due), 'follow-up')} due")
    if report.nudges_due:
        parts.append(f"{words.count(len(report.nudges_due), 'customer')} to nudge")
    if report.auto_closed:
        parts.append(f"{words.count(len(report.auto_closed), 'idle ticket')} closed")
    for said in (
        report.fetched.notice() if report.fetched else None,
        f"the mailbox could not be read: {report.fetch_error}" if report.fetch_error else None,
        report.mail.words() if report.mail else None,
    ):
        if said:
            parts.append(said)
    return "Timers: " + ", ".join(parts) if parts else None
