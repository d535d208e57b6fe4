"""Dates as people in England and Wales write them (DD/MM/YYYY), stored as ISO dates.

The store keeps ``YYYY-MM-DD``; what an inspector types and reads is the UK form.
``parse_date`` accepts both (and the usual UK variants), and says plainly why it could
not read a date.
"""

from __future__ import annotations

import re
from datetime import date, datetime

UK_FORMAT = "DD/MM/YYYY"
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DAY_FIRST = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$")
_WORDS = ("%d %b %Y", "%d %B %Y")


class DateProblem(ValueError):
    """Why a text is not a date, in words for the person who typed it."""


def parse_date(text: str) -> date:
    """A date from ``DD/MM/YYYY`` (also ``D/M/YY``, with ``-`` or ``.``), ``YYYY-MM-DD`` or
    ``12 July 2019``. Two-digit years are 20YY. Raises DateProblem saying why not."""
    text = text.strip()
    if not text:
        raise DateProblem("no date given")
    iso = _ISO.match(text)
    uk = _DAY_FIRST.match(text)
    if iso:
        year, month, day = (int(g) for g in iso.groups())
    elif uk:
        day, month = int(uk.group(1)), int(uk.group(2))
        year = int(uk.group(3))
        if len(uk.group(3)) == 2:
            year += 2000
    else:
        for fmt in _WORDS:
            try:
                return datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        raise DateProblem(f"“{text}” is not a date: write it as {UK_FORMAT}, e.g. 12/07/2019")
    if not 1 <= month <= 12:
        raise DateProblem(f"“{text}”: there is no month {month} (write {UK_FORMAT})")
    try:
        return date(year, month, day)
    except ValueError:
        raise DateProblem(f"“{text}”: {month:02d}/{year} has no day {day}") from None


def to_iso(text: str) -> str:
    """The ISO form of a typed date (see ``parse_date``)."""
    return parse_date(text).isoformat()


def uk(value: date | str | None) -> str:
    """A date (or an ISO date text) as DD/MM/YYYY; text that is not an ISO date unchanged."""
    if value is None:
        return ""
    if isinstance(value, str):
        try:
            day = date.fromisoformat(value[:10])
        except ValueError:
            return value
        return day.strftime("%d/%m/%Y")
    return value.strftime("%d/%m/%Y")


def uk_moment(stamp: str | None) -> str:
    """An ISO timestamp as local DD/MM/YYYY HH:MM ('' for none)."""
    if not stamp:
        return ""
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return moment.strftime("%d/%m/%Y %H:%M")
