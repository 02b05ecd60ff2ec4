"""Where the console keeps its database when nobody says otherwise.

Run from a checkout (a `pyproject.toml` and `data/` beside the package), the database lives in
the checkout's `data/`; installed elsewhere, in the user's data directory. `CONSOLE_DB` and
`--db` override both."""

from __future__ import annotations

import os
from pathlib import Path


def data_dir() -> Path:
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "pyproject.toml").is_file() and (checkout / "data").is_dir():
        return checkout / "data"
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "console"


def default_db_path() -> Path:
    return (
        Path(os.environ["CONSOLE_DB"])
        if os.environ.get("CONSOLE_DB")
        else (data_dir() / "console.db")
    )


def demo_db_path() -> Path:
    return data_dir() / "demo.db"


def config_dir() -> Path:
    """The agent's own settings: $XDG_CONFIG_HOME/console (~/.config/console by default)."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "console"


def personal_keys_path() -> Path:
    """The agent's own key remapping, over the team's."""
    return config_dir() / "keys.toml"
