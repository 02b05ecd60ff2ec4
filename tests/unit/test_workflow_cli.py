"""The workflow verbs on the command line: the full flow, the queues, the timers, the team
config, and one clear line for every kind of bad input."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from console.cli import main
from console.core import operations
from console.core.clock import to_text
from tests.support import FrozenClock, make_desk, open_store


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("CONSOLE_CONFIG", raising=False)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"")))
    return tmp_path / "desk.db"


def run(db: Path, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(["--db", str(db), "--as", "kim", *argv])
    except SystemExit as stop:  # argparse's own errors
        code = int(stop.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def run_json(db: Path, capsys: pytest.CaptureFixture[str], *argv: str) -> object:
    code, out, err = run(db, capsys, *argv, "--json")
    assert (code, err) == (0, "")
    return json.loads(out)


def stored_state(db: Path, capsys: pytest.CaptureFixture[str], ticket: str) -> object:
    """`show --json` without the figures that move with the wall clock."""
    data = run_json(db, capsys, "show", ticket)
    assert isinstance(data, dict)
    data["workflow"].pop("counted_seconds")
    for deadline in (data["workflow"]["sla"], *data["workflow"]["sla"]["deadlines"]):
        deadline.pop("left_seconds")
        deadline.pop("state")
    return data


def new_ticket(db: Path, capsys: pytest.CaptureFixture[str]) -> int:
    data = run_json(
        db,
        capsys,
        "new",
        "--subject",
        "Invoices do not print",
        "--from",
        "Ann <ann@example.com>",
        "--priority",
        "P2",
        "--body",
        "help",
    )
    assert isinstance(data, dict)
    return int(data["id"])


def test_full_flow_through_the_command_line(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    t = str(new_ticket(db, capsys))
    state = run_json(db, capsys, "sla", t)
    assert state["sla"]["kind"] == "first_response" and state["court"] == "us"

    data = run_json(db, capsys, "reply", t, "--body", "Which printer?")
    assert (data["status"], data["court"], data["sla"]["due_at"]) == ("waiting", "customer", None)
    data = run_json(db, capsys, "customer", t, "--body", "The HP in room 4")
    assert (data["status"], data["court"], data["sla"]["kind"]) == ("open", "us", "next_update")
    data = run_json(db, capsys, "solve", t)
    assert (data["status"], data["court"]) == ("solved", "customer")
    data = run_json(db, capsys, "confirm", t)
    assert data["status"] == "closed"
    data = run_json(db, capsys, "rate", t, "4", "--comment", "fine")
    assert data["rating"] == 4

    shown = run_json(db, capsys, "show", t)
    assert [m["kind"] for m in shown["messages"]] == ["reply", "customer", "reply"]
    assert [e["action"] for e in shown["events"]].count("court") == 3
    assert shown["events"][-1]["action"] == "rating"


def test_plain_output_says_whose_move(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    t = str(new_ticket(db, capsys))
    code, out, _ = run(db, capsys, "reply", t, "--body", "We are on it", "--keep-court")
    assert (code, out) == (0, f"#{t}: reply sent; our move\n")
    code, out, _ = run(db, capsys, "sla", t)
    assert code == 0 and out.startswith(f"#{t} new · our move since ")
    assert "\n  next update due in " in out
    code, out, _ = run(
        db,
        capsys,
        "court",
        t,
        "vendor",
        "--reason",
        "firmware bug",
        "--vendor",
        "HP",
        "--case",
        "HP-99",
    )
    assert out == f"#{t}: the vendor's move\n"
    code, out, _ = run(db, capsys, "vendor-answer", t, "--body", "Update to 2.3")
    assert out == f"#{t}: the vendor answered; our move\n"
    code, out, _ = run(db, capsys, "note", t, "--body", "told them to update")
    assert (code, out) == (0, f"#{t}: note added; only the team sees it\n")
    code, out, _ = run(db, capsys, "sla", t)
    assert out.startswith(f"#{t} open · our move since ")


def test_bodies_come_from_stdin(
    db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    t = str(new_ticket(db, capsys))
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"From the phone: \xff ok")))
    assert run(db, capsys, "customer", t, "--author", "phone call")[0] == 0
    shown = run_json(db, capsys, "show", t)
    message = shown["messages"][-1]
    assert (message["kind"], message["author"]) == ("customer", "phone call")
    assert "body_raw_base64" in message  # the byte that was not UTF-8 is kept


def test_follow_up_and_the_due_queue(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    t = new_ticket(db, capsys)
    later = new_ticket(db, capsys)
    assert run(db, capsys, "followup", str(t), "--due", "+1h", "--note", "call Ann")[0] == 0
    assert run(db, capsys, "followup", str(later), "--due", "+3d")[0] == 0
    rows = run_json(db, capsys, "queue", "due")
    assert [r["id"] for r in rows] == [t]
    assert rows[0]["followup_note"] == "call Ann"
    code, out, _ = run(db, capsys, "queue", "due")
    assert code == 0 and f"#{t}" in out and "call Ann" in out
    assert run(db, capsys, "followup-done", str(t))[0] == 0
    assert run_json(db, capsys, "queue", "due") == []


def test_breach_queue(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p2 = new_ticket(db, capsys)
    run(
        db,
        capsys,
        "new",
        "--subject",
        "Site down",
        "--from",
        "b@example.com",
        "--priority",
        "P1",
        "--body",
        "down",
    )
    rows = run_json(db, capsys, "queue", "breach")
    # The P1's first response is due within the hour (at risk); the P2's is not yet.
    assert [r["id"] for r in rows] == [p2 + 1]
    code, out, _ = run(db, capsys, "queue", "breach")
    assert "first response due in " in out and "Site down" in out


def test_paid_work(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    t = str(new_ticket(db, capsys))
    data = run_json(db, capsys, "bill", t, "--estimate", "1h30m")
    assert (data["court"], data["approval"], data["estimate_minutes"]) == (
        "customer",
        "pending",
        90,
    )
    code, _, err = run(db, capsys, "log-time", t, "30m")
    assert code == 2
    assert err == (
        f"console: error: ticket #{t}: billable time needs the customer's approval "
        "first (the work is pending)\n"
    )
    assert run(db, capsys, "log-time", t, "10m", "--internal")[0] == 0
    assert run_json(db, capsys, "approve", t)["approval"] == "approved"
    data = run_json(db, capsys, "log-time", t, "1h")
    assert data["time_logged"] == {"billable": 60, "internal": 10}


def test_priority_moves_the_sla_deadline(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    with open_store(db, FrozenClock(start)) as store:
        kim = make_desk(store, "kim")
        old = operations.create_ticket(kim, subject="old", requester="a@example.com").id
    fresh = new_ticket(db, capsys)  # P2, opened now
    before = run_json(db, capsys, "sla", str(old))
    assert before["sla"]["due_at"] == to_text(start + timedelta(hours=8))  # P3: 8 h
    assert before["sla"]["breached"] == []

    code, out, err = run(db, capsys, "priority", str(old), "P1")
    assert (code, out, err) == (0, f"#{old} is P1; its deadlines follow\n", "")
    after = run_json(db, capsys, "sla", str(old))
    # P1 answers within the hour: that hour ended an hour ago, and the breach is logged now.
    assert after["sla"]["kind"] == "first_response"
    assert after["sla"]["due_at"] == to_text(start + timedelta(hours=1))
    assert after["sla"]["breached"] == ["first_response"]
    events = run_json(db, capsys, "show", str(old))["events"]
    # A missed deadline is the console's own finding, whoever's change made it show.
    assert [(e["actor"], e["action"], e["before"], e["after"]) for e in events[-2:]] == [
        ("console", "sla_breach", None, "first_response"),
        ("kim", "priority", "P3", "P1"),
    ]
    code, out, _ = run(db, capsys, "sla", str(old))
    assert "  first response " in out and " overdue (" in out and "missed: first response" in out

    created = run_json(db, capsys, "sla", str(fresh))["clock_since"]
    data = run_json(db, capsys, "priority", str(fresh), "P4")
    assert (data["priority"], data["done"]) == ("P4", f"#{fresh} is P4; its deadlines follow")
    due = datetime.fromisoformat(created) + timedelta(hours=24)  # P4: a day, not P2's 4 h
    assert (data["sla"]["due_at"], data["sla"]["breached"]) == (to_text(due), [])


def test_sla_and_queue_text_is_in_words_in_the_teams_zone(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from zoneinfo import ZoneInfo

    config = tmp_path / "team.toml"
    config.write_text(
        '[sla.calendar]\ntimezone = "Asia/Tokyo"\nhours = "00:00-24:00"\n'
        'days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]\n'
    )
    t = str(new_ticket(db, capsys))
    due = run_json(db, capsys, "--config", str(config), "sla", t)["sla"]["due_at"]
    now = datetime.now(UTC).replace(microsecond=0)
    overdue = now.replace(second=0) - timedelta(minutes=5)  # always in the Due queue
    with open_store(db, FrozenClock(now)) as store:
        operations.set_followup(make_desk(store, "kim"), int(t), overdue, "call back")
    tokyo = ZoneInfo("Asia/Tokyo")
    for argv, moment in (
        (["sla", t], due),
        (["show", t], due),
        (["queue", "due"], to_text(overdue)),
    ):
        code, out, _ = run(db, capsys, "--config", str(config), *argv)
        local = datetime.fromisoformat(moment).astimezone(tokyo)
        assert code == 0 and f"{local:%H:%M}" in out, argv  # on Tokyo's clock
        assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", out), argv  # no ISO moments
        assert "version" not in out, argv


def test_tags_from_the_command_line(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    t = str(new_ticket(db, capsys))
    assert run(db, capsys, "tag", t, "+outage vip") == (0, f"#{t} tags: outage, vip\n", "")
    data = run_json(db, capsys, "tag", t, "+billing -vip")
    assert (data["tags"], data["done"]) == (["billing", "outage"], f"#{t} tags: billing, outage")
    assert run_json(db, capsys, "show", t)["tags"] == ["billing", "outage"]


@pytest.mark.parametrize("words", [["+outage", "-vip"], ["-vip"]])
def test_tags_are_removed_with_minus_words(
    db: Path, capsys: pytest.CaptureFixture[str], words: list[str]
) -> None:
    t = str(new_ticket(db, capsys))
    assert run(db, capsys, "tag", t, "+outage vip")[0] == 0
    assert run(db, capsys, "tag", t, *words) == (0, f"#{t} tags: outage\n", "")


def test_solving_or_closing_keeps_no_follow_up(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    solved, closed = new_ticket(db, capsys), new_ticket(db, capsys)
    for t in (solved, closed):
        assert run(db, capsys, "followup", str(t), "--due", "+1h", "--note", "call Ann")[0] == 0
    assert [r["id"] for r in run_json(db, capsys, "queue", "due")] == [solved, closed]
    assert run_json(db, capsys, "solve", str(solved))["followup_due_at"] is None
    assert run_json(db, capsys, "close", str(closed))["followup_due_at"] is None
    assert run_json(db, capsys, "queue", "due") == []
    for t, status in ((solved, "solved"), (closed, "closed")):
        event = run_json(db, capsys, "show", str(t))["events"][-1]
        assert (event["action"], event["after"], event["detail"]) == (
            "followup",
            None,
            f"the ticket is {status}",
        )


def test_a_follow_up_promised_after_solving_goes_when_the_ticket_closes(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    t = str(new_ticket(db, capsys))
    assert run(db, capsys, "solve", t)[0] == 0
    assert run(db, capsys, "followup", t, "--due", "+1h", "--note", "check it held")[0] == 0
    assert run_json(db, capsys, "confirm", t)["followup_due_at"] is None
    assert run_json(db, capsys, "queue", "due") == []


def _aged_store(db: Path) -> tuple[int, int]:
    """Two tickets waiting on the customer since ten days ago, one with a breach on file."""
    clock = FrozenClock(datetime.now(UTC).replace(microsecond=0) - timedelta(days=10))
    with open_store(db, clock) as store:
        kim = make_desk(store, "kim")
        a = operations.create_ticket(kim, subject="a", requester="a@example.com").id
        b = operations.create_ticket(kim, subject="b", requester="b@example.com").id
        operations.reply(kim, a, "logs please")
        clock.advance(days=2)
        operations.reply(kim, b, "logs please")
    return a, b


def test_tick_twice_gives_the_same_result(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, b = _aged_store(db)
    first = run_json(db, capsys, "tick")
    assert first["auto_closed"] == [a, b]
    assert first["breaches"] == []
    shown = run_json(db, capsys, "show", str(a))
    second = run_json(db, capsys, "tick")
    assert second == {
        "clocks_started": 0,
        "breaches": [],
        "followups_due": [],
        "nudges_due": [],
        "auto_closed": [],
        "mail": None,
    }
    assert run_json(db, capsys, "show", str(a)) == shown
    code, out, _ = run(db, capsys, "tick")
    assert out == (
        "clocks started 0 · breaches 0 · follow-ups due 0 · nudges due 0 · auto-closed 0\n"
    )


def test_nudge_queue_and_team_config(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = _aged_store(db)
    config = tmp_path / "team.toml"
    config.write_text('[sla]\nnudge_after = "1d"\nclose_after = "500d"\n')
    monkeypatch.setenv("CONSOLE_CONFIG", str(config))
    rows = run_json(db, capsys, "queue", "nudge")
    assert [r["id"] for r in rows] == [a, b]
    assert run_json(db, capsys, "tick")["nudges_due"] == [a, b]
    silent_since = run_json(db, capsys, "sla", str(a))["clock_since"]
    data = run_json(db, capsys, "nudge", str(a))
    assert data["court"] == "customer"
    assert data["clock_since"] == silent_since  # the customer's wait still counts from then
    assert [r["id"] for r in run_json(db, capsys, "queue", "nudge")] == [b]
    # --config wins over CONSOLE_CONFIG.
    other = tmp_path / "other.toml"
    other.write_text('[sla]\nnudge_after = "400d"\n')
    assert run_json(db, capsys, "--config", str(other), "queue", "nudge") == []
    code, out, _ = run(db, capsys, "queue", "nudge")
    assert code == 0 and f"#{b}" in out and "silent for 8 days" in out


def test_config_option_comes_before_the_verb(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = _aged_store(db)
    config = tmp_path / "team.toml"
    config.write_text('[sla]\nnudge_after = "400d"\nclose_after = "500d"\n')
    code = main(["--db", str(db), "--config", str(config), "queue", "nudge", "--json"])
    out, _ = capsys.readouterr()
    assert code == 0 and json.loads(out) == []


@pytest.mark.parametrize(
    "config_text, message",
    [
        ('[sla]\nfirst_respons = "1h"\n', "team.toml:2: sla: unknown key 'first_respons'"),
        ('[sla]\nresolution = "3 days"\n', "team.toml: sla.resolution: '3 days' is not a duration"),
        ("[sla\n", "team.toml: Expected ']'"),
        (
            '[sla.calendar]\ntimezone = "Nowhere/Void"\n',
            "team.toml: sla.calendar.timezone: unknown time zone 'Nowhere/Void'",
        ),
    ],
)
def test_a_bad_config_is_one_line_and_creates_nothing(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], config_text: str, message: str
) -> None:
    config = tmp_path / "team.toml"
    config.write_text(config_text)
    code, out, err = run(
        db,
        capsys,
        "--config",
        str(config),
        "new",
        "--subject",
        "s",
        "--from",
        "a@example.com",
        "--body",
        "b",
    )
    assert code == 2 and out == ""
    assert err.startswith("console: error: ") and message in err and err.count("\n") == 1
    assert not db.exists()


def test_a_missing_config_is_an_error(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    t = str(new_ticket(db, capsys))
    code, _, err = run(db, capsys, "--config", str(tmp_path / "nope.toml"), "solve", t)
    assert code == 2 and "nope.toml: config file not found" in err
    assert run_json(db, capsys, "sla", t)["status"] == "new"


@pytest.mark.parametrize(
    "argv, code, message",
    [
        (["reply", "{t}"], 2, "--body: the text is empty"),
        (["customer", "{t}", "--body", " "], 2, "--body: the text is empty"),
        (["note", "{t}"], 2, "--body: the text is empty"),
        (
            ["court", "{t}", "moon", "--reason", "x"],
            2,
            "us|customer|vendor: 'moon' is not one of us, customer, vendor",
        ),
        (["court", "{t}", "customer", "--reason", ""], 2, "--reason: why does the move change"),
        (["court", "{t}", "vendor", "--reason", "bug"], 2, "needs the vendor's name and case"),
        (["court", "{t}", "us"], 2, "--reason: why does the move change hands is empty"),
        (["followup", "{t}"], 2, "--due: when? (tue 12:00, tomorrow 9:00, +2h) is empty"),
        (["followup", "{t}", "--due", "soon"], 2, "due time 'soon' is not understood"),
        (["followup", "{t}", "--due", "2020-01-01 10:00"], 2, "is in the past"),
        (["followup", "{t}", "--due", "+1h", "--done"], 2, "unrecognized arguments: --done"),
        (["followup-done", "{t}"], 2, "has no follow-up to clear"),
        (["rate", "{t}", "five"], 2, "SCORE: 'five' is not one of 5, 4, 3, 2, 1"),
        (["rate", "{t}", "0"], 2, "SCORE: '0' is not one of 5, 4, 3, 2, 1"),
        (["rate", "{t}", "5"], 2, "is new: a rating is taken once it is solved or closed"),
        (["confirm", "{t}"], 2, "is new, not solved: there is nothing to confirm"),
        (["bill", "{t}", "--estimate", "90s"], 2, "--estimate: '90s' is not a whole number"),
        (["bill", "{t}", "--estimate", "lots"], 2, "'lots' is not a duration"),
        (["log-time", "{t}", "0m"], 2, "'0m' is not a whole number of minutes"),
        (["approve", "{t}"], 2, "no billable work awaiting approval (it is not billable)"),
        (["nudge", "{t}"], 2, "is not waiting on the customer"),
        (["vendor-answer", "{t}"], 2, "is not with a vendor"),
        (["priority", "{t}", "P9"], 2, "P1|P2|P3|P4: 'P9' is not one of P1, P2, P3, P4"),
        (["tag", "{t}", "-"], 2, "+TAG|-TAG: name a tag to add (+tag) or remove (-tag)"),
        (["split", "{t}", "--messages", "5"], 2, "has no messages; there is no message 5"),
        (["escalate", "{t}"], 2, "--note: what was tried, what is known, what is asked"),
        (["escalate", "{t}", "--to", "L1", "--note", "x"], 2, "from L1 to L1: pick a higher"),
        (["deescalate", "{t}", "--note", "x"], 2, "is already at L1, the first line"),
        (["merge", "{t}", "--into", "{t}"], 2, "into itself"),
        (["unmerge", "{t}"], 2, "is not merged into another ticket"),
        (["unsplit", "{t}"], 2, "has no split to undo"),
        (["checklist", "send", "{t}"], 2, "has no open question to ask"),
        (["answer-front", "{t}", "--answer", "x"], 2, "has no open questions for the front line"),
        (["take", "999"], 1, "ticket #999 does not exist"),
        (["queue", "later"], 2, "invalid choice: 'later'"),
        (["queue", "due", "--limit", "0"], 2, "--limit: 0 is out of range: from 1 to 100,000"),
        (["solve", "999"], 1, "ticket #999 does not exist"),
        (["sla", "999"], 1, "ticket #999 does not exist"),
        (["reply", "x1", "--body", "b"], 2, "'x1' is not a ticket number"),
    ],
)
def test_bad_input_is_one_clear_line_and_changes_nothing(
    db: Path, capsys: pytest.CaptureFixture[str], argv: list[str], code: int, message: str
) -> None:
    t = str(new_ticket(db, capsys))
    before = stored_state(db, capsys, t)
    got, out, err = run(db, capsys, *[a.replace("{t}", t) for a in argv])
    assert (got, out) == (code, "")
    assert message in err and err.count("\n") == 1, err
    assert stored_state(db, capsys, t) == before


def test_the_verbs_run_as_a_module(db: Path, tmp_path: Path) -> None:
    env = {"CONSOLE_DB": str(db), "PATH": "/usr/bin:/bin"}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "console",
            "new",
            "--subject",
            "s",
            "--from",
            "a@example.com",
            "--body",
            "b",
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    done = subprocess.run(
        [sys.executable, "-m", "console", "reply", "1"],
        env=env,
        input=b"piped reply",
        capture_output=True,
    )
    assert done.returncode == 0, done.stderr
    assert b"customer's move" in done.stdout


@pytest.mark.parametrize(
    "argv",
    [
        ["reply", "{t}", "--body", "hi"],
        ["solve", "{t}"],
        ["bill", "{t}", "--estimate", "1h"],
        ["close", "{t}", "--message", "bye"],
    ],
)
def test_back_line_agents_do_not_write_to_the_customer(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    t = str(new_ticket(db, capsys))
    config = tmp_path / "team.toml"
    config.write_text('[agents.kim]\nlines = ["L3"]\n')
    before = stored_state(db, capsys, t)
    code, out, err = run(db, capsys, "--config", str(config), *[a.replace("{t}", t) for a in argv])
    assert code != 0 and out == ""
    assert err == (
        "console: error: kim works L3 and cannot write to the customer; "
        "ask the front line instead\n"
    )
    assert stored_state(db, capsys, t) == before
    # A note, and closing without a message, stay allowed.
    assert run(db, capsys, "--config", str(config), "note", t, "--body", "seen")[0] == 0
