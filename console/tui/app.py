"""The console's Textual application: one desk (store, agent, team rules), the queue screen on
top.

`make_app` builds it for the `console` command and for the tests alike. The app polls the
database's data version every `poll_seconds` in a worker; when another process has committed,
every open screen reads again, so a colleague's change shows within about a second. It also
tells the other consoles where its agent is (presence) and runs the timers every minute, as
the console itself rather than as the agent. A worker that fails anywhere is shown here, in
one way (`show_error`)."""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.message import Message

from console.core import presence, timers
from console.core.clock import Clock, utc_now
from console.core.desk import Desk, open_desk
from console.core.sla import SlaPolicy
from console.core.store import Store
from console.core.team import Team
from console.tui.background import TIMER_SECONDS, tick_notice, where
from console.tui.clipboard import Copied
from console.tui.commands import ConsoleCommands, TicketActionCommands
from console.tui.host import EXPECTED_ERRORS, WorkerErrors
from console.tui.messages import DataChanged
from console.tui.queues import FirstPage, queue_by_id
from console.tui.screens.help import HelpScreen, key_rows
from console.tui.screens.main import MainScreen
from console.tui.watcher import Watcher
from console.tui.widgets.presence_line import PresenceLine
from console.tui.widgets.ticket_list import TicketList

if TYPE_CHECKING:
    from console.core.views import View
    from console.tui.commands_macros import MacroCommands
    from console.tui.screens.detail import DetailScreen

POLL_SECONDS = 0.5
"""How often the watcher looks for other processes' commits (a read of shared memory)."""


# The ticket screen and the macro palette (with the composer behind both) are loaded when
# first wanted: the queue screen paints sooner without them.


def _detail_screen() -> type[DetailScreen]:
    from console.tui.screens.detail import DetailScreen

    return DetailScreen


def _macro_commands() -> type[MacroCommands]:
    from console.tui.commands_macros import MacroCommands

    return MacroCommands


@dataclass
class WatchFailed(Message):
    """The watcher could not read the database (said once until it can again)."""

    error: BaseException


