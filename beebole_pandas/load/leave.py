"""Leave balances: the export's ``quota`` view as a typed frame (``bb.leave_balances``).

Beebole keeps absence quotas "for each absence type and for a specific time
period" (time-off.mdx, "Absence Quotas"): the hours granted, the hours taken
(the absence entries of the quota's period) and the balance, "also visible
in reports". The export's ``show: "quota"`` gives them per quota; this module
turns them into one row per quota with typed columns, in any account format
(``"01/04/2026 - 31/03/2027"`` and ``-0,783`` in a French account).

One export job (about three requests) whatever the number of people; its
bytes grow with the people and quotas (about 140 bytes a quota).

>>> import beebole_pandas as bb
>>> bb.leave_balances("2026").query("balance_days < 0")   # doctest: +SKIP
"""

from __future__ import annotations

import logging
import re
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from ..api.client import resolve_client
from ..api.formats import ExportFormat
from ..errors import SchemaError, ValidationError
from ..frames import provenance
from .dates import read_dates
from .entities import load_entity
from .export import export
from .scopes import check_scope, flag, resolve, select, shown
from .scopes import period as period_days

__all__ = ["QUOTA_COLUMNS", "QUOTA_KEYS", "leave_balances", "split_periods"]

logger = logging.getLogger(__name__)

#: The export keys a balance is read from (``show="quota"``), one row per quota.
QUOTA_KEYS: tuple[str, ...] = (
    "quotaId",
    "personId",
    "person",
    "absenceId",
    "absence",
    "fromTo",
    "available",
    "taken",
    "balance",
    "availableInDays",
    "takenInDays",
    "balanceInDays",
)
#: The measures of the quota view -> the column of the balance frame.
_MEASURES = {
    "available": "available_hours",
    "taken": "taken_hours",
    "balance": "balance_hours",
    "available_in_days": "available_days",
    "taken_in_days": "taken_days",
    "balance_in_days": "balance_days",
}
#: The columns of :func:`leave_balances`, in order.
QUOTA_COLUMNS: tuple[str, ...] = (
    "quota_id",
    "person_id",
    "person_xid",
    "person_name",
    "absence_id",
    "absence_xid",
    "absence_name",
    "quota_start",
    "quota_end",
    *_MEASURES.values(),
)
#: Between the two days of ``fromTo``: a dash (or "to"/"au") with spaces around it, so
#: that the dashes inside ``2026-04-01`` or ``01-04-2026`` are never taken for it.
_BETWEEN = re.compile(r"\s+(?:[-\u2013\u2014]|to|au|bis|al)\s+", re.IGNORECASE)


def split_periods(
    texts: Any, *, export_format: Any = None
) -> tuple[np.ndarray, np.ndarray, ExportFormat]:
    """The first and last days of ``fromTo`` texts (``"01/04/2026 - 31/03/2027"``).

    Both halves of every text are read together in the account's date format
    (:func:`beebole_pandas.load.dates.read_dates`: the client's format, else
    what the days show, such as a day above 12), so a quota period is never
    read in two orders.

    Parameters
    ----------
    texts
        The ``fromTo`` cells (text; missing cells give NaT).
    export_format
        What the client knows of the account's formats.

    Returns
    -------
    tuple
        First days, last days (``datetime64[ns]`` arrays) and the format found.

    Raises
    ------
    SchemaError
        A text that is not two days joined by a dash, or days in no format.

    Examples
    --------
    >>> first, last, fmt = split_periods(["01/04/2026 - 31/03/2027"])
    >>> str(first[0])[:10], str(last[0])[:10], fmt.date
    ('2026-04-01', '2027-03-31', 'DD/MM/YYYY')
    """
    cells = [None if t is None or t is pd.NA or t != t else str(t) for t in list(texts)]
    halves: list[Any] = [[], []]
    for cell in cells:
        if cell is None or not cell.strip():
            halves[0].append(None)
            halves[1].append(None)
            continue
        parts = _BETWEEN.split(cell.strip())
        if len(parts) != 2:
            raise SchemaError(
                f"export key 'fromTo': {cell!r} is not a quota period (two days joined by "
                "' - ', e.g. '2026-01-01 - 2026-12-31')"
            )
        halves[0].append(parts[0])
        halves[1].append(parts[1])
    both = pa.array(halves[0] + halves[1], type=pa.large_string())
    days, found = read_dates({"fromTo": both}, export_format=ExportFormat.of(export_format))
    column = days["fromTo"].astype("datetime64[ns]")
    return column[: len(cells)], column[len(cells) :], found


def _today() -> str:
    return pd.Timestamp.today().strftime("%Y-%m-%d")


