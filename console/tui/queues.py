"""The queues an agent can look at, in the order the sidebar lists them.

A queue is a name and a way to read its rows for the agent at the keyboard. Most are a
`QueueFilter` (the support lines, "Mine", "All open", "Needs customer contact"); the workflow
queues "Due", "Nudge" and "Breach" have their own order and come from `core.queues`. A
`Listing` is a queue as the ticket list reads it: with the agent, the filter words and the
sort order the agent chose."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace

from console.core import bulk, presence
from console.core import queues as workflow_queues
from console.core.errors import ConsoleError
from console.core.model import (
    OPEN_STATUSES,
    Activity,
    Court,
    Line,
    Order,
    QueueCounts,
    QueueFilter,
    QueueTimer,
    TicketSummary,
)
from console.core.presence import Presence
from console.core.query import Query
from console.core.sla import SlaPolicy
from console.core.store import Store
from console.core.views import View

PAGE = 100
"""Tickets fetched per query: a screen or two, one index range scan."""


@dataclass(frozen=True)
class Queue:
    """One entry of the queue sidebar."""

    id: str
    """A stable key for bindings, the palette and tests: "l1".."l4", "mine", "all", "due",
    "nudge", "breach", "contact"."""
    label: str
    """What the sidebar and the status line call it."""
    line: Line | None = None
    """The support line this queue shows, or None for the queues across lines."""
    mine: bool = False
    """Whether the queue shows only the agent's own tickets."""
    timer: QueueTimer | None = None
    """A workflow queue with its own order (see core.queues)."""
    contact: bool = False
    """Tickets with a back-line question for the customer that the front line owes."""
    undelivered: bool = False
    """Tickets, open or not, with a mail to the customer that failed."""
    short: str = ""
    """The sidebar's name for it when `label` is too long for the narrow sidebar."""
    view: Query | None = None
    """A saved view's query: the queue is every ticket it finds."""
    shows: frozenset[str] = frozenset()
    """Columns only this queue has (see `columns.QUEUE_COLUMNS`): what it is for."""
    hides: frozenset[str] = frozenset()
    """Columns that say nothing here (time left, in a queue of tickets whose clock waits)."""

    def filter(self, agent: str, query: Query | None = None) -> QueueFilter:
        """The open tickets of this queue, optionally narrowed by a query as it is typed."""
        if self.view is not None:
            query = self.view.combined(query)
        base = QueueFilter(
            line=self.line,
            assignee=agent if self.mine else None,
            needs_customer_contact=self.contact,
            undelivered=self.undelivered,
            statuses=() if self.undelivered else OPEN_STATUSES,
        )
        if query is None or query.empty:
            return base
        return replace(base, query=query, prefix_last=True)

    @property
    def sortable(self) -> bool:
        """Whether the agent may switch between priority and breach order here."""
        return self.timer is None


QUEUES: tuple[Queue, ...] = (
    Queue("l1", "L1 first line", line=Line.L1),
    Queue("l2", "L2 second line", line=Line.L2),
    Queue("l3", "L3 experts", line=Line.L3),
    Queue("l4", "L4 vendor", line=Line.L4),
    Queue("mine", "Mine", mine=True),
    Queue("all", "All open"),
    Queue(
        "due",
        "Due follow-ups",
        timer=QueueTimer.DUE,
        shows=frozenset({"promised", "promise"}),
        hides=frozenset({"left"}),
    ),
    Queue(
        "nudge",
        "Nudge",
        timer=QueueTimer.NUDGE,
        shows=frozenset({"silent"}),
        hides=frozenset({"left"}),
    ),
    Queue("breach", "Breach", timer=QueueTimer.BREACH),
    Queue("contact", "Needs customer contact", contact=True, short="Needs contact"),
    Queue("undelivered", "Undelivered mail", undelivered=True, short="Undelivered"),
)


def with_views(views: Sequence[View]) -> tuple[Queue, ...]:
    """The sidebar's queues: the fixed ones, then each saved view."""
    return QUEUES + tuple(
        Queue(f"view:{view.name}", view.name, view=view.query, short=view.name[:18])
        for view in views
    )


def home_queue(lines: tuple[Line, ...]) -> Queue:
    """Where an agent's console opens: the queue of the front-most line they work (an expert
    opens on L3, not on the first line's queue)."""
    return next((q for q in QUEUES for line in lines[:1] if q.line == line), QUEUES[0])


QUEUE_KEYS = "1234567890"
"""The digit that shows each queue, in sidebar order (the ten first; `]` reaches the rest)."""


def queue_by_id(queue_id: str, queues: Sequence[Queue] = QUEUES) -> Queue:
    for queue in queues:
        if queue.id == queue_id:
            return queue
    raise KeyError(queue_id)


def queue_total(queue: Queue, counts: QueueCounts) -> int | None:
    """How many open tickets `queue` holds, by the sidebar's counts (None: counted apart)."""
    if queue.timer is not None or queue.contact or queue.undelivered or queue.view:
        return None
    if queue.line is not None:
        return sum(counts.by_line.get(queue.line, {}).values())
    return counts.mine if queue.mine else counts.all_open


def queue_totals(
    store: Store,
    agent: str,
    policy: SlaPolicy,
    counts: QueueCounts,
    queues: Sequence[Queue] = QUEUES,
) -> dict[str, int]:
    """Every queue's size: from `counts` where they say it, else one count each."""
    totals: dict[str, int] = {}
    for queue in queues:
        total = queue_total(queue, counts)
        if total is None:
            total = Listing(queue, agent, policy).count(store)
        totals[queue.id] = total
    return totals


