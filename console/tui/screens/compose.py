"""The composer: write a public reply, an internal note, or what the customer told us.

A reply and a note look unmistakably different (banner, title and border colour), because a
note sent as a reply reaches the customer. The text is saved as a draft while the agent types
(each second and on leaving), comes back the next time the composer opens on that ticket, and
is discarded once sent. Before sending, Traffic Cop compares the ticket with the version the
agent saw and lists what arrived meanwhile; the agent sends anyway or goes back to the text.
A conflict or any other refusal keeps the text and the draft. While the composer is open the
console's presence on the ticket is "replying"."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static, TextArea

from console.core import checklists, drafts, escalation, macro_render, words
from console.core.actions import ACTIONS
from console.core.clock import from_text
from console.core.errors import ConsoleError
from console.core.escalation import Clarification
from console.core.macros import Macro
from console.core.model import Activity, Channel, MessageKind, Ticket
from console.core.requester import is_address
from console.core.text import one_line
from console.core.traffic_cop import Since, changes_since
from console.core.words import CHANNEL_WORDS, NOT_MAILED
from console.tui.editor import EditorError, edit_text, editor_command
from console.tui.host import EXPECTED_ERRORS, WorkerErrors, host
from console.tui.screens.dialogs import AskChoice, Confirm
from console.tui.screens.macro_picker import MacroPicker, Picked
from console.tui.widgets.footer import ConsoleFooter

AUTOSAVE_SECONDS = 1.0

BANNERS = {
    MessageKind.REPLY: "PUBLIC \u2014 the customer will read this",
    MessageKind.NOTE: "INTERNAL note \u2014 only the team sees this",
    MessageKind.CUSTOMER: "FROM THE CUSTOMER \u2014 record what they said (phone, chat, mail)",
}
TITLES = {
    MessageKind.REPLY: "Reply to the customer",
    MessageKind.NOTE: "Internal note",
    MessageKind.CUSTOMER: "What the customer said",
}
CHANNEL_ORDER = (Channel.PHONE, Channel.CHAT, Channel.EMAIL, Channel.MONITORING)
"""What ctrl+g cycles through when the customer's words are recorded."""


@dataclass
class DraftRead(Message):
    draft: drafts.Draft | None
    clarifications: list[Clarification]


@dataclass
class ChangedMeanwhile(Message):
    """Traffic Cop: the ticket changed since the composer opened."""

    since: Since
    text: str


@dataclass
class MacroText(Message):
    """A macro rendered for the ticket, to insert."""

    picked: Picked


@dataclass
class SendFailed(Message):
    error: str


@dataclass
class Sent(Message):
    ticket: Ticket
    detail: str
    open_questions: list[checklists.Item]


