"""Account settings of the sandbox: localisation, work schedule, holidays, currency.

What Beebole lets an administrator set, and what the sandbox therefore keeps
per account (``settings.mdx``, section "Localization"; ``work-schedules.mdx``;
``entities.mdx``, "How to Define Public Holidays"):

* the **date format**, the **time format** (12- or 24-hour clock), the
  **decimal format**, the **thousands separator** and the **list separator**
  "used for numbers in the interface, reports, and exports" (settings.mdx);
* the **currency** (settings.mdx) and the label language of exports;
* the **work schedule**: hours per day and per week and the working weekdays
  ("by default ... 8 hours per day, 40 hours per week, and non-working days on
  Saturday and Sunday", work-schedules.mdx), and the **holidays**.

Model (a decision, documented here and in :mod:`beebole_pandas.sandbox`):
every token is an *account* with its own settings, and all accounts of one
sandbox see the same company data. settings.mdx allows exactly this: the
Localization module "can also [be used] for individual employees that
require a unique localization configuration". So ``"us"`` and ``"fr"`` are
administrators of the demo company whose settings are American and French;
the four historical roles (``admin``, ``employee``, ``admin_fr``,
``disabled``) keep the settings they always had (ISO dates, 24 h, ``.``, no
thousands separator, ``,`` between fields; ``admin_fr`` has French labels
and ``,`` decimals, as the reference's export example shows).

>>> settings = default_settings()
>>> settings["date_format"], settings["decimal_separator"], settings["list_separator"]
('YYYY-MM-DD', '.', ',')
>>> checked(settings, {"date_format": "DD/MM/YYYY"})["date_format"]
'DD/MM/YYYY'
"""

from __future__ import annotations

import datetime as dt
import json
import random
from typing import Any

from .seed_entries import public_holidays
from .seeddata import Account

__all__ = [
    "DATE_FORMATS",
    "EXTRA_ACCOUNTS",
    "SETTING_NAMES",
    "checked",
    "default_settings",
    "extra_accounts",
    "preset",
]

#: Date formats the sandbox can show (settings.mdx: "The date format you would like used").
DATE_FORMATS: dict[str, str] = {
    "YYYY-MM-DD": "%Y-%m-%d",
    "DD/MM/YYYY": "%d/%m/%Y",
    "MM/DD/YYYY": "%m/%d/%Y",
    "DD.MM.YYYY": "%d.%m.%Y",
    "DD-MM-YYYY": "%d-%m-%Y",
    "YYYY/MM/DD": "%Y/%m/%d",
}
TIME_FORMATS = ("24h", "12h")
DECIMAL_SEPARATORS = (".", ",")
#: "" is no separator; U+202F is the narrow no-break space French typography uses.
THOUSANDS_SEPARATORS = ("", ",", ".", " ", "\u00a0", "\u202f", "'")
LIST_SEPARATORS = (",", ";", "\t", "|")
LANGUAGES = ("en", "fr")

#: The names accepted by ``server.set_settings(account, **changes)``.
SETTING_NAMES = (
    "date_format",
    "time_format",
    "decimal_separator",
    "thousands_separator",
    "list_separator",
    "language",
    "currency",
    "hours_per_day",
    "weekly_hours",
    "working_days",
    "holidays",
    "week_start",
)

# The years the holiday lists cover: the demo's data (2025-12 .. 2026-11) with room around it.
_HOLIDAY_YEARS = range(2024, 2031)


def _holidays(country: str) -> list[str]:
    days = {d for year in _HOLIDAY_YEARS for d in public_holidays(country, year)}
    return sorted(d.isoformat() for d in days)


def default_settings(language: str = "en") -> dict[str, Any]:
    """The settings every account had before settings existed (ISO, 24 h, ``.``, ``,``).

    ``language="fr"`` gives the historical ``admin_fr`` account: French labels
    and ``,`` decimals, still ``,`` between fields (the reference's example
    ``"Entreprise,Heures\\nBranch,\\"7,000\\""``, time-export.mdx).
    """
    return {
        "date_format": "YYYY-MM-DD",
        "time_format": "24h",
        "decimal_separator": "," if language == "fr" else ".",
        "thousands_separator": "",
        "list_separator": ",",
        "language": language,
        "currency": "USD",
        # work-schedules.mdx: the default schedule is 8 h a day, 40 h a week, Sat/Sun off
        "hours_per_day": 8.0,
        "weekly_hours": 40.0,
        "working_days": [1, 2, 3, 4, 5],  # ISO weekdays, Monday = 1
        "holidays": _holidays("US"),
        "week_start": 1,
    }


