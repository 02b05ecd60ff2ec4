"""The ticket screen's keys for acting on the case, made from the action declarations, and the
panels they need. `TicketActions` is the base of the ticket screen: one binding per declared
action (id `ticket.<action id>`, so a `[keys]` table can move it; its description and tooltip
are the declaration's, so `?` lists them), a check that offers an agent only the actions their
rules allow, and one flow per key.

Actions may share a key (paid work: estimate, approved, declined): the key then offers those
that make sense on the ticket now, or goes straight to the only one."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from console.core import dupes
from console.core.actions import ACTIONS, KEY_TITLES, TicketAction
from console.core.context import TicketContext
from console.core.dupes import Suggestion
from console.core.model import MessageKind, Ticket
from console.tui.actions import flow, flow_for
from console.tui.clipboard import copy
from console.tui.host import WorkerErrors, host
from console.tui.screens.dialogs import AskChoice
from console.tui.widgets.action_panels import checklist_text, dupes_text
from console.tui.widgets.ticket_facts import facts_text, handoff_text

MAX_SUGGESTIONS = 5


def _binding(action: TicketAction) -> Binding:
    sharing = [a for a in ACTIONS.values() if a.key == action.key]
    title, tooltip = action.title, action.help
    if action.key in KEY_TITLES and len(sharing) > 1:
        title = KEY_TITLES[action.key]
        tooltip = " \u00b7 ".join(a.title for a in sharing)
    return Binding(
        action.key,
        f"act('{action.id}')",
        title,
        show=action.footer,
        id=f"ticket.{action.id}",
        tooltip=tooltip,
    )


ACTION_BINDINGS = [_binding(action) for action in ACTIONS.values()]
"""Appended to the ticket screen's own bindings, so its navigation keys stay first in `?`."""


@dataclass
class SuggestionsLoaded(Message):
    ticket_id: int
    suggestions: list[Suggestion]


class TicketActions(WorkerErrors, Screen[None]):
    """Keys and panels for acting on the ticket in `self.ticket`."""

    ticket: Ticket | None

    def __init__(self) -> None:
        super().__init__()
        self.context: TicketContext | None = None
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

    # -- which action a key runs -------------------------------------------------------------

    def key_of(self, action: TicketAction) -> str:
        overrides = getattr(self.app, "key_overrides", {})
        return str(overrides.get(f"ticket.{action.id}", action.key))

    def sharing(self, action: TicketAction) -> list[TicketAction]:
        """The actions on the same key as `action` that this agent may use, in order."""
        me = host(self).desk.agent
        key = self.key_of(action)
        return [a for a in ACTIONS.values() if self.key_of(a) == key and a.allows(me)]

    def describe_binding(self, binding: Binding) -> tuple[str, str]:
        """The key help's words for a binding: an action key lists only what this agent may
        do with it."""
        action_id = (binding.id or "").removeprefix("ticket.")
        if action_id not in ACTIONS:
            return binding.description, binding.tooltip
        sharing = self.sharing(ACTIONS[action_id])
        if len(sharing) > 1:
            first = sharing[0]
            return KEY_TITLES.get(first.key, first.title), " \u00b7 ".join(a.title for a in sharing)
        return ACTIONS[action_id].title, ACTIONS[action_id].help

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action != "act" or not parameters:
            return True
        chosen = ACTIONS[str(parameters[0])]
        sharing = self.sharing(chosen)
        # One binding per key is offered: the first the agent may use speaks for the others.
        return bool(sharing) and sharing[0] is chosen

    def action_act(self, action_id: str) -> None:
        sharing = self.sharing(ACTIONS[action_id])
        if sharing:
            flow.start(self, lambda f: self._run(f, sharing))

    async def _run(self, current: flow.Flow, sharing: list[TicketAction]) -> None:
        context = self.context
        fitting = [a for a in sharing if context is None or a.applies_to(context)]
        if not fitting:
            titles = ", ".join(f"\u201c{a.title}\u201d" for a in sharing)
            current.fail(f"#{current.ticket.id}: {titles} does not apply to this ticket now")
        chosen = fitting[0]
        if len(fitting) > 1:
            picked = await current.ask(
                AskChoice(
                    f"#{current.ticket.id}: what now?",
                    [(a.id, f"{a.title}: {a.help}") for a in fitting],
                )
            )
            chosen = ACTIONS[picked]
        await flow_for(chosen)(current, chosen)

    def start_action(self, action_id: str) -> None:
        """Run one action's flow (the palette's way in: no key, no choice)."""
        action = ACTIONS[action_id]
        flow.start(self, lambda f: flow_for(action)(f, action))

    # -- writing (the ticket screen's composer and picker) ---------------------------------------

    def open_composer(self, kind: MessageKind) -> None:
        raise NotImplementedError

    def open_macro_picker(self) -> None:
        raise NotImplementedError

    # -- copying -------------------------------------------------------------------------------

    def copy_text(self, text: str) -> None:
        """Copy through the terminal and the local clipboard; the app says what worked."""
        copy(self, text)

    # -- the panels ----------------------------------------------------------------------------

    def ticket_id_shown(self) -> int:
        raise NotImplementedError

    def show_context(self, context: TicketContext) -> None:
        self.context = context
        self.paint_facts()
        handoff = handoff_text(context, host(self).desk.policy.zone)
        panel = self.query_one("#detail-handoff", Static)
        panel.display = handoff is not None
        panel.update(handoff or "")
        checks = checklist_text(context.checklists)
        panel = self.query_one("#checklist-panel", Static)
        panel.display = checks is not None
        panel.update(checks or "")

    def paint_facts(self) -> None:
        context = self.context
        if context is None or self.ticket is None or context.ticket_id != self.ticket.id:
            return
        desk = host(self).desk
        self.query_one("#detail-facts", Static).update(
            facts_text(
                self.ticket,
                context,
                host(self).clock(),
                desk.policy,
                self.suggestions,
                types=desk.team.types,
            )
        )

    def reload_suggestions(self) -> None:
        """Once per ticket opened: suggestions are a few hundred candidates re-ranked."""
        if self._suggested_for == self.ticket_id_shown():
            return
        self._suggested_for = self.ticket_id_shown()
        self._load_suggestions(self.ticket_id_shown())

    @work(
        thread=True,
        exclusive=True,
        exit_on_error=False,
        group="detail-dupes",
        description="suggest likely duplicates of a ticket",
    )
    def _load_suggestions(self, ticket_id: int) -> None:
        found = dupes.suggest(host(self).desk.store, ticket_id, limit=MAX_SUGGESTIONS)
        self.post_message(SuggestionsLoaded(ticket_id, found))

    def on_suggestions_loaded(self, message: SuggestionsLoaded) -> None:
        if message.ticket_id != self.ticket_id_shown():
            return
        self.suggestions = message.suggestions
        self.paint_facts()
        text = dupes_text(message.suggestions)
        panel = self.query_one("#dupes-panel", Static)
        panel.display = text is not None
        panel.update(text or "")
