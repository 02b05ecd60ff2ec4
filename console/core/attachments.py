"""The files that came with a ticket's mail: listed on the ticket, saved where an agent says.

A ticket's files are numbered 1, 2, 3 in the order they came, counting those of the messages
merged into it; the number is what an agent types (`console attachment save 42 2`). A file
refused as too large keeps its place in the list, with no data, so the ticket can say so.
Saving never lets the sender's file name choose a directory: the name was made safe when the
mail was read, and an existing file is never overwritten unless asked."""

from __future__ import annotations

import os
from dataclasses import dataclass

from console.core import dbfile
from console.core.errors import InvalidInput
from console.core.store import Store


@dataclass(frozen=True)
class FileInfo:
    number: int
    """The file's place among the ticket's files, from 1."""
    filename: str
    content_type: str
    size: int
    kept: bool
    """False when it was refused as too large: only its name and size are known."""
    message_id: int | None
    created_at: str


_OF_TICKET = (
    "FROM attachments WHERE ticket_id = :t OR message_id IN"
    " (SELECT id FROM messages WHERE ticket_id = :t) ORDER BY id"
)


def files(store: Store, ticket_id: int) -> list[FileInfo]:
    """The ticket's files, without their data."""
    store.ticket(ticket_id)  # a missing ticket is named as such
    rows = store.query(
        "SELECT filename, content_type, size, data IS NOT NULL, message_id, created_at "
        + _OF_TICKET,
        {"t": ticket_id},
    )
    return [
        FileInfo(n, name, kind, size, bool(kept), message_id, created_at)
        for n, (name, kind, size, kept, message_id, created_at) in enumerate(rows, 1)
    ]


def file_data(store: Store, ticket_id: int, number: int) -> tuple[FileInfo, bytes]:
    """File `number` of the ticket and its bytes; refused with a reason when there are none."""
    found = files(store, ticket_id)
    if not 1 <= number <= len(found):
        have = f"1 to {len(found)}" if found else "none"
        raise InvalidInput(f"ticket #{ticket_id} has no file {number} (it has {have})")
    info = found[number - 1]
    if not info.kept:
        raise InvalidInput(
            f"file {number} of ticket #{ticket_id} ({info.filename}) was not kept: it was "
            "larger than the limit when it came"
        )
    rows = store.query(
        f"SELECT data {_OF_TICKET} LIMIT 1 OFFSET :n", {"t": ticket_id, "n": number - 1}
    )
    return info, bytes(rows[0][0])


def save(data: bytes, info: FileInfo, path: str | None, *, overwrite: bool = False) -> str:
    """Write a file's bytes to `path` (a file, or a directory to put it in under its own name;
    the current directory when None) and return where it went."""
    target = os.path.expanduser(path) if path else "."
    if os.path.isdir(target):
        target = os.path.join(target, info.filename)
    dbfile.refuse_special(target)  # --force never writes into a device or a pipe
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if overwrite else os.O_EXCL)
    try:
        descriptor = os.open(target, flags, 0o644)
    except FileExistsError:
        raise InvalidInput(f"{target} exists: name another path, or pass --force") from None
    except OSError as error:
        raise InvalidInput(f"{target}: cannot write it: {error.strerror}") from None
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)
    return target
