"""The macro catalog the TUI works from: read once, reread when a macro file changes.

One `MacroReloader` per app, made on first use from the macro file named on the command line.
A file broken by an edit keeps the last good catalog in force and its error is shown with the
picker, so a typo in macros.toml never takes the canned answers away. Call from workers only:
the check touches the file system."""

from __future__ import annotations

import threading
import weakref

from textual.dom import DOMNode

from console.core.macro_loader import MacroReloader
from console.tui.desk import desk

_LOCK = threading.Lock()
_READERS: weakref.WeakKeyDictionary[object, MacroReloader] = weakref.WeakKeyDictionary()


def current(node: DOMNode) -> MacroReloader:
    """The app's reloader, polled so that a changed file is picked up."""
    app = desk(node)
    with _LOCK:
        # Kept per app object and forgotten with it, rather than as an attribute the app
        # class would have to declare for every screen's sake.
        reader = _READERS.get(app)
        if reader is None or reader.given != app.macros_path:
            reader = _READERS[app] = MacroReloader(app.macros_path)
        else:
            reader.poll()
        return reader
