"""The result of an export job as text (CSV) or as an array, in the account's formats.

CSV: labels, numbers, dates, times and the field separator follow the
account's settings (:mod:`.accounts`, :mod:`.localise`; ``admin_fr``:
``"7,000"``, as in the reference's example); booleans are ``true``/``false``.
Array: labels first, then typed rows with localised dates (the sandbox's
choice, ``../shared/beebole-api/README.md``); literal mode: the CSV's text cells.

A date-time key holding a date alone (the quota period's ``stime``/``etime``)
is written as a date; ``fromTo`` (``"YYYY-MM-DD - YYYY-MM-DD"``) has both of
its dates localised.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from ..export_keys import MEASURES
from .accounts import default_settings
from .export_labels import labels
from .localise import format_date, format_datetime, format_number

__all__ = [
    "BOOL_DIMENSIONS",
    "NUMERIC_DIMENSIONS",
    "PERIOD_SEPARATOR",
    "ROW_MEASURES",
    "format_array",
    "format_csv",
]

#: Dimensions whose values are numbers (shown with decimals in the CSV).
NUMERIC_DIMENSIONS = frozenset({"budget"})
#: What the sandbox computes per row (reporting.mdx): the shared measures, but
#: ``billableSplit`` is a text ("billable"/"non-billable") and the rates are averages for
#: the row ("Hourly Cost: the average cost per hour for a row"), not grouping keys, and
#: ``billability`` is the billable utilisation % of the row's people.
ROW_MEASURES = (MEASURES - {"billableSplit"}) | {
    "hourlyCost",
    "hourlyRate",
    "dailyCost",
    "dailyRate",
    "billability",
}
#: Dimensions whose values are booleans (``true``/``false`` in the CSV).
BOOL_DIMENSIONS = frozenset({"isAtWork", "manual", "wfh"})
#: Between the two dates of a quota period (``fromTo``).
PERIOD_SEPARATOR = " - "

#: Keys holding a date, and a date-time: written in the account's formats (settings.mdx).
_DATE_KEYS = frozenset({"to", "date"})
_DATETIME_KEYS = frozenset({"stime", "etime", "start", "end"})


def _date_text(key: str, value: str, settings: dict[str, Any]) -> str | None:
    """A date, date-time or period in the account's formats; None if ``key`` holds none."""
    if key in _DATE_KEYS or (key in _DATETIME_KEYS and len(value) == 10):
        return format_date(value, settings)
    if key in _DATETIME_KEYS:
        return format_datetime(value, settings)
    if key == "fromTo" and PERIOD_SEPARATOR in value:
        first, last = value.split(PERIOD_SEPARATOR, 1)
        return f"{format_date(first, settings)}{PERIOD_SEPARATOR}{format_date(last, settings)}"
    return None


def _cell(key: str, value: Any, settings: dict[str, Any]) -> str:
    """One CSV cell: localised numbers, dates and date-times; ``true``/``false``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) or key in ROW_MEASURES or key in NUMERIC_DIMENSIONS:
        return format_number(float(value), settings)
    text = _date_text(key, str(value), settings)
    return str(value) if text is None else text


def _typed_cell(key: str, value: Any, settings: dict[str, Any]) -> Any:
    """One cell of the array output (default mode): numbers stay numbers, dates are localised."""
    if value is None or isinstance(value, bool | float | int):
        return value
    text = _date_text(key, str(value), settings)
    return value if text is None else text


def _settings_of(locale_or_settings: str | dict[str, Any]) -> dict[str, Any]:
    if isinstance(locale_or_settings, dict):
        return locale_or_settings
    return default_settings("fr" if locale_or_settings == "fr" else "en")


def format_csv(keys: list[str], rows: list[list[Any]], settings: str | dict[str, Any]) -> str:
    """The CSV text of an export: localised labels, then localised values.

    ``settings`` are an account's (:mod:`.accounts`), or a language
    (``"en"``/``"fr"``) for the historical defaults. Fields are separated by
    the account's list separator (settings.mdx, "Localization").

    >>> format_csv(["company", "hours"], [["Branch", 7.0]], "fr")
    'Entreprise,Heures\\nBranch,"7,000"\\n'
    """
    settings = _settings_of(settings)
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=settings.get("list_separator", ","), lineterminator="\n")
    writer.writerow(labels(keys, settings.get("language", "en")))
    for row in rows:
        writer.writerow([_cell(k, v, settings) for k, v in zip(keys, row, strict=True)])
    return buf.getvalue()


def format_array(
    keys: list[str], rows: list[list[Any]], settings: dict[str, Any], *, literal: bool = False
) -> list[list[Any]]:
    """The array output: the labels, then one list per row (``../shared/beebole-api/README.md``).

    The default mode keeps numbers as JSON numbers and writes dates in the
    account's format; literal mode gives the very text of the CSV cells, the
    in-app export module's output (time-export.mdx: the service "wraps the in
    app export module functionality").

    >>> format_array(["fromTo", "stime"], [["2026-01-01 - 2026-12-31", "2026-01-01"]],
    ...              {"date_format": "DD/MM/YYYY"})[1]
    ['01/01/2026 - 31/12/2026', '01/01/2026']
    """
    head = labels(keys, settings.get("language", "en"))
    cell = _cell if literal else _typed_cell
    return [head, *([cell(k, v, settings) for k, v in zip(keys, r, strict=True)] for r in rows)]
