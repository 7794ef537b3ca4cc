"""Understanding "mañana a las 10", "el viernes por la tarde", "tomorrow at 3pm".

dateparser alone misses much colloquial Spanish ("el viernes", "pasado mañana", "por la
tarde"), so the part of day, the time and the relative days are read here first and only the
rest (e.g. "5 de diciembre", "december 5") goes to dateparser. Pure: `now` is given.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

PERIOD_HOURS = {"morning": (0, 14), "afternoon": (14, 21), "evening": (18, 24)}

_PERIODS = [
    (r"\b(esta|hoy por la) tarde\b|\bthis afternoon\b", "afternoon", 0),
    (r"\b(esta noche)\b|\btonight\b|\bthis evening\b", "evening", 0),
    (r"\besta manana\b|\bthis morning\b", "morning", 0),
    (r"\b(por|de|en) la manana\b|\bin the morning\b|\bmorning\b", "morning", None),
    (r"\b(por|de|en) la tarde\b|\bin the afternoon\b|\bafternoon\b", "afternoon", None),
    (r"\b(por|de|en) la noche\b|\bin the evening\b|\bevening\b", "evening", None),
]
_RELATIVE = [
    (r"\bpasado manana\b|\b(the )?day after tomorrow\b", 2),
    (r"\bmanana\b|\btomorrow\b", 1),
    (r"\bhoy\b|\btoday\b", 0),
]
_WEEKDAYS = {
    "lunes": 0, "martes": 1, "miercoles": 2, "jueves": 3, "viernes": 4, "sabado": 5, "domingo": 6,
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
    "mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6,
}  # fmt: skip
_TIMES = [
    # "a las 10", "a la 1", "a las 16:30", "at 3", "at 3:30pm"
    r"\b(?:a las?|at|sobre las?|hacia las?)\s+(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.|h|horas)?(?![\d/])",
    # "3pm", "10 am", "16h"
    r"\b(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.|h)\b",
    # "10:30", "16.00"
    r"\b(\d{1,2})[:.](\d{2})()\b",
]
_FILLERS = {
    "el",
    "la",
    "para",
    "dia",
    "proximo",
    "este",
    "on",
    "the",
    "for",
    "day",
    "next",
    "this",
    "a",
    "at",
}
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


@dataclass(frozen=True)
class When:
    day: dt.date | None = None
    at: dt.time | None = None
    period: str | None = None  # morning / afternoon / evening

    @property
    def empty(self) -> bool:
        return self.day is None and self.at is None and self.period is None


def normalize(text: str) -> str:
    """Lower case, no accents, single spaces: 'Mañana  A las 10' → 'manana a las 10'."""
    stripped = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(stripped.lower().split())


def parse_time(text: str, period: str | None = None) -> tuple[dt.time | None, str]:
    """The first time of day in `text` (normalized) and the text without it."""
    for pattern in _TIMES:
        match = re.search(pattern, text)
        if not match:
            continue
        hour, minute, suffix = int(match.group(1)), int(match.group(2) or 0), (match.group(3) or "")
        suffix = suffix.replace(".", "")
        if hour > 23 or minute > 59:
            continue
        if suffix == "pm" and hour < 12:
            hour += 12
        elif suffix == "am" and hour == 12:
            hour = 0
        elif (
            suffix not in ("am", "pm")
            and hour < 12
            and (period in ("afternoon", "evening") or 1 <= hour <= 7)
        ):
            hour += 12  # "a las 5" in a shop means the afternoon
        return dt.time(hour, minute), (text[: match.start()] + " " + text[match.end() :]).strip()
    return None, text


def parse_when(text: str, locale: str, now: dt.datetime) -> When:
    """Read a day, a time and a part of day from a visitor's message (in the tenant's time zone)."""
    rest = normalize(text)
    today = now.date()
    day, period = None, None
    for pattern, name, offset in _PERIODS:
        match = re.search(pattern, rest)
        if match:
            period = name
            if offset is not None:
                day = today + dt.timedelta(days=offset)
            rest = (rest[: match.start()] + " " + rest[match.end() :]).strip()
            break
    iso = _ISO_DATE.search(rest)
    if iso:
        try:
            day = dt.date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        except ValueError:
            day = None
        rest = _ISO_DATE.sub(" ", rest).strip()
    at, rest = parse_time(rest, period)
    if day is None:
        for pattern, offset in _RELATIVE:
            if re.search(pattern, rest):
                day = today + dt.timedelta(days=offset)
                rest = re.sub(pattern, " ", rest).strip()
                break
    if day is None:
        for word in re.findall(r"[a-z]+", rest):
            if word in _WEEKDAYS:
                ahead = (_WEEKDAYS[word] - today.weekday()) % 7 or 7
                day = today + dt.timedelta(days=ahead)
                break
    if day is None and re.search(r"\d", rest):
        words = [w for w in rest.split() if w not in _FILLERS]
        day = _dateparser_day(" ".join(words), locale, now)
    return When(day=day, at=at, period=period)


def _dateparser_day(text: str, locale: str, now: dt.datetime) -> dt.date | None:
    import dateparser

    settings = {
        "PREFER_DATES_FROM": "future",
        "RELATIVE_BASE": now.replace(tzinfo=None),
        "DATE_ORDER": "MDY" if locale == "en" else "DMY",
        "REQUIRE_PARTS": ["day"],
    }
    parsed = dateparser.parse(text, languages=[locale, "en"] if locale != "en" else ["en"], settings=settings)
    return parsed.date() if parsed else None


# ── saying dates back, in the visitor's language ─────────────────────────────────────────────

_DAY_NAMES = {
    "es": ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_MONTHS = {
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
           "octubre", "noviembre", "diciembre"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"),
}  # fmt: skip


def say_day(day: dt.date, locale: str) -> str:
    name = _DAY_NAMES[locale][day.weekday()]
    month = _MONTHS[locale][day.month - 1]
    return f"{name} {day.day} de {month}" if locale == "es" else f"{name}, {month} {day.day}"


def short_day(day: dt.date, locale: str) -> str:
    return f"{_DAY_NAMES[locale][day.weekday()][:3]} {day.day}/{day.month}"
