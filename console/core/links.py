"""One problem, one case: merging a duplicate into its primary, hanging tickets on a parent
problem, splitting messages off into a new ticket, and the inverse of each.

Each operation is one transaction that changes both tickets (raising both versions), records an
event on each, changes statuses through the workflow (so the SLA clocks stop and start as they
should), and keeps a row in `links` holding what its inverse needs to put things
back. Nothing is deleted but the link row itself and a merge's copy of the duplicate's request;
the event log keeps the whole history, undoing included. The links table also holds other kinds
(a follow-up ticket opened when a customer writes on an old one); `links()` lists them all."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from console.core import words
from console.core.canned import Canned, canned
from console.core.desk import Desk
from console.core.errors import InvalidInput, TicketConflict, TicketNotFound
from console.core.model import (
    OPEN_STATUSES,
    Court,
    EventAction,
    LinkKind,
    MessageKind,
    Status,
    Ticket,
)
from console.core.store import Store
from console.core.team import require_customer_contact
from console.core.workflow import KEEP, MAX_SUBJECT, Change, change, in_batches

UNDOABLE = (LinkKind.MERGED, LinkKind.PARENT, LinkKind.SPLIT)
"""The links a ticket has one of at most, each undone by its inverse."""


@dataclass(frozen=True)
class Link:
    kind: LinkKind
    """merged (ticket_id was merged into other_id), parent (ticket_id hangs on the parent
    problem other_id), split (ticket_id was split off other_id), or a follow-up."""
    ticket_id: int
    other_id: int
    created_at: str
    created_by: str


def _link(c: Change, ticket_id: int, kind: LinkKind) -> tuple[Any, ...] | None:
    found: tuple[Any, ...] | None = c.conn.execute(
        "SELECT id, other_id, detail FROM links WHERE ticket_id = ? AND kind = ?",
        (ticket_id, kind.value),
    ).fetchone()
    return found


def links(store: Store, ticket_id: int) -> list[Link]:
    """Every live link that starts or ends at the ticket."""
    rows = store.rows(
        "SELECT kind, ticket_id, other_id, created_at, created_by FROM links "
        "WHERE ticket_id = ? UNION ALL SELECT kind, ticket_id, other_id, created_at, "
        "created_by FROM links WHERE other_id = ? ORDER BY 4",
        (ticket_id, ticket_id),
    )
    return [Link(**{**r, "kind": LinkKind(r["kind"])}) for r in rows]


def children(store: Store, parent_id: int, *, limit: int = 100, offset: int = 0) -> list[int]:
    """One page of the tickets hanging on a parent problem, oldest link first."""
    rows = store.rows(
        "SELECT ticket_id FROM links WHERE other_id = ? AND kind = 'parent' "
        "ORDER BY ticket_id LIMIT ? OFFSET ?",
        (parent_id, limit, offset),
    )
    return [r["ticket_id"] for r in rows]


def child_count(store: Store, parent_id: int) -> int:
    rows = store.rows(
        "SELECT count(*) AS n FROM links WHERE other_id = ? AND kind = 'parent'", (parent_id,)
    )
    return int(rows[0]["n"])


def _add_link(
    c: Change, kind: LinkKind, ticket_id: int, other_id: int, detail: dict[str, Any] | None = None
) -> None:
    c.conn.execute(
        "INSERT INTO links (kind, ticket_id, other_id, created_at, created_by, detail) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (
            kind.value,
            ticket_id,
            other_id,
            c.now,
            c.actor,
            None if detail is None else json.dumps(detail),
        ),
    )


# -- merge -------------------------------------------------------------------------------------


def merge(
    desk: Desk,
    duplicate_id: int,
    primary_id: int,
    *,
    notice: str | None = None,
    expected_version: int | None = None,
) -> Ticket:
    """Merge `duplicate_id` into `primary_id`: its thread and its original request (as a
    customer message) move to the primary, it is closed with a link to the primary, and, with
    `notice`, its requester gets that reply ("{primary}" is replaced by the primary's number;
    an empty notice sends the standard one). Returns the primary."""
    if duplicate_id == primary_id:
        raise InvalidInput(f"cannot merge ticket #{duplicate_id} into itself")
    with change(desk) as c:
        before = c.check_version(duplicate_id, expected_version)
        c.row(primary_id)
        if _link(c, duplicate_id, LinkKind.MERGED):
            raise InvalidInput(f"ticket #{duplicate_id} is already merged; unmerge it first")
        onward = _link(c, primary_id, LinkKind.MERGED)
        if onward:
            raise InvalidInput(
                f"ticket #{primary_id} was itself merged into #{onward[1]}: "
                f"merge into #{onward[1]} instead"
            )
        moved = [
            r[0]
            for r in c.conn.execute(
                "SELECT id FROM messages WHERE ticket_id = ? ORDER BY id", (duplicate_id,)
            )
        ]
        c.conn.execute(
            "UPDATE messages SET ticket_id = ? WHERE ticket_id = ?", (primary_id, duplicate_id)
        )
        request = c.conn.execute(
            "INSERT INTO messages (ticket_id, kind, author, body, body_raw, created_at) "
            "VALUES (?, 'customer', ?, ?, ?, ?)",
            (
                primary_id,
                before["requester"],
                f"(merged from #{duplicate_id}: {before['subject']})\n\n{before['body']}",
                before["body_raw"],
                before["created_at"],
            ),
        ).lastrowid
        notice_id = None
        if notice is not None:
            text = notice.replace("{primary}", str(primary_id)) if notice else ""
            if not text:
                duplicate = c.ticket(duplicate_id)
                text = canned(desk, Canned.MERGE, duplicate, **{"merge.into": str(primary_id)})
            notice_id = c.message(duplicate_id, MessageKind.REPLY, text)
        detail = {
            "moved": moved,
            "request": request,
            "status": before["status"],
            "notice": notice_id,
        }
        _add_link(c, LinkKind.MERGED, duplicate_id, primary_id, detail)
        c.event(
            duplicate_id,
            EventAction.MERGED,
            None,
            f"#{primary_id}",
            f"{len(moved)} message(s) moved to #{primary_id}",
        )
        c.event(
            primary_id,
            EventAction.MERGED_IN,
            None,
            f"#{duplicate_id}",
            f"{len(moved)} message(s) and the request of #{duplicate_id}",
        )
        c.update(duplicate_id, status=Status.CLOSED, reason=f"merged into #{primary_id}")
        c.update(primary_id)
    return desk.store.ticket(primary_id)


def unmerge(desk: Desk, duplicate_id: int, *, expected_version: int | None = None) -> Ticket:
    """Undo `merge`: the moved messages go back, the copy of the request leaves the primary,
    and the duplicate gets its status back. `expected_version` is the duplicate's. Returns the
    duplicate."""
    with change(desk) as c:
        c.check_version(duplicate_id, expected_version)
        link = _link(c, duplicate_id, LinkKind.MERGED)
        if link is None:
            raise InvalidInput(f"ticket #{duplicate_id} is not merged into another ticket")
        link_id, primary_id, detail_text = link
        detail = json.loads(detail_text)
        # By id, wherever they are now: the primary may since have been merged on itself.
        c.conn.executemany(
            "UPDATE messages SET ticket_id = ? WHERE id = ?",
            [(duplicate_id, m) for m in detail["moved"]],
        )
        c.conn.execute("DELETE FROM messages WHERE id = ?", (detail["request"],))
        c.conn.execute("DELETE FROM links WHERE id = ?", (link_id,))
        c.event(
            duplicate_id,
            EventAction.UNMERGED,
            f"#{primary_id}",
            None,
            f"{len(detail['moved'])} message(s) back from #{primary_id}",
        )
        c.event(
            primary_id,
            EventAction.UNMERGED_OUT,
            f"#{duplicate_id}",
            None,
            f"#{duplicate_id} taken apart again",
        )
        # The status it had before the merge, if the merge's "closed" still stands: a ticket
        # the customer reopened since is left as it is now, with whose move it is.
        closed = c.row(duplicate_id)["status"] == Status.CLOSED.value
        c.update(
            duplicate_id,
            status=Status(detail["status"]) if closed else KEEP,
            reason=f"unmerged from #{primary_id}",
        )
        c.update(primary_id)
    return desk.store.ticket(duplicate_id)


# -- parent problems -----------------------------------------------------------------------------


def link_parent(
    desk: Desk, child_id: int, parent_id: int, *, expected_version: int | None = None
) -> Ticket:
    """Hang `child_id` on the parent problem `parent_id` (one level: a parent has no parent).
    `expected_version` is the child's. Returns the child."""
    if child_id == parent_id:
        raise InvalidInput(f"ticket #{child_id} cannot be its own parent")
    with change(desk) as c:
        c.check_version(child_id, expected_version)
        c.row(parent_id)
        current = _link(c, child_id, LinkKind.PARENT)
        if current:
            raise InvalidInput(
                f"ticket #{child_id} already hangs on #{current[1]}; unlink it first"
            )
        grand = _link(c, parent_id, LinkKind.PARENT)
        if grand:
            raise InvalidInput(
                f"ticket #{parent_id} itself hangs on #{grand[1]}: link to #{grand[1]} instead"
            )
        if c.conn.execute(
            "SELECT 1 FROM links WHERE other_id = ? AND kind = 'parent'", (child_id,)
        ).fetchone():
            raise InvalidInput(
                f"ticket #{child_id} is a parent problem itself and cannot hang on another"
            )
        _add_link(c, LinkKind.PARENT, child_id, parent_id)
        c.event(child_id, EventAction.PARENT, None, f"#{parent_id}")
        c.event(parent_id, EventAction.CHILD_LINKED, None, f"#{child_id}")
        c.update(child_id)
        c.update(parent_id)
    return desk.store.ticket(child_id)


