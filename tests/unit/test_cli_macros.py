"""`console macro ...` and `console checklist ...` end to end on a real database file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tty
from pathlib import Path

import pyperclip
import pytest

from console.cli import main
from console.core import clipboard


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    monkeypatch.delenv("CONSOLE_MACROS", raising=False)
    monkeypatch.delenv("TMUX", raising=False)
    monkeypatch.delenv("STY", raising=False)
    path = str(tmp_path / "t.db")
    assert (
        main(
            [
                "--db",
                path,
                "new",
                "--subject",
                "Export fails",
                "--from",
                "Ann Lee <ann@example.com>",
                "--body",
                "help",
            ]
        )
        == 0
    )
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_macro_list_and_search(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--db", db, "macro", "list")
    assert code == 0 and out.splitlines()[0].startswith("need-details ")
    code, out, _ = run(capsys, "--db", db, "macro", "list", "--search", "pasword", "--json")
    found = json.loads(out)
    assert found[0]["id"] == "password-reset" and found[0]["score"] > 70
    assert found[0]["actions"] == {
        "status": "solved",
        "court": "customer",
        "tags": ["password-reset"],
    }


def test_checklist_list(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--db", db, "checklist", "list", "--json")
    ids = [c["id"] for c in json.loads(out)]
    assert code == 0 and "request-template" in ids and "self-diagnosis.uk" in ids


def test_show_rendered_for_a_ticket(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "--db", db, "--as", "amy", "macro", "show", "confirm-fix", "--ticket", "1"
    )
    assert code == 0
    assert "  will set status to solved\n" in out
    assert 'we have fixed the problem described in ticket #1 ("Export fails")' in out
    code, out, _ = run(
        capsys, "--db", db, "macro", "show", "confirm-fix", "--ticket", "1", "--json"
    )
    assert json.loads(out)["will"][0] == "add a public reply"


def test_apply_then_checklist_flow(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--db", db, "--as", "amy", "macro", "apply", "need-details", "1")
    assert (code, err) == (0, "")
    assert out.startswith(
        "#1: macro need-details applied: added a reply; set status to waiting; "
        "set court to customer; attach checklist request-template; "
        "promised the customer an update by "
    )
    code, out, _ = run(capsys, "--db", db, "show", "1", "--json")
    [reply] = json.loads(out)["messages"]
    assert (reply["kind"], reply["author"]) == ("reply", "amy")
    assert reply["body"].startswith("Hello Ann,")
    code, out, _ = run(
        capsys,
        "--db",
        db,
        "--as",
        "amy",
        "checklist",
        "answer",
        "1",
        "5",
        "--text",
        "screenshot.png",
    )
    assert out == "#1: question 5 answered; 4 still open\n"
    code, out, _ = run(capsys, "--db", db, "checklist", "ask", "1", "--json")
    asked = json.loads(out)
    assert [q["question_id"] for q in asked["questions"]] == ["did", "expected", "got", "env"]
    assert "\n1. What did you do, step by step" in asked["message"]
    code, out, _ = run(capsys, "--db", db, "show", "1", "--json")
    assert len(json.loads(out)["messages"]) == 1  # `ask` only composes the message
    code, out, _ = run(capsys, "--db", db, "checklist", "show", "1")
    assert "   5. [x] screenshot:" in out and "screenshot.png" in out
    code, out, _ = run(capsys, "--db", db, "checklist", "reopen", "1", "5")
    assert out == "#1: question 5 is open again; 5 open\n"
    code, out, _ = run(capsys, "--db", db, "checklist", "send", "1", "--json")
    sent = json.loads(out)
    assert sent["done"] == "#1: the open questions are sent; the customer's move"
    assert (sent["status"], sent["court"]) == ("waiting", "customer")
    assert "\n5. Could you send" in sent["message"]
    code, out, _ = run(capsys, "--db", db, "show", "1", "--json")
    assert [m["body"] for m in json.loads(out)["messages"]][-1] == sent["message"]


def test_apply_json_says_what_was_done_like_every_verb(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "--db", db, "macro", "apply", "ask-screenshot", "1", "--json")
    data = json.loads(out)
    assert code == 0 and data["message_id"] == 1 and data["text"].startswith("Hello Ann,")
    assert data["done"] == (
        "#1: macro ask-screenshot applied: added a reply; set status to waiting; "
        "set court to customer"
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["macro", "apply", "nope", "1"], "console: error: no macro 'nope' (did you mean"),
        (["macro", "apply", "nudge", "7"], "console: error: ticket #7 does not exist"),
        (["checklist", "attach", "1", "nope"], "console: error: no checklist 'nope'"),
        (
            ["checklist", "answer", "1", "1", "--text", "x"],
            "console: error: ticket #1 has no checklist: attach one first",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_code(
    db: str, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, "--db", db, *argv)
    assert code in (1, 2) and out == "" and err.startswith(message) and err.count("\n") == 1


def test_broken_macros_file_names_file_line_and_key(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[[macro]]\nid = "x"\ntitle = "X"\nbody = "Hi {customer.nam}"\n')
    code, _, err = run(capsys, "--db", db, "--macros", str(bad), "macro", "check")
    assert code == 2
    assert err == (
        f"console: error: {bad}:4: macro[x].body: unknown placeholder "
        "{customer.nam} (did you mean {customer.name}?)\n"
    )


def test_environment_and_personal_file(
    db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    team = tmp_path / "team.toml"
    team.write_text('[[macro]]\nid = "hi"\ntitle = "Team hi"\nbody = "Hi"\n')
    monkeypatch.setenv("CONSOLE_MACROS", str(team))
    personal = tmp_path / "cfg/console/macros.toml"
    personal.parent.mkdir(parents=True)
    personal.write_text('[[macro]]\nid = "hi"\ntitle = "My hi"\nbody = "Hey"\n')
    code, out, _ = run(capsys, "--db", db, "macro", "list", "--json")
    assert [(m["id"], m["title"]) for m in json.loads(out)] == [("hi", "My hi")]


def test_apply_copy_writes_osc52_to_the_terminal(
    db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    master, slave = os.openpty()
    tty.setraw(slave)
    copied: list[str] = []
    monkeypatch.setattr(pyperclip, "copy", copied.append)
    monkeypatch.setattr(clipboard, "TERMINAL", os.ttyname(slave))
    try:
        code, out, err = run(
            capsys, "--db", db, "macro", "apply", "ask-screenshot", "1", "--copy", "--json"
        )
        data = json.loads(out)
        assert os.read(master, 65536) == clipboard.osc52_sequence(data["text"]).encode()
    finally:
        os.close(slave)
        os.close(master)
    assert copied == [data["text"]] and data["copy"]["ok"]
    assert [p["ok"] for p in data["copy"]["paths"]] == [True, True]


def test_copy_without_any_clipboard_says_so(
    db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "pyperclip", None)
    monkeypatch.setattr(clipboard, "TERMINAL", str(tmp_path / "no-tty-dir/tty"))
    run(capsys, "--db", db, "checklist", "attach", "1", "self-diagnosis")
    code, out, err = run(capsys, "--db", db, "checklist", "ask", "1", "--copy")
    assert code == 0 and "1. Does it happen every time" in out
    assert err.startswith("nothing was copied: no clipboard path worked")


def test_runs_as_a_module(db: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "console", "--db", db, "macro", "show", "nudge"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and result.stdout.startswith("nudge: Nudge a customer")


def test_check_summarises_good_files(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "macro", "check", "--json")
    data = json.loads(out)
    assert code == 0 and data["macros"] >= 21 and data["checklists"] == 6
    assert data["files"][0].endswith("macros.toml")
