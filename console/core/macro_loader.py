"""Reading the macro files: the team's, then the agent's own, every mistake found at once.

tomllib gives no positions, so each problem is located by scanning the text: the n-th
`[[macro]]` header starts the n-th macro, and a key is the first `key =` inside it. Entries of
a later file replace those of an earlier one by id. `MacroReloader` is for long-running
programs: it keeps the last good catalog while a file is broken, and rereads a file when its
modification time or size changes."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from console.core.errors import InvalidInput
from console.core.macros import (
    Actions,
    Catalog,
    Checklist,
    Macro,
    MacroFileError,
    Problem,
    Question,
    placeholders_in,
)
from console.core.model import Court, Line, MessageKind, Priority, Status
from console.core.paths import config_dir

try:
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python below 3.11
    import tomli as tomllib  # type: ignore[no-redef]

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_LANG = re.compile(r"^[a-z]{2}$")
_MACRO_KEYS = ("id", "title", "body", "lang", "kind", "actions")
_ACTION_KEYS = ("status", "court", "priority", "line", "tag", "tags", "checklist")
_CHECKLIST_KEYS = ("id", "title", "lang", "intro", "outro", "questions")
_QUESTION_KEYS = ("id", "text", "required")
_ENUM_ACTIONS: dict[str, Any] = {
    "status": Status,
    "court": Court,
    "priority": Priority,
    "line": Line,
}


class _Locator:
    """Finds the line of an entry or a key in a TOML text, for error messages.

    tomllib gives no positions, so the text is scanned: the n-th `[[macro]]` header starts the
    n-th macro, and a key is the first `key =` inside that entry."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self._starts: dict[str, list[int]] = {}

    def entry(self, table: str, index: int) -> tuple[int, int] | None:
        """First and last line (1-based) of the `index`-th (0-based) `[[table]]` entry."""
        if table not in self._starts:  # found once per table: a big file stays fast to check
            header = re.compile(rf"^\s*\[\[\s*{table}\s*\]\]")
            self._starts[table] = [n for n, line in enumerate(self.lines) if header.match(line)]
        starts = self._starts[table]
        if index >= len(starts):
            return None
        start = starts[index]
        end = len(self.lines)
        for n in range(start + 1, len(self.lines)):
            if re.match(r"^\s*\[\[", self.lines[n]) or (
                re.match(r"^\s*\[[^\[]", self.lines[n])
                and not re.match(rf"^\s*\[\s*{table}\s*\.", self.lines[n])
            ):
                end = n
                break
        return start + 1, end

    def key(self, table: str, index: int, *keys: str) -> int | None:
        """The line of the first of `keys` found in the entry, else the entry's header."""
        span = self.entry(table, index)
        if span is None:
            return None
        for key in keys:
            pattern = re.compile(rf"(^|[\s{{,])\"?{re.escape(key)}\"?\s*=")
            for n in range(span[0] - 1, span[1]):
                if pattern.search(self.lines[n]):
                    return n + 1
        return span[0]


@dataclass
class _FileResult:
    macros: list[tuple[Macro, int | None]] = field(default_factory=list)
    checklists: list[tuple[Checklist, int | None]] = field(default_factory=list)
    checklist_refs: list[tuple[Macro, Problem]] = field(default_factory=list)
    """Each macro naming a checklist, with the problem to report if it does not exist."""
    problems: list[Problem] = field(default_factory=list)


