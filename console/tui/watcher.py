"""The console's one background thread: it notices other processes' changes and keeps this
agent's presence fresh, and is otherwise asleep.

A console nobody touches must cost nothing: thirty of them on one host share two cores. So
no timer wakes the UI thread to ask whether anything happened. This thread looks at the
database's data version a few times a second (a read of shared memory, no query) and wakes
the app only when another connection committed: `DataChanged` when a ticket changed (a new
event), `PresenceChanged` when a colleague moved to another ticket or activity, or came or
left (their heartbeats alone wake nothing). It writes a heartbeat when the agent moves
to another ticket or activity (seen at its next look), and every `HEARTBEAT_SECONDS` so
colleagues see the console is still there."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from textual.message import Message

from console.core import presence
from console.core.model import Activity
from console.core.store import Store
from console.tui.host import EXPECTED_ERRORS
from console.tui.messages import DataChanged, PresenceChanged

Where = tuple[int | None, Activity]


class Watcher:
    def __init__(
        self,
        store: Store,
        login: str,
        *,
        where: Callable[[], Where],
        post: Callable[[Message], object],
        report: Callable[[BaseException], object],
        interval: float,
    ) -> None:
        self.store = store
        self.login = login
        self.where = where
        """Where the agent is now (read from this thread: a look at the screen stack)."""
        self.post = post
        self.report = report
        """Says an error once (the app's error path, thread-safe)."""
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="console watcher", daemon=True)
        self._data_version: int | None = None
        self._event_id = 0
        self._sent: Where | None = None
        self._sent_at = 0.0
        self._failed: str | None = None
        self._colleagues: frozenset[presence.Where] = frozenset()

    def start(self) -> None:
        self._data_version = self.store.data_version()
        self._event_id = self.store.last_event_id()
        self._colleagues = presence.everyone(self.store, exclude_agent=self.login)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=2)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self._heartbeat()
                self.look()
                self._failed = None
            except EXPECTED_ERRORS as error:
                if str(error) != self._failed:  # said once while the database stays unusable
                    self._failed = str(error)
                    self.report(error)

    def _heartbeat(self) -> None:
        here = self.where()
        now = time.monotonic()
        if here != self._sent or now - self._sent_at >= presence.HEARTBEAT_SECONDS:
            presence.heartbeat(self.store, self.login, *here)
            self._sent, self._sent_at = here, now

    def look(self) -> None:
        """One look at the database (the thread takes one every `interval`)."""
        version = self.store.data_version()
        if version == self._data_version:
            return
        self._data_version = version
        # Every console writes a heartbeat now and then; re-reading every queue for each
        # would cost a team a reload a second. Only a new event means a ticket changed; only
        # a colleague's move (not their "still here") changes what the screens show of them.
        event_id = self.store.last_event_id()
        changed, self._event_id = event_id != self._event_id, event_id
        if changed:
            self.post(DataChanged())
            return
        colleagues = presence.everyone(self.store, exclude_agent=self.login)
        if colleagues != self._colleagues:
            self._colleagues = colleagues
            self.post(PresenceChanged())
