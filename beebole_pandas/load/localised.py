"""Localised numbers and booleans of an export, and the typing of a whole export.

Beebole writes numbers with the account's decimal and thousands separators
(settings.mdx, "Localization"): ``1,234.500``, ``1.234,500``, ``1 234,500``
(a space, a no-break space U+00A0 or a narrow one U+202F) or ``1'234.500``;
hours may show as durations (``7:30``). Dates and times are
:mod:`.dates`. Both export forms (CSV and array) may carry them.

A number's decimal separator is the one the client knows
(``client.export_format``), else the last of ``,`` and ``.`` in a value
holding both, else the other of a repeated one, else one followed by other
than three digits, else the one present (Beebole writes hours with their
decimals: ``"7,000"`` is 7). A value that does not fit the separators found
is an error naming it, never a silent misreading.

>>> numbers, fmt = read_numbers({"hours": pa.array(["1 234,500", "7,000"])})
>>> numbers["hours"].tolist(), fmt.decimal
([1234.5, 7.0], ',')
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..api.formats import ExportFormat
from ..errors import SchemaError
from ..frames import column_array
from .dates import arrow_text, read_dates

__all__ = ["number_style", "read_booleans", "read_localised", "read_numbers"]

#: What is never part of a number: spaces of any width, currency signs, %, letters.
_JUNK = r"[\s\x{00a0}\x{202f}\x{2009}'\p{Sc}%\p{L}]"
_DURATION = r"^[-+]?\d+:\d{2}$"
_SPACES = " \u00a0\u202f\u2009'"
_NOT_NUMBER = re.compile(r"[^\d,.:+-]")


# -- numbers -------------------------------------------------------------------------------


def _after(cell: str, sep: str) -> int:
    """How many digits follow the only ``sep`` of ``cell``."""
    return len(cell) - cell.index(sep) - 1


def number_style(cells: Sequence[str], *, key: str = "?") -> tuple[str | None, str | None]:
    """The decimal and thousands separators some number texts show (None
    where they show nothing), from the texts alone.

    >>> number_style(["1.234,5", "7,000"]), number_style(["7,000"]), number_style(["12"])
    ((',', '.'), (',', None), (None, None))
    """
    spaced = next((ch for c in cells for ch in c if ch in _SPACES), None)
    plain = [_NOT_NUMBER.sub("", c) for c in cells if ":" not in c]
    both = [c for c in plain if "," in c and "." in c]
    decimals = {"," if c.rfind(",") > c.rfind(".") else "." for c in both}
    if len(decimals) > 1:
        raise SchemaError(
            f"export key {key!r}: numbers such as {both[0]!r} and {both[-1]!r} use both "
            "',' and '.' as the decimal separator"
        )
    repeated = {sep for c in plain for sep in ",." if c.count(sep) > 1}
    alone = {sep for c in plain for sep in ",." if c.count(sep) == 1 and _after(c, sep) != 3}
    present = {sep for c in plain for sep in ",." if sep in c}
    decimal: str | None
    if decimals:
        decimal = decimals.pop()
    elif len(repeated) == 1:
        decimal = "," if repeated == {"."} else "."
    elif len(alone) == 1:
        decimal = alone.pop()
    elif len(present) == 1:
        decimal = present.pop()  # "7,000": Beebole writes hours with their decimals
    elif present:
        raise SchemaError(
            f"export key {key!r}: numbers show ',' and '.' each alone (e.g. "
            f"{next(c for c in plain if ',' in c)!r} and {next(c for c in plain if '.' in c)!r}) "
            "and nothing tells which is the decimal separator; set it: "
            "bb.connect(..., export_format={'decimal': ','})"
        )
    else:
        decimal = None
    grouping = {sep for sep in ",." if sep in present and sep != decimal}
    thousands = spaced if spaced is not None else (grouping.pop() if grouping else None)
    return decimal, thousands


def _dictionary(key: str, values: Any) -> tuple[pa.Array, pa.Array]:
    text = arrow_text(values, key, "a number") if not isinstance(values, pa.Array) else values
    encoded = text.dictionary_encode()
    return encoded.dictionary, encoded.indices


def read_numbers(
    columns: Mapping[str, Any], *, export_format: ExportFormat | None = None
) -> tuple[dict[str, Any], ExportFormat]:
    """Localised number texts of one export as ``Float64`` arrays.

    Parameters
    ----------
    columns
        Key -> its cells as text (Arrow text, or Python strings and None).
    export_format
        What the client knows of the account's separators.

    Returns
    -------
    tuple
        Key -> Float64 array, and the format found (``decimal``, ``thousands``).
        Currency signs, ``%`` and spaces are dropped; ``7:30`` is 7.5 (hours).

    Raises
    ------
    SchemaError
        A text that is no number in the format found, naming the key.

    Examples
    --------
    >>> out, fmt = read_numbers({"cost": ["1'234.50 €", "-0.5", None]})
    >>> out["cost"].tolist(), fmt.thousands
    ([1234.5, -0.5, <NA>], "'")
    """
    fmt = export_format or ExportFormat()
    cleaned: dict[str, tuple[pa.Array, pa.Array, pa.Array]] = {}
    for key, values in columns.items():
        texts, indices = _dictionary(key, values)
        clean = pc.replace_substring(pc.replace_substring_regex(texts, _JUNK, ""), "\u2212", "-")
        cleaned[key] = (texts, clean, indices)
    decimal, thousands = fmt.decimal, fmt.thousands
    if decimal is None or thousands is None:
        raw = [t for texts, _, _ in cleaned.values() for t in texts.to_pylist() if t]
        seen_decimal, seen_thousands = number_style(raw, key=next(iter(columns), "?"))
        decimal = decimal or seen_decimal
        thousands = thousands if thousands is not None else seen_thousands
    shown = decimal
    decimal = decimal or "."
    group = "," if decimal == "." else "."
    pattern = rf"^[-+]?(?:\d{{1,3}}(?:\{group}\d{{3}})+|\d*)(?:\{decimal}\d+)?$"
    out: dict[str, Any] = {}
    for key, (texts, clean, indices) in cleaned.items():
        duration = pc.match_substring_regex(clean, _DURATION)
        fits = pc.or_(pc.match_substring_regex(clean, pattern), duration)
        fits = pc.and_(fits, pc.match_substring_regex(clean, r"\d"))
        bad = np.asarray(pc.invert(fits).fill_null(True).to_numpy(zero_copy_only=False))
        if bad.any():
            raise SchemaError(
                f"export key {key!r}: {texts[int(bad.argmax())].as_py()!r} is not a number with "
                f"the decimal separator {decimal!r}"
                + (" (the format set on the client)" if fmt.decimal else "")
            )
        plain = pc.replace_substring(pc.replace_substring(clean, group, ""), decimal, ".")
        numbers = pc.if_else(duration, "0", plain).cast(pa.float64())
        if pc.any(duration).as_py():
            parts = pc.split_pattern(pc.if_else(duration, clean, "0:00"), ":")
            hours = pc.list_element(parts, 0).cast(pa.float64())
            minutes = pc.list_element(parts, 1).cast(pa.float64())
            sign = pc.if_else(pc.starts_with(clean, "-"), -1.0, 1.0)
            signed = pc.multiply(sign, pc.add(pc.abs(hours), pc.divide(minutes, 60.0)))
            numbers = pc.if_else(duration, signed, numbers)
        out[key] = pd.Float64Dtype().__from_arrow__(numbers.take(indices))
    if thousands == decimal:
        thousands = None
    return out, ExportFormat(decimal=shown, thousands=thousands)


# -- booleans and the whole export ---------------------------------------------------------

_TRUE = ["true", "yes", "1", "oui", "vrai", "ja", "sí", "si"]
_FALSE = ["false", "no", "0", "non", "faux", "nein"]


def read_booleans(values: Any, key: str) -> Any:
    """Text cells (``true``/``false``, ``yes``/``no``, ``oui``/``non``, ``1``/``0``,
    any case) as a ``boolean`` array; missing cells stay missing.

    >>> read_booleans(["TRUE", "non", None], "isAtWork").tolist()
    [True, False, <NA>]
    """
    if not isinstance(values, pa.Array | pa.ChunkedArray):  # JSON booleans among words
        values = [("true" if v else "false") if isinstance(v, bool) else v for v in values]
    text = pc.utf8_lower(pc.utf8_trim_whitespace(arrow_text(values, key, "true or false")))
    known = pc.or_(pc.is_in(text, pa.array(_TRUE)), pc.is_in(text, pa.array(_FALSE)))
    bad = np.asarray(
        pc.and_(pc.invert(known), text.is_valid()).fill_null(False).to_numpy(zero_copy_only=False)
    )
    if bad.any():
        shown = sorted({text[int(i)].as_py() for i in np.flatnonzero(bad)[:50]})[:5]
        raise SchemaError(f"export key {key!r}: expected true/false, got {', '.join(shown)}")
    truth = pc.if_else(text.is_valid(), pc.is_in(text, pa.array(_TRUE)), None)
    return pd.BooleanDtype().__from_arrow__(truth)


def _has_text(values: Any) -> bool:
    if isinstance(values, pa.Array | pa.ChunkedArray):
        return pa.types.is_string(values.type) or pa.types.is_large_string(values.type)
    return str in set(map(type, values))


def read_localised(
    columns: Mapping[str, tuple[str, Any]],
    *,
    export_format: ExportFormat | None = None,
    period: tuple[Any, Any] | None = None,
) -> tuple[dict[str, Any], ExportFormat]:
    """Type the date, number and boolean columns of one export, localised or not.

    Parameters
    ----------
    columns
        Key -> (dtype name, cells): ``"datetime64[ns]"``, ``"Float64"`` or
        ``"boolean"``, and the cells as Arrow or Python values. Cells that are
        already typed (JSON numbers, booleans; Arrow doubles) take the plain path.
    export_format, period
        As for :func:`read_dates` and :func:`read_numbers`.

    Returns
    -------
    tuple
        Key -> typed array, and the format the cells showed.

    Examples
    --------
    >>> out, fmt = read_localised({"to": ("datetime64[ns]", ["13/10/2026"]),
    ...                            "hours": ("Float64", [7.5])})
    >>> out["hours"].tolist(), fmt.describe()
    ([7.5], 'dates DD/MM/YYYY')
    """
    dates = {k: v for k, (kind, v) in columns.items() if kind == "datetime64[ns]"}
    out, found = (
        read_dates(dates, export_format=export_format, period=period)
        if dates
        else (
            {},
            ExportFormat(),
        )
    )
    texts: dict[str, Any] = {}
    mixed: dict[str, Any] = {}
    for key, (kind, values) in columns.items():
        if kind == "boolean":
            out[key] = (
                read_booleans(values, key)
                if _has_text(values)
                else column_array(values, kind, column=key)
            )
        elif kind == "Float64":
            if not _has_text(values):
                out[key] = column_array(values, kind, column=key)
            elif isinstance(values, pa.Array | pa.ChunkedArray):
                texts[key] = values
            else:  # an array export: text cells, maybe among JSON numbers
                texts[key] = [v if v.__class__ is str else None for v in values]
                mixed[key] = [None if v.__class__ is str else v for v in values]
    if texts:
        numbers, shown = read_numbers(texts, export_format=export_format)
        found = found.merged(shown)
        for key, parsed in numbers.items():
            if key in mixed:
                plain = column_array(mixed[key], "Float64", column=key)
                parsed = parsed.copy()
                parsed[~plain.isna()] = plain[~plain.isna()]
            out[key] = parsed
    return out, found
