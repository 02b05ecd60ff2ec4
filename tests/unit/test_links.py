"""Merge, parent problems and split keep every message and event, and undo restores."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from console.core import links, operations, workflow
from console.core.desk import Desk
from console.core.errors import InvalidInput, TicketConflict
from console.core.model import Court, Priority
from console.core.store import Store
from console.core.team import NotAllowed, parse_team
from tests.support import FrozenClock, make_desk, open_store


@pytest.fixture
def desk(store: Store) -> Desk:
    return make_desk(store, "alice")


_WRITE = (operations.customer_message, operations.reply, operations.note)
"""The messages of a test ticket take turns: the customer's, a public reply, a note."""


def _ticket(desk: Desk, subject: str, requester: str, *messages: str) -> int:
    ticket = operations.create_ticket(
        desk, subject=subject, requester=requester, body=f"body of {subject}"
    )
    for i, text in enumerate(messages):
        _WRITE[i % 3](desk, ticket.id, text)
    return ticket.id


def _counts(store: Store) -> tuple[int, int]:
    return (
        store.query("SELECT count(*) FROM messages")[0][0],
        store.query("SELECT count(*) FROM events")[0][0],
    )


def _bodies(store: Store, ticket_id: int) -> list[str]:
    return [m.body for m in store.messages(ticket_id)]


def test_merge_moves_thread_and_request_and_unmerge_restores(store: Store, desk: Desk):
    primary = _ticket(desk, "Login broken", "ann@example.com", "p1", "p2")
    dup = _ticket(desk, "Cannot log in", "bob@example.com", "d1", "d2", "d3")
    before_primary, before_dup = _bodies(store, primary), _bodies(store, dup)
    assert store.ticket(dup).status == "waiting"  # the reply d2 handed the customer the ball
    messages, events = _counts(store)
    carol = desk.acting_as("carol")

    links.merge(carol, dup, primary, notice="")
    merged = store.ticket(dup)
    assert merged.status == "closed"
    assert _bodies(store, primary)[:2] == before_primary
    assert _bodies(store, primary)[2:5] == before_dup
    assert "body of Cannot log in" in _bodies(store, primary)[5]
    assert "#" + str(primary) in _bodies(store, dup)[0]  # the notice to the requester
    assert _counts(store)[0] == messages + 2  # the request copy and the notice
    assert [e.action for e in store.events(dup)][-3:] == ["message", "merged", "status"]
    assert store.events(primary)[-1].action == "merged_in"
    assert links.links(store, dup)[0].kind == "merged"

    links.unmerge(carol, dup)
    assert _bodies(store, primary) == before_primary
    assert _bodies(store, dup)[:3] == before_dup
    assert store.ticket(dup).status == "waiting"  # as it was before the merge
    assert links.links(store, dup) == []
    assert _counts(store)[0] == messages + 1  # the notice was sent: it stays on record
    assert _counts(store)[1] > events  # the log keeps merge and unmerge
    assert [e.action for e in store.events(dup)][-2:] == ["unmerged", "status"]


def test_merge_refuses_nonsense_and_writes_nothing(store: Store, desk: Desk):
    a = _ticket(desk, "A", "ann@example.com", "x")
    b = _ticket(desk, "B", "bob@example.com")
    c = _ticket(desk, "C", "carl@example.com")
    snapshot = _counts(store)
    with pytest.raises(InvalidInput, match="into itself"):
        links.merge(desk, a, a)
    links.merge(desk, b, a)
    snapshot = _counts(store)
    with pytest.raises(InvalidInput, match="already merged"):
        links.merge(desk, b, c)
    with pytest.raises(InvalidInput, match="merge into #"):
        links.merge(desk, c, b)
    with pytest.raises(InvalidInput, match="not merged"):
        links.unmerge(desk, c)
    stale = store.ticket(c).version - 1
    with pytest.raises(TicketConflict):
        links.merge(desk, c, a, expected_version=stale)
    assert _counts(store) == snapshot


