"""A real terminal for end-to-end tests: the installed `console` runs inside tmux, the test
types with `send-keys` and reads the screen with `capture-pane`, as a person would."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path


def console_command() -> str:
    """The installed `console` script of the running interpreter's environment."""
    beside = Path(sys.executable).with_name("console")
    found = str(beside) if beside.exists() else shutil.which("console")
    if not found:
        raise RuntimeError("the console command is not installed (pip install -e .)")
    return found


class Terminal:
    """One tmux session with its own server socket, so tests never touch a user's tmux."""

    def __init__(
        self,
        command: str,
        *,
        width: int = 80,
        height: int = 24,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
    ) -> None:
        self.socket = f"console-test-{uuid.uuid4().hex[:8]}"
        self.session = "t"
        environment = {**os.environ, "TERM": "xterm-256color", **(env or {})}
        environment.pop("TMUX", None)
        self._run(
            "new-session",
            "-d",
            "-s",
            self.session,
            "-x",
            str(width),
            "-y",
            str(height),
            command,
            env=environment,
            cwd=cwd,
        )
        self._run("set-option", "-t", self.session, "remain-on-exit", "on")

    def _run(self, *args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> str:
        result = subprocess.run(
            ["tmux", "-L", self.socket, *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=cwd,
            timeout=20,
        )
        if result.returncode != 0:
            raise RuntimeError(f"tmux {args[0]} failed: {result.stderr.strip()}")
        return result.stdout

    def screen(self) -> str:
        return self._run("capture-pane", "-p", "-t", self.session)

    def keys(self, *keys: str) -> None:
        self._run("send-keys", "-t", self.session, *keys)

    def type(self, text: str) -> None:
        self._run("send-keys", "-t", self.session, "-l", text)

    def wait_for(self, text: str, timeout: float = 15.0) -> str:
        """The screen once `text` is on it; fails with the last screen after `timeout`."""
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.05)
        raise AssertionError(f"{text!r} did not appear within {timeout}s; screen:\n{screen}")

    def wait_until(self, ready: Callable[[], bool], what: str, timeout: float = 15.0) -> None:
        """Wait for a condition outside the screen (a file, a row in the database)."""
        deadline = time.monotonic() + timeout
        while not ready():
            if time.monotonic() >= deadline:
                raise AssertionError(f"{what} not within {timeout}s; screen:\n{self.screen()}")
            time.sleep(0.05)

    def wait_until_gone(self, text: str, timeout: float = 10.0) -> str:
        deadline = time.monotonic() + timeout
        screen = self.screen()
        while text in screen and time.monotonic() < deadline:
            time.sleep(0.05)
            screen = self.screen()
        assert text not in screen, f"{text!r} still on screen:\n{screen}"
        return screen

    def pane_dead(self) -> bool:
        return self._run("display-message", "-p", "-t", self.session, "#{pane_dead}").strip() == "1"

    def pane_pid(self) -> int:
        return int(self._run("display-message", "-p", "-t", self.session, "#{pane_pid}"))

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


def shell_command(*args: str | Path) -> str:
    return " ".join(shlex.quote(str(a)) for a in args)
