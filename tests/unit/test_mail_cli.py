"""`console mail receive`, `mail log` and `attachment list|save` as a mail server and an agent
use them: the exit codes a mail server understands, and a ticket's files by number."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from console.cli import main
from tests.unit.test_mail_intake import mail


def run(capsys, monkeypatch, db: Path, *args: str, stdin: bytes = b"") -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    code = main(["--db", str(db), "--as", "postfix", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_receive_takes_a_message_once_and_says_where_it_went(
    capsys, monkeypatch, db_path: Path
) -> None:
    raw = mail(files={"report.pdf": b"%PDF-1.4 report"})
    code, out, err = run(capsys, monkeypatch, db_path, "mail", "receive", stdin=raw)
    assert (code, out.strip(), err) == (0, "<m1@example.com>: new ticket #1", "")
    code, out, _ = run(capsys, monkeypatch, db_path, "mail", "receive", stdin=raw)
    assert (code, out.strip()) == (0, "<m1@example.com>: already taken: new ticket #1")
    code, out, _ = run(capsys, monkeypatch, db_path, "mail", "receive", "--json", stdin=raw)
    assert json.loads(out)["already"] is True


def test_receive_refuses_no_message_for_good_and_a_desk_problem_for_now(
    capsys, monkeypatch, db_path: Path, tmp_path: Path
) -> None:
    code, _, err = run(capsys, monkeypatch, db_path, "mail", "receive", stdin=b"\n\n")
    assert code == 65 and "no message" in err
    config = tmp_path / "console.toml"
    config.write_text('[mail]\naddress = "not an address"\n')
    code, _, err = run(
        capsys, monkeypatch, db_path, "--config", str(config), "mail", "receive", stdin=mail()
    )
    assert code == 75 and "try again" in err and "mail.address" in err
    config.write_text('[mail]\naddress = "support@desk.example.com"\n')
    code, out, _ = run(
        capsys, monkeypatch, db_path, "--config", str(config), "mail", "receive", stdin=mail()
    )
    assert code == 0 and "new ticket #1" in out


def test_show_lists_the_files_and_the_channel(capsys, monkeypatch, db_path: Path) -> None:
    raw = mail(files={"report.pdf": b"%PDF-1.4 report"})
    run(capsys, monkeypatch, db_path, "mail", "receive", stdin=raw)
    code, out, _ = run(capsys, monkeypatch, db_path, "show", "1")
    assert code == 0 and "by e-mail" in out and "files: 1 report.pdf (15 bytes)" in out
    code, out, _ = run(capsys, monkeypatch, db_path, "show", "1", "--json")
    shown = json.loads(out)
    assert shown["channel"] == "email"
    assert [(f["number"], f["filename"], f["size"]) for f in shown["files"]] == [
        (1, "report.pdf", 15)
    ]


def test_attachment_list_and_save(capsys, monkeypatch, db_path: Path, tmp_path: Path) -> None:
    raw = mail(files={"../report.pdf": b"%PDF-1.4 report"})
    run(capsys, monkeypatch, db_path, "mail", "receive", stdin=raw)
    code, out, _ = run(capsys, monkeypatch, db_path, "attachment", "list", "1")
    assert (code, out.split()) == (0, ["1", "report.pdf", "15", "bytes"])
    code, out, _ = run(capsys, monkeypatch, db_path, "attachment", "save", "1", "1", str(tmp_path))
    assert code == 0 and (tmp_path / "report.pdf").read_bytes() == b"%PDF-1.4 report"
    code, _, err = run(capsys, monkeypatch, db_path, "attachment", "save", "1", "1", str(tmp_path))
    assert code != 0 and "exists" in err
    code, _, err = run(capsys, monkeypatch, db_path, "attachment", "save", "1", "2")
    assert code != 0 and "has no file 2 (it has 1 to 1)" in err
    code, _, err = run(capsys, monkeypatch, db_path, "attachment", "save", "1", "x")
    assert code == 2 and "FILE: 'x' is not a number" in err


@pytest.mark.parametrize("as_json", [False, True])
def test_mail_log_says_what_became_of_each_message(
    capsys, monkeypatch, db_path: Path, as_json: bool
) -> None:
    run(capsys, monkeypatch, db_path, "mail", "receive", stdin=mail())
    looped = mail("support@desk.example.com", mail_id="<o1@desk.example.com>")
    config = db_path.parent / "console.toml"
    config.write_text('[mail]\naddress = "support@desk.example.com"\n')
    run(capsys, monkeypatch, db_path, "--config", str(config), "mail", "receive", stdin=looped)
    args = ["mail", "log", "--json"] if as_json else ["mail", "log"]
    code, out, _ = run(capsys, monkeypatch, db_path, *args)
    assert code == 0
    if as_json:
        assert [r["outcome"] for r in json.loads(out)] == ["dropped", "new"]
    else:
        first, second = out.splitlines()
        assert "dropped: the desk's own mail, come back" in first
        assert "Printer jams → new ticket #1" in second


def test_show_folds_the_quoted_history_unless_asked(capsys, monkeypatch, db_path: Path) -> None:
    body = "Still jams.\n\nOn Mon, 2 Nov 2026 at 10:05, Support <s@desk.example.com> wrote:\n> x"
    run(capsys, monkeypatch, db_path, "mail", "receive", stdin=mail(body=body))
    code, out, _ = run(capsys, monkeypatch, db_path, "show", "1")
    assert "Still jams.\n[2 quoted lines folded; `console show 1 --quoted` shows them]" in out
    assert "> x" not in out
    code, out, _ = run(capsys, monkeypatch, db_path, "show", "1", "--quoted")
    assert "> x" in out and "folded" not in out
