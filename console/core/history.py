"""A ticket's event log in plain words: "alice escalated L1 → L2: tried resync", "the first
response was missed". One sentence per event, for the ticket screen's timeline and `console
show`; `--json` keeps the stored form. Every value passes through `one_line`, so a stranger's
text cannot act on the terminal."""

from __future__ import annotations

from collections.abc import Callable

from console.core.model import EventAction, SlaKind
from console.core.team import SYSTEM_LOGIN
from console.core.text import one_line
from console.core.ticket_types import DEFAULT_TYPES

_MESSAGE = {
    "customer": "recorded what the customer said",
    "reply": "replied to the customer",
    "note": "added an internal note",
}


def _kind_words(value: str | None) -> str:
    try:
        return SlaKind(value or "").words
    except ValueError:
        return one_line(value or "a deadline", 30)


def _change(before: str | None, after: str | None, *, none: str = "nobody") -> str:
    return f"{one_line(before or none, 40)} → {one_line(after or none, 40)}"


def _type_words(name: str | None) -> str:
    """A type as words: the event keeps the type's name, which the team may have retired."""
    if name is None:
        return "not typed"
    return one_line(DEFAULT_TYPES.get(name, name.replace("-", " ")), 40).lower()


def _typed(before: str | None, after: str | None) -> str:
    if after is None:
        return f"cleared the type ({_type_words(before)})"
    if before is None:
        return f"marked it as {_type_words(after)}"
    return f"changed the type {_type_words(before)} → {_type_words(after)}"


Phrase = Callable[[str | None, str | None, str | None], str]

_PHRASES: dict[EventAction, Phrase] = {
    EventAction.CREATED: lambda b, a, d: "opened the ticket" + (f" ({d})" if d else ""),
    EventAction.LINE: lambda b, a, d: f"moved it {_change(b, a)}",
    EventAction.PRIORITY: lambda b, a, d: f"changed the priority {_change(b, a)}",
    EventAction.STATUS: lambda b, a, d: f"changed the status {_change(b, a)}",
    EventAction.COURT: lambda b, a, d: f"passed the ball {_change(b, a)}",
    EventAction.ASSIGNEE: lambda b, a, d: f"assigned it {_change(b, a)}",
    EventAction.MESSAGE: lambda b, a, d: _MESSAGE.get(a or "", "added a message"),
    EventAction.SLA_BREACH: lambda b, a, d: f"the {_kind_words(a)} deadline was missed",
    EventAction.FOLLOWUP: lambda b, a, d: (
        "cleared the follow-up" if a is None else "promised a follow-up"
    ),
    EventAction.FOLLOWUP_DUE: lambda b, a, d: "a promised follow-up fell due",
    EventAction.NUDGE_DUE: lambda b, a, d: "the customer has been silent too long",
    EventAction.NUDGE: lambda b, a, d: "reminded the customer",
    EventAction.AUTO_CLOSE: lambda b, a, d: "closed it: the customer did not answer",
    EventAction.VENDOR: lambda b, a, d: f"handed it to {one_line(a or 'a vendor', 60)}",
    EventAction.APPROVAL: lambda b, a, d: {
        "pending": "asked the customer to approve paid work",
        "approved": "noted the customer approved the paid work",
        "refused": "noted the customer declined the paid work",
    }.get(a or "", "changed the paid work"),
    EventAction.TIME: lambda b, a, d: f"logged {one_line(a or '', 20)}",
    EventAction.RATING: lambda b, a, d: f"recorded a rating of {one_line(a or '', 4)} out of 5",
    EventAction.TAG: lambda b, a, d: f"tagged it {one_line(a or '', 40)}",
    EventAction.UNTAG: lambda b, a, d: f"removed the tag {one_line(b or '', 40)}",
    EventAction.CHECKLIST: lambda b, a, d: f"attached the checklist {one_line(a or '', 40)}",
    EventAction.CHECKLIST_OVERRIDE: lambda b, a, d: "escalated past unanswered questions",
    EventAction.ANSWER: lambda b, a, d: "recorded an answer to a question",
    EventAction.UNANSWER: lambda b, a, d: "opened a question again",
    EventAction.ASK: lambda b, a, d: "asked the customer the open questions",
    EventAction.MACRO: lambda b, a, d: f"used the macro {one_line(a or '', 40)}",
    EventAction.ESCALATED: lambda b, a, d: f"escalated {_change(b, a)}",
    EventAction.DEESCALATED: lambda b, a, d: f"handed it back {_change(b, a)}",
    EventAction.ASKED_FRONT: lambda b, a, d: "asked the front line to contact the customer",
    EventAction.ANSWERED_FRONT: lambda b, a, d: (
        f"noted the customer's answer for {one_line(a or '', 30)}"
    ),
    EventAction.MERGED: lambda b, a, d: f"merged it into {one_line(a or '', 12)}",
    EventAction.MERGED_IN: lambda b, a, d: f"merged {one_line(a or '', 12)} into it",
    EventAction.UNMERGED: lambda b, a, d: f"took it back out of {one_line(b or '', 12)}",
    EventAction.UNMERGED_OUT: lambda b, a, d: f"took {one_line(b or '', 12)} back out",
    EventAction.PARENT: lambda b, a, d: (
        f"hung it on the problem {one_line(a, 12)}"
        if a
        else f"took it off the problem {one_line(b or '', 12)}"
    ),
    EventAction.CHILD_LINKED: lambda b, a, d: f"hung {one_line(a or '', 12)} on it",
    EventAction.CHILD_UNLINKED: lambda b, a, d: f"took {one_line(b or '', 12)} off it",
    EventAction.SPLIT: lambda b, a, d: f"split messages off into {one_line(a or '', 12)}",
    EventAction.UNSPLIT: lambda b, a, d: f"undid the split with {one_line(b or '', 12)}",
    EventAction.LINK: lambda b, a, d: f"linked it to #{one_line(a or '', 12)}",
    EventAction.TRIAGE: lambda b, a, d: f"judged the {one_line(a or '', 40)}",
    EventAction.TYPE: lambda b, a, d: _typed(b, a),
    EventAction.REQUESTER: lambda b, a, d: f"changed the requester {_change(b, a)}",
    EventAction.MAIL: lambda b, a, d: (
        "sent the failed mail again" if a == "retry" else "let the failed mail go"
    ),
}

