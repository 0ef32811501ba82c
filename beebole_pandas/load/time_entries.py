"""Time entries as a typed DataFrame: one export job, or one list per person.

Time entries: for everyone (or a company or a project), ONE ``time_entry.export``
job instead of one ``time_entry.list`` per person; for named people,
``time_entry.list`` each unless :func:`use_export` finds the export cheaper.
:func:`~beebole_pandas.load.export.export` (any keys) is its own module. Both
give exactly the columns of ``schema.entity("time_entry")``, sorted by date
then id.

:func:`use_export` and :func:`person_entries` are also the write-back wing's
way to read the server's entries before a push, so that push and
:func:`time_entries` follow one rule.

Dates are naive local values of the account (the API has no time zones).

>>> import beebole_pandas as bb
>>> bb.time_entries("2026-10-01", "2026-10-31").columns[:3].tolist()   # doctest: +SKIP
['id', 'date', 'hours']
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from .. import schema
from ..api.client import resolve_client
from ..errors import PermissionDenied, ValidationError
from ..frames import provenance, to_frame
from . import parse as export_parse
from .entities import list_rows, load_entity
from .export import run_export
from .scopes import (
    Ref,
    canonical,
    check_scope,
    fan_out,
    fill_parents,
    fill_person,
    flag,
    period,
    resolve,
    select,
    statuses,
)

__all__ = [
    "PER_PERSON_LIMIT",
    "person_entries",
    "time_entries",
    "use_export",
]

#: Up to this many named people, time_entries() (and push) always list them
#: one by one; beyond, :func:`use_export` compares the expected bytes.
PER_PERSON_LIMIT = 5
# Expected sizes, measured on the demo sandbox (answers shaped as the
# reference's examples), for use_export(): a time_entry.list row with its
# nested names, a row of the id-keys export, the names export and the job
# round trips, and entries per person and working day. Only the fixed cost
# depends on the last one: the rest scales alike on both sides.
LIST_BYTES_PER_ENTRY = 300
EXPORT_BYTES_PER_ENTRY = 95
EXPORT_FIXED_BYTES = 20_000
ENTRIES_PER_WORKDAY = 1.5


def _frame_of(kind: str, client: Any, refresh: bool) -> Any:
    return lambda: load_entity(kind, client=client, refresh=refresh)


def _sorted_entries(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(["date", "id"], kind="stable", ignore_index=True)


def _loader(client: Any) -> Callable[[str, bool], pd.DataFrame]:
    return lambda kind, refresh: load_entity(kind, client=client, refresh=refresh)


def _getter(client: Any) -> Callable[[str, Ref], Mapping[str, Any] | None]:
    """``<kind>.get`` of one reference (cached); None when the user may not see it."""

    def get(kind: str, ref: Ref) -> Mapping[str, Any] | None:
        try:
            found = client.call(f"{kind}.get", **ref).get(kind)
        except PermissionDenied:
            return None
        return found if isinstance(found, Mapping) else None

    return get


def _canonical(client: Any, kind: str, refs: list[Ref] | None) -> list[Ref] | None:
    """:func:`~beebole_pandas.load.scopes.canonical`, sparing the ``<kind>.get`` of
    ids a cheap (or, for people, already loaded) list shows."""
    if refs is None or not any("id" in r for r in refs):
        return refs
    known: set[int] = set()
    if kind in ("company", "person"):
        ids = load_entity(kind, client=client)["id"]
        known = {int(i) for i in ids[ids.notna()]}
    return canonical(kind, refs, _getter(client), known=known)


def _listed(client: Any, person: Ref, first: str, last: str, refresh: bool) -> list[dict[str, Any]]:
    rows = list_rows(
        client,
        "time_entry.list",
        "timeEntries",
        refresh=refresh,
        person=person,
        **{"from": first, "to": last},
    )
    # Copies: the filling must not change the client's cached answer.
    return fill_person([dict(r) for r in rows], person, _getter(client))


def person_entries(
    client: Any, person: Any, start: Any, end: Any, *, refresh: bool = False
) -> pd.DataFrame:
    """One person's time entries over [start, end], with one ``time_entry.list``.

    The person and the parent project/company are filled in when the API's
    rows lack them (:func:`~beebole_pandas.load.scopes.fill_person`,
    :func:`~beebole_pandas.load.scopes.fill_parents`), so the
    frame equals what the export path of :func:`time_entries` gives for that
    person: exactly ``schema.entity("time_entry").columns``, sorted by date
    then id.

    Parameters
    ----------
    client
        A client, or None for the default one.
    person
        One person: an id, an xid, a name or a reference (``{"xid": "E-7"}``).
    start, end
        The period, both included.
    refresh
        Bypass the cache for the entries (the lists used to fill parents stay
        cached: a parent missing from them reloads them once).

    Raises
    ------
    NotFound
        The person does not exist (the server's answer).

    Examples
    --------
    >>> person_entries(None, {"id": 1002}, "2026-10-01", "2026-10-31")   # doctest: +SKIP
    """
    first, last = period(start, end)
    refresh = flag(refresh, "refresh")
    check_scope("person", person)
    client = resolve_client(client)
    refs = resolve("person", person, _frame_of("person", client, False)) or []
    if len(refs) != 1:
        raise ValidationError(f"person={person!r} must name exactly one person, not {len(refs)}")
    rows = fill_parents(_listed(client, refs[0], first, last, refresh), _loader(client))
    scope = {"start": first, "end": last, "person": person}
    return _sorted_entries(to_frame("time_entry", rows, scope=scope))


def _workdays(first: str, last: str) -> int:
    end = (_dt.date.fromisoformat(last) + _dt.timedelta(days=1)).isoformat()
    return max(1, int(np.busday_count(first, end)))


def use_export(client: Any, people: Any, start: Any, end: Any) -> bool:
    """Whether the entries of ``people`` over [start, end] are cheaper to read
    with one export of everyone's entries than with one ``time_entry.list``
    per person. The one rule of :func:`time_entries` and of push.

    Up to :data:`PER_PERSON_LIMIT` people, never (a few small requests). Beyond,
    the export wins only when its expected bytes (every person of the account,
    at :data:`EXPORT_BYTES_PER_ENTRY`, plus :data:`EXPORT_FIXED_BYTES`) are
    fewer than those of the lists (the people named, at
    :data:`LIST_BYTES_PER_ENTRY`): bytes are the scarcer daily budget. The
    account's head count comes from :func:`people` (cached).

    Parameters
    ----------
    client
        A client, or None for the default one.
    people
        The people named (ids, xids, names or references; a list), or None
        for everyone (always the export).
    start, end
        The period, both included.

    Examples
    --------
    >>> use_export(None, [1001, 1002], "2026-01-01", "2026-06-30")   # doctest: +SKIP
    False
    >>> use_export(None, None, "2026-01-01", "2026-06-30")           # doctest: +SKIP
    True
    """
    first, last = period(start, end)
    if people is None:
        return True
    client = resolve_client(client)
    refs = resolve("person", people, _frame_of("person", client, False)) or []
    if len(refs) <= PER_PERSON_LIMIT:
        return False
    everyone = len(load_entity("person", client=client))
    entries = _workdays(first, last) * ENTRIES_PER_WORKDAY
    export_bytes = EXPORT_FIXED_BYTES + max(everyone, len(refs)) * entries * EXPORT_BYTES_PER_ENTRY
    list_bytes = len(refs) * entries * LIST_BYTES_PER_ENTRY
    return export_bytes < list_bytes


def time_entries(
    start: Any,
    end: Any,
    *,
    person: Any = None,
    company: Any = None,
    project: Any = None,
    status: Any = None,
    client: Any = None,
    refresh: bool = False,
) -> pd.DataFrame:
    """The time entries of a period, for everyone or for a scope.

    For everyone, a company or a project: one ``time_entry.export`` job (a few
    requests however many people). For named people: one ``time_entry.list``
    each, unless :func:`use_export` finds the export cheaper. Either way the
    frame has exactly ``schema.entity("time_entry").columns``, sorted by date
    then id, with every entry's person and ancestors filled in.

    Parameters
    ----------
    start, end
        The period, both included (``"2024-01-01"``, a date or a Timestamp).
    person, company, project
        Scopes: an id, an xid, a name, a list of them, or None. An entity with
        an xid may be named by its numeric id too.
    status
        A status code or label (``"a"`` / ``"approved"``), or a list of them.

    Examples
    --------
    >>> bb.time_entries("2024-01-01", "2024-01-31")                      # doctest: +SKIP
    >>> bb.time_entries("2024-01-01", "2024-01-31", person="Léa Martin")  # doctest: +SKIP
    """
    # Every argument is checked before anything is looked up or sent.
    first, last = period(start, end)
    codes = statuses(status)
    refresh = flag(refresh, "refresh")
    for kind, value in (("person", person), ("company", company), ("project", project)):
        check_scope(kind, value)
    client = resolve_client(client)
    people_refs = resolve("person", person, _frame_of("person", client, refresh))
    company_refs = resolve("company", company, _frame_of("company", client, refresh))
    project_refs = resolve("project", project, _frame_of("project", client, refresh))
    scope = {
        "start": first,
        "end": last,
        "person": person,
        "company": company,
        "project": project,
        "status": codes,
    }
    # Rows show an entity with an xid by its xid only: filters applied here
    # must name it so (a filter sent to the server may use either).
    local: dict[str, list[Ref] | None] = {"company": company_refs, "project": project_refs}
    if people_refs is not None and not use_export(client, people_refs, first, last):
        pages = fan_out(lambda ref: _listed(client, ref, first, last, refresh), people_refs)
        rows = fill_parents([row for page in pages for row in page], _loader(client))
        frame = to_frame("time_entry", rows)
        if codes is not None:
            labels = [schema.STATUS_LABELS[c] for c in codes]
            frame = frame[frame["status"].isin(labels).to_numpy(bool)]
    else:
        params: dict[str, Any] = {"from": first, "to": last, "show": "all", "outputFormat": "array"}
        if codes is not None:
            params["statusFilters"] = codes
        # The API takes one entity filter: send the narrowest single one (the
        # server applies it, by id or xid alike), apply the others here.
        for kind in ("project", "company"):
            refs = local[kind]
            if refs is not None and len(refs) == 1:
                params[kind] = refs[0]
                del local[kind]
                break
        local["person"] = people_refs
        # Two jobs side by side: entries with ids only, and the distinct references
        # with their names (see export_parse.TIME_ENTRY_ID_KEYS): half the bytes.
        key_sets = [export_parse.TIME_ENTRY_ID_KEYS, export_parse.TIME_ENTRY_NAME_KEYS]
        results = fan_out(
            lambda keys: run_export(client, {**params, "keys": list(keys)}, refresh=refresh),
            key_sets,
        )
        entries, names = (
            export_parse.parse_export(result, keys)
            for result, keys in zip(results, key_sets, strict=True)
        )
        frame = export_parse.export_to_time_entries(entries, names)
    for kind, refs in local.items():
        frame = select(frame, kind, _canonical(client, kind, refs))
    frame = _sorted_entries(frame)
    frame.attrs["beebole"] = provenance("time_entry", scope)
    return frame
