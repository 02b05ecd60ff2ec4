"""Priority from impact × urgency: the team's matrix, not the subject, decides; a new judgement
moves the SLA deadlines and is logged; shouting changes nothing."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from console.cli import main
from console.core import operations, triage, workflow
from console.core.config import sla_policy
from console.core.desk import Desk
from console.core.errors import InvalidInput
from console.core.model import EventAction, Impact, Priority, Urgency
from console.core.triage import DEFAULT_MATRIX, priority_for, priority_words


def test_the_built_in_matrix_is_itils() -> None:
    rows = [[priority_for(i, u).value for u in Urgency] for i in Impact]
    assert rows == [["P1", "P2", "P3"], ["P2", "P3", "P4"], ["P3", "P4", "P4"]]


def test_the_team_config_overrides_cells_and_names_its_mistakes(tmp_path: Path) -> None:
    config = tmp_path / "console.toml"
    config.write_text('[priority]\nlow = { high = "P2" }\n')
    matrix = sla_policy(config).matrix
    assert matrix[(Impact.LOW, Urgency.HIGH)] == Priority.P2
    assert matrix[(Impact.HIGH, Urgency.HIGH)] == Priority.P1  # the rest stays built in
    for text, says in (
        ('[priority]\nhuge = { high = "P1" }\n', "unknown key 'huge'"),
        ('[priority]\nlow = { hgh = "P1" }\n', "unknown key 'hgh' (did you mean 'high'?)"),
        ('[priority]\nlow = { high = "P0" }\n', "unknown priority 'P0'"),
        ('[priority]\nlow = "P1"\n', 'give { high = "P1"'),
    ):
        config.write_text(text)
        with pytest.raises(InvalidInput) as raised:
            sla_policy(config)
        assert str(config) in str(raised.value) and says in str(raised.value), text


SHOUTING = st.sampled_from(
    ["URGENT!!!", "ASAP!!! EVERYTHING IS DOWN", "СРОЧНО!!!", "ТЕРМІНОВО", "help!!!!!!!!"]
)


@given(shout=SHOUTING, impact=st.sampled_from(Impact), urgency=st.sampled_from(Urgency))
def test_shouting_changes_nothing(tmp_path_factory, shout: str, impact, urgency) -> None:
    from tests.support import START, FrozenClock, make_desk, open_store

    with open_store(tmp_path_factory.mktemp("shout") / "t.db", FrozenClock(START)) as store:
        desk = make_desk(store)
        calm = operations.create_ticket(desk, subject="vpn down", requester="a@acme.test")
        loud = operations.create_ticket(
            desk, subject=f"{shout} VPN DOWN", requester="a@acme.test", body=shout * 3
        )
        assert loud.priority == calm.priority == Priority.P3
        judged = [
            operations.create_ticket(
                desk, subject=s, requester="a@acme.test", impact=impact, urgency=urgency
            ).priority
            for s in ("vpn down", f"{shout} VPN DOWN")
        ]
        assert judged[0] == judged[1] == priority_for(impact, urgency)


def test_judging_moves_the_deadlines_and_logs_it(desk: Desk) -> None:
    ticket = operations.create_ticket(
        desk, subject="VPN down", requester="a@acme.test", impact=Impact.LOW, urgency=Urgency.LOW
    )
    assert ticket.priority == Priority.P4
    before = workflow.clocks(desk.store, ticket.id).sla_due_at
    ticket = operations.set_triage(desk, ticket.id, impact=Impact.HIGH, urgency=Urgency.HIGH)
    assert (ticket.priority, ticket.impact, ticket.urgency) == (
        Priority.P1,
        Impact.HIGH,
        Urgency.HIGH,
    )
    after = workflow.clocks(desk.store, ticket.id).sla_due_at
    assert after is not None and before is not None and after < before
    ticket = operations.set_triage(desk, ticket.id, urgency=Urgency.MEDIUM)  # the impact stays
    assert ticket.priority == Priority.P2
    events = [(e.action, e.before, e.after) for e in desk.store.events(ticket.id)]
    assert (
        EventAction.TRIAGE,
        "impact high × urgency high",
        "impact high × urgency medium",
    ) in events
    assert (EventAction.PRIORITY, "P1", "P2") in events


def test_half_a_judgement_is_refused(desk: Desk) -> None:
    ticket = operations.create_ticket(desk, subject="VPN down", requester="a@acme.test")
    with pytest.raises(InvalidInput, match="has no urgency yet"):
        operations.set_triage(desk, ticket.id, impact=Impact.HIGH)
    with pytest.raises(InvalidInput, match="both the impact and the urgency"):
        operations.create_ticket(desk, subject="x", requester="a@acme.test", impact=Impact.HIGH)


def test_the_priority_says_why() -> None:
    words = [
        priority_words(priority_for(i, u), i, u, DEFAULT_MATRIX)
        for i, u in itertools.product(Impact, Urgency)
    ]
    assert words[0] == "impact high × urgency high"
    hand = priority_words(Priority.P1, Impact.LOW, Urgency.LOW, DEFAULT_MATRIX)
    assert hand == "set by hand; impact low × urgency low makes P4"
    assert priority_words(Priority.P1, None, None, DEFAULT_MATRIX) is None
    assert triage.reason(None, Urgency.LOW) == "set by hand"


def test_new_and_triage_on_the_command_line(capsys, db_path: Path) -> None:
    base = ["--db", str(db_path), "--as", "tess"]
    new = ["new", "--subject", "Payments fail", "--from", "a@acme.test", "--body", "x"]
    assert main([*base, *new, "--impact", "high", "--urgency", "medium", "--json"]) == 0
    made = json.loads(capsys.readouterr().out)
    assert (made["priority"], made["impact"], made["urgency"]) == ("P2", "high", "medium")
    assert main([*base, "triage", str(made["id"]), "--urgency", "high"]) == 0
    assert capsys.readouterr().out.startswith(f"#{made['id']} is P1 (impact high × urgency high)")
    assert main([*base, "show", str(made["id"])]) == 0
    assert "P1 (impact high × urgency high) L1" in capsys.readouterr().out
    assert main([*base, *new, "--impact", "high", "--urgency", "low", "--priority", "P1"]) == 2
    assert "not both" in capsys.readouterr().err
