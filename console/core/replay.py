"""A ticket's clocks recomputed from its event log alone.

The workflow keeps the clocks on the ticket's row as it goes (`clock_since`, `ours_seconds`,
`first_response_at`, the deadline columns), so queues sort without reading any history. This
module is the other road to the same numbers: it replays the log from the ticket's opening,
so a check (and the model-based test) can prove the stored columns say what the log says.

The rules are the workflow's, stated once more from the log's side: a stretch ends when the
court or the status changes, and when a public reply is written while the ball is ours (its
next-update promise starts again); the first public reply by an agent is the first response;
the priority in force is the last one logged."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from console.core.clock import from_text
from console.core.model import Court, Event, EventAction, MessageKind, Priority, Status, Ticket
from console.core.sla import ClockState, SlaPolicy, business_seconds, clock_runs
from console.core.team import SYSTEM_LOGIN


@dataclass
class _Replaying:
    priority: Priority
    status: Status
    court: Court
    clock_since: str
    ours_seconds: int
    first_response_at: str | None

    def boundary(self, at: str, policy: SlaPolicy) -> None:
        """A stretch ends at `at`: the working time the ball was ours in it is counted."""
        if clock_runs(self.status, self.court):
            self.ours_seconds += business_seconds(
                from_text(self.clock_since), from_text(at), policy.calendar
            )
        self.clock_since = at


def _first_before(events: Sequence[Event], action: EventAction) -> str | None:
    return next((e.before for e in events if e.action == action and e.before), None)


def replay(ticket: Ticket, events: Sequence[Event], policy: SlaPolicy) -> ClockState:
    """The clock state the log of `ticket` leads to (its stored row should hold the same)."""
    state = _Replaying(
        priority=Priority(_first_before(events, EventAction.PRIORITY) or ticket.priority),
        status=Status(_first_before(events, EventAction.STATUS) or ticket.status),
        court=Court(_first_before(events, EventAction.COURT) or ticket.court),
        clock_since=ticket.created_at,
        ours_seconds=0,
        first_response_at=None,
    )
    for event in events:
        if event.action == EventAction.PRIORITY and event.after:
            state.priority = Priority(event.after)
        elif event.action in (EventAction.STATUS, EventAction.COURT) and event.after:
            state.boundary(event.at, policy)
            if event.action == EventAction.STATUS:
                state.status = Status(event.after)
            else:
                state.court = Court(event.after)
        elif event.action == EventAction.MESSAGE and event.after == MessageKind.REPLY.value:
            if event.actor != SYSTEM_LOGIN and state.first_response_at is None:
                state.first_response_at = event.at
            if clock_runs(state.status, state.court):
                state.boundary(event.at, policy)
    return ClockState(
        priority=state.priority,
        status=state.status,
        court=state.court,
        clock_since=from_text(state.clock_since),
        ours_seconds=state.ours_seconds,
        first_response_at=(from_text(state.first_response_at) if state.first_response_at else None),
    )