class ComposeScreen(WorkerErrors, Screen[tuple[Ticket, list[checklists.Item]] | None]):
    """Write one message on one ticket; dismissed with the checklist questions still open
    after a customer message was recorded, for the ticket screen to offer."""

    DEFAULT_CSS = """
    ComposeScreen #compose-banner {
        height: 1; padding: 0 1; text-style: bold;
    }
    ComposeScreen.-reply #compose-banner { background: $error; color: $text; }
    ComposeScreen.-note #compose-banner { background: $warning 60%; color: $text; }
    ComposeScreen.-customer #compose-banner { background: $primary; color: $text; }
    ComposeScreen #compose-text { height: 1fr; }
    ComposeScreen.-reply #compose-text { border: thick $error; }
    ComposeScreen.-note #compose-text { border: dashed $warning; }
    ComposeScreen.-customer #compose-text { border: round $primary; }
    ComposeScreen #compose-info, ComposeScreen #compose-status {
        height: auto; padding: 0 1; color: $text-muted;
    }
    """

    BINDINGS = [
        # Not a priority key: it waits behind the keys typed before it, so all of them are sent.
        Binding("ctrl+s", "send", "Send", id="compose.send"),
        Binding("escape", "leave", "Back (draft kept)", priority=True, id="compose.leave"),
        Binding("ctrl+t", "toggle_court", "Keep ball", id="compose.keep_court"),
        Binding("ctrl+g", "next_channel", "How it came", id="compose.channel"),
        Binding("ctrl+e", "external_editor", "$EDITOR", priority=True, id="compose.editor"),
        Binding("ctrl+o", "macros", "Macros", id="compose.macros"),
        Binding("M", "macros", "Macros", show=False, id="compose.macros_m"),
        Binding("ctrl+b", "answer_back_line", "Answer back line", id="compose.answer_front"),
        # `?` is a character here; f1 opens the key help instead.
        Binding("f1", "app.help", "Help", id="compose.help"),
    ]

    def __init__(
        self, ticket: Ticket, kind: MessageKind, *, seen_event_id: int, insert: Picked | None = None
    ) -> None:
        super().__init__(classes=f"-{kind.value}")
        self.ticket = ticket
        self.kind = kind
        self.seen_version = ticket.version
        self.channel = Channel.PHONE
        """How the customer's words came, for a customer message (ctrl+g changes it)."""
        """The version the agent saw: sending expects it (a colleague's change is a conflict)."""
        self.seen_event_id = seen_event_id
        self.insert = insert
        self.keep_court = False
        self.macro_id: str | None = None
        self.clarifications: list[Clarification] = []
        self._loaded = False
        self._saved_text = ""
        self._text = ""
        self._saved_lock = threading.Lock()
        self._sending = False

    # -- building ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        banner = BANNERS[self.kind]
        if self.kind == MessageKind.REPLY and not is_address(self.ticket.requester):
            banner = f"PUBLIC \u2014 {NOT_MAILED}"  # the agent says it on the phone
        yield Static(Text(banner), id="compose-banner")
        title = Text()
        title.append(f"{TITLES[self.kind]}  #{self.ticket.id}  ", style="bold")
        title.append(one_line(self.ticket.subject, 100))
        title.append(f"\ncustomer {one_line(self.ticket.requester, 80)}", style="dim")
        yield Static(title, id="compose-title")
        yield Static("", id="compose-info")
        editor = TextArea("", id="compose-text", soft_wrap=True, tab_behavior="indent")
        editor.border_title = TITLES[self.kind]
        yield editor
        yield Static("", id="compose-status")
        yield ConsoleFooter()

    def on_mount(self) -> None:
        editor = self.query_one(TextArea)
        editor.focus()  # typing starts now; the draft, once read, goes before what was typed
        self.read_draft()
        self.set_interval(AUTOSAVE_SECONDS, self.autosave, name="save the draft")
        self._show_status()

    def presence(self) -> tuple[int | None, str]:
        """What the app's heartbeat says while this screen is on top (see
        `background.where`)."""
        return self.ticket.id, Activity.REPLYING

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle_court":
            return self.kind == MessageKind.REPLY
        if action == "next_channel":
            return self.kind == MessageKind.CUSTOMER
        if action == "answer_back_line":
            return bool(self.clarifications) and host(self).desk.agent.talks_to_customers
        return True

    # -- the draft ----------------------------------------------------------------------------

    @work(
        thread=True,
        exclusive=True,
        exit_on_error=False,
        group="compose-read",
        description="read the draft and the back line's open questions",
    )
    def read_draft(self) -> None:
        desk = host(self).desk
        try:
            draft = drafts.load(desk.store, desk.login, self.ticket.id, self.kind)
            asked = escalation.open_clarifications(desk.store, self.ticket.id)
        except EXPECTED_ERRORS as error:
            # Shown, and the composer still opens: what the agent writes must not wait.
            self.app.call_from_thread(host(self).show_error, error)
            draft, asked = None, []
        self.post_message(DraftRead(draft, asked))

    def on_draft_read(self, message: DraftRead) -> None:
        editor = self.query_one(TextArea)
        text = ""
        if message.draft is not None:
            text = message.draft.body
            self.keep_court = message.draft.keep_court
            self.macro_id = message.draft.macro_id
            self._saved_text = text
            saved = words.when(
                from_text(message.draft.updated_at), host(self).clock(), host(self).desk.policy.zone
            )
            self.notify(f"Draft restored (last saved {saved}).", markup=False)
        if self.insert is not None:
            text = f"{text.rstrip()}\n\n{self.insert.text}" if text.strip() else self.insert.text
            self._take_macro(self.insert)
        if text:  # the draft and the macro first, then what the agent typed while they came
            typed = editor.text
            editor.load_text(f"{text.rstrip()}\n\n{typed}" if typed.strip() else text)
            editor.move_cursor(editor.document.end)
        self.clarifications = message.clarifications
        self._loaded = True
        self._show_status()
        self.refresh_bindings()

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        # Kept here as well: on unmount the editor widget is already gone, its text is not.
        self._text = event.text_area.text

    def _current(self) -> tuple[str, bool, str | None]:
        return self._text, self.keep_court, self.macro_id

    def autosave(self) -> None:
        if self._loaded and not self._sending:
            text, keep, macro = self._current()
            if text != self._saved_text:
                self.save_draft(text, keep, macro)

    @work(
        thread=True,
        exclusive=True,
        exit_on_error=False,
        group="compose-save",
        description="save the draft",
    )
    def save_draft(self, text: str, keep_court: bool, macro_id: str | None) -> None:
        try:
            self._store_draft(text, keep_court, macro_id)
        except EXPECTED_ERRORS as error:
            raise ConsoleError(f"the draft was not saved: {error}") from error

    def _store_draft(self, text: str, keep_court: bool, macro_id: str | None) -> None:
        desk = host(self).desk
        with self._saved_lock:
            drafts.save(
                desk.store,
                desk.login,
                self.ticket.id,
                self.kind,
                text,
                keep_court=keep_court,
                macro_id=macro_id,
            )
            self._saved_text = text

    def _save_on_leaving(self) -> None:
        # On the UI thread on purpose: the screen (or the whole app) is going away, and a
        # worker started now could be cut off before it writes. One small row.
        if not self._loaded:
            return
        text, keep, macro = self._current()
        if text == self._saved_text:
            return
        try:
            self._store_draft(text, keep, macro)
        except EXPECTED_ERRORS as error:
            self.notify(f"the draft was not saved: {error}", severity="error", markup=False)

    def after_typing(self, then: Callable[[], object]) -> None:
        """Run `then` once the keys typed before this one are in the text.

        Priority keys (esc, ctrl+e) are handled by the app as they arrive, while the keys
        before them still wait in the editor's queue: a fast typist or a paste followed by
        esc would otherwise lose its last characters. Queued behind them, nothing is lost."""
        self.query_one(TextArea).call_later(then)

    def unsent(self) -> str | None:
        """What the composer holds that was not sent, in words ("internal note on #12"), or
        None when it is empty."""
        if not self.query_one(TextArea).text.strip():
            return None
        return f"{TITLES[self.kind].lower()} on #{self.ticket.id}"

    def action_leave(self) -> None:
        self.after_typing(self._leave)

    def _leave(self) -> None:
        self._text = self.query_one(TextArea).text
        self._save_on_leaving()
        if self._text.strip():
            self.notify(
                "Draft kept; it comes back when you open this composer again.", markup=False
            )
        self.dismiss(None)

    def on_unmount(self) -> None:
        self._save_on_leaving()

    # -- status line --------------------------------------------------------------------------

    def _show_status(self) -> None:
        status = Text()
        if self.kind == MessageKind.REPLY:
            if self.keep_court:
                status.append("After sending the ball stays with US", style="bold")
                status.append(" (ctrl+t: give it to the customer)")
            else:
                status.append("After sending the ball goes to the CUSTOMER", style="bold")
                status.append(" (ctrl+t: keep it with us)")
        if self.kind == MessageKind.CUSTOMER:
            following = CHANNEL_ORDER[(CHANNEL_ORDER.index(self.channel) + 1) % len(CHANNEL_ORDER)]
            status.append(f"The customer said this {CHANNEL_WORDS[self.channel]}", style="bold")
            status.append(f" (ctrl+g: {CHANNEL_WORDS[following]})")
        if self.macro_id:
            status.append(
                f"\nMacro {one_line(self.macro_id, 40)}: its actions are applied on sending"
            )
        line = self.query_one("#compose-status", Static)
        line.update(status)
        line.display = bool(status.plain)
        info = Text()
        if self.clarifications and host(self).desk.agent.talks_to_customers:
            for asked in self.clarifications:
                info.append(f"{one_line(asked.asked_by, 30)} asks the customer: ", style="bold")
                info.append(f"{one_line(asked.question, 90)}\n")
            info.append("ctrl+b records this text as the customer's answer for them")
        shown = self.query_one("#compose-info", Static)
        shown.update(info)
        shown.display = bool(info.plain)

    def action_toggle_court(self) -> None:
        self.keep_court = not self.keep_court
        self._show_status()

    def action_next_channel(self) -> None:
        self.channel = CHANNEL_ORDER[(CHANNEL_ORDER.index(self.channel) + 1) % len(CHANNEL_ORDER)]
        self._show_status()

    # -- macros ---------------------------------------------------------------------------------

    def action_macros(self) -> None:
        self.app.push_screen(MacroPicker(self.ticket.id), self._picked)

    def _picked(self, picked: Picked | None) -> None:
        if picked is None:
            return
        editor = self.query_one(TextArea)
        editor.insert(picked.text)
        self._take_macro(picked)
        self._show_status()

    def use_macro(self, macro: Macro) -> None:
        """A macro chosen elsewhere (the palette): insert it as the picker would."""
        self.render_macro(macro)

    @work(
        thread=True,
        exclusive=True,
        exit_on_error=False,
        group="macro-render",
        description="render a macro for the ticket",
    )
    def render_macro(self, macro: Macro) -> None:
        rendered = macro_render.preview(host(self).desk, macro, self.ticket.id)
        self.post_message(MacroText(Picked(macro, rendered.text)))

    def on_macro_text(self, message: MacroText) -> None:
        self._picked(message.picked)

    def _take_macro(self, picked: Picked) -> None:
        if picked.macro.kind == self.kind:
            self.macro_id = picked.macro.id
        else:
            # A reply macro's actions must not ride along with a note, nor the reverse.
            self.notify(
                f"Only the text of macro {picked.macro.id} was inserted: it is a "
                f"{picked.macro.kind.value} macro and this is a {self.kind.value}.",
                markup=False,
            )

    # -- the external editor ----------------------------------------------------------------

    def action_external_editor(self) -> None:
        self.after_typing(self._external_editor)

    def _external_editor(self) -> None:
        editor = self.query_one(TextArea)
        try:
            command = editor_command()
            with self.app.suspend():
                text = edit_text(editor.text, command)
            if text.endswith("\n") and not editor.text.endswith("\n"):
                text = text[:-1]  # the newline most editors add at the end of a file
        except EditorError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        except SuspendNotSupported:
            self.notify(
                "this terminal cannot hand the screen to an editor; edit here",
                severity="error",
                markup=False,
            )
            return
        editor.load_text(text)
        editor.move_cursor(editor.document.end)

    # -- sending ------------------------------------------------------------------------------

    def action_send(self) -> None:
        if not self._loaded or self._sending:
            return
        text = self.query_one(TextArea).text
        if not text.strip():
            self.notify(
                f"The {TITLES[self.kind].lower()} is empty: nothing was sent.",
                severity="error",
                markup=False,
            )
            return
        self._sending = True
        self.send(text, self.keep_court, self.macro_id, self.seen_version, self.seen_event_id)

    @work(
        thread=True,
        exclusive=True,
        exit_on_error=False,
        group="compose-send",
        description="send the message",
    )
    def send(
        self,
        text: str,
        keep_court: bool,
        macro_id: str | None,
        seen_version: int,
        seen_event_id: int,
    ) -> None:
        desk = host(self).desk
        store = desk.store
        try:
            self._store_draft(text, keep_court, macro_id)  # kept whatever happens next
            if store.ticket(self.ticket.id).version != seen_version:
                self.post_message(
                    ChangedMeanwhile(changes_since(store, self.ticket.id, seen_event_id), text)
                )
                return
            detail = self._deliver(text, keep_court, macro_id, seen_version)
            open_questions: list[checklists.Item] = []
            if self.kind == MessageKind.CUSTOMER:
                open_questions = [
                    i for i in checklists.items(store, self.ticket.id) if not i.answered
                ]
            ticket = store.ticket(self.ticket.id)
        except EXPECTED_ERRORS as error:
            self.post_message(SendFailed(str(error)))
            return
        try:
            drafts.discard(store, desk.login, self.ticket.id, self.kind)
            self._saved_text = ""
        except EXPECTED_ERRORS as error:
            self.app.call_from_thread(
                self.notify, f"sent, but the draft stays: {error}", severity="warning", markup=False
            )
        self.post_message(Sent(ticket, detail, open_questions))

    def _deliver(self, text: str, keep_court: bool, macro_id: str | None, expected: int) -> str:
        """Send through the declared action; what was done, in words for the notification."""
        desk = host(self).desk
        if macro_id is not None and self.kind != MessageKind.CUSTOMER:
            action, values = (
                ACTIONS["macro"],
                {"macro": macro_id, "text": text, "keep_court": keep_court},
            )
        elif self.kind == MessageKind.REPLY:
            action, values = ACTIONS["reply"], {"body": text, "keep_court": keep_court}
        elif self.kind == MessageKind.NOTE:
            action, values = ACTIONS["note"], {"body": text}
        else:
            action, values = ACTIONS["customer"], {"body": text, "channel": self.channel}
        return action.perform(desk, self.ticket.id, values, expected_version=expected).said

    def on_changed_meanwhile(self, message: ChangedMeanwhile) -> None:
        since = message.since

        def answered(send_anyway: object) -> None:
            # Either way the agent has now seen these changes: they are not asked about twice.
            self.seen_version, self.seen_event_id = since.version, since.last_event_id
            if send_anyway:
                self.send(
                    message.text, self.keep_court, self.macro_id, since.version, since.last_event_id
                )
            else:
                self._sending = False
                self.query_one(TextArea).focus()

        self.app.push_screen(
            Confirm(
                "The ticket changed while you were writing. Send anyway?",
                since.describe() or "its version changed",
            ),
            answered,
        )

    def on_send_failed(self, message: SendFailed) -> None:
        self._sending = False
        self.notify(
            f"{message.error} \u2014 nothing was sent; your text is kept as a draft.",
            severity="error",
            markup=False,
            timeout=10,
        )

    def on_sent(self, message: Sent) -> None:
        self._loaded = False  # sent: leaving must not save the text as a draft again
        self.notify(message.detail, markup=False)
        host(self).changed_here()
        self.dismiss((message.ticket, message.open_questions))

    # -- the back line's questions ------------------------------------------------------------

    def action_answer_back_line(self) -> None:
        text = self.query_one(TextArea).text.strip()
        if not text:
            self.notify("Write the customer's answer first.", severity="error", markup=False)
            return
        if len(self.clarifications) == 1:
            self._answer_for(self.clarifications[0].id, text)
            return
        options = [
            (str(c.id), f"{c.asked_by}: {one_line(c.question, 60)}") for c in self.clarifications
        ]

        def chosen(clarification_id: object) -> None:
            if isinstance(clarification_id, str):
                self._answer_for(int(clarification_id), text)

        self.app.push_screen(AskChoice("Whose question does this answer?", options), chosen)

    def _answer_for(self, clarification_id: int, text: str) -> None:
        self._sending = True
        self.answer_front(clarification_id, text)

    @work(
        thread=True,
        exclusive=True,
        exit_on_error=False,
        group="compose-send",
        description="record the customer's answer for the back line",
    )
    def answer_front(self, clarification_id: int, text: str) -> None:
        desk = host(self).desk
        try:
            self._store_draft(text, self.keep_court, self.macro_id)
            done = ACTIONS["answer_front"].perform(
                desk,
                self.ticket.id,
                {"answer": text, "question_id": clarification_id},
                expected_version=None,
            )
            drafts.discard(desk.store, desk.login, self.ticket.id, self.kind)
            self._saved_text = ""
        except EXPECTED_ERRORS as error:
            self.post_message(SendFailed(str(error)))
            return
        self.post_message(Sent(done.ticket, done.said, []))
