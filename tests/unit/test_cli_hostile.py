"""Every verb of the command line, driven with hostile arguments: invalid UTF-8, control
characters, huge and negative numbers, digits of other scripts, empty and very long strings.

Whatever comes in, a verb either succeeds or says what was wrong in one line on stderr with a
non-zero exit code, and a refused command leaves the database exactly as it was. A traceback
fails the test (`main` is called in process, so any exception reaches pytest)."""

from __future__ import annotations

import argparse
import hashlib
import io
import shutil
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.cli import build_parser, main
from console.core.store import Store

SKIPPED = {
    ("demo",): "builds a database of its own",
    ("bench", "dupes"): "a benchmark",
    ("embed",): "needs the semantic extra",
    ("copy",): "writes to the clipboard",
}
SKIPPED_OPTIONS = {"--copy", "--help"}

HOSTILE_VALUES = [
    "",
    " ",
    "1",
    "#1",
    "0",
    "-1",
    "99999999999999999999",
    "9223372036854775808",
    "1e9",
    "٣",
    "L2",
    "P1",
    "customer",
    "alice",
    "a@example.com",
    "30m",
    "99999999999w",
    "+9999999d",
    "9999-12-31 10:00",
    "bad \udcff\udcfe",
    "\x1b]0;title\x07",
    "line\r\nBcc: x@example.com",
    "nul\x00byte",
    "../../etc/passwd",
    "x" * 5000,
    "\u202eevil",
    "+tag -other",
    'NEAR("a" "b")',
]
HOSTILE = st.one_of(st.sampled_from(HOSTILE_VALUES), st.text(max_size=40))


def verbs() -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """Every verb's words (`("mail", "import")`) and its parser."""

    def walk(
        parser: argparse.ArgumentParser, words: tuple[str, ...]
    ) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    yield from walk(sub, (*words, name))
                return
        yield words, parser

    yield from walk(build_parser(), ())


VERBS = [(words, parser) for words, parser in verbs() if words not in SKIPPED]
EACH_VERB = pytest.mark.parametrize(
    ("words", "parser"), VERBS, ids=[" ".join(words) for words, _ in VERBS]
)


