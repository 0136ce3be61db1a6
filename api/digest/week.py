"""ISO weeks: the unit of the digest (Monday 00:00 UTC to Sunday 24:00 UTC)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

_PATTERN = re.compile(r"(\d{4})-?W(\d{2})", re.IGNORECASE)


class DigestError(Exception):
    """Root of every error raised by the digest package."""


class InvalidWeekError(DigestError):
    """A week is malformed or does not exist; the message names the input."""


def weeks_in(year: int) -> int:
    """52 or 53: the number of ISO weeks of ``year`` (28 December is always in the last week)."""
    return date(year, 12, 28).isocalendar().week


@dataclass(frozen=True, order=True)
class IsoWeek:
    """One ISO 8601 week, e.g. 2026-W48."""

    year: int
    week: int

    def __post_init__(self) -> None:
        if not 1 <= self.year <= 9998:
            raise InvalidWeekError(f"year {self.year} is out of range (1–9998)")
        if not 1 <= self.week <= weeks_in(self.year):
            raise InvalidWeekError(f"{self.year} has no ISO week {self.week} (it has {weeks_in(self.year)})")

    @classmethod
    def parse(cls, text: str) -> IsoWeek:
        """``2026-W48`` or ``2026W48``; errors name the input and say what is expected."""
        raw = text.strip()
        match = _PATTERN.fullmatch(raw)
        if match is None:
            raise InvalidWeekError(f"{text!r} is not an ISO week: expected YYYY-Www, e.g. 2026-W48")
        year, week = int(match.group(1)), int(match.group(2))
        if year < 1 or year > 9998:
            raise InvalidWeekError(f"{text!r} is not an ISO week: year {year} is out of range (0001–9998)")
        if not 1 <= week <= 53:
            raise InvalidWeekError(f"{text!r} is not an ISO week: weeks are numbered 01 to 53")
        if week > weeks_in(year):
            raise InvalidWeekError(f"{text!r} is not an ISO week: {year} has {weeks_in(year)} ISO weeks, not 53")
        return cls(year, week)

    @classmethod
    def containing(cls, day: date) -> IsoWeek:
        """The week a day falls in."""
        iso = day.isocalendar()
        return cls(iso.year, iso.week)

    @property
    def label(self) -> str:
        return f"{self.year:04d}-W{self.week:02d}"

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    @property
    def sunday(self) -> date:
        """The last day; as an ``as_of`` it means the end of the week (stores read a date as its last instant)."""
        return self.monday + timedelta(days=6)

    @property
    def start(self) -> datetime:
        """Monday 00:00 UTC (inclusive)."""
        return datetime.combine(self.monday, time.min, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        """The next Monday 00:00 UTC (exclusive)."""
        return self.start + timedelta(days=7)

    def previous(self) -> IsoWeek:
        return IsoWeek.containing(self.monday - timedelta(days=7))

    def next(self) -> IsoWeek:
        return IsoWeek.containing(self.monday + timedelta(days=7))

    def __str__(self) -> str:
        return self.label


def utc_today() -> date:
    """Today in UTC (digest weeks are UTC weeks); only delivery code asks, never the digest's content."""
    return datetime.now(UTC).date()


def check_started(week: IsoWeek, today: date) -> IsoWeek:
    """The week, unless it starts after ``today`` (a digest of the future would only say "nothing yet")."""
    if week.monday > today:
        raise InvalidWeekError(f"{week.label} has not started yet (today is {today.isoformat()}, UTC)")
    return week


def as_week(value: IsoWeek | str) -> IsoWeek:
    """An :class:`IsoWeek` from itself or its text."""
    return value if isinstance(value, IsoWeek) else IsoWeek.parse(value)
