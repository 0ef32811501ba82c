"""JSON rows <-> typed DataFrames, following the table of :mod:`beebole_pandas.schema`.

:func:`to_frame` is the only path from the API's JSON rows to a frame, and
:func:`to_payload` the only way back. A frame is built column by column: the
values of every column are gathered into a plain list with one comprehension
over the rows, then each list becomes one pandas array of the column's dtype.
No pandas operation ever runs per row, which is what makes 100k time entries
load in a fraction of a second.

Conventions (``shared/design.md``):

* ``{"company": {"id": 3}}`` fills ``company_id``; ``{"company": {"xid": "C1"}}``
  fills ``company_xid``. An entity created with an xid has no id, so one list
  can mix both kinds of rows; ``id`` and ``xid`` columns are always present.
* dtypes are pandas' nullable ones (``Int64``, ``Float64``, ``boolean``,
  ``string``), dates and date-times naive ``datetime64[ns]`` (the API has no
  time zones: values are the account's local wall-clock time and are never
  localised or converted), and the time-entry ``status`` an ordered
  categorical of the labels ``draft < submitted < approved < rejected <
  locked`` (:data:`beebole_pandas.schema.STATUS_ORDER`); the API's codes
  (``d, s, a, r, l``) are read and written, labels or codes accepted on input.
* An empty list gives the same columns and dtypes as a full one.

>>> from beebole_pandas.frames import to_frame, to_payload
>>> df = to_frame("company", [{"id": 3, "name": "Acme", "active": True},
...                           {"xid": "C1", "name": "Beta", "projects": {"count": 2}}])
>>> df[["id", "xid", "name", "projects_count"]].to_dict("list")
{'id': [3, None], 'xid': [None, 'C1'], 'name': ['Acme', 'Beta'], 'projects_count': [None, 2]}
>>> to_payload("company", df.iloc[1])
{'xid': 'C1', 'name': 'Beta'}
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import schema
from .errors import SchemaError
from .schema import Field

__all__ = [
    "STATUS_INDEX",
    "build_frame",
    "check_columns",
    "column_array",
    "empty_frame",
    "empty_of",
    "is_missing",
    "key_array",
    "missing_array",
    "pandas_dtype",
    "provenance",
    "string_array",
    "to_frame",
    "to_payload",
    "with_keys",
]

_STATUS_DTYPE = pd.CategoricalDtype(list(schema.STATUS_ORDER), ordered=True)
#: Status code or label (any case) -> position in STATUS_ORDER.
STATUS_INDEX: dict[str, int] = {
    name: schema.STATUS_CODES.index(code) for name, code in schema.STATUS_CODE_OF.items()
}


def pandas_dtype(name: str) -> Any:
    """The pandas dtype for a schema dtype name.

    >>> pandas_dtype("status").categories.tolist()
    ['draft', 'submitted', 'approved', 'rejected', 'locked']
    >>> pandas_dtype("Int64")
    Int64Dtype()
    """
    if name == "status":
        return _STATUS_DTYPE
    if name == "datetime64[ns]":
        return np.dtype("datetime64[ns]")
    if name in schema.DTYPES:
        return pd.api.types.pandas_dtype(name)
    raise SchemaError(f"unknown dtype {name!r}; valid dtypes are: {', '.join(schema.DTYPES)}")


# --------------------------------------------------------------------------- building


class _BadValue(ValueError):
    """A refusal whose message already names the value."""


_ARROW_ERRORS = (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError)


def _arrow(values: Sequence[Any], kind: Any = None) -> Any:
    """``values`` as an Arrow array converted in C (None, NaN and NA become
    nulls), or None when they do not convert; the callers then take a
    slower, checked path that names what is wrong."""
    try:
        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
        if isinstance(values, pa.Array):
            return values if kind is None or values.type == kind else values.cast(kind)
        return pa.array(values, type=kind, from_pandas=True)
    except _ARROW_ERRORS:
        return None


def _plain(values: Any) -> Any:
    """Python values for the checked paths (Arrow input arrives from CSV)."""
    if isinstance(values, pa.Array | pa.ChunkedArray):
        return values.to_pylist()
    return values


_DATE_TYPES = (str, _dt.date, np.datetime64)
# What datetime64[ns] can hold; numpy would wrap a date beyond it around silently.
_FIRST_DAY, _LAST_DAY = np.datetime64("1677-09-22", "s"), np.datetime64("2262-04-11", "s")


def _datetimes(values: Sequence[Any]) -> np.ndarray:
    # Arrow parses ISO dates and "YYYY-MM-DD HH:MM:SS" in C; numpy, the
    # fallback, also takes Timestamps and reports what it cannot parse.
    text = _arrow(values, pa.large_string())
    if text is not None:
        try:
            # Dates beyond datetime64[ns] (9999-12-31) fail here too; the
            # checked path below names them.
            stamps = text.cast(pa.timestamp("ns"))
        except _ARROW_ERRORS:
            pass
        else:
            return stamps.to_numpy(zero_copy_only=False)
    values = [None if is_missing(v) else v for v in _plain(values)]
    odd = [v for v in values if v is not None and not isinstance(v, _DATE_TYPES)]
    if odd:
        # numpy would read a number as seconds since 1970: refuse it instead.
        raise _BadValue(f"{odd[0]!r} is not a date")
    stamps = np.array(values, dtype="datetime64[s]")
    beyond = (stamps < _FIRST_DAY) | (stamps > _LAST_DAY)
    if beyond.any():
        raise _BadValue(
            f"{values[int(beyond.argmax())]!r} is outside the dates a frame can hold "
            f"({_FIRST_DAY.astype('datetime64[D]')} to {_LAST_DAY.astype('datetime64[D]')})"
        )
    return stamps.astype("datetime64[ns]")


def _status(values: Sequence[Any]) -> pd.Categorical:
    # Five codes over many rows: map the distinct values, not every row.
    text = _arrow(values, pa.large_string())
    if text is None:
        values = _plain(values)
        distinct = list(dict.fromkeys(v for v in values if not is_missing(v)))
        codes = [STATUS_INDEX.get(v, -2) if not is_missing(v) else -1 for v in values]
    else:
        encoded = text.dictionary_encode()
        distinct = encoded.dictionary.to_pylist()
        lookup = np.array([STATUS_INDEX.get(v, -2) for v in distinct] + [-1], dtype=np.int8)
        codes = lookup[encoded.indices.fill_null(len(distinct)).to_numpy(zero_copy_only=False)]
    bad = sorted({str(v) for v in distinct if v not in STATUS_INDEX})
    if bad:
        raise _BadValue(
            f"unknown status {', '.join(bad)}; valid statuses are "
            + ", ".join(f"{schema.STATUS_LABELS[c]} ({c})" for c in schema.STATUS_CODES)
        )
    return pd.Categorical.from_codes(np.asarray(codes, dtype=np.int8), dtype=_STATUS_DTYPE)


def _arrow_strings() -> bool:
    # "string" follows pandas' string_storage option: pyarrow (the default
    # when pyarrow is installed, and this package requires it) unless the
    # user asked for Python objects.
    return getattr(pandas_dtype("string"), "storage", None) == "pyarrow"


def string_array(values: Sequence[Any]) -> Any:
    """An array of the frames' ``string`` dtype from text values and missing
    values (None, NaN, NA), or from an Arrow array: the one way every module
    builds a string column, so that all of them share one storage.

    >>> string_array(["a", None]).tolist()
    ['a', <NA>]
    """
    if _arrow_strings():
        # Arrow copies the Python strings into one buffer in C: about a
        # quarter of the memory of an object column, and several times faster
        # than pd.array. Anything but text/None/NaN/NA takes pd.array's
        # converting path below.
        data = _arrow(values, pa.large_string())
        if data is not None:
            return pd.arrays.ArrowStringArray(data)
    values = _plain(values)
    if isinstance(values, list) and values.count(None) == len(values):
        return missing_array("string", len(values))
    return pd.array(values, dtype="string")


def missing_array(dtype: str, n: int) -> Any:
    """An array of ``n`` missing values of a schema dtype, built without a
    per-value pass (sparse reference columns are often entirely empty).

    >>> missing_array("string", 2).tolist()
    [<NA>, <NA>]
    """
    if dtype == "string":
        if _arrow_strings():
            return pd.arrays.ArrowStringArray(pa.nulls(n, pa.large_string()))
        return pd.array(np.full(n, pd.NA, dtype=object), dtype="string")
    if dtype == "Int64":
        return pd.arrays.IntegerArray(np.zeros(n, np.int64), np.ones(n, bool))
    if dtype == "Float64":
        return pd.arrays.FloatingArray(np.zeros(n, np.float64), np.ones(n, bool))
    if dtype == "boolean":
        return pd.arrays.BooleanArray(np.zeros(n, bool), np.ones(n, bool))
    if dtype == "datetime64[ns]":
        return np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    if dtype == "status":
        return pd.Categorical.from_codes(np.full(n, -1, np.int8), dtype=_STATUS_DTYPE)
    raise SchemaError(f"unknown dtype {dtype!r}; valid dtypes are: {', '.join(schema.DTYPES)}")


_NUMBERS = frozenset({int, float, type(None)})


def _number_kinds(values: Sequence[Any]) -> set[type] | None:
    """The Python types among ``values`` (None for Arrow input, which is typed).

    Refuses booleans: Arrow and pd.array would read True as 1 (Arrow once it
    has settled on a number type, so the outcome would depend on the order of
    the rows), and a JSON boolean is never a number here.
    """
    if isinstance(values, pa.Array | pa.ChunkedArray):
        if pa.types.is_boolean(values.type):
            raise _BadValue("true/false is a boolean, not a number")
        return None
    kinds = set(map(type, values))
    if bool in kinds or np.bool_ in kinds:
        value = next(v for v in values if isinstance(v, bool | np.bool_))
        raise _BadValue(f"{value!r} is a boolean, not a number")
    return kinds


def _floats(values: Sequence[Any]) -> pd.arrays.FloatingArray:
    kinds = _number_kinds(values)
    if kinds is None or kinds <= _NUMBERS:
        data = _arrow(values, pa.float64())
        if data is not None:
            return pd.Float64Dtype().__from_arrow__(data)
    # Text, or integers beyond 2**53 (Arrow will not round them): pd.array's
    # checked path converts what it can and refuses the rest.
    return pd.array(_plain(values), dtype="Float64")


def _integers(values: Sequence[Any]) -> pd.arrays.IntegerArray:
    kinds = _number_kinds(values)
    if kinds is None or kinds <= {int, type(None)}:
        # Only ints (or typed Arrow input): nothing can be truncated.
        data = _arrow(values, pa.int64())
        if data is not None:
            return pd.Int64Dtype().__from_arrow__(data)
    values = _plain(values)
    if not set(map(type, values)) <= _NUMBERS:
        return pd.array(values, dtype="Int64")
    numbers = np.array(values, dtype=np.float64)
    mask = np.isnan(numbers)
    numbers[mask] = 0
    # Whole floats (7.0) are ids too; a fraction is refused, never truncated.
    fraction = numbers != np.trunc(numbers)
    if fraction.any():
        raise _BadValue(f"{values[int(fraction.argmax())]!r} is not a whole number")
    if (np.abs(numbers) > 2**53).any():
        # The checked path, exact or refusing; a float beyond int64 is refused, and
        # numpy's warning about the cast it tried first says nothing more.
        with np.errstate(invalid="ignore"):
            return pd.array(values, dtype="Int64")
    return pd.arrays.IntegerArray(numbers.astype(np.int64), mask)


_BUILDERS: dict[str, Callable[[list[Any]], Any]] = {
    "Int64": _integers,
    "Float64": _floats,
    "boolean": lambda v: pd.array(v, dtype="boolean"),
    "string": string_array,
    "datetime64[ns]": _datetimes,
    "status": _status,
}


def column_array(values: list[Any], dtype: str, *, column: str = "?") -> Any:
    """Turn one column's plain values into an array of the schema dtype.

    ``None`` (and NaN/NA) become missing values. Raises
    :class:`~beebole_pandas.errors.SchemaError` naming the column when a value
    does not fit.

    >>> column_array(["2024-01-02", None], "datetime64[ns]", column="date")
    array(['2024-01-02T00:00:00.000000000',                           'NaT'],
          dtype='datetime64[ns]')
    """
    try:
        builder = _BUILDERS[dtype]
    except KeyError:
        raise SchemaError(
            f"column {column!r} has unknown dtype {dtype!r}; valid dtypes are: {', '.join(_BUILDERS)}"
        ) from None
    try:
        return builder(values)
    except _BadValue as exc:
        raise SchemaError(f"column {column!r} expects {dtype} values: {exc}") from exc
    except (TypeError, ValueError, OverflowError, IndexError) as exc:
        # IndexError: pandas' boolean path indexes a nested list ([[]]) as if 2-D.
        sample = next((v for v in _plain(values) if not is_missing(v)), None)
        raise SchemaError(
            f"column {column!r} expects {dtype} values, got e.g. {sample!r}: {exc}"
        ) from exc


def _dig(value: Any, keys: Sequence[str], column: str) -> Any:
    for key in keys:
        if value is None:
            return None
        if not isinstance(value, Mapping):
            raise SchemaError(
                f"column {column!r}: expected an object at {'.'.join(keys)!r}, got {value!r}"
            )
        value = value.get(key)
    return value


def _plan(fields: Sequence[Field]) -> dict[str, list[tuple[int, list[str]]]]:
    by_top: dict[str, list[tuple[int, list[str]]]] = {}
    for i, f in enumerate(fields):
        top, *rest = f.path.split(".")
        by_top.setdefault(top, []).append((i, rest))
    return by_top


_EXTRACTORS: dict[tuple[str, ...], Callable[[list[Any]], list[list[Any]]]] = {}


def _extractor(fields: Sequence[Field]) -> Callable[[list[Any]], list[list[Any]]]:
    """A function gathering every column in one pass over the rows.

    It is generated from the paths (and cached per field list) because a
    straight-line loop body, reading each top-level member once, is about
    twice as fast as one comprehension per column (the per-row overhead is
    paid once, not once per column). Columns are preallocated lists filled by
    index: a store is cheaper than an ``append`` call, and an absent
    reference costs no store at all. The source only ever contains the
    schema's own paths, as ``repr`` literals.
    """
    key = tuple(f.path for f in fields)
    cached = _EXTRACTORS.get(key)
    if cached is not None:
        return cached
    n = len(fields)
    body = ["def extract(rows):", "    size = len(rows)"]
    body += [f"    c{i} = [None] * size" for i in range(n)]
    # r.get(...) is called as a method, not through a saved bound method:
    # CPython's method-call path makes that about 25% faster.
    body += ["    i = 0", "    for r in rows:"]
    for top, wanted in _plan(fields).items():
        flat = [i for i, rest in wanted if not rest]
        nested = [(i, rest) for i, rest in wanted if rest]
        if not nested:
            body += [f"        c{i}[i] = r.get({top!r})" for i in flat]
            continue
        body.append(f"        v = r.get({top!r})")
        body += [f"        c{i}[i] = v" for i in flat]
        # An absent reference leaves its columns at None: nothing to store.
        body.append("        if v is not None:")
        for i, rest in nested:
            if len(rest) == 1:
                body.append(f"            c{i}[i] = v.get({rest[0]!r})")
            else:
                body.append(f"            c{i}[i] = dig(v.get({rest[0]!r}), {rest[1:]!r}, '')")
    body.append("        i += 1")
    body.append("    return [" + ", ".join(f"c{i}" for i in range(n)) + "]")
    namespace: dict[str, Any] = {"dig": _dig}
    exec(compile("\n".join(body), f"<beebole_pandas extractor {key[:3]}...>", "exec"), namespace)
    extract = namespace["extract"]
    _EXTRACTORS[key] = extract
    return extract  # type: ignore[no-any-return]


def _gather_checked(rows: list[Any], fields: Sequence[Field]) -> list[list[Any]]:
    """The slow path, only used to name the column of a malformed value."""
    out: list[list[Any]] = [[] for _ in fields]
    for row in rows:
        if not isinstance(row, Mapping):
            raise SchemaError(f"expected JSON objects as rows, got {row!r}")
        for i, f in enumerate(fields):
            out[i].append(_dig(row, f.path.split("."), f.column))
    return out


def _gather(rows: list[Any], fields: Sequence[Field]) -> list[list[Any]]:
    """One list of plain values per field, in field order."""
    try:
        return _extractor(fields)(rows)
    except (AttributeError, TypeError, SchemaError):
        return _gather_checked(rows, fields)


def build_frame(
    fields: Sequence[Field],
    rows: Iterable[Mapping[str, Any]],
    *,
    attrs: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Build a typed frame from rows for any list of fields (entity or relation).

    :func:`to_frame` is this function with an entity's fields; the relationship
    frames of :mod:`beebole_pandas.load.relations` use it with their own fields.

    >>> from beebole_pandas.schema import Field
    >>> build_frame([Field("n", "Int64", "a.n")], [{"a": {"n": 1}}, {}]).dtypes.to_dict()
    {'n': Int64Dtype()}
    """
    if not isinstance(rows, list):
        try:
            rows = list(rows)
        except TypeError:  # not iterable: None, a number
            raise SchemaError(
                f"rows must be a list of JSON objects, got {type(rows).__name__}"
            ) from None
    read = [f for f in fields if f.keyed is None]
    gathered = _gather(rows, read)
    data = {
        f.column: column_array(values, f.dtype, column=f.column)
        for f, values in zip(read, gathered, strict=True)
    }
    data = with_keys(data, fields)
    frame = pd.DataFrame(data, index=pd.RangeIndex(len(rows)), copy=False)
    if attrs is not None:
        frame.attrs["beebole"] = dict(attrs)
    return frame


