"""Clarifying questions from the ticket screen: attach a checklist (`x`), answer or re-open a
question (`X`), and ask the customer every open question in one message (`A`)."""

from __future__ import annotations

from console.core import checklists, clipboard, macro_loader
from console.core.text import one_line
from console.tui.actions.flow import Flow
from console.tui.actions.status import speaks_to_customer
from console.tui.desk import desk
from console.tui.screens.dialogs import AskChoice, AskText


async def attach(flow: Flow) -> None:
    t = flow.ticket
    catalog = await flow.read(lambda: macro_loader.load(desk(flow.screen).macros_path))
    have = {g.checklist for g in (flow.screen.facts.checklists if flow.screen.facts else ())}
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
    chosen = await flow.ask(AskChoice(f"Attach a checklist to #{t.id}", options))
    checklist = catalog.checklist(chosen)
    await flow.write(
        lambda: checklists.attach(
            flow.store, flow.agent, t.id, checklist, expected_version=flow.version
        ),
        f"checklist {chosen} attached",
    )


async def answer(flow: Flow) -> None:
    t = flow.ticket
    groups = flow.screen.facts.checklists if flow.screen.facts else ()
    all_items = [i for g in groups for i in g.items]
    if not all_items:
        flow.fail(f"ticket #{t.id} has no checklist: attach one with x")
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
    if item.answered:
        what = await flow.ask(
            AskChoice(
                f"Question {item.number} is answered",
                (("change", "Change the answer"), ("clear", "Mark it open again")),
            )
        )
        if what == "clear":
            await flow.write(
                lambda: checklists.unanswer(
                    flow.store, flow.agent, t.id, number, expected_version=flow.version
                ),
                f"question {number} is open again",
            )
            return
    text = await flow.ask(
        AskText(
            f"{item.number}. {one_line(item.text, 60)}",
            "What the customer said",
            initial=item.answer or "",
        )
    )
    await flow.write(
        lambda: checklists.answer(
            flow.store, flow.agent, t.id, number, text, expected_version=flow.version
        ),
        f"question {number} answered",
    )


async def ask(flow: Flow) -> None:
    t = flow.ticket
    message = await flow.read(
        lambda: checklists.ask_message(flow.store, t.id, flow.agent, agent_name=flow.me.name)
    )
    if message is None:
        flow.fail(f"ticket #{t.id}: every question is answered (or there is no checklist)")
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
        app = flow.screen.app
        report = await flow.read(
            lambda: clipboard.copy_via(
                message, lambda text: app.call_from_thread(app.copy_to_clipboard, text)
            )
        )
        flow.screen.notify(report.summary(), markup=False)
        return
    speaks_to_customer(flow)
    await flow.write(
        lambda: checklists.send_ask(
            flow.store, flow.agent, t.id, agent_name=flow.me.name, expected_version=flow.version
        ),
        f"#{t.id}: questions sent to the customer",
    )
