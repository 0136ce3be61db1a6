"""CSV records with their place in the file: first line number and character offsets.

A record may span lines (a quoted cell with line breaks); its evidence is the record's raw
text exactly as it stands in the file (without surrounding whitespace), so ``text[start:end] == raw``.
"""

from __future__ import annotations

import csv
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from ingest.errors import InputFileError

_LINES = re.compile(r"[^\n]*\n|[^\n]+\Z")


@dataclass(frozen=True)
class Record:
    line: int
    start: int
    end: int
    cells: list[str]

    def raw(self, text: str) -> str:
        return text[self.start : self.end]


def csv_records(text: str, source: str) -> Iterator[Record]:
    """Every non-blank record of ``text``, header included, with its first line (1-based) and offsets."""
    lines = _LINES.findall(text)
    starts = list(itertools.accumulate((len(line) for line in lines), initial=0))
    reader = csv.reader(iter(lines), strict=True)
    consumed = 0
    try:
        for cells in reader:
            first, consumed = consumed, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            raw = text[starts[first] : starts[consumed]]
            start = starts[first] + len(raw) - len(raw.lstrip())
            yield Record(first + 1, start, starts[first] + len(raw.rstrip()), cells)
    except csv.Error as e:
        raise InputFileError(f"{source}:{consumed + 1}: malformed CSV (nothing imported from this file): {e}") from e
