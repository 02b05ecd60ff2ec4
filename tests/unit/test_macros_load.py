"""Loading macros.toml: the shipped defaults, overrides by id, every mistake located, reload."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from console.core import macro_loader as macros
from console.core.macro_loader import MacroReloader, load_catalog
from console.core.macros import MacroFileError, UnknownMacro

ROOT = Path(__file__).resolve().parents[2]


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def problems(*paths: Path) -> list[str]:
    with pytest.raises(MacroFileError) as caught:
        load_catalog(list(paths))
    return [str(p) for p in caught.value.problems]


def test_shipped_file_loads_with_the_promised_defaults() -> None:
    catalog = load_catalog([ROOT / "macros.toml"])
    ids = {m.id for m in catalog.macros}
    for base in (
        "password-reset",
        "known-outage",
        "ask-screenshot",
        "confirm-fix",
        "nudge",
        "need-details",
        "self-diagnosis",
        # What the seeds ask agents to say again and again:
        "restate",
        "moment",
        "intermittent",
        "one-problem",
        "one-example",
        "error-advice",
        "retry-later",
        "screen-video",
        "by-design",
        "feature-request",
        "integrator",
    ):
        assert {base, f"{base}.ru", f"{base}.uk"} <= ids
    checklists = {c.id: c for c in catalog.checklists}
    template = checklists["request-template"]
    assert [q.id for q in template.questions] == ["did", "expected", "got", "env", "screenshot"]
    assert [q.required for q in template.questions][:3] == [True, True, True]
    assert [q.id for q in checklists["self-diagnosis"].questions][:2] == ["reproducible", "who"]
    assert {c.lang for c in catalog.checklists} == {"en", "ru", "uk"}


def test_package_copy_is_the_repository_file() -> None:
    # Installed without the checkout, the console reads the copy inside the package.
    assert (ROOT / "console/core/macros.toml").read_bytes() == (ROOT / "macros.toml").read_bytes()


def test_team_file_is_found_from_option_env_or_checkout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CONSOLE_MACROS", raising=False)
    assert macros.team_macros_path() == ROOT / "macros.toml"
    monkeypatch.setenv("CONSOLE_MACROS", str(tmp_path / "env.toml"))
    assert macros.team_macros_path() == tmp_path / "env.toml"
    assert macros.team_macros_path(tmp_path / "given.toml") == tmp_path / "given.toml"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    assert macros.personal_macros_path() == tmp_path / "cfg/console/macros.toml"


def test_personal_file_overrides_by_id_and_adds(tmp_path: Path) -> None:
    team = write(
        tmp_path / "team.toml",
        """
        [[checklist]]
        id = "basics"
        title = "Basics"
        questions = ["What did you do?"]

        [[macro]]
        id = "hello"
        title = "Hello"
        body = "Hello {customer.name}"
        actions = { checklist = "basics" }
    """,
    )
    personal = write(
        tmp_path / "mine.toml",
        """
        [[macro]]
        id = "hello"
        title = "My hello"
        body = "Hi {customer.first_name}!"

        [[macro]]
        id = "mine"
        title = "Mine"
        body = "text"
        actions = { checklist = "basics" }
    """,
    )
    catalog = load_catalog([team, personal])
    assert [m.id for m in catalog.macros] == ["hello", "mine"]
    assert catalog.macro("hello").title == "My hello"
    assert catalog.macro("hello").source == str(personal)
    assert catalog.files == (str(team), str(personal))


BAD = """
[[checklist]]
id = "basics"
title = "Basics"
questions = ["What did you do?", { id = "os", text = "Which OS?", required = "yes" }]

[[macro]]
id = "hello"
title = "Hello"
body = \"\"\"Hello,

about {custmer.name} and {ticket.id}\"\"\"

[[macro]]
id = "hello"
title = "Again"
body = "Hi"

[[macro]]
title = "No id"
body = "x {"

[[macro]]
id = "act"
title = "Actions"
body = "ok"
actions = { status = "pending", colour = "red" }

[[macro]]
id = "miss"
body = "no title"
kind = "email"

[[macro]]
id = "ghost"
title = "Names a checklist nobody defined"
body = "ok"
actions = { checklist = "nope" }

