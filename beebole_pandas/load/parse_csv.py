"""Typed frames from the CSV output of ``time_entry.export``.

The CSV text starts with localised labels (never read: columns are taken by
position, in the order of the request's ``keys``), then values written with
the account's localisation (settings.mdx): its list separator (``,`` or
``;``; a tab is read too), date format, 12/24-hour clock, decimal and
thousands separators. The separator is the one that splits the first lines
into as many fields as there are keys; dates, times and numbers are read by
:mod:`.localised`. Empty cells are missing values. Typing follows
:func:`beebole_pandas.export_keys.export_columns`, so a CSV export and an
array export of the same keys give the same columns and dtypes.

An id column holds the xid for entities that have one; in CSV an xid made of
digits cannot be told from an id and is read as an id (the array output,
the default of :func:`beebole_pandas.export`, has no such ambiguity).

>>> from beebole_pandas.load.parse_csv import parse_export_csv
>>> parse_export_csv('Entreprise,Heures\\nBranch,"7,000"\\n', ["company", "hours"]).to_dict("list")
{'company_name': ['Branch'], 'hours': [7.0]}
>>> parse_export_csv('Date;Heures\\n13/10/2026;1 234,5\\n', ["to", "hours"]).to_dict("list")
{'to': [Timestamp('2026-10-13 00:00:00')], 'hours': [1234.5]}
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from ..api.formats import ExportFormat, find_list_separator
from ..errors import SchemaError
from ..export_keys import ENTITY_ID_KEYS, export_columns, key_kind
from ..frames import column_array, empty_of, string_array
from .localised import number_style, read_localised

__all__ = ["parse_export_csv", "type_text_columns"]

#: How much of the text the separators are guessed from (the rest is read by Arrow).
_SAMPLE = 20_000


def _csv_ids(column: pa.Array) -> tuple[Any, Any]:
    """Id-or-xid text -> (Int64 ids, string xids): digits-only cells are ids.

    A column holds few distinct references, so each distinct value is
    classified once (Arrow's dictionary encoding is C) and the results are
    taken by index; the last entry of each lookup stands for a missing cell.
    """
    encoded = column.dictionary_encode()
    texts = encoded.dictionary.to_pylist()
    digit = [t.isascii() and t.isdigit() for t in texts]
    is_id = np.array([*digit, False], dtype=bool)
    id_values = np.array(
        [int(t) if d else 0 for t, d in zip(texts, digit, strict=True)] + [0], np.int64
    )
    xid_values = pa.array([None if d else t for t, d in zip(texts, digit, strict=True)] + [None])
    codes = encoded.indices.fill_null(len(texts)).to_numpy(zero_copy_only=False)
    ids = pd.arrays.IntegerArray(id_values[codes], ~is_id[codes])
    return ids, string_array(xid_values.take(pa.array(codes)))


def _separator(text: str, width: int, fmt: ExportFormat) -> str:
    """The list separator: the client's, else the first of ``,``, ``;`` and tab
    that splits the first lines into ``width`` fields each."""
    if fmt.list_separator is not None:
        return fmt.list_separator
    # None: Arrow's error will say which row does not fit
    return find_list_separator(text, width, sample=_SAMPLE) or ","


def _number_sample(
    text: str, sep: str, positions: list[int], fmt: ExportFormat
) -> tuple[str | None, str | None]:
    """The decimal separator Arrow may parse the numbers with (None: leave
    them to the localised path, e.g. when the first lines group thousands),
    and the one the first lines show (None when they show none). A later
    cell Arrow refuses sends its column to the localised path."""
    rows = list(csv.reader(io.StringIO(text[:_SAMPLE]), delimiter=sep))[1:50]
    cells = [row[i] for row in rows for i in positions if i < len(row) and row[i]]
    try:
        decimal, thousands = number_style(cells)
    except SchemaError:
        return None, None
    if fmt.decimal is not None:
        return (None if thousands else fmt.decimal), fmt.decimal
    return (None if thousands else (decimal or ".")), decimal


def _read(
    text: str, keys: list[str], *, sep: str, decimal: str | None, as_text: set[int]
) -> pa.Table | None:
    """The cells as an Arrow table with one column per key (named by position),
    read by Arrow's multithreaded C++ parser; None when there are no rows.
    Numbers are parsed by Arrow when ``decimal`` is known and the column is not
    in ``as_text``; the others stay text."""
    types: dict[str, Any] = {}
    for i, key in enumerate(keys):
        kind = key_kind(key)
        if kind == "Float64" and decimal is not None and i not in as_text:
            types[str(i)] = pa.float64()
        elif kind == "Int64" and i not in as_text:
            types[str(i)] = pa.int64()
        else:
            types[str(i)] = pa.string()
    names = list(types)
    try:
        return pa_csv.read_csv(
            io.BytesIO(text.encode("utf-8")),
            read_options=pa_csv.ReadOptions(skip_rows=1, column_names=names),
            # A comment may hold line breaks inside its quotes.
            parse_options=pa_csv.ParseOptions(
                delimiter=sep, newlines_in_values=True, invalid_row_handler=_skip_blank_row
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=types,
                null_values=[""],
                strings_can_be_null=True,
                decimal_point=decimal or ".",
                include_columns=names,
            ),
        )
    except pa.ArrowInvalid as exc:
        message = str(exc)
        if "Empty CSV file" in message:
            return None
        position = re.search(r"column #(\d+)", message)
        if position and int(position.group(1)) < len(keys):
            at = int(position.group(1))
            if types[str(at)] != pa.string():  # a number Arrow cannot read: localised
                return _read(text, keys, sep=sep, decimal=decimal, as_text=as_text | {at})
            raise SchemaError(f"export key {keys[at]!r}: {message}") from exc
        raise SchemaError(
            f"the export CSV does not fit the keys {', '.join(keys)}: {message}"
        ) from exc


def _skip_blank_row(row: Any) -> str:
    # A line of spaces (the reference's example ends with one) is no row;
    # any other row of the wrong width is an error.
    return "skip" if not row.text.strip() else "error"


def _integers(cells: pa.Array, key: str) -> Any:
    """Whole numbers Arrow refused as int64 (grouped thousands: ``1,234``)."""
    plain = pc.replace_substring_regex(cells, r"[\s\x{00a0}\x{202f},.']", "")
    try:
        return column_array(plain.cast(pa.int64()), "Int64", column=key)
    except (pa.ArrowInvalid, SchemaError) as exc:
        raise SchemaError(f"export key {key!r}: expected whole numbers ({exc})") from exc


def parse_export_csv(
    text: str,
    keys: Sequence[str],
    *,
    export_format: Any = None,
    period: tuple[Any, Any] | None = None,
) -> pd.DataFrame:
    """Type the CSV output of an export job (localised labels, then values).

    Parameters
    ----------
    text
        ``job.result`` of ``time_entry.get_job_info`` without ``outputFormat``.
    keys
        The ``keys`` of the export request, in the same order: columns are
        taken by position.
    export_format
        What is known of the account's formats (``client.export_format``); the
        rest is detected from the text (see :mod:`.localised`).
    period
        The export's ``(from, to)``, which may decide the order of dates.

    Examples
    --------
    >>> parse_export_csv('Entreprise,Heures\\nBranch,"7,000"\\nMyCompany,"63,000"\\n ',
    ...                  ["company", "hours"])["hours"].tolist()
    [7.0, 63.0]
    """
    keys = list(keys)
    fmt = ExportFormat.of(export_format)
    export_columns(keys)  # refuses repeated keys first
    text = text.removeprefix("\ufeff")
    if text.count('"') % 2:
        raise SchemaError(
            "the export CSV ends inside a quoted value: it was cut off; run the export again"
        )
    if not text.endswith("\n"):
        text += "\n"  # Arrow skips the labels line only when it is ended
    sep = _separator(text, len(keys), fmt)
    floats = [i for i, k in enumerate(keys) if key_kind(k) == "Float64"]
    decimal, seen = _number_sample(text, sep, floats, fmt) if floats else (".", None)
    table = _read(text, keys, sep=sep, decimal=decimal, as_text=set()) if text.strip() else None
    shown = ExportFormat(list_separator=sep, decimal=seen) if text.strip() else ExportFormat()
    if table is None or table.num_rows == 0:
        frame = empty_of(export_columns(keys))
        frame.attrs["beebole_format"] = shown.merged(fmt)
        return frame
    cells = {key: table.column(i).combine_chunks() for i, key in enumerate(keys)}
    frame, found = type_text_columns(cells, export_format=fmt, period=period)
    frame.attrs["beebole_format"] = found.merged(shown).merged(fmt)
    return frame


def type_text_columns(
    cells: dict[str, pa.Array],
    *,
    export_format: ExportFormat | None = None,
    period: tuple[Any, Any] | None = None,
) -> tuple[pd.DataFrame, ExportFormat]:
    """Type an export's columns of text (one Arrow array per key, in key order;
    numbers Arrow already parsed may be doubles), as the CSV output and an
    array output of localised text need: ids of digits are ids, other ids
    xids; dates, numbers and booleans as :mod:`.localised` reads them.

    Returns the frame (:func:`~beebole_pandas.export_keys.export_columns`) and
    the format the values showed.

    >>> import pyarrow as pa
    >>> frame, fmt = type_text_columns({"personId": pa.array(["12", "E-7"]),
    ...                                 "hours": pa.array(["7,5", "1"])})
    >>> frame.to_dict("list"), fmt.decimal
    ({'person_id': [12, None], 'person_xid': [None, 'E-7'], 'hours': [7.5, 1.0]}, ',')
    """
    keys = list(cells)
    localised = {k: (kind, v) for k, v in cells.items() if (kind := key_kind(k)) in _LOCALISED}
    typed, found = read_localised(localised, export_format=export_format, period=period)
    data: dict[str, Any] = {}
    for key, values in cells.items():
        kind = key_kind(key)
        column = next(c for c, _ in export_columns([key]))
        try:
            if kind == "ref":
                entity = ENTITY_ID_KEYS[key]
                data[f"{entity}_id"], data[f"{entity}_xid"] = _csv_ids(values)
            elif key in typed:
                data[column] = typed[key]
            elif kind == "Int64" and _is_text(values):
                data[column] = _integers(values, key)
            else:
                data[column] = column_array(values, kind, column=column)
        except (TypeError, ValueError, OverflowError, pa.ArrowException) as exc:
            raise SchemaError(f"export key {key!r} ({column}): {exc}") from exc
    return pd.DataFrame(data, copy=False)[[c for c, _ in export_columns(keys)]], found


def _is_text(values: pa.Array) -> bool:
    return bool(pa.types.is_string(values.type) or pa.types.is_large_string(values.type))


_LOCALISED = frozenset({"datetime64[ns]", "Float64", "boolean"})
