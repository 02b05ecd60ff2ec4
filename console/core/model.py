"""The help desk's vocabulary: closed sets as enums, records as frozen dataclasses.

Enums parse user input through `parse`, so every place that accepts "p1", "P1" or "L2" reports
the same clear error for anything else."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Self

from console.core.errors import InvalidInput

if TYPE_CHECKING:
    from console.core.query import Query


class Choice(StrEnum):
    """A closed set of values that parses user input with one clear error."""

    @classmethod
    def parse(cls, value: str, what: str | None = None) -> Self:
        """Accept a member's value in any case; name the allowed values otherwise."""
        wanted = value.strip()
        for member in cls:
            if member.value.lower() == wanted.lower():
                return member
        allowed = ", ".join(m.value for m in cls)
        what = what or cls.__name__.lower()
        raise InvalidInput(f"unknown {what} {value!r}: use one of {allowed}")


class Line(Choice):
    """Support line. L1 takes every request, L2 diagnoses, L3 experts, L4 the vendor."""

    L1 = "L1"
    L2 = "L2"
    L3 = "L3"
    L4 = "L4"


class Priority(Choice):
    """P1 is the most urgent. Sorting by value sorts by urgency."""

    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"


class Status(Choice):
    NEW = "new"
    OPEN = "open"
    WAITING = "waiting"
    SOLVED = "solved"
    CLOSED = "closed"


OPEN_STATUSES: tuple[Status, ...] = (Status.NEW, Status.OPEN, Status.WAITING)


class Direction(Choice):
    """Which way a ticket moved between support lines."""

    ESCALATED = "escalated"
    DEESCALATED = "deescalated"


class Activity(Choice):
    """What an agent is doing in a console, as colleagues see it."""

    BROWSING = "browsing"
    VIEWING = "viewing"
    REPLYING = "replying"


class QueueTimer(Choice):
    """The workflow queues, each with its own order."""

    DUE = "due"
    """Promised follow-ups due today or overdue."""
    NUDGE = "nudge"
    """Customers silent for too long."""
    BREACH = "breach"
    """Open tickets by time to their next SLA deadline."""


class Order(Choice):
    """How a queue of open tickets is sorted."""

    PRIORITY = "priority"
    """Most urgent first, then oldest."""
    BREACH = "breach"
    """Nearest SLA deadline first."""


class Approval(Choice):
    """Where paid work stands with the customer."""

    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"


class LinkKind(Choice):
    """How two tickets are tied together."""

    MERGED = "merged"
    """The ticket was merged into the other."""
    PARENT = "parent"
    """The ticket hangs on the other, its parent problem."""
    SPLIT = "split"
    """The ticket was split off the other."""
    FOLLOW_UP = "follow-up of"
    """The customer wrote on the other long after it closed: this ticket follows it up."""


class SlaKind(Choice):
    """The three promises a team makes on every ticket, in the order they are shown."""

    FIRST_RESPONSE = "first_response"
    NEXT_UPDATE = "next_update"
    RESOLUTION = "resolution"

    @property
    def words(self) -> str:
        """How people say it: "first response", "next update", "resolution"."""
        return self.value.replace("_", " ")


class Impact(Choice):
    """How many the problem hits."""

    HIGH = "high"
    """The whole service, or many customers."""
    MEDIUM = "medium"
    """A team, a site, or one feature for everyone."""
    LOW = "low"
    """One person, or there is a workaround."""


class Urgency(Choice):
    """How soon it hurts."""

    HIGH = "high"
    """Work has stopped, or money is being lost now."""
    MEDIUM = "medium"
    """Work is slowed down."""
    LOW = "low"
    """It can wait."""


class Court(Choice):
    """Whose move the case is: ours, the customer's, or a vendor's."""

    US = "us"
    CUSTOMER = "customer"
    VENDOR = "vendor"


class MessageKind(Choice):
    CUSTOMER = "customer"
    """What the customer said, whatever the channel."""
    REPLY = "reply"
    """A public reply to the customer."""
    NOTE = "note"
    """An internal note the customer never sees."""


class Channel(Choice):
    """How a customer's words reached the desk (and how a reply leaves it)."""

    EMAIL = "email"
    PHONE = "phone"
    CHAT = "chat"
    MONITORING = "monitoring"
    CLI = "cli"
    """Typed in by an agent or a script with the `console` command."""