def key_array(ids: Any, xids: Any = None) -> Any:
    """The join keys of a column pair: the xid where there is one, else the id,
    as a string (``<NA>`` where both are missing).

    >>> key_array(pd.array([1, None, None], dtype="Int64"), string_array([None, "C-1", None])).tolist()
    ['1', 'C-1', <NA>]
    """
    # In Arrow, in C: the time-entry frame has seven key columns.
    keys = pc.cast(pa.array(ids, type=pa.int64(), from_pandas=True), pa.large_string())
    if xids is not None:
        keys = pc.coalesce(pa.array(xids, type=pa.large_string(), from_pandas=True), keys)
    return string_array(keys)


def with_keys(data: dict[str, Any], fields: Sequence[Field]) -> dict[str, Any]:
    """``data`` (column -> array) with the join keys of ``fields`` added, in field order."""
    for f in fields:
        if f.keyed is not None:
            ids, xids = f.keyed
            data[f.column] = key_array(data[ids], data[xids] if xids else None)
    return {f.column: data[f.column] for f in fields}


def provenance(entity: str, scope: Any) -> dict[str, Any]:
    """What ``frame.attrs["beebole"]`` records: the entity, the scope asked for,
    and the load time (UTC, ISO 8601). Every loader builds it here.

    >>> sorted(provenance("company", None))
    ['entity', 'loaded_at', 'scope']
    """
    return {
        "entity": entity,
        "scope": scope,
        "loaded_at": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
    }


