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
from collections.abc import Sequence
from importlib.resources import files

from .errors import ValidationError
from .schema import snake_case

__all__ = [
    "ENTITY_ID_KEYS",
    "ENTITY_NAME_KEYS",
    "MEASURES",
    "SHOW_KEYS",
    "check_keys",
    "export_columns",
    "key_kind",
]

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

#: Keys naming an entity (their values are names).
ENTITY_NAME_KEYS = ("company", "person", "project", "subproject", "task", "absence")
#: Keys holding an entity's id, or its xid when it has one -> the entity.
ENTITY_ID_KEYS: dict[str, str] = {f"{e}Id": e for e in ENTITY_NAME_KEYS} | {"gid": "group"}
_INT_KEYS = {"eventId": "event_id", "quotaId": "quota_id"}
_DATE_KEYS = frozenset({"stime", "etime", "date", "to", "week", "start", "end"})
_BOOL_KEYS = frozenset({"isAtWork", "manual", "wfh"})
_FLOAT_KEYS = MEASURES | {"hourlyCost", "hourlyRate", "dailyCost", "dailyRate", "budget"}


def check_keys(keys: Sequence[str], show: str) -> None:
    """Refuse, before any request, keys the reference does not allow for ``show``.

    >>> check_keys(["hours", "absence"], "work")
    Traceback (most recent call last):
    ...
    beebole_pandas.errors.ValidationError: export key 'absence' is not allowed with show='work'; valid keys are: activity, billability, ...
    """
    valid = SHOW_KEYS.get(show)
    if valid is None:
        raise ValidationError(f"show={show!r} is not one of {', '.join(SHOW_KEYS)}")
    for key in keys:
        if key not in valid:
            raise ValidationError(
                f"export key {key!r} is not allowed with show={show!r}; valid keys are: "
                f"{', '.join(valid)}"
            )
    export_columns(keys)


def key_kind(key: str) -> str:
    """The dtype name of an export key's column, or ``"ref"`` for an id-or-xid key.

    >>> key_kind("hours"), key_kind("personId"), key_kind("week")
    ('Float64', 'ref', 'datetime64[ns]')
    """
    if key in ENTITY_ID_KEYS:
        return "ref"
    if key in _INT_KEYS:
        return "Int64"
    if key in _FLOAT_KEYS:
        return "Float64"
    if key in _DATE_KEYS:
        return "datetime64[ns]"
    if key in _BOOL_KEYS:
        return "boolean"
    if key == "status":
        return "status"
    return "string"


def export_columns(keys: Sequence[str]) -> list[tuple[str, str]]:
    """The ``(column, dtype)`` pairs an export with these keys turns into, in order.

    >>> export_columns(["personId", "hours", "status"])
    [('person_id', 'Int64'), ('person_xid', 'string'), ('hours', 'Float64'), ('status', 'status')]
    """
    if len(set(keys)) != len(keys):
        dup = sorted({k for k in keys if list(keys).count(k) > 1})
        raise ValidationError(f"export keys must be distinct; repeated: {', '.join(dup)}")
    out: list[tuple[str, str]] = []
    for key in keys:
        kind = key_kind(key)
        if kind == "ref":
            entity = ENTITY_ID_KEYS[key]
            out += [(f"{entity}_id", "Int64"), (f"{entity}_xid", "string")]
        elif key in ENTITY_NAME_KEYS:
            out.append((f"{key}_name", "string"))
        else:
            out.append((_INT_KEYS.get(key, snake_case(key)), kind))
    return out


def __dir__() -> list[str]:
    # Tab completion offers the public names only, not the imports.
    return sorted(__all__)
