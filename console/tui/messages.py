"""Messages that workers post back to the UI thread with what they read from the store.

Each carries the `generation` of the request that produced it, so an answer that arrives after
the agent has moved on (another queue, another filter) is recognised as stale and dropped."""

from __future__ import annotations

from dataclasses import dataclass, field

from textual.message import Message

from console.core.contacts import Contact, History
from console.core.context import TicketContext
from console.core.model import Event, QueueCounts, Ticket, TicketSummary
from console.core.model import Message as TicketMessage
from console.tui.queues import Head, RowMarks


@dataclass
class PagesLoaded(Message):
    """Rows of the ticket list, by page number, and the queue's size when it was read."""

    generation: int
    pages: dict[int, list[TicketSummary]]
    total: int | None = None
    """The queue's row count, when the worker counted it (a reload), else None."""
    reset: bool = False
    """A new queue or filter: put the cursor back on the first row."""
    marks: dict[int, RowMarks] = field(default_factory=dict)
    """By ticket number: the rows' deadlines and who else is on them."""


@dataclass
class UrgentArrived(Message):
    """A P1 the queue on screen did not hold when it was last read: new, raised or moved in."""

    ticket: TicketSummary


@dataclass
class EverythingRead(Message):
    """Every ticket of the queue as filtered, with its version, for "select all"."""

    generation: int
    tickets: list[tuple[int, int]]


@dataclass
class MarksLoaded(Message):
    """Deadlines and who else is on them, for rows already on screen."""

    generation: int
    rows: list[TicketSummary]
    marks: dict[int, RowMarks]


@dataclass
class CountsLoaded(Message):
    """Open tickets per queue for the sidebar, and each queue's size and first page."""

    counts: QueueCounts
    totals: dict[str, int]
    """By queue id: how many tickets each queue of the sidebar holds."""
    heads: dict[str, Head]
    """By queue id: what the list shows the moment the agent switches to that queue."""

    def can_replace(self, message: Message) -> bool:
        # A burst of reloads only needs the latest counts painted.
        return isinstance(message, CountsLoaded)


@dataclass
class DataChanged(Message):
    """Another connection committed to the database: what is on screen may be stale."""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, DataChanged)


@dataclass
class PresenceChanged(Message):
    """Another console committed without changing any ticket: only who-is-where may differ."""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, PresenceChanged)


@dataclass
class TicketLoaded(Message):
    """Everything the detail view shows of one ticket."""

    context: TicketContext
    messages: list[TicketMessage]
    events: list[Event]
    customer: Contact | None = None
    history: History | None = None
    """Who asked, and their other tickets."""

    @property
    def ticket(self) -> Ticket:
        return self.context.ticket
