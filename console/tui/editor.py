"""Editing a composer's text in the agent's own editor ($VISUAL or $EDITOR).

The text goes to a private temporary file, the editor runs on it, and the file is read back;
the TUI suspends itself around the call so the editor has the terminal. Anything that goes
wrong (no editor set, an editor that cannot start or exits with an error) is an `EditorError`
with one line saying what, and the composer keeps the text it had."""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

from console.core.errors import ConsoleError


class EditorError(ConsoleError):
    """The external editor could not be used; the text is unchanged."""


def editor_command(environ: Mapping[str, str] | None = None) -> list[str]:
    """The editor to run, as an argument list, from $VISUAL or else $EDITOR."""
    env = os.environ if environ is None else environ
    for name in ("VISUAL", "EDITOR"):
        value = env.get(name, "").strip()
        if value:
            try:
                words = shlex.split(value)
            except ValueError as error:
                raise EditorError(f"${name} cannot be read as a command ({error})") from None
            if words:
                return words
    raise EditorError("no editor is set: set $EDITOR (for example EDITOR=nano) and try again")


def edit_text(text: str, command: list[str], *, suffix: str = ".txt") -> str:
    """Run `command` on a temporary file holding `text`; the file's text when the editor ends.

    The file is readable by this user only, since a draft may hold what a customer confided,
    and removed afterwards whatever happens."""
    handle, name = tempfile.mkstemp(prefix="console-draft-", suffix=suffix)
    path = Path(name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        try:
            finished = subprocess.run([*command, str(path)], check=False)
        except OSError as error:
            raise EditorError(
                f"the editor {command[0]!r} could not be started: {error.strerror or error}"
            ) from None
        if finished.returncode != 0:
            raise EditorError(
                f"the editor {command[0]!r} exited with status "
                f"{finished.returncode}; the text was left as it was"
            )
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise EditorError(f"the edited text could not be read back: {error}") from None
    finally:
        path.unlink(missing_ok=True)
