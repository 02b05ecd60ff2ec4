"""Lines and the team: config, who may talk to the customer, escalation, back-line questions,
presence."""

from __future__ import annotations

import json
from dataclasses import replace as changed
from pathlib import Path

import pytest

from console.cli import main
from console.core import escalation, operations, presence
from console.core.config import read_config
from console.core.desk import Desk
from console.core.errors import InvalidInput, TicketConflict
from console.core.model import Activity, Line, Priority, QueueFilter
from console.core.store import Store
from console.core.team import Agent, NotAllowed, parse_team, require_customer_contact
from tests.support import make_desk

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
        ("[agents.x]\ncolour = 1", "bad.toml:2: agents.x: unknown key 'colour'"),
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
    with pytest.raises(
        NotAllowed, match="works L3 and cannot write to the customer; ask the front line instead"
    ):
        require_customer_contact(Agent("dmitro", "D", (Line.L3,)))
    require_customer_contact(Agent("ann", "A", (Line.L1, Line.L3)))


FRONT = Agent("alice", "Alice", (Line.L1, Line.L2))
BACK = Agent("dmitro", "Dmytro", (Line.L3,))


def _ticket(desk: Desk) -> int:
    return operations.create_ticket(
        desk.acting_as("intake"),
        subject="Sync broken",
        requester="c@example.com",
        body="CRM sync fails",
    ).id


def test_escalate_clarify_answer_resolve_flow(store: Store, desk: Desk) -> None:
    front, back = desk.acting_as(FRONT), desk.acting_as(BACK)
    number = _ticket(desk)
    operations.assign(front, number, "alice")
    logged = len(store.events(number))
    t = escalation.escalate(front, number, "Tried resync; logs attached; need a DB fix")
    assert (t.line, t.assignee, t.status) == (Line.L2, None, "open")
    note = "Tried resync; logs attached; need a DB fix"
    assert sorted(
        (e.action, e.before, e.after, e.detail) for e in store.events(number)[logged:]
    ) == [
        ("assignee", "alice", None, note),
        ("escalated", "L1", "L2", note),
        ("message", None, "note", f"message {store.messages(number)[0].id}"),
        ("status", "new", "open", note),
    ]
    t = escalation.escalate(front, number, "Needs the sync engine expert", to_line="L3")
    assert t.line == Line.L3
    handoff = escalation.handoff(store, number)
    assert handoff and (handoff.from_line, handoff.to_line, handoff.note) == (
        "L2",
        "L3",
        "Needs the sync engine expert",
    )

    operations.take(back, number)
    asked = escalation.ask_front(back, number, "Which CRM version do they run?")
    front_queue = store.tickets(QueueFilter(needs_customer_contact=True))
    assert [x.id for x in front_queue] == [number]
    with pytest.raises(NotAllowed):
        escalation.answer_front(back, number, "7.2")
    escalation.answer_front(front, number, "They run 7.2")
    assert store.tickets(QueueFilter(needs_customer_contact=True)) == []
    note = store.messages(number)[-1]
    assert note.kind == "note" and "For dmitro" in note.body and "They run 7.2" in note.body
    assert asked.question in note.body

    t = escalation.deescalate(back, number, "Fixed the mapping; please confirm with them")
    assert t.line == Line.L2
    actions = [e.action for e in store.events(number)]
    for action in ("escalated", "asked-front", "answered-front", "deescalated"):
        assert action in actions


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda d, n: escalation.escalate(d.acting_as(FRONT), n, "  "), "hand-off note is empty"),
        (
            lambda d, n: escalation.escalate(d.acting_as(FRONT), n, "x", to_line="L1"),
            "from L1 to L1: pick a higher line",
        ),
        (
            lambda d, n: escalation.deescalate(d.acting_as(FRONT), n, "x", to_line="L2"),
            "from L1 to L2: pick a lower line",
        ),
        (lambda d, n: escalation.deescalate(d.acting_as(FRONT), n, "x"), "already at L1"),
        (lambda d, n: escalation.ask_front(d.acting_as(BACK), n, ""), "question is empty"),
        (lambda d, n: escalation.answer_front(d.acting_as(FRONT), n, "x"), "no open questions"),
    ],
)
def test_bad_escalations_change_nothing(store: Store, desk: Desk, call, message) -> None:
    number = _ticket(desk)
    with pytest.raises(InvalidInput, match=message):
        call(desk, number)
    assert store.ticket(number).version == 1 and len(store.events(number)) == 1


