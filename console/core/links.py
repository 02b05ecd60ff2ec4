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
import sqlite3
from dataclasses import dataclass

from console.core.errors import InvalidInput, TicketConflict, TicketNotFound
from console.core.model import OPEN_STATUSES, Court, MessageKind, Status, Ticket
from console.core.operations import bump_version, insert_message, record_event
from console.core.sla import SlaPolicy
from console.core.store import Store
from console.core.workflow import DEFAULT_POLICY, move, start_clocks

DEFAULT_MERGE_NOTICE = (
    "Thank you for your message. We are already working on the same request in ticket "
    "#{primary}, so we have joined the two: all further updates will come there."
)


@dataclass(frozen=True)
class Link:
    kind: str
    """merged (ticket_id was merged into other_id), parent (ticket_id hangs on the parent
    problem other_id), split (ticket_id was split off other_id), or another kind of link."""
    ticket_id: int
    other_id: int
    created_at: str
    created_by: str


def _link(conn: sqlite3.Connection, ticket_id: int, kind: str) -> tuple | None:
    return conn.execute(
        "SELECT id, other_id, detail FROM links WHERE ticket_id = ? AND kind = ?", (ticket_id, kind)
    ).fetchone()


def _row(conn: sqlite3.Connection, ticket_id: int) -> dict:
    cursor = conn.execute("SELECT * FROM tickets WHERE id = ?", (ticket_id,))
    row = cursor.fetchone()
    if row is None:
        raise TicketNotFound(ticket_id)
    return dict(zip([d[0] for d in cursor.description], row, strict=True))


def _exists(conn: sqlite3.Connection, ticket_id: int) -> None:
    if conn.execute("SELECT 1 FROM tickets WHERE id = ?", (ticket_id,)).fetchone() is None:
        raise TicketNotFound(ticket_id)


def _check_version(conn: sqlite3.Connection, ticket_id: int, expected_version: int | None) -> None:
    """For a ticket an operation reads but leaves as it is: refuse, as `bump_version` would, if
    it changed since the agent saw `expected_version`."""
    if expected_version is None:
        return
    row = conn.execute(
        "SELECT version, updated_by, updated_at FROM tickets WHERE id = ?", (ticket_id,)
    ).fetchone()
    if row is None:
        raise TicketNotFound(ticket_id)
    if row[0] != expected_version:
        raise TicketConflict(ticket_id, row[1], row[2])


def links(store: Store, ticket_id: int) -> list[Link]:
    """Every live link that starts or ends at the ticket."""
    with store.lock:
        rows = store.conn.execute(
            "SELECT kind, ticket_id, other_id, created_at, created_by FROM links "
            "WHERE ticket_id = ? UNION ALL SELECT kind, ticket_id, other_id, created_at, "
            "created_by FROM links WHERE other_id = ? ORDER BY 4",
            (ticket_id, ticket_id),
        ).fetchall()
    return [Link(*r) for r in rows]


def children(store: Store, parent_id: int, *, limit: int = 100, offset: int = 0) -> list[int]:
    """One page of the tickets hanging on a parent problem, oldest link first."""
    with store.lock:
        rows = store.conn.execute(
            "SELECT ticket_id FROM links WHERE other_id = ? AND kind = 'parent' "
            "ORDER BY ticket_id LIMIT ? OFFSET ?",
            (parent_id, limit, offset),
        ).fetchall()
    return [r[0] for r in rows]


def child_count(store: Store, parent_id: int) -> int:
    with store.lock:
        return int(
            store.conn.execute(
                "SELECT count(*) FROM links WHERE other_id = ? AND kind = 'parent'", (parent_id,)
            ).fetchone()[0]
        )


# -- merge -------------------------------------------------------------------------------------


