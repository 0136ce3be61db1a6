"""Quantities and the filters that say which numbers are not scores.

Recognised: percentages (with ± errors), durations ("2 hours 15 minutes" -> 135 minutes),
multipliers ("2.1x"), money, Elo/ratings and bare decimals. Each quantity that is not a
score carries the reason: a count ("500 tasks"), a price, a parameter or token count, a
date, a relative delta ("improves by 12%"), a share ("90% of our code"), a human baseline,
a reference ("Table 3"), a pass@k index, or a range.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import yaml

PATTERNS = Path(__file__).with_name("patterns")

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_ERR = r"(?:\s*(?:±|\+/-|\+-|\u00b1)\s*(?P<{name}>\d+(?:\.\d+)?))?"
_PERR = _ERR.format(name="perr")
_BERR = _ERR.format(name="berr")
_MASTER = re.compile(
    rf"(?P<range>(?P<lo>{_NUM})\s*%?\s*(?:–|—|-(?=\d))\s*(?P<hi>{_NUM})\s*%)"
    rf"|(?P<dur>(?P<h>\d+(?:\.\d+)?)\s*(?:hours?|hrs?|h)\b(?:,?\s*(?:and\s+)?(?P<hm>\d+)\s*(?:minutes?|mins?|m)\b)?"
    rf"|(?P<m>\d+(?:\.\d+)?)\s*(?:minutes?|mins?)\b"
    rf"|(?P<wk>\d+(?:\.\d+)?)\s*work[- ]?weeks?\b)"
    rf"|(?P<money>\$\s?(?P<usd>{_NUM})(?:\s*(?P<mult>[KkMmBb]\b|thousand|million|billion))?)"
    rf"|(?P<pct>(?P<pn>{_NUM}){_PERR}\s*(?:%|\s?percent\b|\s?per cent\b)"
    r"(?:\s*(?:±|\+/-|\u00b1)\s*(?P<perr2>\d+(?:\.\d+)?)\s*%?)?)"
    rf"|(?P<mul>(?P<xn>\d+(?:\.\d+)?)\s?[x×](?![A-Za-z0-9]))"
    rf"|(?P<bare>(?<![\w.@$/^])(?P<bn>{_NUM}){_BERR}(?![\w%]|\.\d|\s?[x×](?![A-Za-z0-9])))"
)


@dataclass(frozen=True)
class Quantity:
    start: int
    end: int
    text: str
    value: float
    unit: str | None  # "%", "minutes", "x", "$", "elo" or None for a bare number
    kind: str  # percent | duration | multiplier | money | bare | range
    error: float | None = None
    approx: bool = False
    blocked: str | None = None  # why this is not a score, or None

    @property
    def is_candidate(self) -> bool:
        return self.blocked is None


@cache
def _cues() -> dict[str, list[str]]:
    data: dict[str, list[str]] = yaml.safe_load((PATTERNS / "quantities.yaml").read_text(encoding="utf-8"))
    return data


@cache
def _cue(name: str) -> re.Pattern[str]:
    words = sorted(_cues()[name], key=len, reverse=True)
    return re.compile(r"(?:" + "|".join(words) + r")", re.I)


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def find_quantities(text: str, skip: list[tuple[int, int]]) -> list[Quantity]:
    """Every quantity in ``text`` outside the ``skip`` spans (names such as GPT-4.5 or AIME 2024)."""
    out: list[Quantity] = []
    for m in _MASTER.finditer(text):
        if any(s < m.end() and m.start() < e for s, e in skip):
            continue
        q = _build(m)
        if q is None:
            continue
        out.append(_classify(text, q))
    return out


def _build(m: re.Match[str]) -> Quantity | None:
    s, e, t = m.start(), m.end(), m.group()
    if m.group("range"):
        return Quantity(s, e, t, _number(m.group("hi")), "%", "range", blocked="a range, not one score")
    if m.group("dur"):
        if m.group("h"):
            minutes = float(m.group("h")) * 60 + float(m.group("hm") or 0)
        elif m.group("m"):
            minutes = float(m.group("m"))
        else:
            minutes = float(m.group("wk")) * 40 * 60
        return Quantity(s, e, t, round(minutes, 4), "minutes", "duration")
    if m.group("money"):
        scale = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "b": 1e9, "billion": 1e9}
        mult = scale.get((m.group("mult") or "").lower(), 1.0)
        return Quantity(s, e, t, _number(m.group("usd")) * mult, "$", "money")
    if m.group("pct"):
        raw_err = m.group("perr") or m.group("perr2")
        err = float(raw_err) if raw_err else None
        return Quantity(s, e, t, _number(m.group("pn")), "%", "percent", error=err)
    if m.group("mul"):
        return Quantity(s, e, t, float(m.group("xn")), "x", "multiplier")
    if m.group("bare"):
        err = float(m.group("berr")) if m.group("berr") else None
        return Quantity(s, e, t, _number(m.group("bn")), None, "bare", error=err)
    return None


def _before(text: str, q: Quantity, chars: int = 40) -> str:
    return text[max(0, q.start - chars) : q.start]


def _after(text: str, q: Quantity, chars: int = 40) -> str:
    return text[q.end : q.end + chars]


def _classify(text: str, q: Quantity) -> Quantity:
    before, after = _before(text, q), _after(text, q)
    approx = bool(re.search(_cue("approx").pattern + r"\W*$", before, re.I))
    q = replace(q, approx=approx)
    reason = _blocked(text, q, before, after)
    return replace(q, blocked=reason) if reason else q


def _blocked(text: str, q: Quantity, before: str, after: str) -> str | None:
    if q.blocked:
        return q.blocked
    if re.search(r"(?:±|\+/-|\+-)\s*$", before):
        return "an error bar"
    if re.search(r"(?:@|pass@|maj@|cons@|top-|k\s*=\s*|n\s*=\s*|#)\s*$", before, re.I):
        return "an index (pass@k, n=, #)"
    if re.search(
        r"\b(?:table|tab|figure|fig|section|sec|appendix|eq|equation|chapter|step|level|tier|version|division|div|rank|no|v)\.?\s*$",
        before,
        re.I,
    ):
        return "a reference or label number"
    if re.search(r"^\s*(?:th|st|nd|rd)\b", after) or re.search(r"^\s*(?:percentile|pct\.? ?ile)", after, re.I):
        return "a rank or percentile"
    if q.kind == "money":
        if re.match(
            r"\s*(?:/|per)\s*(?:1M|million|M|1K|thousand|k)?\s*(?:input|output)?\s*tokens?", after, re.I
        ) or re.match(r"\s*(?:/|per)\s*(?:month|year|hour|user|seat)", after, re.I):
            return "a price"
        if re.match(r"\s*(?:in|of)\s+(?:funding|revenue|investment|compute)", after, re.I):
            return "an amount of money, not a score"
    if q.kind == "bare" and re.search(r"(?:^|\n)\s*$", before) and re.match(r"[.)]\s", after):
        return "a list number"
    if q.kind == "bare":
        if (
            re.fullmatch(r"(?:19[5-9]\d|20[0-4]\d)", q.text.strip())
            and q.error is None
            and not re.search(r"(?:rating|elo|score|['’]s)\W*(?:of\s+|at\s+|is\s+)?$", before, re.I)
        ):
            return "a year"
        if re.match(r"\s*(?:[KkMmBbTt]\b|k\b|billion|million|thousand|trillion)", after):
            return "a count (K/M/B)"
        rest = re.sub(
            r"^\s*(?:new|more|additional|total|unique|distinct|real|different|separate|public|private|"
            r"held-out|novel|hard|easy|human|expert|open|closed|recent)\s+",
            "",
            after,
            flags=re.I,
        )
        if re.search(r"\d\s*[–-]\s*$", before) or re.match(r"\s*[–-]\s*\d", after):
            return "a range or span, not one score"
        later = re.match(r"\s*(?:[A-Za-z0-9\-]+\s+){1,4}", rest)
        if "." not in q.text and later and _cue("count_nouns").match(rest[later.end() :]):
            return "a count, not a score"
        if "." not in q.text and re.search(r"\bin\s+$", before) and re.match(r"\s*(?:[,;.)]|of\b|out\b)", after):
            return "a count, not a score"
        if _cue("count_nouns").match(rest.strip()) or re.match(r"\s*-\s*(?:shot|way|step|token|hop)", after, re.I):
            return "a count, not a score"
        if re.search(r"\b(?:" + "|".join(_cues()["months"]) + r")\.?\s*$", before) or re.match(
            r"\s*(?:" + "|".join(_cues()["months"]) + r")\b", after
        ):
            return "a date"
        if re.match(r"\s*/\s*\d", after) or re.search(r"\d\s*/\s*$", before):
            return "a fraction or date"
        if re.search(r"\[\s*$", before) and re.match(r"\s*[\],]", after):
            return "a citation"
    if q.kind == "bare" and re.match(r"\s*(?:percentage\s+points?|pp|points?|pts)\b", after, re.I):
        rest = re.sub(r"^\s*(?:percentage\s+points?|pp|points?|pts)\b", "", after, flags=re.I).strip()
        if _cue("delta_after").match(rest) or re.search(r"\b(?:by|\+)\s*$", before, re.I):
            return "a change in points"
    if q.kind in ("percent", "bare"):
        if re.search(
            r"(?:\bby|\+|\bgain of|\bincrease of|\bimprovement of|\bboost of|\bmargin of|\blift of|"
            r"\breduction of|\bdrop of|\bjump of|\bup|\bdown|\bdelta of)\s*(?:about |around |nearly |roughly |~)?$",
            before,
            re.I,
        ):
            return "a relative change, not an absolute score"
        if _cue("delta_after").match(after.strip()):
            return "a relative change, not an absolute score"
    if q.kind == "percent":
        if re.match(
            r"\s*of\s+(?:the\s+|our\s+|its\s+|all\s+|new\s+|their\s+)?" + _cue("share_nouns").pattern, after, re.I
        ):
            return "a share of something, not a benchmark score"
        if re.match(r"\s*(?:percentage\s+)?points?\b", after, re.I) and q.unit == "%":
            return "a change in points"
        if q.value > 100:
            return "a percentage above 100"
    if re.search(
        r"\b(?:exceed\w*|surpass\w*|pass(?:es|ed|ing)?|cross\w*|break\w*|broke|top(?:s|ped|ping)?|"
        r"clear(?:s|ed|ing)?|above|beyond|below|past)\s+(?:the\s+|a\s+)?$",
        before,
        re.I,
    ):
        return "a threshold, not a score"
    if re.search(r"\b(?:possible|maximum|max\.?|out\s+of|total\s+of)\s*$", before, re.I):
        return "a maximum, not a score"
    if re.search(r"(?:\bCI\b|confidence\s+interval|\binterval\b|\bbetween\b)[^.;)]{0,40}$", before, re.I):
        return "a confidence bound"
    if _human_baseline(_before(text, q, 90), after):
        return "a human baseline"
    return None


def _human_baseline(before: str, after: str) -> bool:
    human = _cue("human")
    window_before = re.split(r"[;.]|\bwhile\b|\bwhereas\b|\bbut\b", before)[-1]
    tail = re.split(r"[;.,]", after)[0]
    return bool(
        re.search(human.pattern + r"[\w\s'’-]{0,70}$", window_before, re.I)
        or re.match(
            r"\s*(?:\)?\s*(?:for|by|from|of|among)\s+(?:the\s+|a\s+|typical\s+|average\s+|skilled\s+)?)"
            + human.pattern,
            tail,
            re.I,
        )
    )