_DETAIL_SHOWN = {
    EventAction.LINE,
    EventAction.PRIORITY,
    EventAction.STATUS,
    EventAction.COURT,
    EventAction.ASSIGNEE,
    EventAction.FOLLOWUP,
    EventAction.VENDOR,
    EventAction.APPROVAL,
    EventAction.TIME,
    EventAction.RATING,
    EventAction.CHECKLIST_OVERRIDE,
    EventAction.ANSWER,
    EventAction.ESCALATED,
    EventAction.DEESCALATED,
    EventAction.ASKED_FRONT,
    EventAction.ANSWERED_FRONT,
    EventAction.LINK,
}
"""Events whose stored detail is something a person wrote or should read (a reason, a
note); for the others it is bookkeeping the sentence already says."""


def describe(
    actor: str, action: EventAction, before: str | None, after: str | None, detail: str | None
) -> str:
    """The event as one sentence, its actor first ("the console" for the timers)."""
    who = "the console" if actor == SYSTEM_LOGIN else one_line(actor, 40)
    phrase = _PHRASES.get(action, lambda b, a, d: one_line(action.value, 30))(before, after, detail)
    if action in (EventAction.SLA_BREACH, EventAction.FOLLOWUP_DUE, EventAction.NUDGE_DUE):
        sentence = phrase[0].upper() + phrase[1:]
    elif action == EventAction.MESSAGE and after == "customer" and "@" in actor:
        sentence = f"{who} wrote"  # the customer's own mail, not an agent taking it down
    else:
        sentence = f"{who} {phrase}"
    if detail and action in _DETAIL_SHOWN:
        sentence += f": {one_line(detail, 200)}"
    return sentence
