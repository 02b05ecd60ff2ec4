"""The ticket screen's writing: the composer for a reply, a note or the customer's words, the
macro picker, and the offer of the checklist questions still open when a customer writes.

Kept apart from the ticket screen so that screen stays about showing the ticket. The keys that
open these are declared actions (`core.actions`): an agent who does not talk to customers has
no reply key, and `r` asks the front line instead."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual import work
from textual.message import Message
from textual.screen import Screen

from console.core import checklists, macro_render
from console.core.macros import Macro
from console.core.model import Message as TicketMessage
from console.core.model import MessageKind, Ticket
from console.tui.actions import flow
from console.tui.actions.keys import TicketActions
from console.tui.host import host
from console.tui.screens.checklist_tick import offer
from console.tui.screens.compose import ComposeScreen
from console.tui.screens.macro_picker import MacroPicker, Picked


@dataclass
class OpenQuestions(Message):
    """The checklist questions still open on a ticket a customer has just written on."""

    ticket: Ticket
    items: list[checklists.Item]


@dataclass
class MacroRendered(Message):
    picked: Picked


class ComposeActions(Screen[None]):
    """The writing of a screen that shows one ticket."""

    ticket: Ticket | None
    last_event_id: int = 0
    """The newest event the screen has shown: Traffic Cop's starting point."""

    _newest_customer_message: int | None = None
    _offering = False
    """A checklist offer is on screen: a second one would ask the same questions twice."""

    def offer_open_questions(self, ticket: Ticket, open_questions: list[checklists.Item]) -> None:
        """Offer the open questions on `ticket` as it is now (its version: the answers are
        changes of it)."""
        if self._offering or not isinstance(self, TicketActions):
            return
        self._offering = True

        async def offering(current: flow.Flow) -> None:
            try:
                await offer(current, open_questions)
            finally:
                self._offering = False

        flow.start(self, offering, ticket=ticket)

    def saw_messages(self, messages: Sequence[TicketMessage]) -> None:
        """Called with each read of the thread: a customer message that arrives while the
        ticket is on screen offers the checklist questions still open (first read: nothing)."""
        newest = max((m.id for m in messages if m.kind == MessageKind.CUSTOMER), default=0)
        before, self._newest_customer_message = self._newest_customer_message, newest
        if before is not None and newest > before and self.ticket is not None:
            self.read_open_questions(self.ticket.id)

    @work(
        thread=True,
        exclusive=True,
        exit_on_error=False,
        group="open-questions",
        description="read the checklist questions still open",
    )
    def read_open_questions(self, ticket_id: int) -> None:
        store = host(self).desk.store
        open_questions = [i for i in checklists.items(store, ticket_id) if not i.answered]
        if open_questions:
            self.post_message(OpenQuestions(store.ticket(ticket_id), open_questions))

    def on_open_questions(self, message: OpenQuestions) -> None:
        # Not over a composer or a dialog the agent is busy with.
        if self.is_current:
            self.offer_open_questions(message.ticket, message.items)

    def open_composer(self, kind: MessageKind, picked: Picked | None = None) -> None:
        if self.ticket is None:
            return  # still loading: the composer needs the version the agent sees

        def closed(sent: tuple[Ticket, list[checklists.Item]] | None) -> None:
            if sent is not None and sent[1]:
                self.offer_open_questions(*sent)

        self.app.push_screen(
            ComposeScreen(self.ticket, kind, seen_event_id=self.last_event_id, insert=picked),
            closed,
        )

    def open_macro_picker(self) -> None:
        if self.ticket is not None:
            self.app.push_screen(MacroPicker(self.ticket.id), self._macro_picked)

    def _macro_picked(self, picked: Picked | None) -> None:
        if picked is not None:
            self.open_composer(picked.macro.kind, picked)

    def use_macro(self, macro: Macro) -> None:
        """A macro chosen elsewhere (the palette): the composer of its kind, text inserted."""
        if self.ticket is not None:
            self.render_macro(macro)

    @work(
        thread=True,
        exclusive=True,
        exit_on_error=False,
        group="macro-render",
        description="render a macro for the ticket",
    )
    def render_macro(self, macro: Macro) -> None:
        rendered = macro_render.preview(
            host(self).desk, macro, self.ticket.id if self.ticket else 0
        )
        self.app.call_from_thread(self._macro_picked, Picked(macro, rendered.text))
