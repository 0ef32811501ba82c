"""Which export keys a set of time-entry columns needs, and the names of the
references filled from the entity lists instead of a second export.

:func:`keys_for` maps the columns asked of :func:`~beebole_pandas.time_entries`
to the export keys that carry them (``person_name`` needs ``personId`` and the
people list; ``date`` needs ``to``), :func:`names_frame` builds the
id/xid -> name table of the entity lists (cached reads), and :func:`entries_frame`
turns an export of only some keys into the time-entry frame, missing columns
as missing values.

>>> keys_for(["date", "person_name", "hours"])
(['eventId', 'to', 'personId', 'hours'], ['person'])
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from .. import schema
from ..errors import ValidationError
from . import parse as export_parse

__all__ = [
    "REF_ENTITIES",
    "entries_frame",
    "keys_for",
    "names_frame",
    "repair_xids",
]

#: The references of a time entry, in the order of the frame.
REF_ENTITIES: tuple[str, ...] = ("person", "company", "project", "subproject", "task", "absence")
_OWN = {"id": "eventId", "key": "eventId", "date": "to", "hours": "hours", "status": "status"}
_OWN["comment"] = "comment"


def keys_for(columns: Sequence[str] | None) -> tuple[list[str], list[str]]:
    """The export keys (in :data:`~beebole_pandas.load.parse.TIME_ENTRY_ID_KEYS`
    order, ``eventId`` always) and the entity lists (for names) that ``columns``
    of the time-entry frame need; ``None`` means every column.

    Raises
    ------
    ValidationError
        A column the time-entry frame does not have.
    """
    every = schema.entity("time_entry").columns
    wanted = list(every) if columns is None else list(columns)
    keys = {"eventId"}
    lists: list[str] = []
    for column in wanted:
        if column not in every:
            raise ValidationError(
                f"columns: {column!r} is not a time-entry column; valid columns are: "
                f"{', '.join(every)}"
            )
        if column in _OWN:
            keys.add(_OWN[column])
            continue
        entity, _, part = column.rpartition("_")
        keys.add(f"{entity}Id")
        if part == "name" and entity not in lists:
            lists.append(entity)
    order = export_parse.TIME_ENTRY_ID_KEYS
    return [k for k in order if k in keys], [e for e in REF_ENTITIES if e in lists]


def names_frame(lists: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One id/xid -> name table of the entity lists, for
    :func:`~beebole_pandas.load.parse.export_to_time_entries`: columns
    ``<entity>_id``, ``<entity>_xid``, ``<entity>_name`` for every reference."""
    parts = []
    for entity in REF_ENTITIES:
        frame = lists.get(entity)
        if frame is None or not len(frame):
            continue
        parts.append(
            pd.DataFrame(
                {
                    f"{entity}_id": frame["id"].array,
                    f"{entity}_xid": frame["xid"].array,
                    f"{entity}_name": frame["name"].array,
                }
            )
        )
    empty = export_parse.parse_export([], [f"{e}Id" for e in REF_ENTITIES] + list(REF_ENTITIES))
    return pd.concat([empty, *parts], ignore_index=True) if parts else empty


def repair_xids(frame: pd.DataFrame, lists: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Move to ``<entity>_xid`` the values CSV text read as ids that are xids made
    of digits (the entity lists tell them apart)."""
    for entity, known in lists.items():
        ident, xid = f"{entity}_id", f"{entity}_xid"
        if ident not in frame.columns or not len(known):
            continue
        digits = known["xid"].dropna()
        digits = set(digits[digits.str.fullmatch(r"\d+").fillna(False).to_numpy(bool)])
        if not digits:
            continue
        ids = frame[ident]
        moved = ids.notna() & ~ids.isin(known["id"].dropna()) & ids.astype("string").isin(digits)
        mask = moved.fillna(False).to_numpy(bool)
        if mask.any():
            frame = frame.copy()
            frame.loc[mask, xid] = ids[mask].astype("string")
            frame.loc[mask, ident] = pd.NA
    return frame


def entries_frame(
    export: pd.DataFrame,
    keys: Sequence[str],
    lists: dict[str, pd.DataFrame],
    columns: Sequence[str] | None,
) -> pd.DataFrame:
    """The time-entry frame of an export with ``keys`` (a subset of
    :data:`~beebole_pandas.load.parse.TIME_ENTRY_ID_KEYS`), names from ``lists``;
    only ``columns`` (all when None)."""
    missing = [k for k in export_parse.TIME_ENTRY_ID_KEYS if k not in keys]
    if missing:
        pad = export_parse.parse_export([], missing).reindex(range(len(export)))
        pad.index = export.index
        export = pd.concat([export, pad], axis=1)
    frame = export_parse.export_to_time_entries(export, names_frame(lists))
    if columns is not None:
        frame = frame[list(columns)]
    return frame


def loaders_of(load: Callable[[str], pd.DataFrame], kinds: Sequence[str]) -> dict[str, Any]:
    """``{kind: load(kind)}`` for the entity lists ``kinds``."""
    return {kind: load(kind) for kind in kinds}
