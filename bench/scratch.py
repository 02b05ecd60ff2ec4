"""Scratch space for benchmarks: a benchmark never changes the store it measures."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _remove(db: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


@contextmanager
def store_copy(db: str, tag: str) -> Iterator[Path]:
    """A copy of the store at `db`, made next to it (the same disk) and removed after."""
    copy = Path(db).with_suffix(f".{tag}.db")
    _remove(copy)
    shutil.copy(db, copy)
    try:
        yield copy
    finally:
        _remove(copy)
