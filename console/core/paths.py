"""Where the console keeps its database when nobody says otherwise.

Run from a checkout (a `pyproject.toml` and `data/` beside the package), the database lives in
the checkout's `data/`; installed elsewhere, in the user's data directory. `CONSOLE_DB` and
`--db` override both.

Paths here are plain strings joined with `os.path`: every command starts by asking these
questions, and `pathlib` costs a script more to import than the answers are worth."""

from __future__ import annotations

import os


def data_dir() -> str:
    checkout = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
    if os.path.isfile(os.path.join(checkout, "pyproject.toml")) and os.path.isdir(
        os.path.join(checkout, "data")
    ):
        return os.path.join(checkout, "data")
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(
        os.path.expanduser("~"), ".local", "share"
    )
    return os.path.join(base, "console")


def default_db_path() -> str:
    return os.environ.get("CONSOLE_DB") or os.path.join(data_dir(), "console.db")


def demo_db_path() -> str:
    return os.path.join(data_dir(), "demo.db")


def config_dir() -> str:
    """The agent's own settings: $XDG_CONFIG_HOME/console (~/.config/console by default)."""
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return os.path.join(base, "console")


def personal_keys_path() -> str:
    """The agent's own key remapping, over the team's."""
    return os.path.join(config_dir(), "keys.toml")
