"""The ticket list: a virtual list over one queue that may hold a million tickets.

Nothing here holds the whole queue. The widget knows the queue's size (one COUNT) and keeps a
few pages of rows (`PAGE` tickets each) that it fetched with LIMIT/OFFSET around what is on
screen; `render_line` paints a row from the cache or a placeholder while its page is on the way.
Every read runs in a worker thread and comes back as a `PagesLoaded` message, so a slow query
never freezes a key press. The first screen line is the column header; rows scroll under it."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
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

from console.core import presence
from console.core.clock import Clock
from console.core.model import Court, Priority, TicketSummary
from console.core.sla import SlaPolicy
from console.core.store import Store
from console.tui.columns import (
    GAP,
    NO_MARKS,
    Column,
    RowMarks,
    cell_text,
    fit,
    layout,
    presence_mark,
    sla_state,
)
from console.tui.host import WorkerErrors
from console.tui.messages import EverythingRead, MarksLoaded, PagesLoaded, UrgentArrived
from console.tui.queues import PAGE, Head, Listing, read_page, row_marks

PRIORITY_STYLES = {Priority.P1: "p1", Priority.P2: "p2", Priority.P4: "p4"}
"""Component styles of the Pri cell; P3, the usual case, is plain."""
CACHED_PAGES = 12
"""Pages kept; the oldest used is dropped first. A few thousand rows at most."""


class TicketList(WorkerErrors, ScrollView, can_focus=True, inherit_bindings=False):
    """The tickets of one queue, most urgent first, with a cursor row."""

    BINDINGS = [
        Binding("j,down", "cursor_down", "Down", show=False, id="list.down"),
        Binding("k,up", "cursor_up", "Up", show=False, id="list.up"),
        Binding("g,home", "cursor_top", "Top", show=False, id="list.top"),
        Binding("G,end", "cursor_bottom", "Bottom", show=False, id="list.bottom"),
        Binding("pagedown,ctrl+f", "page_down", "Page down", show=False, id="list.page_down"),
        Binding("pageup,ctrl+b", "page_up", "Page up", show=False, id="list.page_up"),
        Binding("enter", "open", "Open", id="list.open"),
        Binding("space", "toggle_select", "Select", show=False, id="list.select"),
        Binding("asterisk", "select_all", "Select all shown", show=False, id="list.select_all"),
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
        "ticket-list--at-risk",
        "ticket-list--breached",
        "ticket-list--presence",
        "ticket-list--selected",
    }

    @dataclass
    class Opened(Message):
        """The agent pressed enter on a ticket."""

        ticket_id: int

    def __init__(
        self,
        store: Store,
        clock: Clock,
        *,
        agent: str = "",
        policy: SlaPolicy | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.store = store
        self.clock = clock
        self.agent = agent
        """Whose presence the Who column leaves out: the agent at the keyboard."""
        self.policy = policy or SlaPolicy()
        self.listing: Listing | None = None
        self.moved: Callable[[], object] = lambda: None
        """Called as soon as the cursor moves or the queue changes size, in the same turn: the
        status line it feeds then paints in the same frame as the rows (a message would
        arrive a frame later)."""
        self._marks: dict[int, RowMarks] = {}
        self.selected: dict[int, int] = {}
        """The tickets selected for one action on them all, with the version each had when
        it was selected (a ticket changed since is refused, as on the ticket screen)."""
        self.total = 0
        self.cursor = 0
        self.hidden_columns: frozenset[str] = frozenset()
        self._urgent: set[int] | None = None
        """The P1s of the queue's first page as last read (None: not read yet), so a P1 that
        arrives is announced once, and a queue opened afresh announces nothing."""
        self._pages: OrderedDict[int, list[TicketSummary]] = OrderedDict()
        self._pending: set[int] = set()
        self._generation = 0
        self._styles: dict[str, Style] = {}
        self._painted: tuple[tuple[int, str, str, str], ...] | None = None
        """The time-and-presence texts of the rows last painted (see `_refresh_if_changed`)."""

    # -- what to show ----------------------------------------------------------------------

    def show_queue(
        self,
        listing: Listing,
        *,
        hide: frozenset[str] = frozenset(),
        head: Head | None = None,
    ) -> None:
        """Switch to another queue or filter.

        With `head` (the queue's size and first page, read ahead of time) the switch paints at
        once; otherwise the old rows stay until the new ones arrive from a worker."""
        self.listing = listing
        self.hidden_columns = hide
        self._urgent = None
        self._generation += 1
        self.selected = {}  # what is selected is what the agent sees: a new view starts afresh
        if head is not None:
            total, first_page, marks = head
            self._apply({0: first_page}, total, reset=True, marks=marks)
        else:
            self._load(self._generation, listing, [0], reset=True)

    def reload(self) -> None:
        """Read the queue's size and the rows on screen again (after a change elsewhere)."""
        if self.listing is None:
            return
        self._generation += 1
        self._load(self._generation, self.listing, self._visible_pages(), reset=False)

    def on_mount(self) -> None:
        # Presence fades after its TTL without any write, and time left runs down: read the
        # marks of the rows on screen again now and then, without recounting the queue.
        self.set_interval(presence.HEARTBEAT_SECONDS, self.refresh_marks, name="row marks")

    def _shown(self) -> tuple[tuple[int, str, str, str], ...]:
        """What the rows on screen say that time or colleagues can change by themselves: the
        time left, the age, who else is on it."""
        now = self.clock()
        top = int(self.scroll_offset.y)
        shown: list[tuple[int, str, str, str]] = []
        for index in range(top, min(top + self.size.height, self.total)):
            ticket = self._row(index)
            if ticket is None:
                continue
            marks = self._marks.get(ticket.id, NO_MARKS)

            def said(key: str, ticket: TicketSummary = ticket, marks: RowMarks = marks) -> str:
                return cell_text(ticket, key, now, marks, self.policy)

            shown.append((ticket.id, said("left"), said("age"), said("who")))
        return tuple(shown)

    def _repaint(self) -> None:
        self._painted = None  # painted afresh: the next timer's look takes it as the baseline
        self.refresh()

    def _refresh_if_changed(self) -> None:
        """Repaint only when a row would read differently: an idle console writes nothing to
        the terminal."""
        shown = self._shown()
        if self._painted is not None and shown != self._painted:
            self.refresh()
        self._painted = shown

    def refresh_marks(self) -> None:
        rows = [row for page in self._visible_pages() for row in self._pages.get(page, ())]
        if rows:
            self._read_marks(self._generation, rows)

    @work(
        thread=True,
        exclusive=False,
        exit_on_error=False,
        group="ticket-list-marks",
        description="read deadlines and presence of the rows on screen",
    )
    def _read_marks(self, generation: int, rows: list[TicketSummary]) -> None:
        marks = row_marks(self.store, self.agent, rows, self.policy.vip_plans)
        self.post_message(MarksLoaded(generation, rows, marks))

    def on_marks_loaded(self, message: MarksLoaded) -> None:
        message.stop()
        self._apply_marks(message.generation, message.rows, message.marks)

    def _apply_marks(
        self, generation: int, rows: list[TicketSummary], marks: dict[int, RowMarks]
    ) -> None:
        if generation != self._generation:
            return
        before = {row.id: self._marks.pop(row.id, None) for row in rows}
        self._marks.update(marks)
        if any(marks.get(ticket_id) != was for ticket_id, was in before.items()):
            self._repaint()  # a colleague came or went, a deadline moved
        else:
            self._refresh_if_changed()  # only time passed: repaint if a row reads otherwise

    @property
    def current(self) -> TicketSummary | None:
        """The ticket under the cursor, when its page is loaded."""
        return self._row(self.cursor)

    @work(
        thread=True,
        exclusive=True,
        exit_on_error=False,
        group="ticket-list-load",
        description="count the queue and read the rows on screen",
    )
    def _load(self, generation: int, listing: Listing, pages: list[int], reset: bool) -> None:
        with self.store.read():  # the count and the pages from one snapshot
            total = listing.count(self.store)
            rows: dict[int, list[TicketSummary]] = {}
            marks: dict[int, RowMarks] = {}
            for p in pages:
                rows[p], page_marks = read_page(self.store, self.agent, listing, p)
                marks.update(page_marks)
        self.post_message(PagesLoaded(generation, rows, total=total, reset=reset, marks=marks))

    @work(
        thread=True,
        exclusive=False,
        exit_on_error=False,
        group="ticket-list-page",
        description="read one page of the queue",
    )
    def _fetch_page(self, generation: int, listing: Listing, page: int) -> None:
        # Not exclusive: pages asked for one after another while scrolling are all wanted.
        rows, marks = read_page(self.store, self.agent, listing, page)
        self.post_message(PagesLoaded(generation, {page: rows}, marks=marks))

    def on_pages_loaded(self, message: PagesLoaded) -> None:
        message.stop()
        if message.generation != self._generation:
            return  # an answer for a queue, filter or state the agent has since left
        self._apply(message.pages, message.total, reset=message.reset, marks=message.marks)

    def _apply(
        self,
        pages: dict[int, list[TicketSummary]],
        total: int | None,
        reset: bool,
        marks: dict[int, RowMarks] | None = None,
    ) -> None:
        self._pending.difference_update(pages)
        if 0 in pages:
            self._announce_urgent(pages[0], reset)
        followed = None if reset else self.current
        if total is not None:
            # A fresh read replaces every cached page: they may all have shifted.
            self._pages.clear()
            self._pending.clear()
            self._marks.clear()
            self.total = total
        self._pages.update(pages)
        for rows in pages.values():
            for row in rows:
                self._marks.pop(row.id, None)  # read afresh: no mark now means none
        self._marks.update(marks or {})
        if followed is not None:
            self._follow(followed.id)
        while len(self._pages) > CACHED_PAGES:
            _, dropped = self._pages.popitem(last=False)
            for row in dropped:
                self._marks.pop(row.id, None)
        if reset:
            self.cursor = 0
            self.scroll_to(y=0, animate=False, immediate=True)
        self.cursor = max(min(self.cursor, self.total - 1), 0)
        self._resize_virtual()
        self._scroll_to_cursor()
        self._repaint()
        self.moved()

    def _announce_urgent(self, first_page: list[TicketSummary], reset: bool) -> None:
        urgent = {t.id for t in first_page if t.priority == Priority.P1}
        if self._urgent is not None and not reset:
            for ticket in first_page:
                if ticket.id in urgent and ticket.id not in self._urgent:
                    self.post_message(UrgentArrived(ticket))
        self._urgent = urgent if reset or self._urgent is None else self._urgent | urgent

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
        if page in self._pending or page in self._pages or self.listing is None:
            return
        self._pending.add(page)
        self._fetch_page(self._generation, self.listing, page)

    def _visible_pages(self) -> list[int]:
        first = int(self.scroll_offset.y)
        last = first + max(self._rows_on_screen(), 1)
        pages = {first // PAGE, last // PAGE, self.cursor // PAGE}
        return sorted(pages)

    # -- geometry --------------------------------------------------------------------------

    def _rows_on_screen(self) -> int:
        return max(self.scrollable_content_region.height - 1, 1)  # minus the header line

    def _resize_virtual(self) -> None:
        size = Size(self.scrollable_content_region.width, self.total + 1)
        if size != self.virtual_size:
            # The list has no scrollbar (see app.tcss), so a new length moves nothing else
            # on the screen: set it without the relayout the reactive asks for, which would
            # repaint the whole screen on every queue switch.
            self.set_reactive(TicketList.virtual_size, size)
            self.refresh()

    @property
    def allow_vertical_scroll(self) -> bool:
        """The mouse wheel scrolls the rows, scrollbar or not."""
        return self.is_scrollable and not self.disabled

    def on_resize(self) -> None:
        self._resize_virtual()
        self._scroll_to_cursor()

    def _scroll_to_cursor(self) -> bool:
        """Scroll so the cursor row is visible; whether that scrolled."""
        top = int(self.scroll_offset.y)
        rows = self._rows_on_screen()
        if self.cursor < top:
            top = self.cursor
        elif self.cursor >= top + rows:
            top = self.cursor - rows + 1
        if top != int(self.scroll_offset.y):
            self.scroll_to(y=top, animate=False, immediate=True)
            return True
        return False

    def _move_to(self, index: int) -> None:
        if not self.total:
            return
        previous = self.cursor
        self.cursor = max(min(index, self.total - 1), 0)
        if self._scroll_to_cursor():
            self._repaint()
        else:
            # Only the two rows whose highlight changed: repainting every row of the list
            # on each key is most of the cost of a cursor move in a real terminal.
            self.refresh_line(previous + 1)  # +1: the header is the list's first line
            self.refresh_line(self.cursor + 1)
        self.moved()

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

    def action_toggle_select(self) -> None:
        """Select the ticket under the cursor (or let it go), then move down: a run of tickets
        is selected by holding space."""
        ticket = self.current
        if ticket is None:
            return
        if self.selected.pop(ticket.id, None) is None:
            self.selected[ticket.id] = ticket.version
        self.refresh_line(self.cursor + 1)
        self._move_to(self.cursor + 1)

    def action_select_all(self) -> None:
        if self.listing is not None:
            self._read_everything(self._generation, self.listing)

    @work(
        thread=True,
        exclusive=True,
        exit_on_error=False,
        group="ticket-list-everything",
        description="read every ticket of the queue to select them",
    )
    def _read_everything(self, generation: int, listing: Listing) -> None:
        self.post_message(EverythingRead(generation, listing.everything(self.store)))

    def on_everything_read(self, message: EverythingRead) -> None:
        message.stop()
        if message.generation != self._generation:
            return  # the agent moved on to another view
        self.selected = dict(message.tickets)
        self._repaint()
        self.moved()

    def unselect(self, ticket_ids: list[int]) -> None:
        for ticket_id in ticket_ids:
            self.selected.pop(ticket_id, None)
        self._repaint()
        self.moved()

    def on_click(self, event: Click) -> None:
        # A click picks the row under the pointer (the first line is the header).
        if event.y >= 1:
            self._move_to(int(self.scroll_offset.y) + event.y - 1)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if round(old_value) != round(new_value):
            self._repaint()

    # -- painting --------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()

    def _style(self, name: str) -> Style:
        """A component style by name, "" for the widget's own; read once per style change
        (both walk the DOM, and a row asks for them on every paint)."""
        style = self._styles.get(name)
        if style is None:
            if name:
                style = self.get_component_rich_style(f"ticket-list--{name}")
            else:
                style = self.rich_style
            self._styles[name] = style
        return style

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        columns = layout(width, hide=self.hidden_columns)
        base = self._style("")
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
        row_style = base + self._style("selected") if ticket.id in self.selected else base
        if index == self.cursor:
            row_style += self._style("cursor")
        return self._ticket_strip(ticket, columns, row_style, width)

    def _header(self, columns: tuple[tuple[Column, int], ...], base: Style, width: int) -> Strip:
        style = base + self._style("header")
        text = (" " * GAP).join(fit(c.header, w, right=c.key in ("id", "left")) for c, w in columns)
        return Strip([Segment(fit(text, width), style)], width)

    def _ticket_strip(
        self,
        ticket: TicketSummary,
        columns: tuple[tuple[Column, int], ...],
        row_style: Style,
        width: int,
    ) -> Strip:
        now = self.clock()
        marks = self._marks.get(ticket.id, NO_MARKS)
        # Without room for the Who column, a colleague's mark leads the subject instead.
        lead = "" if any(c.key == "who" for c, _ in columns) else presence_mark(marks)
        # Cells of one style are joined into one segment: a row is then a handful of
        # segments, and the terminal is sent one style change per coloured cell, not per cell.
        segments: list[Segment] = []
        text, style_name = "", ""

        def add(cell: str, name: str) -> None:
            nonlocal text, style_name
            if name != style_name and text:
                segments.append(Segment(text, self._cell_style(row_style, style_name)))
                text = ""
            text, style_name = text + cell, name

        for number, (column, cells) in enumerate(columns):
            if number:
                add(" " * GAP, "")
            if column.key == "left":
                state, said = sla_state(marks, now, self.policy)
                name = {"at risk": "at-risk", "breached": "breached"}.get(state, "")
            else:
                said = cell_text(ticket, column.key, now, marks, self.policy)
                name = self._cell_style_name(ticket, column.key)
            if column.key == "subject" and lead:
                lead_cells = min(len(lead) + 1, cells)
                add(fit(lead, lead_cells), "presence")
                cells -= lead_cells
            if column.key == "id" and ticket.id in self.selected:
                said = "\u25cf" + said.rjust(cells - 1)  # a selected row says so without colour
            add(fit(said, cells, right=column.key in ("id", "left")), name)
        used = sum(c for _, c in columns) + GAP * (len(columns) - 1)
        add(" " * max(width - used, 0), "")
        segments.append(Segment(text, self._cell_style(row_style, style_name)))
        strip = Strip(segments, max(used, width))
        return strip.crop(0, width) if used > width else strip

    def _cell_style(self, row_style: Style, name: str) -> Style:
        return row_style + self._style(name) if name else row_style

    @staticmethod
    def _cell_style_name(ticket: TicketSummary, key: str) -> str:
        """The component style of a cell that says the ticket's state, "" for plain text."""
        if key == "who":
            return "presence"
        if key == "court":
            return "our-move" if ticket.court == Court.US else "their-move"
        if key == "priority":
            return PRIORITY_STYLES.get(ticket.priority, "")
        return ""
