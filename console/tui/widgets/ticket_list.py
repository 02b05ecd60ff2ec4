"""The ticket list: a virtual list over one queue that may hold a million tickets.

Nothing here holds the whole queue. The widget knows the queue's size (one COUNT) and keeps a
few pages of rows (`PAGE` tickets each) that it fetched with LIMIT/OFFSET around what is on
screen; `render_line` paints a row from the cache or a placeholder while its page is on the way.
Every read runs in a worker thread and comes back as a `PagesLoaded` message, so a slow query
never freezes a key press. The first screen line is the column header; rows scroll under it."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from textual import work
from textual.binding import Binding
from textual.events import Click
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from console.core.clock import Clock
from console.core.model import Court, Priority, QueueFilter, TicketSummary
from console.core.store import Store
from console.tui.columns import GAP, Column, cell_text, fit, layout
from console.tui.desk import READ_ERRORS
from console.tui.messages import PagesLoaded

PAGE = 100
"""Tickets fetched per query: a screen or two, one index range scan."""
CACHED_PAGES = 12
"""Pages kept; the oldest used is dropped first. A few thousand rows at most."""


class TicketList(ScrollView, can_focus=True, inherit_bindings=False):
    """The tickets of one queue, most urgent first, with a cursor row."""

    BINDINGS = [
        Binding("j,down", "cursor_down", "Down", show=False, id="list.down"),
        Binding("k,up", "cursor_up", "Up", show=False, id="list.up"),
        Binding("g,home", "cursor_top", "Top", show=False, id="list.top"),
        Binding("G,end", "cursor_bottom", "Bottom", show=False, id="list.bottom"),
        Binding("pagedown,ctrl+f", "page_down", "Page down", show=False, id="list.page_down"),
        Binding("pageup,ctrl+b", "page_up", "Page up", show=False, id="list.page_up"),
        Binding("enter", "open", "Open", id="list.open"),
    ]

    COMPONENT_CLASSES = {
        "ticket-list--header",
        "ticket-list--cursor",
        "ticket-list--our-move",
        "ticket-list--their-move",
        "ticket-list--p1",
        "ticket-list--p2",
        "ticket-list--p4",
        "ticket-list--loading",
    }

    @dataclass
    class Moved(Message):
        """The cursor moved or the queue changed size: the status line shows both."""

        position: int
        total: int

    @dataclass
    class Opened(Message):
        """The agent pressed enter on a ticket."""

        ticket_id: int

    def __init__(self, store: Store, clock: Clock, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.store = store
        self.clock = clock
        self.queue_filter: QueueFilter | None = None
        self.total = 0
        self.cursor = 0
        self.hidden_columns: frozenset[str] = frozenset()
        self._pages: OrderedDict[int, list[TicketSummary]] = OrderedDict()
        self._pending: set[int] = set()
        self._generation = 0
        self._styles: dict[str, Style] = {}

    # -- what to show ----------------------------------------------------------------------

    def show_queue(self, queue_filter: QueueFilter, *, hide: frozenset[str] = frozenset(),
                   head: tuple[int, list[TicketSummary]] | None = None) -> None:
        """Switch to another queue or filter.

        With `head` (the queue's size and first page, read ahead of time) the switch paints at
        once; otherwise the old rows stay until the new ones arrive from a worker."""
        self.queue_filter = queue_filter
        self.hidden_columns = hide
        self._generation += 1
        if head is not None:
            total, first_page = head
            self._apply({0: first_page}, total, reset=True)
        else:
            self._load(self._generation, queue_filter, [0], reset=True)

    def reload(self) -> None:
        """Read the queue's size and the rows on screen again (after a change elsewhere)."""
        if self.queue_filter is None:
            return
        self._generation += 1
        self._load(self._generation, self.queue_filter, self._visible_pages(), reset=False)

    @property
    def current(self) -> TicketSummary | None:
        """The ticket under the cursor, when its page is loaded."""
        return self._row(self.cursor)

    @work(thread=True, exclusive=True, exit_on_error=False, group="ticket-list-load",
          description="count the queue and read the rows on screen")
    def _load(self, generation: int, queue_filter: QueueFilter, pages: list[int],
              reset: bool) -> None:
        try:
            total = self.store.count(queue_filter)
            rows = {p: self.store.tickets(queue_filter, limit=PAGE, offset=p * PAGE)
                    for p in pages}
        except READ_ERRORS as error:
            self.app.call_from_thread(self.notify, str(error), severity="error", markup=False)
            return
        self.post_message(PagesLoaded(generation, rows, total=total, reset=reset))

    @work(thread=True, exclusive=False, exit_on_error=False, group="ticket-list-page",
          description="read one page of the queue")
    def _fetch_page(self, generation: int, queue_filter: QueueFilter, page: int) -> None:
        # Not exclusive: pages asked for one after another while scrolling are all wanted.
        try:
            rows = self.store.tickets(queue_filter, limit=PAGE, offset=page * PAGE)
        except READ_ERRORS as error:
            self.app.call_from_thread(self.notify, str(error), severity="error", markup=False)
            return
        self.post_message(PagesLoaded(generation, {page: rows}))

    def on_pages_loaded(self, message: PagesLoaded) -> None:
        message.stop()
        if message.generation != self._generation:
            return  # an answer for a queue, filter or state the agent has since left
        self._apply(message.pages, message.total, reset=message.reset)

    def _apply(self, pages: dict[int, list[TicketSummary]], total: int | None,
               reset: bool) -> None:
        self._pending.difference_update(pages)
        followed = None if reset else self.current
        if total is not None:
            # A fresh read replaces every cached page: they may all have shifted.
            self._pages.clear()
            self._pending.clear()
            self.total = total
        self._pages.update(pages)
        if followed is not None:
            self._follow(followed.id)
        while len(self._pages) > CACHED_PAGES:
            self._pages.popitem(last=False)
        if reset:
            self.cursor = 0
            self.scroll_to(y=0, animate=False, immediate=True)
        self.cursor = max(min(self.cursor, self.total - 1), 0)
        self._resize_virtual()
        self._scroll_to_cursor()
        self.refresh()
        self.post_message(self.Moved(self.cursor, self.total))

    def _follow(self, ticket_id: int) -> None:
        """Keep the cursor on the ticket it was on when rows above it came or went."""
        for page, rows in self._pages.items():
            for slot, ticket in enumerate(rows):
                if ticket.id == ticket_id:
                    self.cursor = page * PAGE + slot
                    return

    # -- paging ----------------------------------------------------------------------------

    def _row(self, index: int) -> TicketSummary | None:
        page, slot = divmod(index, PAGE)
        rows = self._pages.get(page)
        if rows is None or slot >= len(rows):
            return None
        self._pages.move_to_end(page)
        return rows[slot]

    def _want(self, index: int) -> None:
        page = index // PAGE
        if page in self._pending or page in self._pages or self.queue_filter is None:
            return
        self._pending.add(page)
        self._fetch_page(self._generation, self.queue_filter, page)

    def _visible_pages(self) -> list[int]:
        first = int(self.scroll_offset.y)
        last = first + max(self._rows_on_screen(), 1)
        pages = {first // PAGE, last // PAGE, self.cursor // PAGE}
        return sorted(pages)

    # -- geometry --------------------------------------------------------------------------

    def _rows_on_screen(self) -> int:
        return max(self.scrollable_content_region.height - 1, 1)  # minus the header line

    def _resize_virtual(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, self.total + 1)

    def on_resize(self) -> None:
        self._resize_virtual()
        self._scroll_to_cursor()

    def _scroll_to_cursor(self) -> None:
        top = int(self.scroll_offset.y)
        rows = self._rows_on_screen()
        if self.cursor < top:
            top = self.cursor
        elif self.cursor >= top + rows:
            top = self.cursor - rows + 1
        if top != int(self.scroll_offset.y):
            self.scroll_to(y=top, animate=False, immediate=True)

    def _move_to(self, index: int) -> None:
        if not self.total:
            return
        self.cursor = max(min(index, self.total - 1), 0)
        self._scroll_to_cursor()
        self.refresh()
        self.post_message(self.Moved(self.cursor, self.total))

    # -- actions ---------------------------------------------------------------------------

    def action_cursor_down(self) -> None:
        self._move_to(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self._move_to(self.cursor - 1)

    def action_cursor_top(self) -> None:
        self._move_to(0)

    def action_cursor_bottom(self) -> None:
        self._move_to(self.total - 1)

    def action_page_down(self) -> None:
        self._move_to(self.cursor + self._rows_on_screen())

    def action_page_up(self) -> None:
        self._move_to(self.cursor - self._rows_on_screen())

    def action_open(self) -> None:
        ticket = self.current
        if ticket is not None:
            self.post_message(self.Opened(ticket.id))

    def on_click(self, event: Click) -> None:
        # A click picks the row under the pointer (the first line is the header).
        if event.y >= 1:
            self._move_to(int(self.scroll_offset.y) + event.y - 1)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if round(old_value) != round(new_value):
            self.refresh()

    # -- painting --------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            style = self._styles[name] = self.get_component_rich_style(f"ticket-list--{name}")
        return style

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        columns = layout(width, hide=self.hidden_columns)
        base = self.rich_style
        if y == 0:
            return self._header(columns, base, width)
        index = int(self.scroll_offset.y) + y - 1
        if index >= self.total:
            return Strip.blank(width, base)
        ticket = self._row(index)
        if ticket is None:
            self._want(index)
            loading = Segment(fit("  \u2026", width), base + self._style("loading"))
            return Strip([loading], width)
        row_style = base + self._style("cursor") if index == self.cursor else base
        return self._ticket_strip(ticket, columns, row_style, width)

    def _header(self, columns: tuple[tuple[Column, int], ...], base: Style, width: int) -> Strip:
        style = base + self._style("header")
        text = (" " * GAP).join(fit(c.header, w, right=c.key == "id") for c, w in columns)
        return Strip([Segment(fit(text, width), style)], width)

    def _ticket_strip(self, ticket: TicketSummary, columns: tuple[tuple[Column, int], ...],
                      row_style: Style, width: int) -> Strip:
        now = self.clock()
        segments: list[Segment] = []
        for number, (column, cells) in enumerate(columns):
            if number:
                segments.append(Segment(" " * GAP, row_style))
            text = fit(cell_text(ticket, column.key, now), cells, right=column.key == "id")
            segments.append(Segment(text, row_style + self._cell_style(ticket, column.key)))
        used = sum(c for _, c in columns) + GAP * (len(columns) - 1)
        if used < width:
            segments.append(Segment(" " * (width - used), row_style))
        return Strip(segments, width).crop(0, width)

    def _cell_style(self, ticket: TicketSummary, key: str) -> Style:
        if key == "court":
            return self._style("our-move" if ticket.court == Court.US else "their-move")
        if key == "priority":
            name = {Priority.P1: "p1", Priority.P2: "p2", Priority.P4: "p4"}.get(ticket.priority)
            return self._style(name) if name else Style()
        return Style()