def to_frame(entity: str, rows: Iterable[Mapping[str, Any]], *, scope: Any = None) -> pd.DataFrame:
    """Turn the API's JSON rows of one entity into a typed DataFrame.

    Parameters
    ----------
    entity
        The entity's API name (``"company"``, ``"person"``, ..., ``"time_entry"``).
    rows
        JSON objects as the list service returns them.
    scope
        Recorded in ``frame.attrs["beebole"]`` (with the entity and the load time).

    Returns
    -------
    DataFrame
        Exactly ``schema.entity(entity).columns``, with their dtypes, even when
        ``rows`` is empty.

    Examples
    --------
    >>> df = to_frame("time_entry", [{"id": 7, "date": "2024-03-01", "hours": 7.5,
    ...                               "status": "d", "project": {"xid": "P1"}}])
    >>> df.loc[0, "project_xid"], str(df["date"].dtype), str(df["status"].dtype)
    ('P1', 'datetime64[ns]', 'category')
    """
    spec = schema.entity(entity)
    return build_frame(spec.fields, rows, attrs=provenance(entity, scope))


def empty_frame(entity: str, *, scope: Any = None) -> pd.DataFrame:
    """The frame of an entity with no rows (same columns and dtypes as a full one).

    >>> empty_frame("task").dtypes["active"]
    BooleanDtype
    """
    return to_frame(entity, [], scope=scope)


