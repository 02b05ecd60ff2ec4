"""Macros in the command palette (ctrl+p): "Macro: <title>" on a ticket or in a composer.

Choosing one does what the picker's enter does: on the ticket screen it opens the composer of
the macro's kind with the text rendered for the ticket; in a composer it inserts the text."""

from __future__ import annotations

import asyncio
from functools import partial

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider

from console.core.macros import Macro
from console.core.text import one_line
from console.tui.host import host
from console.tui.screens.compose import ComposeScreen
from console.tui.screens.macro_picker import usable_macros
from console.tui.screens.ticket_compose import ComposeActions


class MacroCommands(Provider):
    """Every macro this agent may use, while a ticket is on screen."""

    macros: tuple[Macro, ...] = ()

    async def startup(self) -> None:
        if isinstance(self.screen, ComposeActions | ComposeScreen):
            # Reading the files may touch a slow disk: off the UI thread.
            self.macros = await asyncio.to_thread(usable_macros, host(self.screen).desk)

    def _hits(self) -> list[tuple[str, Macro]]:
        return [(f"Macro: {one_line(m.title, 80)}", m) for m in self.macros]

    def _run(self, macro: Macro) -> None:
        screen = self.screen
        if isinstance(screen, ComposeActions | ComposeScreen):
            screen.use_macro(macro)

    async def discover(self) -> Hits:
        for name, macro in self._hits():
            yield DiscoveryHit(
                Text(name),
                partial(self._run, macro),
                text=name,
                help=f"{macro.kind.value}: {one_line(macro.body, 60)}",
            )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, macro in self._hits():
            score = matcher.match(name)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(name),
                    partial(self._run, macro),
                    text=name,
                    help=f"{macro.kind.value}: {one_line(macro.body, 60)}",
                )
