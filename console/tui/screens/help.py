"""The key help, generated from the bindings active where the agent pressed `?`.

Nothing here is written by hand: the keys listed are the ones that work at that moment, so the
help cannot drift from the code. Keys bound to the same action are shown together ("j / down").
What the screen does comes first, then what works everywhere, and moving around last: an
agent who presses `?` is looking for an action, not for the arrow keys."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

GROUP_NAMES = {
    "TicketList": "Ticket list",
    "QueueSidebar": "Queues",
    "MainScreen": "Queue screen",
    "DetailScreen": "Ticket screen",
    "ConsoleApp": "Everywhere",
}


SCREENS = ("Queue screen", "Ticket screen")
EVERYWHERE = "Everywhere"
MOVING = "Moving around"
_MOVES = frozenset(
    {"cursor_down", "cursor_up", "cursor_top", "cursor_bottom", "page_down", "page_up"}
    | {"first", "last", "focus_next", "focus_previous"}
)
"""Actions that move the cursor, the scroll or the focus (and `scroll(...)` on any screen)."""


def _moves(action: str) -> bool:
    action = action.rpartition(".")[2]  # "app.focus_next" is focus_next
    return action in _MOVES or action.startswith("scroll(")


def _group_order(group: str) -> int:
    if group in SCREENS:
        return 0
    return {EVERYWHERE: 2, MOVING: 3}.get(group, 1)


Describe = Callable[[Binding], tuple[str, str]]
"""A screen's own words for one of its bindings (title, what it does), for the agent at hand."""


def key_rows(
    active: dict[str, ActiveBinding],
    key_display: Callable[[Binding], str],
    describe: Describe | None = None,
) -> list[tuple[str, str, str]]:
    """(group, keys, description) for every enabled binding, keys of one action joined."""
    grouped: dict[tuple[str, str], tuple[list[str], str]] = {}
    in_footer: set[tuple[str, str]] = set()
    for item in active.values():
        if not item.enabled or not item.binding.description:
            continue
        group = GROUP_NAMES.get(type(item.node).__name__, type(item.node).__name__)
        if _moves(item.binding.action):
            group = MOVING
        elif item.binding.action.endswith("copy_text"):  # Textual's, on every screen
            group = EVERYWHERE
        title, tooltip = item.binding.description, item.binding.tooltip
        if describe is not None:
            title, tooltip = describe(item.binding)
        described = f"{title} \u2014 {tooltip}" if tooltip else title
        keys, _ = grouped.setdefault((group, item.binding.action), ([], described))
        shown = key_display(item.binding)
        if shown not in keys:
            keys.append(shown)
        if item.binding.show:
            in_footer.add((group, item.binding.action))
    # Each group together; within it the footer's keys (the most used) first, then the
    # bindings' own order (the sort is stable).
    groups = list(dict.fromkeys(group for group, _ in grouped))
    order = sorted(
        grouped, key=lambda k: (_group_order(k[0]), groups.index(k[0]), k not in in_footer)
    )
    return [
        (group, " / ".join(grouped[(group, action)][0]), grouped[(group, action)][1])
        for group, action in order
    ]


def help_text(rows: list[tuple[str, str, str]]) -> Text:
    text = Text()
    width = max((len(keys) for _, keys, _ in rows), default=0) + 2
    current = None
    for group, keys, description in rows:
        if group != current:
            if current is not None:
                text.append("\n")
            text.append(f"{group}\n", style="bold underline")
            current = group
        text.append(f"  {keys:<{width}}", style="bold")
        text.append(f"{description}\n")
    return text


class HelpScreen(ModalScreen[None]):
    """A scrollable list of the keys that work where the agent was."""

    BINDINGS = [
        Binding("escape,question_mark,q", "dismiss", "Close help", id="help.close"),
        Binding("j,down", "scroll('down')", "Scroll down", show=False, id="help.down"),
        Binding("k,up", "scroll('up')", "Scroll up", show=False, id="help.up"),
    ]

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Static(Text("Keys", style="bold"), id="help-title")
            yield Static(help_text(self.rows), id="help-keys")

    def action_scroll(self, where: str) -> None:
        body = self.query_one("#help-body", VerticalScroll)
        (body.scroll_down if where == "down" else body.scroll_up)(animate=False)