def empty_of(columns: Iterable[tuple[str, str]]) -> pd.DataFrame:
    """A frame with no rows and these ``(column, dtype name)`` pairs, e.g. an
    export's (:func:`beebole_pandas.export_keys.export_columns`).

    >>> empty_of([("hours", "Float64"), ("status", "status")]).dtypes["hours"]
    Float64Dtype()
    """
    return pd.DataFrame({c: pd.Series([], dtype=pandas_dtype(d)) for c, d in columns})


def check_columns(
    frame: Any, columns: Iterable[Any] | None = None, *, what: str = "frame"
) -> pd.DataFrame:
    """``frame``, refused with a :class:`~beebole_pandas.errors.SchemaError` unless
    it is a DataFrame whose columns can be read one by one.

    Every frame function reads a column as ``frame[name]``: with MultiIndex
    columns that is a sub-frame (or nothing), with a repeated label a frame of
    several columns, and either fails far from the cause. So both are refused
    up front, saying what to do.

    Parameters
    ----------
    frame
        The frame given by the user.
    columns
        The labels the caller reads: only their repetitions are refused (a
        repeated column nobody reads does no harm). None: every label.
    what
        What the frame is, for messages (``"entries"``, ``"frame"``).

    Examples
    --------
    >>> check_columns(pd.DataFrame([[1, 2]], columns=["id", "id"]))
    Traceback (most recent call last):
    ...
    beebole_pandas.errors.SchemaError: frame has the column 'id' more than once; keep one of them (e.g. frame.loc[:, ~frame.columns.duplicated()])
    """
    if not isinstance(frame, pd.DataFrame):
        raise SchemaError(f"{what} must be a pandas DataFrame, got {type(frame).__name__}")
    labels = frame.columns
    if isinstance(labels, pd.MultiIndex):
        example = f", e.g. {labels[0]!r}" if len(labels) else ""
        raise SchemaError(
            f"{what} has MultiIndex columns ({labels.nlevels} levels{example}) but Beebole "
            "frames have one level of column names; flatten them first, e.g. "
            f"{what}.columns = {what}.columns.get_level_values(0)"
        )
    if labels.is_unique:
        return frame
    read = None if columns is None else set(columns)
    repeated = [c for c in dict.fromkeys(labels[labels.duplicated()]) if read is None or c in read]
    if repeated:
        raise SchemaError(
            f"{what} has the column {repeated[0]!r} more than once; keep one of them "
            f"(e.g. {what}.loc[:, ~{what}.columns.duplicated()])"
        )
    return frame


