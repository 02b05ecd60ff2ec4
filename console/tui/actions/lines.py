"""Support lines and people: escalate (`e`) with a hand-off note and, when required checklist
questions are open, an override reason; hand back (`E`); assign (`a`) from the team."""

from __future__ import annotations

from console.core.actions import TicketAction
from console.core.checklists import EscalationBlocked
from console.core.model import Line
from console.core.text import one_line
from console.tui.actions.flow import Flow
from console.tui.screens.dialogs import AskChoice, AskLongText, AskText

ORDER = list(Line)
HANDOFF_HINT = "What was tried, what is known, what is asked. The next line reads this first."


async def _line(flow: Flow, lines: list[Line], question: str) -> Line:
    if not lines:
        flow.fail(
            f"ticket #{flow.ticket.id} is already at {flow.ticket.line}: there is no line to go to"
        )
    if len(lines) == 1:
        return lines[0]
    chosen = await flow.ask(
        AskChoice(question, [(str(x), str(x)) for x in lines], selected=str(lines[0]))
    )
    return Line(chosen)


async def escalate(flow: Flow, action: TicketAction) -> None:
    t = flow.ticket
    target = await _line(
        flow, ORDER[ORDER.index(t.line) + 1 :], f"Escalate #{t.id} from {t.line} to"
    )
    note = await flow.ask(AskLongText(f"Hand-off note for {target}", HANDOFF_HINT))
    values: dict[str, object] = {"to": target, "note": note}
    try:
        await flow.perform(action, values, let_through=(EscalationBlocked,))
    except EscalationBlocked as blocked:
        # The core refused and wrote nothing; the agent may still go ahead, saying why.
        questions = "; ".join(f"{i.number}. {one_line(i.text, 60)}" for i in blocked.open_items)
        values["override"] = await flow.ask(
            AskText(
                "Required questions are unanswered",
                f"Open: {questions}. Escalate anyway? "
                "Say why they can wait (logged), or esc to answer them first.",
            )
        )
        await flow.perform(action, values)


async def deescalate(flow: Flow, action: TicketAction) -> None:
    t = flow.ticket
    target = await _line(
        flow, ORDER[: ORDER.index(t.line)][::-1], f"Hand #{t.id} back from {t.line} to"
    )
    note = await flow.ask(AskLongText(f"Hand-back note for {target}", HANDOFF_HINT))
    await flow.perform(action, {"to": target, "note": note})


NOBODY = "-"
SOMEONE = "\0someone"


async def assign(flow: Flow, action: TicketAction) -> None:
    t = flow.ticket
    team = flow.desk.team
    people = sorted(
        (a for a in team.agents.values() if a.works(t.line) or a.role == "lead"),
        key=lambda a: a.login,
    )
    options = [
        (a.login, f"{one_line(a.name, 30)} ({a.login}, {'/'.join(str(x) for x in a.lines)})")
        for a in people
    ]
    if not options:
        options = [(flow.me.login, f"{flow.me.login} (me)")]
    options += [(SOMEONE, "Someone else\u2026"), (NOBODY, "Nobody (unassign)")]
    chosen = await flow.ask(AskChoice(f"Assign #{t.id} to", options, selected=t.assignee))
    if chosen == SOMEONE:
        chosen = await flow.ask(AskText("Assign to (login)"))
    await flow.perform(action, {"assignee": chosen})
