"""Typed frames from the CSV output of ``time_entry.export``.

The CSV text starts with localised labels (never read: columns are taken by
position, in the order of the request's ``keys``), then localised values.
Numbers may use a decimal comma (French accounts: ``"7,000"``) and grouped
thousands (``"1 234,500"``); both are recognised from the values themselves.
Empty cells are missing values. Typing follows
:func:`beebole_pandas.export_parse.export_columns`, so a CSV export and an
array export of the same keys give the same columns and dtypes.

An id column holds the xid for entities that have one; in CSV an xid made of
digits cannot be told from an id and is read as an id (the array output,
the default of :func:`beebole_pandas.export`, has no such ambiguity).

>>> from beebole_pandas.export_csv import parse_export_csv
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

from . import schema
from .errors import SchemaError
from .export_parse import ENTITY_ID_KEYS, _empty, _kind, export_columns
from .frames import STATUS_INDEX, missing_array, pandas_dtype

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


def _csv_ids(series: pd.Series, key: str) -> tuple[Any, Any]:
    n = len(series)
    if series.dtype.kind in "iu":
        return pd.arrays.IntegerArray(series.to_numpy(np.int64), np.zeros(n, bool)), missing_array(
            "string", n
        )
    if series.dtype.kind == "f":
        values = series.to_numpy()
        mask = np.isnan(values)
        return pd.arrays.IntegerArray(
            np.where(mask, 0, values).astype(np.int64), mask
        ), missing_array("string", n)
    # Ids and xids mixed: digits-only cells are ids. A column holds few distinct
    # references, so each distinct value is classified once (factorize is C).
    codes, uniques = pd.factorize(series.to_numpy(dtype=object), use_na_sentinel=True)
    texts = [str(u) for u in uniques]
    digit = [t.isascii() and t.isdigit() for t in texts]
    is_id = np.array([*digit, False], dtype=bool)
    id_values = np.array(
        [int(t) if d else 0 for t, d in zip(texts, digit, strict=True)] + [0], np.int64
    )
    xid_values = np.array(
        [pd.NA if d else t for t, d in zip(texts, digit, strict=True)] + [pd.NA], dtype=object
    )
    # The sentinel -1 (missing) picks the appended last entry: no id, no xid.
    ids = pd.arrays.IntegerArray(id_values[codes], ~is_id[codes])
    return ids, pd.arrays.StringArray(xid_values[codes])


def _csv_datetimes(series: pd.Series) -> Any:
    if series.isna().all():
        return np.full(len(series), np.datetime64("NaT"), dtype="datetime64[ns]")
    return pd.to_datetime(series, format="ISO8601").to_numpy().astype("datetime64[ns]")


def _csv_status(series: pd.Series) -> Any:
    codes = series.map(STATUS_INDEX)
    unknown = (codes.isna() & series.notna()).to_numpy(bool)
    if unknown.any():
        bad = sorted(set(series[unknown].astype(str)))[:5]
        raise SchemaError(
            f"unknown status {', '.join(bad)}; valid codes are {', '.join(schema.STATUS_CODES)}"
        )
    return pd.Categorical.from_codes(
        codes.fillna(-1).to_numpy(np.int8), dtype=pandas_dtype("status")
    )


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
    if text[-64:].strip() != text[-64:].rstrip("\r\n"):
        text = text.rstrip() + "\n"  # the reference's example ends with a stray " " line
    float_positions = [i for i, k in enumerate(keys) if _kind(k) == "Float64"]
    decimal, grouped = _sniff_numbers(text, float_positions) if float_positions else (".", False)
    dtypes: dict[int, Any] = {}
    for i, key in enumerate(keys):
        kind = _kind(key)
        if kind == "Float64":
            dtypes[i] = object if grouped else np.float64
        elif kind == "Int64" or kind == "ref":
            continue  # let the C parser find ints; xids make the column text
        else:
            dtypes[i] = object
    try:
        raw = pd.read_csv(
            io.StringIO(text),
            header=None,
            skiprows=1,
            names=list(range(len(keys))),
            dtype=dtypes,
            decimal=decimal,
            keep_default_na=False,
            na_values=[""],
            skip_blank_lines=True,
            engine="c",
        )
    except pd.errors.EmptyDataError:
        return _empty(keys)
    except (ValueError, pd.errors.ParserError) as exc:
        raise SchemaError(f"the export CSV does not fit the keys {', '.join(keys)}: {exc}") from exc
    if len(raw.columns) != len(keys):
        raise SchemaError(f"the export CSV has {len(raw.columns)} columns for {len(keys)} keys")
    data: dict[str, Any] = {}
    for i, key in enumerate(keys):
        series = raw[i]
        kind = _kind(key)
        column = next(c for c, _ in export_columns([key]))
        try:
            if kind == "ref":
                entity = ENTITY_ID_KEYS[key]
                data[f"{entity}_id"], data[f"{entity}_xid"] = _csv_ids(series, key)
            elif kind == "Int64":
                data[column] = pd.to_numeric(series, errors="raise").astype("Int64").array
            elif kind == "Float64":
                if grouped:
                    data[column] = _locale_floats(series, decimal)
                else:
                    values = series.to_numpy(np.float64)
                    data[column] = pd.arrays.FloatingArray(values, np.isnan(values))
            elif kind == "datetime64[ns]":
                data[column] = _csv_datetimes(series)
            elif kind == "status":
                data[column] = _csv_status(series)
            elif kind == "boolean":
                data[column] = _csv_bools(series, key)
            else:
                data[column] = series.astype("string").array
        except (TypeError, ValueError) as exc:
            raise SchemaError(f"export key {key!r} ({column}): {exc}") from exc
    frame = pd.DataFrame(data, copy=False)
    return frame[[c for c, _ in columns]]
