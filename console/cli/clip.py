"""Copying from the command line: OSC 52 to the controlling terminal (which works over SSH)
and the local clipboard, through the one helper in `core.clipboard`."""

from __future__ import annotations

import sys
from dataclasses import asdict
from typing import Any

from console.core import clipboard


def copy_text(text: str) -> clipboard.CopyReport:
    """Copy through the controlling terminal (or stdout when it is one) and pyperclip."""
    terminal = clipboard.open_terminal(clipboard.TERMINAL)
    try:
        target = terminal or (sys.stdout.buffer if sys.stdout.isatty() else None)
        return clipboard.copy(text, target)
    finally:
        if terminal is not None:
            terminal.close()


def report_dict(report: clipboard.CopyReport) -> dict[str, Any]:
    return {"ok": report.ok, "chars": report.chars, "paths": [asdict(p) for p in report.paths]}
