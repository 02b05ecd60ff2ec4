"""A canned response rendered for one ticket, and applied to it.

`preview` shows what a macro will say and do, with unknown values as visible markers; `apply`
does it: the message and every action in one transaction, each change logged with the macro
that caused it. A public reply with a value still unknown is refused unless the agent allows
it, because a customer must never receive "Hello ⟨customer.name?⟩"."""

from __future__ import annotations

from dataclasses import dataclass, replace

from console.core import checklists
from console.core.desk import Desk
from console.core.errors import InvalidInput
from console.core.macros import Catalog, Macro
from console.core.model import OPEN_STATUSES, Court, EventAction, MessageKind, Status, Ticket
from console.core.tags import add_tag_in
from console.core.ticket_values import marker, promised_followup, render_text, ticket_values
from console.core.workflow import KEEP, change


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
    text, missing = render_text(macro.body, values, macro.lang)
    actions = [
        f"add a {'public reply' if macro.kind == MessageKind.REPLY else 'internal note'}",
        *macro.actions.describe(),
    ]
    return Rendered(
        macro=macro, ticket_id=ticket_id, text=text, missing=tuple(missing), actions=tuple(actions)
    )


def preview(desk: Desk, macro: Macro, ticket_id: int) -> Rendered:
    values = ticket_values(desk, desk.store.ticket(ticket_id))
    return render(macro, values, ticket_id)


def apply(
    desk: Desk,
    catalog: Catalog,
    macro: Macro,
    ticket_id: int,
    *,
    expected_version: int | None = None,
    allow_missing: bool = False,
    text: str | None = None,
    keep_court: bool = False,
) -> Applied:
    """Add the macro's message to the ticket and perform its actions, all or nothing.

    A public reply moves the ball as any reply does (to the customer, unless the macro sets
    the court itself, or `keep_court` keeps it with us) and counts as the first response;
    every change goes through the workflow, so the clocks and the rules are those of any other
    change. `text` is the message as the agent edited it in a composer, sent instead of the
    macro's own; a marker for an unknown value still in it is refused like one in the macro's
    text. A reply that tells the customer when they will hear from us, while handing them the
    ball, leaves that promise as a follow-up."""
    if text is not None and not text.strip():
        raise InvalidInput(f"the text for macro {macro.id!r} is empty")
    checklist = catalog.checklist(macro.actions.checklist) if macro.actions.checklist else None
    detail = f"macro {macro.id}"
    done: list[str] = []  # what changed, in the order of `Actions.describe`
    with change(desk) as c:
        c.check_version(ticket_id, expected_version)
        # Rendered inside the change, so the text matches the ticket it is added to.
        rendered = preview(desk, macro, ticket_id)
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
        current = desk.store.ticket(ticket_id)
        is_reply = macro.kind == MessageKind.REPLY
        court = macro.actions.court
        if court is None and is_reply and current.is_open and not keep_court:
            court = Court.CUSTOMER
        message_id = c.message(ticket_id, macro.kind, rendered.text)
        for tag in macro.actions.tags:
            if add_tag_in(c, ticket_id, tag, detail):
                done.append(f"add tag {tag}")
        if checklist is not None and checklists.attach_in(c, ticket_id, checklist, detail=detail):
            done.append(f"attach checklist {checklist.id}")
        c.event(ticket_id, EventAction.MACRO, None, macro.id, macro.title)
        status = macro.actions.status
        promise = None
        leaves_us = (court or current.court) != Court.US
        if is_reply and leaves_us and (status or current.status) in OPEN_STATUSES:
            promise = promised_followup(desk, current, rendered.text)
        after = c.update(
            ticket_id,
            court=KEEP if court is None else Court(court),
            status=KEEP if status is None else Status(status),
            priority=KEEP if macro.actions.priority is None else macro.actions.priority,
            line=KEEP if macro.actions.line is None else macro.actions.line,
            followup=KEEP if promise is None else promise,
            restart=is_reply,
            reason=detail,
        )
        done[:0] = [
            f"set {name} to {after[name]}"
            for name in ("status", "court", "priority", "line")
            if str(after[name]) != str(getattr(current, name))
        ]
        if promise is not None and promise.note:
            done.append(promise.note)
    return Applied(
        rendered=rendered,
        ticket=desk.store.ticket(ticket_id),
        message_id=message_id,
        done=tuple(done),
    )
