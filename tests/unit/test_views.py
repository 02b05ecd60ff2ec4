"""Saved views: the team's and the agent's own, each query read when the config is (a wrong
one named with its file and view), listed with their counts and used by `console list`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from console.cli import main
from console.core import operations, tags
from console.core.config import read_config
from console.core.desk import Desk
from console.core.errors import InvalidInput
from console.core.views import find, read_views

TEAM = """
[views]
"Outage" = "tag:outage"
"Acme" = "from:@acme.test status:any"
"""


@pytest.fixture
def team_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home"))
    config = tmp_path / "console.toml"
    config.write_text(TEAM)
    return config


def _views(config: Path, me: str = "tess"):  # type: ignore[no-untyped-def]
    parsed, source = read_config(config)
    return read_views(parsed, source, me)


def test_the_agents_own_views_follow_the_teams_and_replace_a_namesake(
    team_config: Path, tmp_path: Path
) -> None:
    own = tmp_path / "home" / "console" / "views.toml"
    own.parent.mkdir(parents=True)
    own.write_text('[views]\n"Mine, stale" = "is:mine idle:>2d"\n"Acme" = "from:@acme.test"\n')
    views = _views(team_config)
    assert [v.name for v in views] == ["Outage", "Acme", "Mine, stale"]
    assert find(views, "acme").source == str(own) and find(views, "acme").text == "from:@acme.test"
    with pytest.raises(InvalidInput, match="no saved view 'nope'; the views are: 'Outage'"):
        find(views, "nope")


@pytest.mark.parametrize(
    ("table", "says"),
    [
        ('"Bad" = "colr:x"', "views.Bad: 'colr:x': there is no field 'colr'"),
        ('"Empty" = ""', "views.Empty: give the query as a string"),
        ('"Number" = 3', "views.Number: give the query as a string"),
        ('"" = "tag:x"', "a view's name is 1 to 40 printable characters"),
    ],
)
def test_a_wrong_view_is_named_with_its_file(tmp_path: Path, table: str, says: str) -> None:
    config = tmp_path / "console.toml"
    config.write_text(f"[views]\n{table}\n")
    with pytest.raises(InvalidInput) as raised:
        _views(config)
    assert str(raised.value).startswith(str(config)) and says in str(raised.value)


def test_views_and_list_view_on_the_command_line(
    capsys, db_path: Path, desk: Desk, team_config: Path
) -> None:
    first = operations.create_ticket(desk, subject="VPN down", requester="ann@acme.test").id
    operations.create_ticket(desk, subject="Printer", requester="bob@shop.test")
    tags.change_tags(desk, first, ["outage"])
    operations.close(desk, first, "fixed")  # the Acme view takes any status, Outage open only
    desk.store.close()
    base = ["--db", str(db_path), "--config", str(team_config)]
    assert main([*base, "views", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(v["name"], v["count"]) for v in listed] == [("Outage", 0), ("Acme", 1)]
    assert main([*base, "list", "--view", "acme", "--json"]) == 0
    assert [t["id"] for t in json.loads(capsys.readouterr().out)] == [first]
    assert main([*base, "list", "--view", "acme", "--query", "printer", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main([*base, "views"]) == 0
    assert "Acme" in capsys.readouterr().out
