"""Relationships as long-format frames an analyst can join on.

One row per link, each side as ``<side>_id`` / ``<side>_xid`` / ``<side>_name``
(the same columns as the entity frames, so ``merge(left_on="person_id",
right_on="id")`` just works):

=============================  ==============================================================
frame                          columns
=============================  ==============================================================
``custom_field_values(e)``     ``<e>_id/_xid/_name``, ``custom_field_id/_xid/_name``, ``value``
``group_assignments(e=None)``  ``group_id/_xid/_name``, ``entity``, ``entity_id/_xid/_name``
``members(e)``                 ``<e>_id/_xid/_name``, ``member_type`` (person|group),
                               ``member_id/_xid/_name``
``project_managers()``         ``project_id/_xid/_name``, ``person_id/_xid/_name``
``specific_tasks(e)``          ``<e>_id/_xid/_name``, ``disabled``, ``task_id/_xid/_name``,
                               ``task_active``
``team_leaders()``             ``person_id/_xid/_name``, ``leader_id/_xid/_name``
=============================  ==============================================================

The API answers these per entity (``project.managers`` for one project), so a
frame costs one request per entity the first time (a few in parallel) and
none once cached. ``team_leaders()`` only asks about people whose
``leaders_count`` is not zero; ``group_assignments()`` asks per group, which
covers every kind of entity at once.

Each takes ``dry_run=True``: the :class:`~beebole_pandas.load.estimate.Estimate`
of the load (the entity lists it needs, then one request per entity at the
bytes measured for that service in :data:`ANSWER_BYTES`), with nothing of it
sent; what the cache holds costs 0.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from .. import schema
from ..api.budget import meter_of
from ..api.client import resolve_client
from ..errors import ValidationError
from ..frames import build_frame, provenance
from ..schema import Field, key_field
from .entities import SINGLE_LISTS, groups, load_entity, people
from .estimate import (
    LIST_FIXED_BYTES,
    Estimate,
    JobEstimate,
    Profile,
    budget_now,
    list_estimate,
    lists_estimate,
)
from .scopes import Ref, fan_out, flag, refs_of_frame

__all__ = [
    "ANSWER_BYTES",
    "PLURAL",
    "custom_field_values",
    "group_assignments",
    "members",
    "project_managers",
    "specific_tasks",
    "team_leaders",
]

#: ``group.assignments`` answers one member per kind, named as its list member
#: (``"people"`` -> ``"person"``).
PLURAL: dict[str, str] = {
    schema.entity(kind).list_member: kind
    for kind in ("company", "person", "project", "subproject", "task", "absence")
}


#: Bytes of one answer of each per-entity service (for ``dry_run=True``): what
#: the sandbox's demo account (``sandbox.serve(seed="demo")``) answered, the
#: bytes the server counted for a whole load divided by its requests, at 50,
#: 150 and 500 people (the figures moved by less than 5%, 10% for the
#: companies' custom fields). ``person.leaders`` answers the leader's whole
#: person object (about one leader a person).
ANSWER_BYTES: dict[str, float] = {
    "company.members": 40.0,
    "project.members": 42.0,
    "subproject.members": 40.0,
    "project.managers": 121.0,
    "person.leaders": 218.5,
    "company.specific_tasks": 59.0,
    "project.specific_tasks": 59.0,
    "subproject.specific_tasks": 54.0,
    "company.custom_fields": 124.0,
    "person.custom_fields": 85.5,
    "project.custom_fields": 82.0,
    "subproject.custom_fields": 65.5,
}
#: ``group.assignments`` answers every entity of a group: an empty answer is
#: 111 bytes, and the answers of all the groups add about 195 bytes per person
#: of the account (two groups a person at about 90 bytes an assignment, and
#: the companies and projects assigned). Measured like :data:`ANSWER_BYTES`
#: (11 groups: 11.4 KB at 50 people, 29.9 KB at 150, 94.9 KB at 500).
GROUP_ANSWER_BYTES = 111.0
GROUP_BYTES_PER_PERSON = 195.0
#: The entity lists the owners of a relation are loaded from (the companies,
#: always needed, are the estimate's probe: one request, cached for hours).
_LISTS: dict[str, tuple[str, ...]] = {
    "company": (),
    "person": ("person",),
    "project": ("project",),
    "subproject": ("project", "subproject"),
}


def _head_count(client: Any) -> float:
    """The people of the account, sending nothing: the cached lists' count,
    else the account's learned count, else the default of the entity estimates."""
    if client.recall("company.list") is not None and all(
        j.cached for j in lists_estimate(client, ["person"], people=0.0, load=load_entity)
    ):
        return float(len(load_entity("person", client=client)))
    return Profile(client).figure("count_person", 50.0)


