"""Writing on the ticket: a reply, a note or the customer's words open the composer (`r`,
`n`, `i`); a macro opens the picker (`M`); a back-line question for the front line and the
front line's answer to it are asked in a dialog that shows the question."""

from __future__ import annotations

from console.core.actions import TicketAction
from console.core.model import MessageKind
from console.core.text import one_line
from console.tui.actions.flow import Flow
from console.tui.screens.dialogs import AskChoice, AskLongText


async def compose(flow: Flow, action: TicketAction) -> None:
    kinds = {"reply": MessageKind.REPLY, "note": MessageKind.NOTE, "customer": MessageKind.CUSTOMER}
    flow.screen.open_composer(kinds[action.id])


async def macro(flow: Flow, action: TicketAction) -> None:
    flow.screen.open_macro_picker()


async def answer_front(flow: Flow, action: TicketAction) -> None:
    asked = list(flow.context.open_questions) if flow.context else []
    if not asked:
        flow.fail(f"ticket #{flow.ticket.id} has no open question from the back line")
    chosen = asked[0]
    if len(asked) > 1:
        number = await flow.ask(
            AskChoice(
                "Which question does the customer answer?",
                [
                    (str(q.id), f"{one_line(q.asked_by, 20)}: {one_line(q.question, 60)}")
                    for q in asked
                ],
            )
        )
        chosen = next(q for q in asked if str(q.id) == number)
    answer = await flow.ask(
        AskLongText(
            f"{chosen.asked_by} asks the customer:",
            f"{one_line(chosen.question, 300)}\n\n"
            "What did the customer say? (kept as an internal note for them)",
        )
    )
    await flow.perform(action, {"answer": answer, "question_id": chosen.id})
