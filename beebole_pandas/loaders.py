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
job instead of one ``time_entry.list`` per person; for one named person,
``time_entry.list``. Both give exactly the columns of
``schema.entity("time_entry")``, sorted by date then id.

Dates are naive local values of the account (the API has no time zones).

>>> import beebole_pandas as bb
>>> bb.people(company="Acme Industries").columns[:4].tolist()   # doctest: +SKIP
['id', 'xid', 'name', 'email']
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from typing import Any

import pandas as pd

from . import export_parse, schema
from .errors import SchemaError, ValidationError
from .export_jobs import run_export
from .frames import to_frame
from .scopes import Ref, fan_out, refs_of_frame, resolve, select

__all__ = [
    "absences",
    "companies",
    "custom_fields",
    "export",
    "groups",
    "people",
    "projects",
    "subprojects",
    "tasks",
    "time_entries",
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

#: Up to this many named people, time_entries() lists them one by one;
#: beyond, one export job for everyone is cheaper.
PER_PERSON_LIMIT = 5


def _client(client: Any) -> Any:
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
    client = _client(client)
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
    client = _client(client)
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
    client = _client(client)
    rows = list_rows(client, "group.tree", "groups", refresh=refresh)
    return to_frame("group", flatten_tree(rows))


def custom_fields(*, client: Any = None, refresh: bool = False) -> pd.DataFrame:
    """The account's custom fields (name, what they are available for). One request.

    Examples
    --------
    >>> bb.custom_fields()   # doctest: +SKIP
    """
    client = _client(client)
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


def _day(value: Any, name: str) -> str:
    if isinstance(value, str):
        try:
            return _dt.date.fromisoformat(value[:10]).isoformat()
        except ValueError:
            pass
    elif isinstance(value, _dt.date | pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    raise ValidationError(
        f"{name}={value!r} is not a date; use 'YYYY-MM-DD', a date or a Timestamp"
    )


def _period(start: Any, end: Any) -> tuple[str, str]:
    first, last = _day(start, "start"), _day(end, "end")
    if last < first:
        raise ValidationError(f"end ({last}) is before start ({first})")
    return first, last


def _statuses(status: Any) -> list[str] | None:
    if status is None:
        return None
    values = [status] if isinstance(status, str) else list(status)
    labels = {label: code for code, label in schema.STATUS_LABELS.items()}
    codes: list[str] = []
    for v in values:
        code = labels.get(v, v) if isinstance(v, str) else v
        if code not in schema.STATUS_CODES:
            valid = ", ".join(f"{c!r} ({schema.STATUS_LABELS[c]})" for c in schema.STATUS_CODES)
            raise ValidationError(f"unknown status {v!r}; valid statuses are {valid}")
        if code not in codes:
            codes.append(code)
    return codes


def _frame_of(kind: str, client: Any, refresh: bool) -> Any:
    return lambda: _LOADERS[kind](client=client, refresh=refresh)


def _sorted_entries(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(["date", "id"], kind="stable", ignore_index=True)


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
    requests however many people). For up to :data:`PER_PERSON_LIMIT` named
    people: one ``time_entry.list`` each. Either way the frame has exactly
    ``schema.entity("time_entry").columns``, sorted by date then id.

    Parameters
    ----------
    start, end
        The period, both included (``"2024-01-01"``, a date or a Timestamp).
    person, company, project
        Scopes: an id, an xid, a name, a list of them, or None.
    status
        A status code or label (``"a"`` / ``"approved"``), or a list of them.

    Examples
    --------
    >>> bb.time_entries("2024-01-01", "2024-01-31")                      # doctest: +SKIP
    >>> bb.time_entries("2024-01-01", "2024-01-31", person="Léa Martin")  # doctest: +SKIP
    """
    first, last = _period(start, end)
    codes = _statuses(status)
    client = _client(client)
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
    if people_refs is not None and len(people_refs) <= PER_PERSON_LIMIT:
        pages = fan_out(
            lambda ref: list_rows(
                client,
                "time_entry.list",
                "timeEntries",
                refresh=refresh,
                person=ref,
                **{"from": first, "to": last},
            ),
            people_refs,
        )
        frame = to_frame("time_entry", [row for page in pages for row in page], scope=scope)
        if codes is not None:
            frame = frame[frame["status"].isin(codes).to_numpy(bool)]
        frame = select(select(frame, "company", company_refs), "project", project_refs)
        frame = _sorted_entries(frame)
    else:
        params: dict[str, Any] = {"from": first, "to": last, "show": "all", "outputFormat": "array"}
        if codes is not None:
            params["statusFilters"] = codes
        # The API takes one entity filter: send the narrowest single one, apply the rest here.
        for kind, refs in (("project", project_refs), ("company", company_refs)):
            if refs is not None and len(refs) == 1:
                params[kind] = refs[0]
                break
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
        for kind, refs in (
            ("person", people_refs),
            ("company", company_refs),
            ("project", project_refs),
        ):
            frame = select(frame, kind, refs)
        frame = _sorted_entries(frame)
    frame.attrs["beebole"] = {
        "entity": "time_entry",
        "scope": scope,
        "loaded_at": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
    }
    return frame


_SHOWS = ("all", "work", "abs", "quota", "attendance")
_FILTERS = ("company", "project", "subproject", "person", "task", "absence")


def export(
    start: Any,
    end: Any,
    *,
    keys: Any,
    show: str = "all",
    status: Any = None,
    groups: Any = None,
    company: Any = None,
    project: Any = None,
    subproject: Any = None,
    person: Any = None,
    task: Any = None,
    absence: Any = None,
    output: str = "array",
    client: Any = None,
    refresh: bool = False,
) -> pd.DataFrame:
    """Run a ``time_entry.export`` job and return its rows as a typed frame.

    Rows are aggregated by the server over the dimension keys you ask for
    (ask for ``eventId`` to get one row per entry). Each key becomes typed
    columns (see :mod:`beebole_pandas.export_parse`): names ``company_name``,
    ids ``company_id`` + ``company_xid``, measures Float64, dates datetime64,
    ``status`` categorical.

    Parameters
    ----------
    start, end
        The period, both included.
    keys
        Export keys, e.g. ``["person", "project", "hours"]``.
    show
        ``"all"``, ``"work"``, ``"abs"``, ``"quota"`` or ``"attendance"``.
    status
        Status code(s) or label(s) to keep (``statusFilters``).
    groups
        Group(s) of people to keep (ids, xids or names; ``gids``).
    company, project, subproject, person, task, absence
        At most one entity filter (the API takes one). A list runs one job per value.
    output
        ``"array"`` (typed JSON, the default) or ``"csv"`` (localised text, parsed here).

    Examples
    --------
    >>> bb.export("2024-01-01", "2024-01-31", keys=["person", "hours"])   # doctest: +SKIP
    """
    first, last = _period(start, end)
    if show not in _SHOWS:
        raise ValidationError(f"show={show!r} is not one of {', '.join(map(repr, _SHOWS))}")
    if output not in ("array", "csv"):
        raise ValidationError(f"output={output!r} is not 'array' or 'csv'")
    key_list = [keys] if isinstance(keys, str) else list(keys)
    if not key_list:
        raise ValidationError("keys must name at least one export key, e.g. ['person', 'hours']")
    export_parse.check_keys(key_list, show)
    client = _client(client)
    given = {
        k: v
        for k, v in zip(
            _FILTERS, (company, project, subproject, person, task, absence), strict=True
        )
        if v is not None
    }
    if len(given) > 1:
        raise ValidationError(
            f"give at most one entity filter (the API takes one); got {', '.join(given)}"
        )
    params: dict[str, Any] = {"from": first, "to": last, "show": show, "keys": key_list}
    if output == "array":
        params["outputFormat"] = "array"
    codes = _statuses(status)
    if codes is not None:
        params["statusFilters"] = codes
    group_refs = resolve("group", groups, _frame_of("group", client, refresh))
    if group_refs is not None:
        params["gids"] = [r.get("id", r.get("xid")) for r in group_refs]
    jobs: list[dict[str, Any]] = [params]
    for kind, value in given.items():
        refs = resolve(kind, value, _frame_of(kind, client, refresh)) or []
        jobs = [{**params, kind: ref} for ref in refs]
    frames = [
        export_parse.parse_export(run_export(client, job, refresh=refresh), key_list)
        for job in jobs
    ]
    if not frames:
        frame = export_parse.parse_export([], key_list)
    elif len(frames) == 1:
        frame = frames[0]
    else:
        frame = pd.concat(frames, ignore_index=True)
    frame.attrs["beebole"] = {
        "entity": "export",
        "scope": {
            "start": first,
            "end": last,
            "keys": key_list,
            "show": show,
            **given,
            "status": codes,
            "groups": groups,
            "output": output,
        },
        "loaded_at": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
    }
    return frame
