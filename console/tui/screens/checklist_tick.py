"""Ticking a ticket's checklist after the customer has spoken.

Customers answer some of the questions they were asked, often only the last. Once a customer
message is recorded, the agent is offered the questions still open, picks the ones the message
answers and types each answer (the shared choice and text dialogs); each answer is one change
of the ticket, logged like `console checklist answer`."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from textual.app import App

from console.core import checklists
from console.core.text import one_line
from console.tui.desk import READ_ERRORS, desk
from console.tui.screens.dialogs import AskChoice, AskText

DONE = "done"


def offer_checklist(
    app: App[object],
    ticket_id: int,
    open_questions: Sequence[checklists.Item],
    on_done: Callable[[], None] | None = None,
) -> None:
    """Ask which open question the customer answered, then its answer; repeat until done.
    `on_done` is called once when the agent has finished (or left)."""
    remaining = list(open_questions)

    def finish() -> None:
        if on_done is not None:
            on_done()

    def choose() -> None:
        if not remaining:
            finish()
            return
        options = [
            (
                str(item.number),
                f"{item.number}. {one_line(item.text, 64)}"
                + (" (required)" if item.required else ""),
            )
            for item in remaining
        ]
        options.append((DONE, "None of these / done"))
        app.push_screen(
            AskChoice(
                f"Did the customer answer a question on #{ticket_id}?",
                options,
                label="Choose one to write down its answer.",
            ),
            chosen,
        )

    def chosen(number: object) -> None:
        if not isinstance(number, str) or number == DONE:
            finish()
            return
        item = next(i for i in remaining if str(i.number) == number)

        def answered(text: object) -> None:
            if isinstance(text, str) and text:
                record(item, text)
            else:
                choose()

        app.push_screen(
            AskText(f"Answer to question {item.number}", one_line(item.text, 200)), answered
        )

    def record(item: checklists.Item, text: str) -> None:
        def write() -> None:
            try:
                checklists.answer(
                    desk(app).store, desk(app).agent, ticket_id, str(item.number), text
                )
            except READ_ERRORS as error:
                app.call_from_thread(app.notify, str(error), severity="error", markup=False)
                app.call_from_thread(finish)
                return
            app.call_from_thread(recorded, item)

        app.run_worker(
            write,
            thread=True,
            exit_on_error=False,
            group="checklist-answer",
            description="mark a checklist question answered",
        )

    def recorded(item: checklists.Item) -> None:
        remaining.remove(item)
        app.notify(f"Question {item.number} marked answered.", markup=False)
        desk(app).action_refresh()
        choose()

    choose()
