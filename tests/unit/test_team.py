"""Lines and the team: config, who may talk to the customer, escalation, back-line questions,
presence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from console.cli import main
from console.core import escalation, operations, presence
from console.core.config import read_config
from console.core.errors import InvalidInput, TicketConflict
from console.core.model import Line, QueueFilter
from console.core.store import Store
from console.core.team import Agent, NotAllowed, parse_team, require_customer_contact

TEAM_TOML = """
[agents.alice]
name = "Alice Moreau"
lines = ["L1", "L2"]
role = "lead"

[agents.dmitro]
name = "Dmytro K."
lines = ["L3"]
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "team.toml"
    path.write_text(TEAM_TOML)
    return path


def test_team_config_maps_users_to_lines_and_roles(config: Path) -> None:
    team = parse_team(*read_config(config))
    alice, dmitro = team.agent("alice"), team.agent("dmitro")
    assert (alice.name, alice.lines, alice.role) == ("Alice Moreau", (Line.L1, Line.L2), "lead")
    assert alice.talks_to_customers and not dmitro.talks_to_customers
    stranger = team.agent("zed")
    assert (stranger.known, stranger.lines) == (False, (Line.L1,))
    assert "not in the team config" in (team.unknown_warning("zed") or "")


def test_without_config_everyone_works_every_line() -> None:
    team = parse_team({})
    assert team.agent("solo").lines == tuple(Line) and team.unknown_warning("solo") is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[agents.x]\nlines = ['L9']", "agents.x.lines: unknown line 'L9'"),
        ("[agents.x]\nrole = 'boss'", "agents.x.role must be one of agent, lead"),
        ("[agents.x]\ncolour = 1", "agents.x: unknown setting 'colour'"),
        ("[agents.x]\nlines = []", "agents.x.lines must be a non-empty list"),
        ("agents = 3", "[agents] must be a table"),
    ],
)
def test_bad_team_config_names_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(InvalidInput, match=message.replace("[", r"\[")):
        parse_team(*read_config(path))


def test_broken_toml_and_missing_named_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("[agents\n")
    with pytest.raises(InvalidInput, match=r"broken.toml: .*line 1"):
        read_config(path)
    with pytest.raises(InvalidInput, match="config file not found"):
        read_config(tmp_path / "absent.toml")


def test_third_line_cannot_talk_to_the_customer() -> None:
    with pytest.raises(NotAllowed, match="works L3 and cannot reply to the customer"):
        require_customer_contact(Agent("dmitro", "D", (Line.L3,)))
    require_customer_contact(Agent("ann", "A", (Line.L1, Line.L3)))


FRONT = Agent("alice", "Alice", (Line.L1, Line.L2))
BACK = Agent("dmitro", "Dmytro", (Line.L3,))


def _ticket(store: Store) -> int:
    return operations.create_ticket(
        store, "intake", subject="Sync broken", requester="c@example.com", body="CRM sync fails"
    ).id


def test_escalate_clarify_answer_resolve_flow(store: Store) -> None:
    number = _ticket(store)
    operations.assign(store, "alice", number, "alice")
    t = escalation.escalate(store, FRONT, number, "Tried resync; logs attached; need a DB fix")
    assert (t.line, t.assignee, t.status) == (Line.L2, None, "open")
    t = escalation.escalate(store, FRONT, number, "Needs the sync engine expert", to_line="L3")
    assert t.line == Line.L3
    handoff = escalation.handoff(store, number)
    assert handoff and (handoff.from_line, handoff.to_line, handoff.note) == (
        "L2",
        "L3",
        "Needs the sync engine expert",
    )

    escalation.take(store, BACK, number)
    asked = escalation.ask_front(store, BACK, number, "Which CRM version do they run?")
    front_queue = store.tickets(QueueFilter(needs_customer_contact=True))
    assert [x.id for x in front_queue] == [number]
    with pytest.raises(NotAllowed):
        escalation.answer_front(store, BACK, number, "7.2")
    escalation.answer_front(store, FRONT, number, "They run 7.2")
    assert store.tickets(QueueFilter(needs_customer_contact=True)) == []
    note = store.messages(number)[-1]
    assert note.kind == "note" and "For dmitro" in note.body and "They run 7.2" in note.body
    assert asked.question in note.body

    t = escalation.deescalate(store, BACK, number, "Fixed the mapping; please confirm with them")
    assert t.line == Line.L2
    actions = [e.action for e in store.events(number)]
    for action in ("escalated", "asked-front", "answered-front", "deescalated"):
        assert action in actions


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s, n: escalation.escalate(s, FRONT, n, "  "), "hand-off note is empty"),
        (lambda s, n: escalation.escalate(s, FRONT, n, "x", to_line="L1"), "pick a higher line"),
        (lambda s, n: escalation.deescalate(s, FRONT, n, "x"), "already at L1"),
        (lambda s, n: escalation.ask_front(s, BACK, n, ""), "question is empty"),
        (lambda s, n: escalation.answer_front(s, FRONT, n, "x"), "no open questions"),
    ],
)
def test_bad_escalations_change_nothing(store: Store, call, message) -> None:
    number = _ticket(store)
    with pytest.raises(InvalidInput, match=message):
        call(store, number)
    assert store.ticket(number).version == 1 and len(store.events(number)) == 1


