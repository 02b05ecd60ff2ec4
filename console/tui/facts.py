"""What the ticket screen shows beside the thread, read in one go: the workflow clocks, links, tags,
the latest hand-off between lines and the attached checklists. Plain reads of the core (no Textual
here), called from a worker thread."""

from __future__ import annotations

from dataclasses import dataclass

from console.core import checklists, links, tags, workflow
from console.core.checklists import Attached
from console.core.escalation import Handoff, handoff
from console.core.links import Link
from console.core.store import Store
from console.core.workflow import Clocks


@dataclass(frozen=True)
class TicketFacts:
    ticket_id: int
    clocks: Clocks
    links: tuple[Link, ...]
    child_count: int
    """Tickets hanging on this one as their parent problem."""
    tags: tuple[str, ...]
    handoff: Handoff | None
    checklists: tuple[Attached, ...]

    @property
    def version(self) -> int:
        return self.clocks.version

    def outgoing(self, kind: str) -> Link | None:
        """This ticket's own link of `kind` (merged into, hangs on, split off)."""
        return next(
            (k for k in self.links if k.kind == kind and k.ticket_id == self.ticket_id), None
        )

    def incoming(self, kind: str) -> list[Link]:
        """Links of `kind` from other tickets to this one."""
        return [k for k in self.links if k.kind == kind and k.other_id == self.ticket_id]


def load_facts(store: Store, ticket_id: int) -> TicketFacts:
    state = workflow.clocks(store, ticket_id)
    with store.lock:  # `handoff` reads the connection without taking the lock itself
        latest = handoff(store, ticket_id)
    return TicketFacts(
        ticket_id=ticket_id,
        clocks=state,
        links=tuple(links.links(store, ticket_id)),
        child_count=links.child_count(store, ticket_id),
        tags=tuple(tags.tags(store, ticket_id)),
        handoff=latest,
        checklists=tuple(checklists.attached(store, ticket_id)),
    )