def unlink_parent(desk: Desk, child_id: int, *, expected_version: int | None = None) -> Ticket:
    """Undo `link_parent`. `expected_version` is the child's. Returns the child."""
    with change(desk) as c:
        c.check_version(child_id, expected_version)
        link = _link(c, child_id, LinkKind.PARENT)
        if link is None:
            raise InvalidInput(f"ticket #{child_id} does not hang on a parent problem")
        link_id, parent_id, _ = link
        c.conn.execute("DELETE FROM links WHERE id = ?", (link_id,))
        c.event(child_id, EventAction.PARENT, f"#{parent_id}", None)
        c.event(parent_id, EventAction.CHILD_UNLINKED, f"#{child_id}", None)
        c.update(child_id)
        c.update(parent_id)
    return desk.store.ticket(child_id)


def solve_parent(
    desk: Desk,
    parent_id: int,
    *,
    reply: str | None = None,
    expected_version: int | None = None,
) -> list[int]:
    """Solve the parent and every open ticket hanging on it; with `reply`, each of them gets
    that public reply first. `expected_version` is the parent's. Returns the tickets solved,
    the parent first.

    An outage may have thousands of children: they are solved in short commits
    (`workflow.in_batches`), so every other agent can write in between, and the parent last,
    so that a run stopped half-way is finished by running it again. The desk's `progress`
    hears how far it got."""
    if reply is not None and not reply.strip():
        raise InvalidInput("the broadcast reply is empty: write something, or send none")
    if reply is not None:
        require_customer_contact(desk.agent)
    open_values = {s.value for s in OPEN_STATUSES}
    open_sql = ", ".join(f"'{s}'" for s in sorted(open_values))
    with desk.store.read() as conn:  # the agent's view, checked before anything is written
        parent = conn.execute(
            "SELECT version, updated_by, updated_at FROM tickets WHERE id = ?", (parent_id,)
        ).fetchone()
        if parent is None:
            raise TicketNotFound(parent_id)
        if expected_version is not None and parent[0] != expected_version:
            raise TicketConflict(parent_id, parent[1], parent[2], desk.store.now())
        if not conn.execute(
            "SELECT 1 FROM links WHERE other_id = ? AND kind = 'parent'", (parent_id,)
        ).fetchone():
            raise InvalidInput(
                f"no ticket hangs on #{parent_id}: it is not a parent problem (solve it alone)"
            )
        children = [
            r[0]
            for r in conn.execute(
                "SELECT l.ticket_id FROM links l JOIN tickets t ON t.id = l.ticket_id "
                f"WHERE l.other_id = ? AND l.kind = 'parent' AND t.status IN ({open_sql}) "
                "ORDER BY l.ticket_id",
                (parent_id,),
            )
        ]

    def solve(c: Change, ticket_id: int, why: str) -> bool:
        if c.row(ticket_id)["status"] not in open_values:
            return False  # solved meanwhile, by someone else or an earlier run
        if reply is not None:
            c.message(ticket_id, MessageKind.REPLY, reply)
        # As `operations.solve`: solved, and the customer's move to confirm it.
        c.update(ticket_id, court=Court.CUSTOMER, status=Status.SOLVED, reason=why)
        return True

    solved: list[int] = []

    def solve_child(c: Change, child: int) -> None:
        if solve(c, child, f"solved with parent problem #{parent_id}"):
            solved.append(child)

    with desk.store.holding(f"solving parent problem #{parent_id}"):
        in_batches(
            desk, children, solve_child, what=f"solving the tickets of parent problem #{parent_id}"
        )
        with change(desk) as c:
            parent_solved = solve(c, parent_id, "solved")
    return ([parent_id] if parent_solved else []) + solved


