"""One table per entity: its services, its columns and dtypes, what can be written.

This module is the only copy of the schema. :mod:`beebole_pandas.frames`
reads it to turn JSON rows into typed frames, :mod:`beebole_pandas.writeback.push` reads
it to turn frame rows back into API payloads, and the loaders read the list
services from it.

Column conventions (see ``shared/design.md``): snake_case of the API's
camelCase; nested references flattened to ``<ref>_id``, ``<ref>_xid`` and
``<ref>_name``; counters ``{"projects": {"count": 3}}`` to ``projects_count``.
Every entity frame has both ``id`` (Int64) and ``xid`` (string), and every
entity frame and reference a join key (``key``, ``company_key``, ...): the xid
where the entity has one, else the id, as a string. A row has an id or an
xid, never both, so ``merge(on="company_id")`` pairs ``<NA>`` with ``<NA>``;
``merge(on="company_key")`` is always right.

Dates: the API has no time zones. Dates (``YYYY-MM-DD``) and date-times
(``YYYY-MM-DD HH:MM:SS``) are naive local values of the account, and they stay
naive ``datetime64[ns]`` everywhere in this package: never localised, never
converted to UTC.

>>> from beebole_pandas.schema import entity
>>> entity("project").list_service
'project.list'
>>> [f.column for f in entity("company").fields][:4]
['id', 'xid', 'key', 'name']
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .errors import SchemaError

__all__ = [
    "ENTITIES",
    "STATUS_CODES",
    "STATUS_CODE_OF",
    "STATUS_LABELS",
    "STATUS_ORDER",
    "Entity",
    "Field",
    "entity",
    "key_field",
    "snake_case",
    "status_code",
]

#: Time-entry status codes, in workflow order, and their labels.
STATUS_CODES: tuple[str, ...] = ("d", "s", "a", "r", "l")
STATUS_LABELS: dict[str, str] = {
    "d": "draft",
    "s": "submitted",
    "a": "approved",
    "r": "rejected",
    "l": "locked",
}
#: The labels, in workflow order: the categories of a frame's ``status`` column.
STATUS_ORDER: tuple[str, ...] = tuple(STATUS_LABELS[c] for c in STATUS_CODES)
#: A code or a label (any case) -> the API's code.
STATUS_CODE_OF: dict[str, str] = {
    **{c: c for c in STATUS_CODES},
    **{c.upper(): c for c in STATUS_CODES},
    **{label: c for c, label in STATUS_LABELS.items()},
    **{label.title(): c for c, label in STATUS_LABELS.items()},
    **{label.upper(): c for c, label in STATUS_LABELS.items()},
}


def status_code(value: Any) -> str | None:
    """The API's code for a status code or label (any case); None when it is neither.

    >>> status_code("Approved"), status_code("a"), status_code("maybe")
    ('a', 'a', None)
    """
    return STATUS_CODE_OF.get(value) if isinstance(value, str) else None


#: dtype names used in the table. ``"status"`` is the ordered categorical of STATUS_ORDER.
DTYPES = ("Int64", "Float64", "boolean", "string", "datetime64[ns]", "status")


@dataclass(frozen=True)
class Field:
    """One column of an entity frame.

    Parameters
    ----------
    column
        Column name in the frame (snake_case).
    dtype
        One of ``Int64``, ``Float64``, ``boolean``, ``string``,
        ``datetime64[ns]`` or ``status``.
    path
        Where the value sits in the API object, dot-separated
        (``"company.id"``, ``"projects.count"``, ``"startDate"``).
    writable
        Sent by push on create/update when it changed.
    ref
        For reference columns: the API member of the reference (``"company"``).
        Push writes ``{"company": {"id": ..}}`` or ``{"company": {"xid": ..}}``.
    required
        Must be present to create the entity.
    keyed
        For a join key (``key``, ``<ref>_key``): the id and xid columns it is
        derived from (the xid where there is one, else the id, as a string;
        ``None`` for an entity without xids). Never read from the API, never
        written back.
    """

    column: str
    dtype: str
    path: str
    writable: bool = False
    ref: str | None = None
    required: bool = False
    keyed: tuple[str, str | None] | None = None


@dataclass(frozen=True)
class Entity:
    """What the API offers for one entity and how its frame looks.

    Parameters
    ----------
    name
        The API's name (``"company"``), also the prefix of its services.
    list_member
        The response member holding the rows of the list service.
    scope
        The list service's scope parameter (``"company"`` for ``person.list``),
        or None when the list covers the whole account.
    fields
        The frame's columns, in order.
    activatable
        ``active`` changes go through ``X.activate`` / ``X.deactivate``.
    """

    name: str
    list_member: str
    scope: str | None
    fields: tuple[Field, ...]
    activatable: bool = True
    list_service_name: str | None = None
    writable_services: tuple[str, ...] = field(default=("create", "update"))

    @property
    def list_service(self) -> str:
        return self.list_service_name or f"{self.name}.list"

    @property
    def columns(self) -> list[str]:
        return [f.column for f in self.fields]

    @property
    def dtypes(self) -> dict[str, str]:
        return {f.column: f.dtype for f in self.fields}

    @property
    def writable(self) -> list[Field]:
        return [f for f in self.fields if f.writable]

    def service(self, verb: str) -> str:
        """The full service name for a verb: ``entity("task").service("get")`` → ``"task.get"``."""
        return f"{self.name}.{verb}"

    def field(self, column: str) -> Field:
        for f in self.fields:
            if f.column == column:
                return f
        raise SchemaError(
            f"{self.name} has no column {column!r}; its columns are: {', '.join(self.columns)}"
        )


def key_field(column: str, ids: str, xids: str | None) -> Field:
    """The join key ``column``, derived from the ``ids`` and ``xids`` columns."""
    return Field(column, "string", "", keyed=(ids, xids))


def _ids() -> tuple[Field, Field, Field]:
    return (
        Field("id", "Int64", "id"),
        Field("xid", "string", "xid"),
        key_field("key", "id", "xid"),
    )


def _ref(
    ref: str, *, writable: bool = False, required: bool = False, name: bool = False
) -> tuple[Field, ...]:
    cols = [
        Field(f"{ref}_id", "Int64", f"{ref}.id", writable=writable, ref=ref, required=required),
        Field(f"{ref}_xid", "string", f"{ref}.xid", writable=writable, ref=ref, required=required),
        key_field(f"{ref}_key", f"{ref}_id", f"{ref}_xid"),
    ]
    if name:
        cols.append(Field(f"{ref}_name", "string", f"{ref}.name"))
    return tuple(cols)


_ACTIVE = Field("active", "boolean", "active", writable=True)

ENTITIES: dict[str, Entity] = {
    e.name: e
    for e in (
        Entity(
            "company",
            "companies",
            None,
            (
                *_ids(),
                Field("name", "string", "name", writable=True, required=True),
                Field("corporate", "boolean", "corporate", writable=True),
                Field("projects_count", "Int64", "projects.count"),
                _ACTIVE,
            ),
        ),
        Entity(
            "person",
            "people",
            "company",
            (
                *_ids(),
                Field("name", "string", "name", writable=True, required=True),
                Field("email", "string", "email", writable=True),
                Field("user_group", "string", "userGroup", writable=True),
                *_ref("company", writable=True, required=True),
                Field("leaders_count", "Int64", "leaders.count"),
                _ACTIVE,
            ),
        ),
        Entity(
            "project",
            "projects",
            "company",
            (
                *_ids(),
                Field("name", "string", "name", writable=True, required=True),
                Field("description", "string", "description", writable=True),
                Field("start_date", "datetime64[ns]", "startDate", writable=True),
                # budget (hours) and hourlyRate are not in the v2 reference's examples;
                # accounts that have them get them, others get <NA>.
                Field("budget", "Float64", "budget", writable=True),
                Field("hourly_rate", "Float64", "hourlyRate", writable=True),
                *_ref("company", writable=True, required=True),
                Field("subprojects_count", "Int64", "subprojects.count"),
                _ACTIVE,
            ),
        ),
        Entity(
            "subproject",
            "subprojects",
            "project",
            (
                *_ids(),
                Field("name", "string", "name", writable=True, required=True),
                *_ref("project", writable=True, required=True),
                _ACTIVE,
            ),
        ),
        Entity(
            "task",
            "tasks",
            "company",
            (
                *_ids(),
                Field("name", "string", "name", writable=True, required=True),
                *_ref("company", writable=True, required=True),
                _ACTIVE,
            ),
        ),
        Entity(
            "absence",
            "absences",
            "company",
            (
                *_ids(),
                Field("name", "string", "name", writable=True, required=True),
                *_ref("company", writable=True, required=True),
                _ACTIVE,
            ),
        ),
        Entity(
            "group",
            "groups",
            None,
            (
                *_ids(),
                Field("name", "string", "name", writable=True, required=True),
                *_ref("parent", writable=True),
                # Derived by flattening group.tree, not sent back.
                Field("depth", "Int64", "depth"),
                Field("path", "string", "path"),
                Field("groups_count", "Int64", "groups.count"),
            ),
            activatable=False,
            list_service_name="group.tree",
        ),
        Entity(
            "custom_field",
            "customFields",
            None,
            (
                *_ids(),
                Field("name", "string", "name"),
                Field("available_for", "string", "availableFor"),
            ),
            activatable=False,
            writable_services=(),
        ),
        Entity(
            "time_entry",
            "timeEntries",
            "person",
            (
                Field("id", "Int64", "id"),
                key_field("key", "id", None),
                Field("date", "datetime64[ns]", "date", writable=True, required=True),
                *_ref("person", writable=True, name=True),
                *_ref("company", writable=True, name=True),
                *_ref("project", writable=True, name=True),
                *_ref("subproject", writable=True, name=True),
                *_ref("task", writable=True, name=True),
                *_ref("absence", writable=True, name=True),
                Field("hours", "Float64", "hours", writable=True, required=True),
                Field("status", "status", "status"),
                Field("comment", "string", "comment", writable=True),
            ),
            activatable=False,
        ),
    )
}

#: The references a time entry is logged on, from the top of the hierarchy down.
TIME_ENTRY_TARGETS: tuple[str, ...] = ("company", "project", "subproject", "absence")


def entity(name: str) -> Entity:
    """Look up an entity by its API name.

    Parameters
    ----------
    name
        ``"company"``, ``"person"``, ``"project"``, ``"subproject"``, ``"task"``,
        ``"absence"``, ``"group"``, ``"custom_field"`` or ``"time_entry"``.

    Examples
    --------
    >>> entity("person").scope
    'company'
    """
    try:
        return ENTITIES[name]
    except (KeyError, TypeError):  # TypeError: an unhashable name (a list)
        raise SchemaError(
            f"unknown entity {name!r}; valid entities are: {', '.join(ENTITIES)}"
        ) from None


_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def snake_case(name: str) -> str:
    """``startDate`` → ``start_date``.

    >>> snake_case("availableFor")
    'available_for'
    """
    return _CAMEL.sub("_", name).lower()


def __dir__() -> list[str]:
    # Tab completion offers the public names only, not the imports.
    return sorted(__all__)
