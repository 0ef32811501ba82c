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
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from .. import schema
from ..api.client import resolve_client
from ..errors import ValidationError
from ..frames import build_frame, provenance
from ..schema import Field, key_field
from .entities import groups, load_entity, people
from .scopes import Ref, fan_out, refs_of_frame

__all__ = [
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


def custom_field_values(entity: str, *, client: Any = None, refresh: bool = False) -> pd.DataFrame:
    """The custom field values of every company, person, project or subproject.

    A custom field that applies to an entity but has no value there shows
    with ``value`` <NA>.

    Examples
    --------
    >>> bb.custom_field_values("person")   # doctest: +SKIP
    """
    _check("custom field values", entity, ("company", "person", "project", "subproject"))
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
    entity: str | None = None, *, client: Any = None, refresh: bool = False
) -> pd.DataFrame:
    """Which groups every entity belongs to (one ``group.assignments`` per group).

    Parameters
    ----------
    entity
        Keep one kind (``"person"``, ``"company"``, ...), or None for all.

    Examples
    --------
    >>> bb.group_assignments("person").merge(bb.people(), left_on="entity_id", right_on="id")  # doctest: +SKIP
    """
    if entity is not None:
        _check("group assignments", entity, tuple(PLURAL.values()))
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


def members(entity: str, *, client: Any = None, refresh: bool = False) -> pd.DataFrame:
    """The exclusive members (people and groups) of every company, project or subproject.

    Examples
    --------
    >>> bb.members("project")   # doctest: +SKIP
    """
    _check("exclusive members", entity, ("company", "project", "subproject"))
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


def project_managers(*, client: Any = None, refresh: bool = False) -> pd.DataFrame:
    """The managers of every project.

    Examples
    --------
    >>> bb.project_managers()   # doctest: +SKIP
    """
    client = resolve_client(client)
    rows = [
        {"owner": owner, "target": target}
        for owner, answer in _per_owner("project", "managers", client, refresh)
        for target in answer.get("members") or answer.get("managers") or []
    ]
    fields = [*_side("project", "owner"), *_side("person", "target")]
    return _frame(fields, rows, "project_manager", {})


def specific_tasks(entity: str, *, client: Any = None, refresh: bool = False) -> pd.DataFrame:
    """The tasks specific to every company, project or subproject, with whether
    specific tasks are disabled for that entity.

    Every entity has at least one row: one without specific tasks shows once,
    with its ``disabled`` flag and the task columns <NA> (so an entity that
    disabled specific tasks and has none is still seen as disabled).

    Examples
    --------
    >>> bb.specific_tasks("project")   # doctest: +SKIP
    """
    _check("specific tasks", entity, ("company", "project", "subproject"))
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


def team_leaders(*, client: Any = None, refresh: bool = False) -> pd.DataFrame:
    """Every person's team leaders (``person.leaders``, asked only for people
    whose ``leaders_count`` is not zero).

    Examples
    --------
    >>> bb.team_leaders().merge(bb.people(), left_on="leader_id", right_on="id")  # doctest: +SKIP
    """
    client = resolve_client(client)
    frame = people(client=client, refresh=refresh)
    counts = frame["leaders_count"]
    frame = frame[(counts.isna() | (counts > 0)).to_numpy(bool)]
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