# -- split ---------------------------------------------------------------------------------------


def split(
    desk: Desk,
    ticket_id: int,
    message_ids: list[int],
    *,
    subject: str | None = None,
    expected_version: int | None = None,
) -> Ticket:
    """Move the chosen messages of a ticket into a new ticket linked to it (same requester,
    line and priority). `expected_version` is the ticket's. Returns the new ticket."""
    chosen = sorted(set(message_ids))
    if not chosen:
        raise InvalidInput("choose at least one message to split off")
    with change(desk) as c:
        source = c.check_version(ticket_id, expected_version)
        owned = {
            r[0]
            for r in c.conn.execute("SELECT id FROM messages WHERE ticket_id = ?", (ticket_id,))
        }
        foreign = [m for m in chosen if m not in owned]
        if foreign:
            raise InvalidInput(
                f"{'message' if len(foreign) == 1 else 'messages'} "
                f"{', '.join(map(str, foreign))} {'is' if len(foreign) == 1 else 'are'} not in "
                f"ticket #{ticket_id}"
            )
        title = (subject or "").strip() or (
            f"Split from #{ticket_id}: {source['subject']}"[:MAX_SUBJECT]
        )
        new_id = c.create(
            subject=title,
            requester=source["requester"],
            contact_id=source["contact_id"],
            line=source["line"],
            priority=source["priority"],
            source=f"split from #{ticket_id} with {words.count(len(chosen), 'message')}",
            status=Status.OPEN,
        )
        c.conn.executemany(
            "UPDATE messages SET ticket_id = ? WHERE id = ?", [(new_id, m) for m in chosen]
        )
        _add_link(c, LinkKind.SPLIT, new_id, ticket_id, {"moved": chosen})
        c.event(
            ticket_id,
            EventAction.SPLIT,
            None,
            f"#{new_id}",
            "message(s) " + ", ".join(map(str, chosen)),
        )
        c.update(ticket_id)
    return desk.store.ticket(new_id)


