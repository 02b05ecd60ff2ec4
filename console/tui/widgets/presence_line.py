"""One line under the ticket screen's header naming the colleagues on the same ticket:
"alice is replying · bob is viewing". Hidden while the agent is alone on it.

Read in a worker (a lookup on the presence index) whenever another console commits, so a
colleague who opens the ticket shows within about a second, and every few seconds, so one whose
console died fades out after the TTL."""

from __future__ import annotations

from dataclasses import dataclass

from textual import work
from textual.message import Message
from textual.widgets import Static

from console.core import presence
from console.core.presence import Presence
from console.tui.background import others_text
from console.tui.host import EXPECTED_ERRORS, host

REFRESH_SECONDS = float(presence.HEARTBEAT_SECONDS)
"""Besides reading at once when another console commits: so a colleague whose console died
fades out after the TTL, which no commit announces."""


class PresenceLine(Static):
    """Who else is on ticket `ticket_id` right now."""

    DEFAULT_CSS = """
    PresenceLine {
        height: 1;
        padding: 0 1;
        background: $panel;
    }
    """

    def __init__(self, ticket_id: int, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.ticket_id = ticket_id
        self.present: list[Presence] = []

    def on_mount(self) -> None:
        self.display = False
        self.set_interval(REFRESH_SECONDS, self.load, name="presence on this ticket")
        self.load()

    @work(
        thread=True,
        exclusive=False,
        exit_on_error=False,
        group="presence-line",
        description="read who else is on this ticket",
    )
    def load(self) -> None:
        desk = host(self).desk
        try:
            found = presence.on_ticket(desk.store, self.ticket_id, exclude_agent=desk.login)
        except EXPECTED_ERRORS:
            return  # presence is a courtesy: the poll reports a broken database
        self.post_message(self.Read(found))

    @dataclass
    class Read(Message):
        present: list[Presence]

    def on_presence_line_read(self, message: Read) -> None:
        self.show(message.present)

    def show(self, present: list[Presence]) -> None:
        said = [(p.agent, p.activity) for p in present]
        if said == [(p.agent, p.activity) for p in self.present] and self.display == bool(present):
            return  # the same people doing the same: nothing to repaint
        self.present = present
        self.display = bool(present)
        if present:
            self.update(others_text(present))
