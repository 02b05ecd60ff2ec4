"""Phone numbers as callers give them ("+380 44 123-45-67", "(044) 123 45 67") and as the
desk keeps and finds them: "+" and digits only."""

from __future__ import annotations

import re

_PHONE = re.compile(r"^\+?[0-9(][0-9 ()./-]{4,30}$")


def phone_key(text: str) -> str:
    """A phone number as it is stored and looked up: "+" and digits only."""
    digits = re.sub(r"[^0-9]", "", text)
    return ("+" if text.strip().startswith("+") else "") + digits


def looks_like_phone(text: str) -> bool:
    return bool(_PHONE.match(text.strip())) and len(re.sub(r"[^0-9]", "", text)) >= 5