def preset(name: str) -> dict[str, Any]:
    """The settings of a named account: ``"default"``, ``"us"`` or ``"fr"``.

    >>> preset("us")["date_format"], preset("fr")["thousands_separator"]
    ('MM/DD/YYYY', '\\u202f')
    """
    settings = default_settings()
    if name == "us":
        settings.update(date_format="MM/DD/YYYY", time_format="12h", thousands_separator=",",
                        currency="USD", week_start=7)  # fmt: skip
    elif name == "fr":
        settings.update(
            date_format="DD/MM/YYYY",
            decimal_separator=",",
            thousands_separator="\u202f",
            list_separator=";",
            language="fr",
            currency="EUR",
            weekly_hours=35.0,
            hours_per_day=7.0,
            holidays=_holidays("FR"),
        )
    elif name != "default":
        raise ValueError(f"unknown settings preset {name!r}; choose default, us or fr")
    return settings


def _number(name: str, value: Any, top: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= top:
        raise ValueError(f"{name} must be a number in (0, {top:g}], got {value!r}")
    return float(value)


def _choice(name: str, value: Any, allowed: tuple[str, ...] | dict[str, str]) -> str:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, allowed))}; got {value!r}")
    return str(value)


def checked(settings: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """``settings`` with ``changes`` applied, each change checked; ValueError names a bad one."""
    out = json.loads(json.dumps(settings))  # a deep copy: callers keep theirs
    for name, value in changes.items():
        if name == "date_format":
            value = _choice(name, value, DATE_FORMATS)
        elif name == "time_format":
            value = _choice(name, value, TIME_FORMATS)
        elif name == "decimal_separator":
            value = _choice(name, value, DECIMAL_SEPARATORS)
        elif name == "thousands_separator":
            value = _choice(name, value, THOUSANDS_SEPARATORS)
        elif name == "list_separator":
            value = _choice(name, value, LIST_SEPARATORS)
        elif name == "language":
            value = _choice(name, value, LANGUAGES)
        elif name == "currency":
            if not isinstance(value, str) or len(value) != 3 or not value.isalpha():
                raise ValueError(f"currency must be a three-letter code, got {value!r}")
            value = value.upper()
        elif name == "hours_per_day":
            value = _number(name, value, 24)
        elif name == "weekly_hours":
            value = _number(name, value, 168)
        elif name in ("working_days", "week_start"):
            days = [value] if name == "week_start" else value
            if not isinstance(days, list | tuple) or not all(
                isinstance(d, int) and not isinstance(d, bool) and 1 <= d <= 7 for d in days
            ):
                raise ValueError(f"{name} takes ISO weekdays 1 (Monday) to 7, got {value!r}")
            value = days[0] if name == "week_start" else sorted(set(days))
        elif name == "holidays":
            try:
                value = sorted({dt.date.fromisoformat(str(d)).isoformat() for d in value})
            except (TypeError, ValueError):
                raise ValueError(f"holidays must be ISO dates YYYY-MM-DD, got {value!r}") from None
        else:
            raise ValueError(
                f"unknown setting {name!r}; valid settings: {', '.join(SETTING_NAMES)}"
            )
        out[name] = value
    if out["decimal_separator"] == out["thousands_separator"]:
        raise ValueError("the decimal and thousands separators must differ")
    return out


#: The accounts every seed adds to its four historical ones: name -> (person role, preset).
EXTRA_ACCOUNTS: dict[str, tuple[str, str]] = {"us": ("admin", "us"), "fr": ("admin_fr", "fr")}


def extra_accounts(seed_name: str, people_by_role: dict[str, int]) -> list[Account]:
    """The ``us`` and ``fr`` administrator accounts, with deterministic tokens of their own.

    They belong to the same administrators as ``admin`` and ``admin_fr``
    (settings.mdx: localisation may be set per individual employee), so they
    see exactly the data those see, formatted by other settings.
    """
    rng = random.Random(f"beebole-sandbox-localised-tokens-{seed_name}")
    return [
        Account(role=name, token=f"{rng.getrandbits(128):032x}", person=people_by_role[role],
                locale="fr" if name == "fr" else "en", api_enabled=True)
        for name, (role, _) in EXTRA_ACCOUNTS.items()
    ]  # fmt: skip


def settings_for(role: str, locale: str) -> dict[str, Any]:
    """The initial settings of an account of ``role`` (``us``/``fr`` presets, else the defaults)."""
    if role in EXTRA_ACCOUNTS:
        return preset(EXTRA_ACCOUNTS[role][1])
    return default_settings("fr" if locale == "fr" else "en")
