"""Scope arguments of the loaders: an id, an xid, a name, a list of them, or None.

``people(company="Acme")`` must turn ``"Acme"`` into the reference the API
wants (``{"id": 3}`` or ``{"xid": "C-ACME"}``). Integers are ids and are sent
as they are (the server says if one does not exist). Strings are matched
against the entity's list, first as xids, then as names; a name must be
unique, and an unknown string gets an error listing valid names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd

from .errors import NotFound, ValidationError

__all__ = ["Ref", "fan_out", "ref_of_row", "refs_of_frame", "resolve", "select"]

Ref = dict[str, Any]
#: Parallel requests for one loader: enough to hide latency, few enough to be polite.
MAX_WORKERS = 4
_SHOWN = 8


def ref_of_row(ident: Any, xid: Any) -> Ref:
    """``{"xid": ..}`` for an entity with an xid, else ``{"id": ..}``."""
    if xid is not None and xid is not pd.NA and not (isinstance(xid, float) and np.isnan(xid)):
        return {"xid": str(xid)}
    return {"id": int(ident)}


def refs_of_frame(frame: pd.DataFrame) -> list[Ref]:
    """The reference of every row of an entity frame, in order."""
    return [
        ref_of_row(i, x)
        for i, x in zip(
            frame["id"].astype(object).tolist(), frame["xid"].astype(object).tolist(), strict=True
        )
    ]


def _is_list(value: Any) -> bool:
    return isinstance(value, list | tuple | set | frozenset | pd.Series | pd.Index | np.ndarray)


def _describe(frame: pd.DataFrame, rows: Iterable[int]) -> str:
    parts = []
    for i in rows:
        xid = frame["xid"].iat[i]
        ident = f"xid {xid!r}" if not pd.isna(xid) else f"id {frame['id'].iat[i]}"
        parts.append(f"{frame['name'].iat[i]!r} ({ident})")
    return ", ".join(parts)


def _one(kind: str, value: Any, frame_of: Callable[[], pd.DataFrame]) -> Ref:
    if isinstance(value, bool):
        raise ValidationError(f"{kind}={value!r} is not an id, an xid or a name")
    if isinstance(value, int | np.integer):
        return {"id": int(value)}
    if isinstance(value, dict) and len(value) == 1 and ("id" in value or "xid" in value):
        return dict(value)
    if not isinstance(value, str):
        raise ValidationError(
            f"{kind}={value!r} is not an id (int), an xid or a name (str), a list of them, or None"
        )
    frame = frame_of()
    xids = frame["xid"].to_numpy(dtype=object, na_value=None)
    hits = np.flatnonzero(xids == value)
    if len(hits) == 1:
        return {"xid": value}
    names = frame["name"].to_numpy(dtype=object, na_value=None)
    hits = np.flatnonzero(names == value)
    if len(hits) == 0:
        folded = np.array(
            [n.casefold() if isinstance(n, str) else None for n in names], dtype=object
        )
        hits = np.flatnonzero(folded == value.casefold())
    if len(hits) == 1:
        i = int(hits[0])
        return ref_of_row(frame["id"].iat[i], frame["xid"].iat[i])
    if len(hits) > 1:
        raise ValidationError(
            f"{kind} name {value!r} is ambiguous: it matches {len(hits)} {kind} rows: "
            f"{_describe(frame, hits[:_SHOWN])}. Pass the id or xid instead."
        )
    valid = sorted({n for n in names if isinstance(n, str)})
    more = f" and {len(valid) - _SHOWN} more" if len(valid) > _SHOWN else ""
    raise NotFound(
        f"no {kind} has the xid or name {value!r}; valid names include: "
        f"{', '.join(repr(n) for n in valid[:_SHOWN])}{more}"
        if valid
        else f"no {kind} has the xid or name {value!r}: the account has none."
    )


def resolve(kind: str, value: Any, frame_of: Callable[[], pd.DataFrame]) -> list[Ref] | None:
    """The references a scope argument names, or None for "all".

    Parameters
    ----------
    kind
        The entity (for messages): ``"company"``.
    value
        An id, an xid, a name, a list of them, or None.
    frame_of
        Loads the entity's frame (``id``, ``xid``, ``name``), called only for strings.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"id": pd.array([3, None], dtype="Int64"),
    ...                       "xid": pd.array([None, "C1"], dtype="string"),
    ...                       "name": pd.array(["Acme", "Beta"], dtype="string")})
    >>> resolve("company", ["Acme", "C1", 7, "Beta"], lambda: frame)
    [{'id': 3}, {'xid': 'C1'}, {'id': 7}]
    """
    if value is None:
        return None
    values = list(value) if _is_list(value) else [value]
    cached: list[pd.DataFrame] = []

    def once() -> pd.DataFrame:
        if not cached:
            cached.append(frame_of())
        return cached[0]

    refs: list[Ref] = []
    for v in values:
        ref = _one(kind, v, once)
        if ref not in refs:
            refs.append(ref)
    return refs


def select(frame: pd.DataFrame, prefix: str, refs: list[Ref] | None) -> pd.DataFrame:
    """The rows whose ``<prefix>_id`` / ``<prefix>_xid`` is one of ``refs`` (all if None)."""
    if refs is None:
        return frame
    ids = [r["id"] for r in refs if "id" in r]
    xids = [r["xid"] for r in refs if "xid" in r]
    keep = frame[f"{prefix}_id"].isin(ids).fillna(False) | frame[f"{prefix}_xid"].isin(xids).fillna(
        False
    )
    return frame[keep.to_numpy(bool)].reset_index(drop=True)


def fan_out(call: Callable[[Any], Any], items: list[Any]) -> list[Any]:
    """``[call(i) for i in items]``, a few at a time, results in order.

    The client is thread-safe (one cache lock per request key); the first
    failure is raised as it is.
    """
    if len(items) <= 1:
        return [call(i) for i in items]
    with ThreadPoolExecutor(max_workers=min(MAX_WORKERS, len(items))) as pool:
        return list(pool.map(call, items))
