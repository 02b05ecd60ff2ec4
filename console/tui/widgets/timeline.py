"""The event timeline of a ticket: when, who, what changed from what to what.

Built as one `Text` (event details and actors may hold anything a stranger typed)."""

from __future__ import annotations

from rich.text import Text

from console.core.model import Event
from console.core.text import one_line
from console.tui.widgets.thread_entry import when

ACTION_WIDTH = 10
ACTOR_WIDTH = 12


def timeline_text(events: list[Event]) -> Text:
    text = Text(no_wrap=False)
    for number, event in enumerate(events):
        if number:
            text.append("\n")
        text.append(when(event.at), style="dim")
        text.append(f"  {one_line(event.actor, ACTOR_WIDTH):<{ACTOR_WIDTH}}")
        text.append(f"  {one_line(event.action, ACTION_WIDTH):<{ACTION_WIDTH}}", style="bold")
        if event.before is not None or event.after is not None:
            text.append(f"  {one_line(event.before or '-', 40)}")
            text.append(" \u2192 ", style="dim")
            text.append(one_line(event.after or "-", 40))
        if event.detail:
            text.append(f"  {one_line(event.detail, 200)}", style="italic")
    if not events:
        text.append("no events", style="dim")
    return text
