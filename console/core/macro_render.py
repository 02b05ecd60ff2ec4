"""A canned response rendered for one ticket, and applied to it.

`preview` shows what a macro will say and do, with unknown values as visible markers; `apply`
does it: the message and every action in one transaction, each change logged with the macro
that caused it. A public reply with a value still unknown is refused unless the agent allows
it, because a customer must never receive "Hello ⟨customer.name?⟩"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from console.core import checklists, operations
from console.core.errors import InvalidInput
from console.core.macros import Catalog, Macro
from console.core.model import MessageKind, Ticket
from console.core.store import Store
from console.core.tags import add_tag_in
from console.core.ticket_values import render_text, ticket_values


@dataclass(frozen=True)
class Rendered:
    """A macro's text for one ticket and the list of what it will do."""

    macro: Macro
    ticket_id: int | None
    text: str
    missing: tuple[str, ...]
    """Placeholders with no value for this ticket, shown as markers in `text`."""
    actions: tuple[str, ...]
    """One line per action, in the order `apply` performs them."""


@dataclass(frozen=True)
class Applied:
    """What `apply` did."""

    rendered: Rendered
    ticket: Ticket
    message_id: int
    done: tuple[str, ...]
    """The actions that changed something (a status already set is not repeated)."""


def render(macro: Macro, values: dict[str, str], ticket_id: int | None = None) -> Rendered:
    text, missing = render_text(macro.body, values)
    actions = [f"add a {'public reply' if macro.kind == MessageKind.REPLY else 'internal note'}",
               *macro.actions.describe()]
    return Rendered(macro=macro, ticket_id=ticket_id, text=text, missing=tuple(missing),
                    actions=tuple(actions))


def preview(store: Store, macro: Macro, ticket_id: int, agent: str, *,
            agent_name: str | None = None, next_update: datetime | str | None = None
            ) -> Rendered:
    ticket = store.ticket(ticket_id)
    values = ticket_values(store, ticket, agent, agent_name=agent_name, next_update=next_update)
    return render(macro, values, ticket_id)


def apply(store: Store, actor: str, catalog: Catalog, macro: Macro, ticket_id: int, *,
          expected_version: int | None = None, allow_missing: bool = False,
          agent_name: str | None = None, next_update: datetime | str | None = None) -> Applied:
    """Add the macro's message to the ticket and perform its actions, all or nothing."""
    checklist = catalog.checklist(macro.actions.checklist) if macro.actions.checklist else None
    now = store.now()
    detail = f"macro {macro.id}"
    done: list[str] = []
    with store.transaction() as conn:
        # Rendered inside the transaction, so the text matches the ticket it is added to.
        rendered = preview(store, macro, ticket_id, actor, agent_name=agent_name,
                           next_update=next_update)
        if rendered.missing and macro.kind == MessageKind.REPLY and not allow_missing:
            raise InvalidInput(
                f"macro {macro.id!r} needs {', '.join(rendered.missing)} for ticket "
                f"#{ticket_id}, which is not known; edit the reply or allow the markers")
        current = store.ticket(ticket_id)
        changes = {name: str(value) for name, value in (
            ("status", macro.actions.status), ("court", macro.actions.court),
            ("priority", macro.actions.priority), ("line", macro.actions.line))
            if value is not None and str(getattr(current, name)) != str(value)}
        before = operations.bump_version(store, conn, ticket_id, expected_version, actor, now,
                                         changes)
        cursor = conn.execute(
            "INSERT INTO messages (ticket_id, kind, author, body, created_at)"
            " VALUES (?, ?, ?, ?, ?)", (ticket_id, macro.kind.value, actor, rendered.text, now))
        message_id = int(cursor.lastrowid or 0)
        operations.record_event(conn, ticket_id, now, actor, "message", None, macro.kind.value,
                                f"message {message_id} from macro {macro.id}")
        for name, value in changes.items():
            operations.record_event(conn, ticket_id, now, actor, name, before[name], value,
                                    detail)
            done.append(f"set {name} to {value}")
        for tag in macro.actions.tags:
            if add_tag_in(conn, ticket_id, tag, actor, now, detail):
                done.append(f"add tag {tag}")
        if checklist is not None and checklists.attach_in(conn, ticket_id, checklist, actor, now,
                                                          detail=detail):
            done.append(f"attach checklist {checklist.id}")
        operations.record_event(conn, ticket_id, now, actor, "macro", None, macro.id,
                                macro.title)
    return Applied(rendered=rendered, ticket=store.ticket(ticket_id), message_id=message_id,
                   done=tuple(done))
