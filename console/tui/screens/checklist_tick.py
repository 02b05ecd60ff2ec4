"""Ticking a ticket's checklist after the customer has spoken.

Customers answer some of the questions they were asked, often only the last. Once a customer
message is recorded, the agent is offered the questions still open, picks the ones the message
answers and types each answer; each answer is the `answer` action through the flow mechanism,
on the version the agent sees, logged like `console checklist answer`."""

from __future__ import annotations

from collections.abc import Sequence

from console.core import checklists
from console.core.actions import ACTIONS
from console.core.text import one_line
from console.tui.actions.flow import Flow
from console.tui.screens.dialogs import AskChoice, AskText

DONE = "done"


async def offer(flow: Flow, open_questions: Sequence[checklists.Item]) -> None:
    """Ask which open question the customer answered, then its answer; repeat until done."""
    remaining = list(open_questions)
    while remaining:
        options = [
            (
                str(item.number),
                f"{item.number}. {one_line(item.text, 64)}"
                + (" (required)" if item.required else ""),
            )
            for item in remaining
        ]
        options.append((DONE, "None of these / done"))
        number = await flow.ask(
            AskChoice(
                f"Did the customer answer a question on #{flow.ticket.id}?",
                options,
                label="Choose one to write down its answer.",
            )
        )
        if number == DONE:
            return
        item = next(i for i in remaining if str(i.number) == number)
        text = await flow.ask(
            AskText(f"Answer to question {item.number}", one_line(item.text, 200))
        )
        await flow.perform(ACTIONS["answer"], {"question": number, "text": text})
        remaining.remove(item)
