"""The conversation behind one key on the ticket screen: ask, ask again, then write once. A flow is
a coroutine run as a plain asyncio task, not a Textual worker, so that waiting for a dialog never
holds up `workers.wait_for_complete()`; the write itself runs in a thread worker (the store is never
touched on the UI thread). Esc in any dialog ends the flow with nothing written. A refused write
(`ConsoleError`, a locked file) is shown as it is and the screen reads the ticket again, so what the
agent sees is what is stored."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from textual.screen import ModalScreen
from textual.worker import WorkerFailed

from console.core.errors import ConsoleError
from console.core.model import Ticket
from console.core.sla import SlaPolicy
from console.core.store import Store
from console.core.team import Agent
from console.tui.desk import desk
from console.tui.screens.dialogs import Confirm

if TYPE_CHECKING:
    from console.tui.actions.keys import TicketActions

T = TypeVar("T")

WRITE_ERRORS = (ConsoleError, sqlite3.Error)


class Stop(Exception):
    """The flow ends here: the agent cancelled, or the error was already shown."""


class Flow:
    """What a flow may use: the ticket as the screen shows it, the desk, dialogs, a write."""

    def __init__(self, screen: TicketActions, ticket: Ticket) -> None:
        self.screen = screen
        self.ticket = ticket
        self.version = ticket.version
        """The version the agent decided on: every write passes it as `expected_version`."""

    @property
    def store(self) -> Store:
        return desk(self.screen).store

    @property
    def me(self) -> Agent:
        return desk(self.screen).me

    @property
    def agent(self) -> str:
        return desk(self.screen).agent

    @property
    def policy(self) -> SlaPolicy:
        return desk(self.screen).policy

    async def ask(self, dialog: ModalScreen[Any]) -> Any:
        """The dialog's answer; esc (None) ends the flow."""
        answer = asyncio.get_running_loop().create_future()

        def done(value: Any) -> None:
            if not answer.done():
                answer.set_result(value)

        self.screen.app.push_screen(dialog, callback=done)
        value = await answer
        if value is None:
            raise Stop
        return value

    async def confirm(self, question: str, detail: str = "") -> None:
        """Go on only on a yes."""
        if not await self.ask(Confirm(question, detail)):
            raise Stop

    async def read(self, fn: Callable[[], T]) -> T:
        """A read in a worker thread; an error is shown and ends the flow."""
        return await self._in_thread(fn, reload=False)

    async def write(
        self,
        fn: Callable[[], T],
        done: str | None = None,
        *,
        let_through: tuple[type[Exception], ...] = (),
    ) -> T:
        """The one write of the flow, in a worker thread; then the screens read again.

        Errors of the `let_through` types are raised to the flow (to ask and try again)."""
        result = await self._in_thread(fn, reload=True, let_through=let_through)
        if done:
            self.screen.notify(done, markup=False)
        return result

    def fail(self, message: str) -> NoReturn:
        """Say why the flow cannot go on, and end it."""
        self.screen.notify(message, severity="error", markup=False)
        raise Stop

    async def _in_thread(
        self, fn: Callable[[], T], *, reload: bool, let_through: tuple[type[Exception], ...] = ()
    ) -> T:
        worker = self.screen.run_worker(
            fn,
            thread=True,
            exit_on_error=False,
            group="ticket-action",
            description="act on a ticket",
        )
        try:
            return await worker.wait()
        except WorkerFailed as failed:
            error = failed.error
            if let_through and isinstance(error, let_through):
                raise error from None
            if isinstance(error, WRITE_ERRORS):
                self.screen.notify(str(error), severity="error", markup=False)
                raise Stop from None
            raise
        finally:
            if reload:
                desk(self.screen).action_refresh()


def start(screen: TicketActions, flow: Callable[[Flow], Awaitable[None]]) -> None:
    """Run `flow` on the ticket the screen shows (nothing happens before it is loaded)."""
    if screen.ticket is None:
        return
    context = Flow(screen, screen.ticket)

    async def run() -> None:
        try:
            await flow(context)
        except Stop:
            pass
        except Exception as error:  # a bug: shown, never lost in a task nobody awaits
            screen.notify(f"{type(error).__name__}: {error}", severity="error", markup=False)

    task = asyncio.create_task(run(), name="ticket action")
    # Kept on the screen so the task is not collected while it waits for a dialog.
    screen.action_tasks.add(task)
    task.add_done_callback(screen.action_tasks.discard)