def _parse_file(path: Path, text: str) -> _FileResult:
    result = _FileResult()
    name = str(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        line = re.search(r"line (\d+)", str(error))
        reason = re.sub(r"\s*\(at line \d+, (column \d+)\)", r" (\1)", str(error))
        result.problems.append(
            Problem(name, int(line.group(1)) if line else None, "", f"not valid TOML: {reason}")
        )
        return result
    locate = _Locator(text)
    for key in data:
        if key not in ("macro", "checklist"):
            result.problems.append(
                Problem(
                    name,
                    _top_line(locate, key),
                    key,
                    "unknown table (use [[macro]] for canned responses, "
                    "[[checklist]] for questions)",
                )
            )
    for kind, reader in (("checklist", _read_checklist), ("macro", _read_macro)):
        entries = data.get(kind, [])
        if not isinstance(entries, list):
            result.problems.append(
                Problem(
                    name,
                    _top_line(locate, kind),
                    kind,
                    f"must be an array of tables: write [[{kind}]]",
                )
            )
            continue
        seen: dict[str, int | None] = {}
        for index, entry in enumerate(entries):
            reader(name, locate, index, entry, result, seen)
    return result


def _top_line(locate: _Locator, key: str) -> int | None:
    pattern = re.compile(rf"^\s*(\[\[?\s*{re.escape(key)}\b|{re.escape(key)}\s*=)")
    for n, line in enumerate(locate.lines):
        if pattern.match(line):
            return n + 1
    return None


class _Entry:
    """Reads one [[macro]] or [[checklist]] table, collecting problems instead of stopping."""

    def __init__(
        self, path: str, locate: _Locator, table: str, index: int, data: Any, result: _FileResult
    ) -> None:
        self.path, self.locate, self.table, self.index = path, locate, table, index
        self.data = data if isinstance(data, dict) else {}
        self.result = result
        raw_id = self.data.get("id")
        self.id = raw_id if isinstance(raw_id, str) and raw_id.strip() else None
        self.label = f"{table}[{self.id}]" if self.id else f"{table}[#{index + 1}]"
        self.ok = True

    def line(self, *keys: str) -> int | None:
        return self.locate.key(self.table, self.index, *keys)

    def problem(self, key: str, message: str, *line_keys: str, needle: str | None = None) -> None:
        """Record a problem at the line of the first of `line_keys` (default: `key`), or of
        the entry's header; with `needle`, at the first line from there that contains it (a
        mistake inside a multi-line body)."""
        self.ok = False
        full_key = f"{self.label}.{key}" if key else self.label
        keys = line_keys or ((key,) if key else ())
        line = self.line(*keys) if keys else self.locate.key(self.table, self.index)
        if needle and line:
            span = self.locate.entry(self.table, self.index)
            end = span[1] if span else len(self.locate.lines)
            line = next(
                (n + 1 for n in range(line - 1, end) if needle in self.locate.lines[n]), line
            )
        self.result.problems.append(Problem(self.path, line, full_key, message))

    def text(self, key: str, *, required: bool, placeholders: bool = False) -> str | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.problem("", f"missing field {key!r}", "id")
            return None
        if not isinstance(value, str) or not value.strip():
            self.problem(key, "must be a non-empty string")
            return None
        if placeholders:
            for mistake, token in placeholders_in(value)[1]:
                self.problem(key, mistake, needle=token)
        return value

    def unknown_keys(self, allowed: Sequence[str]) -> None:
        for key in self.data:
            if key not in allowed:
                self.problem(key, f"unknown field (allowed: {', '.join(allowed)})")

    def identity(self, seen: dict[str, int | None]) -> None:
        if self.data.get("id") is None:
            self.problem("", "missing field 'id'")
        elif self.id is None or not _ID.match(self.id):
            self.problem(
                "id", "must be letters, digits, '.', '_' or '-', starting with a letter or digit"
            )
        elif self.id in seen:
            self.problem("id", f"duplicate id (first defined at line {seen[self.id]})")
        else:
            seen[self.id] = self.line("id")

    def lang(self) -> str:
        lang = self.text("lang", required=False)
        if lang is not None and not _LANG.match(lang):
            self.problem("lang", f"{lang!r} is not a two-letter language code (en, ru, uk, ...)")
        return lang or "en"


def _read_macro(
    path: str,
    locate: _Locator,
    index: int,
    data: Any,
    result: _FileResult,
    seen: dict[str, int | None],
) -> None:
    entry = _Entry(path, locate, "macro", index, data, result)
    if not isinstance(data, dict):
        entry.problem("", "must be a table")
        return
    entry.unknown_keys(_MACRO_KEYS)
    entry.identity(seen)
    title = entry.text("title", required=True)
    body = entry.text("body", required=True, placeholders=True)
    lang = entry.lang()
    kind = MessageKind.REPLY
    raw_kind = entry.data.get("kind", "reply")
    if raw_kind not in ("reply", "note"):
        entry.problem("kind", f"{raw_kind!r} is not a message kind: use reply or note")
    else:
        kind = MessageKind(raw_kind)
    actions = _read_actions(entry)
    if not entry.ok or entry.id is None or title is None or body is None or actions is None:
        return
    macro = Macro(
        id=entry.id, title=title, body=body, lang=lang, kind=kind, actions=actions, source=path
    )
    result.macros.append((macro, entry.line("id")))
    if actions.checklist:
        result.checklist_refs.append(
            (
                macro,
                Problem(
                    path,
                    entry.line("checklist"),
                    f"{entry.label}.actions.checklist",
                    f"no checklist {actions.checklist!r} is defined",
                ),
            )
        )


def _read_actions(entry: _Entry) -> Actions | None:
    raw = entry.data.get("actions", {})
    if not isinstance(raw, dict):
        entry.problem("actions", 'must be a table, e.g. actions = { status = "waiting" }')
        return None
    values: dict[str, Any] = {}
    ok = True
    for key, value in raw.items():
        if key not in _ACTION_KEYS:
            entry.problem(
                f"actions.{key}", f"unknown action (allowed: {', '.join(_ACTION_KEYS)})", key
            )
            ok = False
        elif key in _ENUM_ACTIONS:
            try:
                values[key] = _ENUM_ACTIONS[key].parse(str(value), key)
            except InvalidInput as error:
                entry.problem(f"actions.{key}", str(error), key)
                ok = False
    tags = raw.get("tags", [])
    if "tag" in raw:
        tags = [raw["tag"], *(tags if isinstance(tags, list) else [])]
    if not isinstance(tags, list) or not all(isinstance(t, str) and _ID.match(t) for t in tags):
        entry.problem(
            "actions.tags", "tags must be words of letters, digits, '.', '_' or '-'", "tags", "tag"
        )
        ok = False
    checklist = raw.get("checklist")
    if checklist is not None and (not isinstance(checklist, str) or not checklist.strip()):
        entry.problem("actions.checklist", "must be the id of a checklist", "checklist")
        ok = False
    if not ok:
        return None
    return Actions(tags=tuple(dict.fromkeys(tags)), checklist=checklist, **values)


def _read_checklist(
    path: str,
    locate: _Locator,
    index: int,
    data: Any,
    result: _FileResult,
    seen: dict[str, int | None],
) -> None:
    entry = _Entry(path, locate, "checklist", index, data, result)
    if not isinstance(data, dict):
        entry.problem("", "must be a table")
        return
    entry.unknown_keys(_CHECKLIST_KEYS)
    entry.identity(seen)
    title = entry.text("title", required=True)
    lang = entry.lang()
    intro = entry.text("intro", required=False, placeholders=True)
    outro = entry.text("outro", required=False, placeholders=True)
    raw = entry.data.get("questions")
    questions: list[Question] = []
    if raw is None:
        entry.problem("", "missing field 'questions'", "id")
    elif not isinstance(raw, list) or not raw:
        entry.problem("questions", "must be a non-empty list of questions")
    else:
        for number, item in enumerate(raw, start=1):
            question = _read_question(entry, number, item, {q.id for q in questions})
            if question:
                questions.append(question)
    if entry.ok and entry.id and title:
        result.checklists.append(
            (
                Checklist(
                    id=entry.id,
                    title=title,
                    questions=tuple(questions),
                    lang=lang,
                    intro=intro,
                    outro=outro,
                    source=path,
                ),
                entry.line("id"),
            )
        )


def _read_question(entry: _Entry, number: int, item: Any, taken: set[str]) -> Question | None:
    key = f"questions[{number}]"
    if isinstance(item, str):
        item = {"text": item}
    if not isinstance(item, dict):
        entry.problem(
            key, "must be a string or a table { id = ..., text = ..., required = ... }", "questions"
        )
        return None
    qid = item.get("id", str(number))
    line_keys = (str(qid), "questions") if "id" in item else ("questions",)
    for extra in item:
        if extra not in _QUESTION_KEYS:
            entry.problem(
                f"{key}.{extra}",
                f"unknown field (allowed: {', '.join(_QUESTION_KEYS)})",
                *line_keys,
            )
            return None
    text = item.get("text")
    required = item.get("required", False)
    if not isinstance(qid, str) or not _ID.match(qid):
        entry.problem(f"{key}.id", "must be letters, digits, '.', '_' or '-'", *line_keys)
    elif qid in taken:
        entry.problem(f"{key}.id", f"duplicate question id {qid!r}", *line_keys)
    elif not isinstance(text, str) or not text.strip():
        entry.problem(f"{key}.text", "missing or empty question text", *line_keys)
    elif not isinstance(required, bool):
        entry.problem(f"{key}.required", "must be true or false", *line_keys)
    else:
        return Question(id=qid, text=text.strip(), required=required)
    return None


def load_catalog(paths: Iterable[Path]) -> Catalog:
    """Read the files in order, later ones overriding earlier ones by id.

    Raises MacroFileError listing every problem in every file. A checklist named by a macro
    may be defined in any of the files."""
    problems: list[Problem] = []
    macros: dict[str, Macro] = {}
    checklists: dict[str, Checklist] = {}
    refs: list[tuple[Macro, Problem]] = []
    files: list[str] = []
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            problems.append(Problem(str(path), None, "", "no such file"))
            continue
        except (OSError, UnicodeDecodeError) as error:
            problems.append(Problem(str(path), None, "", f"cannot read: {error}"))
            continue
        files.append(str(path))
        result = _parse_file(path, text)
        problems.extend(result.problems)
        macros.update((m.id, m) for m, _ in result.macros)
        checklists.update((c.id, c) for c, _ in result.checklists)
        refs.extend(result.checklist_refs)
    for macro, problem in refs:
        # Only the macro in force counts: an overridden one may name a checklist that is gone.
        if macros.get(macro.id) is macro and macro.actions.checklist not in checklists:
            problems.append(problem)
    if problems:
        raise MacroFileError(problems)
    return Catalog(
        macros=tuple(macros.values()), checklists=tuple(checklists.values()), files=tuple(files)
    )


# -- where the files are -------------------------------------------------------------------


def team_macros_path(given: str | os.PathLike[str] | None = None) -> Path:
    """The team file: `given` (--macros), else $CONSOLE_MACROS, else the checkout's
    macros.toml, else the copy shipped inside the package."""
    if given:
        return Path(given)
    if os.environ.get("CONSOLE_MACROS"):
        return Path(os.environ["CONSOLE_MACROS"])
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "pyproject.toml").is_file() and (checkout / "macros.toml").is_file():
        return checkout / "macros.toml"
    return Path(str(resources.files("console.core") / "macros.toml"))


