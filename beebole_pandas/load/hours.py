"""Aggregated hours from an aggregated export: ``bb.hours``.

Beebole's export sums its measures over the dimension keys asked for, so
hours per person per week per project is a few thousand rows, not every
entry: a month for 1,000 people is about 260 KB instead of 1,600 KB (and
the names come from the entity lists, cached).

>>> import beebole_pandas as bb
>>> bb.hours("2026-10-01", "2026-10-31", by=["person", "week", "project"])   # doctest: +SKIP
   person_id person_xid person_key  person_name       week  project_id ...  hours
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from ..api.client import resolve_client
from ..errors import ValidationError
from ..export_keys import MEASURES, SHOW_KEYS
from ..frames import key_array, provenance
from .entities import load_entity
from .entry_columns import names_frame, repair_xids
from .estimate import Estimate, budget_now, learn_counts, lists_estimate
from .export import export, probe_hours
from .export_size import people_behind
from .parse import name_column
from .scopes import flag, period

__all__ = ["DIMENSIONS", "hours"]

#: What ``by`` takes -> the export key it asks for.
DIMENSIONS: dict[str, str] = {
    "person": "personId",
    "company": "companyId",
    "project": "projectId",
    "subproject": "subprojectId",
    "task": "taskId",
    "absence": "absenceId",
    "group": "gid",
    "date": "to",
    "week": "week",
    "month": "month",
    "status": "status",
}
_NAMED = ("person", "company", "project", "subproject", "task", "absence")


def _listify(value: Any, name: str) -> list[str]:
    items = [value] if isinstance(value, str) else list(value or [])
    if not items or not all(isinstance(i, str) for i in items):
        raise ValidationError(f"{name} must be a name or a list of names, got {value!r}")
    return items


def hours(
    start: Any,
    end: Any = None,
    *,
    by: Sequence[str] | str = ("person", "week", "project"),
    measures: Sequence[str] | str = ("hours",),
    names: bool = True,
    status: Any = None,
    company: Any = None,
    project: Any = None,
    person: Any = None,
    client: Any = None,
    refresh: bool = False,
    dry_run: bool = False,
) -> Any:
    """Hours (and other export measures) summed by the server over ``by``.

    Parameters
    ----------
    start, end
        The period, both included: two days, or one period alone as ``start``
        (``"2026-11"``, ``"2026-Q4"``, ``"last-month"``: see :func:`~beebole_pandas.load.scopes.period`).
    by
        Dimensions: any of ``person``, ``company``, ``project``, ``subproject``,
        ``task``, ``absence``, ``group``, ``date``, ``week``, ``month``,
        ``status``. A reference gives ``<ref>_id``, ``<ref>_xid``, ``<ref>_key``
        (and ``<ref>_name`` with ``names=True``); ``week`` is the Monday.
    measures
        Export measures: ``hours`` (default), ``cost``, ``billing``,
        ``overtime``, ``inDays``, ... (columns in snake_case, Float64).
    names
        Fill ``<ref>_name`` from the entity lists (cached; not a second export).
    status, company, project, person
        Filters, as for :func:`beebole_pandas.export` (one entity filter).
    dry_run
        Return the :class:`~beebole_pandas.load.estimate.Estimate` only.

    Examples
    --------
    >>> bb.hours("2026-10", by=["person", "week"])                          # doctest: +SKIP
    >>> bb.hours("2026-01-01", "2026-12-31", by="month", measures=["hours", "cost"])  # doctest: +SKIP
    """
    first, last = period(start, end)
    dims = _listify(by, "by")
    wanted = _listify(measures, "measures")
    for dim in dims:
        if dim not in DIMENSIONS:
            raise ValidationError(
                f"by: {dim!r} is not a dimension; valid ones are: {', '.join(DIMENSIONS)}"
            )
    for measure in wanted:
        if measure not in MEASURES or measure not in SHOW_KEYS["all"]:
            valid = sorted(m for m in MEASURES if m in SHOW_KEYS["all"])
            raise ValidationError(
                f"measures: {measure!r} is not an export measure; valid ones are: {', '.join(valid)}"
            )
    names = flag(names, "names")
    dry_run = flag(dry_run, "dry_run")
    client = resolve_client(client)
    keys = [DIMENSIONS[d] for d in dims] + wanted
    named = [d for d in dims if d in _NAMED] if names else []
    # CSV is the cheaper output; the entity lists settle its one doubt (xids of digits).
    refs = [d for d in dims if d in _NAMED]
    output = "csv" if all(r in named for r in refs) else "array"
    filters = {"status": status, "company": company, "project": project, "person": person}
    if dry_run:
        est = export(
            first, last, keys=keys, output=output, client=client, refresh=refresh, dry_run=True,
            **filters,
        )  # fmt: skip
        probe = probe_hours(client, first, last)
        people = max(people_behind(probe, first, last), 1.0)  # the name lists' head count
        parts = lists_estimate(client, named, people=people, load=load_entity)
        return est + Estimate(jobs=tuple(parts), budget=budget_now(client))
    lists = {kind: load_entity(kind, client=client) for kind in named}
    if lists:
        learn_counts(client, lists)
    frame = export(first, last, keys=keys, output=output, client=client, refresh=refresh, **filters)
    if output == "csv":
        frame = repair_xids(frame, lists)
    frame = _named(frame, named, lists)
    # The export's key for the day is ``to``; the dimension asked for is ``date``.
    frame = frame.rename(columns={"to": "date"})
    frame.attrs["beebole"] = provenance(
        "hours", {"start": first, "end": last, "by": dims, "measures": wanted, **filters}
    )
    return frame


def _named(frame: pd.DataFrame, named: list[str], lists: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Add ``<ref>_key`` (and ``<ref>_name`` for ``named``) after each reference's xid."""
    table = names_frame(lists)
    data: dict[str, Any] = {}
    for column in frame.columns:
        data[column] = frame[column].array
        if column.endswith("_xid"):
            entity = column[: -len("_xid")]
            data[f"{entity}_key"] = key_array(frame[f"{entity}_id"].array, frame[column].array)
            if entity in named:
                data[f"{entity}_name"] = name_column(frame, table, entity)
    return pd.DataFrame(data, index=frame.index, copy=False)