class ConsoleApp(WorkerErrors, App[int]):
    """A keyboard-driven help desk over one ticket store."""

    TITLE = "console"
    CSS_PATH = "app.tcss"
    # Only what an agent does: Textual's own commands (themes, screenshots) stay out.
    COMMANDS = {ConsoleCommands, TicketActionCommands, _macro_commands}
    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Help", id="app.help"),
        # Out of the footer: the screens follow the database on their own.
        Binding("ctrl+r", "refresh", "Refresh", show=False, id="app.refresh"),
        Binding("ctrl+p", "command_palette", "Commands", show=False, id="app.command_palette"),
    ]

    def __init__(
        self,
        desk: Desk,
        clock: Clock = utc_now,
        *,
        poll_seconds: float = POLL_SECONDS,
        keys: Mapping[str, str] | None = None,
        first_page: FirstPage | None = None,
        views: Sequence[View] = (),
    ) -> None:
        super().__init__()
        self.desk = desk
        self.views = tuple(views)
        self.clock = clock
        self.first_page = first_page
        self.poll_seconds = poll_seconds
        self.key_overrides = dict(keys or {})
        """Binding id -> keys, from the `[keys]` tables; the ticket screen groups its actions
        by the keys in force."""
        self.watcher: Watcher
        self._mail_lock = threading.Lock()
        self._mail_again = False

    async def action_quit(self) -> None:
        """Quit; with a composer holding text, ask first (the text is kept as a draft either
        way, but quitting in the middle of a reply is more often a slip than a choice)."""
        from console.tui.screens.compose import ComposeScreen
        from console.tui.screens.dialogs import Confirm

        unsent = [s.unsent() for s in self.screen_stack if isinstance(s, ComposeScreen)]
        writing = next((what for what in unsent if what), None)
        if writing is None or isinstance(self.screen, Confirm):
            self.exit()
            return

        def answered(yes: object) -> None:
            if yes:
                self.exit()

        question = f"Quit with the {writing} not sent?"
        detail = "It is kept as a draft and comes back when you open the composer again."
        self.push_screen(Confirm(question, detail), answered)

    def get_system_commands(self, screen):  # type: ignore[no-untyped-def]
        return iter(())

    def on_mount(self) -> None:
        if self.key_overrides:
            self.set_keymap(self.key_overrides)
        # Started before the first queries, so a commit that lands while they run is seen as
        # a change at the first look.
        self.watcher = Watcher(
            self.desk.store,
            self.desk.login,
            where=lambda: where(list(self.screen_stack)),
            post=self.post_message,
            report=lambda error: self.post_message(WatchFailed(error)),
            interval=self.poll_seconds,
        )
        self.watcher.start()
        self.push_screen(MainScreen())
        self.set_interval(TIMER_SECONDS, self.run_timers, name="timers")
        self.run_timers()
        warning = self.desk.team.unknown_warning(self.desk.login)
        if warning:
            self.notify(warning, severity="warning", timeout=8, markup=False)

    def on_unmount(self) -> None:
        self.watcher.stop()
        # Colleagues stop seeing this console at once rather than after the presence TTL.
        try:
            presence.leave(self.desk.store, self.desk.login)
        except EXPECTED_ERRORS:
            pass  # the database is gone or locked: the row fades out by itself
        self.desk.store.close()

    def show_error(self, error: BaseException, doing: str = "") -> None:
        """The one way a failure reaches the agent: a refusal or a database problem as it is
        said, anything else (a bug) with its type, so it can be reported."""
        if isinstance(error, EXPECTED_ERRORS):
            self.notify(str(error), severity="error", markup=False, timeout=8)
            return
        self.log.error(f"{doing}: {error!r}")
        what = f"{doing}: " if doing else ""
        self.notify(
            f"{what}{type(error).__name__}: {error}", severity="error", markup=False, timeout=12
        )

    # -- timers and what others change ----------------------------------------------------

    @work(
        thread=True,
        exclusive=False,
        exit_on_error=False,
        group="timers",
        description="run the timers",
    )
    def run_timers(self) -> None:
        # A team's consoles share the work: when one of them (or cron) ran the timers moments
        # ago, this one has nothing to add.
        if timers.ran_within(self.desk.store, TIMER_SECONDS * 0.9):
            return
        # A connection of its own, as cron's `console tick` would use: a first run on a big
        # store that was never ticked writes for a while, and the screens' reads must not
        # queue behind it.
        store = Store.open(self.desk.store.path, create=False, clock=self.desk.store.clock)
        try:
            report = timers.tick(replace(self.desk, store=store))
        finally:
            store.close()
        notice = tick_notice(report)
        if notice:
            self.call_from_thread(self.notify, notice, timeout=4, markup=False)
            self.post_message(DataChanged())

    @work(
        thread=True,
        exclusive=False,
        exit_on_error=False,
        group="mail",
        description="send the outbox",
    )
    def send_mail(self) -> None:
        """Send what the outbox holds now, so a reply leaves within a second of `ctrl+s`
        rather than at the next timer run. One run at a time; a change that arrives during a
        run makes it look once more at the end."""
        from console.core.mail.sender import send_due

        if not self._mail_lock.acquire(blocking=False):
            self._mail_again = True
            return
        try:
            while True:
                self._mail_again = False
                store = Store.open(self.desk.store.path, create=False, clock=self.desk.store.clock)
                try:
                    report = send_due(replace(self.desk, store=store))
                finally:
                    store.close()
                if report.failed or report.retrying:
                    self.call_from_thread(
                        self.notify, report.words() or "", severity="warning", markup=False
                    )
                if report.sent or report.failed or report.retrying:
                    self.post_message(DataChanged())  # the threads say "sent" or "not delivered"
                if not self._mail_again:
                    return
        finally:
            self._mail_lock.release()

    def on_watch_failed(self, message: WatchFailed) -> None:
        self.show_error(message.error)

    def on_copied(self, message: Copied) -> None:
        self.notify(
            message.summary, markup=False, severity="information" if message.ok else "error"
        )

    def on_data_changed(self) -> None:
        self.changed_here()

    def changed_here(self) -> None:
        # The watcher would notice this console's own change too, but only at its next look:
        # a reply would wait for it before leaving.
        self.reload_screens()
        if self.desk.mail.sending:
            self.send_mail()

    def on_presence_changed(self) -> None:
        for screen in self.screen_stack:
            for tickets in screen.query(TicketList):
                tickets.refresh_marks()
            for line in screen.query(PresenceLine):
                line.load()

    def reload_screens(self) -> None:
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen | _detail_screen()):
                screen.reload()

    # -- navigation ------------------------------------------------------------------------

    def open_ticket(self, ticket_id: int) -> None:
        detail_screen = _detail_screen()
        if isinstance(self.screen, detail_screen):
            self.pop_screen()
        self.push_screen(detail_screen(ticket_id))

    def new_ticket(self) -> None:
        """The new-ticket form; the ticket it opened (or added the call to) is shown next."""
        from console.tui.screens.new_ticket import NewTicketScreen, Opened

        def done(opened: Opened | None) -> None:
            if opened is not None:
                self.notify(opened.said, markup=False)
                self.open_ticket(opened.ticket_id)

        self.push_screen(NewTicketScreen(self.desk), callback=done)

    def show_queue(self, queue_id: str) -> None:
        while isinstance(self.screen, _detail_screen()):
            self.pop_screen()
        main = self.screen
        if isinstance(main, MainScreen):
            main.show_queue(queue_by_id(queue_id, main.queues))

    # -- actions ---------------------------------------------------------------------------

    def action_refresh(self) -> None:
        self.reload_screens()

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        describe = getattr(self.screen, "describe_binding", None)
        rows = key_rows(self.screen.active_bindings, self.get_key_display, describe)
        self.push_screen(HelpScreen(rows))


def make_app(
    db_path: str | os.PathLike[str],
    agent: str,
    clock: Clock | None = None,
    *,
    team: Team | None = None,
    policy: SlaPolicy | None = None,
    macros_path: str | None = None,
    keys: Mapping[str, str] | None = None,
    poll_seconds: float = POLL_SECONDS,
) -> ConsoleApp:
    """The app on the database at `db_path` (created when absent), acting as `agent`.

    `team` (who works which line), `policy` (SLA), `macros_path` and `keys` come from the
    command line's config; the tests pass their own."""
    desk = open_desk(db_path, agent, clock, team=team, policy=policy, macros_path=macros_path)
    return ConsoleApp(desk, clock=clock or utc_now, keys=keys, poll_seconds=poll_seconds)


def run(
    desk: Desk,
    *,
    keys: Mapping[str, str] | None = None,
    first_page: FirstPage | None = None,
    views: Sequence[View] = (),
) -> int:
    """Run the TUI until the agent quits; the exit code for the `console` command."""
    app = ConsoleApp(desk, keys=keys, first_page=first_page, views=views)
    # What the imports made (Textual's and our modules, classes, CSS) lives as long as the
    # program: out of the collector's sight, a full collection no longer walks all of it,
    # which took some 50 ms in the middle of the first paint.
    gc.freeze()
    app.run()
    return app.return_code or 0
