"""Every entity and time entry of the account as a typed DataFrame.

Each loader calls the list service of its entity through the client (cached
reads: a second call costs no request), turns the rows into a frame with
:func:`beebole_pandas.frames.to_frame`, and records where the frame came from
in ``frame.attrs["beebole"]``. Every loader takes ``client=None`` (the default
client of :func:`beebole_pandas.connect`) and ``refresh=False`` (True bypasses
the cache for this call).

A scope argument (``company=``, ``project=``, ``person=``) takes an id, an xid,
a name (unique, else an error listing the matches), a list of them, or None
for all: with None, ``people()`` lists the people of every company, one cached
request per company, a few in parallel.

Time entries: for everyone (or a company or a project), ONE ``time_entry.export``
job instead of one ``time_entry.list`` per person; for named people,
``time_entry.list`` each unless :func:`use_export` finds the export cheaper.
:func:`export` (any keys) lives in :mod:`beebole_pandas.export_jobs`. Both give exactly the columns of
``schema.entity("time_entry")``, sorted by date then id.

Dates are naive local values of the account (the API has no time zones).

>>> import beebole_pandas as bb
>>> bb.people(company="Acme Industries").columns[:4].tolist()   # doctest: +SKIP
['id', 'xid', 'name', 'email']
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from . import export_parse, schema
from .errors import PermissionDenied, SchemaError, ValidationError
from .export_jobs import export, run_export
from .frames import provenance, to_frame
from .scopes import (
    Ref,
    canonical,
    fan_out,
    fill_parents,
    fill_person,
    period,
    refs_of_frame,
    resolve,
    select,
    statuses,
)

__all__ = [
    "absences",
    "companies",
    "custom_fields",
    "export",
    "groups",
    "people",
    "person_entries",
    "projects",
    "resolve_client",
    "subprojects",
    "tasks",
    "time_entries",
    "use_export",
]

# The relationship frames live in relations.py; re-exported here because
# beebole_pandas.__init__ resolves every loader name in this module.
from .relations import (
    custom_field_values,
    group_assignments,
    members,
    project_managers,
    specific_tasks,
    team_leaders,
)

__all__ += [
    "custom_field_values",
    "group_assignments",
    "members",
    "project_managers",
    "specific_tasks",
    "team_leaders",
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


def resolve_client(client: Any) -> Any:
    """``client`` itself, or the default client when it is None.

    Every function taking ``client=None`` goes through here.

    Raises
    ------
    NotConnected
        ``client`` is None and :func:`beebole_pandas.connect` was never called
        (the message says how to connect).

    Examples
    --------
    >>> resolve_client(None) is bb.get_client()   # doctest: +SKIP
    True
    """
    if client is not None:
        return client
    from .client import get_client

    return get_client()


def list_rows(client: Any, service: str, member: str, *, refresh: bool, **params: Any) -> list[Any]:
    """The rows of one list call (an absent member means no rows)."""
    answer = client.call(service, refresh=refresh, **params)
    rows = answer.get(member)
    if rows is None:
        return []
    if not isinstance(rows, list):
        raise SchemaError(f"{service}: expected a list in {member!r}, got {type(rows).__name__}")
    return rows


def _scoped(
    entity: str,
    value: Any,
    *,
    client: Any,
    refresh: bool,
) -> pd.DataFrame:
    """The frame of a scoped entity: one list call per scope (all scopes when None)."""
    spec = schema.entity(entity)
    parent = spec.scope
    assert parent is not None
    client = resolve_client(client)
    refs = resolve(parent, value, lambda: _LOADERS[parent](client=client, refresh=refresh))
    if refs is None:
        refs = refs_of_frame(_LOADERS[parent](client=client, refresh=refresh))
    pages = fan_out(
        lambda ref: list_rows(
            client, spec.list_service, spec.list_member, refresh=refresh, **{parent: ref}
        ),
        refs,
    )
    rows = [row for page in pages for row in page]
    return to_frame(entity, rows, scope={parent: value})


def companies(*, client: Any = None, refresh: bool = False) -> pd.DataFrame:
    """All companies (customers and the account's own), one request.

    Examples
    --------
    >>> bb.companies()[["id", "xid", "name", "projects_count"]]   # doctest: +SKIP
    """
    client = resolve_client(client)
    rows = list_rows(client, "company.list", "companies", refresh=refresh)
    return to_frame("company", rows)


def people(company: Any = None, *, client: Any = None, refresh: bool = False) -> pd.DataFrame:
    """The people of one company, of several, or of all (``company=None``).

    Examples
    --------
    >>> bb.people(company="Acme Industries")      # doctest: +SKIP
    """
    return _scoped("person", company, client=client, refresh=refresh)


def projects(company: Any = None, *, client: Any = None, refresh: bool = False) -> pd.DataFrame:
    """The projects of one company, of several, or of all (``company=None``).

    Examples
    --------
    >>> bb.projects(company=["Acme Industries", 101])   # doctest: +SKIP
    """
    return _scoped("project", company, client=client, refresh=refresh)


def subprojects(project: Any = None, *, client: Any = None, refresh: bool = False) -> pd.DataFrame:
    """The subprojects of one project, of several, or of all (``project=None``).

    Examples
    --------
    >>> bb.subprojects(project="Mobile App")   # doctest: +SKIP
    """
    return _scoped("subproject", project, client=client, refresh=refresh)


def tasks(company: Any = None, *, client: Any = None, refresh: bool = False) -> pd.DataFrame:
    """The tasks of one company, of several, or of all (``company=None``).

    Examples
    --------
    >>> bb.tasks()   # doctest: +SKIP
    """
    return _scoped("task", company, client=client, refresh=refresh)


def absences(company: Any = None, *, client: Any = None, refresh: bool = False) -> pd.DataFrame:
    """The absence types of one company, of several, or of all (``company=None``).

    Examples
    --------
    >>> bb.absences()   # doctest: +SKIP
    """
    return _scoped("absence", company, client=client, refresh=refresh)


def flatten_tree(nodes: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The rows of ``group.tree``, depth first: each group with its parent
    reference, its depth (0 for roots), its path of names and its number of
    direct children.

    >>> flatten_tree([{"id": 1, "name": "Country", "groups": [{"xid": "FR", "name": "France"}]}])[1]
    {'xid': 'FR', 'name': 'France', 'parent': {'id': 1}, 'depth': 1, 'path': 'Country/France', 'groups': {'count': 0}}
    """
    out: list[dict[str, Any]] = []

    def walk(items: list[Mapping[str, Any]], parent: Ref | None, depth: int, path: str) -> None:
        for node in items:
            children = node.get("groups") or []
            if isinstance(children, Mapping):  # a counter, not children
                children = []
            row: dict[str, Any] = {k: v for k, v in node.items() if k != "groups"}
            name = str(node.get("name", ""))
            here = f"{path}/{name}" if path else name
            row.update(parent=parent, depth=depth, path=here, groups={"count": len(children)})
            out.append(row)
            ref: Ref = (
                {"xid": node["xid"]} if node.get("xid") is not None else {"id": node.get("id")}
            )
            walk(children, ref, depth + 1, here)

    walk(nodes, None, 0, "")
    return out


def groups(*, client: Any = None, refresh: bool = False) -> pd.DataFrame:
    """The group tree, flattened: one row per group with ``parent_id``/``parent_xid``,
    ``depth`` (0 for top-level groups), ``path`` (``"Country/France"``) and
    ``groups_count`` (direct children). One request.

    Examples
    --------
    >>> bb.groups()[["name", "depth", "path"]]   # doctest: +SKIP
    """
    client = resolve_client(client)
    rows = list_rows(client, "group.tree", "groups", refresh=refresh)
    return to_frame("group", flatten_tree(rows))


def custom_fields(*, client: Any = None, refresh: bool = False) -> pd.DataFrame:
    """The account's custom fields (name, what they are available for). One request.

    Examples
    --------
    >>> bb.custom_fields()   # doctest: +SKIP
    """
    client = resolve_client(client)
    rows = list_rows(client, "custom_field.list", "customFields", refresh=refresh)
    return to_frame("custom_field", rows)


_LOADERS: dict[str, Any] = {
    "company": companies,
    "person": people,
    "project": projects,
    "subproject": subprojects,
    "task": tasks,
    "absence": absences,
    "group": groups,
}


# -- time entries and exports ---------------------------------------------------------


def _frame_of(kind: str, client: Any, refresh: bool) -> Any:
    return lambda: _LOADERS[kind](client=client, refresh=refresh)


def _sorted_entries(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(["date", "id"], kind="stable", ignore_index=True)


def _loader(client: Any) -> Callable[[str, bool], pd.DataFrame]:
    return lambda kind, refresh: _LOADERS[kind](client=client, refresh=refresh)


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
    """:func:`~beebole_pandas.scopes.canonical`, sparing the ``<kind>.get`` of
    ids a cheap (or, for people, already loaded) list shows."""
    if refs is None or not any("id" in r for r in refs):
        return refs
    known: set[int] = set()
    if kind in ("company", "person"):
        ids = _LOADERS[kind](client=client)["id"]
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
    rows lack them (:func:`~beebole_pandas.scopes.fill_person`,
    :func:`~beebole_pandas.scopes.fill_parents`), so the
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
    everyone = len(_LOADERS["person"](client=client))
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
    first, last = period(start, end)
    codes = statuses(status)
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
            frame = frame[frame["status"].isin(codes).to_numpy(bool)]
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