def merge(
    store: Store,
    actor: str,
    duplicate_id: int,
    primary_id: int,
    *,
    notice: str | None = None,
    policy: SlaPolicy = DEFAULT_POLICY,
    expected_version: int | None = None,
) -> Ticket:
    """Merge `duplicate_id` into `primary_id`: its thread and its original request (as a
    customer message) move to the primary, it is closed with a link to the primary, and, with
    `notice`, its requester gets that reply ("{primary}" is replaced by the primary's number).
    Returns the primary."""
    if duplicate_id == primary_id:
        raise InvalidInput(f"cannot merge ticket #{duplicate_id} into itself")
    now = store.now()
    with store.transaction() as conn:
        _exists(conn, duplicate_id)
        _exists(conn, primary_id)
        if _link(conn, duplicate_id, "merged"):
            raise InvalidInput(f"ticket #{duplicate_id} is already merged; unmerge it first")
        onward = _link(conn, primary_id, "merged")
        if onward:
            raise InvalidInput(
                f"ticket #{primary_id} was itself merged into #{onward[1]}: "
                f"merge into #{onward[1]} instead"
            )
        before = _row(conn, duplicate_id)
        if before["status"] != Status.CLOSED.value:
            move(
                store,
                conn,
                policy,
                actor,
                duplicate_id,
                now,
                status=Status.CLOSED,
                reason=f"merged into #{primary_id}",
                expected_version=expected_version,
            )
        else:
            bump_version(store, conn, duplicate_id, expected_version, actor, now)
        bump_version(store, conn, primary_id, None, actor, now)
        moved = [
            r[0]
            for r in conn.execute(
                "SELECT id FROM messages WHERE ticket_id = ? ORDER BY id", (duplicate_id,)
            )
        ]
        conn.execute(
            "UPDATE messages SET ticket_id = ? WHERE ticket_id = ?", (primary_id, duplicate_id)
        )
        request = conn.execute(
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
            text = (notice or DEFAULT_MERGE_NOTICE).replace("{primary}", str(primary_id))
            notice_id = insert_message(
                conn, duplicate_id, MessageKind.REPLY, actor, text, None, now, actor
            )
        detail = {
            "moved": moved,
            "request": request,
            "status": before["status"],
            "notice": notice_id,
        }
        conn.execute(
            "INSERT INTO links (kind, ticket_id, other_id, created_at, "
            "created_by, detail) VALUES ('merged', ?, ?, ?, ?, ?)",
            (duplicate_id, primary_id, now, actor, json.dumps(detail)),
        )
        record_event(
            conn,
            duplicate_id,
            now,
            actor,
            "merged",
            None,
            f"#{primary_id}",
            f"{len(moved)} message(s) moved to #{primary_id}",
        )
        record_event(
            conn,
            primary_id,
            now,
            actor,
            "merged_in",
            None,
            f"#{duplicate_id}",
            f"{len(moved)} message(s) and the request of #{duplicate_id}",
        )
    return store.ticket(primary_id)


def unmerge(
    store: Store,
    actor: str,
    duplicate_id: int,
    *,
    policy: SlaPolicy = DEFAULT_POLICY,
    expected_version: int | None = None,
) -> Ticket:
    """Undo `merge`: the moved messages go back, the copy of the request leaves the primary,
    and the duplicate gets its status back. `expected_version` is the duplicate's. Returns the
    duplicate."""
    now = store.now()
    with store.transaction() as conn:
        _exists(conn, duplicate_id)
        link = _link(conn, duplicate_id, "merged")
        if link is None:
            raise InvalidInput(f"ticket #{duplicate_id} is not merged into another ticket")
        link_id, primary_id, detail_text = link
        detail = json.loads(detail_text)
        if _row(conn, duplicate_id)["status"] != detail["status"]:
            move(
                store,
                conn,
                policy,
                actor,
                duplicate_id,
                now,
                status=Status(detail["status"]),
                reason=f"unmerged from #{primary_id}",
                expected_version=expected_version,
            )
        else:
            bump_version(store, conn, duplicate_id, expected_version, actor, now)
        bump_version(store, conn, primary_id, None, actor, now)
        # By id, wherever they are now: the primary may since have been merged on itself.
        conn.executemany(
            "UPDATE messages SET ticket_id = ? WHERE id = ?",
            [(duplicate_id, m) for m in detail["moved"]],
        )
        conn.execute("DELETE FROM messages WHERE id = ?", (detail["request"],))
        conn.execute("DELETE FROM links WHERE id = ?", (link_id,))
        record_event(
            conn,
            duplicate_id,
            now,
            actor,
            "unmerged",
            f"#{primary_id}",
            None,
            f"{len(detail['moved'])} message(s) back from #{primary_id}",
        )
        record_event(
            conn,
            primary_id,
            now,
            actor,
            "unmerged_out",
            f"#{duplicate_id}",
            None,
            f"#{duplicate_id} taken apart again",
        )
    return store.ticket(duplicate_id)


# -- parent problems -----------------------------------------------------------------------------


def link_parent(
    store: Store, actor: str, child_id: int, parent_id: int, *, expected_version: int | None = None
) -> Ticket:
    """Hang `child_id` on the parent problem `parent_id` (one level: a parent has no parent).
    `expected_version` is the child's. Returns the child."""
    if child_id == parent_id:
        raise InvalidInput(f"ticket #{child_id} cannot be its own parent")
    now = store.now()
    with store.transaction() as conn:
        _exists(conn, child_id)
        _exists(conn, parent_id)
        current = _link(conn, child_id, "parent")
        if current:
            raise InvalidInput(
                f"ticket #{child_id} already hangs on #{current[1]}; unlink it first"
            )
        grand = _link(conn, parent_id, "parent")
        if grand:
            raise InvalidInput(
                f"ticket #{parent_id} itself hangs on #{grand[1]}: link to #{grand[1]} instead"
            )
        if conn.execute(
            "SELECT 1 FROM links WHERE other_id = ? AND kind = 'parent'", (child_id,)
        ).fetchone():
            raise InvalidInput(
                f"ticket #{child_id} is a parent problem itself and cannot hang on another"
            )
        bump_version(store, conn, child_id, expected_version, actor, now)
        bump_version(store, conn, parent_id, None, actor, now)
        conn.execute(
            "INSERT INTO links (kind, ticket_id, other_id, created_at, "
            "created_by) VALUES ('parent', ?, ?, ?, ?)",
            (child_id, parent_id, now, actor),
        )
        record_event(conn, child_id, now, actor, "parent", None, f"#{parent_id}")
        record_event(conn, parent_id, now, actor, "child_linked", None, f"#{child_id}")
    return store.ticket(child_id)


def unlink_parent(
    store: Store, actor: str, child_id: int, *, expected_version: int | None = None
) -> Ticket:
    """Undo `link_parent`. `expected_version` is the child's. Returns the child."""
    now = store.now()
    with store.transaction() as conn:
        _exists(conn, child_id)
        link = _link(conn, child_id, "parent")
        if link is None:
            raise InvalidInput(f"ticket #{child_id} does not hang on a parent problem")
        link_id, parent_id, _ = link
        bump_version(store, conn, child_id, expected_version, actor, now)
        bump_version(store, conn, parent_id, None, actor, now)
        conn.execute("DELETE FROM links WHERE id = ?", (link_id,))
        record_event(conn, child_id, now, actor, "parent", f"#{parent_id}", None)
        record_event(conn, parent_id, now, actor, "child_unlinked", f"#{child_id}", None)
    return store.ticket(child_id)


def solve_parent(
    store: Store,
    actor: str,
    parent_id: int,
    *,
    reply: str | None = None,
    policy: SlaPolicy = DEFAULT_POLICY,
    expected_version: int | None = None,
) -> list[int]:
    """Solve the parent and every open ticket hanging on it, in one transaction; with `reply`,
    each of them gets that public reply first. `expected_version` is the parent's. Returns the
    tickets solved."""
    if reply is not None and not reply.strip():
        raise InvalidInput("the broadcast reply is empty: write something, or send none")
    now = store.now()
    with store.transaction() as conn:
        _exists(conn, parent_id)
        open_sql = ", ".join(f"'{s.value}'" for s in OPEN_STATUSES)
        targets = [parent_id] + [
            r[0]
            for r in conn.execute(
                f"SELECT l.ticket_id FROM links l JOIN tickets t ON t.id = l.ticket_id "
                f"WHERE l.other_id = ? AND l.kind = 'parent' AND t.status IN ({open_sql}) "
                "ORDER BY l.ticket_id",
                (parent_id,),
            )
        ]
        solved = []
        for ticket_id in targets:
            status = conn.execute(
                "SELECT status FROM tickets WHERE id = ?", (ticket_id,)
            ).fetchone()[0]
            if ticket_id == parent_id and status not in {s.value for s in OPEN_STATUSES}:
                # An already solved parent: only its children are left to solve. It is not
                # written to, but what the agent decided on must still be what is stored.
                _check_version(conn, parent_id, expected_version)
                continue
            extra: dict[str, object] = {"followup_due_at": None, "followup_note": None}
            if reply is not None:
                insert_message(conn, ticket_id, MessageKind.REPLY, actor, reply, None, now, actor)
                if not _row(conn, ticket_id)["first_response_at"]:
                    extra["first_response_at"] = now
            # As `workflow.solve`: solved, and the customer's move to confirm it.
            move(
                store,
                conn,
                policy,
                actor,
                ticket_id,
                now,
                court=Court.CUSTOMER,
                status=Status.SOLVED,
                assignments=extra,
                reason="solved"
                if ticket_id == parent_id
                else f"solved with parent problem #{parent_id}",
                expected_version=expected_version if ticket_id == parent_id else None,
            )
            solved.append(ticket_id)
    return solved


# -- split ---------------------------------------------------------------------------------------


def split(
    store: Store,
    actor: str,
    ticket_id: int,
    message_ids: list[int],
    *,
    subject: str | None = None,
    policy: SlaPolicy = DEFAULT_POLICY,
    expected_version: int | None = None,
) -> Ticket:
    """Move the chosen messages of a ticket into a new ticket linked to it (same requester,
    line and priority). `expected_version` is the ticket's. Returns the new ticket."""
    chosen = sorted(set(message_ids))
    if not chosen:
        raise InvalidInput("choose at least one message to split off")
    now = store.now()
    with store.transaction() as conn:
        _exists(conn, ticket_id)
        owned = {
            r[0] for r in conn.execute("SELECT id FROM messages WHERE ticket_id = ?", (ticket_id,))
        }
        foreign = [m for m in chosen if m not in owned]
        if foreign:
            raise InvalidInput(
                f"message(s) {', '.join(map(str, foreign))} are not in ticket #{ticket_id}"
            )
        source = bump_version(store, conn, ticket_id, expected_version, actor, now)
        title = (subject or "").strip() or f"Split from #{ticket_id}: {source['subject']}"
        new_id = int(
            conn.execute(
                "INSERT INTO tickets (subject, body, requester, contact_id, line, priority, status,"
                " court, created_at, updated_at, updated_by, version)"
                " VALUES (?, '', ?, ?, ?, ?, 'open', 'us', ?, ?, ?, 1)",
                (
                    title[:1000],
                    source["requester"],
                    source["contact_id"],
                    source["line"],
                    source["priority"],
                    now,
                    now,
                    actor,
                ),
            ).lastrowid
            or 0
        )
        start_clocks(policy)(conn, new_id, now)
        conn.executemany(
            "UPDATE messages SET ticket_id = ? WHERE id = ?", [(new_id, m) for m in chosen]
        )
        conn.execute(
            "INSERT INTO links (kind, ticket_id, other_id, created_at, "
            "created_by, detail) VALUES ('split', ?, ?, ?, ?, ?)",
            (new_id, ticket_id, now, actor, json.dumps({"moved": chosen})),
        )
        record_event(
            conn,
            new_id,
            now,
            actor,
            "created",
            None,
            None,
            f"split from #{ticket_id} with {len(chosen)} message(s)",
        )
        record_event(
            conn,
            ticket_id,
            now,
            actor,
            "split",
            None,
            f"#{new_id}",
            "message(s) " + ", ".join(map(str, chosen)),
        )
    return store.ticket(new_id)


def unsplit(
    store: Store,
    actor: str,
    new_id: int,
    *,
    policy: SlaPolicy = DEFAULT_POLICY,
    expected_version: int | None = None,
    viewed_id: int | None = None,
) -> Ticket:
    """Undo `split`: the messages go back and the split-off ticket is closed (tickets are never
    deleted: their events stay). Messages added to it since stay with it. Returns the original
    ticket.

    The split can be undone from either ticket, so `expected_version` is the version of
    `viewed_id`: the split-off ticket (the default) or the original."""
    now = store.now()
    with store.transaction() as conn:
        _exists(conn, new_id)
        link = _link(conn, new_id, "split")
        if link is None:
            raise InvalidInput(f"ticket #{new_id} was not split off another ticket")
        link_id, source_id, detail_text = link
        viewed = new_id if viewed_id is None else viewed_id
        if viewed not in (new_id, source_id):
            raise InvalidInput(
                f"ticket #{viewed} is neither #{new_id} nor #{source_id}, the "
                "two tickets of this split"
            )
        new_version = expected_version if viewed == new_id else None
        source_version = expected_version if viewed == source_id else None
        moved = json.loads(detail_text)["moved"]
        before = _row(conn, new_id)
        if before["status"] != Status.CLOSED.value:
            move(
                store,
                conn,
                policy,
                actor,
                new_id,
                now,
                status=Status.CLOSED,
                reason=f"unsplit: messages back to #{source_id}",
                expected_version=new_version,
            )
        else:
            bump_version(store, conn, new_id, new_version, actor, now)
        bump_version(store, conn, source_id, source_version, actor, now)
        for message_id in moved:
            conn.execute(
                "UPDATE messages SET ticket_id = ? WHERE id = ? AND ticket_id = ?",
                (source_id, message_id, new_id),
            )
        conn.execute("DELETE FROM links WHERE id = ?", (link_id,))
        record_event(
            conn,
            new_id,
            now,
            actor,
            "unsplit",
            f"#{source_id}",
            None,
            f"message(s) back to #{source_id}",
        )
        record_event(
            conn,
            source_id,
            now,
            actor,
            "unsplit",
            f"#{new_id}",
            None,
            "message(s) " + ", ".join(map(str, moved)) + " back",
        )
    return store.ticket(source_id)
