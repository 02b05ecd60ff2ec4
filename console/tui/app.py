"""The console's Textual application: one store, one agent, the queue screen on top.

`make_app` builds it for the `console` command and for the tests alike. The app polls the
database's data version every `POLL_SECONDS` in a worker; when another process has committed,
every open screen reads again, so a colleague's change shows within about a second. It also
tells the other consoles where its agent is (presence) and runs the timers every minute."""

from __future__ import annotations

import os
import time
from pathlib import Path

from textual import work
from textual.app import App
from textual.binding import Binding

from console.core import presence, timers
from console.core.clock import Clock, utc_now
from console.core.sla import SlaPolicy
from console.core.store import Store
from console.core.team import Team
from console.tui.background import TIMER_SECONDS, tick_notice, where
from console.tui.commands import ConsoleCommands
from console.tui.commands_macros import MacroCommands
from console.tui.desk import READ_ERRORS
from console.tui.messages import DataChanged, PresenceChanged
from console.tui.queues import queue_by_id
from console.tui.screens.detail import DetailScreen
from console.tui.screens.help import HelpScreen, key_rows
from console.tui.screens.main import MainScreen
from console.tui.widgets.presence_line import PresenceLine
from console.tui.widgets.ticket_list import TicketList

POLL_SECONDS = 1.0
PRESENCE_CHECK_SECONDS = 0.25
"""How often the screen stack is looked at for a move worth a heartbeat (no I/O)."""


