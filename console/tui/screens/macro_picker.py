"""The macro picker: fuzzy search as you type, a preview rendered for this ticket, insert or copy.

The list is ranked by `core.macros.search`, so a typo still finds the answer. The preview shows
the text as the customer would read it (unknown values as visible markers) and every action the
macro takes when sent. enter inserts it; y (or ctrl+y while typing) copies the text and says
which clipboard path worked. A broken macro file keeps the last good set; its error is shown."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from console.core import macro_render
from console.core.desk import Desk
from console.core.macros import Macro, search
from console.core.model import MessageKind
from console.core.text import one_line, visible
from console.tui.clipboard import copy
from console.tui.host import WorkerErrors, host
from console.tui.widgets.footer import ConsoleFooter


@dataclass(frozen=True)
class Picked:
    """The macro chosen, with its text rendered for the ticket."""

    macro: Macro
    text: str


@dataclass
class CatalogRead(Message):
    macros: tuple[Macro, ...]
    error: str | None


@dataclass
class PreviewRead(Message):
    rendered: macro_render.Rendered


def preview_text(rendered: macro_render.Rendered) -> Text:
    """What the macro will say and do; the text as the customer would read it."""
    macro = rendered.macro
    text = Text()
    text.append(one_line(macro.title, 70), style="bold")
    text.append(f"  ({one_line(macro.id, 40)})\n", style="dim")
    public = macro.kind == MessageKind.REPLY
    text.append(
        "PUBLIC reply" if public else "INTERNAL note", style="bold reverse" if public else "bold"
    )
    text.append("\nWill do:\n", style="dim")
    for action in rendered.actions:
        text.append(f"  \u2022 {action}\n")
    if rendered.missing:
        text.append(f"Unknown for this ticket: {', '.join(rendered.missing)}\n", style="bold")
    text.append("\n")
    text.append(visible(rendered.text))
    return text


def usable_macros(desk: Desk) -> tuple[Macro, ...]:
    """The macros in force that this agent may send: an agent who does not talk to customers
    sees only the internal ones (the core would refuse a reply anyway)."""
    macros = desk.catalog().macros
    if desk.agent.talks_to_customers:
        return macros
    return tuple(m for m in macros if m.kind != MessageKind.REPLY)


class MacroPicker(WorkerErrors, ModalScreen[Picked | None]):
    """Choose a macro for one ticket."""

    DEFAULT_CSS = """
    MacroPicker { align: center middle; }
    #macro-picker {
        width: 110; max-width: 100%; height: 90%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    #macro-query { margin-bottom: 1; }
    #macro-panes { height: 1fr; }
    #macro-list { width: 40%; height: 1fr; }
    #macro-preview-pane { width: 60%; height: 1fr; padding-left: 1; }
    #macro-error { color: $error; height: auto; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="macros.cancel"),
        Binding("enter", "insert", "Insert", id="macros.insert"),
        Binding("y,ctrl+y", "copy", "Copy", id="macros.copy"),
        Binding("down", "move(1)", "Next", show=False, id="macros.down"),
        Binding("up", "move(-1)", "Previous", show=False, id="macros.up"),
    ]

    def __init__(self, ticket_id: int, *, query: str = "") -> None:
        super().__init__()
        self.ticket_id = ticket_id
        self.initial_query = query
        self.macros: tuple[Macro, ...] = ()
        self.shown: list[Macro] = []
        self.rendered: macro_render.Rendered | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="macro-picker"):
            yield Static(Text(f"Macros for ticket #{self.ticket_id}", style="bold"))
            yield Static("", id="macro-error")
            yield Input(
                self.initial_query, placeholder="type to search (typos are fine)", id="macro-query"
            )
            with Horizontal(id="macro-panes"):
                yield OptionList(id="macro-list")
                with VerticalScroll(id="macro-preview-pane"):
                    yield Static(Text("loading\u2026"), id="macro-preview")
            yield Static(
                Text(
                    "type to search \u00b7 up/down: choose \u00b7 enter: insert \u00b7 "
                    "ctrl+y (y in the list): copy \u00b7 esc: cancel"
                ),
                classes="dialog-hint",
            )
        yield ConsoleFooter()

    def on_mount(self) -> None:
        self.query_one("#macro-query", Input).focus()
        self.read_catalog()

    @work(
        thread=True,
        exclusive=True,
        exit_on_error=False,
        group="macro-catalog",
        description="read the macro files",
    )
    def read_catalog(self) -> None:
        desk = host(self).desk
        self.post_message(CatalogRead(usable_macros(desk), desk.catalog_error()))

    def on_catalog_read(self, message: CatalogRead) -> None:
        self.macros = message.macros
        error = self.query_one("#macro-error", Static)
        error.update(
            Text(f"The macro file has a mistake; the last good set is in use:\n{message.error}")
            if message.error
            else ""
        )
        self.refilter(self.query_one("#macro-query", Input).value)

    def on_input_changed(self, event: Input.Changed) -> None:
        self.refilter(event.value)

    def refilter(self, query: str) -> None:
        # The catalog is a few hundred entries at most: ranking it is quicker than a worker.
        self.shown = [match.macro for match in search(self.macros, query)]
        options = self.query_one("#macro-list", OptionList)
        options.clear_options()
        options.add_options([Option(Text(one_line(m.title, 60)), id=m.id) for m in self.shown])
        if self.shown:
            options.highlighted = 0
        else:
            self.rendered = None
            self.query_one("#macro-preview", Static).update(
                Text("No macro matches." if self.macros else "No macros are defined.")
            )

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        if event.option_index < len(self.shown):
            self.render_preview(self.shown[event.option_index])

    @work(
        thread=True,
        exclusive=True,
        exit_on_error=False,
        group="macro-preview",
        description="render a macro for the ticket",
    )
    def render_preview(self, macro: Macro) -> None:
        self.post_message(PreviewRead(macro_render.preview(host(self).desk, macro, self.ticket_id)))

    def on_preview_read(self, message: PreviewRead) -> None:
        self.rendered = message.rendered
        self.query_one("#macro-preview", Static).update(preview_text(message.rendered))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_insert()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_insert()

    def action_move(self, step: int) -> None:
        options = self.query_one("#macro-list", OptionList)
        if step > 0:
            options.action_cursor_down()
        else:
            options.action_cursor_up()

    def _chosen(self) -> macro_render.Rendered | None:
        options = self.query_one("#macro-list", OptionList)
        index = options.highlighted
        if self.rendered is None or index is None or index >= len(self.shown):
            return None
        if self.rendered.macro.id != self.shown[index].id:
            return None  # the preview of the highlighted macro is still being rendered
        return self.rendered

    def action_insert(self) -> None:
        chosen = self._chosen()
        if chosen is None:
            self.notify("Choose a macro first.", severity="warning", markup=False)
            return
        self.dismiss(Picked(chosen.macro, chosen.text))

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_copy(self) -> None:
        chosen = self._chosen()
        if chosen is None:
            self.notify("Choose a macro first.", severity="warning", markup=False)
            return
        copy(self, chosen.text, f"macro {one_line(chosen.macro.id, 40)}")
