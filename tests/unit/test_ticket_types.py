"""Ticket types: a closed set the team config names, set at intake or later through the one
path (logged, version-checked), found with `type:` and shown in words."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from console.cli import main
from console.core import bulk, history, operations
from console.core.actions import ACTIONS
from console.core.desk import Desk
from console.core.errors import InvalidInput, TicketConflict
from console.core.model import EventAction, QueueFilter, Status
from console.core.query import InvalidQuery, parse
from console.core.team import Team, parse_team
from console.core.ticket_types import DEFAULT_TYPES, type_words


def _ticket(desk: Desk, subject: str = "Export fails", **kwargs: object) -> int:
    return operations.create_ticket(desk, subject=subject, requester="a@acme.test", **kwargs).id


def test_the_team_config_names_the_types_and_its_mistakes(tmp_path: Path) -> None:
    assert parse_team({}).types == DEFAULT_TYPES
    team = parse_team({"types": {"incident": "Incident", "request": "Service request"}})
    assert team.types == {"incident": "Incident", "request": "Service request"}
    for table, says in (
        ({"Bug Report": "Bug"}, "lowercase letters, digits and '-'"),
        ({"none": "Nothing"}, "lowercase letters"),
        ({"bug": ""}, "say it in words"),
        ({"bug": "a\x1b[31mred"}, "say it in words"),
        ("bug", "must be a table"),
        ({}, "must be a table"),
    ):
        with pytest.raises(InvalidInput, match=says):
            parse_team({"types": table}, "team.toml")
    config = tmp_path / "console.toml"
    config.write_text('[types]\nincident = "Incident"\n')
    base = ["--config", str(config), "--db", str(tmp_path / "t.db")]
    new = ["new", "--subject", "VPN down", "--from", "a@acme.test", "--body", "x"]
    assert main([*base, *new, "--type", "incident"]) == 0
    assert main([*base, *new, "--type", "bug"]) == 2  # not this team's
    config.write_text('[types]\n"Bug Report" = "Bug"\n')
    assert main([*base, *new]) == 2


def test_a_type_is_set_changed_and_cleared_with_its_events(desk: Desk) -> None:
    ticket_id = _ticket(desk, ticket_type="Bug")  # any case
    ticket = desk.store.ticket(ticket_id)
    assert ticket.ticket_type == "bug"
    due = ticket.updated_at
    ticket = operations.set_type(desk, ticket_id, "question", expected_version=ticket.version)
    assert ticket.ticket_type == "question" and ticket.version == 2
    ticket = operations.set_type(desk, ticket_id, "question")  # no change, no event
    assert ticket.version == 2
    ticket = operations.set_type(desk, ticket_id, None)
    assert ticket.ticket_type is None
    typed = [(e.before, e.after) for e in desk.store.events(ticket_id) if e.action == "type"]
    assert typed == [("bug", "question"), ("question", None)]
    assert due <= ticket.updated_at


def test_a_wrong_or_stale_type_change_is_refused_and_changes_nothing(desk: Desk) -> None:
    ticket_id = _ticket(desk)
    with pytest.raises(InvalidInput, match=r"'bgu' is not a ticket type .*did you mean 'bug'"):
        operations.set_type(desk, ticket_id, "bgu")
    with pytest.raises(InvalidInput, match="not a ticket type"):
        _ticket(desk, ticket_type="incident")
    operations.set_type(desk, ticket_id, "bug")
    with pytest.raises(TicketConflict):
        operations.set_type(desk, ticket_id, "feature", expected_version=1)
    assert desk.store.ticket(ticket_id).ticket_type == "bug"
    assert len(desk.store.tickets(QueueFilter(statuses=tuple(Status)))) == 1


def test_the_teams_own_types_are_the_only_ones(desk: Desk) -> None:
    team = Team(types={"incident": "Incident"})
    ours = replace(desk, team=team)
    ticket_id = _ticket(ours, ticket_type="incident")
    with pytest.raises(InvalidInput, match="one of incident"):
        operations.set_type(ours, ticket_id, "bug")
    assert type_words("incident", team.types) == "Incident"
    assert type_words("retired", team.types) == "retired"  # a type the config dropped
    assert type_words(None, team.types) == "not typed yet"


def test_the_log_says_it_in_words() -> None:
    words = [
        history.describe("ann", EventAction.TYPE, before, after, None)
        for before, after in ((None, "feature"), ("bug", "not-ours"), ("question", None))
    ]
    assert words == [
        "ann marked it as feature request",
        "ann changed the type bug → not ours",
        "ann cleared the type (question)",
    ]


def test_type_in_a_query(desk: Desk) -> None:
    bug, question, untyped = (
        _ticket(desk, "a", ticket_type="bug"),
        _ticket(desk, "b", ticket_type="question"),
        _ticket(desk, "c"),
    )
    types = tuple(desk.team.types)

    def found(text: str) -> set[int]:
        query = parse(text, "agent", types=types)
        return {t.id for t in desk.store.tickets(QueueFilter(query=query))}

    assert found("type:bug") == {bug}
    assert found("type:BUG,question") == {bug, question}
    assert found("type:none") == {untyped}
    assert found("-type:bug") == {question, untyped}
    assert found("-type:none") == {bug, question}
    with pytest.raises(InvalidQuery, match="did you mean 'feature'") as wrong:
        parse("line:L1 type:fetaure", "agent", types=types)
    assert (wrong.value.start, wrong.value.end) == (8, 20)


def test_type_can_be_set_on_many_tickets(desk: Desk) -> None:
    numbers = [_ticket(desk, f"outage {n}") for n in range(3)]
    stale = desk.store.ticket(numbers[0]).version
    operations.set_type(desk, numbers[0], "question")  # changed meanwhile
    targets = {n: stale if n == numbers[0] else 1 for n in numbers}
    done = bulk.perform_many(desk, ACTIONS["type"], targets.items(), {"ticket_type": "bug"})
    assert [r.ticket_id for r in done.refused] == [numbers[0]]
    assert [desk.store.ticket(n).ticket_type for n in numbers] == ["question", "bug", "bug"]


def test_type_on_the_command_line(capsys, db_path: Path) -> None:
    base = ["--db", str(db_path), "--as", "tess"]
    new = ["new", "--subject", "Export fails", "--from", "a@acme.test", "--body", "x"]
    assert main([*base, *new, "--type", "bug", "--json"]) == 0
    made = json.loads(capsys.readouterr().out)
    assert made["ticket_type"] == "bug"
    assert main([*base, *new, "--type", "bgu"]) == 2
    assert "--type: 'bgu' is not a ticket type" in capsys.readouterr().err
    assert main([*base, "list", "--query", "status:any", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 1  # the refused one was not made
    assert main([*base, *new]) == 0
    other = int(capsys.readouterr().out.split()[0])
    assert main([*base, "type", str(made["id"]), str(other), "feature"]) == 0
    assert "feature request" in capsys.readouterr().out
    assert main([*base, "show", str(other)]) == 0
    assert "· Feature request ·" in capsys.readouterr().out
    assert main([*base, "type", "--query", "type:feature", "none"]) == 0
    capsys.readouterr()
    assert main([*base, "list", "--query", "type:none", "--json"]) == 0
    assert {t["id"] for t in json.loads(capsys.readouterr().out)} == {made["id"], other}
    assert main([*base, "type", str(other), "nonsense"]) == 2
    assert "TYPE: 'nonsense' is not one of question, bug" in capsys.readouterr().err
