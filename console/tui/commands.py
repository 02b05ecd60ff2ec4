"""The command palette (ctrl+p): switch queue, open a ticket by number, refresh, quit.

Typing a number offers "Open ticket #N" first; the other commands are matched fuzzily against
what was typed, with Textual's own matcher."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider

from console.tui.desk import desk
from console.tui.queues import QUEUES

_NUMBER = re.compile(r"\s*(?:open\s*)?(?:ticket\s*)?#?(\d{1,12})\s*$", re.IGNORECASE)


class ConsoleCommands(Provider):
    """The console's own commands."""

    def _commands(self) -> list[tuple[str, Callable[[], object], str]]:
        app = desk(self.app)
        commands: list[tuple[str, Callable[[], object], str]] = [
            (f"Queue: {queue.label}", partial(app.show_queue, queue.id), "show this queue")
            for queue in QUEUES
        ]
        commands += [
            ("Refresh", app.action_refresh, "read counts and tickets again"),
            ("Quit", self.app.action_quit, "leave the console"),
        ]
        return commands

    async def discover(self) -> Hits:
        for name, run, help_text in self._commands():
            yield DiscoveryHit(name, run, help=help_text)

    async def search(self, query: str) -> Hits:
        number = _NUMBER.match(query)
        if number:
            ticket_id = int(number.group(1))
            open_it = partial(desk(self.app).open_ticket, ticket_id)
            yield Hit(
                1.0,
                Text(f"Open ticket #{ticket_id}"),
                open_it,
                text=f"Open ticket #{ticket_id}",
                help="show the ticket and its thread",
            )
        matcher = self.matcher(query)
        for name, run, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), run, text=name, help=help_text)
