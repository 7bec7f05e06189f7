"""Dates and times as every page and the PDF show them: "3 Dec 2026" and "3 Dec 2026, 03:18 UTC".

One style everywhere (Jinja filters `day` and `day_time`); machine-readable values stay in each
`<time datetime>` attribute.
"""

from datetime import UTC, date, datetime

DAY = "%-d %b %Y"
DAY_TIME = "%-d %b %Y, %H:%M UTC"


def _utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; the app stores UTC only.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def day(value: date | datetime | str | None) -> str:
    """'3 Dec 2026'; also takes an ISO date as a date input holds it ('2026-12-03'); '' for nothing."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = _utc(value)
    return value.strftime(DAY)


def day_time(value: datetime | None, zone: bool = True) -> str:
    """'3 Dec 2026, 03:18 UTC'; without the zone where a column heading says it once."""
    if not value:
        return ""
    text = _utc(value).strftime(DAY_TIME)
    return text if zone else text.removesuffix(" UTC")


FILTERS = {"day": day, "day_time": day_time}
