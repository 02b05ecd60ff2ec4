"""The team configuration file: one TOML file a team shares (who works which line, SLA policy).

Found at `--config PATH`, else `$CONSOLE_CONFIG`, else `console.toml` in the data directory;
a missing default file means "no configuration" (a one-person shop needs none), while a file
the user named must exist. Errors name the file and the line; a table or key the console does
not know is an error too (see `strict`), so a typo never silently switches a rule off."""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from typing import Any

from console.core.errors import InvalidInput
from console.core.paths import data_dir, personal_keys_path
from console.core.sla import SlaPolicy, plans_from_config, policy_from_config
from console.core.strict import ConfigProblem, close_to, placed
from console.core.triage import matrix_from_config

TABLES = ("team", "agents", "sla", "priority", "plans", "types", "mail", "keys", "views")
"""The tables a team config may have."""


def _toml(path: str, tables: tuple[str, ...] = TABLES) -> dict[str, Any]:
    """The TOML file at `path`, parsed, with nothing at its top but `tables`; the parser is
    loaded only when there is a file."""
    if sys.version_info >= (3, 11):  # noqa: UP036 - tomli is the fallback below 3.11
        import tomllib
    else:  # pragma: no cover - Python 3.10 and older
        import tomli as tomllib
    try:
        with open(path, encoding="utf-8") as file:
            parsed = tomllib.loads(file.read())
    except tomllib.TOMLDecodeError as error:
        raise InvalidInput(f"{path}: {error}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidInput(f"{path}: cannot read it: {error}") from None
    for name in parsed:
        if name not in tables:
            raise placed(ConfigProblem((name,), _unknown_table(name, tables)), path)
    return parsed


def _unknown_table(name: str, tables: tuple[str, ...]) -> str:
    """ "unknown table [agent] (did you mean [agents]?)"; for a key such as
    `sla_first_response` at the top, the table and key it reads like."""
    table, _, key = name.partition("_")
    if table in tables and key:
        return f"unknown key {name!r} (did you mean {key!r} under [{table}]?)"
    hint = close_to(name, tables).replace(" '", " [").replace("'?", "]?")
    return f"unknown table [{name}]{hint}"


def personal_table(path: str, table: str) -> Any:
    """The `[table]` of one of the agent's own files (`keys.toml`, `views.toml`), which may
    hold nothing else."""
    return _toml(path, (table,)).get(table, {})


def config_path(given: str | os.PathLike[str] | None = None) -> tuple[str, bool]:
    """The config file to read, and whether the user named it."""
    if given:
        return os.fspath(given), True
    if os.environ.get("CONSOLE_CONFIG"):
        return os.environ["CONSOLE_CONFIG"], True
    return os.path.join(data_dir(), "console.toml"), False


def read_config(given: str | os.PathLike[str] | None = None) -> tuple[dict[str, Any], str | None]:
    """The parsed config and its path; ({}, None) when no file exists and none was named."""
    path, named = config_path(given)
    if not os.path.isfile(path):
        if named:
            raise InvalidInput(f"{path}: config file not found")
        return {}, None
    return _toml(path), path


def sla_policy(given: str | os.PathLike[str] | None = None) -> SlaPolicy:
    """The SLA policy of the config's `[sla]` section (the built-in one when there is none);
    a bad value is reported with the file's name and the key's."""
    config, source = read_config(given)
    try:
        policy = policy_from_config(config.get("sla"))
        if "priority" in config:
            policy = replace(policy, matrix=matrix_from_config(config["priority"]))
        if "plans" in config:
            policy = replace(policy, plans=plans_from_config(config["plans"], policy.targets))
        return policy
    except ConfigProblem as error:
        raise placed(error, source) from None
    except InvalidInput as error:
        raise InvalidInput(f"{source}: {error}") from None


def keymap(given: str | os.PathLike[str] | None = None) -> tuple[dict[str, str], dict[str, str]]:
    """The `[keys]` tables (binding id = "keys"): the team config's, then the agent's own
    (`keys.toml` in the config directory) over it. Returns the keys and, for each id, the file
    that set it, so a mistake can be reported where it is."""
    tables: list[tuple[Any, str | None]] = []
    config, source = read_config(given)
    tables.append((config.get("keys", {}), source))
    personal = personal_keys_path()
    if os.path.isfile(personal):
        tables.append((personal_table(personal, "keys"), personal))
    keys: dict[str, str] = {}
    where: dict[str, str] = {}
    for table, path in tables:
        if not isinstance(table, dict):
            raise InvalidInput(f'{path}: [keys] must be a table of binding = "keys"')
        for binding, value in table.items():
            if not isinstance(value, str) or not value.strip():
                raise InvalidInput(
                    f'{path}: keys.{binding}: give the keys as a string, such as "ctrl+e"'
                )
            keys[str(binding)] = value.replace(" ", "")
            where[str(binding)] = str(path)
    return keys, where
