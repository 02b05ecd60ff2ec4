"""What screens, widgets and the palette may ask of the running app, as a typed protocol, and
the one place a worker's failure is shown.

Textual types `self.app` as a plain `App`; `host(node)` gives the console's own attributes a
type without importing the app module (which imports the screens) into every screen.

Workers raise: a read or a write that fails ends its worker in the ERROR state, and
`WorkerErrors` (mixed into every screen and widget that runs workers) hands the error to the
app's `show_error`, which says it the same way wherever it came from."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Protocol, cast

from textual.dom import DOMNode
from textual.worker import Worker, WorkerState

from console.core.clock import Clock
from console.core.desk import Desk
from console.core.errors import ConsoleError

if TYPE_CHECKING:
    from console.core.views import View
    from console.tui.queues import FirstPage


class Host(Protocol):
    desk: Desk
    """The store, the agent at the keyboard, the team's rules and the macros. Use the store
    only from worker threads."""
    clock: Clock
    first_page: FirstPage | None
    """The first queue's first page, read while the app loaded (the command line's)."""
    views: tuple[View, ...]
    """The saved views of the team config and the agent's own, shown after the queues."""

    def open_ticket(self, ticket_id: int) -> None: ...

    def show_queue(self, queue_id: str) -> None: ...

    def new_ticket(self) -> None: ...

    def action_refresh(self) -> None: ...

    def changed_here(self) -> None:
        """After a change made in this console: the screens show it, and what it said to a
        customer leaves at once."""

    def show_error(self, error: BaseException, doing: str = "") -> None: ...


def host(node: DOMNode) -> Host:
    """The console app that `node` (a widget, a screen, or the app itself) belongs to."""
    return cast(Host, node.app)


EXPECTED_ERRORS = (ConsoleError, sqlite3.Error)
"""What a read or a write may raise that the agent should read as it is (a refused change, a
locked or damaged file); anything else is a bug, shown with its type."""

SELF_HANDLED = frozenset({"ticket-action"})
"""Worker groups whose caller waits for them and deals with their errors itself (a flow)."""


class WorkerErrors:
    """Mixed into a screen or widget: its failed workers are shown by the app."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if (
            event.state == WorkerState.ERROR
            and worker.error is not None
            and worker.group not in SELF_HANDLED
        ):
            host(cast(DOMNode, self)).show_error(worker.error, worker.description)
