"""Small modal dialogs every action shares: ask for a line of text, a longer text, a choice,
or a yes/no. Each dismisses with the answer, or None when the agent presses esc, so a caller
writes `self.app.push_screen(AskText(...), callback)` and acts only on a real answer.

Labels may hold ticket text (a subject in a question), so they are built as `Text`, never
parsed as markup."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static, TextArea
from textual.widgets.option_list import Option


class _Dialog(ModalScreen[object]):
    DEFAULT_CSS = """
    _Dialog, AskText, AskLongText, AskChoice, Confirm {
        align: center middle;
    }
    .dialog {
        width: 72;
        max-width: 100%;
        height: auto;
        max-height: 90%;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }
    .dialog-title {
        text-style: bold;
    }
    .dialog-hint, .dialog-error {
        color: $text-muted;
    }
    .dialog-error {
        color: $error;
    }
    .dialog TextArea {
        height: 10;
    }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    def action_cancel(self) -> None:
        self.dismiss(None)


Check = Callable[[str], str | None]
"""Says what is wrong with an answer (shown in the dialog, which stays open), or None."""


def _problem(answer: str, required: bool, check: Check | None) -> str | None:
    if required and not answer:
        return "This cannot be empty."
    if check is not None and answer:
        return check(answer)
    return None


class AskText(_Dialog):
    """One line of text; an empty answer when `required`, or one `check` refuses, is said in
    the dialog, which stays open."""

    def __init__(
        self,
        title: str,
        label: str = "",
        *,
        initial: str = "",
        placeholder: str = "",
        required: bool = True,
        check: Check | None = None,
    ) -> None:
        super().__init__()
        self.title_text, self.label, self.initial = title, label, initial
        self.placeholder, self.required, self.check = placeholder, required, check

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self.title_text), classes="dialog-title")
            if self.label:
                yield Static(Text(self.label))
            yield Input(self.initial, placeholder=self.placeholder, id="answer")
            yield Static(Text("enter: OK · esc: cancel"), classes="dialog-hint")
            yield Static("", classes="dialog-error", id="error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        answer = event.value.strip()
        problem = _problem(answer, self.required, self.check)
        if problem:
            self.query_one("#error", Static).update(Text(problem))
            return
        self.dismiss(answer)


class AskLongText(_Dialog):
    """Several lines (a hand-off note, a reason); ctrl+s accepts."""

    BINDINGS = [Binding("ctrl+s", "accept", "OK", id="dialog.accept")]

    def __init__(
        self,
        title: str,
        label: str = "",
        *,
        initial: str = "",
        required: bool = True,
        check: Check | None = None,
    ) -> None:
        super().__init__()
        self.title_text, self.label, self.initial, self.required = title, label, initial, required
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self.title_text), classes="dialog-title")
            if self.label:
                yield Static(Text(self.label))
            yield TextArea(self.initial, id="answer", soft_wrap=True)
            yield Static(Text("ctrl+s: OK · esc: cancel"), classes="dialog-hint")
            yield Static("", classes="dialog-error", id="error")

    def action_accept(self) -> None:
        answer = self.query_one("#answer", TextArea).text.strip()
        problem = _problem(answer, self.required, self.check)
        if problem:
            self.query_one("#error", Static).update(Text(problem))
            return
        self.dismiss(answer)


def _numbered(number: int, text: str) -> Text:
    line = Text(f"{number}  ", style="dim")
    line.append(text)
    return line


class AskChoice(_Dialog):
    """One of several options; dismisses with the chosen option's id."""

    def __init__(
        self,
        title: str,
        options: Sequence[tuple[str, str]],
        *,
        label: str = "",
        selected: str | None = None,
    ) -> None:
        super().__init__()
        self.title_text, self.label, self.options = title, label, list(options)
        self.selected = selected

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self.title_text), classes="dialog-title")
            if self.label:
                yield Static(Text(self.label))
            numbered = len(self.options) <= 9
            # Options that say their number already ("1. Which OS?") are not numbered twice.
            said = bool(self.options) and self.options[0][1].startswith("1.")
            yield OptionList(
                *(
                    Option(_numbered(number, text) if numbered and not said else Text(text), id=key)
                    for number, (key, text) in enumerate(self.options, start=1)
                ),
                id="choices",
            )
            digits = f"1–{len(self.options)} or " if numbered else ""
            yield Static(
                Text(f"j/k or arrows: move · {digits}enter: choose · esc: cancel"),
                classes="dialog-hint",
            )

    def on_mount(self) -> None:
        choices = self.query_one(OptionList)
        ids = [key for key, _ in self.options]
        if self.selected in ids:
            choices.highlighted = ids.index(self.selected)
        choices.focus()

    def on_key(self, event: events.Key) -> None:
        """A digit chooses the option it numbers, at once."""
        if event.character and event.character in "123456789" and len(self.options) <= 9:
            index = int(event.character) - 1
            if index < len(self.options):
                event.stop()
                self.dismiss(self.options[index][0])

    def key_j(self) -> None:
        self.query_one(OptionList).action_cursor_down()

    def key_k(self) -> None:
        self.query_one(OptionList).action_cursor_up()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)


class Confirm(_Dialog):
    """A yes/no question; `y` or enter says yes, `n` or esc says no."""

    BINDINGS = [
        Binding("y,enter", "answer(True)", "Yes", id="dialog.yes"),
        Binding("n", "answer(False)", "No", id="dialog.no"),
    ]

    def __init__(self, question: str, detail: str = "") -> None:
        super().__init__()
        self.question, self.detail = question, detail

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self.question), classes="dialog-title")
            if self.detail:
                yield Static(Text(self.detail))
            yield Static(Text("y / enter: yes · n / esc: no"), classes="dialog-hint")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)

    def action_cancel(self) -> None:
        self.dismiss(False)
