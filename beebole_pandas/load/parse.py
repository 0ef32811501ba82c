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
``week``, ``start``, ``end``               ``week``, a week number, is read as
                                           its ISO week's Monday in the period)
``status``                                 ``status`` (ordered categorical of labels)
``isAtWork``, ``manual``, ``wfh``          snake_case (boolean)
anything else                              snake_case (string)
=========================================  =====================================

Id columns hold the id for entities without xid and the xid for entities
with one: JSON integers and strings in the array output. In CSV text the two
cannot be told apart when an xid is made of digits; such a value is read as
an id (prefer the array output, the default of :func:`beebole_pandas.export`).
Dates, times and numbers are read as the account writes them, in both
forms (:mod:`.localised`: ``03/10/2026``, ``2:30 PM``, ``1 234,500``): the
format the client knows (``client.export_format``) first, then what the
values and the requested ``period`` show; a date order nothing decides is an
error that says how to set it. The format found is kept in
``frame.attrs["beebole_format"]`` (an :class:`~beebole_pandas.api.formats.ExportFormat`).

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
import pyarrow as pa
import pyarrow.compute as pc

from .. import schema
from ..api.formats import ExportFormat
from ..errors import SchemaError
from ..export_keys import (
    ENTITY_ID_KEYS,
    ENTITY_NAME_KEYS,
    export_columns,
    key_kind,
)
from ..frames import column_array, empty_of, string_array, with_keys
from .localised import read_localised

__all__ = [
    "TIME_ENTRY_ID_KEYS",
    "TIME_ENTRY_KEYS",
    "TIME_ENTRY_NAME_KEYS",
    "export_to_time_entries",
    "name_column",
    "parse_export",
    "parse_export_array",
]

#: Every key of one time entry: the references as id-or-xid plus name, and
#: the entry's own values (one row per entry, thanks to ``eventId``). The
#: entry's date is ``to`` (reporting.mdx: "Date: the date of the time
#: entry"), never ``stime``: start and end times exist only for entries
#: logged with times in the daily view.
TIME_ENTRY_KEYS: tuple[str, ...] = (
    "eventId",
    "to",
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
    """The two halves of an id-or-xid column -> (Int64 ids, string xids); an
    empty text is no xid."""
    try:
        text = column_array(xids, "string", column=key)
        if (text == "").any():
            text[text == ""] = pd.NA
        return column_array(ids, "Int64", column=key), text
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


def parse_export_array(
    rows: Sequence[Sequence[Any]],
    keys: Sequence[str],
    *,
    export_format: Any = None,
    period: tuple[Any, Any] | None = None,
) -> pd.DataFrame:
    """Type the array output of an export job (labels row first, then data rows).

    Parameters
    ----------
    rows
        ``job.result`` of ``time_entry.get_job_info`` with ``outputFormat: "array"``.
    keys
        The ``keys`` of the export request, in the same order.
    export_format
        What is known of the account's formats (``client.export_format``, an
        :class:`~beebole_pandas.api.formats.ExportFormat`, a dict of its
        settings or a date format); the rest is detected from the values.
    period
        The export's ``(from, to)``: it decides the order of dates such as
        ``03/04/2026`` when no day above 12 does.

    Examples
    --------
    >>> parse_export_array([["Hours", "Status"], [7.0, "a"]], ["hours", "status"]).dtypes.astype(str).tolist()
    ['Float64', 'category']
    >>> parse_export_array([["Date", "Hours"], ["13/10/2026", "7,500"]], ["to", "hours"]).to_dict("list")
    {'to': [Timestamp('2026-10-13 00:00:00')], 'hours': [7.5]}
    """
    keys = list(keys)
    fmt = ExportFormat.of(export_format)
    columns = export_columns(keys)
    data_rows = rows[1:] if rows else []
    if not data_rows:
        return _found(empty_of(export_columns(keys)), fmt)
    width = len(keys)
    widths = set(map(len, data_rows)) | {len(rows[0])}
    if widths != {width}:
        found = ", ".join(str(w) for w in sorted(widths - {width}))
        raise SchemaError(
            f"the export has rows of {found} columns but {width} keys were asked for ({', '.join(keys)})"
        )
    if _textual(data_rows, keys):
        return _text_array(data_rows, keys, fmt, period)
    refs = tuple(i for i, key in enumerate(keys) if key_kind(key) == "ref")
    by_position, xids = _transposer(width, refs)(data_rows)
    localised = {
        key: (kind, values)
        for key, values in zip(keys, by_position, strict=True)
        if (kind := key_kind(key)) in _LOCALISED
    }
    typed, shown = read_localised(localised, export_format=fmt, period=period)
    data: dict[str, Any] = {}
    for i, (key, values) in enumerate(zip(keys, by_position, strict=True)):
        kind = key_kind(key)
        column = next(c for c, _ in export_columns([key]))
        if kind == "ref":
            entity = ENTITY_ID_KEYS[key]
            data[f"{entity}_id"], data[f"{entity}_xid"] = _split_ids(values, xids[i], key)
        elif key in typed:
            data[column] = typed[key]
        else:
            data[column] = column_array(values, kind, column=column)
    frame = pd.DataFrame(data, copy=False)
    return _found(frame[[c for c, _ in columns]], shown.merged(fmt))


def _textual(rows: Sequence[Sequence[Any]], keys: list[str]) -> bool:
    """Whether an array output holds text only, like the CSV (a literal reading
    of the reference: ids, numbers and booleans as localised text): no JSON
    number or boolean in the first rows' id, number and boolean columns, and
    some text there."""
    at = [i for i, k in enumerate(keys) if key_kind(k) in ("ref", "Int64", "Float64", "boolean")]
    seen = [row[i] for row in rows[:200] for i in at]
    kinds = set(map(type, seen))
    return str in kinds and not kinds & {int, float, bool}


def _text_array(
    rows: Sequence[Sequence[Any]], keys: list[str], fmt: ExportFormat, period: Any
) -> pd.DataFrame:
    """A text-only array output, typed as the CSV text is (empty cells are missing)."""
    from .parse_csv import type_text_columns

    columns = _transposer(len(keys), ())(rows)[0]
    cells = {}
    for key, values in zip(keys, columns, strict=True):
        try:
            text = pa.array(values, type=pa.large_string())
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            raise SchemaError(f"export key {key!r}: text and other values mixed ({exc})") from exc
        cells[key] = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.large_string()), text)
    frame, found = type_text_columns(cells, export_format=fmt, period=period)
    return _found(frame, found.merged(fmt))


