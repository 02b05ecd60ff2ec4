"""The command palette (ctrl+p): switch queue, open a ticket by number, refresh, quit; and on
the ticket screen every ticket action the agent may use.

Typing a number offers "Open ticket #N" first; the other commands are matched fuzzily against
what was typed, with Textual's own matcher. The ticket actions come from their declarations
(title, what it does, its key), so the palette lists exactly what the keys do."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import partial

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider

from console.core.actions import ACTIONS
from console.tui.host import host
from console.tui.queues import with_views

_NUMBER = re.compile(r"\s*(?:open\s*)?(?:ticket\s*)?#?(\d{1,12})\s*$", re.IGNORECASE)

Command = tuple[str, Callable[[], object], str]


class _Commands(Provider):
    def commands(self) -> Iterator[Command]:
        raise NotImplementedError

    async def discover(self) -> Hits:
        for name, run, help_text in self.commands():
            yield DiscoveryHit(name, run, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, run, help_text in self.commands():
            score = max(matcher.match(name), matcher.match(help_text) * 0.8)
            if score > 0:
                yield Hit(score, matcher.highlight(name), run, text=name, help=help_text)


class ConsoleCommands(_Commands):
    """The console's own commands, everywhere."""

    def commands(self) -> Iterator[Command]:
        app = host(self.app)
        for queue in with_views(app.views):
            what = "a saved view" if queue.view else "this queue"
            yield f"Queue: {queue.label}", partial(app.show_queue, queue.id), f"show {what}"
        yield "New ticket", app.new_ticket, "a phone call, a walk-in: open a ticket (N)"
        yield "Refresh", app.action_refresh, "read counts and tickets again"
        yield "Quit", self.app.action_quit, "leave the console"

    async def search(self, query: str) -> Hits:
        number = _NUMBER.match(query)
        if number:
            ticket_id = int(number.group(1))
            open_it = partial(host(self.app).open_ticket, ticket_id)
            yield Hit(
                1.0,
                Text(f"Open ticket #{ticket_id}"),
                open_it,
                text=f"Open ticket #{ticket_id}",
                help="show the ticket and its thread",
            )
        async for hit in super().search(query):
            yield hit


class TicketActionCommands(_Commands):
    """Every ticket action the agent may use, while a ticket is on screen: "Escalate (e)"."""

    def commands(self) -> Iterator[Command]:
        from console.tui.actions.keys import TicketActions

        screen = self.screen
        if not isinstance(screen, TicketActions) or screen.ticket is None:
            return
        me = host(screen).desk.agent
        context = screen.context
        for action in ACTIONS.values():
            if not action.allows(me) or (context is not None and not action.applies_to(context)):
                continue
            yield (
                f"{action.title} ({screen.key_of(action)})",
                partial(screen.start_action, action.id),
                action.help,
            )
