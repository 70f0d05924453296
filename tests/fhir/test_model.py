"""The typed R4 elements: dateTimes as FHIR defines them, and the calendar day a date names."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from sijpath.fhir.model import Period, Quantity, calendar_date


@pytest.mark.parametrize(
    "text",
    [
        "2025",
        "2025-03",
        "2025-03-04",
        "2024-02-29",
        "2025-03-04T09:15:00-05:00",
        "2025-03-04T14:45:00Z",
        "2025-03-04T14:45:00.123456789+14:00",
    ],
)
def test_a_fhir_date_time_is_accepted(text: str) -> None:
    assert Period(start=text).start == text


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2025-03-04T09:15:00", "has a time but no time zone"),
        ("2025/03/04", "is not a FHIR dateTime"),
        ("04-03-2025", "is not a FHIR dateTime"),
        ("2025-02-29", "is not a day and time that exists"),
        ("2025-00", "is not a day and time that exists"),
        ("2025-03-04T24:00:00Z", "is not a day and time that exists"),
        ("2025-03-04T09:15:00+25:00", "is not a day and time that exists"),
    ],
)
def test_a_date_time_fhir_would_not_accept_is_refused_saying_why(text: str, reason: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Period(start=text)
    assert f"{text!r} {reason}" in str(caught.value)


def test_a_number_is_not_taken_for_text_or_text_for_a_number() -> None:
    with pytest.raises(ValidationError, match="valid string"):
        Period(start=20250304)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="valid number"):
        Quantity(value="8")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2025-03-04", dt.date(2025, 3, 4)),
        # The day as written in its own zone: 23:30 in New York is already the 5th in UTC, still the 4th there.
        ("2025-03-04T23:30:00-05:00", dt.date(2025, 3, 4)),
        ("2025-03-05T00:30:00+09:00", dt.date(2025, 3, 5)),
        ("2025-03", None),
        ("2025", None),
    ],
)
def test_calendar_date_is_the_day_as_written_or_none_when_only_a_year_or_month(text: str, day: dt.date | None) -> None:
    assert calendar_date(text) == day


@given(st.dates(dt.date(1900, 1, 1), dt.date(2199, 12, 31)), st.times(), st.sampled_from(["Z", "+05:30", "-10:00"]))
def test_every_real_zoned_date_time_is_accepted_and_keeps_its_day(day: dt.date, time: dt.time, zone: str) -> None:
    text = f"{day.isoformat()}T{time.isoformat(timespec='seconds')}{zone}"
    assert Period(start=text).start == text
    assert calendar_date(text) == day
