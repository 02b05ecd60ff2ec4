"""One problem, one case: merge a duplicate, hang a ticket on a parent problem, split messages
off, solve a parent problem with all its children, and undo each."""

from __future__ import annotations

from typing import TYPE_CHECKING

from console.core import words
from console.core.actions.base import Kind, Outcome, Param, Rule, TicketAction
from console.core.errors import InvalidInput
from console.core.model import LinkKind

if TYPE_CHECKING:
    from console.core.context import TicketContext
    from console.core.desk import Desk

AREA = "One problem, one case"


def _merge(
    desk: Desk,
    ticket_id: int,
    *,
    expected_version: int | None,
    into: int,
    notify: bool = False,
    notice: str | None = None,
) -> Outcome:
    from console.core import links

    tell = notice if notice else ("" if notify else None)
    primary = links.merge(desk, ticket_id, into, notice=tell, expected_version=expected_version)
    return Outcome(primary, f"#{ticket_id} merged into #{primary.id}")


def _unmerge(desk: Desk, ticket_id: int, *, expected_version: int | None) -> Outcome:
    from console.core import links

    ticket = links.unmerge(desk, ticket_id, expected_version=expected_version)
    return Outcome(ticket, f"#{ticket.id} unmerged; it is {ticket.status} again")


def _link(desk: Desk, ticket_id: int, *, expected_version: int | None, parent: int) -> Outcome:
    from console.core import links

    ticket = links.link_parent(desk, ticket_id, parent, expected_version=expected_version)
    count = links.child_count(desk.store, parent)
    on_it = words.count(count, "ticket")
    return Outcome(ticket, f"#{ticket.id} hangs on #{parent} ({on_it} on it)")


def _unlink(desk: Desk, ticket_id: int, *, expected_version: int | None) -> Outcome:
    from console.core import links

    ticket = links.unlink_parent(desk, ticket_id, expected_version=expected_version)
    return Outcome(ticket, f"#{ticket.id} no longer hangs on a parent problem")


def _split(
    desk: Desk,
    ticket_id: int,
    *,
    expected_version: int | None,
    messages: list[int],
    subject: str | None = None,
) -> Outcome:
    from console.core import links

    desk.store.ticket(ticket_id)  # an unknown ticket is said as such, not as "no message"
    thread = desk.store.messages(ticket_id)
    beyond = [p for p in messages if p > len(thread)]
    if beyond:
        raise InvalidInput(
            f"ticket #{ticket_id} has {words.count(len(thread), 'message')}; there is no message "
            f"{', '.join(map(str, beyond))}"
        )
    new = links.split(
        desk,
        ticket_id,
        [thread[p - 1].id for p in messages],
        subject=subject,
        expected_version=expected_version,
    )
    return Outcome(new, f"split off #{ticket_id} as #{new.id}", {"new": new.id})


def _unsplit(desk: Desk, ticket_id: int, *, expected_version: int | None) -> Outcome:
    """From either ticket of a split: the split-off one, or the one it came from (its newest
    split)."""
    from console.core import links

    desk.store.ticket(ticket_id)
    own = [k for k in links.links(desk.store, ticket_id) if k.kind == LinkKind.SPLIT]
    mine = [k for k in own if k.ticket_id == ticket_id]
    chosen = mine[0] if mine else (own[-1] if own else None)
    if chosen is None:
        raise InvalidInput(f"ticket #{ticket_id} has no split to undo")
    source = links.unsplit(
        desk, chosen.ticket_id, expected_version=expected_version, viewed_id=ticket_id
    )
    return Outcome(source, f"#{chosen.ticket_id} closed; its messages are back in #{source.id}")


def _solve_problem(
    desk: Desk, ticket_id: int, *, expected_version: int | None, reply: str | None = None
) -> Outcome:
    from console.core import links

    solved = links.solve_parent(desk, ticket_id, reply=reply, expected_version=expected_version)
    return Outcome(
        desk.store.ticket(ticket_id),
        f"solved {words.count(len(solved), 'ticket')}: "
        + " ".join(f"#{n}" for n in solved[:10])
        + (f" and {len(solved) - 10:,} more" if len(solved) > 10 else ""),
        {"parent": ticket_id, "solved": solved},
    )


