"""Sentence and line segmentation that survives model names, decimals and abbreviations.

"GPT-4.5", "v2.1", "74.9%" have no space after their dot, so they never split; "e.g.",
"vs.", "et al.", "Fig. 3" are known abbreviations. Line structure matters too: table
rows, list items and headings are units of their own, while a single newline inside a
paragraph (a wrapped abstract) is not a boundary.
"""

from __future__ import annotations

import re

ABBREVIATIONS = frozenset(
    [
        "e.g",
        "i.e",
        "vs",
        "v",
        "etc",
        "al",
        "fig",
        "figs",
        "eq",
        "eqs",
        "approx",
        "dr",
        "mr",
        "ms",
        "mrs",
        "prof",
        "inc",
        "ltd",
        "co",
        "corp",
        "no",
        "nos",
        "cf",
        "resp",
        "sec",
        "secs",
        "tab",
        "incl",
        "ca",
        "est",
        "jr",
        "sr",
        "st",
        "vol",
        "pp",
        "ed",
        "eds",
        "dept",
        "univ",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "mt",
        "u.s",
        "u.k",
        "e.v",
        "w.r.t",
        "a.k.a",
        "ref",
        "refs",
        "app",
    ]
)
_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+(?:[\"'“‘(\[]?[A-Z0-9*#]|[a-z]\d))")
_LIST_ITEM = re.compile(r"^\s*(?:[-*•▪◦]|\d{1,2}[.)])\s+")
_HEADING = re.compile(r"^\s*#{1,6}\s")


def is_table_line(line: str) -> bool:
    """A row of a flattened table: pipes, tabs, or columns aligned with runs of spaces."""
    stripped = line.strip()
    if not stripped:
        return False
    if stripped.count("|") >= 2 or "\t" in stripped:
        return True
    return len(re.findall(r"\S(?: {2,})\S", stripped)) >= 2


def _hard_break(prev: str, line: str) -> bool:
    """Whether the newline between ``prev`` and ``line`` ends a unit."""
    if not prev.strip() or not line.strip():
        return True
    if _LIST_ITEM.match(line) or _HEADING.match(line) or is_table_line(line) or is_table_line(prev):
        return True
    if _HEADING.match(prev) or (_LIST_ITEM.match(prev) and prev.rstrip().endswith((".", "!", "?", ":", ";"))):
        return True
    p = prev.rstrip()
    if p.endswith(":"):
        return True
    if re.search(r"[\d%)]$", p) and line[:1].isupper():
        return True  # a line ending in a figure is a record of its own ("GPQA — On: 76.01")
    # A short line without closing punctuation is a heading or a label, not a wrapped sentence.
    return len(p) < 60 and not p.endswith((".", ",", ";", "-", "(")) and line[:1].isupper()


def _lines(text: str) -> list[tuple[int, int]]:
    """Spans of logical lines: physical lines joined across soft wraps."""
    spans: list[tuple[int, int]] = []
    pos = 0
    physical = []
    for line in text.split("\n"):
        physical.append((pos, pos + len(line)))
        pos += len(line) + 1
    current: tuple[int, int] | None = None
    prev_text = ""
    for start, end in physical:
        line = text[start:end]
        if current is None:
            current = (start, end)
        elif _hard_break(prev_text, line):
            spans.append(current)
            current = (start, end)
        else:
            current = (current[0], end)
        prev_text = line
    if current is not None:
        spans.append(current)
    return [(s, e) for s, e in spans if text[s:e].strip()]


def _is_abbreviation(text: str, dot: int) -> bool:
    word = re.search(r"([A-Za-z][A-Za-z.]*)$", text[:dot])
    if not word:
        return False
    token = word.group(1).rstrip(".").lower()
    if token in ABBREVIATIONS:
        return True
    return len(token) == 1 and text[dot - 1].isupper()  # an initial: "J. Smith"


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Character spans of sentences (and of table rows, list items and headings)."""
    out: list[tuple[int, int]] = []
    for start, end in _lines(text):
        chunk = text[start:end]
        if is_table_line(chunk):
            out.append(_trim(text, start, end))
            continue
        cursor = 0
        for match in _END.finditer(chunk):
            if _is_abbreviation(chunk, match.start()):
                continue
            out.append(_trim(text, start + cursor, start + match.end()))
            cursor = match.end()
        if chunk[cursor:].strip():
            out.append(_trim(text, start + cursor, end))
    return [s for s in out if s[1] > s[0]]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