def unsplit(
    desk: Desk,
    new_id: int,
    *,
    expected_version: int | None = None,
    viewed_id: int | None = None,
) -> Ticket:
    """Undo `split`: the messages go back and the split-off ticket is closed (tickets are never
    deleted: their events stay). Messages added to it since stay with it. Returns the original
    ticket.

    The split can be undone from either ticket, so `expected_version` is the version of
    `viewed_id`: the split-off ticket (the default) or the original."""
    with change(desk) as c:
        c.row(new_id)
        link = _link(c, new_id, LinkKind.SPLIT)
        if link is None:
            raise InvalidInput(f"ticket #{new_id} was not split off another ticket")
        link_id, source_id, detail_text = link
        viewed = new_id if viewed_id is None else viewed_id
        if viewed not in (new_id, source_id):
            raise InvalidInput(
                f"ticket #{viewed} is neither #{new_id} nor #{source_id}, the "
                "two tickets of this split"
            )
        c.check_version(viewed, expected_version)
        moved = json.loads(detail_text)["moved"]
        for message_id in moved:
            c.conn.execute(
                "UPDATE messages SET ticket_id = ? WHERE id = ? AND ticket_id = ?",
                (source_id, message_id, new_id),
            )
        c.conn.execute("DELETE FROM links WHERE id = ?", (link_id,))
        c.event(
            new_id, EventAction.UNSPLIT, f"#{source_id}", None, f"message(s) back to #{source_id}"
        )
        c.event(
            source_id,
            EventAction.UNSPLIT,
            f"#{new_id}",
            None,
            "message(s) " + ", ".join(map(str, moved)) + " back",
        )
        c.update(new_id, status=Status.CLOSED, reason=f"unsplit: messages back to #{source_id}")
        c.update(source_id)
    return desk.store.ticket(source_id)
