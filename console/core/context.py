"""Everything around one ticket, gathered once: its workflow clocks and running deadlines,
breaches, links, tags, checklists, the latest hand-off between lines, the back lines' open
questions, who else is on it and the time logged.

`console show` (text and JSON) and the ticket screen both render this one value, so they
cannot disagree about a ticket. It is read in one snapshot of the store."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from console.core import attachments, checklists, escalation, links, presence, tags
from console.core.attachments import FileInfo
from console.core.checklists import Attached
from console.core.escalation import Clarification, Handoff
from console.core.links import Link
from console.core.mail.delivery import Delivery, deliveries, undelivered_count
from console.core.model import LinkKind, Ticket
from console.core.operations import time_logged
from console.core.presence import Presence
from console.core.sla import Breach, SlaKind, SlaPolicy, counted, deadlines
from console.core.store import Store
from console.core.workflow import Clocks, clocks_from_row


@dataclass(frozen=True)
class RunningDeadline:
    """A deadline of the ticket's current stretch, as of the moment it was read."""

    kind: SlaKind
    due: datetime
    left_seconds: int
    """Until it falls due; below zero once missed, by how late it is."""
    state: str
    """"breached", "at risk" or "ok"."""


@dataclass(frozen=True)
class TicketContext:
    ticket: Ticket
    clocks: Clocks
    now: datetime
    deadlines: tuple[RunningDeadline, ...]
    """Running now, soonest first; none while the ball is not ours."""
    counted_seconds: int
    """Working time the ball has been ours, all stretches together."""
    links: tuple[Link, ...]
    child_count: int
    """Tickets hanging on this one as their parent problem."""
    tags: tuple[str, ...]
    checklists: tuple[Attached, ...]
    handoff: Handoff | None
    open_questions: tuple[Clarification, ...]
    """The back lines' questions for the customer that the front line owes."""
    presence: tuple[Presence, ...]
    """Other agents on the ticket now, writers first."""
    time_logged: dict[str, int]
    """Minutes: {"billable": n, "internal": m}."""
    files: tuple[FileInfo, ...] = ()
    """The files that came with its mail, in order."""
    undelivered: int = 0
    """Mails to the customer that failed and nobody dealt with yet."""
    deliveries: dict[int, Delivery] = field(default_factory=dict)
    """What became of each public message's mail, by message id."""

    @property
    def ticket_id(self) -> int:
        return self.ticket.id

    @property
    def version(self) -> int:
        return self.ticket.version

    @property
    def next_deadline(self) -> RunningDeadline | None:
        return self.deadlines[0] if self.deadlines else None

    @property
    def breaches(self) -> tuple[Breach, ...]:
        """Every deadline missed and still remembered, first response first."""
        order = list(SlaKind)
        return tuple(sorted(self.clocks.breaches, key=lambda b: order.index(b.kind)))

    def outgoing(self, kind: LinkKind) -> Link | None:
        """This ticket's own link of `kind` (merged into, hangs on, split off)."""
        return next(
            (k for k in self.links if k.kind == kind and k.ticket_id == self.ticket.id), None
        )

    def incoming(self, kind: LinkKind) -> list[Link]:
        """Links of `kind` from other tickets to this one."""
        return [k for k in self.links if k.kind == kind and k.other_id == self.ticket.id]


def deadline_state(left_seconds: int, policy: SlaPolicy) -> str:
    if left_seconds <= 0:
        return "breached"
    return "at risk" if left_seconds <= policy.at_risk else "ok"


def load_context(
    store: Store, ticket_id: int, policy: SlaPolicy, *, viewer: str | None = None
) -> TicketContext:
    """The ticket and what surrounds it, now; `viewer` is left out of who else is on it."""
    now = store.clock()
    with store.read():
        rows = store.rows(
            "SELECT t.*, c.plan AS contact_plan FROM tickets t"
            " LEFT JOIN contacts c ON c.id = t.contact_id WHERE t.id = ?",
            (ticket_id,),
        )
        ticket = store.ticket(ticket_id)  # raises TicketNotFound with the number
        state = clocks_from_row(rows[0])
        policy = policy.for_plan(rows[0]["contact_plan"])  # its customer's promises
        running = tuple(
            RunningDeadline(d.kind, d.due, left, deadline_state(left, policy))
            for d in deadlines(state.state(), policy)
            for left in [int((d.due - now).total_seconds())]
        )
        return TicketContext(
            ticket=ticket,
            clocks=state,
            now=now,
            deadlines=running,
            counted_seconds=counted(state.state(), now, policy.calendar),
            links=tuple(links.links(store, ticket_id)),
            child_count=links.child_count(store, ticket_id),
            tags=tuple(tags.tags(store, ticket_id)),
            checklists=tuple(checklists.attached(store, ticket_id)),
            handoff=escalation.handoff(store, ticket_id),
            open_questions=tuple(escalation.open_clarifications(store, ticket_id)),
            presence=tuple(presence.on_ticket(store, ticket_id, exclude_agent=viewer)),
            time_logged=time_logged(store, ticket_id),
            files=tuple(attachments.files(store, ticket_id)),
            undelivered=undelivered_count(store, ticket_id),
            deliveries=deliveries(store, ticket_id),
        )
