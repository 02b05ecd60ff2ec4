"""The `console` command as scripts use it: exit codes, stdout, stderr, JSON."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from console.cli import main


def run(capsys, db: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--db", str(db), "--as", "ann", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_new_then_list_and_show(capsys, db_path: Path) -> None:
    code, out, _ = run(
        capsys,
        db_path,
        "new",
        "--subject",
        "VPN down",
        "--from",
        "ops@example.com",
        "--priority",
        "P1",
        "--line",
        "L2",
        "--body",
        "since 3am",
    )
    assert code == 0 and out.strip() == "1"
    code, out, _ = run(capsys, db_path, "list", "--json")
    [row] = json.loads(out)
    assert (row["id"], row["priority"], row["line"], row["court"]) == (1, "P1", "L2", "us")
    code, out, _ = run(capsys, db_path, "show", "1", "--json")
    shown = json.loads(out)
    for key in (
        "id",
        "subject",
        "body",
        "requester",
        "line",
        "priority",
        "status",
        "court",
        "assignee",
        "version",
        "messages",
        "events",
    ):
        assert key in shown
    assert shown["body"] == "since 3am" and shown["events"][0]["actor"] == "ann"
    code, out, _ = run(capsys, db_path, "show", "#1")
    assert "VPN down" in out and "OUR MOVE" not in out and "since 3am" in out


def test_new_prints_json_with_the_id(capsys, db_path: Path) -> None:
    code, out, _ = run(
        capsys, db_path, "new", "--subject", "s", "--from", "a@b.c", "--body", "", "--json"
    )
    assert code == 0 and json.loads(out)["id"] == 1


def test_list_filters(capsys, db_path: Path) -> None:
    for line in ("L1", "L2", "L2"):
        run(
            capsys,
            db_path,
            "new",
            "--subject",
            f"on {line}",
            "--from",
            "a@b.c",
            "--line",
            line,
            "--body",
            "x",
        )
    code, out, _ = run(capsys, db_path, "list", "--line", "l2", "--json", "--limit", "1")
    assert [r["line"] for r in json.loads(out)] == ["L2"]
    code, out, _ = run(capsys, db_path, "list", "--court", "customer")
    assert out == ""
    code, out, _ = run(capsys, db_path, "list")
    assert out.count("OUR MOVE") == 3


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["show", "42"], 1, "ticket #42 does not exist"),
        (["show", "abc"], 2, "'abc' is not a ticket number"),
        (
            ["new", "--subject", "x", "--from", "a@b.c", "--priority", "P9", "--body", "b"],
            2,
            "unknown priority 'P9'",
        ),
        (
            ["new", "--from", "a@b.c", "--body", "b"],
            2,
            "the following arguments are required: --subject",
        ),
        (["new", "--subject", " ", "--from", "a@b.c", "--body", "b"], 2, "the subject is empty"),
        (["new", "--subject", "x", "--from", "nobody@", "--body", "b"], 2, "not an e-mail address"),
        (
            ["new", "--subject", "x", "--requester", "12", "--body", "b"],
            2,
            "requester '12' is neither an e-mail address, a phone number nor a name",
        ),
        (["new", "--subject", "x", "--requester", " ", "--body", "b"], 2, "the requester is empty"),
        (["list", "--status", "lost"], 2, "unknown status 'lost'"),
        (["list", "--limit", "0"], 2, "--limit: 0 is out of range: from 1 to 100,000"),
        (["list", "--offset", "99999999999999999999"], 2, "is not a whole number"),
        (["list", "--limit", "٣"], 2, "'٣' is not a whole number"),
        (["show", "9223372036854775808"], 2, "is not a ticket number"),
        (["note", "1", "--body", "bad \udcff"], 2, "--body: 'bad \\xff' is not UTF-8 text"),
        (["followup", "1", "--due", "+9999999d"], 2, "longer than the longest allowed, 10 years"),
        (["followup", "1", "--due", "9999-12-31 10:00"], 2, "more than 10 years away"),
        (["log-time", "1", "99999999999999999999w"], 2, "longer than the longest allowed"),
    ],
)
def test_bad_input_is_one_line_on_stderr_and_changes_nothing(
    capsys, db_path, args, code, message
) -> None:
    run(capsys, db_path, "new", "--subject", "keep me", "--from", "a@b.c", "--body", "x")
    before = db_path.read_bytes()
    assert main(["--db", str(db_path), *args]) == code
    out, err = capsys.readouterr()
    assert message in err and len(err.strip().splitlines()) == 1
    assert db_path.read_bytes() == before


def test_unreadable_and_newer_databases(capsys, tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not sqlite at all" * 64)
    assert main(["--db", str(junk), "list"]) == 1
    assert "not a console database" in capsys.readouterr().err
    assert main(["--db", str(tmp_path / "none.db"), "list"]) == 1
    assert "no such database" in capsys.readouterr().err


def _console(db: Path, *args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "console", "--db", str(db), "--as", "mon", *args],
        input=stdin,
        capture_output=True,
        timeout=60,
    )


def test_monitoring_alert_piped_on_stdin_keeps_bytes(db_path: Path) -> None:
    alert = b"CRITICAL disk 99% \xff\xfe\x1b]52;c;cHduZWQ=\x07 [bold]x[/]"
    made = _console(
        db_path,
        "new",
        "--subject",
        "disk full",
        "--from",
        "nagios@example.com",
        "--json",
        stdin=alert,
    )
    assert made.returncode == 0, made.stderr
    number = json.loads(made.stdout)["id"]
    shown = json.loads(_console(db_path, "show", str(number), "--json").stdout)
    import base64

    assert base64.b64decode(shown["body_raw_base64"]) == alert
    plain = _console(db_path, "show", str(number)).stdout
    assert b"\x1b" not in plain and b"\x07" not in plain and b"[bold]x[/]" in plain


def test_python_dash_m_and_tui_needs_a_terminal(db_path: Path) -> None:
    result = _console(db_path)
    assert result.returncode == 2 and b"needs a terminal" in result.stderr


def test_show_tells_what_surrounds_the_ticket(capsys, db_path: Path) -> None:
    for subject in ("Outage", "Cannot log in"):
        run(capsys, db_path, "new", "--subject", subject, "--from", "a@b.c", "--body", "x")
    run(capsys, db_path, "link", "2", "--parent", "1")
    run(capsys, db_path, "escalate", "1", "--note", "need the expert")
    run(capsys, db_path, "checklist", "attach", "1", "self-diagnosis")
    code, out, _ = run(capsys, db_path, "show", "1")
    for expected in (
        "SLA: first response due in ",
        "hand-off L1 → L2 by ann: need the expert",
        "child ticket #2",
        "parent problem of 1 tickets",
        "checklist self-diagnosis: 0 of ",
    ):
        assert expected in out
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", out)  # moments in words, not ISO
    assert "version" not in out
    code, out, _ = run(capsys, db_path, "show", "2")
    assert "hangs on parent problem #1" in out
    code, out, _ = run(capsys, db_path, "show", "1", "--json")
    shown = json.loads(out)
    assert shown["children"] == 1 and shown["handoff"]["note"] == "need the expert"
    assert shown["workflow"]["sla"]["kind"] == "first_response"
    assert shown["checklists"][0]["checklist"] == "self-diagnosis"


def test_a_database_held_too_long_says_by_what_and_to_try_again(
    capsys, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from console.core import store as store_module
    from console.core.store import Store

    run(capsys, db_path, "new", "--subject", "keep me", "--from", "a@b.c", "--body", "x")
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_MS", 100)
    with Store.open(db_path) as holder, holder.holding("a mail import of old.mbox"):
        with holder.transaction():
            assert main(["--db", str(db_path), "note", "1", "--body", "hello"]) == 75
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "the database is busy: a mail import of old.mbox" in err
    assert "Nothing was changed; try again in a moment." in err
    assert not Path(f"{db_path}-holder").exists(), "the note goes when the work ends"
    with Store.open(db_path) as store:
        assert [m.body for m in store.messages(1)] == []