def test_escalation_from_a_stale_view_is_a_conflict(store: Store, desk: Desk) -> None:
    number = _ticket(desk)
    operations.set_priority(desk.acting_as("bob"), number, Priority.P1)
    with pytest.raises(TicketConflict):
        escalation.escalate(desk.acting_as(FRONT), number, "note", expected_version=1)
    assert store.ticket(number).line == Line.L1


def test_presence_expires_and_leaves(store: Store, desk: Desk, clock) -> None:
    number = _ticket(desk)
    presence.heartbeat(store, "alice", number, Activity.REPLYING)
    assert [(p.agent, p.activity) for p in presence.on_ticket(store, number)] == [
        ("alice", "replying")
    ]
    assert presence.on_ticket(store, number, exclude_agent="alice") == []
    assert list(presence.on_tickets(store, [number, 999])) == [number]
    clock.advance(seconds=presence.TTL.total_seconds() + 1)
    assert presence.on_ticket(store, number) == []  # a dropped session fades out
    presence.heartbeat(store, "alice", number, Activity.VIEWING)
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
    asked = json.loads(out)
    assert asked["question_id"] == 1 and "Needs customer contact" in asked["done"]
    code, out, _ = run("alice", "queue", "contact", "--json")
    assert [(r["id"], r["asked"]) for r in json.loads(out)] == [(1, "Which browser?")]
    code, _, err = run("dmitro", "answer-front", "1", "--answer", "Firefox")
    assert code == 1 and "cannot write to the customer" in err
    assert run("alice", "answer-front", "1", "--answer", "Firefox")[0] == 0
    code, _, err = run("alice", "assign", "1", "nobody-here")
    assert code == 2 and "unknown agent 'nobody-here'" in err
    assert run("alice", "assign", "1", "-")[1] == "#1 unassigned\n"
    # An agent the team config does not list is warned about, and may not be assigned.
    code, _, err = run("zed", "take", "1")
    assert code == 2 and "warning: agent 'zed' is not in the team config" in err
    assert "unknown agent 'zed'" in err
    code, out, _ = run("alice", "agents", "--json")
    assert [a["login"] for a in json.loads(out)] == ["alice", "dmitro"]
    code, out, _ = run("alice", "who", "1", "--json")
    assert json.loads(out) == []
    code, _, err = run("alice", "deescalate", "1", "--note", "")
    assert code == 2 and "--note: " in err and " is empty" in err


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


# -- the team's rules hold on the command line as in the core -------------------------------------


