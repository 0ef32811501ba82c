"""Typed frames from ``time_entry.export`` results, in array or CSV form.

An export names its columns by the ``keys`` of the request, in order; the
labels of the first row are localised (``Heures`` in French) and are never
read. Each key becomes one or two typed columns:

=========================================  =====================================
key                                        columns
=========================================  =====================================
``company``, ``person``, ``project``, ...  ``company_name`` ... (string)
``companyId``, ``personId``, ... ``gid``   ``company_id`` (Int64) + ``company_xid`` (string)
``eventId``, ``quotaId``                   ``event_id``, ``quota_id`` (Int64)
``hours``, ``inDays``, costs, rates, ...   snake_case (Float64)
``stime``, ``etime``, ``date``, ``to``,    snake_case (naive datetime64[ns];
``week``                                   ``week`` is the week's Monday)
``status``                                 ``status`` (categorical of the status codes)
``isAtWork``, ``manual``, ``wfh``          snake_case (boolean)
anything else                              snake_case (string)
=========================================  =====================================

Id columns hold the id for entities without xid and the xid for entities
with one: JSON integers and strings in the array output. In CSV text the two
cannot be told apart when an xid is made of digits; such a value is read as
an id (prefer the array output, the default of :func:`beebole_pandas.export`).
CSV numbers may use a decimal comma (French accounts: ``"7,000"``); it is
detected from the values, not from the labels.

>>> from beebole_pandas.load.parse import parse_export_array
>>> df = parse_export_array([["Entreprise", "Id entreprise", "Heures"],
...                          ["Acme", "C-ACME", 7.5], ["Beta", 12, 1.0]],
...                         ["company", "companyId", "hours"])
>>> list(df.columns)
['company_name', 'company_id', 'company_xid', 'hours']
>>> df["company_xid"].tolist(), df["company_id"].tolist()
(['C-ACME', <NA>], [<NA>, 12])
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from .. import schema
from ..errors import SchemaError
from ..export_keys import (
    ENTITY_ID_KEYS,
    ENTITY_NAME_KEYS,
    export_columns,
    key_kind,
)
from ..frames import column_array, empty_of, with_keys

__all__ = [
    "TIME_ENTRY_ID_KEYS",
    "TIME_ENTRY_KEYS",
    "TIME_ENTRY_NAME_KEYS",
    "export_to_time_entries",
    "parse_export",
    "parse_export_array",
]

#: Every key of one time entry: the references as id-or-xid plus name, and
#: the entry's own values (one row per entry, thanks to ``eventId``).
TIME_ENTRY_KEYS: tuple[str, ...] = (
    "eventId",
    "stime",
    "personId",
    "person",
    "companyId",
    "company",
    "projectId",
    "project",
    "subprojectId",
    "subproject",
    "taskId",
    "task",
    "absenceId",
    "absence",
    "hours",
    "status",
    "comment",
)
#: :func:`beebole_pandas.time_entries` splits them in two exports run side by
#: side: the entries with ids only, and the distinct references with their
#: names (a few hundred rows). Names repeated on every entry are about half of
#: the bytes of a full export, and bytes are the scarcer budget (2048 KB a day).
TIME_ENTRY_ID_KEYS: tuple[str, ...] = tuple(k for k in TIME_ENTRY_KEYS if k not in ENTITY_NAME_KEYS)
TIME_ENTRY_NAME_KEYS: tuple[str, ...] = tuple(
    k for k in TIME_ENTRY_KEYS if k in ENTITY_NAME_KEYS or k in ENTITY_ID_KEYS
)


def _split_ids(ids: list[Any], xids: list[Any], key: str) -> tuple[Any, Any]:
    """The two halves of an id-or-xid column -> (Int64 ids, string xids)."""
    try:
        return column_array(ids, "Int64", column=key), column_array(xids, "string", column=key)
    except SchemaError as exc:
        raise SchemaError(f"export key {key!r} holds ids (integers) or xids (text): {exc}") from exc


_TRANSPOSERS: dict[tuple[int, tuple[int, ...]], Any] = {}


def _transposer(width: int, refs: tuple[int, ...]) -> Any:
    """A function turning rows of ``width`` cells into one list per column,
    in one pass (generated, like ``frames``' extractor: unpacking a row and
    storing by index is about twice as fast as one itemgetter pass per column).
    A reference cell goes to the xid list when it is text and to the id list
    otherwise, so ids and xids are split on the way.
    """
    cached = _TRANSPOSERS.get((width, refs))
    if cached is not None:
        return cached
    cells = ", ".join(f"v{i}" for i in range(width))
    body = ["def transpose(rows):", "    size = len(rows)"]
    body += [f"    c{i} = [None] * size" for i in range(width)]
    body += [f"    x{i} = [None] * size" for i in refs]
    body += ["    i = 0", "    for row in rows:", f"        [{cells}] = row"]
    for i in range(width):
        if i in refs:
            body.append(f"        if v{i}.__class__ is str: x{i}[i] = v{i}")
            body.append(f"        else: c{i}[i] = v{i}")
        else:
            body.append(f"        c{i}[i] = v{i}")
    body.append("        i += 1")
    columns = ", ".join(f"c{i}" for i in range(width))
    splits = ", ".join(f"{i}: x{i}" for i in refs)
    body.append(f"    return [{columns}], {{{splits}}}")
    namespace: dict[str, Any] = {}
    exec(compile("\n".join(body), "<beebole_pandas export transposer>", "exec"), namespace)
    _TRANSPOSERS[(width, refs)] = namespace["transpose"]
    return namespace["transpose"]


def parse_export_array(rows: Sequence[Sequence[Any]], keys: Sequence[str]) -> pd.DataFrame:
    """Type the array output of an export job (labels row first, then data rows).

    Parameters
    ----------
    rows
        ``job.result`` of ``time_entry.get_job_info`` with ``outputFormat: "array"``.
    keys
        The ``keys`` of the export request, in the same order.

    Examples
    --------
    >>> parse_export_array([["Hours", "Status"], [7.0, "a"]], ["hours", "status"]).dtypes.astype(str).tolist()
    ['Float64', 'category']
    """
    keys = list(keys)
    columns = export_columns(keys)
    data_rows = rows[1:] if rows else []
    if not data_rows:
        return empty_of(export_columns(keys))
    width = len(keys)
    widths = set(map(len, data_rows)) | {len(rows[0])}
    if widths != {width}:
        found = ", ".join(str(w) for w in sorted(widths - {width}))
        raise SchemaError(
            f"the export has rows of {found} columns but {width} keys were asked for ({', '.join(keys)})"
        )
    refs = tuple(i for i, key in enumerate(keys) if key_kind(key) == "ref")
    by_position, xids = _transposer(width, refs)(data_rows)
    data: dict[str, Any] = {}
    for i, (key, values) in enumerate(zip(keys, by_position, strict=True)):
        kind = key_kind(key)
        if kind == "ref":
            entity = ENTITY_ID_KEYS[key]
            data[f"{entity}_id"], data[f"{entity}_xid"] = _split_ids(values, xids[i], key)
        else:
            column = next(c for c, _ in export_columns([key]))
            data[column] = column_array(values, kind, column=column)
    frame = pd.DataFrame(data, copy=False)
    return frame[[c for c, _ in columns]]


def parse_export(result: Any, keys: Sequence[str]) -> pd.DataFrame:
    """Type an export result, whichever form it came in (CSV text or array).

    >>> parse_export([["Hours"]], ["hours"]).dtypes.astype(str).to_dict()
    {'hours': 'Float64'}
    """
    if isinstance(result, str):
        from .parse_csv import parse_export_csv

        return parse_export_csv(result, keys)
    if isinstance(result, list):
        return parse_export_array(result, keys)
    raise SchemaError(
        f"an export result is CSV text or a list of rows, not {type(result).__name__}"
    )


def _name_column(frame: pd.DataFrame, names: pd.DataFrame, entity: str) -> Any:
    """``<entity>_name`` for every row of ``frame``, looked up by id or xid in ``names``."""
    ident, xid, name = f"{entity}_id", f"{entity}_xid", f"{entity}_name"
    known = names[names[name].notna().to_numpy(bool)]
    with_id = known[known[ident].notna().to_numpy(bool)]
    with_xid = known[known[xid].notna().to_numpy(bool)]
    by_id = dict(zip(with_id[ident].astype("int64"), with_id[name], strict=True))
    by_xid = dict(zip(with_xid[xid], with_xid[name], strict=True))
    out = frame[ident].astype(object).map(by_id)
    from_xid = frame[xid].astype(object).map(by_xid)
    return out.where(out.notna(), from_xid).astype("string").array


def export_to_time_entries(frame: pd.DataFrame, names: pd.DataFrame | None = None) -> pd.DataFrame:
    """The time-entry frame (``schema.entity("time_entry").columns``) of an
    export made with :data:`TIME_ENTRY_KEYS`, or with :data:`TIME_ENTRY_ID_KEYS`
    plus ``names``, the export of :data:`TIME_ENTRY_NAME_KEYS`. ``id`` comes
    from ``eventId``, ``date`` from the date part of ``stime``.

    >>> export_to_time_entries(parse_export_array([[]], TIME_ENTRY_KEYS)).shape
    (0, 30)
    """
    spec = schema.entity("time_entry")
    data: dict[str, Any] = {}
    for column in spec.columns:
        if spec.field(column).keyed is not None:
            continue  # derived below
        if column == "id":
            data[column] = frame["event_id"].array
        elif column == "date":
            data[column] = (
                frame["stime"].to_numpy().astype("datetime64[D]").astype("datetime64[ns]")
            )
        elif column in frame.columns:
            data[column] = frame[column].array
        elif names is not None and column.endswith("_name"):
            data[column] = _name_column(frame, names, column[: -len("_name")])
        else:
            raise SchemaError(f"the export has no column {column!r} for the time-entry frame")
    data = with_keys(data, spec.fields)
    return pd.DataFrame(data, index=pd.RangeIndex(len(frame)), copy=False)
