"""Clarifying questions from the ticket screen: attach a checklist (`x`), answer a question
or open it again (`X`), and ask the customer every open question in one message (`A`)."""

from __future__ import annotations

from console.core import checklists
from console.core.actions import TicketAction
from console.core.text import one_line
from console.tui.actions.flow import Flow
from console.tui.screens.dialogs import AskChoice, AskText


async def attach(flow: Flow, action: TicketAction) -> None:
    catalog = await flow.read(flow.desk.catalog)
    have = {g.checklist for g in (flow.context.checklists if flow.context else ())}
    options = [
        (c.id, f"{one_line(c.title, 50)} ({c.id}, {len(c.questions)} questions)")
        for c in catalog.checklists
        if c.id not in have
    ]
    if not options:
        flow.fail(
            "no checklist left to attach (the macro files define "
            f"{len(catalog.checklists)}, all on this ticket)"
        )
    chosen = await flow.ask(AskChoice(f"Attach a checklist to #{flow.ticket.id}", options))
    await flow.perform(action, {"checklist": chosen})


def _items(flow: Flow) -> list[checklists.Item]:
    groups = flow.context.checklists if flow.context else ()
    return [i for g in groups for i in g.items]


async def answer(flow: Flow, action: TicketAction) -> None:
    all_items = _items(flow)
    if not all_items:
        flow.fail(f"ticket #{flow.ticket.id} has no checklist: attach one with x")
    first_open = next((i for i in all_items if not i.answered), all_items[0])
    options = [
        (
            str(i.number),
            f"{i.number}. {'[x]' if i.answered else '[ ]'} "
            f"{one_line(i.text, 56)}{' (required)' if i.required else ''}",
        )
        for i in all_items
    ]
    number = await flow.ask(AskChoice("Which question?", options, selected=str(first_open.number)))
    item = all_items[int(number) - 1]
    text = await flow.ask(
        AskText(
            f"{item.number}. {one_line(item.text, 60)}",
            "What the customer said",
            initial=item.answer or "",
        )
    )
    await flow.perform(action, {"question": number, "text": text})


async def reopen(flow: Flow, action: TicketAction) -> None:
    answered = [i for i in _items(flow) if i.answered]
    if not answered:
        flow.fail(f"ticket #{flow.ticket.id} has no answered question to open again")
    options = [(str(i.number), f"{i.number}. {one_line(i.text, 56)}") for i in answered]
    number = await flow.ask(AskChoice("Open which question again?", options))
    await flow.perform(action, {"question": number})


async def ask(flow: Flow, action: TicketAction) -> None:
    message = await flow.read(lambda: checklists.ask_message(flow.desk, flow.ticket.id))
    if message is None:
        flow.fail(
            f"ticket #{flow.ticket.id}: every question is answered (or there is no checklist)"
        )
    choice = await flow.ask(
        AskChoice(
            "Send this as a public reply?",
            (
                ("send", "Yes: send it; the move becomes the customer's"),
                ("copy", "Copy it to the clipboard instead"),
            ),
            label=message,
        )
    )
    if choice == "copy":
        flow.screen.copy_text(message)
        return
    await flow.perform(action, {})
