"""Scope arguments of the loaders: an id, an xid, a name, a list of them, or None.

``people(company="Acme")`` must turn ``"Acme"`` into the reference the API
wants (``{"id": 3}`` or ``{"xid": "C-ACME"}``). Integers are ids and are sent
as they are (the server says if one does not exist). Strings are matched
against the entity's list, first as xids, then as keys (a string of digits:
the id of an entity without xid, as frames' ``key`` columns show it), then as
names; a name must be
unique, and an unknown string gets an error listing valid names.

Rows show an entity with an xid by its xid only (``{"xid": "C-INIT"}``, never
its numeric id): :func:`canonical` turns ids given by the user into that form
before rows are filtered, and :func:`fill_person` / :func:`fill_parents` add
the references ``time_entry.list`` rows leave out, in that same form.

The functions here never call the API themselves: they are given the loaders
(``frame_of``) or a ``<kind>.get`` (``get``) to use.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Collection, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd

from .. import periods, schema
from ..errors import NotFound, ValidationError

__all__ = [
    "Ref",
    "canonical",
    "check_scope",
    "fan_out",
    "fill_parents",
    "fill_person",
    "flag",
    "period",
    "ref_key",
    "ref_of_row",
    "refs_of_frame",
    "resolve",
    "select",
    "shown",
    "statuses",
]

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


#: The largest id the API (and a JSON integer of the server) can hold.
MAX_ID = 2**63 - 1


def shown(value: Any, limit: int = 60) -> str:
    """``repr(value)``, cut to ``limit`` characters (a whole Series can be an argument)."""
    try:
        text = repr(value)
    except Exception:  # a user object whose repr fails: its type says enough
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


def _item_problem(value: Any) -> str | None:
    """Why one item of a scope argument can name no entity whatever the account
    holds, or None when only the server (or the entity list) can tell."""
    if isinstance(value, bool | np.bool_):
        return "is a boolean, not an id, an xid or a name"
    if isinstance(value, int | np.integer):
        if not 1 <= int(value) <= MAX_ID:
            return f"is not an id: ids are integers from 1 to {MAX_ID}"
        return None
    if isinstance(value, str):
        return None if value.strip() else "is blank: give an id, an xid or a name"
    if isinstance(value, Mapping):
        if len(value) != 1 or not set(value) <= {"id", "xid"}:
            return "is not a reference: give {'id': <int>} or {'xid': <str>}"
        ((key, inner),) = value.items()
        if key == "id" and (
            isinstance(inner, bool | np.bool_) or not isinstance(inner, int | np.integer)
        ):
            return "is not a reference: its 'id' must be an integer"
        if key == "xid" and not isinstance(inner, str):
            return "is not a reference: its 'xid' must be a str"
        return _item_problem(inner)
    return "is not an id (int), an xid or a name (str), a list of them, or None"


def check_scope(kind: str, value: Any, *, name: str | None = None) -> list[Any] | None:
    """The items of a scope argument, checked without any request; None for "all".

    Every item is checked before any is looked up, so that an invalid one is
    refused before a name lookup spends a request.

    Parameters
    ----------
    kind
        The entity (``"company"``).
    value
        An id, an xid, a name, a reference, a list of them, or None.
    name
        The argument's name in messages (default: ``kind``).

    Raises
    ------
    ValidationError
        An item can name no entity: a boolean, a float, NaN/NA/NaT, bytes, a
        blank string, an id outside 1 .. 2**63-1, a malformed reference, a
        nested list. The message names the argument and the item.

    Examples
    --------
    >>> check_scope("company", ["Acme", 3, {"xid": "C1"}])
    ['Acme', 3, {'xid': 'C1'}]
    >>> check_scope("company", [3, 2.5])
    Traceback (most recent call last):
    ...
    beebole_pandas.errors.ValidationError: company=[3, 2.5]: 2.5 is not an id (int), an xid or a name (str), a list of them, or None
    """
    if value is None:
        return None
    items = list(value) if _is_list(value) else [value]
    label = name or kind
    for item in items:
        problem = _item_problem(item)
        if problem is not None:
            where = f"{label}={shown(value)}" + (f": {shown(item)}" if item is not value else "")
            raise ValidationError(f"{where} {problem}")
    return items


def _one(kind: str, value: Any, frame_of: Callable[[], pd.DataFrame]) -> Ref:
    # Items are checked by check_scope() first: here only valid shapes arrive.
    if isinstance(value, int | np.integer):
        return {"id": int(value)}
    if isinstance(value, Mapping):
        ((key, inner),) = value.items()
        return {"id": int(inner)} if key == "id" else {"xid": inner}
    frame = frame_of()
    xids = frame["xid"].to_numpy(dtype=object, na_value=None)
    hits = np.flatnonzero(xids == value)
    if len(hits) == 1:
        return {"xid": value}
    if value.isascii() and value.isdigit():  # a key (frames' ``key`` column): the id
        ids = frame["id"].to_numpy(dtype=object, na_value=None)
        hits = np.flatnonzero((ids == int(value)) & (xids == None))  # noqa: E711
        if len(hits) == 1:
            return {"id": int(value)}
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


def resolve(
    kind: str,
    value: Any,
    frame_of: Callable[[], pd.DataFrame],
    *,
    name: str | None = None,
) -> list[Ref] | None:
    """The references a scope argument names, or None for "all".

    Parameters
    ----------
    kind
        The entity (for messages): ``"company"``.
    value
        An id, an xid, a name, a list of them, or None.
    frame_of
        Loads the entity's frame (``id``, ``xid``, ``name``), called only for strings.
    name
        The argument's name in messages (default: ``kind``).

    Raises
    ------
    ValidationError
        An item can name no entity (see :func:`check_scope`; nothing loaded),
        or a name matches several entities.
    NotFound
        A string is neither an xid nor a name of the entity.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"id": pd.array([3, None], dtype="Int64"),
    ...                       "xid": pd.array([None, "C1"], dtype="string"),
    ...                       "name": pd.array(["Acme", "Beta"], dtype="string")})
    >>> resolve("company", ["Acme", "C1", 7, "Beta"], lambda: frame)
    [{'id': 3}, {'xid': 'C1'}, {'id': 7}]
    """
    values = check_scope(kind, value, name=name)
    if values is None:
        return None
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


Getter = Callable[[str, Ref], Mapping[str, Any] | None]
FrameOf = Callable[[str, bool], pd.DataFrame]


def ref_key(ref: Any) -> tuple[str, Any] | None:
    """``("xid", x)`` or ``("id", n)`` of a reference object, None if it has neither.

    >>> ref_key({"id": 3, "name": "Acme"}), ref_key({"xid": "C1"}), ref_key(None)
    (('id', 3), ('xid', 'C1'), None)
    """
    if not isinstance(ref, Mapping):
        return None
    if ref.get("xid") is not None:
        return ("xid", ref["xid"])
    if ref.get("id") is not None:
        return ("id", ref["id"])
    return None


def canonical(
    kind: str, refs: list[Ref] | None, get: Getter, *, known: Collection[int] = ()
) -> list[Ref] | None:
    """The references as rows show them: by xid for an entity that has one.

    A filter naming such an entity by its numeric id would match no row, so
    each ``{"id": n}`` is looked up with ``get(kind, ref)`` (``<kind>.get``),
    except the ids in ``known``: ids the entity's list shows, hence without xid.

    >>> canonical("company", [{"id": 105}, {"xid": "C1"}], lambda k, r: {"xid": "C-INIT"})
    [{'xid': 'C-INIT'}, {'xid': 'C1'}]
    """
    if refs is None:
        return None
    out: list[Ref] = []
    for ref in refs:
        if "id" in ref and "xid" not in ref and ref["id"] not in known:
            found = get(kind, ref)
            if found is not None and found.get("xid") is not None:
                ref = {"xid": found["xid"]}
        if ref not in out:
            out.append(ref)
    return out


def fill_person(rows: list[dict[str, Any]], person: Ref, get: Getter) -> list[dict[str, Any]]:
    """Name ``person``, the one the rows were listed for, in rows that lack it.

    ``time_entry.list`` names the person in its request, not in its rows. The
    person is written as rows show it (by xid when it has one) with its name,
    from ``get("person", person)``; when that gives nothing the request's
    reference is used as it is. Rows are changed in place and returned.

    >>> fill_person([{"id": 1}], {"id": 7}, lambda k, r: {"xid": "E-7", "name": "Ann"})
    [{'id': 1, 'person': {'xid': 'E-7', 'name': 'Ann'}}]
    """
    if all(ref_key(row.get("person")) is not None for row in rows):
        return rows
    shown: dict[str, Any] = dict(person)
    found = get("person", person)
    key = ref_key(found)
    if found is not None and key is not None:
        shown = {key[0]: key[1], "name": found.get("name")}
    for row in rows:
        if ref_key(row.get("person")) is None:
            row["person"] = dict(shown)
    return rows


class _Lists:
    """Name and parent of every entity of a kind, from its list frame; each
    list read once from the cache, and reloaded at most once (bypassing it)
    when an entity is missing, e.g. created since the list was cached."""

    def __init__(self, frame_of: FrameOf) -> None:
        self.frame_of = frame_of
        self.tables: dict[str, tuple[dict[Any, tuple[Any, Any]], bool]] = {}

    def _table(self, kind: str, refresh: bool) -> dict[Any, tuple[Any, Any]]:
        frame = self.frame_of(kind, refresh)

        def column(name: str) -> list[Any]:
            return frame[name].astype(object).where(frame[name].notna(), None).tolist()

        keys = [
            ref_key({"id": i, "xid": x}) for i, x in zip(column("id"), column("xid"), strict=True)
        ]
        parent = {"subproject": "project", "project": "company"}.get(kind)
        parents: list[Any] = [None] * len(frame)
        if parent is not None:
            parents = [
                ref_key({"id": i, "xid": x})
                for i, x in zip(column(f"{parent}_id"), column(f"{parent}_xid"), strict=True)
            ]
        return {
            k: (n, p)
            for k, n, p in zip(keys, column("name"), parents, strict=True)
            if k is not None
        }

    def get(self, kind: str, key: tuple[str, Any]) -> tuple[Any, Any] | None:
        """``(name, parent key)`` of one entity, or None if its list lacks it."""
        if kind not in self.tables:
            self.tables[kind] = (self._table(kind, False), False)
        table, fresh = self.tables[kind]
        if key not in table and not fresh:
            table = self._table(kind, True)
            self.tables[kind] = (table, True)
        return table.get(key)


def fill_parents(rows: list[dict[str, Any]], frame_of: FrameOf) -> list[dict[str, Any]]:
    """Fill the parent project and company of time-entry rows that lack them.

    The reference shows ``time_entry.list`` rows naming only the entity an
    entry is logged on (a subproject entry has no ``project`` nor
    ``company``); frames hold every ancestor, as the export does, so that
    ``company=`` / ``project=`` filters and the reports see them. Parents and
    their names come from the subproject, project and company lists
    (``frame_of(kind, refresh)``, a loader), read only when a row lacks a
    parent. Rows are changed in place and returned.

    >>> lists = {"subproject": pd.DataFrame({"id": [5], "xid": [None], "name": ["Design"],
    ...                                      "project_id": [None], "project_xid": ["P1"]}),
    ...          "project": pd.DataFrame({"id": [None], "xid": ["P1"], "name": ["Web"],
    ...                                   "company_id": [3], "company_xid": [None]}),
    ...          "company": pd.DataFrame({"id": [3], "xid": [None], "name": ["Acme"]})}
    >>> fill_parents([{"subproject": {"id": 5}}], lambda kind, refresh: lists[kind])
    [{'subproject': {'id': 5}, 'project': {'xid': 'P1', 'name': 'Web'}, 'company': {'id': 3, 'name': 'Acme'}}]
    """
    lists = _Lists(frame_of)
    for child, parent in (("subproject", "project"), ("project", "company")):
        for row in rows:
            if ref_key(row.get(parent)) is not None:
                continue
            key = ref_key(row.get(child))
            found = lists.get(child, key) if key is not None else None
            if found is None or found[1] is None:
                continue
            above = lists.get(parent, found[1])
            row[parent] = {found[1][0]: found[1][1], "name": above[0] if above else None}
    return rows


# -- other arguments of the loaders ---------------------------------------------------


def _day(value: Any, name: str) -> str:
    day: _dt.date | None = None
    if isinstance(value, str):
        try:
            day = _dt.date.fromisoformat(value[:10])
        except ValueError:
            pass
    elif isinstance(value, np.datetime64) and not np.isnat(value):
        # Its own unit, so that a date beyond what pandas' nanoseconds hold still converts.
        item = value.astype("datetime64[D]").item()  # an int beyond year 9999
        day = item if isinstance(item, _dt.date) else None
    elif value is pd.NaT:
        pass  # NaT is a datetime too, but names no day
    elif isinstance(value, _dt.datetime):
        day = value.date()  # a Timestamp too; its wall-clock date (the API has no time zones)
    elif isinstance(value, _dt.date):
        day = value
    if day is None:
        raise ValidationError(
            f"{name}={shown(value)} is not a date; use 'YYYY-MM-DD', a date or a Timestamp"
        )
    # isoformat(), not strftime: strftime drops the zeros of years before 1000.
    return day.isoformat()


def period(start: Any, end: Any = None, *, today: Any = None) -> tuple[str, str]:
    """A period argument as two ISO dates, checked.

    ``start`` and ``end`` are days (``"2024-01-01"``, a date, a Timestamp) or
    any period of :mod:`beebole_pandas.periods` (``"2026-11"``, ``"2026-Q4"``,
    ``"2026"``, ``"2026-W45"``, a :class:`pandas.Period`, ``"last-month"``...):
    ``start`` gives its first day, ``end`` its last. Without ``end`` the
    period is ``start`` alone (one day, or the whole month, quarter...).
    ``today`` anchors the relative names (default: the current date).

    >>> period("2024-01-01", pd.Timestamp("2024-01-31 10:00"))
    ('2024-01-01', '2024-01-31')
    >>> period("2026-Q4")
    ('2026-10-01', '2026-12-31')
    >>> period("last-month", today="2026-12-03")
    ('2026-11-01', '2026-11-30')
    """
    first = _bound(start, "start", today, last=False)
    last = first if end is None and periods.is_day(start) else None
    if last is None:
        last = _bound(start if end is None else end, "end", today, last=True)
    if last < first:
        raise ValidationError(f"end ({last}) is before start ({first})")
    return first, last


def _bound(value: Any, name: str, today: Any, *, last: bool) -> str:
    """The first (or ``last``) day of a day or period argument, as ``YYYY-MM-DD``."""
    try:
        return _day(value, name)
    except ValidationError as exc:
        if periods.is_day(value) or isinstance(value, _dt.date | np.datetime64):
            raise
        try:
            found = periods.span(value, today=today)
        except ValidationError:
            raise ValidationError(
                f"{exc}, or a period such as '2026-11', '2026-Q4', '2026' or 'last-month'"
            ) from None
        return (found.end if last else found.start).strftime("%Y-%m-%d")


def statuses(status: Any, *, name: str = "status") -> list[str] | None:
    """A status argument (codes or labels, one or a list) as codes; None for all.

    >>> statuses(["approved", "s", "a"])
    ['a', 's']

    Raises
    ------
    ValidationError
        Naming the argument, when it is neither a code, a label nor a list of them.
    """
    if status is None:
        return None
    valid = ", ".join(f"{c!r} ({schema.STATUS_LABELS[c]})" for c in schema.STATUS_CODES)
    if isinstance(status, str):
        values = [status]
    elif _is_list(status):
        values = list(status)
    else:
        raise ValidationError(
            f"{name}={shown(status)} is not a status code or label, nor a list of them; "
            f"valid statuses are {valid}"
        )
    codes: list[str] = []
    for v in values:
        # Only text can be a code or a label (NA, NaN or a number cannot be compared safely).
        code = schema.STATUS_CODE_OF.get(v) if isinstance(v, str) else None
        if code not in schema.STATUS_CODES:
            raise ValidationError(f"unknown {name} {shown(v)}; valid statuses are {valid}")
        if code not in codes:
            codes.append(code)
    return codes


def flag(value: Any, name: str) -> bool:
    """A True/False argument, checked (``refresh=pd.NA`` has no truth value).

    >>> flag(True, "refresh")
    True
    """
    if isinstance(value, bool | np.bool_):
        return bool(value)
    raise ValidationError(f"{name}={shown(value)} must be True or False")
