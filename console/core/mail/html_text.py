"""HTML mail as plain text: what an HTML-only message says, readable on a terminal.

Many mail programs send only HTML. The console shows text, never markup: this walks the HTML
with the standard library's tolerant parser, keeps the words, turns blocks, line breaks and
list items into lines, writes a link's address after its text when they differ, and drops
what is never read (scripts, styles, the head, comments). Entities are decoded. A converter
from a library would add a dependency (most bring lxml) for little more than this."""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCKS = frozenset(
    "address article aside blockquote center dd details div dl dt fieldset figcaption figure "
    "footer form h1 h2 h3 h4 h5 h6 header hr main nav ol p pre section summary table tbody "
    "tfoot thead tr ul".split()
)
_SKIPPED = frozenset({"script", "style", "head", "title", "template", "noscript", "svg"})
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_BLANK_LINES = re.compile(r"\n{3,}")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.pre = 0
        self.links: list[str | None] = []
        self.link_text: list[list[str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self.skipping += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in ("td", "th"):
            self.parts.append("  ")
        elif tag in _BLOCKS:
            self.parts.append("\n")
            if tag == "pre":
                self.pre += 1
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt and alt.strip():
                self.parts.append(f"[{alt.strip()}]")
        if tag == "a":
            self.links.append(dict(attrs).get("href"))
            self.link_text.append([])

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _SKIPPED and tag != "a":
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n")
            if tag == "pre":
                self.pre = max(0, self.pre - 1)
        elif tag == "a" and self.links:
            href = self.links.pop()
            said = "".join(self.link_text.pop()).strip()
            if href and href.startswith(("http://", "https://")) and href != said:
                self.parts.append(f" ({href})" if said else href)

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        if not self.pre:
            data = _SPACES.sub(" ", data.replace("\n", " "))
        self.parts.append(data)
        for text in self.link_text:
            text.append(data)


def html_to_text(html: str) -> str:
    """The readable text of an HTML document or fragment, one paragraph per block."""
    parser = _Text()
    try:
        parser.feed(html)
        parser.close()
    except AssertionError:  # the parser gives up on some broken markup: keep what it read
        pass
    lines = [line.strip() for line in "".join(parser.parts).split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
