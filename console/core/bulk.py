"""One action on many tickets: the twenty tickets of an outage assigned, tagged or closed at
once.

Nothing here bypasses the one path: each ticket is one run of the declared action, with its
own permission and version check, its own clocks and its own events, exactly as if the agent
had done it ticket by ticket. A ticket that cannot take the action (changed meanwhile, closed
already, not the agent's line) is refused alone, with the reason; the others go ahead. The
result says which were done and which were refused, and why."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from console.core.actions import Outcome, TicketAction
from console.core.desk import Desk
from console.core.errors import ConsoleError, InvalidInput
from console.core.model import QueueFilter
from console.core.store import Store

MOST = 10_000
"""Tickets one bulk action takes at most: more is a query that says too little."""
PAGE = 1_000


@dataclass(frozen=True)
class Refusal:
    ticket_id: int
    reason: str


@dataclass
class BulkResult:
    done: list[Outcome] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)

    @property
    def summary(self) -> str:
        """ "12 done, 2 refused" in words."""
        parts = [f"{len(self.done):,} done"]
        if self.refused:
            parts.append(f"{len(self.refused):,} refused")
        return ", ".join(parts)


def perform_many(
    desk: Desk,
    action: TicketAction,
    targets: Iterable[tuple[int, int | None]],
    values: dict[str, Any],
) -> BulkResult:
    """Run `action` with `values` on each (ticket, version seen) of `targets`; a version of
    None skips that check (the command line, which saw no version). The desk's `progress`
    listener hears how far it got."""
    chosen = list(targets)
    result = BulkResult()
    for number, (ticket_id, version) in enumerate(chosen, start=1):
        try:
            outcome = action.perform(desk, ticket_id, values, expected_version=version)
        except ConsoleError as error:
            result.refused.append(Refusal(ticket_id, str(error)))
        else:
            result.done.append(outcome)
        if desk.progress is not None and len(chosen) > 1:
            desk.progress(action.title, number, len(chosen))
    return result


def matching(store: Store, queue: QueueFilter, most: int = MOST) -> list[tuple[int, int]]:
    """Every ticket `queue` shows, with its version, in the queue's order; refused when there
    are more than `most`."""
    with store.read():  # the count and every page from one snapshot
        total = store.count(queue)
        if total > most:
            raise InvalidInput(
                f"that is {total:,} tickets; one action takes at most {most:,}: narrow the query"
            )
        found: list[tuple[int, int]] = []
        while len(found) < total:
            page = store.tickets(queue, limit=PAGE, offset=len(found))
            if not page:
                break
            found += [(t.id, t.version) for t in page]
    return found
