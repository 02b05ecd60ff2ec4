"""Copying from the screens: the terminal's clipboard (OSC 52, which works over SSH, sent by
the app on the UI thread) and the local one (pyperclip, which may start a helper program, so
off the UI thread), through the one helper in `core.clipboard`. The app then says in words
which worked."""

from __future__ import annotations

from dataclasses import dataclass

from textual.dom import DOMNode
from textual.message import Message

from console.core import clipboard


@dataclass
class Copied(Message):
    """What a copy did, for the app to say."""

    summary: str
    ok: bool


def copy(node: DOMNode, text: str, what: str = "") -> None:
    """Copy `text` (`what` names it in the notice: "macro nudge")."""
    app = node.app

    def work() -> None:
        report = clipboard.copy_via(text, lambda t: app.call_from_thread(app.copy_to_clipboard, t))
        summary = f"{what}: {report.summary()}" if what else report.summary()
        app.post_message(Copied(summary, report.ok))

    node.run_worker(
        work, thread=True, exit_on_error=False, group="copy", description="copy to the clipboard"
    )
