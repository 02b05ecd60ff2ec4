"""A whole desk as JSON lines, and back: `console export` and `console import`.

(`export` is the module of the `--json` forms of one ticket; this one moves every table.)

The first line says what the file is and which schema its rows follow; then every row of
every table, one line each, `{"tickets": {"id": 1, "subject": ...}}`, tables in the order
their rows may be inserted (a row only points at rows of tables before it), rows in the order
of their key; the last line, `{"end": {"rows": N}}`, says the file is whole. Text is JSON
text; bytes (`BLOB`s: a mail as it came, a file, the original bytes of a body) are
`{"base64": ...}`; text that is not UTF-8 (which SQLite stores as it was given) is
`{"text_base64": ...}`. So an import gives back every value with its type, and the export of
an imported desk is the same file, byte for byte.

Not exported: the full-text index (the import rebuilds it as the rows go in) and who has
which ticket open now (`presence`), which belongs to running consoles, not to the desk.

The export reads in one snapshot, so a desk exported while agents work is the desk at one
moment, and streams: a million tickets never sit in memory. The import goes into a new,
empty database in one transaction: it is all there, or nothing is."""

from __future__ import annotations

import base64
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from console.core import dbfile, schema
from console.core.dbfile import FileKind
from console.core.errors import ConsoleError, InvalidInput
from console.core.store import Store

FORMAT = "console-desk"
VERSION = 1
SKIPPED = frozenset({"presence"})
"""Tables that describe running consoles, not the desk."""
BATCH = 1000


class InvalidText(bytes):
    """Text SQLite holds that is not UTF-8: kept as its bytes, written back as text."""


def _text(data: bytes) -> str | InvalidText:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return InvalidText(data)


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]
    order: str
    """What its rows are sorted by: its key."""


def tables(conn: sqlite3.Connection) -> list[Table]:
    """The desk's tables in an order to insert them in: each after the tables it points at,
    otherwise in the order they were made (a table rebuilt by a migration is made again late,
    yet its rows must go in before the rows that point at them)."""
    rows = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY rowid"
    ).fetchall()
    virtual = [name for name, sql in rows if sql.upper().startswith("CREATE VIRTUAL TABLE")]
    found = []
    for name, _ in rows:
        if name in SKIPPED or name in virtual or any(name.startswith(f"{v}_") for v in virtual):
            continue
        info = conn.execute(f'PRAGMA table_info("{name}")').fetchall()
        key = [row[1] for row in sorted(info, key=lambda r: r[5]) if row[5]]
        found.append(
            Table(name, tuple(row[1] for row in info), ", ".join(f'"{k}"' for k in key) or "rowid")
        )
    return _parents_first(conn, found)


def _parents_first(conn: sqlite3.Connection, found: list[Table]) -> list[Table]:
    """`found` with every table after the tables it points at, else as it was."""
    names = {t.name.lower() for t in found}
    sql = 'SELECT lower("table") FROM pragma_foreign_key_list(?)'
    parents = {
        t.name: {parent for (parent,) in conn.execute(sql, (t.name,))} & names - {t.name.lower()}
        for t in found
    }
    ordered: list[Table] = []
    placed: set[str] = set()
    pending = list(found)
    while pending:
        ready = next((t for t in pending if parents[t.name] <= placed), None)
        if ready is None:
            raise AssertionError(f"tables point at each other: {[t.name for t in pending]}")
        ordered.append(ready)
        placed.add(ready.name.lower())
        pending.remove(ready)
    return ordered


def _value(value: Any) -> Any:
    if isinstance(value, InvalidText):
        return {"text_base64": base64.b64encode(value).decode("ascii")}
    if isinstance(value, bytes):
        return {"base64": base64.b64encode(value).decode("ascii")}
    return value