def _has(kind: LinkKind, *, incoming: bool = False):  # type: ignore[no-untyped-def]
    def test(context: TicketContext) -> bool:
        if incoming and context.incoming(kind):
            return True
        return context.outgoing(kind) is not None

    return test


ACTIONS = (
    TicketAction(
        "merge",
        "m",
        "Merge into",
        "merge this duplicate into another ticket: its thread moves there, it is closed",
        ("merge",),
        _merge,
        (
            Param(
                "into",
                Kind.NUMBER,
                "Merge into which ticket?",
                help="the primary ticket",
                metavar="PRIMARY",
            ),
            Param(
                "notify",
                Kind.FLAG,
                "Tell the requester (the canned notice)?",
                help="tell the duplicate's requester, with the canned notice",
                required=False,
                rule=Rule.TALKS_TO_CUSTOMERS,
            ),
            Param(
                "notice",
                Kind.LONG_TEXT,
                "The notice",
                help="tell the duplicate's requester with this text",
                required=False,
                rule=Rule.TALKS_TO_CUSTOMERS,
            ),
        ),
        area=AREA,
        applies=lambda context: context.outgoing(LinkKind.MERGED) is None,
    ),
    TicketAction(
        "unmerge",
        "U",
        "Undo the merge",
        "take a merged ticket apart again: its messages and status come back",
        ("unmerge",),
        _unmerge,
        area=AREA,
        confirm="Unmerge #{ticket}?",
        applies=_has(LinkKind.MERGED),
    ),
    TicketAction(
        "parent",
        "p",
        "Link to a parent problem",
        "hang this ticket on a parent problem, to be solved with it",
        ("link",),
        _link,
        (
            Param(
                "parent",
                Kind.NUMBER,
                "Hang it on which ticket?",
                help="the parent problem",
                metavar="PARENT",
            ),
        ),
        area=AREA,
        applies=lambda context: context.outgoing(LinkKind.PARENT) is None,
        bulk=True,
    ),
    TicketAction(
        "unlink",
        "U",
        "Unhang from the parent",
        "take the ticket off its parent problem",
        ("unlink",),
        _unlink,
        area=AREA,
        confirm="Unhang #{ticket} from its parent problem?",
        applies=_has(LinkKind.PARENT),
    ),
    TicketAction(
        "split",
        "s",
        "Split messages off",
        "move messages into a new ticket linked to this one",
        ("split",),
        _split,
        (
            Param(
                "messages",
                Kind.NUMBERS,
                "Which messages? (3,4 or 2-4)",
                help="positions in the thread as `console show` lists them (1 = first)",
                metavar="N,N",
            ),
            Param(
                "subject",
                Kind.TEXT,
                "The new ticket's subject (optional)",
                required=False,
                help="the new ticket's subject",
            ),
        ),
        area=AREA,
    ),
    TicketAction(
        "unsplit",
        "U",
        "Undo the split",
        "close the split-off ticket and bring its messages back",
        ("unsplit",),
        _unsplit,
        area=AREA,
        confirm="Undo the split of #{ticket}? The split-off ticket is closed.",
        applies=_has(LinkKind.SPLIT, incoming=True),
    ),
    TicketAction(
        "solve_problem",
        "S",
        "Solve the problem and its tickets",
        "solve this parent problem and every open ticket on it, with one reply to each",
        ("solve-problem",),
        _solve_problem,
        (
            Param(
                "reply",
                Kind.LONG_TEXT,
                "The reply every ticket gets (empty: none)",
                help="one public reply sent to each of them",
                required=False,
                rule=Rule.TALKS_TO_CUSTOMERS,
            ),
        ),
        area=AREA,
        applies=lambda context: context.child_count > 0,
    ),
)
