"""The pure half of write-back: which entity a frame holds, and which rows are valid.

Nothing here talks to the server. :mod:`beebole_pandas.writeback.push` reads the server
state and calls these to check rows against :mod:`beebole_pandas.schema`
before anything is sent.

>>> import pandas as pd
>>> from beebole_pandas.writeback.validate import detect_entity
>>> detect_entity(pd.DataFrame({"id": [1], "name": ["A"], "email": ["a@x.org"]})).name
'person'
"""

from __future__ import annotations

import logging
import math
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from ..errors import SchemaError, ValidationError
from ..frames import check_columns
from ..load.scopes import shown
from ..schema import ENTITIES, STATUS_CODE_OF, STATUS_LABELS, Entity, Field, entity

logger = logging.getLogger(__name__)

__all__ = [
    "ALL_COLUMNS",
    "Call",
    "Loaded",
    "Ref",
    "RowInput",
    "RowPlan",
    "attrs_entity",
    "check_entity_name",
    "date_runs",
    "detect_entity",
    "is_derived",
    "loaded_scope",
    "normalize",
    "read_rows",
    "unknown_columns",
]

#: A reference to an entity: ("id", 3) or ("xid", "C1").
Ref = tuple[str, Any]

#: Every column of every entity frame but the join keys (derived, never read):
#: what push and delete may read.
ALL_COLUMNS: frozenset[str] = frozenset(
    f.column for e in ENTITIES.values() for f in e.fields if f.keyed is None
)


def attrs_entity(frame: pd.DataFrame, key: str = "entity") -> Any:
    """``frame.attrs["beebole"][key]`` when the loaders' record is there, else None.

    A hint only: attrs are whatever the user (or a pandas operation) left in
    them, so anything but a mapping is no record.
    """
    info = frame.attrs.get("beebole") if isinstance(frame.attrs, Mapping) else None
    return info.get(key) if isinstance(info, Mapping) else None


class Loaded(NamedTuple):
    """What a time-entry frame was loaded for: the period, and the people
    (as the user named them; None for everyone)."""

    first: str
    last: str
    people: Any


def loaded_scope(frame: pd.DataFrame) -> Loaded | None:
    """What a time-entry frame was loaded for (``attrs["beebole"]["scope"]``), or None.

    A hint for finding entries whose date or person the user changed: the
    entry was somewhere there when the frame was loaded. Anything but two
    ``YYYY-MM-DD`` dates in order is no record.
    """
    scope = attrs_entity(frame, "scope")
    if not isinstance(scope, Mapping):
        return None
    first, last = scope.get("start"), scope.get("end")
    if not isinstance(first, str) or not isinstance(last, str):
        return None
    try:
        if date.fromisoformat(first) <= date.fromisoformat(last):
            return Loaded(first, last, scope.get("person"))
    except ValueError:
        pass
    return None


def is_derived(column: Any, ent: Entity | None = None) -> bool:
    """A join key (``key``, ``<ref>_key``): derived from the id and xid columns,
    read-only, never a diff, never a reason to refuse a row.

    Told by the schema (``Field.keyed``) and, for frames of other shapes, by
    the name, so that a key column is ignored whichever entity it came from.

    >>> is_derived("company_key"), is_derived("name")
    (True, False)
    """
    if not isinstance(column, str):
        return False
    if column == "key" or column.endswith("_key"):
        return True
    if ent is not None and column in ent.columns:
        return ent.field(column).keyed is not None
    return False


def check_entity_name(name: Any) -> str | None:
    """The ``entity=`` argument of push, plan and delete, checked for type.

    Raises
    ------
    ValidationError
        When it is neither None nor a str (an unknown name is a SchemaError
        of :func:`beebole_pandas.schema.entity`, listing the valid ones).
    """
    if name is None or isinstance(name, str):
        return name
    raise ValidationError(
        f"entity={shown(name)} is not an entity name: pass a str such as 'person', or None "
        "to tell the entity from the frame's columns"
    )