@pytest.fixture
def cli(capsys, db_path: Path, config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """`console --db ... --config team.toml --as AGENT ...` -> (exit code, stdout, stderr)."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    for name in ("CONSOLE_MACROS", "CONSOLE_CONFIG", "CONSOLE_DB"):
        monkeypatch.delenv(name, raising=False)

    def run(agent: str, *args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(["--db", str(db_path), "--config", str(config), "--as", agent, *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def _snapshot(db_path: Path) -> dict[str, list[str]]:
    import sqlite3

    conn = sqlite3.connect(db_path)
    try:
        return {
            table: sorted(map(repr, conn.execute(f"SELECT * FROM {table}")))
            for table in ("tickets", "messages", "events", "outbox", "links", "tags")
        }
    finally:
        conn.close()


THIRD_LINE_REFUSED = (
    "console: error: dmitro works L3 and cannot write to the customer; ask the front line instead\n"
)


@pytest.mark.parametrize(
    "road",
    [
        ("reply", "1", "--body", "Try clearing the cache."),
        ("macro", "apply", "ask-screenshot", "1"),
        ("checklist", "send", "1"),
        ("merge", "2", "--into", "1", "--notify"),
        ("merge", "2", "--into", "1", "--notice", "We carry on in #1."),
        ("close", "1", "--message", "Closing this one."),
        ("solve-problem", "1", "--reply", "The outage is over."),
    ],
    ids=lambda road: " ".join(road[:2]),
)
def test_the_third_line_is_refused_a_public_reply_on_every_road(
    cli, db_path: Path, road: tuple[str, ...]
) -> None:
    for subject, requester in (("Export fails", "Ann Lee <ann@example.com>"),) * 3:
        assert cli("alice", "new", "--subject", subject, "--from", requester, "--body", "b")[0] == 0
    assert cli("alice", "checklist", "attach", "1", "request-template")[0] == 0
    assert cli("alice", "link", "3", "--parent", "1")[0] == 0
    before = _snapshot(db_path)
    code, out, err = cli("dmitro", *road)
    assert (code, out, err) == (1, "", THIRD_LINE_REFUSED)
    assert _snapshot(db_path) == before
    # The same road is open to the front line.
    code, _, err = cli("alice", *road)
    assert (code, err) == (0, "")


def test_assign_refuses_an_agent_who_does_not_work_the_tickets_line(cli) -> None:
    assert cli("alice", "new", "--subject", "s", "--from", "a@b.c", "--body", "b")[0] == 0
    code, out, err = cli("alice", "assign", "1", "dmitro")
    assert (code, out) == (1, "")
    assert err == (
        "console: error: dmitro works L3, not L1: escalate the ticket to their line, "
        "or assign it to someone on it\n"
    )
    code, out, _ = cli("alice", "show", "1", "--json")
    assert json.loads(out)["assignee"] is None
    # A lead may be given a ticket on any line; an agent one on their own line.
    assert cli("alice", "escalate", "1", "--to", "L3", "--note", "expert needed")[0] == 0
    assert cli("alice", "assign", "1", "alice")[1] == "#1 assigned to alice\n"
    assert cli("alice", "assign", "1", "dmitro")[1] == "#1 assigned to dmitro\n"


def test_queue_contact_lists_tickets_with_an_open_back_line_question(cli) -> None:
    for subject in ("Sync broken", "Printer jammed", "VPN drops"):
        assert cli("alice", "new", "--subject", subject, "--from", "a@b.c", "--body", "b")[0] == 0
    for number in ("1", "3"):
        assert cli("alice", "escalate", number, "--to", "L3", "--note", "expert needed")[0] == 0
    assert cli("dmitro", "ask-front", "3", "--question", "Which client version?")[0] == 0
    assert cli("dmitro", "ask-front", "1", "--question", "Which CRM do they run?")[0] == 0
    code, out, _ = cli("alice", "queue", "contact")
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()] == ["#1", "#3"]
    assert "asks: Which CRM do they run?" in out and "Sync broken" in out
    code, out, _ = cli("alice", "list", "--needs-contact", "--json")
    assert [t["id"] for t in json.loads(out)] == [1, 3]
    # Answered, the question leaves the queue.
    assert cli("alice", "answer-front", "1", "--answer", "Salesforce")[0] == 0
    code, out, _ = cli("alice", "queue", "contact", "--json")
    assert [(r["id"], r["asked"]) for r in json.loads(out)] == [(3, "Which client version?")]


def test_a_reply_on_an_unassigned_ticket_takes_it_unless_the_team_says_not(store) -> None:
    team = parse_team(
        {"agents": {"ann": {"lines": ["L1"]}, "lena": {"lines": ["L3"]}, "lee": {"role": "lead"}}}
    )
    ann = changed(make_desk(store, "ann"), team=team).acting_as("ann")
    first = operations.create_ticket(ann, subject="VPN down", requester="a@acme.test").id
    operations.note(ann, first, "looking")  # a note takes nothing
    assert store.ticket(first).assignee is None
    operations.reply(ann, first, "Which client do you use?")
    assert store.ticket(first).assignee == "ann"
    taken = operations.create_ticket(ann, subject="Printer", requester="b@acme.test").id
    operations.assign(ann, taken, "lee")
    operations.reply(ann, taken, "On it")  # someone has it already: it stays theirs
    assert store.ticket(taken).assignee == "lee"
    l2 = operations.create_ticket(ann, subject="DB", requester="c@acme.test", line=Line.L2).id
    operations.reply(ann, l2, "Looking")  # ann may answer an L2 ticket, not hold one
    assert store.ticket(l2).assignee is None
    keep = changed(ann, team=changed(team, take_on_reply=False))
    other = operations.create_ticket(keep, subject="Mail", requester="d@acme.test").id
    operations.reply(keep, other, "Checking")
    assert store.ticket(other).assignee is None
    with pytest.raises(InvalidInput, match="take_on_reply must be true or false"):
        parse_team({"team": {"take_on_reply": "yes"}})
    assert parse_team({"team": {"take_on_reply": False}}).take_on_reply is False
