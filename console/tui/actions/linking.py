"""One problem, one case, from the ticket screen: merge into a likely duplicate (`m`), hang on
a parent problem (`p`), split messages off (`s`), and undo the last of these (`U`)."""

from __future__ import annotations

from console.core import links
from console.core.errors import InvalidInput
from console.core.model import MessageKind
from console.core.text import one_line
from console.tui.actions.flow import Flow
from console.tui.screens.dialogs import AskChoice, AskText

BY_NUMBER = "\0number"


async def _other_ticket(flow: Flow, title: str) -> int:
    """A suggested duplicate, or a ticket number typed in."""
    options = [
        (str(s.ticket_id), f"#{s.ticket_id}  {s.score:.2f}  {one_line(s.subject, 50)}")
        for s in flow.screen.suggestions
    ]
    options.append((BY_NUMBER, "By number\u2026"))
    chosen = await flow.ask(AskChoice(title, options))
    if chosen == BY_NUMBER:
        error = ""
        while True:
            typed = (
                await flow.ask(AskText(title, error or "The ticket's number", placeholder="1234"))
            ).lstrip("#")
            if typed.isdigit():
                return int(typed)
            error = f"{typed!r} is not a ticket number"
    return int(chosen)


async def merge(flow: Flow) -> None:
    t = flow.ticket
    primary = await _other_ticket(flow, f"Merge #{t.id} into")
    await flow.confirm(
        f"Merge #{t.id} into #{primary}?",
        f"Its thread moves to #{primary} and #{t.id} is closed. U undoes it.",
    )
    notice = None
    if flow.me.talks_to_customers:
        tell = await flow.ask(
            AskChoice(
                "Tell the requester?",
                (("tell", "Yes: send the canned notice of the merge"), ("quiet", "No message")),
            )
        )
        if tell == "tell":
            notice = ""  # the core's default text, with the primary's number filled in
    await flow.write(
        lambda: links.merge(
            flow.store,
            flow.agent,
            t.id,
            primary,
            notice=notice,
            policy=flow.policy,
            expected_version=flow.version,
        ),
        f"#{t.id} merged into #{primary}",
    )


async def parent(flow: Flow) -> None:
    t = flow.ticket
    problem = await _other_ticket(flow, f"Hang #{t.id} on the parent problem")
    await flow.write(
        lambda: links.link_parent(
            flow.store, flow.agent, t.id, problem, expected_version=flow.version
        ),
        f"#{t.id} hangs on #{problem}",
    )


KIND_WORDS = {
    MessageKind.CUSTOMER: "customer",
    MessageKind.REPLY: "reply",
    MessageKind.NOTE: "note",
}


def positions(text: str, count: int) -> list[int]:
    """ "3,4" or "3 4" or "2-4" as message positions 1..count."""
    chosen: list[int] = []
    for part in text.replace(",", " ").split():
        first, _, last = part.partition("-")
        if not first.isdigit() or (last and not last.isdigit()):
            raise InvalidInput(f"{part!r} is not a message position (give e.g. 3,4 or 2-4)")
        chosen += range(int(first), int(last or first) + 1)
    beyond = [p for p in chosen if not 1 <= p <= count]
    if beyond:
        raise InvalidInput(f"there is no message {beyond[0]}: the thread has 1 to {count}")
    if not chosen:
        raise InvalidInput("choose at least one message to split off")
    return sorted(set(chosen))


async def split(flow: Flow) -> None:
    t = flow.ticket
    thread = await flow.read(lambda: flow.store.messages(t.id))
    if not thread:
        flow.fail(f"ticket #{t.id} has only its request: there is no message to split off")
    listing = "\n".join(
        f"{n}. {KIND_WORDS.get(m.kind, str(m.kind))} {one_line(m.author, 20)}: "
        f"{one_line(m.body, 40)}"
        for n, m in enumerate(thread[:30], start=1)
    )
    if len(thread) > 30:
        listing += f"\n\u2026 {len(thread) - 30} more"
    error = ""
    while True:
        text = await flow.ask(
            AskText(
                f"Split messages off #{t.id} into a new ticket",
                (error + "\n" if error else "") + listing,
                placeholder="3,4",
            )
        )
        try:
            chosen = positions(text, len(thread))
            break
        except InvalidInput as refused:
            error = str(refused)
    ids = [thread[p - 1].id for p in chosen]
    new = await flow.write(
        lambda: links.split(
            flow.store, flow.agent, t.id, ids, policy=flow.policy, expected_version=flow.version
        )
    )
    flow.screen.notify(f"split off as #{new.id}; U undoes it", markup=False)


async def undo(flow: Flow) -> None:
    """Undo the newest link operation this ticket took part in."""
    t = flow.ticket
    facts = flow.screen.facts
    if facts is None:
        return
    undoable = [
        k
        for k in facts.links
        if (k.ticket_id == t.id and k.kind in ("merged", "parent", "split"))
        or (k.other_id == t.id and k.kind == "split")
    ]
    if not undoable:
        flow.fail(f"ticket #{t.id} has no merge, parent link or split to undo")
    last = sorted(undoable, key=lambda k: k.created_at)[-1]  # of equal times, the later listed
    if last.kind == "merged":
        question = f"Unmerge #{t.id} from #{last.other_id}?"

        def action() -> object:
            return links.unmerge(
                flow.store, flow.agent, t.id, policy=flow.policy, expected_version=flow.version
            )
    elif last.kind == "parent":
        question = f"Unhang #{t.id} from the parent problem #{last.other_id}?"

        def action() -> object:
            return links.unlink_parent(flow.store, flow.agent, t.id, expected_version=flow.version)
    else:
        question = (
            f"Undo the split of #{last.ticket_id} off #{last.other_id}? "
            f"#{last.ticket_id} is closed and its messages go back."
        )

        # From either ticket of the split: the version checked is the one on screen.
        def action() -> object:
            return links.unsplit(
                flow.store,
                flow.agent,
                last.ticket_id,
                policy=flow.policy,
                expected_version=flow.version,
                viewed_id=t.id,
            )

    await flow.confirm(question)
    await flow.write(action, "undone")