def _relation_estimate(
    entity: str,
    service: str,
    client: Any,
    *,
    refresh: bool = False,
    only: Any = None,
) -> Estimate:
    """The cost of one ``service`` call per ``entity`` after the lists it needs.

    The companies list is the probe (one request, which the load reuses); the
    owners' lists cost what :func:`~beebole_pandas.load.estimate.lists_estimate`
    says (0 when cached). When they are cached the owners are known for free
    and every answer the cache holds is left out; else the owners are counted
    from the companies and the account's profile. ``only`` keeps some owners
    (``team_leaders``: those whose ``leaders_count`` is not 0).
    """
    client = resolve_client(client)
    meter = meter_of(client)
    before = meter.snapshot()
    people = Profile(client).figure("count_person", 50.0)
    lists = lists_estimate(client, _LISTS[entity], people=people, load=load_entity)
    if refresh:  # everything is asked again, the companies too
        companies = load_entity("company", client=client)
        lists = [
            list_estimate("company", len(companies), 1, cached=False),
            *(JobEstimate(j.label, j.requests, j.nbytes, j.rows) for j in lists),
        ]
    if all(j.cached for j in lists):
        frame = load_entity(entity, client=client)
        if only is not None:
            frame = only(frame)
        refs = refs_of_frame(frame)
        asked = [r for r in refs if refresh or client.recall(service, **r) is None]
        calls = len(asked)
    else:
        calls = round(lists[-1].rows)
    per_call = ANSWER_BYTES[service]
    part = JobEstimate(f"{service} x{calls}", calls, int(calls * per_call), calls, calls == 0)
    after = meter.snapshot()
    return Estimate(
        jobs=(*lists, part),
        budget=budget_now(client),
        probe_requests=after.requests_used - before.requests_used,
        probe_kb=(after.bytes_used - before.bytes_used) / 1024,
    )


def _side(prefix: str, path: str | None = None, *, name: bool = True) -> list[Field]:
    path = path or prefix
    fields = [
        Field(f"{prefix}_id", "Int64", f"{path}.id"),
        Field(f"{prefix}_xid", "string", f"{path}.xid"),
        key_field(f"{prefix}_key", f"{prefix}_id", f"{prefix}_xid"),
    ]
    if name:
        fields.append(Field(f"{prefix}_name", "string", f"{path}.name"))
    return fields


def _owners(entity: str, client: Any, refresh: bool) -> tuple[list[Ref], list[dict[str, Any]]]:
    """Each entity's reference (for the request) and its id/xid/name (for the rows)."""
    frame = load_entity(entity, client=client, refresh=refresh)
    refs = refs_of_frame(frame)
    names = frame["name"].astype(object).where(frame["name"].notna(), None).tolist()
    return refs, [{**ref, "name": n} for ref, n in zip(refs, names, strict=True)]


def _check(kind: str, entity: str, valid: tuple[str, ...]) -> None:
    if entity not in valid:
        raise ValidationError(f"{kind} exist for {', '.join(valid)}; not for {entity!r}")


def _frame(fields: list[Field], rows: list[dict[str, Any]], name: str, scope: Any) -> pd.DataFrame:
    return build_frame(fields, rows, attrs=provenance(name, scope))


