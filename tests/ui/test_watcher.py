"""The watcher wakes the screens for what they show: a ticket's change, a colleague's move;
not for the heartbeats a team's consoles send every few seconds."""

from __future__ import annotations

from pathlib import Path

from textual.message import Message
from ui_helpers import AGENT, frozen_clock

from console.core import operations, presence
from console.core.model import Activity
from console.core.store import Store
from console.tui.messages import DataChanged, PresenceChanged
from console.tui.watcher import Watcher
from tests.support import make_desk


def test_heartbeats_alone_wake_nothing_a_move_or_a_change_does(db_path: Path) -> None:
    posted: list[Message] = []
    mine = Store.open(db_path, clock=frozen_clock)
    colleague = Store.open(db_path, clock=frozen_clock)
    watcher = Watcher(
        mine,
        AGENT,
        where=lambda: (None, Activity.BROWSING),
        post=posted.append,
        report=lambda error: None,
        interval=3600,  # the thread never looks by itself here: the test does
    )
    try:
        watcher.start()

        def kinds() -> list[type[Message]]:
            seen = [type(message) for message in posted]
            posted.clear()
            return seen

        presence.heartbeat(colleague, "bob", 12, Activity.VIEWING)
        watcher.look()
        assert kinds() == [PresenceChanged]  # bob came
        for _ in range(3):
            presence.heartbeat(colleague, "bob", 12, Activity.VIEWING)
            watcher.look()
        assert kinds() == []  # bob is still there: nothing to repaint
        presence.heartbeat(colleague, "bob", 12, Activity.REPLYING)
        watcher.look()
        assert kinds() == [PresenceChanged]  # bob started writing
        presence.heartbeat(mine, AGENT, 3, Activity.VIEWING)
        watcher.look()
        assert kinds() == []  # this console's own heartbeat
        ticket_id = colleague.tickets(limit=1)[0].id
        operations.note(make_desk(colleague, "bob"), ticket_id, "Checked the logs.")
        watcher.look()
        assert kinds() == [DataChanged]
        watcher.look()
        assert kinds() == []
    finally:
        watcher.stop()
        mine.close()
        colleague.close()
