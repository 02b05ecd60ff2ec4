"""The one path every change to a ticket takes.

An operation opens a change (`with change(desk) as c:`), adds its messages and updates its
tickets through it; the change is one transaction, and for every road a change may come by
(a verb, a key on the ticket screen, a macro, the timers, a mail) it:

- checks the version the agent saw (`expected_version`), so a colleague's change is never
  silently overwritten;
- checks who may do it: only an agent on a customer line (or a lead, or the console itself)
  writes to a customer; a ticket is assigned only to someone who works its line;
- keeps the ticket's status following whose move it is (new, open, waiting; solved and closed
  stay as set), and the SLA clocks following both: a stretch of the same court and status has
  a start (`clock_since`), the working time the ball was ours before it is summed
  (`ours_seconds`), and every deadline is recomputed from the policy, whatever changed (a new
  priority moves them too). A deadline missed is logged once as a breach, and keeps its true
  lateness after the ball has been away;
- logs an event for every field it changed, and queues every public message in the outbox.

The ticket row's columns are written here and nowhere else."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any, TypeVar

from console.core import requester as callers
from console.core import triage
from console.core.clock import from_text, to_text
from console.core.desk import Desk
from console.core.errors import ConsoleError, InvalidInput, TicketConflict, TicketNotFound
from console.core.model import (
    OPEN_STATUSES,
    Approval,
    Channel,
    Court,
    EventAction,
    Impact,
    Line,
    MessageKind,
    Priority,
    Status,
    Ticket,
    Urgency,
)
from console.core.sla import (
    Breach,
    ClockState,
    SlaKind,
    SlaPolicy,
    breaches_from_text,
    breaches_text,
    business_seconds,
    clock_runs,
    deadlines,
)
from console.core.store import Store
from console.core.team import SYSTEM_LOGIN, require_customer_contact
from console.core.ticket_types import check_type

MAX_SUBJECT = 1000
"""A subject is a line in a queue, not a document: a longer one typed is refused (it goes in
the body), one from a mail is cut (the mail keeps it whole)."""

TERMS = frozenset(
    {
        "vendor",
        "vendor_case",
        "billable",
        "estimate_minutes",
        "approval",
        "rating",
        "impact",
        "urgency",
        "ticket_type",
    }
)
"""The columns an operation may set through `update(terms=...)`: what was agreed about the
ticket. Its clocks, court and status are the workflow's to keep."""


class Keep(Enum):
    """For `update`: leave this field as it is (None means "set it to nothing")."""

    KEEP = "keep"


KEEP = Keep.KEEP


@dataclass(frozen=True)
class Followup:
    """A promise to get back to the customer by a moment: the Due queue's reminder."""

    due: datetime
    note: str | None = None
    by_reply: bool = False
    """Promised in a public reply ("we will get back to you by ..."): the next public reply
    keeps the promise and clears it. A promise made by hand stays until it is marked done."""


@dataclass(frozen=True)
class Clocks:
    """A ticket's workflow and SLA state, as stored on its row."""

    ticket_id: int
    priority: Priority
    status: Status
    court: Court
    created_at: str
    clock_since: str | None
    """When the current stretch (same court and status) began; None until the clocks start."""
    ours_seconds: int
    """Working seconds the ball was ours before the current stretch."""
    first_response_at: str | None
    resolved_at: str | None
    sla_kind: SlaKind | None
    """Which promise falls due first."""
    sla_due_at: str | None
    """When it falls due (in the past once missed); None while the clocks are stopped."""
    breaches: frozenset[Breach]
    vendor: str | None
    vendor_case: str | None
    followup_due_at: str | None
    followup_note: str | None
    followup_by_reply: bool
    nudged_since: str | None
    rating: int | None
    billable: bool
    estimate_minutes: int | None
    approval: Approval | None
    version: int

    def state(self) -> ClockState:
        return ClockState(
            priority=self.priority,
            status=self.status,
            court=self.court,
            clock_since=from_text(self.clock_since or self.created_at),
            ours_seconds=self.ours_seconds,
            first_response_at=(
                from_text(self.first_response_at) if self.first_response_at else None
            ),
        )


