"""What became of the desk's mail to a customer, and what an agent does about a failure:
send it again (the address was fixed, the mailbox emptied) or let it go (the customer was
reached another way). Either takes the ticket out of the Undelivered queue.

A public message to a customer with no e-mail address was never mailed: it has no outbox row,
and its channel is the phone (`Change.message`); it is said as not mailed."""

from __future__ import annotations

from dataclasses import dataclass

from console.core.desk import Desk
from console.core.errors import InvalidInput
from console.core.model import Choice, EventAction, Ticket
from console.core.store import Store
from console.core.team import require_customer_contact
from console.core.workflow import Change, change


class DeliveryState(Choice):
    QUEUED = "queued"
    RETRYING = "retrying"
    SENT = "sent"
    FAILED = "failed"
    DISMISSED = "dismissed"
    NOT_MAILED = "not mailed"
    """The customer has no e-mail address: an agent tells them by phone."""


@dataclass(frozen=True)
class Delivery:
    state: DeliveryState
    at: str | None
    """When it was sent or failed; None while it waits."""
    error: str | None


def deliveries(store: Store, ticket_id: int) -> dict[int, Delivery]:
    """The delivery of each public message of the ticket, by message id."""
    rows = store.query(
        "SELECT o.message_id, o.sent_at, o.failed_at, o.dismissed_at, o.last_error"
        " FROM outbox o JOIN messages m ON m.id = o.message_id WHERE m.ticket_id = ?",
        (ticket_id,),
    )
    found: dict[int, Delivery] = {}
    for message_id, sent_at, failed_at, dismissed_at, error in rows:
        if sent_at:
            found[message_id] = Delivery(DeliveryState.SENT, sent_at, None)
        elif dismissed_at:
            found[message_id] = Delivery(DeliveryState.DISMISSED, failed_at, error)
        elif failed_at:
            found[message_id] = Delivery(DeliveryState.FAILED, failed_at, error)
        elif error:
            found[message_id] = Delivery(DeliveryState.RETRYING, None, error)
        else:
            found[message_id] = Delivery(DeliveryState.QUEUED, None, None)
    unmailed = store.query(
        "SELECT m.id FROM messages m WHERE m.ticket_id = ? AND m.kind = 'reply'"
        " AND m.channel = 'phone' AND NOT EXISTS (SELECT 1 FROM outbox o"
        " WHERE o.message_id = m.id)",
        (ticket_id,),
    )
    for (message_id,) in unmailed:
        found[message_id] = Delivery(DeliveryState.NOT_MAILED, None, None)
    return found


def failures(store: Store, ticket_ids: list[int]) -> dict[int, str]:
    """The latest undealt-with delivery failure of each of these tickets that has one."""
    if not ticket_ids:
        return {}
    marks = ", ".join("?" * len(ticket_ids))
    rows = store.query(
        f"SELECT m.ticket_id, o.last_error FROM outbox o JOIN messages m ON m.id = o.message_id"
        f" WHERE m.ticket_id IN ({marks}) AND o.failed_at IS NOT NULL"
        f" AND o.dismissed_at IS NULL ORDER BY o.id",
        ticket_ids,
    )
    return {ticket_id: error or "not delivered" for ticket_id, error in rows}


def undelivered_count(store: Store, ticket_id: int) -> int:
    return int(
        store.query(
            "SELECT count(*) FROM outbox o INDEXED BY outbox_failed JOIN messages m"
            " ON m.id = o.message_id WHERE m.ticket_id = ? AND o.failed_at IS NOT NULL"
            " AND o.dismissed_at IS NULL",
            (ticket_id,),
        )[0][0]
    )


def _failed_ids(c: Change, ticket_id: int, expected_version: int | None) -> list[int]:
    """The outbox rows of the ticket's undelivered mail; refused when there are none."""
    c.check_version(ticket_id, expected_version)
    rows = c.conn.execute(
        "SELECT o.id FROM outbox o JOIN messages m ON m.id = o.message_id"
        " WHERE m.ticket_id = ? AND o.failed_at IS NOT NULL AND o.dismissed_at IS NULL",
        (ticket_id,),
    ).fetchall()
    if not rows:
        raise InvalidInput(f"ticket #{ticket_id} has no undelivered mail")
    return [row[0] for row in rows]


def retry(desk: Desk, ticket_id: int, *, expected_version: int | None = None) -> Ticket:
    """Queue the ticket's failed mail again, as if it were new (the two days of retries
    start over)."""
    require_customer_contact(desk.agent)
    with change(desk) as c:
        failed = _failed_ids(c, ticket_id, expected_version)
        c.conn.executemany(
            "UPDATE outbox SET failed_at = NULL, next_attempt_at = NULL, claimed_until = NULL,"
            " last_error = NULL,"
            " queued_at = ? WHERE id = ?",
            [(c.now, outbox_id) for outbox_id in failed],
        )
        c.event(ticket_id, EventAction.MAIL, None, "retry", f"{len(failed)} mail(s)")
        c.update(ticket_id)
    return desk.store.ticket(ticket_id)


def dismiss(desk: Desk, ticket_id: int, *, expected_version: int | None = None) -> Ticket:
    """Let the ticket's failed mail go: it stays failed on the thread, off the queue."""
    with change(desk) as c:
        failed = _failed_ids(c, ticket_id, expected_version)
        c.conn.executemany(
            "UPDATE outbox SET dismissed_at = ? WHERE id = ?",
            [(c.now, outbox_id) for outbox_id in failed],
        )
        c.event(ticket_id, EventAction.MAIL, None, "dismiss", f"{len(failed)} mail(s)")
        c.update(ticket_id)
    return desk.store.ticket(ticket_id)
