"""The team config is strict: a table or key the console does not know is an error naming
the file, the line and the key (with the known name it is closest to), and a value out of
range is refused with its limit. What the README shows still loads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from console.cli import main
from console.core.config import keymap, read_config, sla_policy
from console.core.errors import InvalidInput
from console.core.mail.settings import mail_settings
from console.core.strict import locate
from console.core.team import parse_team
from console.core.views import read_views

README = Path(__file__).resolve().parents[2] / "README.md"


def _load(path: Path) -> None:
    """Everything the console reads from a team config."""
    config, source = read_config(path)
    parse_team(config, source)
    sla_policy(path)
    mail_settings(config, source)
    keymap(path)
    read_views(config, source, "tess")


@pytest.mark.parametrize(
    "text, line, message",
    [
        (
            '[agents.alice]\nlines = ["L1"]\n\n[agent.dmitro]\nlines = ["L3"]\n',
            4,
            "unknown table [agent] (did you mean [agents]?)",
        ),
        ('sla_first_response = "1h"\n', 1, "did you mean 'first_response' under [sla]?"),
        ("[teams]\ncustomer_lines = ['L1']\n", 1, "unknown table [teams] (did you mean [team]?)"),
        (
            "[team]\ncustomer_line = ['L1']\n",
            2,
            "team: unknown key 'customer_line' (did you mean 'customer_lines'?)",
        ),
        (
            '[agents.bob]\nname = "Bob"\nrol = "lead"\n',
            3,
            "agents.bob: unknown key 'rol' (did you mean 'role'?)",
        ),
        (
            '[agents]\nbob = { name = "Bob", rol = "lead" }\n',
            2,
            "agents.bob: unknown key 'rol' (did you mean 'role'?)",
        ),
        (
            '[sla]\nresolution = "5d"\nfirst_respons = "1h"\n',
            3,
            "sla: unknown key 'first_respons' (did you mean 'first_response'?)",
        ),
        (
            '[sla.P1]\nfirst_response = "1h"\nresolve = "1d"\n',
            3,
            "sla.P1: unknown key 'resolve' (did you mean 'resolution'?)",
        ),
        (
            '[sla]\n[sla.calendar]\nzone = "UTC"\n',
            3,
            "sla.calendar: unknown key 'zone' (did you mean 'timezone'?)",
        ),
        (
            '[mail]\nadress = "support@example.com"\n',
            2,
            "mail: unknown key 'adress' (did you mean 'address'?)",
        ),
        (
            '[mail]\naddress = "a@example.com"\n[mail.imap]\nhots = "imap.example.com"\n',
            4,
            "mail.imap: unknown key 'hots' (did you mean 'host'?)",
        ),
        (
            '[mail.lines.L2]\naddress = "x@example.com"\nnmae = "X"\n',
            3,
            "mail.lines.L2: unknown key 'nmae' (did you mean 'name'?)",
        ),
        (
            '[mail.lines.L5]\naddress = "x@example.com"\n',
            1,
            "mail.lines: unknown line 'L5'",
        ),
    ],
)
def test_an_unknown_table_or_key_names_file_line_and_key(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    path = tmp_path / "console.toml"
    path.write_text(text)
    with pytest.raises(InvalidInput) as caught:
        _load(path)
    said = str(caught.value)
    assert said.startswith(f"{path}:{line}: ") and message in said, said


@pytest.mark.parametrize(
    "text, message",
    [
        ('[sla]\nclose_after = "99999999999d"\n', "sla.close_after: too large: at most 3650 days"),
        ('[sla]\nnudge_after = "3651d"\n', "sla.nudge_after: too large: at most 3650 days"),
        ('[sla.P2]\nresolution = "53w"\n', "sla.P2.resolution: too large: at most 365 days"),
        ('[sla]\nfirst_response = "9999999h"\n', "sla.first_response: too large: at most 365"),
        (
            "[mail]\nmax_attachment_mb = 100000\n",
            "mail.max_attachment_mb: too large: at most 500 MB",
        ),
        ("[mail]\nacknowledgements_per_hour = 1000000\n", "at most 1000"),
        ('[mail]\nsmtp = "smtp.example.com:99999"\n', "a port from 1 to 65535"),
    ],
)
def test_a_value_out_of_range_is_refused_with_its_limit(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "console.toml"
    path.write_text(text)
    with pytest.raises(InvalidInput, match=re.escape(message)):
        _load(path)


def test_the_timers_say_a_huge_duration_is_too_large_instead_of_crashing(
    capsys, tmp_path: Path, db_path: Path
) -> None:
    config = tmp_path / "console.toml"
    config.write_text('[sla]\nclose_after = "99999999999d"\n')
    for verb in (["tick"], ["queue", "nudge"]):
        code = main(["--db", str(db_path), "--config", str(config), *verb])
        out, err = capsys.readouterr()
        assert code == 2 and out == "" and len(err.splitlines()) == 1, err
        assert f"{config}:2: sla.close_after: too large: at most 3650 days" in err
    assert not db_path.exists()


def test_the_typo_that_switched_off_the_third_lines_rule_is_an_error(
    capsys, tmp_path: Path, db_path: Path
) -> None:
    config = tmp_path / "console.toml"
    config.write_text('[agents.alice]\nlines = ["L1"]\n\n[agent.dmitro]\nlines = ["L3"]\n')
    code = main(["--db", str(db_path), "--config", str(config), "--as", "dmitro", "agents"])
    _, err = capsys.readouterr()
    assert code == 2 and "did you mean [agents]?" in err


def test_the_agents_own_keys_file_is_strict_too(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.delenv("CONSOLE_CONFIG", raising=False)
    (tmp_path / "console").mkdir()
    personal = tmp_path / "console" / "keys.toml"
    personal.write_text('[key]\n"main.filter" = "slash"\n')
    (tmp_path / "console" / "team.toml").write_text("")
    with pytest.raises(InvalidInput, match=r"keys.toml:1: unknown table \[key\] .*\[keys\]"):
        keymap(tmp_path / "console" / "team.toml")


def _readme_configs() -> list[str]:
    return re.findall(r"```toml\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def test_the_readme_examples_load(tmp_path: Path) -> None:
    blocks = _readme_configs()
    assert len(blocks) >= 4
    for number, block in enumerate(blocks):
        path = tmp_path / f"example{number}.toml"
        path.write_text(block)
        _load(path)


def test_locate_reads_headers_dotted_keys_and_skips_long_strings() -> None:
    text = (
        '[mail]\nname = """\nhost = "not a key"\n"""\n'
        '[mail.imap]\n"host" = "imap.example.com"\n'
        "[agents]\nbob.lines = ['L1']\n"
    )
    assert locate(text, ("mail", "imap", "host")) == 6
    assert locate(text, ("agents", "bob", "lines")) == 8
    assert locate(text, ("agents", "bob", "role")) == 8
    assert locate(text, ("sla",)) is None
