"""Every ticket action, declared once (see `base`): the command line's verbs, the ticket
screen's keys, the key help and the palette are all made from `ACTIONS`.

To add an action: write its core operation (through `workflow`), declare it in the module of
its area here, and test it; the verb, the key, the help and the palette follow. A flow of its
own on the ticket screen is needed only when the generic questions (one dialog per value) do
not fit."""

from __future__ import annotations

from console.core.actions import cases, closing, lines, messages, questions, terms
from console.core.actions.base import Kind, Outcome, Param, Rule, TicketAction

ACTIONS: dict[str, TicketAction] = {
    action.id: action
    for module in (messages, terms, closing, lines, cases, questions)
    for action in module.ACTIONS
}
"""By id, in the order the key help lists them."""

KEY_TITLES = {
    "B": "Paid work",
    "D": "Undelivered mail",
    "S": "Solve",
    "U": "Undo a merge, link or split",
    "X": "Answer a question",
}
"""What a key shared by several actions is called in the footer and the key help."""


def action(action_id: str) -> TicketAction:
    return ACTIONS[action_id]


__all__ = ["ACTIONS", "KEY_TITLES", "Kind", "Outcome", "Param", "Rule", "TicketAction", "action"]
