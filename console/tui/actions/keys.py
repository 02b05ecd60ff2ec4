"""The ticket screen's keys for acting on the case, and the panels they need. `TicketActions` is the
base of the ticket screen: it holds the bindings (each with an id and a description, so `?` lists
them), reads what the panels show (workflow clocks, links, checklists, hand-off; duplicate
suggestions) in workers, and starts one flow per key."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from console.core import dupes
from console.core.dupes import Suggestion
from console.core.model import Ticket
from console.tui.actions import checklist, court, flow, lines, linking, status
from console.tui.desk import READ_ERRORS, desk
from console.tui.facts import TicketFacts, load_facts
from console.tui.widgets.action_panels import checklist_text, dupes_text
from console.tui.widgets.ticket_facts import facts_text, handoff_text

MAX_SUGGESTIONS = 5

FLOWS: dict[str, Callable[[flow.Flow], Awaitable[None]]] = {
    "court": court.move_court,
    "vendor": court.hand_to_vendor,
    "vendor_answer": court.vendor_answered,
    "solve": status.solve,
    "close": status.close,
    "confirm": status.confirmed,
    "rate": status.rate,
    "followup": status.followup,
    "clear_followup": status.clear_followup,
    "priority": status.priority,
    "billing": status.billing,
    "escalate": lines.escalate,
    "deescalate": lines.deescalate,
    "take": lines.take,
    "assign": lines.assign,
    "merge": linking.merge,
    "parent": linking.parent,
    "split": linking.split,
    "undo_link": linking.undo,
    "attach": checklist.attach,
    "answer": checklist.answer,
    "ask": checklist.ask,
}


def _key(keys: str, name: str, description: str, show: bool = False) -> Binding:
    return Binding(keys, f"act('{name}')", description, show=show, id=f"detail.{name}")


ACTION_BINDINGS = [
    _key("c", "court", "Move the ball", show=True),
    _key("v", "vendor", "Hand to a vendor"),
    _key("V", "vendor_answer", "Vendor answered"),
    _key("S", "solve", "Solve", show=True),
    _key("C", "close", "Close"),
    _key("O", "confirm", "Customer confirmed"),
    _key("R", "rate", "Rate 1-5"),
    _key("f", "followup", "Promise a follow-up"),
    _key("F", "clear_followup", "Follow-up done"),
    _key("P", "priority", "Priority"),
    _key("B", "billing", "Paid work: estimate, approve, refuse"),
    _key("e", "escalate", "Escalate", show=True),
    _key("E", "deescalate", "De-escalate"),
    _key("t", "take", "Take", show=True),
    _key("a", "assign", "Assign"),
    _key("m", "merge", "Merge into", show=True),
    _key("p", "parent", "Link to a parent problem"),
    _key("s", "split", "Split messages off"),
    _key("U", "undo_link", "Undo merge/link/split"),
    _key("x", "attach", "Attach a checklist"),
    _key("X", "answer", "Answer a question"),
    _key("A", "ask", "Ask the open questions"),
]
"""Appended to the ticket screen's own bindings, so its navigation keys stay first in `?`."""


class TicketActions(Screen[None]):
    """Keys and panels for acting on the ticket in `self.ticket`."""

    ticket: Ticket | None

    def __init__(self) -> None:
        super().__init__()
        self.facts: TicketFacts | None = None
        self.suggestions: list[Suggestion] = []
        self.action_tasks: set[asyncio.Task[None]] = set()
        self._suggested_for: int | None = None

    def compose_top(self) -> ComposeResult:
        """Under the header: the facts line and the latest hand-off note."""
        yield Static(id="detail-facts")
        yield Static(id="detail-handoff")

    def compose_panels(self) -> ComposeResult:
        """At the top of the scrolled body: the checklists (they gate escalation)."""
        yield Static(id="checklist-panel", classes="action-panel")

    def compose_bottom(self) -> ComposeResult:
        """At the end of the scrolled body: likely duplicates (the facts line counts them)."""
        yield Static(id="dupes-panel", classes="action-panel")

    def on_mount(self) -> None:
        for panel in ("#detail-handoff", "#checklist-panel", "#dupes-panel"):
            self.query_one(panel).display = False

    def on_unmount(self) -> None:
        # A flow still waiting for a dialog has nothing left to act on.
        for task in list(self.action_tasks):
            task.cancel()

    def action_act(self, name: str) -> None:
        flow.start(self, FLOWS[name])

    # -- reading what the panels show --------------------------------------------------------

    def ticket_id_shown(self) -> int:
        raise NotImplementedError

    def read_facts(self) -> None:
        """From the ticket screen's load worker: read the facts and hand them to the UI."""
        try:
            facts = load_facts(desk(self).store, self.ticket_id_shown())
        except READ_ERRORS:
            return  # the ticket's own read reports the problem
        self.app.call_from_thread(self.show_facts, facts)

    def show_facts(self, facts: TicketFacts) -> None:
        self.facts = facts
        self.paint_facts()
        handoff = handoff_text(facts)
        panel = self.query_one("#detail-handoff", Static)
        panel.display = handoff is not None
        panel.update(handoff or "")
        checks = checklist_text(facts.checklists)
        panel = self.query_one("#checklist-panel", Static)
        panel.display = checks is not None
        panel.update(checks or "")

    def paint_facts(self) -> None:
        if self.facts is None or self.ticket is None or self.facts.ticket_id != self.ticket.id:
            return
        policy = desk(self).policy
        self.query_one("#detail-facts", Static).update(
            facts_text(self.ticket, self.facts, desk(self).clock(), policy, self.suggestions)
        )

    def reload_suggestions(self) -> None:
        """Once per ticket opened: suggestions are a few hundred candidates re-ranked."""
        if self._suggested_for == self.ticket_id_shown():
            return
        self._suggested_for = self.ticket_id_shown()
        self._load_suggestions()

    @work(
        thread=True,
        exclusive=True,
        exit_on_error=False,
        group="detail-dupes",
        description="suggest likely duplicates of a ticket",
    )
    def _load_suggestions(self) -> None:
        try:
            found = dupes.suggest(desk(self).store, self.ticket_id_shown(), limit=MAX_SUGGESTIONS)
        except READ_ERRORS:
            found = []
        self.app.call_from_thread(self._show_suggestions, found)

    def _show_suggestions(self, found: list[Suggestion]) -> None:
        self.suggestions = found
        self.paint_facts()
        text = dupes_text(found)
        panel = self.query_one("#dupes-panel", Static)
        panel.display = text is not None
        panel.update(text or "")