@st.composite
def command(draw: st.DrawFn, parser: argparse.ArgumentParser) -> list[str]:
    """A command line for one verb: a hostile value for each positional, and some of its
    options, each with a hostile value when it takes one."""
    argv: list[str] = []
    for action in parser._actions:
        if not action.option_strings:
            argv.append(draw(HOSTILE))
            continue
        name = action.option_strings[0]
        if name in SKIPPED_OPTIONS or not draw(st.booleans()):
            continue
        argv.append(name)
        if action.nargs != 0:
            argv.append(draw(HOSTILE))
    return argv


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small desk in several states: open, answered, solved, closed, escalated, merged."""
    path = tmp_path_factory.mktemp("hostile") / "template.db"
    steps = [
        *(["new", "--subject", f"Case {n}", "--from", f"c{n}@example.com", "--body", "Hi."]
          for n in range(1, 7)),
        ["reply", "2", "--body", "Try this."],
        ["solve", "3", "--body", "Fixed."],
        ["close", "4", "--reason", "done"],
        ["escalate", "5", "--note", "needs the experts"],
        ["merge", "6", "--into", "1"],
    ]  # fmt: skip
    for step in steps:
        assert main(["--db", str(path), "--as", "alice", *step]) == 0, step
    for leftover in (Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)
    return path


def content(path: Path) -> str:
    """A digest of everything the database holds."""
    conn = sqlite3.connect(path)
    try:
        return hashlib.sha256("\n".join(conn.iterdump()).encode()).hexdigest()
    finally:
        conn.close()


class _Stdin(io.StringIO):
    """Piped, empty standard input (a verb that reads it gets nothing)."""

    buffer = io.BytesIO(b"")

    def isatty(self) -> bool:
        return False


def _in_a_sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, template: Path) -> Path:
    """A copy of the template desk, run from `tmp_path` with empty piped input and no team
    config: a file a verb saves lands here, whatever path it was given."""
    db = tmp_path / "desk.db"
    for leftover in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copy(template, db)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "stdin", _Stdin())
    monkeypatch.setenv("CONSOLE_CONFIG", str(tmp_path / "none.toml"))
    return db


def _runs_or_refuses(
    db: Path, argv: list[str], capsys: pytest.CaptureFixture[str], before: str
) -> str:
    """Run `argv`; a refusal must be one inert line and change nothing. Returns the digest
    of the database afterwards."""
    capsys.readouterr()
    code = main(["--db", str(db), "--as", "alice", *argv])
    err = capsys.readouterr().err
    assert isinstance(code, int)
    assert "\x1b" not in err and "\r" not in err, f"an error message let a control act: {argv}"
    if code == 0:
        return content(db)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("console"), (argv, err)
    assert content(db) == before, f"refused, yet the database changed: {argv}"
    return before


@EACH_VERB
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_a_verb_succeeds_or_says_what_was_wrong_and_changes_nothing(
    template: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    words: tuple[str, ...],
    parser: argparse.ArgumentParser,
    data: st.DataObject,
) -> None:
    argv = [*words, *data.draw(command(parser))]
    db = _in_a_sandbox(tmp_path, monkeypatch, template)
    _runs_or_refuses(db, argv, capsys, content(db))


SWEEP = HOSTILE_VALUES
"""The values the sweep puts in every slot of every verb, one slot at a time."""


@EACH_VERB
def test_every_slot_of_a_verb_takes_every_hostile_value(
    template: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    words: tuple[str, ...],
    parser: argparse.ArgumentParser,
) -> None:
    """Systematic where the property test above samples: each positional and each option in
    turn gets each value of `SWEEP`, the other positionals a plain "1"."""
    positionals = [a for a in parser._actions if not a.option_strings]
    options = [
        a.option_strings[0]
        for a in parser._actions
        if a.option_strings and a.nargs != 0 and a.option_strings[0] not in SKIPPED_OPTIONS
    ]
    db = _in_a_sandbox(tmp_path, monkeypatch, template)
    before = content(db)
    for slot in [*range(len(positionals)), *options]:
        for value in SWEEP:
            plain = ["1"] * len(positionals)
            if isinstance(slot, int):
                plain[slot] = value
                argv = [*words, *plain]
            else:
                argv = [*words, *plain, slot, value]
            before = _runs_or_refuses(db, argv, capsys, before)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
# No NUL: a command line cannot hold one (the sweep checks it is refused).
@given(body=st.text(min_size=1, max_size=300).filter(lambda t: t.strip() and "\x00" not in t))
def test_text_is_stored_exactly_as_typed(
    tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str], body: str
) -> None:
    db = tmp_path_factory.mktemp("exact") / "desk.db"
    subject = body.strip()[:200]
    # `--body=TEXT`: a text that begins with "-" would be read as an option otherwise.
    code = main(
        [
            "--db",
            str(db),
            "new",
            f"--subject={subject}",
            "--from",
            "a@example.com",
            f"--body={body}",
        ]
    )
    err = capsys.readouterr().err
    if not any(c.isprintable() and not c.isspace() for c in subject):
        assert code == 2 and "the subject is empty" in err
        return
    assert code == 0
    assert main(["--db", str(db), "note", "1", f"--body={body}"]) == 0
    with Store.open(db, create=False) as store:
        ticket = store.ticket(1)
        assert (ticket.subject, ticket.body) == (subject, body)
        assert store.messages(1)[-1].body == body


def test_a_long_subject_is_refused_with_its_limit(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "desk.db"
    args = ["--db", str(db), "new", "--from", "a@example.com", "--body", "b", "--subject"]
    assert main([*args, "x" * 1001]) == 2
    assert "the subject is 1,001 characters long: at most 1,000" in capsys.readouterr().err
    assert main([*args, "x" * 1000]) == 0