def test_parent_problem_counts_children_and_solves_them_together(store: Store, desk: Desk):
    parent = _ticket(desk, "Outage: telephony down", "noc@example.com")
    kids = [_ticket(desk, f"Calls fail {i}", f"c{i}@example.com") for i in range(3)]
    for kid in kids:
        links.link_parent(desk, kid, parent)
    assert links.child_count(store, parent) == 3
    assert links.children(store, parent) == kids
    with pytest.raises(InvalidInput, match="already hangs"):
        links.link_parent(desk, kids[0], parent)
    with pytest.raises(InvalidInput, match="itself hangs"):
        links.link_parent(desk, parent, kids[1])
    with pytest.raises(InvalidInput, match="is a parent problem"):
        links.link_parent(desk, parent, _ticket(desk, "X", "x@example.com"))
    operations.close(desk, kids[2])

    solved = links.solve_parent(desk, parent, reply="Telephony is back.")
    assert solved == [parent, kids[0], kids[1]]
    for ticket_id in solved:
        assert store.ticket(ticket_id).status == "solved"
        assert _bodies(store, ticket_id)[-1] == "Telephony is back."
    assert store.ticket(kids[2]).status == "closed"

    links.unlink_parent(desk, kids[0])
    assert links.child_count(store, parent) == 2
    assert store.events(kids[0])[-1].before == f"#{parent}"


def test_split_moves_chosen_messages_and_unsplit_restores(store: Store, desk: Desk):
    mega = _ticket(desk, "Everything this month", "ann@example.com", "m1", "m2", "m3", "m4")
    before = store.messages(mega)
    messages, _ = _counts(store)
    new = links.split(desk, mega, [before[2].id, before[3].id])
    assert new.subject.startswith(f"Split from #{mega}")
    assert new.requester == "ann@example.com"
    assert new.status == "open"  # it continues a conversation: not a new request
    assert _bodies(store, new.id) == ["m3", "m4"]
    assert _bodies(store, mega) == ["m1", "m2"]
    assert _counts(store)[0] == messages
    assert links.links(store, new.id)[0].other_id == mega
    with pytest.raises(InvalidInput, match="not in ticket"):
        links.split(desk, mega, [before[2].id])

    links.unsplit(desk, new.id)
    assert _bodies(store, mega) == ["m1", "m2", "m3", "m4"]
    assert store.ticket(new.id).status == "closed"
    assert _counts(store)[0] == messages
    with pytest.raises(InvalidInput, match="was not split"):
        links.unsplit(desk, new.id)


def test_event_log_stays_append_only_through_undo(store: Store, desk: Desk):
    a = _ticket(desk, "A", "ann@example.com", "x")
    b = _ticket(desk, "B", "bob@example.com", "y")
    logged = store.query("SELECT * FROM events ORDER BY id")
    links.merge(desk, b, a)  # merged, merged_in, status
    links.unmerge(desk, b)  # unmerged, unmerged_out, status
    links.link_parent(desk, b, a)
    links.unlink_parent(desk, b)
    after = store.query("SELECT * FROM events ORDER BY id")
    assert after[: len(logged)] == logged and len(after) == len(logged) + 10


def test_merge_keeps_undecodable_bytes_and_unmerge_works_after_a_chain(store: Store, desk: Desk):
    raw = b"caf\xe9 broken"
    dup = operations.create_ticket(
        desk,
        subject="Bytes",
        requester="a@example.com",
        body="caf\ufffd broken",
        body_raw=raw,
    ).id
    operations.customer_message(desk, dup, "mine")
    primary = _ticket(desk, "Primary", "b@example.com")
    final = _ticket(desk, "Final", "c@example.com")
    links.merge(desk, dup, primary)
    assert store.messages(primary)[-1].body_raw == raw
    links.merge(desk, primary, final)  # the primary moves on, with dup's messages
    links.unmerge(desk, dup)
    assert _bodies(store, dup) == ["mine"]
    assert all("Bytes" not in body for body in _bodies(store, final))


def test_statuses_change_through_the_workflow_clocks(store: Store, desk: Desk):
    parent = _ticket(desk, "Outage", "noc@example.com")
    child = _ticket(desk, "Down for us", "ann@example.com")
    dup = _ticket(desk, "Down for us too", "bob@example.com")
    assert workflow.clocks(store, dup).sla_due_at is not None
    links.merge(desk, dup, child)
    assert workflow.clocks(store, dup).sla_due_at is None  # a closed ticket breaches nothing
    links.link_parent(desk, child, parent)
    links.solve_parent(desk, parent, reply="Back up.")
    for ticket_id in (parent, child):
        ticket = store.ticket(ticket_id)
        assert (ticket.status, ticket.court) == ("solved", "customer")


