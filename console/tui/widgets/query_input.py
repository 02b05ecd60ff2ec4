"""The filter line of the queue screen: the query language (`line:L2 tag:outage words`), with
the last term completed as it is typed (`tab` or `→` takes the completion) and a wrong term
named under the line, the cursor put on it when the agent presses enter."""

from __future__ import annotations

from collections.abc import Callable

from textual.binding import Binding
from textual.suggester import Suggester
from textual.widgets import Input

from console.core.query import Field, complete


class QuerySuggester(Suggester):
    """Completes field names, their values, and the desk's own logins and tags."""

    def __init__(self, known: Callable[[], dict[Field, tuple[str, ...]]]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self._known = known

    async def get_suggestion(self, value: str) -> str | None:
        return complete(value, self._known())


class CompletingInput(Input):
    """An input whose completion `tab` takes (the query filter, the new ticket's requester)."""

    BINDINGS = [
        Binding("tab", "take_suggestion", "Complete", show=False, id="input.complete"),
    ]

    def action_take_suggestion(self) -> None:
        """Take the completion on offer; with none, `tab` moves on as everywhere else."""
        if self._suggestion and self._suggestion != self.value:
            self.value = self._suggestion
            self.cursor_position = len(self.value)
        else:
            self.screen.focus_next()