def detect_entity(frame: pd.DataFrame, entity_name: str | None = None) -> Entity:
    """The entity a frame holds: from ``entity_name``, else its columns.

    ``frame.attrs["beebole"]["entity"]`` is used only to break a tie between
    entities whose columns fit equally well (tasks and absences have the
    same columns), never to override the columns.

    Parameters
    ----------
    frame
        A frame loaded by :mod:`beebole_pandas.load.entities`, possibly edited.
    entity_name
        Force the entity (``"person"``, ``"time_entry"`` ...).

    Raises
    ------
    SchemaError
        When the columns fit no entity, or several and nothing breaks the tie.

    Examples
    --------
    >>> import pandas as pd
    >>> detect_entity(pd.DataFrame(columns=["date", "person_id", "hours"])).name
    'time_entry'
    """
    check_columns(frame, ALL_COLUMNS)
    name = check_entity_name(entity_name)
    if name is not None:
        return entity(name)
    # Join keys are on every frame: they tell nothing about the entity.
    known = [
        c for c in frame.columns if isinstance(c, str) and c in ALL_COLUMNS and not is_derived(c)
    ]
    if not known:
        raise SchemaError(
            "cannot tell which Beebole entity this frame holds: none of its columns "
            f"({', '.join(map(str, frame.columns[:8]))}) is a Beebole column; "
            f"pass entity= one of: {', '.join(ENTITIES)}"
        )
    own = {e.name: {c for c in e.columns if not is_derived(c)} for e in ENTITIES.values()}
    fitting = [e for e in ENTITIES.values() if set(known) <= own[e.name]]
    if not fitting:
        # A stray column from another entity: fall back to the best overlap.
        best = max(len(set(known) & own[e.name]) for e in ENTITIES.values())
        fitting = [e for e in ENTITIES.values() if len(set(known) & own[e.name]) == best]
    candidates = fitting
    if len(fitting) > 1:
        # Prefer the entities whose own columns the frame covers most.
        cover = {e.name: len(set(known) & own[e.name]) / len(own[e.name]) for e in fitting}
        top = max(cover.values())
        fitting = [e for e in fitting if cover[e.name] == top]
    if len(fitting) > 1:
        hint = attrs_entity(frame)
        for e in fitting:
            if e.name == hint:
                return e
        quoted = [repr(e.name) for e in candidates]
        names = f"{', '.join(quoted[:-1])} or {quoted[-1]}"
        raise SchemaError(
            f"cannot tell which Beebole entity this frame holds: its columns fit {names}; "
            f"pass entity= one of them, e.g. entity={fitting[0].name!r}"
        )
    return fitting[0]


def unknown_columns(frame: pd.DataFrame, ent: Entity) -> list[str]:
    """Columns of ``frame`` that are not in ``ent``'s schema (push ignores them).

    Join keys are not counted: they are derived, and ignored without a word.
    """
    return [str(c) for c in frame.columns if c not in ent.columns and not is_derived(c)]


# -- value normalisation ----------------------------------------------------------


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    try:
        return bool(pd.isna(value)) if not isinstance(value, (list, tuple, dict)) else False
    except (TypeError, ValueError):
        return False


def normalize(fld: Field, value: Any) -> Any:
    """One value in the comparable form push diffs on.

    ``None`` for missing, ``int``, ``float``, ``bool``, ``str`` (an empty
    string stays ``""``: it asks to empty the field), or a ``"YYYY-MM-DD"``
    string for dates.

    Raises
    ------
    ValueError
        With a message naming the column and the value when it has the wrong type.

    Examples
    --------
    >>> from beebole_pandas.schema import entity
    >>> normalize(entity("time_entry").field("hours"), "7.5")
    7.5
    """
    if _is_missing(value):
        return None
    kind = fld.dtype
    detail = ""
    try:
        if kind == "Int64":
            if isinstance(value, bool | np.bool_):
                raise ValueError
            if isinstance(value, int | np.integer):
                whole = int(value)  # not through float: 2**53 + 1 stays itself
            else:
                number = float(value)
                if not number.is_integer():
                    raise ValueError
                whole = int(number)
            if not _INT64[0] <= whole <= _INT64[1] or (_is_id(fld) and whole < 1):
                raise ValueError
            return whole
        if kind == "Float64":
            if isinstance(value, bool | np.bool_):
                raise ValueError
            number = float(value)
            if math.isnan(number) or math.isinf(number):
                raise ValueError
            return number
        if kind == "boolean":
            if isinstance(value, str):
                lowered = value.strip().lower()
                if lowered in {"true", "yes", "1"}:
                    return True
                if lowered in {"false", "no", "0"}:
                    return False
                raise ValueError
            if isinstance(value, (int, float)) and value in (0, 1):
                return bool(value)
            if hasattr(value, "dtype") and str(value.dtype) == "bool":
                return bool(value)
            raise ValueError
        if kind == "string":
            if isinstance(value, _NOT_TEXT):
                raise ValueError
            return str(value)
        if kind == "datetime64[ns]":
            # numpy would read a number as nanoseconds since 1970: refuse it.
            if isinstance(value, int | float | np.number | bool | np.bool_):
                raise ValueError
            stamp = pd.Timestamp(value)
            if stamp is pd.NaT:
                return None
            if stamp.tzinfo is not None:
                detail = " (the API has no time zones: use naive local dates)"
                raise ValueError
            # Not strftime: it drops the zeros of a year before 1000.
            return f"{stamp.year:04d}-{stamp.month:02d}-{stamp.day:02d}"
        if kind == "status":
            # Labels (as frames hold them) or codes; the API compares and takes codes.
            code = STATUS_CODE_OF.get(value) if isinstance(value, str) else None
            if code is None:
                raise ValueError
            return code
    except (TypeError, ValueError, OverflowError):
        pass
    else:
        return value
    readable = {
        "Int64": "an id (an integer from 1 to 2**63-1)" if _is_id(fld) else "an integer",
        "Float64": "a number",
        "boolean": "True or False",
        "string": "text",
        "datetime64[ns]": "a date (YYYY-MM-DD)",
        "status": "one of "
        + ", ".join(f"{label} ({code})" for code, label in STATUS_LABELS.items()),
    }[kind]
    raise ValueError(f"{fld.column}: {shown(value)} is not {readable}{detail}")


