"""A canned response rendered for one ticket, and applied to it.

`preview` shows what a macro will say and do, with unknown values as visible markers; `apply`
does it: the message and every action in one transaction, each change logged with the macro
that caused it. A public reply with a value still unknown is refused unless the agent allows
it, because a customer must never receive "Hello ⟨customer.name?⟩"."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from console.core import checklists, operations, workflow
from console.core.errors import InvalidInput
from console.core.macros import Catalog, Macro
from console.core.model import Court, MessageKind, Status, Ticket
from console.core.sla import SlaPolicy
from console.core.store import Store
from console.core.tags import add_tag_in
from console.core.ticket_values import marker, render_text, ticket_values


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
    actions = [
        f"add a {'public reply' if macro.kind == MessageKind.REPLY else 'internal note'}",
        *macro.actions.describe(),
    ]
    return Rendered(
        macro=macro, ticket_id=ticket_id, text=text, missing=tuple(missing), actions=tuple(actions)
    )


def preview(
    store: Store,
    macro: Macro,
    ticket_id: int,
    agent: str,
    *,
    agent_name: str | None = None,
    next_update: datetime | str | None = None,
) -> Rendered:
    ticket = store.ticket(ticket_id)
    values = ticket_values(store, ticket, agent, agent_name=agent_name, next_update=next_update)
    return render(macro, values, ticket_id)


def apply(
    store: Store,
    actor: str,
    catalog: Catalog,
    macro: Macro,
    ticket_id: int,
    *,
    expected_version: int | None = None,
    allow_missing: bool = False,
    agent_name: str | None = None,
    next_update: datetime | str | None = None,
    policy: SlaPolicy = workflow.DEFAULT_POLICY,
    text: str | None = None,
    keep_court: bool = False,
) -> Applied:
    """Add the macro's message to the ticket and perform its actions, all or nothing.

    A public reply moves the ball as any reply does (to the customer, unless the macro sets
    the court itself, or `keep_court` keeps it with us) and counts as the first response;
    status and court go through the workflow so the SLA clocks stay right. `text` is the
    message as the agent edited it in a composer, sent instead of the macro's own; a marker
    for an unknown value still in it is refused like one in the macro's text."""
    if text is not None and not text.strip():
        raise InvalidInput(f"the text for macro {macro.id!r} is empty")
    checklist = catalog.checklist(macro.actions.checklist) if macro.actions.checklist else None
    now = store.now()
    detail = f"macro {macro.id}"
    done: list[str] = []
    with store.transaction() as conn:
        # Rendered inside the transaction, so the text matches the ticket it is added to.
        rendered = preview(
            store, macro, ticket_id, actor, agent_name=agent_name, next_update=next_update
        )
        if text is not None:
            # Only the markers the agent left in the edited text still matter.
            rendered = replace(
                rendered,
                text=text,
                missing=tuple(name for name in rendered.missing if marker(name) in text),
            )
        if rendered.missing and macro.kind == MessageKind.REPLY and not allow_missing:
            raise InvalidInput(
                f"macro {macro.id!r} needs {', '.join(rendered.missing)} for ticket "
                f"#{ticket_id}, which is not known; edit the reply or allow the markers"
            )
        current = store.ticket(ticket_id)
        is_reply = macro.kind == MessageKind.REPLY
        fields = {
            name: str(value)
            for name, value in (("priority", macro.actions.priority), ("line", macro.actions.line))
            if value is not None and str(getattr(current, name)) != str(value)
        }
        court = macro.actions.court
        if court is None and is_reply and current.is_open and not keep_court:
            court = Court.CUSTOMER
        assignments: dict[str, object] = dict(fields)
        if is_reply and workflow.clocks(store, ticket_id).first_response_at is None:
            assignments["first_response_at"] = now
        message_id = operations.insert_message(
            conn, ticket_id, macro.kind, actor, rendered.text, None, now, actor
        )
        after = workflow.move(
            store,
            conn,
            policy,
            actor,
            ticket_id,
            now,
            court=None if court is None else Court(court),
            status=None if macro.actions.status is None else Status(macro.actions.status),
            reason=detail,
            restart=is_reply,
            assignments=assignments,
            expected_version=expected_version,
        )
        for name, value in fields.items():
            operations.record_event(
                conn, ticket_id, now, actor, name, str(getattr(current, name)), value, detail
            )
        for name in ("status", "court", *fields):
            if str(after[name]) != str(getattr(current, name)):
                done.append(f"set {name} to {after[name]}")
        for tag in macro.actions.tags:
            if add_tag_in(conn, ticket_id, tag, actor, now, detail):
                done.append(f"add tag {tag}")
        if checklist is not None and checklists.attach_in(
            conn, ticket_id, checklist, actor, now, detail=detail
        ):
            done.append(f"attach checklist {checklist.id}")
        operations.record_event(conn, ticket_id, now, actor, "macro", None, macro.id, macro.title)
    return Applied(
        rendered=rendered, ticket=store.ticket(ticket_id), message_id=message_id, done=tuple(done)
    )