def clocks_from_row(row: Mapping[str, Any]) -> Clocks:
    return Clocks(
        ticket_id=row["id"],
        priority=Priority(row["priority"]),
        status=Status(row["status"]),
        court=Court(row["court"]),
        created_at=row["created_at"],
        clock_since=row["clock_since"],
        ours_seconds=row["ours_seconds"] or 0,
        first_response_at=row["first_response_at"],
        resolved_at=row["resolved_at"],
        sla_kind=SlaKind(row["sla_kind"]) if row["sla_kind"] else None,
        sla_due_at=row["sla_due_at"],
        breaches=breaches_from_text(row["sla_breached"]),
        vendor=row["vendor"],
        vendor_case=row["vendor_case"],
        followup_due_at=row["followup_due_at"],
        followup_note=row["followup_note"],
        followup_by_reply=row["followup_source"] == "reply",
        nudged_since=row["nudged_since"],
        rating=row["rating"],
        billable=bool(row["billable"]),
        estimate_minutes=row["estimate_minutes"],
        approval=Approval(row["approval"]) if row["approval"] else None,
        version=row["version"],
    )


def clocks(store: Store, ticket_id: int) -> Clocks:
    """A ticket's workflow and SLA state."""
    rows = store.rows("SELECT * FROM tickets WHERE id = ?", (ticket_id,))
    if not rows:
        raise TicketNotFound(ticket_id)
    return clocks_from_row(rows[0])


def status_for(status: Status, court: Court) -> Status:
    """The status an open ticket has when the move is `court`'s."""
    if status not in OPEN_STATUSES:
        return status
    if court != Court.US:
        return Status.WAITING
    return Status.NEW if status == Status.NEW else Status.OPEN


def _subject(subject: str) -> str:
    cleaned = (subject or "").strip()
    if not any(c.isprintable() and not c.isspace() for c in cleaned):
        raise InvalidInput("the subject is empty: give the ticket a subject")
    if len(cleaned) > MAX_SUBJECT:
        raise InvalidInput(
            f"the subject is {len(cleaned):,} characters long: at most {MAX_SUBJECT:,}"
            " (put the rest in the body)"
        )
    return cleaned


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


