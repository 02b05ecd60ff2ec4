"""Tickets, messages and events as plain data for `--json` and for scripts.

Bytes that were not UTF-8 are given back in base64 beside the readable text, so nothing a
customer sent is lost on the way out either."""

from __future__ import annotations

import base64
from dataclasses import asdict
from typing import Any

from console.core.model import Event, Message, TicketSummary


def _raw(value: bytes | None) -> dict[str, str]:
    return {"body_raw_base64": base64.b64encode(value).decode("ascii")} if value else {}


def summary_dict(ticket: TicketSummary) -> dict[str, Any]:
    data = {k: (str(v) if hasattr(v, "value") else v) for k, v in asdict(ticket).items()}
    raw = data.pop("body_raw", None)
    return {**data, **_raw(raw)}


def message_dict(message: Message) -> dict[str, Any]:
    return {"id": message.id, "kind": str(message.kind), "author": message.author,
            "body": message.body, "created_at": message.created_at, **_raw(message.body_raw)}


def event_dict(event: Event) -> dict[str, Any]:
    return asdict(event)


def ticket_dict(ticket: TicketSummary, messages: list[Message], events: list[Event]
                ) -> dict[str, Any]:
    return {**summary_dict(ticket), "messages": [message_dict(m) for m in messages],
            "events": [event_dict(e) for e in events]}
