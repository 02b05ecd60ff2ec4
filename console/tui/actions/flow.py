"""The conversation behind one key on the ticket screen: ask, ask again, then act once.

A flow is a coroutine run as a plain asyncio task, not a Textual worker, so that waiting for a
dialog never holds up `workers.wait_for_complete()`; the action itself runs in a thread worker
(the store is never touched on the UI thread). Esc in any dialog ends the flow with nothing
written. Every flow acts through `Flow.perform`, which runs the declared action with the
version the agent saw on screen (`expected_version`), so a colleague's change in between is a
conflict, never an overwrite. A refusal is shown by the app's one error path and the screen
reads the ticket again, so what the agent sees is what is stored."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from textual.screen import ModalScreen, Screen
from textual.worker import WorkerFailed

from console.core.actions import Outcome, TicketAction
from console.core.context import TicketContext
from console.core.desk import Desk
from console.core.model import Ticket
from console.core.store import Store
from console.core.team import Agent
from console.tui.host import host
from console.tui.screens.dialogs import Confirm

if TYPE_CHECKING:
    from console.tui.actions.keys import TicketActions

T = TypeVar("T")


class Stop(Exception):
    """The flow ends here: the agent cancelled, or the error was already shown."""


class Conversation:
    """Dialogs asked in turn from a screen: esc in any of them ends the conversation."""

    ticket: Ticket | None = None
    context: TicketContext | None = None

    def __init__(self, screen: Screen[Any]) -> None:
        self.screen = screen

    @property
    def desk(self) -> Desk:
        return host(self.screen).desk

    @property
    def store(self) -> Store:
        return self.desk.store

    @property
    def me(self) -> Agent:
        return self.desk.agent

    def title(self, prompt: str) -> str:
        """A dialog's title: the question, and what it is about."""
        return prompt

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

    def fail(self, message: str) -> NoReturn:
        """Say why the flow cannot go on, and end it."""
        self.screen.notify(message, severity="error", markup=False)
        raise Stop


class Flow(Conversation):
    """What a flow may use: the ticket as the screen shows it, the desk, dialogs, the act."""

    ticket: Ticket

    def __init__(self, screen: TicketActions, ticket: Ticket) -> None:
        super().__init__(screen)
        self.screen: TicketActions = screen
        self.ticket = ticket
        self.version = ticket.version
        """The version the agent decided on: every action passes it as `expected_version`."""

    @property
    def context(self) -> TicketContext | None:  # type: ignore[override]
        """What surrounds the ticket, as last read (None until it is)."""
        return self.screen.context

    def title(self, prompt: str) -> str:
        return f"#{self.ticket.id}: {prompt}"

    async def read(self, fn: Callable[[], T]) -> T:
        """A read in a worker thread; an error is shown and ends the flow."""
        return await self._in_thread(fn, reload=False)

    async def perform(
        self,
        action: TicketAction,
        values: dict[str, Any],
        *,
        let_through: tuple[type[Exception], ...] = (),
    ) -> Outcome:
        """Act: the declared action with `values`, as the agent, on the version seen; then say
        what was done and read the screens again. Errors of the `let_through` types are raised
        to the flow (to ask and try again)."""
        outcome = await self._in_thread(
            lambda: action.perform(
                self.desk, self.ticket.id, values, expected_version=self.version
            ),
            reload=action.writes,
            let_through=let_through,
        )
        if outcome.ticket.id == self.ticket.id:
            self.version = outcome.ticket.version  # the flow goes on from what it wrote
        if outcome.copy is not None and not action.writes:
            self.screen.copy_text(outcome.copy)
        else:
            self.screen.notify(outcome.said, markup=False)
        return outcome

    async def _in_thread(
        self,
        fn: Callable[[], T],
        *,
        reload: bool,
        let_through: tuple[type[Exception], ...] = (),
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
            host(self.screen).show_error(error, "act on a ticket")
            raise Stop from None
        finally:
            if reload:
                host(self.screen).changed_here()


FlowFn = Callable[[Flow, TicketAction], Awaitable[None]]
"""A flow: ask what the action needs, then `flow.perform(action, values)`."""


def start(
    screen: TicketActions, run: Callable[[Flow], Awaitable[None]], *, ticket: Ticket | None = None
) -> None:
    """Run a flow on the ticket the screen shows (nothing happens before it is loaded), or on
    `ticket` when the caller knows it newer than the screen does (just written to)."""
    ticket = ticket or screen.ticket
    if ticket is None:
        return
    context = Flow(screen, ticket)

    async def go() -> None:
        try:
            await run(context)
        except Stop:
            pass
        except Exception as error:  # a bug: shown, never lost in a task nobody awaits
            host(screen).show_error(error, "act on a ticket")

    task = asyncio.create_task(go(), name="ticket action")
    # Kept on the screen so the task is not collected while it waits for a dialog.
    screen.action_tasks.add(task)
    task.add_done_callback(screen.action_tasks.discard)
