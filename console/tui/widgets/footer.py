"""The footer of every screen: Textual's, made to keep the important keys and `?` in sight at
80 columns. Narrower than `NARROW` it drops the space around each key and the command
palette's key on the right (`ctrl+p` is still in the help), so the keys an agent needs most,
which the screens list first, are what is left."""

from __future__ import annotations

from textual import events
from textual.widgets import Footer

NARROW = 100
"""Columns below which the footer is compact."""


class ConsoleFooter(Footer):
    def on_resize(self, event: events.Resize) -> None:
        narrow = event.size.width < NARROW
        if narrow != self.compact:
            self.compact = narrow
            self.show_command_palette = not narrow
            self.refresh(recompose=True)
