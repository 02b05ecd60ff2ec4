"""Merge, parent problems and split keep every message and event, and undo restores."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from console.core import links, operations, workflow
from console.core.errors import InvalidInput, TicketConflict
from console.core.store import Store

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    with Store.open(tmp_path / "desk.db", clock=lambda: NOW) as opened:
        yield opened


def _ticket(store: Store, subject: str, requester: str, *messages: str) -> int:
    ticket = workflow.create_ticket(
        store, "alice", subject=subject, requester=requester, body=f"body of {subject}"
    )
    for i, text in enumerate(messages):
        operations.add_message(
            store, "alice", ticket.id, ("customer", "reply", "note")[i % 3], text
        )
    return ticket.id


def _counts(store: Store) -> tuple[int, int]:
    conn = store.conn
    return (
        conn.execute("SELECT count(*) FROM messages").fetchone()[0],
        conn.execute("SELECT count(*) FROM events").fetchone()[0],
    )


def _bodies(store: Store, ticket_id: int) -> list[str]:
    return [m.body for m in store.messages(ticket_id)]


def test_merge_moves_thread_and_request_and_unmerge_restores(store: Store):
    primary = _ticket(store, "Login broken", "ann@example.com", "p1", "p2")
    dup = _ticket(store, "Cannot log in", "bob@example.com", "d1", "d2", "d3")
    before_primary, before_dup = _bodies(store, primary), _bodies(store, dup)
    messages, events = _counts(store)

    links.merge(store, "carol", dup, primary, notice="")
    merged = store.ticket(dup)
    assert merged.status == "closed"
    assert _bodies(store, primary)[:2] == before_primary
    assert _bodies(store, primary)[2:5] == before_dup
    assert "body of Cannot log in" in _bodies(store, primary)[5]
    assert "#" + str(primary) in _bodies(store, dup)[0]  # the notice to the requester
    assert _counts(store)[0] == messages + 2  # the request copy and the notice
    assert [e.action for e in store.events(dup)][-3:] == ["status", "message", "merged"]
    assert store.events(primary)[-1].action == "merged_in"
    assert links.links(store, dup)[0].kind == "merged"

    links.unmerge(store, "carol", dup)
    assert _bodies(store, primary) == before_primary
    assert _bodies(store, dup)[:3] == before_dup
    assert store.ticket(dup).status == "new"
    assert links.links(store, dup) == []
    assert _counts(store)[0] == messages + 1  # the notice was sent: it stays on record
    assert _counts(store)[1] > events  # the log keeps merge and unmerge
    assert store.events(dup)[-1].action == "unmerged"


def test_merge_refuses_nonsense_and_writes_nothing(store: Store):
    a = _ticket(store, "A", "ann@example.com", "x")
    b = _ticket(store, "B", "bob@example.com")
    c = _ticket(store, "C", "carl@example.com")
    snapshot = _counts(store)
    with pytest.raises(InvalidInput, match="into itself"):
        links.merge(store, "alice", a, a)
    links.merge(store, "alice", b, a)
    snapshot = _counts(store)
    with pytest.raises(InvalidInput, match="already merged"):
        links.merge(store, "alice", b, c)
    with pytest.raises(InvalidInput, match="merge into #"):
        links.merge(store, "alice", c, b)
    with pytest.raises(InvalidInput, match="not merged"):
        links.unmerge(store, "alice", c)
    stale = store.ticket(c).version - 1
    with pytest.raises(TicketConflict):
        links.merge(store, "alice", c, a, expected_version=stale)
    assert _counts(store) == snapshot


def test_parent_problem_counts_children_and_solves_them_together(store: Store):
    parent = _ticket(store, "Outage: telephony down", "noc@example.com")
    kids = [_ticket(store, f"Calls fail {i}", f"c{i}@example.com") for i in range(3)]
    for kid in kids:
        links.link_parent(store, "alice", kid, parent)
    assert links.child_count(store, parent) == 3
    assert links.children(store, parent) == kids
    with pytest.raises(InvalidInput, match="already hangs"):
        links.link_parent(store, "alice", kids[0], parent)
    with pytest.raises(InvalidInput, match="itself hangs"):
        links.link_parent(store, "alice", parent, kids[1])
    with pytest.raises(InvalidInput, match="is a parent problem"):
        links.link_parent(store, "alice", parent, _ticket(store, "X", "x@example.com"))
    operations.set_status(store, "alice", kids[2], "closed")

    solved = links.solve_parent(store, "alice", parent, reply="Telephony is back.")
    assert solved == [parent, kids[0], kids[1]]
    for ticket_id in solved:
        assert store.ticket(ticket_id).status == "solved"
        assert _bodies(store, ticket_id)[-1] == "Telephony is back."
    assert store.ticket(kids[2]).status == "closed"

    links.unlink_parent(store, "alice", kids[0])
    assert links.child_count(store, parent) == 2
    assert store.events(kids[0])[-1].before == f"#{parent}"


def test_split_moves_chosen_messages_and_unsplit_restores(store: Store):
    mega = _ticket(store, "Everything this month", "ann@example.com", "m1", "m2", "m3", "m4")
    before = store.messages(mega)
    messages, _ = _counts(store)
    new = links.split(store, "alice", mega, [before[2].id, before[3].id])
    assert new.subject.startswith(f"Split from #{mega}")
    assert new.requester == "ann@example.com"
    assert _bodies(store, new.id) == ["m3", "m4"]
    assert _bodies(store, mega) == ["m1", "m2"]
    assert _counts(store)[0] == messages
    assert links.links(store, new.id)[0].other_id == mega
    with pytest.raises(InvalidInput, match="not in ticket"):
        links.split(store, "alice", mega, [before[2].id])

    links.unsplit(store, "alice", new.id)
    assert _bodies(store, mega) == ["m1", "m2", "m3", "m4"]
    assert store.ticket(new.id).status == "closed"
    assert _counts(store)[0] == messages
    with pytest.raises(InvalidInput, match="was not split"):
        links.unsplit(store, "alice", new.id)


def test_event_log_stays_append_only_through_undo(store: Store):
    a = _ticket(store, "A", "ann@example.com", "x")
    b = _ticket(store, "B", "bob@example.com", "y")
    logged = store.conn.execute("SELECT * FROM events ORDER BY id").fetchall()
    links.merge(store, "alice", b, a)  # status, merged, merged_in
    links.unmerge(store, "alice", b)  # status, unmerged, unmerged_out
    links.link_parent(store, "alice", b, a)
    links.unlink_parent(store, "alice", b)
    after = store.conn.execute("SELECT * FROM events ORDER BY id").fetchall()
    assert after[: len(logged)] == logged and len(after) == len(logged) + 10


def test_merge_keeps_undecodable_bytes_and_unmerge_works_after_a_chain(store: Store):
    raw = b"caf\xe9 broken"
    dup = operations.create_ticket(
        store,
        "alice",
        subject="Bytes",
        requester="a@example.com",
        body="caf\ufffd broken",
        body_raw=raw,
    ).id
    operations.add_message(store, "alice", dup, "customer", "mine")
    primary = _ticket(store, "Primary", "b@example.com")
    final = _ticket(store, "Final", "c@example.com")
    links.merge(store, "alice", dup, primary)
    assert store.messages(primary)[-1].body_raw == raw
    links.merge(store, "alice", primary, final)  # the primary moves on, with dup's messages
    links.unmerge(store, "alice", dup)
    assert _bodies(store, dup) == ["mine"]
    assert all("Bytes" not in body for body in _bodies(store, final))


def test_statuses_change_through_the_workflow_clocks(store: Store):
    parent = _ticket(store, "Outage", "noc@example.com")
    child = _ticket(store, "Down for us", "ann@example.com")
    dup = _ticket(store, "Down for us too", "bob@example.com")
    assert workflow.clocks(store, dup).sla_due_at is not None
    links.merge(store, "alice", dup, child)
    assert workflow.clocks(store, dup).sla_due_at is None  # a closed ticket breaches nothing
    links.link_parent(store, "alice", child, parent)
    links.solve_parent(store, "alice", parent, reply="Back up.")
    for ticket_id in (parent, child):
        ticket = store.ticket(ticket_id)
        assert (ticket.status, ticket.court) == ("solved", "customer")


def test_a_file_from_before_merges_keeps_its_links_and_gains_undo_detail(tmp_path: Path):
    import sqlite3

    from console.core import schema

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    schema.migrate(conn, target=schema.LATEST - 1)
    for number in (1, 2):
        conn.execute(
            "INSERT INTO tickets (id, subject, requester, line, priority, status, court,"
            " created_at, updated_at, updated_by) VALUES (?, 'S', 'a@b.c', 'L1', 'P3', "
            "'open', 'us', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'x')",
            (number,),
        )
    conn.execute(
        "INSERT INTO links (ticket_id, other_id, kind, created_at, created_by) "
        "VALUES (2, 1, 'follow-up of', '2026-01-01T00:00:00Z', 'x')"
    )
    conn.close()
    with Store.open(path, clock=lambda: NOW) as store:
        assert [(k.kind, k.ticket_id) for k in links.links(store, 1)] == [("follow-up of", 2)]
        links.merge(store, "alice", 2, 1)
        assert {k.kind for k in links.links(store, 2)} == {"follow-up of", "merged"}
        links.unmerge(store, "alice", 2)
        assert [k.kind for k in links.links(store, 2)] == ["follow-up of"]


# -- a colleague's change since the agent looked: refused, never overwritten ---------------------


def _everything(store: Store) -> dict[str, list[tuple]]:
    return {
        table: store.conn.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
        for table in ("tickets", "messages", "events", "links")
    }


def _seen_then_changed(store: Store, ticket_id: int) -> int:
    """The version the agent saw, before a colleague changed the priority."""
    seen = store.ticket(ticket_id)
    operations.change(store, "bob", ticket_id, "priority", "P2" if seen.priority == "P1" else "P1")
    return seen.version


def _refused(store: Store, ticket_id: int, write) -> None:
    snapshot = _everything(store)
    with pytest.raises(TicketConflict, match=f"#{ticket_id} was changed by bob"):
        write()
    assert _everything(store) == snapshot


def test_link_and_unlink_parent_refuse_a_stale_child(store: Store):
    parent = _ticket(store, "Outage", "noc@example.com")
    child = _ticket(store, "Down for us", "ann@example.com")
    seen = _seen_then_changed(store, child)
    _refused(
        store,
        child,
        lambda: links.link_parent(store, "alice", child, parent, expected_version=seen),
    )
    linked = links.link_parent(
        store, "alice", child, parent, expected_version=store.ticket(child).version
    )
    seen = _seen_then_changed(store, child)
    assert seen == linked.version
    _refused(
        store, child, lambda: links.unlink_parent(store, "alice", child, expected_version=seen)
    )
    links.unlink_parent(store, "alice", child, expected_version=seen + 1)
    assert links.links(store, child) == []


def test_unmerge_refuses_a_stale_duplicate(store: Store):
    primary = _ticket(store, "Login broken", "ann@example.com", "p1")
    dup = _ticket(store, "Cannot log in", "bob@example.com", "d1")
    links.merge(store, "alice", dup, primary)
    seen = _seen_then_changed(store, dup)
    _refused(store, dup, lambda: links.unmerge(store, "alice", dup, expected_version=seen))
    links.unmerge(store, "alice", dup, expected_version=seen + 1)
    assert _bodies(store, dup) == ["d1"]


def test_split_refuses_a_stale_ticket(store: Store):
    mega = _ticket(store, "Everything", "ann@example.com", "m1", "m2")
    chosen = [store.messages(mega)[1].id]
    seen = _seen_then_changed(store, mega)
    _refused(store, mega, lambda: links.split(store, "alice", mega, chosen, expected_version=seen))
    new = links.split(store, "alice", mega, chosen, expected_version=seen + 1)
    assert _bodies(store, new.id) == ["m2"]


@pytest.mark.parametrize("looking_at", ["split-off", "original"])
def test_unsplit_refuses_a_stale_version_of_the_ticket_on_screen(store: Store, looking_at: str):
    mega = _ticket(store, "Everything", "ann@example.com", "m1", "m2")
    new = links.split(store, "alice", mega, [store.messages(mega)[1].id]).id
    viewed = new if looking_at == "split-off" else mega
    seen = _seen_then_changed(store, viewed)
    _refused(
        store,
        viewed,
        lambda: links.unsplit(store, "alice", new, expected_version=seen, viewed_id=viewed),
    )
    links.unsplit(store, "alice", new, expected_version=seen + 1, viewed_id=viewed)
    assert _bodies(store, mega) == ["m1", "m2"]


def test_unsplit_refuses_a_ticket_outside_the_split(store: Store):
    mega = _ticket(store, "Everything", "ann@example.com", "m1", "m2")
    other = _ticket(store, "Other", "bob@example.com")
    new = links.split(store, "alice", mega, [store.messages(mega)[1].id]).id
    snapshot = _everything(store)
    with pytest.raises(InvalidInput, match=f"#{other} is neither #{new} nor #{mega}"):
        links.unsplit(store, "alice", new, expected_version=1, viewed_id=other)
    assert _everything(store) == snapshot


@pytest.mark.parametrize("parent_solved", [False, True])
def test_solve_parent_refuses_a_stale_parent(store: Store, parent_solved: bool):
    parent = _ticket(store, "Outage", "noc@example.com")
    child = _ticket(store, "Down for us", "ann@example.com")
    links.link_parent(store, "alice", child, parent)
    if parent_solved:  # then only the children are solved, but the check still holds
        workflow.solve(store, "alice", parent)
    seen = _seen_then_changed(store, parent)
    _refused(
        store,
        parent,
        lambda: links.solve_parent(store, "alice", parent, reply="Back.", expected_version=seen),
    )
    solved = links.solve_parent(store, "alice", parent, reply="Back.", expected_version=seen + 1)
    assert solved == ([child] if parent_solved else [parent, child])