def _per_owner(
    entity: str, verb: str, client: Any, refresh: bool
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """``(owner, answer)`` for the ``<entity>.<verb>`` call of every entity."""
    refs, owners = _owners(entity, client, refresh)
    answers = fan_out(lambda ref: client.call(f"{entity}.{verb}", refresh=refresh, **ref), refs)
    return list(zip(owners, answers, strict=True))


def custom_field_values(
    entity: str, *, client: Any = None, refresh: bool = False, dry_run: bool = False
) -> Any:
    """The custom field values of every company, person, project or subproject.

    A custom field that applies to an entity but has no value there shows
    with ``value`` <NA>.

    Parameters
    ----------
    entity
        ``"company"``, ``"person"``, ``"project"`` or ``"subproject"``.
    client, refresh
        The client (default: the connected one); bypass the cache.
    dry_run
        Return the :class:`~beebole_pandas.load.estimate.Estimate` only
        (the lists, then one request per entity) and load nothing.

    Examples
    --------
    >>> bb.custom_field_values("person")   # doctest: +SKIP
    """
    _check("custom field values", entity, ("company", "person", "project", "subproject"))
    refresh = flag(refresh, "refresh")
    if flag(dry_run, "dry_run"):
        return _relation_estimate(entity, f"{entity}.custom_fields", client, refresh=refresh)
    client = resolve_client(client)
    rows = [
        {"owner": owner, "field": field, "value": field.get("value")}
        for owner, answer in _per_owner(entity, "custom_fields", client, refresh)
        for field in answer.get("customFields") or []
    ]
    fields = [
        *_side(entity, "owner"),
        *_side("custom_field", "field"),
        Field("value", "string", "value"),
    ]
    return _frame(fields, rows, "custom_field_value", {"entity": entity})


_GROUP_FIELDS = [
    *_side("group"),
    Field("entity", "string", "entity"),
    *_side("entity", "target"),
]


def group_assignments(
    entity: str | None = None,
    *,
    client: Any = None,
    refresh: bool = False,
    dry_run: bool = False,
) -> Any:
    """Which groups every entity belongs to (one ``group.assignments`` per group).

    Parameters
    ----------
    entity
        Keep one kind (``"person"``, ``"company"``, ...), or None for all
        (every group is asked either way).
    client, refresh
        The client (default: the connected one); bypass the cache.
    dry_run
        Return the :class:`~beebole_pandas.load.estimate.Estimate` only
        (the group tree, one request the load reuses, is its probe) and load
        nothing.

    Examples
    --------
    >>> bb.group_assignments("person").merge(bb.people(), left_on="entity_id", right_on="id")  # doctest: +SKIP
    """
    if entity is not None:
        _check("group assignments", entity, tuple(PLURAL.values()))
    refresh = flag(refresh, "refresh")
    if flag(dry_run, "dry_run"):
        return _groups_estimate(client, refresh)
    client = resolve_client(client)
    tree = groups(client=client, refresh=refresh)
    refs = refs_of_frame(tree)
    names = tree["name"].astype(object).tolist()
    answers = fan_out(lambda ref: client.call("group.assignments", refresh=refresh, **ref), refs)
    rows = []
    for ref, name, answer in zip(refs, names, answers, strict=True):
        for member, kind in PLURAL.items():
            if entity is not None and kind != entity:
                continue
            for target in answer.get(member) or []:
                rows.append({"group": {**ref, "name": name}, "entity": kind, "target": target})
    return _frame(_GROUP_FIELDS, rows, "group_assignment", {"entity": entity})


def members(
    entity: str, *, client: Any = None, refresh: bool = False, dry_run: bool = False
) -> Any:
    """The exclusive members (people and groups) of every company, project or subproject.

    Parameters
    ----------
    entity
        ``"company"``, ``"project"`` or ``"subproject"``.
    client, refresh
        The client (default: the connected one); bypass the cache.
    dry_run
        Return the :class:`~beebole_pandas.load.estimate.Estimate` only
        (the lists, then one request per entity) and load nothing.

    Examples
    --------
    >>> bb.members("project")   # doctest: +SKIP
    """
    _check("exclusive members", entity, ("company", "project", "subproject"))
    refresh = flag(refresh, "refresh")
    if flag(dry_run, "dry_run"):
        return _relation_estimate(entity, f"{entity}.members", client, refresh=refresh)
    client = resolve_client(client)
    rows = []
    for owner, answer in _per_owner(entity, "members", client, refresh):
        for kind, member in (("person", "members"), ("group", "groups")):
            for target in answer.get(member) or []:
                rows.append({"owner": owner, "member_type": kind, "target": target})
    fields = [
        *_side(entity, "owner"),
        Field("member_type", "string", "member_type"),
        *_side("member", "target"),
    ]
    return _frame(fields, rows, "member", {"entity": entity})


def project_managers(*, client: Any = None, refresh: bool = False, dry_run: bool = False) -> Any:
    """The managers of every project.

    Parameters
    ----------
    client, refresh
        The client (default: the connected one); bypass the cache.
    dry_run
        Return the :class:`~beebole_pandas.load.estimate.Estimate` only
        (the project lists, then one request per project) and load nothing.

    Examples
    --------
    >>> bb.project_managers()   # doctest: +SKIP
    """
    refresh = flag(refresh, "refresh")
    if flag(dry_run, "dry_run"):
        return _relation_estimate("project", "project.managers", client, refresh=refresh)
    client = resolve_client(client)
    rows = [
        {"owner": owner, "target": target}
        for owner, answer in _per_owner("project", "managers", client, refresh)
        for target in answer.get("members") or answer.get("managers") or []
    ]
    fields = [*_side("project", "owner"), *_side("person", "target")]
    return _frame(fields, rows, "project_manager", {})


def specific_tasks(
    entity: str, *, client: Any = None, refresh: bool = False, dry_run: bool = False
) -> Any:
    """The tasks specific to every company, project or subproject, with whether
    specific tasks are disabled for that entity.

    Every entity has at least one row: one without specific tasks shows once,
    with its ``disabled`` flag and the task columns <NA> (so an entity that
    disabled specific tasks and has none is still seen as disabled).

    Parameters
    ----------
    entity
        ``"company"``, ``"project"`` or ``"subproject"``.
    client, refresh
        The client (default: the connected one); bypass the cache.
    dry_run
        Return the :class:`~beebole_pandas.load.estimate.Estimate` only
        (the lists, then one request per entity) and load nothing.

    Examples
    --------
    >>> bb.specific_tasks("project")   # doctest: +SKIP
    """
    _check("specific tasks", entity, ("company", "project", "subproject"))
    refresh = flag(refresh, "refresh")
    if flag(dry_run, "dry_run"):
        return _relation_estimate(entity, f"{entity}.specific_tasks", client, refresh=refresh)
    client = resolve_client(client)
    rows = [
        {"owner": owner, "disabled": answer.get("disabled"), "target": target}
        for owner, answer in _per_owner(entity, "specific_tasks", client, refresh)
        for target in answer.get("specificTasks") or [None]
    ]
    fields = [
        *_side(entity, "owner"),
        Field("disabled", "boolean", "disabled"),
        *_side("task", "target"),
        Field("task_active", "boolean", "target.active"),
    ]
    return _frame(fields, rows, "specific_task", {"entity": entity})


def team_leaders(*, client: Any = None, refresh: bool = False, dry_run: bool = False) -> Any:
    """Every person's team leaders (``person.leaders``, asked only for people
    whose ``leaders_count`` is not zero).

    Parameters
    ----------
    client, refresh
        The client (default: the connected one); bypass the cache.
    dry_run
        Return the :class:`~beebole_pandas.load.estimate.Estimate` only
        (the people lists, then one request per person with leaders: every
        person until the lists are cached) and load nothing.

    Examples
    --------
    >>> bb.team_leaders().merge(bb.people(), left_on="leader_id", right_on="id")  # doctest: +SKIP
    """
    refresh = flag(refresh, "refresh")
    if flag(dry_run, "dry_run"):
        return _relation_estimate(
            "person", "person.leaders", client, refresh=refresh, only=_with_leaders
        )
    client = resolve_client(client)
    frame = _with_leaders(people(client=client, refresh=refresh))
    refs = refs_of_frame(frame)
    names = frame["name"].astype(object).tolist()
    answers = fan_out(lambda ref: client.call("person.leaders", refresh=refresh, **ref), refs)
    rows = [
        {"owner": {**ref, "name": name}, "target": leader}
        for ref, name, answer in zip(refs, names, answers, strict=True)
        for leader in answer.get("leaders") or []
    ]
    fields = [*_side("person", "owner"), *_side("leader", "target")]
    return _frame(fields, rows, "team_leader", {})


def _with_leaders(frame: pd.DataFrame) -> pd.DataFrame:
    """The people whose ``leaders_count`` is not zero (unknown counts are asked)."""
    counts = frame["leaders_count"]
    return frame[(counts.isna() | (counts > 0)).to_numpy(bool)]


def _groups_estimate(client: Any, refresh: bool) -> Estimate:
    """``group_assignments(dry_run=True)``: the group tree is the probe (one
    request, ``group.tree``, which the load reuses from the cache); then one
    ``group.assignments`` per group the cache does not hold, sized by the
    account's head count (:data:`GROUP_BYTES_PER_PERSON`)."""
    client = resolve_client(client)
    meter = meter_of(client)
    before = meter.snapshot()
    tree = groups(client=client)
    # With refresh the load asks for the tree again: the probe's size.
    tree_part = JobEstimate(
        "list group", 1, int(LIST_FIXED_BYTES + len(tree) * SINGLE_LISTS["group"][1]),
        len(tree), cached=not refresh,
    )  # fmt: skip
    refs = refs_of_frame(tree)
    asked = [r for r in refs if refresh or client.recall("group.assignments", **r) is None]
    share = len(asked) / len(refs) if refs else 0.0
    nbytes = len(asked) * GROUP_ANSWER_BYTES + share * _head_count(client) * GROUP_BYTES_PER_PERSON
    part = JobEstimate(
        f"group.assignments x{len(asked)}", len(asked), int(nbytes), len(asked), not asked
    )
    after = meter.snapshot()
    return Estimate(
        jobs=(tree_part, part),
        budget=budget_now(client),
        probe_requests=after.requests_used - before.requests_used,
        probe_kb=(after.bytes_used - before.bytes_used) / 1024,
    )