@dataclass(frozen=True)
class TicketSummary:
    """A ticket as a queue row shows it: everything but the body."""

    id: int
    subject: str
    requester: str
    line: Line
    priority: Priority
    status: Status
    court: Court
    assignee: str | None
    created_at: str
    updated_at: str
    updated_by: str
    version: int
    """Raised by every change; a writer holding an older version gets a conflict."""

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


@dataclass(frozen=True)
class Ticket(TicketSummary):
    """A ticket with its original request."""

    body: str = ""
    """The original request as text; see `body_raw` for bytes that were not UTF-8."""
    body_raw: bytes | None = None
    """The request's original bytes when they were not valid UTF-8, else None."""
    channel: Channel | None = None
    """How the request came (None for tickets from before channels were recorded)."""
    impact: Impact | None = None
    urgency: Urgency | None = None
    """Impact and urgency, when someone judged them: the priority is then the team's matrix
    cell for the two (see `triage`)."""
    ticket_type: str | None = None
    """What kind of case it is, one of the team's types (see `ticket_types`); None: not
    typed yet."""


@dataclass(frozen=True)
class Message:
    id: int
    ticket_id: int
    kind: MessageKind
    author: str
    body: str
    created_at: str
    body_raw: bytes | None = None
    channel: Channel | None = None


class EventAction(Choice):
    """What an event in a ticket's log records. The values are what the store keeps."""

    CREATED = "created"
    LINE = "line"
    PRIORITY = "priority"
    STATUS = "status"
    COURT = "court"
    ASSIGNEE = "assignee"
    MESSAGE = "message"
    SLA_BREACH = "sla_breach"
    FOLLOWUP = "followup"
    FOLLOWUP_DUE = "followup_due"
    NUDGE_DUE = "nudge_due"
    AUTO_CLOSE = "auto_close"
    VENDOR = "vendor"
    APPROVAL = "approval"
    TIME = "time"
    RATING = "rating"
    TAG = "tag"
    UNTAG = "untag"
    CHECKLIST = "checklist"
    CHECKLIST_OVERRIDE = "checklist-override"
    ANSWER = "answer"
    UNANSWER = "unanswer"
    ASK = "ask"
    MACRO = "macro"
    ESCALATED = "escalated"
    DEESCALATED = "deescalated"
    ASKED_FRONT = "asked-front"
    ANSWERED_FRONT = "answered-front"
    MERGED = "merged"
    MERGED_IN = "merged_in"
    UNMERGED = "unmerged"
    UNMERGED_OUT = "unmerged_out"
    PARENT = "parent"
    CHILD_LINKED = "child_linked"
    CHILD_UNLINKED = "child_unlinked"
    SPLIT = "split"
    UNSPLIT = "unsplit"
    LINK = "link"
    MAIL = "mail"
    """A failed mail sent again ("retry") or let go ("dismiss")."""
    NUDGE = "nudge"
    """Written by consoles before nudges became replies; kept so old logs still read."""
    TRIAGE = "triage"
    """Impact and urgency judged (before and after read "high × low")."""
    TYPE = "type"
    """The ticket's type set, changed or cleared (before and after are type names)."""
    REQUESTER = "requester"
    """The requester followed its contact: an address added or changed, a phone or a name
    changed for a caller with no address."""


@dataclass(frozen=True)
class Event:
    id: int
    ticket_id: int
    at: str
    actor: str
    action: EventAction
    before: str | None
    after: str | None
    detail: str | None = None


@dataclass(frozen=True)
class QueueFilter:
    """Which tickets a queue shows. Unset fields do not filter."""

    line: Line | None = None
    priority: Priority | None = None
    court: Court | None = None
    statuses: tuple[Status, ...] = OPEN_STATUSES
    assignee: str | None = None
    text: str | None = None
    """Words to find in subject and body (full-text search)."""
    needs_customer_contact: bool = False
    """Only tickets with a back-line question the front line has not yet answered."""
    undelivered: bool = False
    """Only tickets with a mail to the customer that failed and nobody dealt with yet."""
    query: Query | None = None
    """Terms of the query language (`line:L2 tag:outage words`), all of which must hold; a
    query that names statuses replaces `statuses`."""
    prefix_last: bool = False
    """The query's last word may be the start of one: the filter as the agent types it."""


@dataclass(frozen=True)
class QueueCounts:
    """Open tickets per line and priority, for the queue sidebar."""

    by_line: dict[Line, dict[Priority, int]] = field(default_factory=dict)
    mine: int = 0
    all_open: int = 0
