"""Calendar periods in the company's time zone."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """1 January of ``year`` and of the next, as aware datetimes (an interval [start, end))."""
    tz = timezone.get_current_timezone()
    return datetime(year, 1, 1, tzinfo=tz), datetime(year + 1, 1, 1, tzinfo=tz)
