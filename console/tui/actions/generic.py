"""The flow every action gets unless it needs one of its own: one dialog per value, in the
order the declaration lists them, each checked as it is typed with the same `Param.parse` the
command line uses; then the declaration's question, if it has one; then the act."""

from __future__ import annotations

from typing import Any

from console.core.actions import Kind, Param, TicketAction
from console.core.errors import ConsoleError
from console.tui.actions.flow import Conversation, Flow
from console.tui.screens.dialogs import AskChoice, AskLongText, AskText

YES_NO = (("yes", "Yes"), ("no", "No"))


def _check(flow: Conversation, param: Param) -> Any:
    def check(answer: str) -> str | None:
        try:
            param.parse(answer, flow.desk)
        except ConsoleError as error:
            return str(error)
        return None

    return check


async def ask_value(flow: Conversation, param: Param, *, initial: str = "") -> Any:
    """One value, asked the way its kind is typed; None for an optional one left empty."""
    title = flow.title(param.prompt)
    if param.kind == Kind.FLAG:
        return await flow.ask(AskChoice(title, YES_NO, selected="no")) == "yes"
    if param.kind in (Kind.CHOICE, Kind.TICKET_TYPE):
        current = getattr(flow.ticket, param.name, None)
        choices = param.choices_for(flow.desk)
        answer: str = await flow.ask(
            AskChoice(title, choices, selected=None if current is None else str(current))
        )
    elif param.kind == Kind.LONG_TEXT:
        answer = await flow.ask(
            AskLongText(title, param.help, initial=initial, required=param.required)
        )
    else:
        answer = await flow.ask(
            AskText(
                title,
                param.help,
                initial=initial,
                required=param.required,
                check=_check(flow, param),
            )
        )
    return param.parse(answer, flow.desk)


async def ask_values(
    flow: Conversation, action: TicketAction, skip: tuple[str, ...] = ()
) -> dict[str, Any]:
    """Every value the agent may give, asked in turn (those the agent's rule does not allow,
    and those in `skip`, left out)."""
    values: dict[str, Any] = {}
    for param in action.params:
        if param.name in skip or not param.rule.allows(flow.me):
            continue
        value = await ask_value(flow, param)
        if value is not None:
            values[param.name] = value
    return values


async def run(flow: Flow, action: TicketAction) -> None:
    values = await ask_values(flow, action)
    if action.confirm:
        await flow.confirm(action.confirm.format(ticket=flow.ticket.id))
    await flow.perform(action, values)
