"""The queue sidebar: every queue with its open tickets, per priority for the support lines.

An `OptionList` whose prompts are built as `Text` from numbers and our own labels. Moving the
highlight switches the queue at once, as k9s and lazygit do, so j/k here browse queues."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from console.core.model import Priority, QueueCounts
from console.tui.queues import QUEUES, Queue, queue_total

PRIORITY_STYLES = {
    Priority.P1: "bold red",
    Priority.P2: "yellow",
    Priority.P3: "",
    Priority.P4: "dim",
}


def short_count(n: int) -> str:
    """A count in at most four cells: 987, 9999, 12k, 250k, 1.2M."""
    if n < 10_000:
        return str(n)
    if n < 1_000_000:
        return f"{n // 1000}k"
    return f"{n / 1_000_000:.1f}M"


def queue_prompt(
    queue: Queue, counts: QueueCounts | None, totals: dict[str, int] | None = None
) -> Text:
    """Two lines: the queue and its total, then P1..P4 for a support line."""
    prompt = Text(no_wrap=True, overflow="ellipsis")
    total = (totals or {}).get(queue.id)
    if total is None and counts is not None:
        total = queue_total(queue, counts)
    prompt.append(queue.short or queue.label, style="bold")
    prompt.append(f"  {short_count(total) if total is not None else '…'}")
    if queue.line is not None:
        prompt.append("\n")
        by_priority = counts.by_line.get(queue.line, {}) if counts else {}
        for priority in Priority:
            n = by_priority.get(priority)
            cell = short_count(n) if n is not None else "-"
            style = PRIORITY_STYLES[priority] if n else "dim"
            prompt.append(f"{cell:>4} ", style=style)
    return prompt


def legend_text() -> Text:
    """The header above the sidebar: which number is which priority."""
    return Text("".join(f"{p.value:>4} " for p in Priority), no_wrap=True)


class QueueSidebar(OptionList):
    """Pick a queue; the screen listens for `OptionHighlighted`."""

    BINDINGS = [
        Binding("j", "cursor_down", "Next queue", show=False, id="queues.down"),
        Binding("k", "cursor_up", "Previous queue", show=False, id="queues.up"),
        Binding("g", "first", "First queue", show=False, id="queues.top"),
        Binding("G", "last", "Last queue", show=False, id="queues.bottom"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(*(Option(queue_prompt(q, None), id=q.id) for q in QUEUES), id=id)
        self.counts: QueueCounts | None = None
        self.totals: dict[str, int] = {}

    def show_counts(self, counts: QueueCounts, totals: dict[str, int] | None = None) -> None:
        self.counts = counts
        self.totals = totals or {}
        for queue in QUEUES:
            self.replace_option_prompt(queue.id, queue_prompt(queue, counts, self.totals))
