"""One problem, one case, from the ticket screen: merge into a likely duplicate (`m`), hang
on a parent problem (`p`), split messages off (`s`). Undoing is a plain action (`U`)."""

from __future__ import annotations

from console.core.actions import TicketAction
from console.core.model import MessageKind
from console.core.text import one_line
from console.tui.actions.flow import Flow
from console.tui.actions.generic import ask_value
from console.tui.screens.dialogs import AskChoice

BY_NUMBER = "\0number"


async def _other_ticket(flow: Flow, action: TicketAction, name: str, title: str) -> int:
    """A suggested duplicate, or a ticket number typed in."""
    options = [
        (str(s.ticket_id), f"#{s.ticket_id}  {s.score:.2f}  {one_line(s.subject, 50)}")
        for s in flow.screen.suggestions
    ]
    options.append((BY_NUMBER, "By number\u2026"))
    chosen = await flow.ask(AskChoice(title, options))
    if chosen == BY_NUMBER:
        number: int = await ask_value(flow, action.param(name))
        return number
    return int(chosen)


async def merge(flow: Flow, action: TicketAction) -> None:
    t = flow.ticket
    primary = await _other_ticket(flow, action, "into", f"Merge #{t.id} into")
    await flow.confirm(
        f"Merge #{t.id} into #{primary}?",
        f"Its thread moves to #{primary} and #{t.id} is closed. U undoes it.",
    )
    values: dict[str, object] = {"into": primary}
    if action.param("notify").rule.allows(flow.me):
        tell = await flow.ask(
            AskChoice(
                "Tell the requester?",
                (("tell", "Yes: send the canned notice of the merge"), ("quiet", "No message")),
            )
        )
        values["notify"] = tell == "tell"
    await flow.perform(action, values)


async def parent(flow: Flow, action: TicketAction) -> None:
    problem = await _other_ticket(
        flow, action, "parent", f"Hang #{flow.ticket.id} on the parent problem"
    )
    await flow.perform(action, {"parent": problem})


KIND_WORDS = {
    MessageKind.CUSTOMER: "customer",
    MessageKind.REPLY: "reply",
    MessageKind.NOTE: "note",
}


async def split(flow: Flow, action: TicketAction) -> None:
    t = flow.ticket
    thread = await flow.read(lambda: flow.store.messages(t.id))
    if not thread:
        flow.fail(f"ticket #{t.id} has only its request: there is no message to split off")
    listing = "\n".join(
        f"{n}. {KIND_WORDS.get(m.kind, str(m.kind))} {one_line(m.author, 20)}: "
        f"{one_line(m.body, 40)}"
        for n, m in enumerate(thread[:30], start=1)
    )
    if len(thread) > 30:
        listing += f"\n\u2026 {len(thread) - 30} more"
    param = action.param("messages")
    from console.tui.screens.dialogs import AskText

    def check(answer: str) -> str | None:
        try:
            chosen = param.parse(answer, flow.desk)
        except Exception as error:  # InvalidInput: said in the dialog
            return str(error)
        beyond = [p for p in chosen if p > len(thread)]
        return (
            f"there is no message {beyond[0]}: the thread has 1 to {len(thread)}"
            if (beyond)
            else None
        )

    text = await flow.ask(
        AskText(
            f"Split messages off #{t.id} into a new ticket", listing, placeholder="3,4", check=check
        )
    )
    await flow.perform(action, {"messages": param.parse(text, flow.desk)})
