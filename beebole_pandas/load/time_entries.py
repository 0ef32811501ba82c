"""Time entries as a typed DataFrame: one export job, or one list per person.

Time entries: for everyone (or a company or a project), ONE ``time_entry.export``
job instead of one ``time_entry.list`` per person; for named people,
``time_entry.list`` each unless :func:`use_export` finds the export cheaper.
:func:`~beebole_pandas.load.export.export` (any keys) is its own module. Both
give exactly the columns of ``schema.entity("time_entry")``, sorted by date
then id.

:func:`use_export` and :func:`person_entries` are also the write-back wing's
way to read the server's entries before a push, so that push and
:func:`time_entries` follow one rule; push may also read entries one by one
(:func:`entries_by_id`). What each read costs, and ``use_export``, live in
:mod:`.entry_costs` (re-exported here).

Dates are naive local values of the account (the API has no time zones).

>>> import beebole_pandas as bb
>>> bb.time_entries("2026-10-01", "2026-10-31").columns[:3].tolist()   # doctest: +SKIP
['id', 'date', 'hours']
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd

from .. import schema
from ..api.client import resolve_client
from ..errors import NotFound, PermissionDenied, ValidationError
from ..frames import provenance, to_frame
from . import parse as export_parse
from .entities import list_rows, load_entity
from .entry_columns import entries_frame, keys_for, repair_xids
from .entry_costs import (
    GET_BYTES,
    PER_PERSON_LIMIT,
    export_bytes,
    get_bytes,
    list_bytes,
    lists_estimate_of,
    use_export,
    workdays,
)
from .estimate import (
    Estimate,
    Profile,
    budget_now,
    learn_counts,
    lists_estimate,
    refuse_unless_fits,
)
from .export import export_estimate, probe_hours, run_export
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
from .store import SyncReport, run_sync

__all__ = [
    "GET_BYTES",
    "PER_PERSON_LIMIT",
    "entries_by_id",
    "export_bytes",
    "get_bytes",
    "list_bytes",
    "person_entries",
    "sync",
    "time_entries",
    "use_export",
]


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


def entries_by_id(
    client: Any, entries: Sequence[tuple[int, str]], *, refresh: bool = True
) -> tuple[pd.DataFrame, list[int], list[int]]:
    """Time entries by id and date: one ``time_entry.get`` each, a few at a time.

    What a push of a few entries spread over many people and dates reads
    instead of those people's entries around the dates (a few hundred bytes
    an entry). The parent project and company are filled in like
    :func:`person_entries` does.

    Parameters
    ----------
    client
        A client, or None for the default one.
    entries
        ``(id, "YYYY-MM-DD")`` pairs: the API finds an entry by both.
    refresh
        Bypass the cache (the default: a push plans against fresh entries).

    Returns
    -------
    (frame, not_found, unnamed)
        The entries found whose answer names their person (the columns of
        ``schema.entity("time_entry")``, sorted by date then id); the ids
        the server does not have on that date; the ids whose answer does not
        name the person (the reference's shape of ``time_entry.get``), which
        only a read by person can place.

    Examples
    --------
    >>> frame, gone, unnamed = entries_by_id(None, [(114358, "2026-10-05")])   # doctest: +SKIP
    """
    client = resolve_client(client)

    def get(item: tuple[int, str]) -> Mapping[str, Any] | None:
        ident, date = item
        try:
            found = client.call("time_entry.get", refresh=refresh, id=int(ident), date=date)
        except NotFound:
            return None
        entry = found.get("timeEntry")
        return entry if isinstance(entry, Mapping) else None

    answers = fan_out(get, list(entries))
    rows: list[dict[str, Any]] = []
    missing: list[int] = []
    unnamed: list[int] = []
    for (ident, _date), entry in zip(entries, answers, strict=True):
        if entry is None:
            missing.append(int(ident))
        elif entry.get("person") is None:
            unnamed.append(int(ident))
        else:
            rows.append(dict(entry))  # a copy: the filling must not change the cached answer
    rows = fill_parents(rows, _loader(client))
    return _sorted_entries(to_frame("time_entry", rows)), missing, unnamed


def time_entries(
    start: Any,
    end: Any = None,
    *,
    person: Any = None,
    company: Any = None,
    project: Any = None,
    status: Any = None,
    columns: Sequence[str] | None = None,
    dry_run: bool = False,
    resume: bool = False,
    client: Any = None,
    refresh: bool = False,
) -> Any:
    """The time entries of a period, for everyone or for a scope.

    For everyone, a company or a project: one ``time_entry.export`` job of the
    keys the ``columns`` need (CSV, the cheaper output), with names filled from
    the entity lists (cached). For named people: one ``time_entry.list`` each,
    unless :func:`use_export` finds the export cheaper. The frame has the
    columns of ``schema.entity("time_entry")`` (or ``columns``), sorted by date
    then id, with every entry's person and ancestors filled in.

    The load is estimated first (a probe of a few hundred bytes): one that
    does not fit in what is free today raises
    :class:`~beebole_pandas.errors.BudgetExceeded` with nothing of it sent,
    naming the figures and the choices.

    Parameters
    ----------
    start, end
        The period, both included: two days (``"2024-01-01"``, a date or a
        Timestamp), or one period alone as ``start`` (``"2026-11"``,
        ``"2026-Q4"``, ``"last-month"``: see :func:`~beebole_pandas.load.scopes.period`).
    person, company, project
        Scopes: an id, an xid, a name, a list of them, or None. An entity with
        an xid may be named by its numeric id too.
    status
        A status code or label (``"a"`` / ``"approved"``), or a list of them.
    columns
        Only these columns of the time-entry frame (fewer export keys, fewer
        bytes); ``person_name`` and the like come from the entity lists.
    dry_run
        Return the :class:`~beebole_pandas.load.estimate.Estimate` (requests,
        KB, whether it fits today) instead of loading.
    resume
        Load through the local store (:func:`beebole_pandas.sync`): month by
        month (a month cut where a day is full), what fits today; raises ``BudgetExceeded`` saying what is left
        and when it can go on when the period is not complete yet.

    Examples
    --------
    >>> bb.time_entries("2024-01-01", "2024-01-31")                      # doctest: +SKIP
    >>> bb.time_entries("2024-01-01", "2024-01-31", person="Léa Martin")  # doctest: +SKIP
    >>> bb.time_entries("2024-01-01", "2024-12-31", dry_run=True)        # doctest: +SKIP
    Estimate(5 requests, 19,850.2 KB (9.69 days of budget); does NOT fit: ...)
    """
    # Every argument is checked before anything is looked up or sent.
    first, last = period(start, end)
    codes = statuses(status)
    refresh = flag(refresh, "refresh")
    dry_run = flag(dry_run, "dry_run")
    resume = flag(resume, "resume")
    keys, name_lists = keys_for(columns)
    for kind, value in (("person", person), ("company", company), ("project", project)):
        check_scope(kind, value)
    if resume:
        report = sync(
            first,
            last,
            person=person,
            company=company,
            project=project,
            status=status,
            columns=columns,
            client=client,
            refresh=refresh,
            dry_run=dry_run,
        )
        if isinstance(report, SyncReport):
            return report.frame(strict=True)
        return report
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
        if dry_run:
            return lists_estimate_of(client, people_refs, first, last)
        pages = fan_out(lambda ref: _listed(client, ref, first, last, refresh), people_refs)
        rows = fill_parents([row for page in pages for row in page], _loader(client))
        frame = to_frame("time_entry", rows)
        if codes is not None:
            labels = [schema.STATUS_LABELS[c] for c in codes]
            frame = frame[frame["status"].isin(labels).to_numpy(bool)]
    else:
        params: dict[str, Any] = {"from": first, "to": last, "show": "all"}
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
        filter_keys = {f"{k}Id" for k, refs in local.items() if refs is not None}
        job_keys = [k for k in export_parse.TIME_ENTRY_ID_KEYS if k in set(keys) | filter_keys]
        result = _export_entries(
            client, params, job_keys, name_lists, refresh=refresh, dry_run=dry_run
        )
        if dry_run:
            return result
        export, lists = result
        frame = entries_frame(export, job_keys, lists, None)
    for kind, refs in local.items():
        frame = select(frame, kind, _canonical(client, kind, refs))
    frame = _sorted_entries(frame)
    if columns is not None:
        frame = frame[list(columns)]
    frame.attrs["beebole"] = provenance("time_entry", scope)
    return frame


def _export_entries(
    client: Any,
    params: dict[str, Any],
    keys: list[str],
    name_lists: list[str],
    *,
    refresh: bool,
    dry_run: bool,
) -> Any:
    """The one export job of :func:`time_entries` and the entity lists of its names:
    estimated first (refused when it does not fit), then run under its claim."""
    # CSV is about 20% fewer bytes than the array output; its only doubt (an
    # xid made of digits reads as an id) is settled by the entity lists, so it
    # is used when every reference asked for has its list at hand.
    refs = [k[: -len("Id")] for k in keys if k.endswith("Id") and k != "eventId"]
    csv = all(entity in name_lists for entity in refs)
    job = {**params, "keys": keys}
    if not csv:
        job["outputFormat"] = "array"
    first, last = params["from"], params["to"]
    est, parts, _ = export_estimate(client, [job], keys, refresh=refresh, label="export")
    probe = probe_hours(client, first, last, params=job, refresh=refresh)
    est = est + Estimate(
        jobs=tuple(
            lists_estimate(
                client, name_lists, people=_head_count(probe, first, last), load=load_entity
            )
        ),
        budget=budget_now(client),
    )
    if dry_run:
        return est
    refuse_unless_fits(est, what=f"time entries of {first}..{last}")
    lists = {kind: load_entity(kind, client=client) for kind in name_lists}
    if lists:
        learn_counts(client, lists)
    result = run_export(client, job, refresh=refresh, expected=parts[0])
    export = export_parse.parse_export(
        result, keys, export_format=client.export_format, period=(first, last)
    )
    if csv:
        export = repair_xids(export, lists)
    if "hours" in keys and len(export) >= 20 and not parts[0].cached:
        hours = float(export["hours"].sum())
        if hours > 0:
            Profile(client).learn("entries_per_hour", len(export) / hours)
    return export, lists


def _head_count(probe: pd.DataFrame, first: str, last: str) -> float:
    """People to expect from the hours of a probe (8 hours a working day)."""
    if not len(probe):
        return 1.0
    per_month = probe.groupby("month", observed=True)["hours"].sum()
    days = max(workdays(first, last) / max(len(per_month), 1), 1.0)
    return max(float(per_month.max()) / (days * 8.0), 1.0)


def sync(
    start: Any,
    end: Any = None,
    *,
    person: Any = None,
    company: Any = None,
    project: Any = None,
    status: Any = None,
    columns: Sequence[str] | None = None,
    client: Any = None,
    refresh: bool = False,
    dry_run: bool = False,
) -> SyncReport | Estimate:
    """Fetch what fits today of a period's time entries into the local store,
    to go on on a later call or day (``bb.sync``).

    The period is split into month chunks (halved until each fits a day); the
    chunks that fit in what is free today, and the first days of the next
    one that fit (sized by the estimate, so each day is filled), are fetched
    with :func:`time_entries` and kept as Parquet files in the user's data
    directory (one folder per account and scope, written atomically). A chunk
    whose entries were all approved or locked is never fetched again; other
    stored chunks are fetched again with ``refresh=True``.

    Parameters
    ----------
    start, end
        The period, both included, as for :func:`time_entries`.
    person, company, project, status, columns
        As for :func:`time_entries`; each combination has its own store.
    refresh
        Fetch the stored chunks that are not closed again.
    dry_run
        Return the :class:`~beebole_pandas.load.estimate.Estimate` of what
        is left, fetching nothing.

    Returns
    -------
    SyncReport
        What was fetched, what is left and when to go on; ``.frame()`` reads
        the stored entries (identical to one load of the period).

    Examples
    --------
    >>> report = bb.sync("2026-01-01", "2026-12-31")     # doctest: +SKIP
    >>> report.complete                                  # doctest: +SKIP
    False
    >>> report.frame()                                   # doctest: +SKIP
    """
    return run_sync(  # type: ignore[no-any-return]
        time_entries,
        start,
        end,
        person=person,
        company=company,
        project=project,
        status=status,
        columns=None if columns is None else list(columns),
        client=client,
        refresh=refresh,
        dry_run=dry_run,
    )