class Change:
    """One write transaction on the store, made by one agent at one moment."""

    def __init__(self, desk: Desk, conn: sqlite3.Connection) -> None:
        self.desk = desk
        self.conn = conn
        self.moment = desk.now()
        self.now = to_text(self.moment)
        self.moment = from_text(self.now)  # to the second, as the store keeps it
        self._messaged: set[int] = set()
        self._answered: set[int] = set()
        """Tickets given a public message by an agent in this change: a first response."""
        self._public: set[int] = set()
        self._updated: set[int] = set()
        self._created: set[int] = set()
        self._logged: set[int] = set()
        """Tickets with an event in this change: their version must be raised."""

    @property
    def actor(self) -> str:
        return self.desk.login

    # -- reading inside the change -----------------------------------------------------------

    def row(self, ticket_id: int) -> dict[str, Any]:
        """The ticket's row as this transaction sees it."""
        cursor = self.conn.execute("SELECT * FROM tickets WHERE id = ?", (ticket_id,))
        found = cursor.fetchone()
        if found is None:
            raise TicketNotFound(ticket_id)
        return dict(zip([d[0] for d in cursor.description], found, strict=True))

    def ticket(self, ticket_id: int) -> Ticket:
        """The ticket as this transaction sees it."""
        return self.desk.store.ticket(ticket_id)

    def check_version(self, ticket_id: int, expected_version: int | None) -> dict[str, Any]:
        """The ticket's row, refused if it changed since the agent saw `expected_version`."""
        row = self.row(ticket_id)
        if expected_version is not None and row["version"] != expected_version:
            raise TicketConflict(ticket_id, row["updated_by"], row["updated_at"], self.now)
        return row

    # -- writing -----------------------------------------------------------------------------

    def event(
        self,
        ticket_id: int,
        action: EventAction,
        before: Any = None,
        after: Any = None,
        detail: str | None = None,
        *,
        by_clock: bool = False,
    ) -> None:
        """Log an event of this change; `by_clock` ones (a deadline missed) are the console's
        own, whoever's change noticed them."""
        actor = SYSTEM_LOGIN if by_clock else self.actor
        self.conn.execute(
            "INSERT INTO events (ticket_id, at, actor, action, before, after, detail) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (ticket_id, self.now, actor, action.value, _text(before), _text(after), detail),
        )
        if not by_clock:
            self._logged.add(ticket_id)

    def create(
        self,
        *,
        subject: str,
        requester: str,
        body: str = "",
        body_raw: bytes | None = None,
        line: Line = Line.L1,
        priority: Priority = Priority.P3,
        source: str = "cli",
        status: Status = Status.NEW,
        channel: Channel = Channel.CLI,
        impact: Impact | None = None,
        urgency: Urgency | None = None,
        ticket_type: str | None = None,
        contact_id: int | None = None,
    ) -> int:
        """Open a ticket for `requester` (an address, "Name <address>", a phone number or a
        name: see `requester`), its clocks started, the move ours; returns its number.
        `status` is new, or open for a ticket that continues a conversation (a split, a
        follow-up), which gives the `contact_id` of the one it continues. `ticket_type` is one
        of the team's types."""
        subject = _subject(subject)
        status = Status(status)
        if status not in (Status.NEW, Status.OPEN):
            raise AssertionError(f"a ticket is opened new or open, not {status}")
        if ticket_type is not None:
            ticket_type = check_type(ticket_type, self.desk.team.types)
        found = self._continued(contact_id) if contact_id is not None else None
        contact_id, label = found or self.contact_for(callers.parse_requester(requester))
        line, priority = Line(line), Priority(priority)
        cursor = self.conn.execute(
            "INSERT INTO tickets (subject, body, body_raw, requester, contact_id, line, priority,"
            " status, court, created_at, updated_at, updated_by, version, clock_since,"
            " ours_seconds, channel, impact, urgency, ticket_type)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'us', ?, ?, ?, 1, ?, 0, ?, ?, ?, ?)",
            (
                subject,
                body,
                body_raw,
                label,
                contact_id,
                line.value,
                priority.value,
                status.value,
                self.now,
                self.now,
                self.actor,
                self.now,
                Channel(channel).value,
                None if impact is None else Impact(impact).value,
                None if urgency is None else Urgency(urgency).value,
                ticket_type,
            ),
        )
        ticket_id = int(cursor.lastrowid or 0)
        judged = f" ({triage.reason(impact, urgency)})" if impact and urgency else ""
        self.event(
            ticket_id,
            EventAction.CREATED,
            detail=f"{line.value} {priority.value}{judged} from {label} via {source}",
        )
        self._write_clocks(ticket_id, self._deadline_columns(self.row(ticket_id), set()))
        self._updated.add(ticket_id)
        self._created.add(ticket_id)
        return ticket_id

    def contact_for(self, caller: callers.Caller) -> tuple[int, str]:
        """The id and label of the contact `caller` names, made when nobody has that address,
        phone or name; a phone or a name several contacts share is refused."""
        if caller.kind == callers.CallerKind.ADDRESS:
            self.conn.execute(
                "INSERT OR IGNORE INTO contacts (email, name, created_at) VALUES (?, ?, ?)",
                (caller.email, caller.name, self.now),
            )
            if caller.name:
                self.conn.execute(
                    "UPDATE contacts SET name = ? WHERE email = ? AND name IS NULL",
                    (caller.name, caller.email),
                )
            found = callers.matching(self.conn, caller)
            return found[0][0], str(caller.email)
        found = callers.matching(self.conn, caller)
        if len(found) > 1:
            raise callers.ambiguous(caller, [label for _id, label in found])
        if found:
            return found[0]
        cursor = self.conn.execute(
            "INSERT INTO contacts (phone, name, created_at) VALUES (?, ?, ?)",
            (caller.phone, caller.name, self.now),
        )
        return int(cursor.lastrowid or 0), caller.label

    def _continued(self, contact_id: int) -> tuple[int, str] | None:
        """The contact of the ticket a new one continues, with their label as it is now."""
        row = self.conn.execute(
            f"SELECT id, {callers.LABEL_SQL} FROM contacts WHERE id = ?", (contact_id,)
        ).fetchone()
        return None if row is None else (int(row[0]), str(row[1]))

    def message(
        self,
        ticket_id: int,
        kind: MessageKind,
        body: str,
        *,
        body_raw: bytes | None = None,
        author: str | None = None,
        channel: Channel | None = None,
    ) -> int:
        """Add a message to the thread; a public one is checked against who may write to the
        customer and queued for delivery (by e-mail, its channel). A customer with no e-mail
        address is mailed nothing: the message is kept as said, its channel the phone, for
        an agent to tell them (`delivery` says so on the thread). Add messages before the
        ticket's `update`, which counts them (a first response, a kept promise, a nudge)."""
        kind = MessageKind(kind)
        # On a ticket this change opened, a note (a file refused at intake) or the console's
        # own reply (the acknowledgement) counts for nothing: neither moves a clock.
        quiet = kind == MessageKind.NOTE or (
            kind == MessageKind.REPLY and self.desk.agent.is_system
        )
        opened_now = quiet and ticket_id in self._created
        if ticket_id in self._updated and not opened_now:
            raise AssertionError(f"ticket #{ticket_id}: add messages before updating it")
        if not body.strip() and body_raw is None:
            raise InvalidInput("the message is empty: write something first")
        row = self.row(ticket_id)
        if kind == MessageKind.REPLY:
            require_customer_contact(self.desk.agent)
        if author is None:
            author = row["requester"] if kind == MessageKind.CUSTOMER else self.actor
        mailed = kind == MessageKind.REPLY and callers.is_address(row["requester"])
        if kind == MessageKind.REPLY:
            channel = Channel.EMAIL if mailed else Channel.PHONE
        cursor = self.conn.execute(
            "INSERT INTO messages (ticket_id, kind, author, body, body_raw, created_at, channel)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (ticket_id, kind.value, author, body, body_raw, self.now, channel and channel.value),
        )
        message_id = int(cursor.lastrowid or 0)
        self.event(ticket_id, EventAction.MESSAGE, None, kind.value, f"message {message_id}")
        if kind == MessageKind.REPLY:
            automatic = self.desk.agent.is_system
            if mailed:
                # The console's reply on a ticket the same change opened answers the mail
                # that opened it (the acknowledgement).
                self.conn.execute(
                    "INSERT INTO outbox (message_id, automatic, auto_reply, queued_at)"
                    " VALUES (?, ?, ?, ?)",
                    (message_id, int(automatic), int(opened_now), self.now),
                )
            self._public.add(ticket_id)
            if not automatic:  # what the console says by itself is not an agent's answer
                self._answered.add(ticket_id)
        self._messaged.add(ticket_id)
        return message_id

    def _taker(self, line: Line) -> str | Keep:
        """Who a reply on an unassigned ticket gives it to: the agent who answered, when the
        team says so (`[team] take_on_reply`) and they may hold a ticket on its line."""
        if not self.desk.team.take_on_reply or self.desk.agent.is_system:
            return KEEP
        try:
            return self.desk.team.check_assignee(self.actor, line).login
        except ConsoleError:  # a colleague from another line may answer without taking it
            return KEEP

    def update(
        self,
        ticket_id: int,
        *,
        expected_version: int | None = None,
        court: Court | Keep = KEEP,
        status: Status | Keep = KEEP,
        priority: Priority | Keep = KEEP,
        line: Line | Keep = KEEP,
        assignee: str | None | Keep = KEEP,
        followup: Followup | None | Keep = KEEP,
        terms: Mapping[str, Any] | None = None,
        restart: bool = False,
        reason: str | None = None,
        line_event: EventAction = EventAction.LINE,
    ) -> dict[str, Any]:
        """Change the ticket and raise its version; returns its row as it is now.

        `restart` begins a new stretch although court and status stay (a public reply that
        keeps the ball with us restarts the next-update clock)."""
        row = self.check_version(ticket_id, expected_version)
        if ticket_id in self._updated:
            raise AssertionError(f"ticket #{ticket_id} is updated twice in one change")
        unknown = set(terms or {}) - TERMS
        if unknown:
            raise AssertionError(f"not a term of a ticket: {', '.join(sorted(unknown))}")
        noted = ticket_id in self._logged
        if row["clock_since"] is None:  # a ticket from before the clocks: its stretch began then
            row["clock_since"] = row["updated_at"]
        breached = self._log_missed(row, set(breaches_from_text(row["sla_breached"])))
        old_court, old_status = Court(row["court"]), Status(row["status"])
        new_court = old_court if court is KEEP else Court(court)
        new_status = status_for(old_status, new_court) if status is KEEP else Status(status)
        new_line = Line(row["line"]) if line is KEEP else Line(line)
        changes: dict[str, Any] = {
            "clock_since": row["clock_since"],
            **{k: v.value if isinstance(v, Enum) else v for k, v in (terms or {}).items()},
        }
        if priority is not KEEP and Priority(priority).value != row["priority"]:
            changes["priority"] = Priority(priority).value
        if new_line.value != row["line"]:
            changes["line"] = new_line.value
        if assignee is KEEP and row["assignee"] is None and ticket_id in self._answered:
            assignee = self._taker(new_line)
        if assignee is not KEEP and assignee != row["assignee"]:
            if assignee is not None:
                assignee = self.desk.team.check_assignee(assignee, new_line).login
            changes["assignee"] = assignee
        moved = (new_court, new_status) != (old_court, old_status)
        if moved or (restart and clock_runs(new_status, new_court)):
            if clock_runs(old_status, old_court):
                changes["ours_seconds"] = (row["ours_seconds"] or 0) + business_seconds(
                    from_text(row["clock_since"]), self.moment, self.desk.policy.calendar
                )
            changes["clock_since"] = self.now
        if new_court != old_court:
            changes["court"] = new_court.value
        if new_status != old_status:
            changes["status"] = new_status.value
            reopened = new_status in OPEN_STATUSES and old_status not in OPEN_STATUSES
            resolved = new_status not in OPEN_STATUSES and old_status in OPEN_STATUSES
            if reopened:
                changes["resolved_at"] = None
            elif resolved:
                changes["resolved_at"] = self.now
            if new_status not in OPEN_STATUSES and followup is KEEP and row["followup_due_at"]:
                followup = None  # a solved or closed case owes no call-back
        if ticket_id in self._answered and not row["first_response_at"]:
            changes["first_response_at"] = self.now
        nudged = (
            ticket_id in self._public
            and not moved
            and new_court == Court.CUSTOMER
            and row["nudged_since"] != row["clock_since"]
        )
        if nudged:  # a word to a customer who has the ball: they are reminded, the wait goes on
            changes["nudged_since"] = row["clock_since"]
        if followup is KEEP and ticket_id in self._answered and row["followup_source"] == "reply":
            followup = None  # the reply keeps what an earlier reply promised
        if followup is not KEEP:
            changes.update(
                followup_due_at=None if followup is None else to_text(followup.due),
                followup_note=None if followup is None else followup.note,
                followup_source=None
                if followup is None
                else ("reply" if followup.by_reply else "agent"),
            )
        after = {**row, **changes}
        deadline_columns = self._deadline_columns(after, breached)
        self._updated.add(ticket_id)
        if not noted and all(row[k] == v for k, v in changes.items()):
            # Nothing changed (the ball moved to where it was): nothing to raise or log.
            self._write_clocks(ticket_id, deadline_columns)
            return {**after, **deadline_columns}
        changes.update(deadline_columns)
        self._write(ticket_id, row["version"], changes)
        self._log_fields(ticket_id, row, changes, reason, line_event)
        if nudged:
            self.event(ticket_id, EventAction.NUDGE, None, None, "reminded the customer")
        return {**after, **changes, "version": row["version"] + 1}

    def readdress(self, contact_id: int, before: str, after: str) -> list[int]:
        """The tickets of a contact whose requester said `before` say `after` now (their
        address added or changed; the phone or the name of a caller with none changed),
        logged on each; returns them, for the caller to `update` (which raises their
        versions) once it has changed what else it changes."""
        found = self.conn.execute(
            "SELECT id FROM tickets WHERE requester = ? AND contact_id = ?", (before, contact_id)
        ).fetchall()
        for (ticket_id,) in found:
            self.conn.execute("UPDATE tickets SET requester = ? WHERE id = ?", (after, ticket_id))
            self.event(ticket_id, EventAction.REQUESTER, before, after)
        return [int(ticket_id) for (ticket_id,) in found]

    def settle(self, ticket_id: int) -> list[Breach]:
        """Log the deadlines that passed since the ticket last changed and bring its deadline
        columns up to date; the version stays (an agent editing the ticket at that moment must
        not get a conflict because a clock ran out). Returns the breaches logged now."""
        row = self.row(ticket_id)
        if row["clock_since"] is None:
            return []
        before = breaches_from_text(row["sla_breached"])
        breached = set(before)
        self._write_clocks(ticket_id, self._deadline_columns(row, breached))
        return sorted(breached - before, key=lambda b: b.key)

    def start_clocks(self, ticket_id: int) -> list[Breach] | None:
        """Give a ticket that came in without clocks (an older file, the demo loader) its
        clocks, as if its current stretch began at its last change. Returns the deadlines
        already missed (logged now), or None when it had its clocks."""
        row = self.row(ticket_id)
        if row["clock_since"] is not None:
            return None
        row["clock_since"] = row["updated_at"]
        breached: set[Breach] = set()
        columns = {"clock_since": row["clock_since"], **self._deadline_columns(row, breached)}
        if row["status"] == Status.SOLVED.value:
            columns["resolved_at"] = row["updated_at"]
        self._write_clocks(ticket_id, columns)
        return sorted(breached, key=lambda b: b.key)

    def remind_followup(self, ticket_id: int) -> bool:
        """Log, once per promise, that a follow-up fell due. False when it was logged."""
        row = self.row(ticket_id)
        due = row["followup_due_at"]
        if due is None or row["followup_reminded"] == due:
            return False
        self.event(ticket_id, EventAction.FOLLOWUP_DUE, None, due, row["followup_note"])
        self._write_clocks(ticket_id, {"followup_reminded": due})
        return True

    def finish(self) -> None:
        """Every ticket given a message was also updated (its version raised, its clocks
        kept): a change that forgot is a bug, and nothing of it is written."""
        forgotten = self._messaged - self._updated
        if forgotten:
            raise AssertionError(f"ticket(s) {sorted(forgotten)} changed without an update")

    # -- the clocks ----------------------------------------------------------------------------

    def _state(self, row: Mapping[str, Any]) -> ClockState:
        return clocks_from_row(row).state()

    def _log_missed(self, row: Mapping[str, Any], breached: set[Breach]) -> set[Breach]:
        """Log each deadline of the row's state that passed by now and is not logged yet."""
        for deadline in deadlines(self._state(row), self._policy_for(row)):
            if deadline.due <= self.moment and deadline.breach not in breached:
                self.event(
                    row["id"],
                    EventAction.SLA_BREACH,
                    None,
                    deadline.kind.value,
                    f"due {to_text(deadline.due)}",
                    by_clock=True,
                )
                breached.add(deadline.breach)
        return breached

    def _deadline_columns(self, row: Mapping[str, Any], breached: set[Breach]) -> dict[str, Any]:
        """The stored deadline columns for the state in `row`; deadlines of that state already
        passed are logged first (a raised priority may have made one overdue)."""
        self._log_missed(row, breached)
        found = deadlines(self._state(row), self._policy_for(row))
        current = {d.breach for d in found}
        # First response and resolution breach once per ticket; a next-update breach belongs
        # to its stretch and is forgotten when the stretch ends.
        kept = {b for b in breached if b.stretch is None or b in current}
        pending = [d for d in found if d.breach not in kept]
        return {
            "sla_due_at": to_text(found[0].due) if found else None,
            "sla_kind": found[0].kind.value if found else None,
            "sla_check_at": to_text(pending[0].due) if pending else None,
            "sla_breached": breaches_text(kept),
        }

    def _policy_for(self, row: Mapping[str, Any]) -> SlaPolicy:
        """The team's promises, or those of the customer's plan."""
        policy = self.desk.policy
        if not policy.plans or row.get("contact_id") is None:
            return policy
        found = self.conn.execute(
            "SELECT plan FROM contacts WHERE id = ?", (row["contact_id"],)
        ).fetchone()
        return policy.for_plan(found[0] if found else None)

    # -- the row itself ------------------------------------------------------------------------

    def _write(self, ticket_id: int, version: int, changes: Mapping[str, Any]) -> None:
        sets = {**changes, "updated_at": self.now, "updated_by": self.actor}
        cursor = self.conn.execute(
            f"UPDATE tickets SET {', '.join(f'{k} = ?' for k in sets)}, version = version + 1 "
            "WHERE id = ? AND version = ?",
            [*sets.values(), ticket_id, version],
        )
        if cursor.rowcount != 1:  # unreachable inside one IMMEDIATE transaction; kept as a guard
            raise TicketConflict(ticket_id, "someone", self.now, self.now)

    def _write_clocks(self, ticket_id: int, columns: Mapping[str, Any]) -> None:
        """Bookkeeping columns only: no version, no "updated by"."""
        self.conn.execute(
            f"UPDATE tickets SET {', '.join(f'{k} = ?' for k in columns)} WHERE id = ?",
            [*columns.values(), ticket_id],
        )

    def _log_fields(
        self,
        ticket_id: int,
        row: Mapping[str, Any],
        changes: Mapping[str, Any],
        reason: str | None,
        line_event: EventAction,
    ) -> None:
        for name, action in (
            ("status", EventAction.STATUS),
            ("court", EventAction.COURT),
            ("priority", EventAction.PRIORITY),
            ("line", line_event),
            ("assignee", EventAction.ASSIGNEE),
        ):
            if name in changes and changes[name] != row[name]:
                self.event(ticket_id, action, row[name], changes[name], reason)
        if "followup_due_at" in changes and (
            changes["followup_due_at"] != row["followup_due_at"]
            or changes["followup_note"] != row["followup_note"]
        ):
            note = changes["followup_note"]
            if changes["followup_due_at"] is None:
                note = "done"
                if changes.get("status", row["status"]) not in {s.value for s in OPEN_STATUSES}:
                    note = f"the ticket is {changes.get('status', row['status'])}"
                elif ticket_id in self._answered:
                    note = "kept by this reply"
            self.event(
                ticket_id,
                EventAction.FOLLOWUP,
                row["followup_due_at"],
                changes["followup_due_at"],
                note,
            )


