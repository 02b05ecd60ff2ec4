"""Priority from impact and urgency, as ITIL reads it: how many are hit, and how soon it hurts.

A customer losing money now goes before an earlier question about a picture, and CAPS LOCK
adds nothing: the priority of a ticket with an impact and an urgency is the team's matrix
cell for the two, whatever its subject says. The matrix is the team config's `[priority]`
table (impact = { urgency = priority }), over the built-in one:

    [priority]
    high   = { high = "P1", medium = "P2", low = "P3" }
    medium = { high = "P2", medium = "P3", low = "P4" }
    low    = { high = "P3", medium = "P4", low = "P4" }

A ticket without them (a mail, a script) keeps the priority it was given, and an agent may
still set the priority by hand; the ticket then says which way it was set."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from console.core.errors import InvalidInput
from console.core.model import Impact, Priority, Urgency
from console.core.strict import ConfigProblem, refuse_unknown

Matrix = Mapping[tuple[Impact, Urgency], Priority]

DEFAULT_MATRIX: Matrix = {
    (Impact.HIGH, Urgency.HIGH): Priority.P1,
    (Impact.HIGH, Urgency.MEDIUM): Priority.P2,
    (Impact.HIGH, Urgency.LOW): Priority.P3,
    (Impact.MEDIUM, Urgency.HIGH): Priority.P2,
    (Impact.MEDIUM, Urgency.MEDIUM): Priority.P3,
    (Impact.MEDIUM, Urgency.LOW): Priority.P4,
    (Impact.LOW, Urgency.HIGH): Priority.P3,
    (Impact.LOW, Urgency.MEDIUM): Priority.P4,
    (Impact.LOW, Urgency.LOW): Priority.P4,
}


def priority_for(impact: Impact, urgency: Urgency, matrix: Matrix = DEFAULT_MATRIX) -> Priority:
    return matrix[(Impact(impact), Urgency(urgency))]


def reason(impact: Impact | None, urgency: Urgency | None) -> str:
    """Why the ticket has its priority, in words: "impact high × urgency medium", or "set by
    hand"."""
    if impact is None or urgency is None:
        return "set by hand"
    return f"impact {Impact(impact).value} \u00d7 urgency {Urgency(urgency).value}"


def priority_words(
    priority: Priority, impact: Impact | None, urgency: Urgency | None, matrix: Matrix
) -> str | None:
    """Why the ticket has its priority, when someone judged it: "impact high × urgency
    medium", or "set by hand; impact low × urgency low makes P4" when the two disagree."""
    if impact is None or urgency is None:
        return None
    judged = reason(impact, urgency)
    cell = priority_for(impact, urgency, matrix)
    return judged if cell == priority else f"set by hand; {judged} makes {cell.value}"


def matrix_from_config(table: Any, where: str = "priority") -> Matrix:
    """The `[priority]` table over the built-in matrix; every cell named is checked."""
    if not table:
        return DEFAULT_MATRIX
    if not isinstance(table, Mapping):
        raise ConfigProblem((where,), "give impact = { urgency = priority } tables")
    refuse_unknown(table, [i.value for i in Impact], [where])
    matrix = dict(DEFAULT_MATRIX)
    for impact_name, row in table.items():
        if not isinstance(row, Mapping):
            raise ConfigProblem(
                (where, impact_name), 'give { high = "P1", medium = "P2", low = "P3" }'
            )
        refuse_unknown(row, [u.value for u in Urgency], [where, impact_name])
        for urgency_name, value in row.items():
            try:
                priority = Priority.parse(str(value), "priority")
            except InvalidInput as error:
                raise ConfigProblem((where, impact_name, urgency_name), str(error)) from None
            matrix[(Impact(impact_name), Urgency(urgency_name))] = priority
    return matrix