#: The dtypes whose cells may be localised text.
_LOCALISED = frozenset({"datetime64[ns]", "Float64", "boolean"})


def _found(frame: pd.DataFrame, fmt: ExportFormat) -> pd.DataFrame:
    frame.attrs["beebole_format"] = fmt
    return frame


def parse_export(
    result: Any,
    keys: Sequence[str],
    *,
    export_format: Any = None,
    period: tuple[Any, Any] | None = None,
) -> pd.DataFrame:
    """Type an export result, whichever form it came in (CSV text or array).

    ``export_format`` and ``period`` as for :func:`parse_export_array`.

    >>> parse_export([["Hours"]], ["hours"]).dtypes.astype(str).to_dict()
    {'hours': 'Float64'}
    """
    if isinstance(result, str):
        from .parse_csv import parse_export_csv

        return parse_export_csv(result, keys, export_format=export_format, period=period)
    if isinstance(result, list):
        return parse_export_array(result, keys, export_format=export_format, period=period)
    raise SchemaError(
        f"an export result is CSV text or a list of rows, not {type(result).__name__}"
    )


def _lookup(values: Any, keys: Any, names: Any, arrow_type: Any) -> Any:
    """``names[i]`` where ``values`` equals ``keys[i]`` (the last such ``i``,
    as a dict built from the pairs would keep), null where no key matches."""
    keys = pa.array(keys, type=arrow_type, from_pandas=True)
    names = pa.array(names, type=pa.large_string(), from_pandas=True)
    # index_in finds the first match: reversed pairs make it the last one.
    keys, names = keys[::-1], names[::-1]
    positions = pc.index_in(pa.array(values, type=arrow_type, from_pandas=True), value_set=keys)
    return names.take(positions)


def name_column(frame: pd.DataFrame, names: pd.DataFrame, entity: str) -> Any:
    """``<entity>_name`` for every row of ``frame``, looked up by id or xid in
    ``names`` (in Arrow, in C: a dict lookup per row took a quarter of a
    12-month load)."""
    ident, xid, name = f"{entity}_id", f"{entity}_xid", f"{entity}_name"
    known = names[names[name].notna().to_numpy(bool)]
    with_id = known[known[ident].notna().to_numpy(bool)]
    with_xid = known[known[xid].notna().to_numpy(bool)]
    by_id = _lookup(frame[ident].array, with_id[ident].array, with_id[name].array, pa.int64())
    by_xid = _lookup(frame[xid].array, with_xid[xid].array, with_xid[name].array, pa.large_string())
    return string_array(pc.coalesce(by_id, by_xid))


def export_to_time_entries(frame: pd.DataFrame, names: pd.DataFrame | None = None) -> pd.DataFrame:
    """The time-entry frame (``schema.entity("time_entry").columns``) of an
    export made with :data:`TIME_ENTRY_KEYS`, or with :data:`TIME_ENTRY_ID_KEYS`
    plus ``names``, the export of :data:`TIME_ENTRY_NAME_KEYS`. ``id`` comes
    from ``eventId``, ``date`` from ``to`` (else ``date``), the entry's date:
    never from ``stime``, which only entries logged with times have.

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
            day = next((c for c in ("to", "date") if c in frame.columns), None)
            if day is None:
                raise SchemaError(
                    "the export has no 'to' column (the entry's date) for the time-entry "
                    "frame; 'stime' is no date: only entries logged with times have one"
                )
            data[column] = frame[day].to_numpy().astype("datetime64[D]").astype("datetime64[ns]")
        elif column in frame.columns:
            data[column] = frame[column].array
        elif names is not None and column.endswith("_name"):
            data[column] = name_column(frame, names, column[: -len("_name")])
        else:
            raise SchemaError(f"the export has no column {column!r} for the time-entry frame")
    data = with_keys(data, spec.fields)
    return pd.DataFrame(data, index=pd.RangeIndex(len(frame)), copy=False)
