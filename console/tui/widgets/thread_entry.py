"""One entry of a ticket's thread: the original request, a customer message, a public reply
or an internal note, each with its own label and coloured left border.

The body is a stranger's text: it becomes a `Text` through `visible()` (never markup), and at
most `MAX_BODY_CHARS` of it is laid out, so a 5 MB message cannot freeze the screen."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from console.core.mail.quotes import fold
from console.core.model import MessageKind
from console.core.text import one_line, visible

MAX_BODY_CHARS = 100_000
"""Characters of one body shown (about 25 screens); the rest is a note pointing to `console
show`. Laying out text costs about 2 ms per KB, so this keeps a 5 MB body to a short pause."""

KIND_LABELS = {
    None: "Request",
    MessageKind.CUSTOMER: "Customer",
    MessageKind.REPLY: "Public reply",
    MessageKind.NOTE: "Internal note",
}
KIND_CLASSES = {
    None: "-request",
    MessageKind.CUSTOMER: "-customer",
    MessageKind.REPLY: "-reply",
    MessageKind.NOTE: "-note",
}


FOLDED_KINDS = (None, MessageKind.CUSTOMER)
"""What customers write comes with their mail program's quotes and their signature."""


def entry_text(
    kind: MessageKind | None,
    author: str,
    when: str,
    body: str,
    ticket_id: int,
    *,
    quoted: bool = False,
) -> Text:
    """The label line, then the body as visible plain text, cut at `MAX_BODY_CHARS`; a
    customer's quoted history and signature folded into one line unless `quoted`."""
    text = Text()
    text.append(KIND_LABELS[kind], style="bold")
    text.append(f"  {one_line(author, 60)}  {when}\n", style="dim")
    folded = fold(body) if kind in FOLDED_KINDS and not quoted else None
    if folded is not None and folded.quoted:
        body = folded.said
    shown = body[:MAX_BODY_CHARS]
    text.append(visible(shown.rstrip("\n")) or "(empty)")
    hidden = len(body) - len(shown)
    if hidden > 0:
        text.append(
            f"\n\n[{hidden:,} more characters; see `console show {ticket_id}`]", style="italic dim"
        )
    if folded is not None and folded.quoted:
        lines = folded.quoted_lines
        text.append(
            f"\n[{lines} quoted line{'s' if lines != 1 else ''} folded; z shows them]",
            style="italic dim",
        )
    return text


class ThreadEntry(Static):
    """A message of the thread; the CSS class says which kind for the border colour."""

    def __init__(
        self,
        kind: MessageKind | None,
        author: str,
        when: str,
        body: str,
        ticket_id: int,
        *,
        quoted: bool = False,
    ) -> None:
        """`when` is the moment in words ("today 09:12")."""
        self._entry = (kind, author, when, body, ticket_id)
        super().__init__(
            entry_text(*self._entry, quoted=quoted),
            classes=f"thread-entry {KIND_CLASSES[kind]}",
        )

    def show_quoted(self, quoted: bool) -> None:
        self.update(entry_text(*self._entry, quoted=quoted))
