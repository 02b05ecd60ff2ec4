"""Closing the loop and the ticket's terms: solve (`S`, with the broadcast to a parent problem's
children), close (`C`), confirmed (`O`), rate (`R`), follow-up (`f`/`F`), priority (`P`) and
paid work (`B`)."""

from __future__ import annotations

from console.core import links, operations, workflow
from console.core.errors import ConsoleError, InvalidInput
from console.core.model import Priority
from console.core.sla import parse_duration
from console.core.team import require_customer_contact
from console.core.when import parse_due
from console.tui.actions.flow import Flow
from console.tui.screens.dialogs import AskChoice, AskLongText, AskText


def speaks_to_customer(flow: Flow) -> None:
    """Third-line and vendor-line agents never write to the customer."""
    try:
        require_customer_contact(flow.me)
    except ConsoleError as error:
        flow.fail(str(error))


async def solve(flow: Flow) -> None:
    t = flow.ticket
    speaks_to_customer(flow)
    facts = flow.screen.facts
    children = facts.child_count if facts else 0
    if children:
        how = await flow.ask(
            AskChoice(
                f"#{t.id} is the parent problem of {children} ticket(s)",
                (
                    ("broadcast", "Solve it and every open child, with one reply to each"),
                    ("silent", "Solve it and every open child, without a reply"),
                    ("this", "Solve only this ticket"),
                ),
            )
        )
        if how != "this":
            reply = None
            if how == "broadcast":
                reply = await flow.ask(
                    AskLongText("The reply every child gets", initial=workflow.CONFIRM_TEXT)
                )
            solved = await flow.write(
                lambda: links.solve_parent(
                    flow.store,
                    flow.agent,
                    t.id,
                    reply=reply,
                    policy=flow.policy,
                    expected_version=flow.version,
                )
            )
            flow.screen.notify(f"solved {len(solved)} ticket(s)", markup=False)
            return
    await flow.confirm(f"Solve #{t.id} and ask the customer to confirm?", workflow.CONFIRM_TEXT)
    await flow.write(
        lambda: workflow.solve(
            flow.store, flow.agent, t.id, policy=flow.policy, expected_version=flow.version
        ),
        f"#{t.id} solved; the customer is asked to confirm",
    )


async def close(flow: Flow) -> None:
    t = flow.ticket
    reason = await flow.ask(AskText(f"Close #{t.id}", "Why? (optional)", required=False))
    await flow.write(
        lambda: workflow.close(
            flow.store,
            flow.agent,
            t.id,
            reason or None,
            policy=flow.policy,
            expected_version=flow.version,
        ),
        f"#{t.id} closed",
    )


async def confirmed(flow: Flow) -> None:
    t = flow.ticket
    await flow.confirm(f"The customer confirmed #{t.id} is solved?", "The ticket is closed.")
    await flow.write(
        lambda: workflow.confirm(
            flow.store, flow.agent, t.id, policy=flow.policy, expected_version=flow.version
        ),
        f"#{t.id} confirmed and closed",
    )


RATINGS = (("5", "5 great"), ("4", "4 good"), ("3", "3 so-so"), ("2", "2 poor"), ("1", "1 bad"))


async def rate(flow: Flow) -> None:
    t = flow.ticket
    score = await flow.ask(AskChoice(f"How did the customer rate #{t.id}?", RATINGS))
    await flow.write(
        lambda: workflow.rate(
            flow.store, flow.agent, t.id, int(score), expected_version=flow.version
        ),
        f"#{t.id} rated {score}/5",
    )


async def followup(flow: Flow) -> None:
    t = flow.ticket
    hint = "e.g. tue 12:00, tomorrow 9:00, +2h, 2026-02-01 09:00"
    error = ""
    while True:
        text = await flow.ask(
            AskText(f"Promise a follow-up on #{t.id}: when?", error or hint, placeholder="+2h")
        )
        try:
            due = parse_due(text, flow.store.clock(), flow.policy.zone)
            break
        except ConsoleError as refused:
            error = str(refused)
    note = await flow.ask(AskText("What was promised? (optional)", required=False))
    await flow.write(
        lambda: workflow.set_followup(
            flow.store, flow.agent, t.id, due, note or None, expected_version=flow.version
        ),
        f"#{t.id}: follow-up due {due:%Y-%m-%d %H:%M} UTC",
    )


async def clear_followup(flow: Flow) -> None:
    t = flow.ticket
    await flow.write(
        lambda: workflow.clear_followup(
            flow.store, flow.agent, t.id, expected_version=flow.version
        ),
        f"#{t.id}: follow-up done",
    )


PRIORITIES = (("P1", "P1 urgent"), ("P2", "P2 high"), ("P3", "P3 normal"), ("P4", "P4 low"))


async def priority(flow: Flow) -> None:
    t = flow.ticket
    chosen = await flow.ask(AskChoice(f"Priority of #{t.id}", PRIORITIES, selected=str(t.priority)))
    await flow.write(
        lambda: operations.set_priority(
            flow.store, flow.agent, t.id, Priority(chosen), expected_version=flow.version
        ),
        f"#{t.id} is {chosen}",
    )


BILLING = (
    ("estimate", "Billable: send an estimate for approval"),
    ("approve", "The customer approved the estimate"),
    ("refuse", "The customer declined the estimate"),
)


async def billing(flow: Flow) -> None:
    t = flow.ticket
    choice = await flow.ask(AskChoice(f"Paid work on #{t.id}", BILLING))
    if choice == "estimate":
        speaks_to_customer(flow)
        error = ""
        while True:
            text = await flow.ask(AskText("Estimated work", error or "e.g. 45m, 2h, 1h30m"))
            try:
                seconds = parse_duration(text, "the estimate")
                if seconds < 60 or seconds % 60:
                    raise InvalidInput(f"the estimate {text!r} is not a whole number of minutes")
                break
            except ConsoleError as refused:
                error = str(refused)
        await flow.write(
            lambda: workflow.bill(
                flow.store,
                flow.agent,
                t.id,
                seconds // 60,
                policy=flow.policy,
                expected_version=flow.version,
            ),
            f"#{t.id}: estimate sent; waiting for approval",
        )
        return
    note = await flow.ask(AskText("Note (optional)", required=False))
    decide = workflow.approve if choice == "approve" else workflow.refuse
    await flow.write(
        lambda: decide(
            flow.store,
            flow.agent,
            t.id,
            note or None,
            policy=flow.policy,
            expected_version=flow.version,
        ),
        f"#{t.id}: billable work {choice}d",
    )