def leave_balances(
    period: Any = None,
    *,
    person: Any = None,
    absence: Any = None,
    status: Any = None,
    names: bool = True,
    client: Any = None,
    refresh: bool = False,
    dry_run: bool = False,
) -> Any:
    """Leave quotas with what is available, taken and left, per person and absence type.

    One row per quota whose period overlaps ``period`` (Beebole's export,
    ``show="quota"``): a quota covers one absence type over its own period
    (a leave year: January to December, or April to March...), and *taken*
    counts the absence time of that whole period.

    Parameters
    ----------
    period
        The quotas to show: those in force on a day (``"2026-11-05"``), or
        overlapping a period (``"2026"``, ``"2026-Q4"``, ``"this-year"``, a
        ``pd.Period``); default: today's quotas. Passed by position.
    person, absence
        Keep these people or absence types (ids, xids or names, or lists).
        The server filters by one of them; the other is applied here.
    status
        Count as *taken* only absence entries of these statuses (codes or
        labels, e.g. ``["approved", "locked"]``); default: every status.
    names
        Ask for the people's and absence types' names too (False: about a
        third fewer bytes; the ``_name`` columns are then ``<NA>``, to be
        joined from ``bb.people()`` and ``bb.absences()`` on the keys).
    client
        A :class:`~beebole_pandas.Client` (default: the connected one).
    refresh
        Ignore a cached export.
    dry_run
        Return the :class:`~beebole_pandas.load.estimate.Estimate` of the
        export (requests, KB, whether it fits today) and load nothing.

    Returns
    -------
    DataFrame
        :data:`QUOTA_COLUMNS`: ``quota_id``; the person's and the absence
        type's ``_id``/``_xid``/``_name``; ``quota_start`` and ``quota_end``
        (the quota's period, from ``fromTo``, datetime64); ``available_hours``,
        ``taken_hours``, ``balance_hours`` and the same in days
        (``*_days``: hours / the account's hours per day), Float64. A negative
        balance is more taken than granted. Sorted by person, absence type and
        quota start; ``attrs["beebole"]`` records the scope.

    Raises
    ------
    ValidationError
        A bad period, filter or status (the message names it).

    Examples
    --------
    >>> balances = bb.leave_balances()                          # doctest: +SKIP
    >>> balances.pivot_table(index="person_name", columns="absence_name",
    ...                      values="balance_days", aggfunc="sum")  # doctest: +SKIP
    """
    try:
        first, last = period_days(_today() if period is None else period)
    except ValidationError as exc:
        raise ValidationError(f"period={shown(period)}: {exc}") from None
    refresh = flag(refresh, "refresh")
    names = flag(names, "names")
    check_scope("absence", absence)  # checked before anything is sent, even when applied here
    client = resolve_client(client)
    keys = [k for k in QUOTA_KEYS if names or k not in ("person", "absence")]
    on_server = {"person": person} if person is not None else {"absence": absence}
    frame = export(
        first,
        last,
        keys=keys,
        show="quota",
        status=status,
        client=client,
        refresh=refresh,
        dry_run=dry_run,
        **on_server,
    )
    if dry_run:
        return frame  # the estimate
    if person is not None and absence is not None:
        refs = resolve(
            "absence", absence, lambda: load_entity("absence", client=client, refresh=refresh)
        )
        frame = select(frame, "absence", refs)
    out = _typed(frame, client.export_format)
    out.attrs["beebole"] = provenance(
        "leave_balance",
        {
            "start": first,
            "end": last,
            "person": person,
            "absence": absence,
            "status": status,
            "names": names,
        },
    )
    logger.debug("leave balances %s..%s: %d quotas", first, last, len(out))
    return out


def _typed(frame: pd.DataFrame, export_format: Any) -> pd.DataFrame:
    """The quota export as :data:`QUOTA_COLUMNS`."""
    missing = [c for c in ("from_to", "quota_id", *_MEASURES) if c not in frame.columns]
    if missing:
        raise ValidationError(f"not a quota export: no column(s) {', '.join(map(shown, missing))}")
    for column in ("person_name", "absence_name"):
        if column not in frame.columns:
            frame = frame.assign(**{column: pd.array([pd.NA] * len(frame), dtype="string")})
    known = ExportFormat.of(export_format).merged(
        frame.attrs.get("beebole_format") or ExportFormat()
    )
    starts, ends, found = split_periods(frame["from_to"].tolist(), export_format=known)
    out = frame.drop(columns=["from_to"]).rename(columns=_MEASURES)
    out.insert(out.columns.get_loc("absence_name") + 1, "quota_start", starts)
    out.insert(out.columns.get_loc("quota_start") + 1, "quota_end", ends)
    out = out[list(QUOTA_COLUMNS)].astype({c: "Float64" for c in _MEASURES.values()})
    out = out.sort_values(
        ["person_name", "absence_name", "quota_start", "quota_id"], ignore_index=True
    )
    out.attrs["beebole_format"] = found.merged(known)
    return out


def __dir__() -> list[str]:
    return sorted(__all__)
