"""One date style on every page and in the PDF."""

from datetime import UTC, date, datetime, timedelta, timezone

from app.dates import day, day_time


def test_dates_and_times_read_the_same_way_everywhere():
    moment = datetime(2026, 12, 3, 3, 17, 59, tzinfo=UTC)
    assert day(moment) == "3 Dec 2026"
    assert day(date(2027, 1, 31)) == day("2027-01-31") == "31 Jan 2027"  # a date input's value too
    assert day_time(moment) == "3 Dec 2026, 03:17 UTC"
    assert day_time(moment, zone=False) == "3 Dec 2026, 03:17"


def test_naive_times_are_utc_and_other_zones_are_converted():
    assert day_time(datetime(2026, 12, 3, 3, 17)) == "3 Dec 2026, 03:17 UTC"  # SQLite hands these back
    east = datetime(2026, 12, 3, 1, 0, tzinfo=timezone(timedelta(hours=2)))
    assert day_time(east) == "2 Dec 2026, 23:00 UTC"


def test_nothing_reads_as_nothing():
    assert day(None) == day("") == day_time(None) == ""