[[macros]]
id = "typo"
"""


def test_every_mistake_is_reported_at_once_with_file_line_and_key(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(BAD.lstrip("\n"), encoding="utf-8")
    p = str(path)
    assert problems(path) == [
        f"{p}:39: macros: unknown table (use [[macro]] for canned responses, "
        "[[checklist]] for questions)",
        f"{p}:4: checklist[basics].questions[2].required: must be true or false",
        f"{p}:11: macro[hello].body: unknown placeholder {{custmer.name}} "
        "(did you mean {customer.name}?)",
        f"{p}:14: macro[hello].id: duplicate id (first defined at line 7)",
        f"{p}:18: macro[#3]: missing field 'id'",
        f"{p}:20: macro[#3].body: a lone '{{' (write '{{{{' for a literal brace)",
        f"{p}:26: macro[act].actions.status: unknown status 'pending': "
        "use one of new, open, waiting, solved, closed",
        f"{p}:26: macro[act].actions.colour: unknown action "
        "(allowed: status, court, priority, line, tag, tags, checklist)",
        f"{p}:29: macro[miss]: missing field 'title'",
        f"{p}:31: macro[miss].kind: 'email' is not a message kind: use reply or note",
        f"{p}:37: macro[ghost].actions.checklist: no checklist 'nope' is defined",
    ]


def test_error_message_lists_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(BAD.lstrip("\n"), encoding="utf-8")
    with pytest.raises(MacroFileError) as caught:
        load_catalog([path])
    text = str(caught.value)
    assert text.startswith("11 problems in the macro files:\n  ")
    assert text.count("\n") == 11


def test_bad_toml_names_the_line(tmp_path: Path) -> None:
    path = write(
        tmp_path / "broken.toml",
        """
        [[macro]]
        id = "x"
        title =
    """,
    )
    assert problems(path) == [f"{path}:3: not valid TOML: Invalid value (column 8)"]


def test_missing_file_and_wrong_types(tmp_path: Path) -> None:
    assert problems(tmp_path / "none.toml") == [f"{tmp_path / 'none.toml'}: no such file"]
    path = write(
        tmp_path / "types.toml",
        """
        [[checklist]]
        id = "empty"
        title = "No questions"
        questions = []

        [[macro]]
        id = "has space"
        title = "T"
        body = ""
        lang = "english"
        actions = { tags = ["ok", "not ok"] }
    """,
    )
    p = str(path)
    assert problems(path) == [
        f"{p}:4: checklist[empty].questions: must be a non-empty list of questions",
        f"{p}:7: macro[has space].id: must be letters, digits, '.', '_' or '-', "
        "starting with a letter or digit",
        f"{p}:9: macro[has space].body: must be a non-empty string",
        f"{p}:10: macro[has space].lang: 'english' is not a two-letter language code "
        "(en, ru, uk, ...)",
        f"{p}:11: macro[has space].actions.tags: "
        "tags must be words of letters, digits, '.', '_' or '-'",
    ]


def test_checklist_named_in_team_file_may_live_in_personal_file(tmp_path: Path) -> None:
    team = write(
        tmp_path / "team.toml",
        """
        [[macro]]
        id = "m"
        title = "T"
        body = "b"
        actions = { checklist = "later" }
    """,
    )
    personal = write(
        tmp_path / "mine.toml",
        """
        [[checklist]]
        id = "later"
        title = "Later"
        questions = ["Q?"]
    """,
    )
    assert problems(team) == [
        f"{team}:5: macro[m].actions.checklist: no checklist 'later' is defined"
    ]
    assert load_catalog([team, personal]).checklist("later").questions[0].text == "Q?"


def test_unknown_macro_suggests_close_ids() -> None:
    catalog = load_catalog([ROOT / "macros.toml"])
    with pytest.raises(
        UnknownMacro,
        match=r"no macro 'pasword-reset' \(did you mean "
        r"password-reset",
    ):
        catalog.macro("pasword-reset")


def test_reloader_keeps_last_good_set_and_picks_up_edits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    path = write(
        tmp_path / "team.toml",
        """
        [[macro]]
        id = "one"
        title = "One"
        body = "1"
    """,
    )
    reloader = MacroReloader(path)
    assert [m.id for m in reloader.current().macros] == ["one"] and reloader.error is None
    assert reloader.poll() is False  # nothing changed

    path.write_text(path.read_text() + '\n[[macro]]\nid = "two"\n', encoding="utf-8")
    os.utime(path, ns=(1, 1))
    assert reloader.poll() is False
    assert [m.id for m in reloader.current().macros] == ["one"]  # the last good set stays
    assert reloader.error is not None and "macro[two]: missing field 'title'" in str(reloader.error)

    path.write_text(path.read_text() + 'title = "Two"\nbody = "2"\n', encoding="utf-8")
    os.utime(path, ns=(2, 2))
    assert reloader.poll() is True
    assert [m.id for m in reloader.current().macros] == ["one", "two"] and reloader.error is None

    personal = tmp_path / "cfg/console/macros.toml"
    personal.parent.mkdir(parents=True)
    write(
        personal,
        """
        [[macro]]
        id = "one"
        title = "Mine"
        body = "mine"
    """,
    )
    assert reloader.poll() is True  # a personal file that appears is picked up too
    assert reloader.catalog.macro("one").title == "Mine"


def test_reloader_refuses_with_the_error_when_the_first_load_fails(tmp_path: Path) -> None:
    reloader = MacroReloader(tmp_path / "missing.toml")
    # Without one good catalog yet, a command must not act on no macros: the error is raised.
    with pytest.raises(MacroFileError, match="no such file"):
        reloader.current()
    assert reloader.catalog.macros == () and "no such file" in str(reloader.error)


def test_header_comment_documents_every_placeholder() -> None:
    from console.core.macros import PLACEHOLDERS

    text = (ROOT / "macros.toml").read_text(encoding="utf-8")
    header = text[: text.index("\n[[")]
    assert [name for name in PLACEHOLDERS if f"{{{name}}}" not in header] == []


def test_a_large_file_loads_quickly(tmp_path: Path) -> None:
    import time

    entries = "".join(
        f'[[macro]]\nid = "m{n}"\ntitle = "Macro {n}"\nbody = "Hi {{agent.name}}"\n\n'
        for n in range(2000)
    )
    path = write(tmp_path / "big.toml", entries)
    started = time.perf_counter()
    assert len(load_catalog([path]).macros) == 2000
    assert time.perf_counter() - started < 2.0
