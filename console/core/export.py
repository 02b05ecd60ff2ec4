"""Tickets, messages, events and a ticket's context as plain data for `--json` and scripts.

The machine forms stay here (ISO moments, snake_case keys, numbers): scripts read them. Bytes
that were not UTF-8 are given back in base64 beside the readable text, so nothing a customer
sent is lost on the way out either."""

from __future__ import annotations

import base64
from dataclasses import asdict
from datetime import tzinfo
from enum import Enum
from typing import TYPE_CHECKING, Any

from console.core.clock import from_text, to_text
from console.core.model import Event, Message, MessageKind, Ticket, TicketSummary
from console.core.text import visible

if TYPE_CHECKING:  # a type only: `console new` and `list` export without loading contexts
    from console.core.context import TicketContext


def plain(value: Any) -> Any:
    """`value` with enums as their values and moments as stored text, for JSON."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(plain(k)): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    if hasattr(value, "isoformat") and hasattr(value, "tzinfo"):
        return to_text(value)
    return value


def _raw(value: bytes | None) -> dict[str, str]:
    return {"body_raw_base64": base64.b64encode(value).decode("ascii")} if value else {}


def summary_dict(ticket: TicketSummary) -> dict[str, Any]:
    data: dict[str, Any] = plain(asdict(ticket))
    raw: bytes | None = getattr(ticket, "body_raw", None)
    data.pop("body_raw", None)
    return {**data, **_raw(raw)}


def message_dict(message: Message) -> dict[str, Any]:
    return {
        "id": message.id,
        "kind": message.kind.value,
        "author": message.author,
        "body": message.body,
        "created_at": message.created_at,
        "channel": message.channel.value if message.channel else None,
        **_raw(message.body_raw),
    }


def event_dict(event: Event) -> dict[str, Any]:
    data: dict[str, Any] = plain(asdict(event))
    return data


def ticket_dict(
    ticket: TicketSummary, messages: list[Message], events: list[Event]
) -> dict[str, Any]:
    return {
        **summary_dict(ticket),
        "messages": [message_dict(m) for m in messages],
        "events": [event_dict(e) for e in events],
    }


def clocks_dict(context: TicketContext) -> dict[str, Any]:
    """A ticket's workflow state with its running deadlines, as plain data."""
    clocks = context.clocks
    first = context.next_deadline
    return {
        "id": context.ticket_id,
        "status": clocks.status.value,
        "court": clocks.court.value,
        "clock_since": clocks.clock_since,
        "counted_seconds": context.counted_seconds,
        "first_response_at": clocks.first_response_at,
        "resolved_at": clocks.resolved_at,
        "sla": {
            "state": first.state if first else "paused",
            "kind": first.kind.value if first else None,
            "due_at": to_text(first.due) if first else None,
            "left_seconds": first.left_seconds if first else None,
            "breached": sorted(b.key for b in clocks.breaches),
            "deadlines": [
                {
                    "kind": d.kind.value,
                    "due_at": to_text(d.due),
                    "left_seconds": d.left_seconds,
                    "state": d.state,
                }
                for d in context.deadlines
            ],
        },
        "vendor": clocks.vendor,
        "vendor_case": clocks.vendor_case,
        "followup_due_at": clocks.followup_due_at,
        "followup_note": clocks.followup_note,
        "followup_promised_in_reply": clocks.followup_by_reply,
        "rating": clocks.rating,
        "billable": clocks.billable,
        "estimate_minutes": clocks.estimate_minutes,
        "approval": clocks.approval.value if clocks.approval else None,
        "time_logged": context.time_logged,
        "version": clocks.version,
    }


def context_dict(context: TicketContext) -> dict[str, Any]:
    """What surrounds a ticket: its workflow and SLA state, links, tags, checklists, the
    latest hand-off between lines, the back lines' open questions and who else is on it."""
    return {
        "workflow": clocks_dict(context),
        "links": [plain(asdict(link)) for link in context.links],
        "children": context.child_count,
        "tags": list(context.tags),
        "checklists": [plain(asdict(group)) for group in context.checklists],
        "handoff": plain(asdict(context.handoff)) if context.handoff else None,
        "open_questions": [plain(asdict(c)) for c in context.open_questions],
        "presence": [plain(asdict(p)) for p in context.presence],
        "files": [plain(asdict(f)) for f in context.files],
        "deliveries": {str(k): plain(asdict(v)) for k, v in context.deliveries.items()},
    }


_KIND_WORDS = {
    MessageKind.CUSTOMER: "the customer wrote",
    MessageKind.REPLY: "reply to the customer",
    MessageKind.NOTE: "internal note",
}


def ticket_text(ticket: Ticket, messages: list[Message], zone: tzinfo) -> str:
    """The ticket and its thread as plain text to paste elsewhere (a bug report, a chat);
    control characters made visible, so a paste cannot carry a stranger's escapes."""

    def when(stamp: str) -> str:
        return f"{from_text(stamp).astimezone(zone):%Y-%m-%d %H:%M}"

    parts = [
        f"#{ticket.id} {visible(ticket.subject, keep_newlines=False)}",
        f"From {visible(ticket.requester)}, {when(ticket.created_at)}",
        "",
        visible(ticket.body),
    ]
    for message in messages:
        parts += [
            "",
            f"--- {_KIND_WORDS[message.kind]}, {visible(message.author, keep_newlines=False)}, "
            f"{when(message.created_at)}",
            visible(message.body),
        ]
    return "\n".join(parts).rstrip() + "\n"
