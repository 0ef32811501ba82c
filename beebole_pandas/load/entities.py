"""Every entity of the account as a typed DataFrame, one loader per entity.

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

:data:`LOADERS` / :func:`load_entity` name the loaders by entity, for the
modules that resolve scopes and references (time entries, exports,
relationship frames, push).

>>> import beebole_pandas as bb
>>> bb.people(company="Acme Industries").columns[:4].tolist()   # doctest: +SKIP
['id', 'xid', 'name', 'email']
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from .. import schema
from ..api.client import resolve_client
from ..errors import SchemaError, ValidationError
from ..frames import to_frame
from .scopes import Ref, check_scope, fan_out, flag, refs_of_frame, resolve

__all__ = [
    "LOADERS",
    "absences",
    "companies",
    "custom_fields",
    "flatten_tree",
    "groups",
    "list_rows",
    "load_entity",
    "people",
    "projects",
    "subprojects",
    "tasks",
]


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
    # Arguments are checked before the client is even looked up: nothing is sent for them.
    refresh = flag(refresh, "refresh")
    check_scope(parent, value)
    client = resolve_client(client)
    refs = resolve(parent, value, lambda: load_entity(parent, client=client, refresh=refresh))
    if refs is None:
        parents = load_entity(parent, client=client, refresh=refresh)
        # A parent whose list says it has none (project.list's "subprojects":
        # {"count": 0}) needs no request; an unknown count is asked.
        counter = f"{entity}s_count"
        if counter in parents.columns:
            parents = parents[parents[counter].fillna(1).gt(0).to_numpy(bool)]
        refs = refs_of_frame(parents)
    pages = fan_out(
        lambda ref: list_rows(
            client, spec.list_service, spec.list_member, refresh=refresh, **{parent: ref}
        ),
        refs,
    )
    rows = [row for page in pages for row in page]
    frame = to_frame(entity, rows, scope={parent: value})
    if value is None:  # the whole account: its count, for later estimates
        _learn_count(client, entity, frame)
    return frame


def _estimate(kind: str, client: Any) -> Any:
    """``dry_run=True``: the :class:`~beebole_pandas.load.estimate.Estimate` of a load."""
    from .estimate import entity_estimate

    return entity_estimate(kind, load=load_entity, client=client)


#: The lists of one request: their service, bytes per row and the rows assumed
#: until the account's own count is learned. Measured on the sandbox's demo
#: account (``sandbox.serve(seed="demo")``, the same at 50, 150 and 500 people):
#: ``group.tree`` answers 11 groups in 383 bytes, ``custom_field.list`` 5 fields
#: in 352 bytes (less the fixed bytes of a list answer).
SINGLE_LISTS: dict[str, tuple[str, float, float]] = {
    "group": ("group.tree", 31.0, 10.0),
    "custom_field": ("custom_field.list", 61.0, 5.0),
}


def _single_estimate(kind: str, client: Any, refresh: bool) -> Any:
    """``dry_run=True`` of a one-request list (``groups``, ``custom_fields``):
    one request, none when the cache holds the answer (and ``refresh`` is
    False); sends nothing."""
    from .estimate import LIST_FIXED_BYTES, Estimate, JobEstimate, Profile, budget_now

    client = resolve_client(client)
    service, per_row, default = SINGLE_LISTS[kind]
    rows = Profile(client).figure(f"count_{kind}", default)
    cached = not refresh and client.recall(service) is not None
    part = JobEstimate(
        f"list {kind}", 1, int(LIST_FIXED_BYTES + rows * per_row), round(rows), cached
    )
    return Estimate(jobs=(part,), budget=budget_now(client))


def _learn_count(client: Any, kind: str, frame: pd.DataFrame) -> None:
    """Remember how many ``kind`` rows the account has (for the estimates of
    later loads); the profile is written only when the count changed."""
    from .estimate import Profile, learn_counts

    if getattr(client, "cache_dir", None) is None:  # not a client with a profile
        return
    if Profile(client).figure(f"count_{kind}", -1.0) != float(len(frame)):
        learn_counts(client, {kind: frame})


def companies(*, client: Any = None, refresh: bool = False, dry_run: bool = False) -> Any:
    """All companies (customers and the account's own), one request.

    Examples
    --------
    >>> bb.companies()[["id", "xid", "name", "projects_count"]]   # doctest: +SKIP
    """
    if flag(dry_run, "dry_run"):
        return _estimate("company", client)
    refresh = flag(refresh, "refresh")
    client = resolve_client(client)
    rows = list_rows(client, "company.list", "companies", refresh=refresh)
    frame = to_frame("company", rows)
    _learn_count(client, "company", frame)
    return frame


def people(
    company: Any = None, *, client: Any = None, refresh: bool = False, dry_run: bool = False
) -> Any:
    """The people of one company, of several, or of all (``company=None``).

    Examples
    --------
    >>> bb.people(company="Acme Industries")      # doctest: +SKIP
    """
    if flag(dry_run, "dry_run"):
        return _estimate("person", client)
    return _scoped("person", company, client=client, refresh=refresh)


def projects(
    company: Any = None, *, client: Any = None, refresh: bool = False, dry_run: bool = False
) -> Any:
    """The projects of one company, of several, or of all (``company=None``).

    Examples
    --------
    >>> bb.projects(company=["Acme Industries", 101])   # doctest: +SKIP
    """
    if flag(dry_run, "dry_run"):
        return _estimate("project", client)
    return _scoped("project", company, client=client, refresh=refresh)


def subprojects(
    project: Any = None, *, client: Any = None, refresh: bool = False, dry_run: bool = False
) -> Any:
    """The subprojects of one project, of several, or of all (``project=None``).

    Examples
    --------
    >>> bb.subprojects(project="Mobile App")   # doctest: +SKIP
    """
    if flag(dry_run, "dry_run"):
        return _estimate("subproject", client)
    return _scoped("subproject", project, client=client, refresh=refresh)


def tasks(
    company: Any = None, *, client: Any = None, refresh: bool = False, dry_run: bool = False
) -> Any:
    """The tasks of one company, of several, or of all (``company=None``).

    Examples
    --------
    >>> bb.tasks()   # doctest: +SKIP
    """
    if flag(dry_run, "dry_run"):
        return _estimate("task", client)
    return _scoped("task", company, client=client, refresh=refresh)


def absences(
    company: Any = None, *, client: Any = None, refresh: bool = False, dry_run: bool = False
) -> Any:
    """The absence types of one company, of several, or of all (``company=None``).

    Examples
    --------
    >>> bb.absences()   # doctest: +SKIP
    """
    if flag(dry_run, "dry_run"):
        return _estimate("absence", client)
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


def groups(*, client: Any = None, refresh: bool = False, dry_run: bool = False) -> Any:
    """The group tree, flattened: one row per group with ``parent_id``/``parent_xid``,
    ``depth`` (0 for top-level groups), ``path`` (``"Country/France"``) and
    ``groups_count`` (direct children). One request.

    Parameters
    ----------
    client, refresh
        The client (default: the connected one); bypass the cache.
    dry_run
        Return the :class:`~beebole_pandas.load.estimate.Estimate` only
        (one request, none when cached) and send nothing.

    Examples
    --------
    >>> bb.groups()[["name", "depth", "path"]]   # doctest: +SKIP
    >>> bb.groups(dry_run=True)                  # doctest: +SKIP
    """
    refresh = flag(refresh, "refresh")
    if flag(dry_run, "dry_run"):
        return _single_estimate("group", client, refresh)
    client = resolve_client(client)
    rows = list_rows(client, "group.tree", "groups", refresh=refresh)
    frame = to_frame("group", flatten_tree(rows))
    _learn_count(client, "group", frame)
    return frame


def custom_fields(*, client: Any = None, refresh: bool = False, dry_run: bool = False) -> Any:
    """The account's custom fields (name, what they are available for). One request.

    Parameters
    ----------
    client, refresh
        The client (default: the connected one); bypass the cache.
    dry_run
        Return the :class:`~beebole_pandas.load.estimate.Estimate` only
        (one request, none when cached) and send nothing.

    Examples
    --------
    >>> bb.custom_fields()   # doctest: +SKIP
    """
    refresh = flag(refresh, "refresh")
    if flag(dry_run, "dry_run"):
        return _single_estimate("custom_field", client, refresh)
    client = resolve_client(client)
    rows = list_rows(client, "custom_field.list", "customFields", refresh=refresh)
    frame = to_frame("custom_field", rows)
    _learn_count(client, "custom_field", frame)
    return frame


#: The loader of every entity a scope or a reference can name, by entity name.
LOADERS: dict[str, Callable[..., pd.DataFrame]] = {
    "company": companies,
    "person": people,
    "project": projects,
    "subproject": subprojects,
    "task": tasks,
    "absence": absences,
    "group": groups,
}


def load_entity(kind: str, *, client: Any = None, refresh: bool = False) -> pd.DataFrame:
    """The frame of every ``kind`` entity of the account (see :data:`LOADERS`).

    The one way the other modules load an entity they only know by name.

    Raises
    ------
    ValidationError
        ``kind`` has no loader; the message lists those that have one.

    Examples
    --------
    >>> load_entity("company")   # doctest: +SKIP
    """
    try:
        loader = LOADERS[kind]
    except (KeyError, TypeError):  # TypeError: an unhashable kind
        raise ValidationError(
            f"no loader for entity {kind!r}; valid entities are: {', '.join(LOADERS)}"
        ) from None
    return loader(client=client, refresh=refresh)
