"""Whose move it is (`c`): a vendor's name and case are asked only when the ball goes to a
vendor, prefilled with the vendor the ticket had."""

from __future__ import annotations

from console.core.actions import TicketAction
from console.core.model import Court
from console.tui.actions.flow import Flow
from console.tui.actions.generic import ask_value
from console.tui.screens.dialogs import AskText


async def move_court(flow: Flow, action: TicketAction) -> None:
    court = await ask_value(flow, action.param("court"))
    values: dict[str, object] = {"court": court}
    if court == Court.VENDOR:
        clocks = flow.context.clocks if flow.context else None
        values["vendor"] = await flow.ask(
            AskText("Which vendor?", initial=(clocks.vendor or "") if clocks else "")
        )
        values["case"] = await flow.ask(
            AskText(
                f"{values['vendor']}'s case number",
                initial=(clocks.vendor_case or "") if clocks else "",
            )
        )
    values["reason"] = await ask_value(flow, action.param("reason"))
    await flow.perform(action, values)