#: What an Int64 column holds (and the API's JSON integers).
_INT64 = (-(2**63), 2**63 - 1)
#: Values that str() would turn into text nobody meant to send.
_NOT_TEXT = (bytes, bytearray, list, tuple, dict, set, frozenset)


def _is_id(fld: Field) -> bool:
    """An id column (``id``, ``person_id`` ...): ids are positive."""
    return fld.column == "id" or fld.column.endswith("_id")


# -- rows -------------------------------------------------------------------------


@dataclass
class RowInput:
    """One frame row in normalised form, with what validation found.

    ``values`` holds only the schema columns present in the frame (join keys
    never: they are derived). ``gaps`` holds, for the columns present whose
    value is missing, that value as the user wrote it (``nan``, ``None``).
    """

    label: Hashable
    position: int
    values: dict[str, Any]
    problems: list[str] = field(default_factory=list)
    bad: set[str] = field(default_factory=set)  # columns whose value had the wrong type
    gaps: dict[str, Any] = field(default_factory=dict)

    def get(self, column: str) -> Any:
        return self.values.get(column)

    def ref(self, name: str) -> Ref | None:
        """The reference ``name`` as ("xid", x) or ("id", n); the xid wins."""
        xid = self.values.get(f"{name}_xid")
        if xid is not None:
            return ("xid", xid)
        ident = self.values.get(f"{name}_id")
        if ident is not None:
            return ("id", ident)
        return None

    @property
    def key(self) -> Ref | None:
        """How the row addresses its entity: by xid if it has one, else by id."""
        xid = self.values.get("xid")
        if xid is not None:
            return ("xid", xid)
        ident = self.values.get("id")
        if ident is not None:
            return ("id", ident)
        return None


def read_rows(frame: pd.DataFrame, ent: Entity) -> list[RowInput]:
    """Normalise every row of ``frame`` and record type problems per row.

    Only the schema columns present in the frame are read, join keys aside;
    the frame is not modified.
    """
    present = [f for f in ent.fields if f.column in frame.columns and not is_derived(f.column, ent)]
    columns = {f.column: frame[f.column].tolist() for f in present}
    rows: list[RowInput] = []
    for position, label in enumerate(frame.index):
        row = RowInput(label, position, {})
        for fld in present:
            value = columns[fld.column][position]
            try:
                row.values[fld.column] = normalize(fld, value)
                if row.values[fld.column] is None:
                    row.gaps[fld.column] = value
            except ValueError as exc:
                row.values[fld.column] = None
                row.problems.append(str(exc))
                row.bad.add(fld.column)
        rows.append(row)
    return rows


def date_span(values: Iterable[Any]) -> tuple[str, str] | None:
    """The first and last of ``YYYY-MM-DD`` strings, or None."""
    dates = sorted(v for v in values if v is not None)
    if not dates:
        return None
    return dates[0], dates[-1]


#: Dates further apart than this (in days) are read in separate runs: listing
#: the weeks between two far-apart rows costs more bytes than one more request.
RUN_GAP_DAYS = 14


def date_runs(values: Iterable[Any], *, gap: int = RUN_GAP_DAYS) -> list[tuple[str, str]]:
    """``YYYY-MM-DD`` strings grouped into (first, last) runs without gaps over ``gap`` days.

    Examples
    --------
    >>> date_runs(["2026-01-05", "2026-01-02", "2026-03-01"])
    [('2026-01-02', '2026-01-05'), ('2026-03-01', '2026-03-01')]
    """
    days = sorted({date.fromisoformat(v) for v in values if v is not None})
    runs: list[list[date]] = []
    for day in days:
        if runs and (day - runs[-1][1]).days <= gap:
            runs[-1][1] = day
        else:
            runs.append([day, day])
    return [(first.isoformat(), last.isoformat()) for first, last in runs]


@dataclass
class Call:
    """One write request: the service and its parameters.

    ``needs_key`` marks a call that addresses the entity created by an earlier
    call of the same row (a deactivate after a create): push fills in the
    id the create returned.
    """

    service: str
    params: dict[str, Any]
    needs_key: bool = False


@dataclass
class RowPlan:
    """What push will do with one frame row."""

    row: RowInput
    action: str  # create, update, unchanged, invalid (delete, missing for delete())
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    reason: str = ""
    calls: list[Call] = field(default_factory=list)
    id: int | None = None
    xid: str | None = None
    note: str = ""
    rerun_safe: bool = True  # False for an entity created without xid
    wave: int = 0  # sent after the rows of lower waves (children after new parents)
    label: str = ""  # the row as people name it: the entity's name, an entry's day and hours

    @property
    def changes_text(self) -> str:
        """``name: 'A' → 'B'; active: True → False``."""
        return "; ".join(f"{col}: {a!r} → {b!r}" for col, (a, b) in self.changes.items())