def _line(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"


def export_lines(store: Store) -> Iterator[bytes]:
    """The desk as lines of JSON (bytes, each ending in a newline), in one snapshot."""
    yield _line({"format": FORMAT, "version": VERSION, "schema": schema.LATEST})
    count = 0
    with store.read() as conn:
        saved = conn.text_factory
        conn.text_factory = _text
        try:
            for table in tables(conn):
                columns = ", ".join(f'"{c}"' for c in table.columns)
                cursor = conn.execute(
                    f'SELECT {columns} FROM "{table.name}" ORDER BY {table.order}'
                )
                for row in cursor:
                    count += 1
                    values = {c: _value(v) for c, v in zip(table.columns, row, strict=True)}
                    yield _line({table.name: values})
        finally:
            conn.text_factory = saved
    yield _line({"end": {"rows": count}})


def export(store: Store, out: IO[bytes]) -> int:
    """Write the desk to `out`; returns how many rows."""
    rows = 0
    for line in export_lines(store):
        out.write(line)
        rows += 1
    return rows - 2


# -- import ---------------------------------------------------------------------------------


def _decoded(value: Any, where: str) -> Any:
    if value is None or isinstance(value, int | float | str) and not isinstance(value, bool):
        return value
    if isinstance(value, dict) and len(value) == 1:
        ((kind, text),) = value.items()
        if kind in ("base64", "text_base64") and isinstance(text, str):
            try:
                data = base64.b64decode(text, validate=True)
            except ValueError:
                raise InvalidInput(f"{where}: not base64") from None
            return InvalidText(data) if kind == "text_base64" else data
    raise InvalidInput(f"{where}: a value must be text, a number, null or {{'base64': ...}}")


def _empty(conn: sqlite3.Connection, names: Iterable[str]) -> bool:
    return not any(conn.execute(f'SELECT 1 FROM "{n}" LIMIT 1').fetchone() for n in names)


def import_desk(path: str, lines: Iterable[bytes], source: str) -> int:
    """Fill the new database at `path` from an export's `lines` (read from `source`, named in
    errors with the line). Returns the rows imported. Refused, with nothing written, when the
    database holds a desk already or the file is not a whole export."""
    shown = dbfile.shown(path)
    existed = dbfile.identify(path).kind not in (FileKind.ABSENT, FileKind.EMPTY)
    if existed:
        with Store.open(path, create=False, read_only=True) as store, store.read() as conn:
            known = [t.name for t in tables(conn)]
            if not _empty(conn, known):
                raise ConsoleError(
                    f"{shown}: holds a desk already; import into a new database (--db NEW.db)"
                )
    created = not os.path.exists(path)
    try:
        with Store.open(path, create=True) as store:
            return _fill(store, lines, source)
    except BaseException:
        if created:
            for name in (path, f"{path}-wal", f"{path}-shm"):
                if os.path.exists(name):
                    os.remove(name)
        raise


def _fill(store: Store, lines: Iterable[bytes], source: str) -> int:
    where = dbfile.shown(source)
    rows = 0
    ended = False
    with store.transaction() as conn:
        known = {t.name: t for t in tables(conn)}
        statement = ""
        batch: list[tuple[Any, ...]] = []
        for number, raw in enumerate(lines, start=1):
            here = f"{where} line {number}"
            if ended:
                raise InvalidInput(f"{here}: lines after the end of the export")
            try:
                data = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                raise InvalidInput(f"{here}: not a line of JSON") from None
            if number == 1:
                _header(data, here)
                continue
            if not isinstance(data, dict) or len(data) != 1:
                raise InvalidInput(f"{here}: expected one table and its row")
            ((name, row),) = data.items()
            if name == "end":
                if row != {"rows": rows}:
                    raise InvalidInput(f"{here}: the export says it has {row}, found {rows} rows")
                ended = True
                continue
            table = known.get(name)
            if table is None or not isinstance(row, dict):
                raise InvalidInput(f"{here}: no table {name!r} in a console database")
            unknown = set(row) - set(table.columns)
            if unknown:
                raise InvalidInput(f"{here}: {name} has no column {sorted(unknown)[0]!r}")
            values = tuple(_decoded(row[c], f"{here}: {name}.{c}") for c in row)
            sql = _insert(name, tuple(row), values)
            # Rows go in in the order they came (a row points only at rows before it), in
            # runs of one statement.
            if sql != statement or len(batch) >= BATCH:
                _insert_rows(conn, statement, batch, here)
                statement, batch = sql, []
            batch.append(values)
            rows += 1
        _insert_rows(conn, statement, batch, where)
        if not ended:
            raise InvalidInput(f"{where}: the export is cut short (no end line); nothing imported")
    return rows


def _header(data: Any, here: str) -> None:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InvalidInput(f"{here}: not a desk exported by `console export`")
    if data.get("version") != VERSION or data.get("schema") != schema.LATEST:
        raise InvalidInput(
            f"{here}: exported by another version of the console (schema {data.get('schema')}, "
            f"this console's is {schema.LATEST}); import it with the version that exported it"
        )


def _insert(name: str, columns: tuple[str, ...], values: tuple[Any, ...]) -> str:
    marks = ", ".join("CAST(? AS TEXT)" if isinstance(v, InvalidText) else "?" for v in values)
    names = ", ".join(f'"{c}"' for c in columns)
    return f'INSERT INTO "{name}" ({names}) VALUES ({marks})'


def _insert_rows(
    conn: sqlite3.Connection, statement: str, batch: list[tuple[Any, ...]], here: str
) -> None:
    if not batch:
        return
    plain = [tuple(bytes(v) if isinstance(v, InvalidText) else v for v in row) for row in batch]
    try:
        conn.executemany(statement, plain)
    except sqlite3.IntegrityError as error:
        raise InvalidInput(f"{here}: the database refuses a row: {error}") from None
