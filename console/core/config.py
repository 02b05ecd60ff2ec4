"""The team config file: one TOML file, named by `--config PATH` or `CONSOLE_CONFIG`.

Each subsystem reads its own section (`[sla]` for the clocks); this module only finds the file
and reads it, turning every problem into one line that names the file."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from console.core.errors import ConsoleError, InvalidInput
from console.core.sla import SlaPolicy, policy_from_config


class ConfigError(ConsoleError):
    """The config file is missing or is not valid TOML."""

    exit_code = 2


def config_path(given: str | os.PathLike[str] | None = None) -> Path | None:
    """The file the user named (argument first, then CONSOLE_CONFIG), or None for defaults."""
    if given:
        return Path(given)
    env = os.environ.get("CONSOLE_CONFIG")
    return Path(env) if env else None


def load(path: Path | None) -> dict[str, Any]:
    """The whole config as a dict; {} when no file was named."""
    if path is None:
        return {}
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such config file") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a directory, not a config file") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read the config: {error.strerror}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not valid TOML: the file is not UTF-8") from None


def sla_policy(path: Path | None) -> SlaPolicy:
    """The SLA policy of the config at `path` (the built-in one when there is none)."""
    data = load(path)
    try:
        return policy_from_config(data.get("sla"))
    except InvalidInput as error:
        raise InvalidInput(f"{path}: {error}") from None
