"""How an account writes dates, times and numbers in its exports.

Beebole formats reports and exports with the account's localisation settings
(Settings > Localization): the date format, a 12- or 24-hour clock, the
decimal and thousands separators, and the list separator of CSV files. The
API has no service that reads those settings, so the export parser detects
them from the data; what the data cannot tell (``03/04/2026``: 3 April or
4 March?) the user tells the client once, with an :class:`ExportFormat`.

It lives in the api wing because a :class:`~beebole_pandas.api.client.Client`
carries one (``bb.connect(..., export_format="DD/MM/YYYY")``); the parsing
itself is :mod:`beebole_pandas.load.localised`.

>>> ExportFormat.of("DD/MM/YYYY")
ExportFormat(date='DD/MM/YYYY')
>>> ExportFormat.of({"decimal": ",", "thousands": " "}).describe()
'decimal ",", thousands " "'
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from ..errors import ValidationError

__all__ = [
    "DATE_FORMATS",
    "DECIMALS",
    "LIST_SEPARATORS",
    "THOUSANDS",
    "TIME_FORMATS",
    "ExportFormat",
    "find_list_separator",
]

#: The date formats Beebole offers, and the order of their parts.
DATE_FORMATS: dict[str, str] = {"YYYY-MM-DD": "ymd", "DD/MM/YYYY": "dmy", "MM/DD/YYYY": "mdy"}
#: Other spellings of the same orders (separators do not matter to the parser).
_DATE_ALIASES: dict[str, str] = {
    **{f"YYYY{s}MM{s}DD": "YYYY-MM-DD" for s in "/."},
    **{f"DD{s}MM{s}YYYY": "DD/MM/YYYY" for s in "-."},
    **{f"MM{s}DD{s}YYYY": "MM/DD/YYYY" for s in "-."},
    "ISO": "YYYY-MM-DD",
}
TIME_FORMATS: tuple[str, ...] = ("24h", "12h")
DECIMALS: tuple[str, ...] = (".", ",")
#: "" means no thousands separator.
THOUSANDS: tuple[str, ...] = ("", ",", ".", " ", "\u00a0", "\u202f", "'")
LIST_SEPARATORS: tuple[str, ...] = (",", ";", "\t", "|")


def _choices(values: tuple[str, ...] | list[str]) -> str:
    return ", ".join(repr(v) for v in values)


@dataclass(frozen=True, repr=False)
class ExportFormat:
    """The localisation of an account's exports; None where unknown (detected from the data).

    Parameters
    ----------
    date
        ``"YYYY-MM-DD"``, ``"DD/MM/YYYY"`` or ``"MM/DD/YYYY"`` (other separators,
        such as ``"DD.MM.YYYY"``, name the same order).
    time
        ``"24h"`` or ``"12h"`` (``2:30 PM``); both are read whatever the setting.
    decimal
        ``"."`` or ``","``.
    thousands
        ``""`` (none), ``","``, ``"."``, ``" "``, ``"\\u00a0"``, ``"\\u202f"`` or ``"'"``.
    list_separator
        The CSV field separator: ``","``, ``";"`` or a tab.

    Examples
    --------
    >>> fmt = ExportFormat(date="MM/DD/YYYY", time="12h")
    >>> fmt.order, fmt.describe()
    ('mdy', 'dates MM/DD/YYYY, times 12h')
    """

    date: str | None = None
    time: str | None = None
    decimal: str | None = None
    thousands: str | None = None
    list_separator: str | None = None

    def __post_init__(self) -> None:
        date = self.date
        if isinstance(date, str) and date.strip().upper() in _DATE_ALIASES:
            object.__setattr__(self, "date", _DATE_ALIASES[date.strip().upper()])
        elif isinstance(date, str) and date.strip().upper() in DATE_FORMATS:
            object.__setattr__(self, "date", date.strip().upper())
        elif date is not None:
            raise ValidationError(
                f"export date format {date!r} is not one Beebole offers; valid formats are "
                f"{_choices(list(DATE_FORMATS))}"
            )
        time = self.time
        if isinstance(time, str) and time.strip().lower() in ("12", "24", "12h", "24h"):
            object.__setattr__(self, "time", time.strip().lower().rstrip("h") + "h")
        elif time is not None:
            raise ValidationError(
                f"export time format {time!r} is not one of {_choices(TIME_FORMATS)}"
            )
        for name, valid in (
            ("decimal", DECIMALS),
            ("thousands", THOUSANDS),
            ("list_separator", LIST_SEPARATORS),
        ):
            value = getattr(self, name)
            if value is not None and value not in valid:
                raise ValidationError(
                    f"export {name.replace('_', ' ')} {value!r} is not one of {_choices(valid)}"
                )
        if self.decimal is not None and self.decimal == self.thousands:
            raise ValidationError(
                f"the decimal and thousands separators are both {self.decimal!r}; they must differ"
            )

    @classmethod
    def of(cls, value: Any) -> ExportFormat:
        """An :class:`ExportFormat` from one, from a mapping of its fields, from
        a date format string, or from None (nothing known).

        >>> ExportFormat.of(None) == ExportFormat()
        True
        """
        if value is None:
            return cls()
        if isinstance(value, cls):
            return value
        if isinstance(value, str):
            return cls(date=value)
        if isinstance(value, Mapping):
            names = [f.name for f in fields(cls)]
            unknown = [k for k in value if k not in names]
            if unknown:
                raise ValidationError(
                    f"export format has no setting {unknown[0]!r}; valid settings are "
                    f"{_choices(names)}"
                )
            return cls(**dict(value))
        raise ValidationError(
            f"export_format={value!r} must be an ExportFormat, a dict of its settings "
            f"({', '.join(f.name for f in fields(cls))}), a date format such as "
            "'DD/MM/YYYY', or None"
        )

    @property
    def order(self) -> str | None:
        """``"ymd"``, ``"dmy"``, ``"mdy"``, or None when the date format is unknown."""
        return DATE_FORMATS[self.date] if self.date is not None else None

    def merged(self, other: ExportFormat) -> ExportFormat:
        """This format with the settings it lacks taken from ``other``.

        >>> ExportFormat(decimal=",").merged(ExportFormat(date="DD/MM/YYYY", decimal="."))
        ExportFormat(date='DD/MM/YYYY', decimal=',')
        """
        known = {f.name: getattr(self, f.name) for f in fields(self)}
        return replace(other, **{k: v for k, v in known.items() if v is not None})

    def describe(self) -> str:
        """The known settings in words (``"unknown"`` when none is known)."""
        parts = []
        if self.date is not None:
            parts.append(f"dates {self.date}")
        if self.time is not None:
            parts.append(f"times {self.time}")
        if self.decimal is not None:
            parts.append(f'decimal "{self.decimal}"')
        if self.thousands is not None:
            parts.append(f'thousands "{self.thousands}"' if self.thousands else "no thousands")
        if self.list_separator is not None:
            shown = "tab" if self.list_separator == "\t" else f'"{self.list_separator}"'
            parts.append(f"list separator {shown}")
        return ", ".join(parts) or "unknown"

    def __repr__(self) -> str:
        known = [f"{f.name}={getattr(self, f.name)!r}" for f in fields(self)]
        return f"ExportFormat({', '.join(k for k in known if not k.endswith('=None'))})"


def find_list_separator(text: str, width: int, *, sample: int = 20_000) -> str | None:
    """The list separator of a CSV export (settings.mdx: the account's): the first
    of :data:`LIST_SEPARATORS` that splits the first lines into ``width`` fields
    each; None when none does.

    >>> find_list_separator('Id;Statut\\n1;"a;b"\\n', 2)
    ';'
    """
    lines = text[:sample].splitlines()[:30]
    if len(text) > sample and len(lines) > 1:
        lines = lines[:-1]  # maybe cut in the middle
    head = "\n".join(lines)
    for sep in LIST_SEPARATORS:
        rows = [
            r for r in csv.reader(io.StringIO(head), delimiter=sep) if any(c.strip() for c in r)
        ]
        if rows and all(len(r) == width for r in rows):
            return sep
    return None