# --------------------------------------------------------------------------- the way back


def is_missing(value: Any) -> bool:
    """Whether one cell is a missing value (None, NA, NaT or NaN).

    >>> is_missing(pd.NA), is_missing(float("nan")), is_missing(""), is_missing(0)
    (True, True, False, False)
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, np.generic):
        return bool(pd.isna(value))
    return False


def _json_value(value: Any, dtype: str, column: str) -> Any:
    try:
        if dtype == "Int64":
            if isinstance(value, float | np.floating) and not float(value).is_integer():
                raise ValueError("not an integer")
            return int(value)
        if dtype == "Float64":
            return float(value)
        if dtype == "boolean":
            if not isinstance(value, bool | np.bool_):
                raise ValueError("not a boolean")
            return bool(value)
        if dtype == "datetime64[ns]":
            stamp = pd.Timestamp(value)
            if stamp.tzinfo is not None:
                raise ValueError("the API has no time zones: use naive local times")
            if stamp == stamp.normalize():
                return stamp.strftime("%Y-%m-%d")
            return stamp.strftime("%Y-%m-%d %H:%M:%S")
        if dtype == "status":
            if str(value) not in schema.STATUS_CODE_OF:
                raise ValueError(f"valid statuses are {', '.join(schema.STATUS_ORDER)}")
            return schema.STATUS_CODE_OF[str(value)]  # the API takes codes
        return str(value)
    except (TypeError, ValueError) as exc:
        raise SchemaError(f"column {column!r} expects {dtype}, got {value!r}: {exc}") from exc


def _put(payload: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    node = payload
    for key in parents:
        node = node.setdefault(key, {})
    node[last] = value


def _get(row: Mapping[str, Any], column: str) -> Any:
    try:
        return row[column]
    except (KeyError, IndexError):
        return None


def to_payload(entity: str, row: Mapping[str, Any], *, identity: bool = True) -> dict[str, Any]:
    """Turn one frame row back into the API's JSON for create/update.

    Only writable fields with a value are sent. A reference is sent as
    ``{"xid": ..}`` when its ``<ref>_xid`` is set, else as ``{"id": ..}``. With
    ``identity`` the entity's own ``xid`` (else ``id``) is included. A time
    entry names exactly one of company / project / subproject / absence: the
    deepest one that is set.

    Parameters
    ----------
    entity
        The entity's API name.
    row
        A mapping column -> value (a ``dict``, or a row ``Series`` of a frame).
    identity
        Include the entity's own ``xid`` or ``id``.

    Examples
    --------
    >>> to_payload("project", {"id": 4, "name": "Dev", "start_date": pd.Timestamp("2024-01-02"),
    ...                        "company_id": 3, "company_xid": pd.NA, "budget": None})
    {'id': 4, 'name': 'Dev', 'startDate': '2024-01-02', 'company': {'id': 3}}
    """
    spec = schema.entity(entity)
    payload: dict[str, Any] = {}
    if identity:
        columns = set(spec.columns)
        xid = _get(row, "xid") if "xid" in columns else None
        ident = _get(row, "id") if "id" in columns else None
        if not is_missing(xid):
            payload["xid"] = _json_value(xid, "string", "xid")
        elif not is_missing(ident):
            payload["id"] = _json_value(ident, "Int64", "id")
    refs: dict[str, dict[str, Any]] = {}
    for f in spec.writable:
        value = _get(row, f.column)
        if is_missing(value):
            continue
        if f.ref is not None:
            key = f.path.rsplit(".", 1)[1]
            refs.setdefault(f.ref, {})[key] = _json_value(value, f.dtype, f.column)
            continue
        _put(payload, f.path, _json_value(value, f.dtype, f.column))
    if spec.name == "time_entry":
        targets = [t for t in schema.TIME_ENTRY_TARGETS if t in refs]
        for t in targets[:-1]:
            del refs[t]
    for ref, ids in refs.items():
        # xid wins: an entity created with an xid is addressed by it only.
        payload[ref] = {"xid": ids["xid"]} if "xid" in ids else {"id": ids["id"]}
    return payload


def __dir__() -> list[str]:
    # Tab completion offers the public names only, not the imports.
    return sorted(__all__)
