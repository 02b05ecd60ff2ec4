"""The clipboard helper: OSC 52 to a real terminal (a pty), pyperclip working, failing, absent.

pyperclip's functions are the one thing replaced here: this machine has no local clipboard."""

from __future__ import annotations

import base64
import io
import json
import os
import sys
import tty
from collections.abc import Iterator

import pyperclip
import pytest

from console.core import clipboard


@pytest.fixture
def pty() -> Iterator[tuple[int, str]]:
    """A real pseudo-terminal: (the master side to read from, the path of the terminal)."""
    master, slave = os.openpty()
    tty.setraw(slave)
    try:
        yield master, os.ttyname(slave)
    finally:
        os.close(slave)
        os.close(master)


@pytest.fixture
def local_clipboard(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    copied: list[str] = []
    monkeypatch.setattr(pyperclip, "copy", copied.append)
    return copied


@pytest.fixture(autouse=True)
def no_multiplexer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TMUX", raising=False)
    monkeypatch.delenv("STY", raising=False)


def test_osc52_sequence_is_base64_of_utf8() -> None:
    text = "Привіт, ticket #42\n"
    payload = base64.b64encode(text.encode()).decode()
    assert clipboard.osc52_sequence(text) == f"\x1b]52;c;{payload}\x07"
    wrapped = clipboard.osc52_sequence("x", multiplexer="tmux")
    assert wrapped == "\x1bPtmux;\x1b\x1b]52;c;eA==\x07\x1b\\"
    long = clipboard.osc52_sequence("y" * 60, multiplexer="screen")
    payload = base64.b64encode(b"y" * 60).decode()
    assert long == ("\x1bP\x1b]52;c;" + payload[:76] + "\x1b\\\x1bP" + payload[76:] + "\x07\x1b\\")


def test_osc52_bytes_reach_the_terminal(pty: tuple[int, str], local_clipboard: list[str]) -> None:
    master, path = pty
    terminal = clipboard.open_terminal(path)
    assert terminal is not None
    with terminal:
        report = clipboard.copy("hello \x1b[2J world", terminal)
    expected = clipboard.osc52_sequence("hello \x1b[2J world").encode()
    assert os.read(master, 4096) == expected
    assert report.ok and local_clipboard == ["hello \x1b[2J world"]
    assert report.summary() == (
        "copied 16 characters (terminal (OSC 52): yes (sent; the terminal must allow clipboard "
        "writes); local clipboard: yes (pyperclip))"
    )


def test_pyperclip_failing_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(text: str) -> None:
        raise pyperclip.PyperclipException("Pyperclip could not find a copy/paste mechanism")

    monkeypatch.setattr(pyperclip, "copy", fail)
    report = clipboard.copy("x", io.BytesIO())
    assert report.ok  # the terminal path still went
    assert report.paths[1] == clipboard.PathResult(
        "local clipboard",
        False,
        "no local clipboard: Pyperclip could not find a copy/paste mechanism",
    )


def test_pyperclip_absent_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyperclip", None)  # import now fails
    assert clipboard.copy_local("x") == clipboard.PathResult(
        "local clipboard", False, "pyperclip is not installed"
    )


def test_no_path_at_all_says_so_plainly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyperclip", None)
    report = clipboard.copy("x", None)
    assert not report.ok
    assert report.summary() == (
        "nothing was copied: no clipboard path worked (terminal (OSC 52): no (no terminal to "
        "send it to); local clipboard: no (pyperclip is not installed))"
    )


def test_too_long_for_osc52_is_not_sent(local_clipboard: list[str]) -> None:
    sink = io.BytesIO()
    report = clipboard.copy("x" * clipboard.OSC52_LIMIT, sink)
    assert sink.getvalue() == b"" and not report.paths[0].ok and report.paths[1].ok


def test_copy_via_the_tuis_sender(local_clipboard: list[str]) -> None:
    sent: list[str] = []
    report = clipboard.copy_via("reply text", sent.append)
    assert sent == ["reply text"] and local_clipboard == ["reply text"] and report.ok

    def broken(text: str) -> None:
        raise OSError("terminal gone")

    assert not clipboard.copy_via("x", broken, local=False).ok


def test_no_controlling_terminal(tmp_path: os.PathLike[str]) -> None:
    assert clipboard.open_terminal(os.path.join(tmp_path, "missing", "tty")) is None


def test_inside_tmux_the_sequence_is_wrapped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TMUX", "default,1,0")
    sink = io.BytesIO()
    clipboard.write_osc52("x", sink)
    assert sink.getvalue() == clipboard.osc52_sequence("x", multiplexer="tmux").encode()


def test_console_copy_puts_the_ticket_and_its_thread_on_the_clipboard(
    pty: tuple[int, str],
    local_clipboard: list[str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    db_path: os.PathLike[str],
) -> None:
    from console.cli import main

    master, path = pty
    monkeypatch.setattr(clipboard, "TERMINAL", path)
    db = ["--db", str(db_path), "--as", "amy"]
    assert (
        main([*db, "new", "--subject", "Printer", "--from", "a@b.c", "--body", "jam\x1b[2J"]) == 0
    )
    assert main([*db, "reply", "1", "--body", "Which model?"]) == 0
    capsys.readouterr()
    assert main([*db, "copy", "1"]) == 0
    out, err = capsys.readouterr()
    [text] = local_clipboard
    assert text.startswith("#1 Printer\nFrom a@b.c, ")
    assert "jam\u241b[2J" in text and "\x1b" not in text  # a stranger's escapes stay visible
    assert "--- reply to the customer, amy, " in text and text.endswith("Which model?\n")
    assert os.read(master, 65536) == clipboard.osc52_sequence(text).encode()
    assert out == f"#1: copied {len(text)} characters\n"
    assert err.startswith(f"copied {len(text)} characters (terminal (OSC 52): yes")
    # Copying reads the ticket: it changes nothing.
    assert main([*db, "show", "1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["version"] == 2  # created, replied
