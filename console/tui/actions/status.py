"""Closing the loop (`S`): solving asks the customer to confirm with the canned text; a
parent problem is solved with all its open tickets, with one reply to each or none."""

from __future__ import annotations

from console.core import words
from console.core.actions import TicketAction
from console.core.canned import Canned, canned
from console.tui.actions.flow import Flow
from console.tui.screens.dialogs import AskChoice, AskLongText


async def solve(flow: Flow, action: TicketAction) -> None:
    asked = canned(flow.desk, Canned.CONFIRM, flow.ticket)
    await flow.confirm(f"Solve #{flow.ticket.id} and ask the customer to confirm?", asked)
    await flow.perform(action, {})


async def solve_problem(flow: Flow, action: TicketAction) -> None:
    children = flow.context.child_count if flow.context else 0
    options = [("silent", "Solve it and every open ticket on it, without a reply")]
    if action.param("reply").rule.allows(flow.me):
        options.insert(0, ("broadcast", "Solve it and every open ticket on it, with one reply"))
    how = await flow.ask(
        AskChoice(
            f"#{flow.ticket.id} is the parent problem of {words.count(children, 'ticket')}",
            options,
        )
    )
    values: dict[str, object] = {}
    if how == "broadcast":
        values["reply"] = await flow.ask(
            AskLongText(
                "The reply every ticket gets",
                initial=canned(flow.desk, Canned.CONFIRM, flow.ticket),
            )
        )
    await flow.perform(action, values)