T = TypeVar("T")

BATCH_SECONDS = 0.2
"""How long one commit of work in bulk (an import, an outage's children, the timers over a
year of backlog) gathers changes: a commit each costs most of the time otherwise, and every
other writer waits while one is open."""
BATCH_PAUSE = 0.02
"""The pause after each such commit. A writer kept waiting by SQLite retries only every so
often (up to 100 ms apart); without a pause the bulk work takes the lock again at once and
the waiter can miss every gap."""


@contextmanager
def change(desk: Desk) -> Iterator[Change]:
    """One change of the store by `desk`'s agent: all of it, or nothing of it."""
    with desk.store.transaction() as conn:
        current = Change(desk, conn)
        yield current
        current.finish()


def in_batches(
    desk: Desk, items: Sequence[T], work: Callable[[Change, T], object], *, what: str
) -> None:
    """`work` on each item, in changes that each commit within `BATCH_SECONDS`, with a pause
    after each: other agents write in between, and a run stopped half-way keeps what it
    committed. `work` reads what it decides on in its change: the item may have changed
    since it was listed. The desk's `progress` hears `what` is being done after each batch."""
    done = 0
    while done < len(items):
        until = time.monotonic() + BATCH_SECONDS
        with change(desk) as c:
            while done < len(items):
                item, done = items[done], done + 1
                work(c, item)
                if time.monotonic() >= until:
                    break
        if desk.progress is not None:
            desk.progress(what, done, len(items))
        if done < len(items):
            time.sleep(BATCH_PAUSE)