def test_a_file_from_before_merges_keeps_its_links_and_gains_undo_detail(
    tmp_path: Path, clock: FrozenClock
):
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
    with open_store(path, clock) as store:
        desk = make_desk(store, "alice")
        assert [(k.kind, k.ticket_id) for k in links.links(store, 1)] == [("follow-up of", 2)]
        links.merge(desk, 2, 1)
        assert {k.kind for k in links.links(store, 2)} == {"follow-up of", "merged"}
        links.unmerge(desk, 2)
        assert [k.kind for k in links.links(store, 2)] == ["follow-up of"]


# -- a colleague's change since the agent looked: refused, never overwritten ---------------------


def _everything(store: Store) -> dict[str, list[tuple]]:
    return {
        table: store.query(f"SELECT * FROM {table} ORDER BY id")
        for table in ("tickets", "messages", "events", "links")
    }


def _seen_then_changed(store: Store, ticket_id: int) -> int:
    """The version the agent saw, before a colleague changed the priority."""
    seen = store.ticket(ticket_id)
    bob = make_desk(store, "bob")
    operations.set_priority(
        bob, ticket_id, Priority.P2 if seen.priority == Priority.P1 else Priority.P1
    )
    return seen.version


def _refused(store: Store, ticket_id: int, write) -> None:
    snapshot = _everything(store)
    with pytest.raises(TicketConflict, match=f"#{ticket_id} was changed by bob"):
        write()
    assert _everything(store) == snapshot


def test_link_and_unlink_parent_refuse_a_stale_child(store: Store, desk: Desk):
    parent = _ticket(desk, "Outage", "noc@example.com")
    child = _ticket(desk, "Down for us", "ann@example.com")
    seen = _seen_then_changed(store, child)
    _refused(
        store,
        child,
        lambda: links.link_parent(desk, child, parent, expected_version=seen),
    )
    linked = links.link_parent(desk, child, parent, expected_version=store.ticket(child).version)
    seen = _seen_then_changed(store, child)
    assert seen == linked.version
    _refused(store, child, lambda: links.unlink_parent(desk, child, expected_version=seen))
    links.unlink_parent(desk, child, expected_version=seen + 1)
    assert links.links(store, child) == []


def test_unmerge_refuses_a_stale_duplicate(store: Store, desk: Desk):
    primary = _ticket(desk, "Login broken", "ann@example.com", "p1")
    dup = _ticket(desk, "Cannot log in", "bob@example.com", "d1")
    links.merge(desk, dup, primary)
    seen = _seen_then_changed(store, dup)
    _refused(store, dup, lambda: links.unmerge(desk, dup, expected_version=seen))
    links.unmerge(desk, dup, expected_version=seen + 1)
    assert _bodies(store, dup) == ["d1"]


def test_split_refuses_a_stale_ticket(store: Store, desk: Desk):
    mega = _ticket(desk, "Everything", "ann@example.com", "m1", "m2")
    chosen = [store.messages(mega)[1].id]
    seen = _seen_then_changed(store, mega)
    _refused(store, mega, lambda: links.split(desk, mega, chosen, expected_version=seen))
    new = links.split(desk, mega, chosen, expected_version=seen + 1)
    assert _bodies(store, new.id) == ["m2"]


@pytest.mark.parametrize("looking_at", ["split-off", "original"])
def test_unsplit_refuses_a_stale_version_of_the_ticket_on_screen(
    store: Store, desk: Desk, looking_at: str
):
    mega = _ticket(desk, "Everything", "ann@example.com", "m1", "m2")
    new = links.split(desk, mega, [store.messages(mega)[1].id]).id
    viewed = new if looking_at == "split-off" else mega
    seen = _seen_then_changed(store, viewed)
    _refused(
        store,
        viewed,
        lambda: links.unsplit(desk, new, expected_version=seen, viewed_id=viewed),
    )
    links.unsplit(desk, new, expected_version=seen + 1, viewed_id=viewed)
    assert _bodies(store, mega) == ["m1", "m2"]


def test_unsplit_refuses_a_ticket_outside_the_split(store: Store, desk: Desk):
    mega = _ticket(desk, "Everything", "ann@example.com", "m1", "m2")
    other = _ticket(desk, "Other", "bob@example.com")
    new = links.split(desk, mega, [store.messages(mega)[1].id]).id
    snapshot = _everything(store)
    with pytest.raises(InvalidInput, match=f"#{other} is neither #{new} nor #{mega}"):
        links.unsplit(desk, new, expected_version=1, viewed_id=other)
    assert _everything(store) == snapshot


