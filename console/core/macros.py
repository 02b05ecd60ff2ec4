"""Canned responses and clarifying-question checklists, as defined in `macros.toml`.

This module holds the values (macros, checklists, the catalog in force), the closed set of
placeholders, and `search`, which ranks macros for a picker with fuzzy matching so a typo still
finds the answer. Reading and checking the files lives in `macro_loader`, rendering and
applying in `macro_render`."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from console.core.errors import ConsoleError, InvalidInput
from console.core.model import Court, Line, MessageKind, Priority, Status

PLACEHOLDERS: dict[str, str] = {
    "ticket.id": "the ticket number",
    "ticket.subject": "the ticket's subject, on one line",
    "ticket.priority": "P1..P4",
    "ticket.line": "L1..L4",
    "ticket.status": "new, open, waiting, solved or closed",
    "ticket.created": "when the ticket was opened (the team's time)",
    "customer.name": "the requester's name",
    "customer.first_name": "the first word of the requester's name",
    "customer.greeting": "a greeting in the text's language, with the first name when it is "
    'known ("Hello Ann," or "Hello,"; "Здравствуйте, Анна!" or "Здравствуйте!")',
    "customer.email": "the requester's e-mail address",
    "agent.name": "the agent's name (the login when no name is known)",
    "agent.login": "the agent's login",
    "sla.next_update": "when the customer will hear from us next: the team's next-update "
    "target for the ticket's priority, in working time (a reply that hands the ball to the "
    "customer keeps it as a follow-up)",
    "sla.first_response": "when the customer hears from us first at the latest: the "
    "first-response target for the ticket's priority from when it was opened, in working time",
    "today": "today's date (the team's)",
    "work.estimate": "the estimate of paid work (only in the console's approval text)",
    "merge.into": "the ticket a request was merged into (only in the console's merge notice)",
}
"""The closed set of placeholders a body may use. Anything else is an error at load time."""

_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}\n]*)\}|[{}]")


@dataclass(frozen=True)
class Actions:
    """What applying a macro does to the ticket besides adding its message."""

    status: Status | None = None
    court: Court | None = None
    priority: Priority | None = None
    line: Line | None = None
    tags: tuple[str, ...] = ()
    checklist: str | None = None
    """The id of a checklist to attach."""

    def describe(self) -> list[str]:
        """One line per action, in the order they are applied, for a preview."""
        out = [
            f"set {name} to {value}"
            for name, value in (
                ("status", self.status),
                ("court", self.court),
                ("priority", self.priority),
                ("line", self.line),
            )
            if value is not None
        ]
        out += [f"add tag {tag}" for tag in self.tags]
        if self.checklist:
            out.append(f"attach checklist {self.checklist}")
        return out

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            k: str(v)
            for k, v in (
                ("status", self.status),
                ("court", self.court),
                ("priority", self.priority),
                ("line", self.line),
                ("checklist", self.checklist),
            )
            if v is not None
        }
        if self.tags:
            data["tags"] = list(self.tags)
        return data


@dataclass(frozen=True)
class Macro:
    """A canned response: a message with placeholders, and optional actions."""

    id: str
    title: str
    body: str
    lang: str = "en"
    kind: MessageKind = MessageKind.REPLY
    """A public reply (the default) or an internal note."""
    actions: Actions = Actions()
    source: str = ""
    """The file it came from, for "where is this defined?"."""


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    required: bool = False
    """Must be answered (or explicitly overridden) before the ticket is escalated."""


@dataclass(frozen=True)
class Checklist:
    """Clarifying questions, most significant first."""

    id: str
    title: str
    questions: tuple[Question, ...]
    lang: str = "en"
    intro: str | None = None
    """Opens the "ask" message; placeholders allowed."""
    outro: str | None = None
    """Closes the "ask" message; placeholders allowed."""
    source: str = ""


@dataclass(frozen=True)
class Problem:
    """One mistake in a macro file, located as precisely as the text allows."""

    path: str
    line: int | None
    key: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"


class MacroFileError(ConsoleError):
    """One or more mistakes in the macro files; `problems` lists them all."""

    exit_code = 2

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        if len(self.problems) == 1:
            text = str(self.problems[0])
        else:
            text = f"{len(self.problems)} problems in the macro files:\n" + "\n".join(
                f"  {p}" for p in self.problems
            )
        super().__init__(text)


class UnknownMacro(InvalidInput):
    pass


@dataclass(frozen=True)
class Catalog:
    """The macros and checklists in force: the team's, with the agent's own on top."""

    macros: tuple[Macro, ...] = ()
    checklists: tuple[Checklist, ...] = ()
    files: tuple[str, ...] = ()
    """The files it was read from, team file first."""

    def macro(self, macro_id: str) -> Macro:
        for macro in self.macros:
            if macro.id == macro_id:
                return macro
        raise UnknownMacro(
            f"no macro {macro_id!r}" + _did_you_mean(macro_id, [m.id for m in self.macros])
        )

    def checklist(self, checklist_id: str) -> Checklist:
        for checklist in self.checklists:
            if checklist.id == checklist_id:
                return checklist
        raise UnknownMacro(
            f"no checklist {checklist_id!r}"
            + _did_you_mean(checklist_id, [c.id for c in self.checklists])
        )


def _did_you_mean(wanted: str, known: list[str]) -> str:
    from rapidfuzz import fuzz  # only when something is mistyped: it costs an import

    best = sorted(known, key=lambda k: -fuzz.ratio(wanted.lower(), k.lower()))[:3]
    return f" (did you mean {', '.join(best)}?)" if best else " (none are defined)"


# -- placeholders --------------------------------------------------------------------------


def placeholders_in(text: str) -> tuple[list[str], list[tuple[str, str]]]:
    """The placeholders `text` uses, and its mistakes (unknown names, lone braces), each with
    the text that is wrong."""
    used: list[str] = []
    mistakes: list[tuple[str, str]] = []
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        if token in ("{{", "}}"):
            continue
        name = match.group(1)
        if name is None:
            mistakes.append((f"a lone {token!r} (write {token * 2!r} for a literal brace)", token))
        elif not name.strip():
            mistakes.append(("an empty placeholder {}", token))
        elif name.strip() not in PLACEHOLDERS:
            from rapidfuzz import fuzz

            closest = max(PLACEHOLDERS, key=lambda known: fuzz.ratio(name.strip(), known))
            mistakes.append(
                (f"unknown placeholder {{{name}}} (did you mean {{{closest}}}?)", token)
            )
        else:
            used.append(name.strip())
    return used, mistakes


def fill(text: str, values: dict[str, str]) -> str:
    """`text` with each placeholder replaced by its value; `{{` and `}}` become braces."""

    def one(match: re.Match[str]) -> str:
        token = match.group(0)
        if token in ("{{", "}}"):
            return token[0]
        name = match.group(1)
        return values.get(name.strip(), token) if name is not None else token

    return _TOKEN.sub(one, text)


# -- fuzzy search --------------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    macro: Macro
    score: float
    """0..100, higher is better."""
    field: str
    """Where the best match was: id, title or body."""


MIN_SCORE = 60.0
"""Below this a match is noise: short queries hit some word in every body."""


def _words(text: str) -> str:
    from rapidfuzz.utils import default_process

    return default_process(text.replace("-", " ").replace(".", " ").replace("_", " "))


def _body_score(wanted: str, body: str) -> float:
    """How well every word of the query appears somewhere in the body, typos allowed."""
    words = wanted.split()
    from rapidfuzz import fuzz

    return sum(fuzz.partial_ratio(word, body) for word in words) / len(words)


def search(
    macros: Sequence[Macro], query: str, *, lang: str | None = None, limit: int | None = None
) -> list[Match]:
    """Macros ranked for `query`: best first, ties in file order.

    Ids and titles count fully; the body counts a little less, so a word that merely appears
    in a long answer does not beat the macro named after it. An empty query lists them all."""
    pool = [m for m in macros if lang is None or m.lang == lang]
    wanted = _words(query)
    if not wanted:
        everything = [Match(m, 100.0, "id") for m in pool]
        return everything[:limit] if limit else everything
    from rapidfuzz import fuzz

    found: list[tuple[float, int, Match]] = []
    for order, macro in enumerate(pool):
        scores = {
            "id": fuzz.WRatio(wanted, _words(macro.id)),
            "title": fuzz.WRatio(wanted, _words(macro.title)),
            "body": 0.85 * _body_score(wanted, _words(macro.body)),
        }
        where = max(scores, key=lambda k: scores[k])
        if scores[where] >= MIN_SCORE:
            found.append((-scores[where], order, Match(macro, round(scores[where], 1), where)))
    found.sort(key=lambda item: (item[0], item[1]))
    matches = [item[2] for item in found]
    return matches[:limit] if limit else matches