@dataclass(frozen=True, eq=False)
class Listing:
    """A queue as the ticket list reads it, page by page."""

    queue: Queue
    agent: str
    policy: SlaPolicy
    query: Query | None = None
    """The filter; the workflow queues are not filtered (they are short and ordered)."""
    order: Order = Order.PRIORITY

    def count(self, store: Store) -> int:
        if self.queue.timer is not None:
            return workflow_queues.count(store, self.policy, self.queue.timer)
        return store.count(self.queue.filter(self.agent, self.query))

    def everything(self, store: Store) -> list[tuple[int, int]]:
        """Every ticket of the queue as filtered, with its version: what "select all"
        selects (refused beyond `bulk.MOST`)."""
        if self.queue.timer is None:
            return bulk.matching(store, self.queue.filter(self.agent, self.query))
        found: list[tuple[int, int]] = []
        with store.read():
            while len(found) <= bulk.MOST:
                rows = self.page(store, limit=bulk.PAGE, offset=len(found))
                found += [(row.id, row.version) for row in rows]
                if len(rows) < bulk.PAGE:
                    return found
        raise ConsoleError(f"{self.queue.label} holds more than {bulk.MOST:,} tickets")

    def page(self, store: Store, *, limit: int, offset: int = 0) -> list[TicketSummary]:
        if self.queue.timer is not None:
            return workflow_queues.page(
                store, self.policy, self.queue.timer, limit=limit, offset=offset
            )
        return store.tickets(
            self.queue.filter(self.agent, self.query), limit=limit, offset=offset, order=self.order
        )


@dataclass(frozen=True)
class RowMarks:
    """What a row shows besides the ticket: its next SLA deadline, who else is on it, and
    what the workflow queues are for (the promise, the customer's silence)."""

    sla_due_at: str | None = None
    presence: tuple[Presence, ...] = ()
    vip: bool = False
    """The customer is on a plan the team config marks VIP."""
    followup_due_at: str | None = None
    followup_note: str | None = None
    silent_since: str | None = None
    """Since when the customer has had the ball (None while it is not theirs)."""


NO_MARKS = RowMarks()


Head = tuple[int, list[TicketSummary], dict[int, RowMarks]]
"""A queue's size and its first page with the page's marks: enough to paint it at once."""


def row_marks(
    store: Store, agent: str, rows: list[TicketSummary], vip_plans: tuple[str, ...] = ()
) -> dict[int, RowMarks]:
    """Deadlines, colleagues' presence and VIP customers for one page of rows: a lookup by
    number each."""
    ids = [row.id for row in rows]
    with store.read():
        clocks = {row.id: row for row in workflow_queues.clock_rows(store, ids)}
        present = presence.on_tickets(store, ids, exclude_agent=agent)
        vip = _vip(store, ids, vip_plans)
    marks: dict[int, RowMarks] = {}
    for ticket_id in ids:
        here = sorted(
            present.get(ticket_id, ()), key=lambda p: (p.activity != Activity.REPLYING, p.agent)
        )
        clock = clocks.get(ticket_id)
        if clock is None and not here and ticket_id not in vip:
            continue
        theirs = clock is not None and clock.court == Court.CUSTOMER
        marks[ticket_id] = RowMarks(
            clock.sla_due_at if clock else None,
            tuple(here),
            ticket_id in vip,
            clock.followup_due_at if clock else None,
            clock.followup_note if clock else None,
            clock.clock_since if theirs and clock else None,
        )
    return marks


def _vip(store: Store, ids: list[int], vip_plans: tuple[str, ...]) -> set[int]:
    if not vip_plans or not ids:
        return set()
    rows = store.query(
        "SELECT t.id FROM tickets t JOIN contacts c ON c.id = t.contact_id"
        " WHERE t.id IN (SELECT value FROM json_each(?))"
        " AND c.plan IN (SELECT value FROM json_each(?))",
        ("[" + ",".join(map(str, ids)) + "]", json.dumps(list(vip_plans))),
    )
    return {row[0] for row in rows}


def read_page(
    store: Store, agent: str, listing: Listing, page: int
) -> tuple[list[TicketSummary], dict[int, RowMarks]]:
    """One page of a queue with its row marks (runs in a worker)."""
    rows = listing.page(store, limit=PAGE, offset=page * PAGE)
    return rows, row_marks(store, agent, rows, listing.policy.vip_plans)


def read_head(store: Store, agent: str, listing: Listing) -> Head:
    with store.read():  # the count and the page from one snapshot
        total = listing.count(store)
        rows, marks = read_page(store, agent, listing, 0)
    return total, rows, marks


class FirstPage:
    """The first queue's first page, read in a thread of its own from the moment the
    command starts: loading Textual takes a few hundred milliseconds, during which SQLite
    (which lets go of the interpreter while it reads) has the rows ready for the first paint.
    """

    def __init__(self, store: Store, agent: str, policy: SlaPolicy, queue: Queue) -> None:
        self.listing = Listing(queue, agent, policy)
        self._head: Head | None = None
        self._thread = threading.Thread(
            target=self._read, args=(store, agent), name="first page", daemon=True
        )
        self._thread.start()

    def _read(self, store: Store, agent: str) -> None:
        try:
            self._head = read_head(store, agent, self.listing)
        except (sqlite3.Error, ConsoleError):
            pass  # the list reads it the usual way, and says what went wrong

    def take(self) -> Head | None:
        """The head if it is read by now (None: read it the usual way); once."""
        if self._thread.is_alive():
            return None
        head, self._head = self._head, None
        return head