def test_an_outage_is_solved_in_short_commits_and_a_stopped_run_is_finished_by_the_next(
    store: Store, desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workflow, "BATCH_SECONDS", 0)  # one child a commit
    parent = _ticket(desk, "Outage", "noc@example.com")
    kids = [_ticket(desk, f"Down {n}", f"c{n}@example.com") for n in range(5)]
    for kid in kids:
        links.link_parent(desk, kid, parent)
    seen: list[tuple[int, int]] = []

    def stop_after_two(done: int, total: int) -> None:
        seen.append((done, total))
        if done == 2:
            raise KeyboardInterrupt  # the agent's ctrl+c, or a kill

    watched = replace(desk, progress=lambda what, done, total: stop_after_two(done, total))
    with pytest.raises(KeyboardInterrupt):
        links.solve_parent(watched, parent, reply="Back up.")
    assert seen == [(1, 5), (2, 5)]
    solved_first = [k for k in kids if store.ticket(k).status == "solved"]
    assert solved_first == kids[:2], "each batch committed on its own"
    assert store.ticket(parent).status == "new", "the parent waits for the last child"
    assert links.solve_parent(desk, parent, reply="Back up.") == [parent, *kids[2:]]
    assert all(_bodies(store, k).count("Back up.") == 1 for k in kids), "nobody told twice"


def test_undoing_a_merge_the_customer_answered_since_keeps_the_move_ours(
    store: Store, desk: Desk
) -> None:
    duplicate = _ticket(desk, "Printer", "ann@example.com")
    primary = _ticket(desk, "Printer again", "ann@example.com")
    operations.move_court(desk, duplicate, Court.CUSTOMER, "asked for the model")
    links.merge(desk, duplicate, primary)
    operations.customer_message(desk, duplicate, "It does not print.")  # reopens it
    links.unmerge(desk, duplicate)
    ticket = store.ticket(duplicate)
    assert (ticket.court, ticket.status) == ("us", "open"), "not 'waiting' on our move"


@pytest.mark.parametrize("parent_solved", [False, True])
def test_solve_parent_refuses_a_stale_parent(store: Store, desk: Desk, parent_solved: bool):
    parent = _ticket(desk, "Outage", "noc@example.com")
    child = _ticket(desk, "Down for us", "ann@example.com")
    links.link_parent(desk, child, parent)
    if parent_solved:  # then only the children are solved, but the check still holds
        operations.solve(desk, parent)
    seen = _seen_then_changed(store, parent)
    _refused(
        store,
        parent,
        lambda: links.solve_parent(desk, parent, reply="Back.", expected_version=seen),
    )
    solved = links.solve_parent(desk, parent, reply="Back.", expected_version=seen + 1)
    assert solved == ([child] if parent_solved else [parent, child])


# -- the third line does not write to customers, whichever road it takes -------------------------

THIRD_LINE = parse_team(
    {"agents": {"alice": {"lines": ["L1"]}, "tess": {"name": "Tess", "lines": ["L3"]}}}
)


def test_the_third_line_may_not_send_a_merge_notice_or_a_problem_reply(store: Store):
    alice = make_desk(store, "alice", team=THIRD_LINE)
    tess = alice.acting_as("tess")
    primary = _ticket(alice, "Login broken", "ann@example.com", "p1")
    dup = _ticket(alice, "Cannot log in", "bob@example.com", "d1")
    child = _ticket(alice, "Down for us", "carl@example.com")
    links.link_parent(alice, child, primary)
    snapshot = _everything(store)
    refusal = "tess works L3 and cannot write to the customer; ask the front line instead"
    with pytest.raises(NotAllowed, match=refusal):
        links.merge(tess, dup, primary, notice="")
    with pytest.raises(NotAllowed, match=refusal):
        links.merge(tess, dup, primary, notice="See #{primary}.")
    with pytest.raises(NotAllowed, match=refusal):
        links.solve_parent(tess, primary, reply="Back up.")
    assert _everything(store) == snapshot
    # Without a word to the customers, the third line may merge and solve.
    links.merge(tess, dup, primary)
    assert links.solve_parent(tess, primary) == [primary, child]
