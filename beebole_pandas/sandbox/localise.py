"""Dates, times and numbers written the way an account's settings ask.

settings.mdx ("Localization"): the decimal format, the thousands separator,
the time format (12- or 24-hour clock) and the date format apply "in the
interface, reports, and exports"; the list separator is the one "used in the
files that you export". The settings themselves are in :mod:`.accounts`.

With the default settings (ISO dates, 24 h) a date-time keeps the API's own
form ``YYYY-MM-DD HH:MM:SS`` (api.mdx, "Request"), as the sandbox always
wrote it; other settings give ``DD/MM/YYYY HH:MM`` or ``MM/DD/YYYY h:MM AM``.

>>> us = {"date_format": "MM/DD/YYYY", "time_format": "12h", "decimal_separator": ".",
...       "thousands_separator": ","}
>>> format_date("2026-03-01", us), format_datetime("2026-03-01 14:05:00", us)
('03/01/2026', '03/01/2026 2:05 PM')
>>> format_number(1234.5, us)
'1,234.500'
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .accounts import DATE_FORMATS

__all__ = ["format_date", "format_datetime", "format_number", "format_time", "is_default"]


def is_default(settings: dict[str, Any]) -> bool:
    """True for ISO dates on a 24-hour clock: date-times keep the API's own form."""
    return settings.get("date_format", "YYYY-MM-DD") == "YYYY-MM-DD" and (
        settings.get("time_format", "24h") == "24h"
    )


def format_date(value: str | None, settings: dict[str, Any]) -> str | None:
    """An ISO date ``YYYY-MM-DD`` in the account's date format (None stays None)."""
    if not value:
        return value
    pattern = DATE_FORMATS.get(settings.get("date_format", "YYYY-MM-DD"), "%Y-%m-%d")
    return dt.date.fromisoformat(value[:10]).strftime(pattern)


def format_time(value: dt.time, settings: dict[str, Any]) -> str:
    """A time of day on the account's clock: ``14:05`` or ``2:05 PM``."""
    if settings.get("time_format") == "12h":
        hour = value.hour % 12 or 12
        return f"{hour}:{value.minute:02d} {'AM' if value.hour < 12 else 'PM'}"
    return f"{value.hour:02d}:{value.minute:02d}"


def format_datetime(value: str | None, settings: dict[str, Any]) -> str | None:
    """A date-time ``YYYY-MM-DD HH:MM:SS`` in the account's date and time formats."""
    if not value:
        return value
    if is_default(settings):
        return value
    moment = dt.datetime.fromisoformat(value)
    return f"{format_date(value, settings)} {format_time(moment.time(), settings)}"


def format_number(value: float, settings: dict[str, Any], decimals: int = 3) -> str:
    """A number with the account's decimal and thousands separators (3 decimals, as
    the reference's example ``"7,000"`` shows, time-export.mdx)."""
    text = f"{value:,.{decimals}f}"  # "," groups thousands, "." marks decimals: then swap them
    thousands = settings.get("thousands_separator", "")
    decimal = settings.get("decimal_separator", ".")
    return text.replace(",", "\0").replace(".", decimal).replace("\0", thousands)
