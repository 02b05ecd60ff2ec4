"""The queue sidebar: every queue with its open tickets, per priority for the support lines.

Each queue's prompt is built as `Text` from numbers and our own labels. Moving the highlight
switches the queue at once, as k9s and lazygit do, so j/k here browse queues."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.events import Click
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

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


class QueueSidebar(ScrollView, can_focus=True, inherit_bindings=False):
    """Pick a queue: `Highlighted` as the highlight moves, `Selected` on enter or a click.

    Each queue's lines are rendered once per count or style change and kept; moving the
    highlight repaints the lines of two queues. (An `OptionList` repainted all of them on
    every queue switch, a quarter of the switch's time.)"""

    BINDINGS = [
        Binding("j,down", "cursor_down", "Next queue", show=False, id="queues.down"),
        Binding("k,up", "cursor_up", "Previous queue", show=False, id="queues.up"),
        Binding("g,home", "first", "First queue", show=False, id="queues.top"),
        Binding("G,end", "last", "Last queue", show=False, id="queues.bottom"),
        Binding("enter", "select", "Show the queue", show=False, id="queues.select"),
    ]

    COMPONENT_CLASSES = {"queue-sidebar--highlight"}

    @dataclass
    class Highlighted(Message):
        queue: Queue

    @dataclass
    class Selected(Message):
        queue: Queue

    def __init__(self, queues: tuple[Queue, ...] = QUEUES, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.queues = queues
        """The fixed queues, then the saved views."""
        self.counts: QueueCounts | None = None
        self.totals: dict[str, int] = {}
        self._highlighted = 0
        self._prompts = [queue_prompt(queue, None) for queue in queues]
        self._lines: list[tuple[int, int]] = []
        """Screen line -> (queue index, line of its prompt)."""
        self._rendered: dict[tuple[int, bool], list[Strip]] = {}
        """(queue index, highlighted) -> its lines as painted at the current width."""
        self._lay_out()

    # -- what to show ----------------------------------------------------------------------

    def show_counts(self, counts: QueueCounts, totals: dict[str, int] | None = None) -> None:
        """New numbers: only the queues whose lines read differently are painted again (a new
        ticket changes two or three of them)."""
        self.counts = counts
        self.totals = totals or {}
        for index, queue in enumerate(self.queues):
            prompt = queue_prompt(queue, counts, self.totals)
            if prompt == self._prompts[index]:
                continue
            self._prompts[index] = prompt
            for highlighted in (False, True):
                self._rendered.pop((index, highlighted), None)
            first, height = self._span(index)
            self.refresh_lines(first - int(self.scroll_offset.y), height)

    @property
    def highlighted(self) -> int:
        """The index in `queues` of the highlighted queue."""
        return self._highlighted

    @highlighted.setter
    def highlighted(self, index: int) -> None:
        index = max(0, min(index, len(self.queues) - 1))
        if index == self._highlighted:
            return
        before, self._highlighted = self._highlighted, index
        for queue_index in (before, index):
            first, height = self._span(queue_index)
            self.refresh_lines(first - int(self.scroll_offset.y), height)
        self._scroll_to_highlight()
        self.post_message(self.Highlighted(self.queues[index]))

    def _lay_out(self) -> None:
        self._lines = [
            (index, line)
            for index, prompt in enumerate(self._prompts)
            for line in range(prompt.plain.count("\n") + 1)
        ]

    def _span(self, queue_index: int) -> tuple[int, int]:
        """The first line of a queue and how many lines it takes."""
        lines = [n for n, (index, _) in enumerate(self._lines) if index == queue_index]
        return lines[0], len(lines)

    def _scroll_to_highlight(self) -> None:
        first, height = self._span(self._highlighted)
        top = int(self.scroll_offset.y)
        if first < top:
            self.scroll_to(y=first, animate=False)
        elif first + height > top + self.scrollable_content_region.height:
            self.scroll_to(y=first + height - self.scrollable_content_region.height, animate=False)

    # -- painting --------------------------------------------------------------------------

    def on_resize(self) -> None:
        self._rendered.clear()
        self.virtual_size = Size(self.scrollable_content_region.width, len(self._lines))
        self._scroll_to_highlight()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._rendered.clear()  # focus changes the highlight's colours

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        line = int(self.scroll_offset.y) + y
        if line >= len(self._lines):
            return Strip.blank(width, self.rich_style)
        index, line_of_prompt = self._lines[line]
        return self._render_queue(index, width)[line_of_prompt]

    def _render_queue(self, index: int, width: int) -> list[Strip]:
        highlighted = index == self._highlighted
        key = (index, highlighted)
        strips = self._rendered.get(key)
        if strips is None or strips[0].cell_length != width:
            style = self.rich_style
            if highlighted:
                style += self.get_component_rich_style("queue-sidebar--highlight")
            strips = self._rendered[key] = [
                Strip(line.render(self.app.console))
                .apply_style(style)
                .extend_cell_length(width, style)
                .crop(0, width)
                for line in self._fitted_lines(index, width)
            ]
        return strips

    def _fitted_lines(self, index: int, width: int) -> list[Text]:
        lines = self._prompts[index].split("\n")
        for line in lines:
            line.truncate(width, overflow="ellipsis")
        return list(lines)

    # -- keys and mouse --------------------------------------------------------------------

    def action_cursor_down(self) -> None:
        self.highlighted += 1

    def action_cursor_up(self) -> None:
        self.highlighted -= 1

    def action_first(self) -> None:
        self.highlighted = 0

    def action_last(self) -> None:
        self.highlighted = len(self.queues) - 1

    def action_select(self) -> None:
        self.post_message(self.Selected(self.queues[self._highlighted]))

    def on_click(self, event: Click) -> None:
        line = int(self.scroll_offset.y) + event.y
        if 0 <= line < len(self._lines):
            self.highlighted = self._lines[line][0]
            self.action_select()
