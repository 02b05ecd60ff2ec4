"""One action on the selected tickets, from the queue screen: the action's own key (`t`, `a`,
`c`, `P`, `I`, `K`, `T`, `p`, `C`, `e`, `M`) on the tickets selected with `space` or `*`
(or, with none selected, the ticket under the cursor).

The values are asked once, as on the ticket screen, then one question says how many tickets
it will change; each ticket then goes through the core on its own (`core.bulk`), with the
version it had when it was selected. What was refused is listed with the reason, and stays
selected so the agent can look and try again."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from textual.worker import WorkerFailed

from console.core import bulk
from console.core.actions import ACTIONS, TicketAction
from console.core.model import Court, Line
from console.core.text import one_line
from console.tui.actions.flow import Conversation, Stop
from console.tui.actions.generic import ask_value, ask_values
from console.tui.host import host
from console.tui.screens.dialogs import AskChoice, AskLongText

if TYPE_CHECKING:
    from console.tui.screens.main import MainScreen

BULK_ACTIONS = [action for action in ACTIONS.values() if action.bulk]
SHOWN_REFUSALS = 5
"""Refusals listed by name in the result; the rest are counted."""


class BulkFlow(Conversation):
    def __init__(self, screen: MainScreen, targets: dict[int, int]) -> None:
        super().__init__(screen)
        self.screen: MainScreen = screen
        self.targets = targets

    @property
    def about(self) -> str:
        """ "#12" or "3 tickets"."""
        if len(self.targets) == 1:
            return f"#{next(iter(self.targets))}"
        return f"{len(self.targets):,} tickets"

    def title(self, prompt: str) -> str:
        return f"{self.about}: {prompt}"


async def _values(flow: BulkFlow, action: TicketAction) -> dict[str, Any]:
    """What the action needs, asked once for all the tickets."""
    if action.id == "court":  # a vendor's name and case only for the vendor's court
        court = await ask_value(flow, action.param("court"))
        skip = () if court == Court.VENDOR else ("vendor", "case")
        return {"court": court, **await ask_values(flow, action, skip=("court", *skip))}
    if action.id == "escalate":  # to a line; an override is a decision per ticket
        lines = [(line.value, line.value) for line in Line if line != Line.L1]
        to = await flow.ask(AskChoice(flow.title("Escalate to"), lines, selected="L2"))
        note = await flow.ask(AskLongText(flow.title(f"Hand-off note for {to}")))
        return {"to": Line(to), "note": note}
    if action.id == "assign":
        people = sorted(flow.desk.team.agents.values(), key=lambda a: a.login)
        if people:
            options = [(a.login, f"{one_line(a.name, 30)} ({a.login})") for a in people]
            chosen = await flow.ask(AskChoice(flow.title("Assign to"), [*options, ("-", "Nobody")]))
            return {"assignee": action.param("assignee").parse(chosen, flow.desk)}
    return await ask_values(flow, action)


async def run(flow: BulkFlow, action: TicketAction) -> None:
    if not action.allows(flow.me):
        flow.fail(f"{action.title}: not for {flow.me.login} ({action.rule.value} only)")
    values = await _values(flow, action)
    numbers = " ".join(f"#{n}" for n in list(flow.targets)[:8])
    more = f" and {len(flow.targets) - 8:,} more" if len(flow.targets) > 8 else ""
    await flow.confirm(f"{action.title}: {flow.about}?", numbers + more)
    worker = flow.screen.run_worker(
        lambda: bulk.perform_many(flow.desk, action, flow.targets.items(), values),
        thread=True,
        exit_on_error=False,
        group="bulk-action",
        description=f"{action.title} on {flow.about}",
    )
    try:
        result = await worker.wait()
    except WorkerFailed as failed:
        host(flow.screen).show_error(failed.error, f"{action.title.lower()} {flow.about}")
        raise Stop from None
    finally:
        host(flow.screen).changed_here()
    flow.screen.ticket_list.unselect([outcome.ticket.id for outcome in result.done])
    said = f"{action.title}: {result.summary}"
    if not result.refused:
        flow.screen.notify(said, markup=False)
        return
    reasons = [f"#{r.ticket_id}: {r.reason}" for r in result.refused[:SHOWN_REFUSALS]]
    if len(result.refused) > SHOWN_REFUSALS:
        reasons.append(f"and {len(result.refused) - SHOWN_REFUSALS:,} more (still selected)")
    flow.screen.notify("\n".join([said, *reasons]), severity="warning", markup=False, timeout=15)


def start(screen: MainScreen, action: TicketAction, targets: dict[int, int]) -> None:
    """Run the action's conversation on `targets` (ticket: version seen) as a task."""
    conversation = BulkFlow(screen, targets)

    async def go() -> None:
        try:
            await run(conversation, action)
        except Stop:
            pass
        except Exception as error:  # a bug: shown, never lost in a task nobody awaits
            host(screen).show_error(error, f"{action.title.lower()} {conversation.about}")

    task = asyncio.create_task(go(), name="bulk action")
    screen.action_tasks.add(task)  # kept, so the task is not collected while it waits
    task.add_done_callback(screen.action_tasks.discard)