def personal_macros_path() -> Path:
    """The agent's own file: $XDG_CONFIG_HOME/console/macros.toml (~/.config by default)."""
    return Path(config_dir()) / "macros.toml"


def macro_files(given: str | os.PathLike[str] | None = None) -> list[Path]:
    """The files to read, in order: the team file, then the personal file if it exists."""
    files = [team_macros_path(given)]
    personal = personal_macros_path()
    if personal.is_file():
        files.append(personal)
    return files


def load(given: str | os.PathLike[str] | None = None) -> Catalog:
    return load_catalog(macro_files(given))


class MacroReloader:
    """The catalog in force for a long-running program: reloaded when a file changes.

    A broken file never takes the macros away: the last good catalog stays, and `error` says
    what is wrong until the file is fixed."""

    def __init__(self, given: str | os.PathLike[str] | None = None) -> None:
        self.given = given
        self.catalog = Catalog()
        self.error: MacroFileError | None = None
        self._signature: tuple[Any, ...] | None = None
        self._loaded = False
        self._lock = threading.Lock()

    def current(self) -> Catalog:
        """The catalog in force, after a look at the files. Until one good catalog was read,
        a broken file is an error (a command must not act on no macros); after, the last good
        one stays."""
        with self._lock:
            self.poll()
            if not self._loaded and self.error is not None:
                raise self.error
            return self.catalog

    def _current_signature(self) -> tuple[Any, ...]:
        # The personal file may appear or vanish, so its absence is part of the signature.
        paths = [team_macros_path(self.given), personal_macros_path()]
        signature: list[Any] = []
        for path in paths:
            try:
                stat = path.stat()
                signature.append((str(path), stat.st_mtime_ns, stat.st_size))
            except OSError:
                signature.append((str(path), None))
        return tuple(signature)

    def poll(self) -> bool:
        """Reload if a file changed since the last look; True when the catalog was replaced."""
        signature = self._current_signature()
        if signature == self._signature:
            return False
        self._signature = signature
        try:
            catalog = load(self.given)
        except MacroFileError as error:
            self.error = error
            return False
        self.catalog, self.error, self._loaded = catalog, None, True
        return True


_READERS: dict[str | None, MacroReloader] = {}
_READERS_LOCK = threading.Lock()


def reloader_for(given: str | os.PathLike[str] | None = None) -> MacroReloader:
    """The one reloader of this program for the macro files named by `given` (the same as
    `load` takes): every screen and verb reads the same catalog, and an edit is read once."""
    key = None if given is None else str(given)
    with _READERS_LOCK:
        reader = _READERS.get(key)
        if reader is None:
            reader = _READERS[key] = MacroReloader(key)
        return reader