def test_escalation_from_a_stale_view_is_a_conflict(store: Store) -> None:
    number = _ticket(store)
    operations.set_priority(store, "bob", number, "P1")
    with pytest.raises(TicketConflict):
        escalation.escalate(store, FRONT, number, "note", expected_version=1)
    assert store.ticket(number).line == Line.L1


def test_presence_expires_and_leaves(store: Store, clock) -> None:
    number = _ticket(store)
    presence.heartbeat(store, "alice", number, "replying")
    assert [(p.agent, p.activity) for p in presence.on_ticket(store, number)] == [
        ("alice", "replying")
    ]
    assert presence.on_ticket(store, number, exclude_agent="alice") == []
    assert list(presence.on_tickets(store, [number, 999])) == [number]
    clock.advance(seconds=presence.TTL.total_seconds() + 1)
    assert presence.on_ticket(store, number) == []  # a dropped session fades out
    presence.heartbeat(store, "alice", number, "viewing")
    presence.leave(store, "alice")
    assert presence.on_ticket(store, number) == []


def test_cli_twins(capsys, db_path: Path, config: Path) -> None:
    def run(agent: str, *args: str) -> tuple[int, str, str]:
        code = main(["--db", str(db_path), "--config", str(config), "--as", agent, *args])
        out, err = capsys.readouterr()
        return code, out, err

    assert run("alice", "new", "--subject", "s", "--from", "a@b.c", "--body", "b")[0] == 0
    assert run("alice", "escalate", "1", "--to", "L3", "--note", "expert needed")[1] == (
        "#1 escalated to L3\n"
    )
    code, out, _ = run("dmitro", "take", "1", "--json")
    assert json.loads(out)["assignee"] == "dmitro"
    code, out, _ = run("dmitro", "ask-front", "1", "--question", "Which browser?", "--json")
    assert json.loads(out)["question"] == "Which browser?"
    code, _, err = run("dmitro", "answer-front", "1", "--answer", "Firefox")
    assert code == 1 and "cannot reply to the customer" in err
    assert run("alice", "answer-front", "1", "--answer", "Firefox")[0] == 0
    code, _, err = run("alice", "assign", "1", "nobody-here")
    assert code == 2 and "unknown agent 'nobody-here'" in err
    assert run("alice", "assign", "1", "-")[1] == "#1 assigned to nobody\n"
    code, _, err = run("zed", "take", "1")
    assert code == 0 and "warning: agent 'zed' is not in the team config" in err
    code, out, _ = run("alice", "agents", "--json")
    assert [a["login"] for a in json.loads(out)] == ["alice", "dmitro"]
    code, out, _ = run("alice", "who", "1", "--json")
    assert json.loads(out) == []
    code, _, err = run("alice", "deescalate", "1", "--note", "")
    assert code == 2 and "hand-back note is empty" in err


def test_vendor_hand_off_from_the_command_line(capsys, db_path: Path) -> None:
    assert (
        main(
            [
                "--db",
                str(db_path),
                "new",
                "--subject",
                "Printer firmware",
                "--from",
                "a@b.c",
                "--body",
                "b",
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert (
        main(["--db", str(db_path), "vendor", "1", "--vendor", "HP", "--case", "HP-991", "--json"])
        == 0
    )
    shown = json.loads(capsys.readouterr().out)
    assert shown["court"] == "vendor"
    assert main(["--db", str(db_path), "show", "1", "--json"]) == 0
    events = json.loads(capsys.readouterr().out)["events"]
    assert any("HP-991" in (e["detail"] or "") + (e["after"] or "") for e in events)
    assert main(["--db", str(db_path), "vendor", "1", "--vendor", "HP", "--case", " "]) == 2
    assert "case number is empty" in capsys.readouterr().err


def test_a_lead_may_talk_to_customers_from_any_line() -> None:
    require_customer_contact(Agent("lee", "Lee", (Line.L3,), role="lead"))
    team = parse_team({"agents": {"lee": {"lines": ["L4"], "role": "lead"}}})
    assert team.agent("lee").talks_to_customers
