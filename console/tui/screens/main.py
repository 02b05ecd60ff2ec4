"""The queue screen: the sidebar of queues, the ticket list of the chosen one, a filter input
and a status line saying where the cursor is.

The screen owns "which queue, which filter"; the list owns its rows. Counts for the sidebar are
read in a worker; a change from another agent reloads both (see `reload`)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, Static
from textual.widgets.input import Selection
from textual.worker import get_current_worker

from console.core.actions import ACTIONS
from console.core.model import Line, Order
from console.core.query import FIELD_NAMES, Field, InvalidQuery, Query, parse
from console.core.text import one_line
from console.core.ticket_types import NO_TYPE
from console.tui.actions import bulk
from console.tui.columns import QUEUE_COLUMNS
from console.tui.host import WorkerErrors, host
from console.tui.messages import CountsLoaded, UrgentArrived
from console.tui.queues import (
    QUEUE_KEYS,
    QUEUES,
    Head,
    Listing,
    Queue,
    home_queue,
    queue_by_id,
    queue_totals,
    read_page,
    with_views,
)
from console.tui.widgets.footer import ConsoleFooter
from console.tui.widgets.query_input import CompletingInput, QuerySuggester
from console.tui.widgets.queue_sidebar import QueueSidebar, legend_text
from console.tui.widgets.ticket_list import TicketList

COUNTS_DELAY = 0.5
"""After a change elsewhere, the sidebar's counts are read this much after the visible rows:
when thirty consoles on two cores wake for the same change, every one paints its rows
before any of them counts (measured by bench/team_consoles.py)."""
HEADS_QUIET = 5.0
"""The queues' first pages are read ahead again once the desk has been quiet this long: on a
busy desk they would be stale before anyone switched queue."""
FILTER_DELAY = 0.25
"""Seconds of typing pause before the filter runs: one query per word, not per letter."""
NARROW = 100
"""Below this many columns the sidebar takes its narrow form."""
TAGS = 500
"""Distinct tags read for completion, at most."""


class MainScreen(WorkerErrors, Screen[None]):
    """Queues on the left, tickets on the right."""

    BINDINGS = [
        Binding("slash", "filter", "Filter", id="main.filter"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="main.clear_filter"),
        Binding(
            "right_square_bracket", "next_queue", "Next queue", show=False, id="main.next_queue"
        ),
        Binding(
            "left_square_bracket",
            "previous_queue",
            "Previous queue",
            show=False,
            id="main.previous_queue",
        ),
        *(
            Binding(key, f"queue('{q.id}')", f"Show {q.label}", show=False, id=f"main.queue_{q.id}")
            for key, q in zip(QUEUE_KEYS, QUEUES, strict=False)
        ),
        Binding("N", "new_ticket", "New", id="main.new_ticket"),
        Binding("o", "toggle_order", "Sort", id="main.order"),
        Binding(
            "tab", "app.focus_next", "Next pane (queues, tickets)", show=False, id="main.focus_next"
        ),
        Binding(
            "shift+tab", "app.focus_previous", "Previous pane", show=False, id="main.focus_previous"
        ),
        Binding("b", "toggle_sidebar", "Sidebar", id="main.toggle_sidebar"),
        *(
            Binding(
                action.key,
                f"bulk('{action.id}')",
                f"{action.title} (the selected)",
                show=False,
                id=f"main.{action.id}",
                tooltip=f"{action.help}: on the tickets selected with space or *",
            )
            for action in bulk.BULK_ACTIONS
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.queue: Queue = QUEUES[0]
        self.queues: tuple[Queue, ...] = QUEUES
        """The sidebar's queues: the fixed ones, then the saved views."""
        self.filter_text = ""
        self.filter_query: Query | None = None
        self._known: dict[Field, tuple[str, ...]] = {}
        self.order = Order.PRIORITY
        """How the queues that may be sorted are sorted now."""
        self._filter_timer: Timer | None = None
        self._pending_reads: dict[str, Timer] = {}
        self._heads: dict[str, Head] = {}
        self.action_tasks: set[asyncio.Task[None]] = set()

    def compose(self) -> ComposeResult:
        self.queues = with_views(host(self).views)
        with Horizontal(id="main-body"):
            with Vertical(id="sidebar"):
                yield Static(legend_text(), id="sidebar-legend")
                yield QueueSidebar(self.queues, id="queues")
            with Vertical(id="list-pane"):
                yield TicketList(
                    host(self).desk.store,
                    host(self).clock,
                    agent=host(self).desk.login,
                    policy=host(self).desk.policy,
                    id="tickets",
                )
                yield CompletingInput(
                    placeholder="filter: words, #number, line:L2 tag:outage age:>7d is:mine … "
                    "(tab completes, esc clears)",
                    suggester=QuerySuggester(self._known_values),
                    id="filter",
                )
                yield Static(id="filter-error")
        yield Static(id="status-line")
        yield ConsoleFooter()

    def on_mount(self) -> None:
        self.ticket_list.moved = self._update_status
        self.query_one("#filter", Input).display = False
        self.query_one("#filter-error", Static).display = False
        self.query_one(TicketList).focus()
        self.queue = home_queue(host(self).desk.agent.lines)
        first_page = host(self).first_page
        head = first_page.take() if first_page is not None else None
        if head is not None and first_page is not None:
            self._heads[first_page.listing.queue.id] = head
        self.show_queue(self.queue)
        # The other queues' counts and first pages once the first screen is painted: read
        # before, they would slow that paint down.
        self.call_after_refresh(self.load_counts)

    def on_resize(self) -> None:
        self.set_class(self.size.width < NARROW, "-narrow")

    # -- data ------------------------------------------------------------------------------

    @property
    def ticket_list(self) -> TicketList:
        return self.query_one(TicketList)

    def show_queue(self, queue: Queue) -> None:
        self.queue = queue
        sidebar = self.query_one(QueueSidebar)
        index = self.queues.index(queue)
        if sidebar.highlighted != index:
            sidebar.highlighted = index
        # A per-line queue shows one line only; its column would say the same on every row.
        hide = (QUEUE_COLUMNS - queue.shows) | queue.hides
        if queue.line is not None:
            hide |= {"line"}
        if queue.mine:
            hide |= {"assignee"}
        head = (
            None if self.filter_text or self.order != Order.PRIORITY else self._heads.get(queue.id)
        )
        self.ticket_list.show_queue(self.listing(queue), hide=hide, head=head)
        self._update_status()

    def listing(self, queue: Queue, *, order: Order | None = None) -> Listing:
        """`queue` as the list reads it now: with the filter and the chosen order."""
        return Listing(
            queue,
            host(self).desk.login,
            host(self).desk.policy,
            self.filter_query,
            order or self.order,
        )

    def reload(self) -> None:
        """Another connection changed the database: read the visible rows again at once, the
        sidebar's counts a moment later (so the rows paint first when thirty consoles share
        two cores), and the other queues' first pages once the desk has been quiet."""
        if not self.query(TicketList):
            return  # the screen is being taken down (the app quitting): nothing to read into
        self._heads = {}  # stale now; switching queue reads afresh until the new ones come
        self.ticket_list.reload()
        self._later("counts", COUNTS_DELAY, lambda: self.load_counts(with_heads=False))
        self._later("heads", HEADS_QUIET, lambda: self.load_counts(with_heads=True))

    def _later(self, name: str, delay: float, callback: Callable[[], object]) -> None:
        """Run `callback` after `delay`, once, however many times this is asked meanwhile."""
        timer = self._pending_reads.pop(name, None)
        if timer is not None:
            timer.stop()
        self._pending_reads[name] = self.set_timer(delay, callback, name=name)

    @work(
        thread=True,
        exclusive=True,
        exit_on_error=False,
        group="queue-counts",
        description="count open tickets per queue and read each queue's first page",
    )
    def load_counts(self, *, with_heads: bool = True) -> None:
        desk = host(self).desk
        store, agent, policy = desk.store, desk.login, desk.policy
        with store.read():  # the counts and the pages from one snapshot
            counts = store.queue_counts(agent)
            totals = queue_totals(store, agent, policy, counts, self.queues)
            # Reading every queue's first page ahead lets a queue switch paint without
            # waiting for a query: one small index range scan per queue, off the UI thread.
            heads: dict[str, Head] = {}
            for queue in self.queues if with_heads else ():
                rows, marks = read_page(store, agent, Listing(queue, agent, policy), 0)
                heads[queue.id] = (totals[queue.id], rows, marks)
        if not get_current_worker().is_cancelled:  # a newer read replaced this one
            self.post_message(CountsLoaded(counts, totals, heads))

    def on_urgent_arrived(self, message: UrgentArrived) -> None:
        """A P1 came into the queue being watched: said at once, with the terminal's bell,
        rather than left to be noticed seventh in the list."""
        ticket = message.ticket
        self.app.bell()
        self.notify(
            f"New P1 in {self.queue.label}: #{ticket.id} {one_line(ticket.subject, 60)}",
            severity="warning",
            timeout=15,
            markup=False,
        )

    def on_counts_loaded(self, message: CountsLoaded) -> None:
        if message.heads:
            self._heads = message.heads
        self.query_one(QueueSidebar).show_counts(message.counts, message.totals)

    # -- events ----------------------------------------------------------------------------

    @on(QueueSidebar.Highlighted)
    def _queue_highlighted(self, event: QueueSidebar.Highlighted) -> None:
        if event.queue != self.queue:
            self.show_queue(event.queue)

    @on(QueueSidebar.Selected)
    def _queue_selected(self) -> None:
        self.ticket_list.focus()

    @on(TicketList.Opened)
    def _opened(self, event: TicketList.Opened) -> None:
        host(self).open_ticket(event.ticket_id)

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self._filter_timer = self.set_timer(FILTER_DELAY, lambda: self._apply_filter(event.value))

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
        wrong = self._apply_filter(event.value)
        if wrong is None:
            self.ticket_list.focus()
            return
        field = self.query_one("#filter", Input)  # on the wrong term, to mend it
        field.selection = Selection(wrong.start, min(wrong.end, len(field.value)))

    def _apply_filter(self, text: str) -> InvalidQuery | None:
        """Show the queue through the query `text`; a query that cannot be read is named
        under the filter line and the list stays as it was."""
        text = text.strip()
        error = self.query_one("#filter-error", Static)
        try:
            desk = host(self).desk
            types = tuple(desk.team.types)
            query = parse(text, desk.login, desk.policy.vip_plans, types) if text else None
        except InvalidQuery as wrong:
            said = wrong.reason + (f"\n{FIELD_NAMES}" if wrong.fields else "")
            error.update(Text(said))
            error.display = True
            return wrong
        error.display = False
        if text != self.filter_text:
            self.filter_text = text
            self.filter_query = query
            self.show_queue(self.queue)
        return None

    def _known_values(self) -> dict[Field, tuple[str, ...]]:
        """The logins, tags and types completion offers, read once when the filter opens."""
        return self._known

    @work(thread=True, exit_on_error=False, group="filter-values", description="read the tags")
    def _read_known_values(self) -> None:
        desk = host(self).desk
        tags = tuple(t for (t,) in desk.store.query(f"SELECT DISTINCT tag FROM tags LIMIT {TAGS}"))
        logins = tuple(sorted(a.login for a in desk.team.agents.values()))
        types = (*desk.team.types, NO_TYPE)
        self._known = {Field.TAG: tags, Field.ASSIGNEE: logins, Field.TYPE: types}

    def _update_status(self) -> None:
        lines = self.query("#status-line").results(Static)
        status_line = next(lines, None)
        if status_line is None:  # a page that arrives while the app closes: nothing to say
            return
        tickets = self.ticket_list
        status = Text(no_wrap=True, overflow="ellipsis")
        status.append(f" {self.queue.label}", style="bold")
        if self.queue.sortable and self.order == Order.BREACH:
            status.append("  by time to breach", style="italic")
        if self.filter_text:
            status.append("  filter: ")
            status.append(one_line(self.filter_text, 40), style="italic")
            if not self.queue.sortable:
                status.append(" (not applied here)", style="dim")
        if tickets.selected:
            status.append(f"  {len(tickets.selected):,} selected", style="bold")
        position = f"{tickets.cursor + 1:,}" if tickets.total else "0"
        status.append(f"  {position} of {tickets.total:,}")
        if not tickets.total:
            status.append("  no tickets here" + (" match" if self.filter_text else ""), style="dim")
        status.append(f"   {self._who}", style="dim")
        # A fixed one-line bar: new text never changes the layout, so skip the relayout.
        status_line.update(status, layout=False)

    @property
    def _who(self) -> str:
        """Who the console works as: "as Tess, L3" ("all lines" for a one-person shop)."""
        agent = host(self).desk.agent
        lines = "all lines" if set(agent.lines) == set(Line) else ", ".join(agent.lines)
        return f"as {one_line(agent.name or agent.login, 30)}, {lines}"

    # -- actions ---------------------------------------------------------------------------

    def action_filter(self) -> None:
        field = self.query_one("#filter", Input)
        field.display = True
        field.focus()
        self._read_known_values()

    def action_clear_filter(self) -> None:
        """Esc lets go of the selection first, then clears the filter."""
        if self.ticket_list.selected and self.focused is not self.query_one("#filter"):
            self.ticket_list.unselect(list(self.ticket_list.selected))
            return
        field = self.query_one("#filter", Input)
        if self._filter_timer is not None:
            self._filter_timer.stop()
        field.value = ""
        field.display = False
        self.ticket_list.focus()
        self._apply_filter("")

    def action_next_queue(self) -> None:
        self.show_queue(self.queues[(self.queues.index(self.queue) + 1) % len(self.queues)])

    def action_previous_queue(self) -> None:
        self.show_queue(self.queues[(self.queues.index(self.queue) - 1) % len(self.queues)])

    def action_queue(self, queue_id: str) -> None:
        self.show_queue(queue_by_id(queue_id, self.queues))

    def action_toggle_order(self) -> None:
        """Priority then age, or nearest SLA deadline first; kept across queue switches."""
        if not self.queue.sortable:
            self.notify(f"{self.queue.label} has its own order", timeout=2)
            return
        self.order = Order.BREACH if self.order == Order.PRIORITY else Order.PRIORITY
        self.show_queue(self.queue)

    def action_new_ticket(self) -> None:
        host(self).new_ticket()

    def action_bulk(self, action_id: str) -> None:
        """The action on the selected tickets, or on the one under the cursor."""
        targets = dict(self.ticket_list.selected)
        current = self.ticket_list.current
        if not targets and current is not None:
            targets = {current.id: current.version}
        if targets:
            bulk.start(self, ACTIONS[action_id], targets)

    def action_toggle_sidebar(self) -> None:
        sidebar = self.query_one("#sidebar")
        sidebar.display = not sidebar.display
        if not sidebar.display:
            self.ticket_list.focus()
