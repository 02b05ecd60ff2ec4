"""Saved views: a named query that shows in the sidebar with its count, like a queue.

The team's views are a `[views]` table in the team config, the agent's own a `[views]` table
in `views.toml` in their config folder (an agent's view of the same name replaces the
team's):

    [views]
    "Outage" = "tag:outage"
    "Stale, ours" = "court:us age:>7d"
    "Acme" = "from:@acme.test status:any"

Every query is read when the config is, so a wrong one is reported with its file and name
before the console starts, never as an empty queue."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from console.core.errors import InvalidInput
from console.core.paths import config_dir
from console.core.query import InvalidQuery, Query, parse

MAX_VIEWS = 30
"""Views a sidebar lists at most: more is a config to tidy."""
MAX_NAME = 40


@dataclass(frozen=True)
class View:
    name: str
    text: str
    """The query as written."""
    query: Query
    source: str
    """The file it came from."""


def personal_views_path() -> str:
    return os.path.join(config_dir(), "views.toml")


def read_views(
    config: dict[str, Any],
    source: str | None,
    me: str,
    vip_plans: tuple[str, ...] = (),
    types: tuple[str, ...] = (),
) -> list[View]:
    """The team's views (from the parsed team `config`), then the agent's own, in the order
    written; refused with file, name and the query's error when one is wrong."""
    from console.core.config import personal_table

    views: dict[str, View] = {}
    tables = [(config.get("views", {}), source or "the team config")]
    personal = personal_views_path()
    if os.path.isfile(personal):
        tables.append((personal_table(personal, "views"), personal))
    for table, path in tables:
        if not isinstance(table, dict):
            raise InvalidInput(f'{path}: [views] must be a table of name = "query"')
        for name, text in table.items():
            views[name] = _view(str(name), text, path, me, vip_plans, types)
    if len(views) > MAX_VIEWS:
        raise InvalidInput(f"{len(views)} saved views: at most {MAX_VIEWS} fit the sidebar")
    return list(views.values())


def _view(
    name: str, text: Any, path: str, me: str, vip_plans: tuple[str, ...], types: tuple[str, ...]
) -> View:
    where = f"{path}: views.{name}"
    if not name.strip() or len(name) > MAX_NAME or not name.isprintable():
        raise InvalidInput(f"{where}: a view's name is 1 to {MAX_NAME} printable characters")
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput(f'{where}: give the query as a string, such as "tag:outage"')
    try:
        query = parse(text, me, vip_plans, types)
    except InvalidQuery as error:
        raise InvalidInput(f"{where}: {error}") from None
    return View(name, text, query, path)


def find(views: list[View], name: str) -> View:
    for view in views:
        if view.name.lower() == name.lower():
            return view
    known = ", ".join(repr(v.name) for v in views) or "none (see [views] in the team config)"
    raise InvalidInput(f"no saved view {name!r}; the views are: {known}")
