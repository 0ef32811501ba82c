"""Typed frames from the CSV output of ``time_entry.export``.

The CSV text starts with localised labels (never read: columns are taken by
position, in the order of the request's ``keys``), then localised values.
Numbers may use a decimal comma (French accounts: ``"7,000"``) and grouped
thousands (``"1 234,500"``); both are recognised from the values themselves.
Empty cells are missing values. Typing follows
:func:`beebole_pandas.export_keys.export_columns`, so a CSV export and an
array export of the same keys give the same columns and dtypes.

An id column holds the xid for entities that have one; in CSV an xid made of
digits cannot be told from an id and is read as an id (the array output,
the default of :func:`beebole_pandas.export`, has no such ambiguity).

>>> from beebole_pandas.load.parse_csv import parse_export_csv
>>> parse_export_csv('Entreprise,Heures\\nBranch,"7,000"\\n', ["company", "hours"]).to_dict("list")
{'company_name': ['Branch'], 'hours': [7.0]}
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
import pyarrow.csv as pa_csv

from ..errors import SchemaError
from ..export_keys import ENTITY_ID_KEYS, export_columns, key_kind
from ..frames import column_array, empty_of, string_array

__all__ = ["parse_export_csv"]

_SPACES = re.compile(r"[\s\u00a0\u202f']")


def _sniff_numbers(text: str, positions: list[int]) -> tuple[str, bool]:
    """The decimal separator and whether numbers carry thousands separators,
    from the first data lines (the labels are never trusted).

    A cell with both ``,`` and ``.`` tells by which comes last; a lone comma
    is a decimal comma (English exports always show decimals: ``7.000``).
    """
    sample = list(csv.reader(io.StringIO(text[:20000])))[1:50]
    cells = [row[i] for row in sample for i in positions if i < len(row) and row[i]]
    decimal = "."
    both = [c for c in cells if "," in c and "." in c]
    if both:
        decimal = "," if both[0].rfind(",") > both[0].rfind(".") else "."
    elif any("," in c for c in cells):
        decimal = ","
    grouped = (
        bool(both)
        or any(_SPACES.search(c) for c in cells)
        or any(c.count(".") > 1 or c.count(",") > 1 for c in cells)
    )
    return decimal, grouped


def _locale_floats(series: pd.Series, decimal: str) -> Any:
    text = series.astype("string").str.replace(_SPACES.pattern, "", regex=True)
    if decimal == ",":
        text = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        text = text.str.replace(",", "", regex=False)
    return pd.to_numeric(text, errors="raise").astype("Float64").array


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


def _csv_datetimes(column: pa.Array) -> Any:
    try:
        # The second cast refuses dates beyond datetime64[ns] (9999-12-31).
        stamps = column.cast(pa.timestamp("s")).cast(pa.timestamp("ns"))
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        # Other ISO 8601 spellings (a "T", fractions of seconds): pandas reads them.
        series = pd.Series(string_array(column))
        stamps = pd.to_datetime(series, format="ISO8601")
        return stamps.dt.as_unit("ns").to_numpy()  # raises beyond datetime64[ns]
    return stamps.to_numpy(zero_copy_only=False)


_TRUE = {"true", "yes", "1", "oui", "vrai"}
_FALSE = {"false", "no", "0", "non", "faux"}


def _csv_bools(series: pd.Series, key: str) -> Any:
    lowered = series.astype("string").str.strip().str.lower()
    out = pd.array(np.where(lowered.isin(list(_TRUE)), True, False), dtype="boolean")
    known = lowered.isin(list(_TRUE | _FALSE)).to_numpy(bool)
    missing = lowered.isna().to_numpy(bool)
    if (~known & ~missing).any():
        bad = sorted(set(lowered[~known & ~missing].astype(str)))[:5]
        raise SchemaError(f"export key {key!r}: expected true/false, got {', '.join(bad)}")
    out[missing] = pd.NA
    return out


def _read(text: str, keys: list[str], decimal: str, grouped: bool) -> pa.Table | None:
    """The cells as an Arrow table with one column per key (named by position),
    read by Arrow's multithreaded C++ parser; None when there are no rows."""
    types: dict[str, Any] = {}
    for i, key in enumerate(keys):
        kind = key_kind(key)
        if kind == "Float64" and not grouped:
            types[str(i)] = pa.float64()
        elif kind == "Int64":
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
                newlines_in_values=True, invalid_row_handler=_skip_blank_row
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=types,
                null_values=[""],
                strings_can_be_null=True,
                decimal_point=decimal,
                include_columns=names,
            ),
        )
    except pa.ArrowInvalid as exc:
        message = str(exc)
        if "Empty CSV file" in message:
            return None
        position = re.search(r"column #(\d+)", message)
        if position and int(position.group(1)) < len(keys):
            key = keys[int(position.group(1))]
            raise SchemaError(f"export key {key!r}: {message}") from exc
        raise SchemaError(
            f"the export CSV does not fit the keys {', '.join(keys)}: {message}"
        ) from exc


def _skip_blank_row(row: Any) -> str:
    # A line of spaces (the reference's example ends with one) is no row;
    # any other row of the wrong width is an error.
    return "skip" if not row.text.strip() else "error"


def parse_export_csv(text: str, keys: Sequence[str]) -> pd.DataFrame:
    """Type the CSV output of an export job (localised labels, then values).

    Columns are taken by position; a decimal comma (``"7,000"``) and grouped
    thousands are recognised from the values. Empty cells are missing values.

    Examples
    --------
    >>> parse_export_csv('Entreprise,Heures\\nBranch,"7,000"\\nMyCompany,"63,000"\\n ',
    ...                  ["company", "hours"])["hours"].tolist()
    [7.0, 63.0]
    """
    keys = list(keys)
    columns = export_columns(keys)
    if text.count('"') % 2:
        raise SchemaError(
            "the export CSV ends inside a quoted value: it was cut off; run the export again"
        )
    if not text.endswith("\n"):
        text += "\n"  # Arrow skips the labels line only when it is ended
    float_positions = [i for i, k in enumerate(keys) if key_kind(k) == "Float64"]
    decimal, grouped = _sniff_numbers(text, float_positions) if float_positions else (".", False)
    table = _read(text, keys, decimal, grouped) if text.strip() else None
    if table is None or table.num_rows == 0:
        return empty_of(export_columns(keys))
    data: dict[str, Any] = {}
    for i, key in enumerate(keys):
        cells = table.column(i).combine_chunks()
        kind = key_kind(key)
        column = next(c for c, _ in export_columns([key]))
        try:
            if kind == "ref":
                entity = ENTITY_ID_KEYS[key]
                data[f"{entity}_id"], data[f"{entity}_xid"] = _csv_ids(cells)
            elif kind == "Float64" and grouped:
                data[column] = _locale_floats(pd.Series(string_array(cells)), decimal)
            elif kind == "datetime64[ns]":
                data[column] = _csv_datetimes(cells)
            elif kind == "boolean":
                data[column] = _csv_bools(pd.Series(string_array(cells)), key)
            else:
                data[column] = column_array(cells, kind, column=column)
        except (TypeError, ValueError, OverflowError, pa.ArrowException) as exc:
            raise SchemaError(f"export key {key!r} ({column}): {exc}") from exc
    frame = pd.DataFrame(data, copy=False)
    return frame[[c for c, _ in columns]]
