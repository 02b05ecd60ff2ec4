"""The values behind the placeholders of a canned text, for one ticket and one agent.

A value that is not known (a customer who never gave a name) is left out of the mapping, and
`render_text` shows the placeholder as a visible marker instead: the agent sees the gap in the
preview, and a public reply holding one is refused unless the agent says otherwise. Values that
come from customers (subject, name) pass through `one_line`, so a stranger's text cannot carry
line breaks or terminal escapes into a reply."""

from __future__ import annotations

from datetime import datetime, timedelta

from console.core.macros import PLACEHOLDERS, fill, placeholders_in
from console.core.model import Ticket
from console.core.store import Store
from console.core.text import one_line

DEFAULT_NEXT_UPDATE = timedelta(hours=24)
"""When the customer hears from us next, until an SLA policy says otherwise: the 24-hour rule."""

_SHOWN = "%Y-%m-%d %H:%M UTC"


def marker(name: str) -> str:
    """What an unknown value looks like in a rendered text."""
    return f"\u27e8{name}?\u27e9"


def ticket_values(
    store: Store,
    ticket: Ticket,
    agent: str,
    *,
    agent_name: str | None = None,
    next_update: datetime | str | None = None,
) -> dict[str, str]:
    """Every placeholder value known for `ticket` answered by `agent`.

    `next_update` comes from the SLA clock when there is one; by default it is 24 hours from
    now. `agent_name` comes from the team's configuration; by default the login."""
    now = store.clock()
    values = {
        "ticket.id": str(ticket.id),
        "ticket.subject": one_line(ticket.subject, 200),
        "ticket.priority": str(ticket.priority),
        "ticket.line": str(ticket.line),
        "ticket.status": str(ticket.status),
        "ticket.created": ticket.created_at.replace("T", " ").replace("Z", " UTC"),
        "customer.email": one_line(ticket.requester, 200),
        "agent.login": agent,
        "agent.name": one_line(agent_name or agent, 100),
        "today": now.strftime("%Y-%m-%d"),
    }
    if isinstance(next_update, str):
        values["sla.next_update"] = next_update
    else:
        values["sla.next_update"] = (next_update or now + DEFAULT_NEXT_UPDATE).strftime(_SHOWN)
    name = store.contact_name(ticket.requester)
    if name and name.strip():
        values["customer.name"] = one_line(name.strip(), 100)
        values["customer.first_name"] = values["customer.name"].split()[0]
    assert set(values) <= set(PLACEHOLDERS), "a value for a placeholder nobody may use"
    return values


def render_text(text: str, values: dict[str, str]) -> tuple[str, list[str]]:
    """`text` filled in, and the placeholders that had no value (shown as markers)."""
    used, _ = placeholders_in(text)
    missing = list(dict.fromkeys(name for name in used if name not in values))
    return fill(text, {**{name: marker(name) for name in missing}, **values}), missing
