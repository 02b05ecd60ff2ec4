"""The values behind the placeholders of a canned text, for one ticket and one agent.

A value that is not known (a customer who never gave a name) is left out of the mapping, and
`render_text` shows the placeholder as a visible marker instead: the agent sees the gap in the
preview, and a public reply holding one is refused unless the agent says otherwise. Values that
come from customers (subject, name) pass through `one_line`, so a stranger's text cannot carry
line breaks or terminal escapes into a reply.

`{sla.next_update}` is a promise: the team's own next-update target for the ticket's priority,
counted in working time from now and written in the team's time zone. A reply that makes it
while handing the ball to the customer gets it tracked as a follow-up (`promised_followup`),
so the promise shows in the Due queue instead of being tracked nowhere."""

from __future__ import annotations

from datetime import datetime, tzinfo

from console.core.clock import from_text
from console.core.desk import Desk
from console.core.macros import PLACEHOLDERS, fill, placeholders_in
from console.core.model import Ticket
from console.core.requester import is_address
from console.core.sla import first_answer, promise
from console.core.text import one_line
from console.core.workflow import Followup

PROMISE_PLACEHOLDER = "sla.next_update"


def moment_text(moment: datetime, zone: tzinfo) -> str:
    """A moment as a customer reads it, in the team's zone: "2026-12-03 14:00 EET"."""
    local = moment.astimezone(zone)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname() or ''}".rstrip()


def marker(name: str) -> str:
    """What an unknown value looks like in a rendered text."""
    return f"\u27e8{name}?\u27e9"


def ticket_values(desk: Desk, ticket: Ticket) -> dict[str, str]:
    """Every placeholder value known for `ticket` answered by the desk's agent."""
    now = desk.now()
    zone = desk.policy.zone
    agent = desk.agent
    values = {
        "ticket.id": str(ticket.id),
        "ticket.subject": one_line(ticket.subject, 200),
        "ticket.priority": str(ticket.priority),
        "ticket.line": str(ticket.line),
        "ticket.status": str(ticket.status),
        "ticket.created": moment_text(from_text(ticket.created_at), zone),
        "agent.login": agent.login,
        "agent.name": one_line(agent.name or agent.login, 100),
        "today": f"{now.astimezone(zone):%Y-%m-%d}",
        PROMISE_PLACEHOLDER: moment_text(promise(now, ticket.priority, desk.policy), zone),
        "sla.first_response": moment_text(first_answer(ticket, desk.policy), zone),
    }
    if is_address(ticket.requester):  # a caller with none: a macro that needs it says so
        values["customer.email"] = one_line(ticket.requester, 200)
    name = desk.store.contact_name(ticket.requester)
    if name and name.strip():
        values["customer.name"] = one_line(name.strip(), 100)
        values["customer.first_name"] = values["customer.name"].split()[0]
    assert set(values) <= set(PLACEHOLDERS), "a value for a placeholder nobody may use"
    return values


def promised_followup(desk: Desk, ticket: Ticket, text: str) -> Followup | None:
    """The follow-up a public message promises when it tells the customer when they will hear
    from us (the rendered `{sla.next_update}` is in it); None when it promises nothing."""
    due = promise(desk.now(), ticket.priority, desk.policy)
    said = moment_text(due, desk.policy.zone)
    if said not in text:
        return None
    return Followup(due, f"promised the customer an update by {said}", by_reply=True)


GREETINGS = {
    "en": ("Hello {name},", "Hello,"),
    "ru": ("Здравствуйте, {name}!", "Здравствуйте!"),
    "uk": ("Вітаємо, {name}!", "Вітаємо!"),
}
"""`{customer.greeting}` in each language: with the first name, and without (a bare address
is most of a help desk's mail, and "Hello ⟨customer.first_name?⟩" can never be sent)."""


def render_text(text: str, values: dict[str, str], lang: str = "en") -> tuple[str, list[str]]:
    """`text` (written in `lang`) filled in, and the placeholders that had no value (shown as
    markers)."""
    named, bare = GREETINGS.get(lang, GREETINGS["en"])
    first_name = values.get("customer.first_name")
    values = {
        "customer.greeting": named.format(name=first_name) if first_name else bare,
        **values,
    }
    used, _ = placeholders_in(text)
    missing = list(dict.fromkeys(name for name in used if name not in values))
    return fill(text, {**{name: marker(name) for name in missing}, **values}), missing
