"""What an agent does to the open ticket from the keyboard. Every action is declared once in
`core.actions`; most are asked for by the generic flow (one dialog per value), and the modules
here hold the flows of those that need more (the composer, a choice among suggestions, a
second try with an override)."""

from __future__ import annotations

from console.core.actions import TicketAction
from console.tui.actions import (
    checklist,
    court,
    files,
    generic,
    lines,
    linking,
    status,
    writing,
)
from console.tui.actions.flow import FlowFn

FLOWS: dict[str, FlowFn] = {
    "reply": writing.compose,
    "note": writing.compose,
    "customer": writing.compose,
    "macro": writing.macro,
    "answer_front": writing.answer_front,
    "court": court.move_court,
    "solve": status.solve,
    "solve_problem": status.solve_problem,
    "escalate": lines.escalate,
    "deescalate": lines.deescalate,
    "assign": lines.assign,
    "merge": linking.merge,
    "parent": linking.parent,
    "split": linking.split,
    "attach": checklist.attach,
    "answer": checklist.answer,
    "reopen_question": checklist.reopen,
    "ask": checklist.ask,
    "save_file": files.save,
}
"""The actions with a flow of their own; the others get `generic.run`."""


def flow_for(action: TicketAction) -> FlowFn:
    return FLOWS.get(action.id, generic.run)
