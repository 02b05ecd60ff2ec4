"""Copying text to the clipboard, the one helper the whole console uses.

Two paths, tried together because neither is certain: the terminal's clipboard through an OSC 52
escape sequence (works over SSH, in tmux when passthrough is allowed, if the terminal accepts
it, and the terminal never says whether it did), and the local clipboard through pyperclip
(works on a desktop, not on a headless server). `CopyReport` says plainly which paths were
taken and why the others were not, so the agent is never left guessing.

The TUI sends the OSC 52 sequence with `App.copy_to_clipboard`; the command line writes it to
the controlling terminal with `write_osc52`."""

from __future__ import annotations

import base64
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

TERMINAL = "/dev/tty"
"""The controlling terminal, where the command line sends OSC 52."""

OSC52_LIMIT = 100_000
"""Bytes of base64 many terminals accept in one OSC 52 sequence (xterm's default); above it
the copy would be silently cut or ignored, so it is not attempted."""


@dataclass(frozen=True)
class PathResult:
    """How one way of copying went."""

    name: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class CopyReport:
    """What happened to one copy."""

    chars: int
    paths: tuple[PathResult, ...]

    @property
    def ok(self) -> bool:
        return any(p.ok for p in self.paths)

    def summary(self) -> str:
        """One line for the agent: what was copied, and where it did or did not go."""
        parts = "; ".join(f"{p.name}: {'yes' if p.ok else 'no'} ({p.detail})" for p in self.paths)
        if not self.ok:
            return f"nothing was copied: no clipboard path worked ({parts})"
        return f"copied {self.chars} characters ({parts})"


def osc52_sequence(text: str, *, multiplexer: str | None = None) -> str:
    """The escape sequence that asks the terminal to put `text` on its clipboard.

    Inside tmux or GNU screen the sequence is wrapped in the multiplexer's passthrough so it
    reaches the outer terminal (tmux needs `allow-passthrough on` or `set-clipboard on`).
    Screen passes at most 768 bytes per wrapper, so its payload goes in small pieces."""
    payload = base64.b64encode(text.encode("utf-8")).decode("ascii")
    if multiplexer == "tmux":
        return "\x1bPtmux;\x1b\x1b]52;c;" + payload + "\x07\x1b\\"
    if multiplexer == "screen":
        pieces = [payload[i : i + 76] for i in range(0, len(payload), 76)] or [""]
        return "\x1bP\x1b]52;c;" + "\x1b\\\x1bP".join(pieces) + "\x07\x1b\\"
    return f"\x1b]52;c;{payload}\x07"


def multiplexer() -> str | None:
    """The terminal multiplexer this process runs in, from the variables each one sets."""
    if os.environ.get("TMUX"):
        return "tmux"
    if os.environ.get("STY"):
        return "screen"
    return None


def osc52_fits(text: str) -> bool:
    return len(text.encode("utf-8")) * 4 // 3 + 4 <= OSC52_LIMIT


def copy_local(text: str) -> PathResult:
    """Copy through pyperclip, reporting why it could not when it cannot."""
    name = "local clipboard"
    try:
        import pyperclip
    except ImportError:
        return PathResult(name, False, "pyperclip is not installed")
    try:
        pyperclip.copy(text)
    except pyperclip.PyperclipException as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        return PathResult(name, False, f"no local clipboard: {reason[:120]}")
    except OSError as error:
        return PathResult(name, False, f"pyperclip failed: {error}")
    return PathResult(name, True, "pyperclip")


def write_osc52(text: str, terminal: BinaryIO | None) -> PathResult:
    """Write the OSC 52 sequence for `text` to an open terminal (None: there is none)."""
    name = "terminal (OSC 52)"
    if terminal is None:
        return PathResult(name, False, "no terminal to send it to")
    if not osc52_fits(text):
        return PathResult(name, False, f"too long for OSC 52 (limit {OSC52_LIMIT} bytes)")
    try:
        terminal.write(osc52_sequence(text, multiplexer=multiplexer()).encode("ascii"))
        terminal.flush()
    except OSError as error:
        return PathResult(name, False, f"cannot write to the terminal: {error.strerror}")
    return PathResult(name, True, "sent; the terminal must allow clipboard writes")


def copy(text: str, terminal: BinaryIO | None, *, local: bool = True) -> CopyReport:
    """Copy `text` every way available: OSC 52 to `terminal`, and pyperclip when `local`."""
    paths = [write_osc52(text, terminal)]
    if local:
        paths.append(copy_local(text))
    return CopyReport(chars=len(text), paths=tuple(paths))


def copy_via(text: str, send_osc52: Callable[[str], None], *, local: bool = True) -> CopyReport:
    """Copy `text` with a sender of OSC 52 (the TUI passes `App.copy_to_clipboard`), and
    pyperclip when `local`."""
    name = "terminal (OSC 52)"
    if not osc52_fits(text):
        terminal = PathResult(name, False, f"too long for OSC 52 (limit {OSC52_LIMIT} bytes)")
    else:
        try:
            send_osc52(text)
            terminal = PathResult(name, True, "sent; the terminal must allow clipboard writes")
        except OSError as error:
            terminal = PathResult(name, False, f"cannot write to the terminal: {error}")
    paths = [terminal, *([copy_local(text)] if local else [])]
    return CopyReport(chars=len(text), paths=tuple(paths))


def open_terminal(path: str = TERMINAL) -> BinaryIO | None:
    """The controlling terminal for writing, or None when there is none (cron, pipes)."""
    try:
        # O_NOCTTY: writing to a terminal must never make it this process's controlling one;
        # no O_CREAT: a missing path is "no terminal", not a new file.
        fd = os.open(path, os.O_WRONLY | os.O_NOCTTY)
    except OSError:
        return None
    if not os.isatty(fd):
        os.close(fd)
        return None
    return open(fd, "wb", buffering=0)
