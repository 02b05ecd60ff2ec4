"""The yardstick for the terminal benchmarks: the smallest Textual app that does what the
benchmarks time, one `Static` updated per key. `j` moves a position ("2 of 1,000,000"), `]`
names the next queue, `q` quits. Whatever it costs is Textual's and the terminal's own cost,
so the console's figures are compared with it, measured the same way in the same run.

    python bench/trivial_app.py
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Static

QUEUES = (
    "L1 first line",
    "L2 second line",
    "L3 experts",
    "L4 vendor",
    "Mine",
    "All open",
    "Due follow-ups",
    "Nudge",
    "Breach",
    "Needs customer contact",
)


class Trivial(App[None]):
    BINDINGS = [
        ("j", "move", "Next"),
        ("right_square_bracket", "queue", "Queue"),
        ("q", "quit", "Quit"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.position = 1
        self.queue = 0

    def compose(self) -> ComposeResult:
        yield Static(self._line(), id="status")

    def _line(self) -> str:
        return f" {QUEUES[self.queue]}  {self.position:,} of 1,000,000"

    def action_move(self) -> None:
        self.position += 1
        self.query_one(Static).update(self._line())

    def action_queue(self) -> None:
        self.queue = (self.queue + 1) % len(QUEUES)
        self.query_one(Static).update(self._line())


if __name__ == "__main__":
    Trivial().run()
