"""Tickets, messages and events as plain data for `--json` and for scripts.

Bytes that were not UTF-8 are given back in base64 beside the readable text, so nothing a
customer sent is lost on the way out either."""

from __future__ import annotations

import base64
from dataclasses import asdict
from typing import Any

from console.core import checklists, escalation, links, tags, workflow
from console.core.clock import from_text
from console.core.model import Event, Message, TicketSummary
from console.core.sla import SlaPolicy, badge, counted, deadlines
from console.core.store import Store


def _raw(value: bytes | None) -> dict[str, str]:
    return {"body_raw_base64": base64.b64encode(value).decode("ascii")} if value else {}


def summary_dict(ticket: TicketSummary) -> dict[str, Any]:
    data: dict[str, Any] = {
        k: (str(v) if hasattr(v, "value") else v) for k, v in asdict(ticket).items()
    }
    raw: bytes | None = data.pop("body_raw", None)
    return {**data, **_raw(raw)}


def message_dict(message: Message) -> dict[str, Any]:
    return {
        "id": message.id,
        "kind": str(message.kind),
        "author": message.author,
        "body": message.body,
        "created_at": message.created_at,
        **_raw(message.body_raw),
    }


def event_dict(event: Event) -> dict[str, Any]:
    return asdict(event)


def ticket_dict(
    ticket: TicketSummary, messages: list[Message], events: list[Event]
) -> dict[str, Any]:
    return {
        **summary_dict(ticket),
        "messages": [message_dict(m) for m in messages],
        "events": [event_dict(e) for e in events],
    }


def clocks_dict(store: Store, ticket_id: int, sla_policy: SlaPolicy) -> dict[str, Any]:
    """A ticket's workflow state with its running deadlines, as plain data."""
    state = workflow.clocks(store, ticket_id)
    now = store.clock()
    kind, left = badge(from_text(state.sla_due_at) if state.sla_due_at else None, now, sla_policy)
    return {
        "id": ticket_id,
        "status": str(state.status),
        "court": str(state.court),
        "clock_since": state.clock_since,
        "counted_seconds": counted(state.state(), now, sla_policy.calendar),
        "first_response_at": state.first_response_at,
        "resolved_at": state.resolved_at,
        "sla": {
            "state": kind,
            "kind": state.sla_kind,
            "due_at": state.sla_due_at,
            "left": left,
            "breached": list(state.sla_breached),
            "deadlines": [
                {"kind": d.kind, "due_at": d.due.strftime("%Y-%m-%dT%H:%M:%SZ")}
                for d in deadlines(state.state(), sla_policy)
            ],
        },
        "vendor": state.vendor,
        "vendor_case": state.vendor_case,
        "followup_due_at": state.followup_due_at,
        "followup_note": state.followup_note,
        "rating": state.rating,
        "billable": state.billable,
        "estimate_minutes": state.estimate_minutes,
        "approval": state.approval,
        "time_logged": workflow.time_logged(store, ticket_id),
        "version": state.version,
    }


def context_dict(store: Store, ticket_id: int, sla_policy: SlaPolicy) -> dict[str, Any]:
    """What surrounds a ticket: its workflow and SLA state, links, tags, checklists, the
    latest hand-off between lines and the back lines' open questions."""
    handoff = escalation.handoff(store, ticket_id)
    return {
        "workflow": clocks_dict(store, ticket_id, sla_policy),
        "links": [asdict(link) for link in links.links(store, ticket_id)],
        "children": links.child_count(store, ticket_id),
        "tags": tags.tags(store, ticket_id),
        "checklists": [asdict(group) for group in checklists.attached(store, ticket_id)],
        "handoff": asdict(handoff) if handoff else None,
        "open_questions": [asdict(c) for c in escalation.open_clarifications(store, ticket_id)],
    }