class ConsoleApp(App[int]):
    """A keyboard-driven help desk over one ticket store."""

    TITLE = "console"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {ConsoleCommands, MacroCommands}
    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("ctrl+r", "refresh", "Refresh", id="app.refresh"),
        Binding("ctrl+p", "command_palette", "Commands", show=False, id="app.command_palette"),
    ]

    def __init__(
        self,
        store: Store,
        agent: str,
        clock: Clock = utc_now,
        *,
        team: Team | None = None,
        policy: SlaPolicy | None = None,
        macros_path: str | None = None,
    ) -> None:
        super().__init__()
        self.store = store
        self.agent = agent
        self.clock = clock
        self.team = team or Team()
        self.me = self.team.agent(agent)
        self.policy = policy or SlaPolicy()
        self.macros_path = macros_path
        self._data_version: int | None = None
        self._poll_error: str | None = None
        self._event_id = 0
        self._presence_sent: tuple[int | None, str] | None = None
        self._presence_at = 0.0

    def on_mount(self) -> None:
        # The baseline is read before the first queries, so a commit that lands while they
        # run is seen as a change at the first poll. One PRAGMA: cheap enough for the UI thread.
        self._data_version = self.store.data_version()
        self._event_id = self.store.last_event_id()
        self.push_screen(MainScreen())
        self.set_interval(POLL_SECONDS, self.poll_changes, name="poll data version")
        self.set_interval(PRESENCE_CHECK_SECONDS, self.check_presence, name="presence")
        self.set_interval(TIMER_SECONDS, self.run_timers, name="timers")
        self.run_timers()
        warning = self.team.unknown_warning(self.agent)
        if warning:
            self.notify(warning, severity="warning", timeout=8, markup=False)

    def on_unmount(self) -> None:
        # Colleagues stop seeing this console at once rather than after the presence TTL.
        try:
            presence.leave(self.store, self.agent)
        except READ_ERRORS:
            pass  # the database is gone or locked: the row fades out by itself
        self.store.close()

    # -- presence and timers ---------------------------------------------------------------

    def check_presence(self) -> None:
        """Send a heartbeat as soon as the agent moves (a ticket opened, a reply started) and
        every `HEARTBEAT_SECONDS` anyway; checked on the UI thread, written in a worker."""
        here = where(self.screen_stack)
        now = time.monotonic()
        if here != self._presence_sent or now - self._presence_at >= presence.HEARTBEAT_SECONDS:
            self._presence_sent = here
            self._presence_at = now
            self.send_heartbeat(*here)

    @work(
        thread=True,
        exclusive=False,
        exit_on_error=False,
        group="presence",
        description="tell other consoles where this agent is",
    )
    def send_heartbeat(self, ticket_id: int | None, activity: str) -> None:
        try:
            presence.heartbeat(self.store, self.agent, ticket_id, activity)
        except READ_ERRORS:
            self._presence_sent = None  # try again at the next check
        except ValueError:
            pass  # a screen named an activity presence does not know: say nothing

    @work(
        thread=True,
        exclusive=False,
        exit_on_error=False,
        group="timers",
        description="log breaches, due follow-ups and nudges; close idle tickets",
    )
    def run_timers(self) -> None:
        # A connection of its own, as cron's `console tick` would use: a first run on a big
        # store that was never ticked writes for a while, and the screens' reads (which share
        # `self.store` and its lock) must not queue behind it.
        try:
            store = Store.open(self.store.path, create=False, clock=self.store.clock)
            try:
                report = timers.tick(store, self.policy, self.agent)
            finally:
                store.close()
        except READ_ERRORS as error:
            self.call_from_thread(self.notify, f"timers: {error}", severity="error", markup=False)
            return
        notice = tick_notice(report)
        if notice:
            self.call_from_thread(self.notify, notice, timeout=4, markup=False)
            self.call_from_thread(self.reload_screens)

    # -- live updates ----------------------------------------------------------------------

    @work(
        thread=True,
        exclusive=True,
        exit_on_error=False,
        group="poll",
        description="check whether another process changed the database",
    )
    def poll_changes(self) -> None:
        try:
            version = self.store.data_version()
        except READ_ERRORS as error:
            # Said once, not every second, while the database stays unreadable.
            if str(error) != self._poll_error:
                self._poll_error = str(error)
                self.call_from_thread(self.notify, str(error), severity="error", markup=False)
            return
        self._poll_error = None
        if self._data_version is not None and version != self._data_version:
            # Every console writes a heartbeat every few seconds; re-reading every queue for
            # each would cost a team of eight a reload a second. Only a new event means a
            # ticket changed; otherwise refresh just the presence marks.
            event_id = self.store.last_event_id()
            changed = event_id != self._event_id
            self._event_id = event_id
            self.post_message(DataChanged() if changed else PresenceChanged())
        self._data_version = version

    def on_data_changed(self) -> None:
        self.reload_screens()

    def on_presence_changed(self) -> None:
        for screen in self.screen_stack:
            for tickets in screen.query(TicketList):
                tickets.refresh_marks()
            for line in screen.query(PresenceLine):
                line.load()

    def reload_screens(self) -> None:
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen | DetailScreen):
                screen.reload()

    # -- navigation ------------------------------------------------------------------------

    def open_ticket(self, ticket_id: int) -> None:
        if isinstance(self.screen, DetailScreen):
            self.pop_screen()
        self.push_screen(DetailScreen(ticket_id))

    def show_queue(self, queue_id: str) -> None:
        while isinstance(self.screen, DetailScreen):
            self.pop_screen()
        main = self.screen
        if isinstance(main, MainScreen):
            main.show_queue(queue_by_id(queue_id))

    # -- actions ---------------------------------------------------------------------------

    def action_refresh(self) -> None:
        self.reload_screens()

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        rows = key_rows(self.screen.active_bindings, self.get_key_display)
        self.push_screen(HelpScreen(rows))


def make_app(
    db_path: str | os.PathLike[str],
    agent: str,
    clock: Clock | None = None,
    *,
    team: Team | None = None,
    policy: SlaPolicy | None = None,
    macros_path: str | None = None,
) -> ConsoleApp:
    """The app on the database at `db_path` (created when absent), acting as `agent`.

    `team` (who works which line), `policy` (SLA) and `macros_path` come from the command
    line's config; the tests pass their own."""
    store = Store.open(Path(db_path), clock=clock or utc_now)
    return ConsoleApp(
        store, agent, clock=clock or utc_now, team=team, policy=policy, macros_path=macros_path
    )


def run(
    db_path: str | os.PathLike[str],
    agent: str,
    *,
    team: Team | None = None,
    policy: SlaPolicy | None = None,
    macros_path: str | None = None,
) -> int:
    """Run the TUI until the agent quits; the exit code for the `console` command."""
    app = make_app(db_path, agent, team=team, policy=policy, macros_path=macros_path)
    app.run()
    return app.return_code or 0
