"""A new ticket from the queue screen (`N`): a phone call, a walk-in, a chat taken by hand.

The requester completes from the desk's contacts as it is typed: an address, or, for a caller
who gave none, a phone number or a name (nothing is mailed to them until a contact edit adds
an address; the form says so before the ticket is opened). The channel, the line, the
impact and the urgency are chosen (the priority is the team's matrix cell for the two); the
likely duplicates of what is typed are shown as it is typed, so a second caller about the
same outage is added to the ticket that exists (`ctrl+a`) instead of opening another.
`ctrl+s` opens the ticket. Everything goes through the core's one path, from a worker; what is
wrong is said on the form, which stays as typed."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.timer import Timer
from textual.widgets import Input, OptionList, Select, Static, TextArea
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from console.core import contacts, dupes, operations, words
from console.core.actions import ACTIONS
from console.core.desk import Desk
from console.core.dupes import Suggestion
from console.core.errors import ConsoleError
from console.core.model import Channel, Impact, Line, Urgency
from console.core.requester import CallerKind, is_address
from console.core.store import Store
from console.core.text import one_line
from console.core.triage import priority_for, priority_words
from console.tui.host import WorkerErrors, host
from console.tui.widgets.query_input import CompletingInput

CHANNELS = [("by phone", Channel.PHONE), ("by chat", Channel.CHAT), ("by e-mail", Channel.EMAIL)]
NOT_JUDGED = "-"
NOT_MAILED = "replies are not mailed, tell them by phone"
KEYS = "ctrl+s open the ticket · ctrl+a add to the duplicate · esc cancel"
HINTS = {
    "new-requester": f"who calls: an address, a phone or a name; tab takes the one offered"
    f" · {KEYS}",
    "new-subject": f"the subject: likely duplicates show as you type · {KEYS}",
    "new-body": f"what they said; tab leaves the text · {KEYS}",
    "new-dupes": f"j/k pick the duplicate ctrl+a adds the call to · {KEYS}",
}
"""The line under the form, for the field being filled in."""
DUPES_DELAY = 0.4
"""Seconds of typing pause before the likely duplicates are looked up again."""
SHOWN_DUPES = 3


@dataclass(frozen=True)
class Opened:
    """What the screen did: the ticket to show next and the line that says so."""

    ticket_id: int
    said: str


class ContactSuggester(Suggester):
    """Known contacts whose address or name begins as typed (read in a thread)."""

    def __init__(self, store: Store) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.store = store

    async def get_suggestion(self, value: str) -> str | None:
        typed = value.strip()
        if len(typed) < 2 or "<" in typed:
            return None
        found = await asyncio.to_thread(self._lookup, typed)
        return found if found and found.lower() != typed.lower() else None

    def _lookup(self, typed: str) -> str | None:
        """The text that completes `typed`: a contact's address, "Name <address>", or the
        name of a caller who has no address."""
        for contact in contacts.find(self.store, typed, limit=5):
            if contact.email and contact.email.startswith(typed.lower()):
                return contact.email
            if contact.name and contact.name.lower().startswith(typed.lower()):
                named = typed + contact.name[len(typed) :]
                return f"{named} <{contact.email}>" if contact.email else named
        return None


def _choices(kind: type[Impact] | type[Urgency], words: dict[str, str]) -> list[tuple[str, str]]:
    return [("not judged", NOT_JUDGED), *[(words[m.value], m.value) for m in kind]]


IMPACT_CHOICES = _choices(Impact, {"high": "hits many", "medium": "hits a team", "low": "hits one"})
URGENCY_CHOICES = _choices(
    Urgency, {"high": "work stopped", "medium": "slowed down", "low": "can wait"}
)


class NewTicketScreen(WorkerErrors, ModalScreen[Opened | None]):
    DEFAULT_CSS = """
    NewTicketScreen { align: center middle; }
    #new-ticket {
        width: 100; max-width: 100%; height: auto; max-height: 100%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    #new-ticket .title { text-style: bold; }
    #new-ticket Input { border: none; height: 1; padding: 0 1; margin-bottom: 1; }
    #new-requester { margin-bottom: 0; }
    #new-who { color: $text-muted; height: 1; padding: 0 1; }
    #new-ticket Input:focus { background: $accent 30%; }
    #new-choices { height: auto; }
    #new-kind { height: auto; margin-bottom: 1; }
    #new-choices Select { width: 1fr; margin-right: 1; }
    #new-kind Select { width: 24; }
    #new-ticket SelectCurrent { border: none; height: 1; padding: 0 1; }
    #new-ticket Select:focus > SelectCurrent { background: $accent 30%; }
    #new-body { height: 4; border: none; background: $boost; margin-bottom: 1; }
    #new-body:focus { background: $accent 15%; }
    #new-dupes-title { color: $text-muted; }
    #new-dupes { height: auto; max-height: 3; border: none; }
    #new-error { color: $error; height: auto; }
    #new-hint { color: $text-muted; }
    """
    BINDINGS = [
        Binding("ctrl+s", "create", "Open the ticket", id="new.create", priority=True),
        # Over the inputs' own ctrl+a (to the line's start: `home` still does that).
        Binding("ctrl+a", "add_to_existing", "Add to the duplicate", id="new.add", priority=True),
        Binding("escape", "cancel", "Cancel", id="new.cancel"),
    ]

    def __init__(self, desk: Desk) -> None:
        super().__init__()
        self.desk = desk
        self.suggestions: list[Suggestion] = []
        self._dupes_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        home = self.desk.agent.home_line
        with Vertical(id="new-ticket"):
            yield Static("New ticket", classes="title")
            yield CompletingInput(
                placeholder="who: ann@example.com, Ann Lee <ann@example.com>, a phone, or a name",
                suggester=ContactSuggester(self.desk.store),
                id="new-requester",
            )
            yield Static("", id="new-who")
            yield Input(placeholder="subject: what it is about, in a line", id="new-subject")
            with Horizontal(id="new-choices"):
                yield Select(CHANNELS, value=Channel.PHONE, allow_blank=False, id="new-channel")
                yield Select(
                    [(f"line {line.value}", line) for line in Line],
                    value=home,
                    allow_blank=False,
                    id="new-line",
                )
                yield Select(IMPACT_CHOICES, value=NOT_JUDGED, allow_blank=False, id="new-impact")
                yield Select(URGENCY_CHOICES, value=NOT_JUDGED, allow_blank=False, id="new-urgency")
            with Horizontal(id="new-kind"):
                types = [(words, name) for name, words in self.desk.team.types.items()]
                yield Select(
                    [("no type yet", NOT_JUDGED), *types],
                    value=NOT_JUDGED,
                    allow_blank=False,
                    id="new-type",
                )
            yield TextArea(
                id="new-body",
                soft_wrap=True,
                show_line_numbers=False,
                placeholder="what the caller says: the problem, since when, what they tried",
            )
            yield Static("", id="new-priority")
            yield Static(
                "likely the same problem (ctrl+a adds the call to the highlighted one):",
                id="new-dupes-title",
            )
            yield OptionList(id="new-dupes")
            yield Static("", id="new-error")
            yield Static(HINTS["new-requester"], id="new-hint")

    def on_mount(self) -> None:
        self.query_one("#new-dupes", OptionList).display = False
        self.query_one("#new-dupes-title", Static).display = False
        self.query_one("#new-requester", Input).focus()
        self._show_priority()

    # -- what is typed ---------------------------------------------------------------------

    def on_descendant_focus(self) -> None:
        focused = self.focused
        hint = HINTS.get(focused.id or "", f"enter or space: choose · {KEYS}") if focused else KEYS
        self.query_one("#new-hint", Static).update(Text(hint))

    def _judged(self) -> tuple[Impact | None, Urgency | None]:
        impact = self.query_one("#new-impact", Select).value
        urgency = self.query_one("#new-urgency", Select).value
        return (
            None if impact == NOT_JUDGED else Impact(str(impact)),
            None if urgency == NOT_JUDGED else Urgency(str(urgency)),
        )

    @on(Select.Changed)
    def _show_priority(self) -> None:
        impact, urgency = self._judged()
        if impact and urgency:
            priority = priority_for(impact, urgency, self.desk.policy.matrix)
            said = f"priority {priority.value}: impact {impact.value} × urgency {urgency.value}"
        elif impact or urgency:
            said = "priority: judge both the impact and the urgency (or neither: P3)"
        else:
            said = "priority P3 (judge the impact and the urgency to set it)"
        self.query_one("#new-priority", Static).update(Text(said))

    @on(Input.Changed, "#new-requester")
    def _requester_changed(self, event: Input.Changed) -> None:
        self._read_who(event.value)

    @work(thread=True, exclusive=True, exit_on_error=False, group="new-who")
    def _read_who(self, typed: str) -> None:
        """Who the caller is, as the desk knows them: a name and their tickets."""
        said = self._who_words(contacts.known(self.desk.store, typed), typed)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.query_one("#new-who", Static).update, Text(said))

    def _who_words(self, found: contacts.Known, typed: str) -> str:
        caller, contact = found.caller, found.contact
        if caller is None:
            return "not an address, a phone or a name yet" if typed.strip() else ""
        if found.several:
            alike = "have this phone" if caller.kind == CallerKind.PHONE else "are called so"
            return f"{found.several} contacts {alike}: give the caller's address"
        if contact is None:
            if caller.kind == CallerKind.ADDRESS:
                return "a new contact"
            return f"a new contact with no e-mail address yet: {NOT_MAILED}"
        said = self._known_as(contact)
        if contact.email is None:
            return f"{said} · no e-mail address: {NOT_MAILED}"
        if caller.kind != CallerKind.ADDRESS:
            said += f" ({one_line(contact.email, 60)})"
        return said

    def _known_as(self, contact: contacts.Contact) -> str:
        seen = contacts.history(self.desk.store, contact.label, limit=0)
        name = one_line(contact.name or contact.label, 40)
        return f"{name} · {words.count(seen.total, 'ticket')}, {seen.open:,} open"

    @on(Input.Changed, "#new-subject")
    @on(TextArea.Changed, "#new-body")
    def _text_changed(self) -> None:
        if self._dupes_timer is not None:
            self._dupes_timer.stop()
        self._dupes_timer = self.set_timer(DUPES_DELAY, self._look_for_dupes)

    def _look_for_dupes(self) -> None:
        subject = self.query_one("#new-subject", Input).value
        body = self.query_one("#new-body", TextArea).text
        self._read_dupes(subject, body)

    @work(thread=True, exclusive=True, exit_on_error=False, group="new-dupes")
    def _read_dupes(self, subject: str, body: str) -> None:
        found = []
        if subject.strip() or body.strip():
            found = dupes.suggest(self.desk.store, subject, body=body, limit=SHOWN_DUPES)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_dupes, found)

    def _show_dupes(self, found: list[Suggestion]) -> None:
        self.suggestions = found
        options = self.query_one("#new-dupes", OptionList)
        options.clear_options()
        for s in found:
            line = Text(f"#{s.ticket_id} ", style="bold")
            line.append(f"{one_line(s.subject, 50)}  ")
            line.append(f"{s.status}, {s.score:.2f}", style="dim")
            options.add_option(Option(line, id=str(s.ticket_id)))
        options.display = bool(found)
        self.query_one("#new-dupes-title", Static).display = bool(found)
        if found:
            options.highlighted = 0

    def _error(self, message: str) -> None:
        self.query_one("#new-error", Static).update(Text(message))

    # -- acting ----------------------------------------------------------------------------

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_create(self) -> None:
        requester = self.query_one("#new-requester", Input).value.strip()
        subject = self.query_one("#new-subject", Input).value.strip()
        if not requester:
            self._error("who is it? give the caller's e-mail address, phone or name")
            self.query_one("#new-requester", Input).focus()
            return
        if not subject:
            self._error("give the ticket a subject: what it is about, in a line")
            self.query_one("#new-subject", Input).focus()
            return
        impact, urgency = self._judged()
        channel = Channel(str(self.query_one("#new-channel", Select).value))
        line = Line(str(self.query_one("#new-line", Select).value))
        body = self.query_one("#new-body", TextArea).text
        chosen = str(self.query_one("#new-type", Select).value)
        ticket_type = None if chosen == NOT_JUDGED else chosen

        def create() -> Opened:
            ticket = operations.create_ticket(
                self.desk,
                subject=subject,
                requester=requester,
                body=body,
                line=line,
                source="console",
                channel=channel,
                impact=impact,
                urgency=urgency,
                ticket_type=ticket_type,
            )
            matrix = self.desk.policy.matrix
            why = priority_words(ticket.priority, ticket.impact, ticket.urgency, matrix)
            said = f"#{ticket.id} opened, {ticket.priority}" + (f" ({why})" if why else "")
            if not is_address(ticket.requester):
                said += f"; no e-mail address: {NOT_MAILED}"
            return Opened(ticket.id, said)

        self._act(create)

    def action_add_to_existing(self) -> None:
        options = self.query_one("#new-dupes", OptionList)
        if not self.suggestions or options.highlighted is None:
            self._error("no likely duplicate to add the call to: type the subject first")
            return
        target = self.suggestions[options.highlighted].ticket_id
        body = self.query_one("#new-body", TextArea).text.strip()
        subject = self.query_one("#new-subject", Input).value.strip()
        said = "\n\n".join(part for part in (subject, body) if part)
        if not said:
            self._error("say what the caller said before adding it to a ticket")
            return
        channel = Channel(str(self.query_one("#new-channel", Select).value))
        requester = self.query_one("#new-requester", Input).value.strip() or None
        values = {"body": said, "channel": channel, "author": requester}
        values = {k: v for k, v in values.items() if v is not None}

        def add() -> Opened:
            outcome = ACTIONS["customer"].perform(self.desk, target, values, expected_version=None)
            return Opened(outcome.ticket.id, f"the call was added to #{outcome.ticket.id}")

        self._act(add)

    @work(thread=True, exclusive=True, exit_on_error=False, group="new-ticket")
    def _act(self, act: Callable[[], Opened]) -> None:
        """The change, from a worker; a refusal is said on the form, which stays as typed."""
        try:
            opened = act()
        except ConsoleError as error:
            self.app.call_from_thread(self._error, str(error))
            return
        self.app.call_from_thread(self._done, opened)

    def _done(self, opened: Opened) -> None:
        host(self).changed_here()
        self.dismiss(opened)
