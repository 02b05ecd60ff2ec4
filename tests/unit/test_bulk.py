"""One action on many tickets: each ticket keeps its own checks and events; a ticket changed
meanwhile, or one the action cannot apply to, is refused alone and named with the reason."""

from __future__ import annotations

import json

import pytest

from console.cli import main
from console.core import bulk, operations, tags
from console.core.actions import ACTIONS
from console.core.desk import Desk
from console.core.errors import InvalidInput
from console.core.model import Priority, QueueFilter, Status
from console.core.query import parse
from console.core.store import Store
from tests.support import make_desk


def _outage(desk: Desk, count: int = 5) -> list[int]:
    return [
        operations.create_ticket(
            desk, subject=f"VPN down {n}", requester=f"c{n}@acme.test", body="No VPN."
        ).id
        for n in range(count)
    ]


def test_each_ticket_is_its_own_change_and_a_changed_one_is_refused(desk: Desk) -> None:
    ids = _outage(desk)
    seen = {t: desk.store.ticket(t).version for t in ids}
    colleague = make_desk(desk.store, "bob")
    operations.note(colleague, ids[1], "looking")  # after the agent marked the tickets
    operations.close(colleague, ids[2], "spam")
    result = bulk.perform_many(desk, ACTIONS["priority"], seen.items(), {"priority": Priority.P1})
    assert [o.ticket.id for o in result.done] == [ids[0], ids[3], ids[4]]
    assert [r.ticket_id for r in result.refused] == [ids[1], ids[2]]
    assert all("was changed by bob" in r.reason for r in result.refused)
    assert result.summary == "3 done, 2 refused"
    for ticket_id in ids:
        events = [e.action.value for e in desk.store.events(ticket_id)]
        assert events.count("priority") == (ticket_id not in (ids[1], ids[2]))


def test_the_rules_hold_for_each_ticket(desk: Desk) -> None:
    ids = _outage(desk, 3)
    operations.close(desk, ids[0], "spam")
    result = bulk.perform_many(
        desk, ACTIONS["close"], [(t, None) for t in ids], {"reason": "outage over"}
    )
    assert [r.ticket_id for r in result.refused] == [ids[0]]
    assert "already closed" in result.refused[0].reason
    assert all(desk.store.ticket(t).status == Status.CLOSED for t in ids)


def test_a_query_names_the_tickets_and_too_many_is_refused(desk: Desk) -> None:
    ids = _outage(desk, 4)
    tags.change_tags(desk, ids[1], ["outage"])
    tags.change_tags(desk, ids[3], ["outage"])
    queue = QueueFilter(query=parse("tag:outage"))
    assert [t for t, _ in bulk.matching(desk.store, queue)] == [ids[1], ids[3]]
    with pytest.raises(InvalidInput, match="that is 2 tickets; one action takes at most 1"):
        bulk.matching(desk.store, queue, most=1)


def _cli(capsys, db, *args: str) -> tuple[int, str, str]:
    code = main(["--db", str(db), "--as", "tess", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_command_line_takes_several_numbers(capsys, db_path, desk: Desk) -> None:
    ids = _outage(desk, 3)
    desk.store.close()
    a, b, c = (str(t) for t in ids)
    code, out, _ = _cli(capsys, db_path, "take", a, b, f"#{c}")
    assert code == 0 and out.splitlines() == [
        f"#{a} is yours",
        f"#{b} is yours",
        f"#{c} is yours",
        "3 done",
    ]
    code, out, _ = _cli(capsys, db_path, "tag", a, b, "+outage", "+vpn")
    assert code == 0 and f"#{b} tags: outage, vpn" in out
    code, out, _ = _cli(capsys, db_path, "tag", a, b, "-vpn")
    assert code == 0 and f"#{a} tags: outage" in out
    code, out, _ = _cli(capsys, db_path, "close", a, "999", "--reason", "over")
    assert code == 1
    assert out.splitlines()[-2:] == [
        "#999: refused: ticket #999 does not exist",
        "1 done, 1 refused",
    ]
    code, _, err = _cli(capsys, db_path, "take", a, b, "--expect-version", "3")
    assert code == 2 and "--expect-version is for one ticket" in err


def test_the_command_line_takes_a_query(capsys, db_path, desk: Desk) -> None:
    ids = _outage(desk, 3)
    tags.change_tags(desk, ids[0], ["outage"])
    tags.change_tags(desk, ids[2], ["outage"])
    desk.store.close()
    code, out, _ = _cli(capsys, db_path, "priority", "--query", "tag:outage", "P1", "--json")
    data = json.loads(out)
    assert code == 0 and data["summary"] == "2 done" and data["refused"] == []
    assert [d["id"] for d in data["done"]] == [ids[0], ids[2]]
    with Store.open(db_path, read_only=True) as store:
        assert [store.ticket(t).priority for t in ids] == [Priority.P1, Priority.P3, Priority.P1]
    code, _, err = _cli(capsys, db_path, "take", str(ids[0]), "--query", "tag:outage")
    assert code == 2 and "not both" in err
    code, _, err = _cli(capsys, db_path, "take", "--query", "tag:")
    assert code == 2 and "--query: 'tag:': give a value" in err
    code, _, err = _cli(capsys, db_path, "take")
    assert code == 2 and "give the ticket's number" in err
    code, out, _ = _cli(capsys, db_path, "take", "--query", "tag:nothing")
    assert code == 0 and out == "no tickets match the query\n"
