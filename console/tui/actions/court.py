"""Whose move it is: move the ball (`c`), hand to a vendor (`v`), the vendor answered (`V`)."""

from __future__ import annotations

from console.core import workflow
from console.tui.actions.flow import Flow
from console.tui.screens.dialogs import AskChoice, AskLongText, AskText

COURTS = (("us", "Us: the next move is ours"), ("customer", "The customer"), ("vendor", "A vendor"))


async def _vendor_and_case(flow: Flow) -> tuple[str, str]:
    facts = flow.screen.facts
    vendor = await flow.ask(
        AskText("Which vendor?", initial=(facts.clocks.vendor or "") if facts else "")
    )
    case = await flow.ask(
        AskText(
            f"{vendor}'s case number", initial=(facts.clocks.vendor_case or "") if facts else ""
        )
    )
    return vendor, case


async def move_court(flow: Flow) -> None:
    t = flow.ticket
    court = await flow.ask(AskChoice(f"Whose move is #{t.id}?", COURTS, selected=str(t.court)))
    vendor = case = None
    if court == "vendor":
        vendor, case = await _vendor_and_case(flow)
    reason = await flow.ask(
        AskText("Why does the move change hands?", placeholder="e.g. waiting for the log files")
    )
    await flow.write(
        lambda: workflow.move_court(
            flow.store,
            flow.agent,
            t.id,
            court,
            reason,
            vendor=vendor,
            case=case,
            policy=flow.policy,
            expected_version=flow.version,
        ),
        f"#{t.id}: the move is {court}'s",
    )


async def hand_to_vendor(flow: Flow) -> None:
    t = flow.ticket
    vendor, case = await _vendor_and_case(flow)
    reason = await flow.ask(AskText("Why? (optional)", required=False))
    await flow.write(
        lambda: workflow.hand_to_vendor(
            flow.store,
            flow.agent,
            t.id,
            vendor,
            case,
            reason=reason or None,
            policy=flow.policy,
            expected_version=flow.version,
        ),
        f"#{t.id} handed to {vendor}",
    )


async def vendor_answered(flow: Flow) -> None:
    t = flow.ticket
    answer = await flow.ask(
        AskLongText(
            "The vendor answered: their answer (optional)",
            "Kept as an internal note.",
            required=False,
        )
    )
    await flow.write(
        lambda: workflow.vendor_answer(
            flow.store,
            flow.agent,
            t.id,
            answer or None,
            policy=flow.policy,
            expected_version=flow.version,
        ),
        f"#{t.id}: the vendor answered; the move is ours",
    )
