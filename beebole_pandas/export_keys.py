"""The column keys ``time_entry.export`` accepts for each ``show``.

Beebole's published table, shipped as package data (``data/export-keys.json``)
and read by both sides: the client checks ``keys`` before it spends a request,
and the sandbox refuses what the real server would refuse.

>>> "hours" in SHOW_KEYS["all"]
True
>>> sorted(SHOW_KEYS)
['abs', 'all', 'attendance', 'quota', 'work']
"""

from __future__ import annotations

import json
from importlib.resources import files

__all__ = ["MEASURES", "SHOW_KEYS"]

#: Valid ``keys`` per value of ``show``.
SHOW_KEYS: dict[str, tuple[str, ...]] = {
    show: tuple(keys)
    for show, keys in json.loads(
        files("beebole_pandas").joinpath("data/export-keys.json").read_text(encoding="utf-8")
    )["show"].items()
}

#: Keys whose values are quantities, summed when rows are aggregated over the
#: other (dimension) keys; the rates and budget are quantities too but are
#: properties of a person or project, not sums.
MEASURES: frozenset[str] = frozenset(
    [
        "hours",
        "inDays",
        "cost",
        "billing",
        "profit",
        "overtime",
        "weeklyOvertime",
        "hoursPercent",
        "billingPercent",
        "costsPercent",
        "profitPercent",
        "billingRatio",
        "profitRatio",
        "billableSplit",
        "workDays",
        "workHours",
        "remWorkDays",
        "remWorkHours",
        "duration",
        "available",
        "availableInDays",
        "balance",
        "balanceInDays",
        "taken",
        "takenInDays",
    ]
)
