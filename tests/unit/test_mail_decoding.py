"""The fast readings of plain headers agree with the `email` package's modern parser."""

from __future__ import annotations

from email import message_from_string, policy

from hypothesis import given, settings
from hypothesis import strategies as st

from console.core.mail.decoding import _plain_addresses, addresses, header

_ATOM = st.text(alphabet="abcXYZ019!#$%&'*+/=?^_`{|}~-", min_size=1, max_size=8)
_DOMAIN = st.lists(st.text(alphabet="abz09-", min_size=1, max_size=6), min_size=2, max_size=3)
_ADDRESS = st.builds(
    lambda local, labels: f"{local}@{'.'.join(labels)}",
    st.lists(_ATOM, min_size=1, max_size=2).map(".".join),
    _DOMAIN,
)
_NAME_TEXT = st.text(alphabet=" abcXYZ.,;:()<>@\\\"'!#-_é\t", max_size=12)
_ONE = st.one_of(
    _ADDRESS,
    st.builds(lambda n, a: f"{n} <{a}>", _NAME_TEXT, _ADDRESS),
    st.builds(lambda n, a: f'"{n}" <{a}>', _NAME_TEXT, _ADDRESS),
    st.builds(lambda n, a: f"{n}<{a}>", _NAME_TEXT, _ADDRESS),
    _NAME_TEXT,
)
_HEADER = st.lists(_ONE, min_size=1, max_size=3).map(", ".join)


def _modern(value: str) -> list[tuple[str, str | None]]:
    parsed = policy.default.header_fetch_parse("To", value)
    return [
        (a.addr_spec.lower(), " ".join(a.display_name.split()) or None)
        for a in getattr(parsed, "addresses", ())
        if a.addr_spec and "@" in a.addr_spec
    ]


@settings(max_examples=500)
@given(_HEADER)
def test_a_plain_address_header_reads_as_the_modern_parser_reads_it(value: str) -> None:
    fast = _plain_addresses(value)
    if fast is not None:  # not plain: the modern parser reads it
        assert fast == _modern(value)


def test_the_usual_shapes_are_plain() -> None:
    assert _plain_addresses('"Smith, Ann" <Ann@Example.com>') == [("ann@example.com", "Smith, Ann")]
    assert _plain_addresses("Ann Smith <ann@example.com>, bob@example.org") == [
        ("ann@example.com", "Ann Smith"),
        ("bob@example.org", None),
    ]
    assert _plain_addresses("=?utf-8?q?Ann?= <ann@example.com>") is None
    assert _plain_addresses("ann@example.com (Ann)") is None


@given(st.text(alphabet=' abc:=?\t\r\n"<>@,', max_size=30))
def test_a_plain_header_reads_as_the_modern_policy_reads_it(value: str) -> None:
    folded = value.replace("\r\n", "\r\n ").replace("\n", "\n ").replace("\r", " ")
    msg = message_from_string(f"Subject: {folded}\nTo: {folded}\n\nbody", policy=policy.compat32)
    raw = msg.get("subject", "")
    if "=?" not in raw:
        modern = str(policy.default.header_fetch_parse("Subject", raw))
        assert " ".join(header(msg, "subject").split()) == " ".join(modern.split())
    addresses(msg, "to")  # never raises, whatever the header holds
