"""The ticket screen's writing keys: reply, note, record the customer, macros, ask front line.

Kept apart from the ticket screen so that screen stays about showing the ticket. An agent who
does not talk to customers (third line, vendor line) has no reply key: `r` asks the front line
to put a question to the customer instead, and the footer and help say so."""

from __future__ import annotations

from collections.abc import Sequence

from textual import work
from textual.binding import Binding
from textual.screen import Screen

from console.core import checklists, escalation, macro_render
from console.core.macros import Macro
from console.core.model import Message as TicketMessage
from console.core.model import MessageKind, Ticket
from console.tui.desk import READ_ERRORS, desk
from console.tui.screens.checklist_tick import offer_checklist
from console.tui.screens.compose import ComposeScreen
from console.tui.screens.dialogs import AskLongText
from console.tui.screens.macro_picker import MacroPicker, Picked

COMPOSE_BINDINGS = [
    Binding("r", "compose('reply')", "Reply", id="detail.reply"),
    Binding("r", "ask_front", "Ask front line", id="detail.ask_front"),
    Binding("n", "compose('note')", "Note", id="detail.note"),
    Binding("i", "compose('customer')", "Customer said", show=False, id="detail.customer_message"),
    Binding("M", "macros", "Macros", show=False, id="detail.macros"),
]


class ComposeActions(Screen[None]):
    """The writing keys of a screen that shows one ticket (its bindings merge with the
    screen's own)."""

    BINDINGS = [*COMPOSE_BINDINGS]

    ticket: Ticket | None
    last_event_id: int = 0
    """The newest event the screen has shown: Traffic Cop's starting point."""

    _newest_customer_message: int | None = None
    _offering = False
    """A checklist offer is on screen: a second one would ask the same questions twice."""

    def offer_open_questions(self, ticket_id: int, open_questions: list[checklists.Item]) -> None:
        if self._offering:
            return
        self._offering = True

        def done() -> None:
            self._offering = False

        offer_checklist(self.app, ticket_id, open_questions, done)

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
        try:
            open_questions = [
                i for i in checklists.items(desk(self).store, ticket_id) if not i.answered
            ]
        except READ_ERRORS:
            return  # only an offer; the checklist keys still work
        if open_questions:
            self.app.call_from_thread(self._offer_open_questions, ticket_id, open_questions)

    def _offer_open_questions(self, ticket_id: int, open_questions: list[checklists.Item]) -> None:
        # Not over a composer or a dialog the agent is busy with.
        if self.is_current:
            self.offer_open_questions(ticket_id, open_questions)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        talks = desk(self).me.talks_to_customers
        if action == "compose" and parameters and parameters[0] != "note":
            return talks
        if action == "ask_front":
            return not talks
        return True

    def action_compose(self, kind: str, picked: Picked | None = None) -> None:
        if self.ticket is None:
            return  # still loading: the composer needs the version the agent sees
        ticket_id = self.ticket.id

        def closed(open_questions: list[checklists.Item] | None) -> None:
            if open_questions:
                self.offer_open_questions(ticket_id, open_questions)

        self.app.push_screen(
            ComposeScreen(
                self.ticket, MessageKind(kind), seen_event_id=self.last_event_id, insert=picked
            ),
            closed,
        )

    def action_macros(self) -> None:
        if self.ticket is not None:
            self.app.push_screen(MacroPicker(self.ticket.id), self._macro_picked)

    def _macro_picked(self, picked: Picked | None) -> None:
        if picked is not None:
            self.action_compose(picked.macro.kind.value, picked)

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
        app = desk(self)
        try:
            rendered = macro_render.preview(
                app.store,
                macro,
                self.ticket.id if self.ticket else 0,
                app.agent,
                agent_name=app.me.name,
            )
        except READ_ERRORS as error:
            self.app.call_from_thread(self.notify, str(error), severity="error", markup=False)
            return
        self.app.call_from_thread(self._macro_picked, Picked(macro, rendered.text))

    def action_ask_front(self) -> None:
        if self.ticket is None:
            return
        self.app.push_screen(
            AskLongText(
                f"Ask the front line about #{self.ticket.id}",
                "What should the customer be asked? The front line puts it to them "
                "and records the answer for you.",
            ),
            self._ask_front_with,
        )

    def _ask_front_with(self, question: object) -> None:
        if isinstance(question, str) and question:
            self.ask_front(question)

    @work(
        thread=True,
        exclusive=True,
        exit_on_error=False,
        group="ask-front",
        description="put a question for the customer to the front line",
    )
    def ask_front(self, question: str) -> None:
        app = desk(self)
        ticket_id = self.ticket.id if self.ticket else 0
        try:
            escalation.ask_front(app.store, app.me, ticket_id, question)
        except READ_ERRORS as error:
            self.app.call_from_thread(self.notify, str(error), severity="error", markup=False)
            return
        self.app.call_from_thread(
            self.notify, f"Asked the front line on #{ticket_id}.", markup=False
        )
        self.app.call_from_thread(app.action_refresh)
