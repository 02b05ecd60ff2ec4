"""The workflow verbs on the command line: the full flow, the queues, the timers, the team
config, and one clear line for every kind of bad input."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from console.cli import main
from console.core import workflow
from console.core.sla import SlaPolicy
from console.core.store import Store
from tests.unit.sla_helpers import FrozenClock


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
    data["workflow"]["sla"].pop("left")
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
    assert code == 0 and out.startswith(f"#{t} new · OUR MOVE · next_update due ")
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
    assert out.strip() == f"#{t} waiting · vendor's move"
    code, out, _ = run(db, capsys, "vendor-answer", t, "--body", "Update to 2.3")
    assert "OUR MOVE" in out
    code, out, _ = run(db, capsys, "note", t, "--body", "told them to update")
    assert code == 0 and "OUR MOVE" in out


def test_bodies_come_from_stdin(
    db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    t = str(new_ticket(db, capsys))
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"From the phone: \xff ok")))
    assert run(db, capsys, "customer", t, "--from", "phone call")[0] == 0
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
    assert run(db, capsys, "followup", str(t), "--done")[0] == 0
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
    assert [r["id"] for r in rows] == [p2 + 1, p2]  # P1's first response is due sooner
    code, out, _ = run(db, capsys, "queue", "breach")
    assert "first_response" in out and "Site down" in out


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


def _aged_store(db: Path) -> tuple[int, int]:
    """Two tickets waiting on the customer since ten days ago, one with a breach on file."""
    clock = FrozenClock(datetime.now(UTC).replace(microsecond=0) - timedelta(days=10))
    with Store.open(db, clock=clock) as store:
        policy = SlaPolicy()
        a = workflow.create_ticket(
            store, "kim", policy=policy, subject="a", requester="a@example.com"
        ).id
        b = workflow.create_ticket(
            store, "kim", policy=policy, subject="b", requester="b@example.com"
        ).id
        workflow.reply(store, "kim", a, "logs please", policy=policy)
        clock.advance(days=2)
        workflow.reply(store, "kim", b, "logs please", policy=policy)
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
    data = run_json(db, capsys, "nudge", str(a))
    assert data["court"] == "customer"
    assert [r["id"] for r in run_json(db, capsys, "queue", "nudge")] == [b]
    # --config wins over CONSOLE_CONFIG.
    other = tmp_path / "other.toml"
    other.write_text('[sla]\nnudge_after = "400d"\n')
    assert run_json(db, capsys, "--config", str(other), "queue", "nudge") == []
    code, out, _ = run(db, capsys, "queue", "nudge")
    assert code == 0 and f"#{b}" in out and "silent since" in out


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
        ('[sla]\nfirst_respons = "1h"\n', "team.toml: sla: unknown key 'first_respons'"),
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
        (["reply", "{t}"], 2, "the reply is empty: give --body TEXT or pipe it on stdin"),
        (["customer", "{t}", "--body", " "], 2, "the customer's message is empty"),
        (["note", "{t}"], 2, "the note is empty"),
        (["court", "{t}", "moon", "--reason", "x"], 2, "unknown court 'moon'"),
        (["court", "{t}", "customer", "--reason", ""], 2, "the reason for moving the ticket is"),
        (["court", "{t}", "vendor", "--reason", "bug"], 2, "needs the vendor's name and case"),
        (["court", "{t}", "us"], 2, "the following arguments are required: --reason"),
        (["followup", "{t}"], 2, "say when the follow-up is due: --due WHEN"),
        (["followup", "{t}", "--due", "soon"], 2, "due time 'soon' is not understood"),
        (["followup", "{t}", "--due", "2020-01-01 10:00"], 2, "is in the past"),
        (["followup", "{t}", "--due", "+1h", "--done"], 2, "give either --due WHEN or --done"),
        (["rate", "{t}", "five"], 2, "rating 'five' is not a number"),
        (["rate", "{t}", "0"], 2, "rating 0 is out of range"),
        (["rate", "{t}", "5"], 2, "is new: a rating is taken once it is solved or closed"),
        (["confirm", "{t}"], 2, "is new, not solved: there is nothing to confirm"),
        (["bill", "{t}", "--estimate", "90s"], 2, "--estimate: '90s' is not a whole number"),
        (["bill", "{t}", "--estimate", "lots"], 2, "--estimate: 'lots' is not a duration"),
        (["log-time", "{t}", "0m"], 2, "'0m' is not a whole number of minutes"),
        (["approve", "{t}"], 2, "no billable work awaiting approval (it is not billable)"),
        (["nudge", "{t}"], 2, "is not waiting on the customer"),
        (["vendor-answer", "{t}"], 2, "is not with a vendor"),
        (["queue", "later"], 2, "invalid choice: 'later'"),
        (["queue", "due", "--limit", "0"], 2, "--limit must be at least 1"),
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
    assert "kim works L3 and cannot reply to the customer" in err
    assert stored_state(db, capsys, t) == before
    # A note, and closing without a message, stay allowed.
    assert run(db, capsys, "--config", str(config), "note", t, "--body", "seen")[0] == 0
