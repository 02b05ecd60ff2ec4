"""The event timeline of a ticket: when, and what happened in plain words.

Built as one `Text` (event details and actors may hold anything a stranger typed); the words
come from `core.history`, the same as `console show` prints."""

from __future__ import annotations

from datetime import datetime, tzinfo

from rich.text import Text

from console.core import words
from console.core.clock import from_text
from console.core.history import describe
from console.core.model import Event

WHEN_WIDTH = 18


def timeline_text(events: list[Event], now: datetime, zone: tzinfo) -> Text:
    text = Text(no_wrap=False)
    for number, event in enumerate(events):
        if number:
            text.append("\n")
        text.append(f"{words.when(from_text(event.at), now, zone):<{WHEN_WIDTH}}", style="dim")
        text.append(describe(event.actor, event.action, event.before, event.after, event.detail))
    if not events:
        text.append("no events", style="dim")
    return text
