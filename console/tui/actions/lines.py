"""Support lines and people: escalate (`e`) with a hand-off note and, when required checklist
questions are open, an override reason; de-escalate (`E`); take (`t`); assign (`a`)."""

from __future__ import annotations

from console.core import escalation, operations
from console.core.checklists import EscalationBlocked
from console.core.model import Line, Ticket
from console.core.text import one_line
from console.tui.actions.flow import Flow
from console.tui.desk import desk
from console.tui.screens.dialogs import AskChoice, AskLongText, AskText

ORDER = list(Line)
HANDOFF_HINT = "What was tried, what is known, what is asked. The next line reads this first."


async def escalate(flow: Flow) -> None:
    t = flow.ticket
    higher = ORDER[ORDER.index(t.line) + 1 :]
    if not higher:
        flow.fail(f"ticket #{t.id} is already at {t.line}, the last line")
    target = higher[0]
    if len(higher) > 1:
        target = Line(
            await flow.ask(
                AskChoice(
                    f"Escalate #{t.id} from {t.line} to",
                    [(str(x), str(x)) for x in higher],
                    selected=str(higher[0]),
                )
            )
        )
    note = await flow.ask(AskLongText(f"Hand-off note for {target}", HANDOFF_HINT))

    def go(override: str | None) -> Ticket:
        return escalation.escalate(
            flow.store,
            flow.me,
            t.id,
            note,
            to_line=target,
            expected_version=flow.version,
            override_reason=override,
        )

    try:
        await flow.write(
            lambda: go(None), f"#{t.id} escalated to {target}", let_through=(EscalationBlocked,)
        )
    except EscalationBlocked as blocked:
        # The core refused and wrote nothing; the agent may still go ahead, saying why.
        questions = "; ".join(f"{i.number}. {one_line(i.text, 60)}" for i in blocked.open_items)
        reason = await flow.ask(
            AskText(
                "Required questions are unanswered",
                f"Open: {questions}. Escalate anyway? "
                "Say why they can wait (logged), or esc to answer them first.",
            )
        )
        await flow.write(lambda: go(reason), f"#{t.id} escalated to {target} (override)")


async def deescalate(flow: Flow) -> None:
    t = flow.ticket
    lower = ORDER[: ORDER.index(t.line)][::-1]
    if not lower:
        flow.fail(f"ticket #{t.id} is already at {t.line}, the first line")
    target = lower[0]
    if len(lower) > 1:
        target = Line(
            await flow.ask(
                AskChoice(
                    f"Hand #{t.id} back from {t.line} to",
                    [(str(x), str(x)) for x in lower],
                    selected=str(lower[0]),
                )
            )
        )
    note = await flow.ask(AskLongText(f"Hand-back note for {target}", HANDOFF_HINT))
    await flow.write(
        lambda: escalation.deescalate(
            flow.store, flow.me, t.id, note, to_line=target, expected_version=flow.version
        ),
        f"#{t.id} handed back to {target}",
    )


async def take(flow: Flow) -> None:
    t = flow.ticket
    await flow.write(
        lambda: escalation.take(flow.store, flow.me, t.id, expected_version=flow.version),
        f"#{t.id} is yours",
    )


NOBODY = "\0nobody"
SOMEONE = "\0someone"


async def assign(flow: Flow) -> None:
    t = flow.ticket
    team = desk(flow.screen).team
    people = sorted(team.agents.values(), key=lambda a: a.login)
    options = [
        (a.login, f"{one_line(a.name, 30)} ({a.login}, {'/'.join(str(x) for x in a.lines)})")
        for a in people
    ]
    if not options:
        options = [(flow.agent, f"{flow.agent} (me)")]
    options += [(SOMEONE, "Someone else\u2026"), (NOBODY, "Nobody (unassign)")]
    chosen = await flow.ask(AskChoice(f"Assign #{t.id} to", options, selected=t.assignee or None))
    if chosen == SOMEONE:
        chosen = await flow.ask(AskText("Assign to (login)"))
    who = None if chosen == NOBODY else chosen
    await flow.write(
        lambda: operations.assign(flow.store, flow.agent, t.id, who, expected_version=flow.version),
        f"#{t.id} assigned to {who}" if who else f"#{t.id} unassigned",
    )
