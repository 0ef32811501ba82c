"""Links between entities: group assignments, project managers, exclusive members.

The relationship frames of :mod:`beebole_pandas.load.relations` can be pushed and
deleted like entity frames. One row is one link. :func:`push` adds the links
the server lacks (``X.add_group``, ``project.attach_manager``,
``X.attach_member``); :func:`delete` removes the ones it has
(``X.remove_group``, ``project.detach_manager``, ``X.detach_member``). So
moving people between teams is a ``delete`` of the old assignments and a
``push`` of the new ones, each with its own plan and dry run.

The server state is read with one request per owner the frame names
(``group.assignments`` per group, ``project.managers`` per project,
``X.members`` per company/project/subproject).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..errors import NotFound, SchemaError
from ..schema import Field
from .labels import link_label
from .state import ref_param, ref_text
from .validate import Call, Ref, RowInput, RowPlan, attrs_entity, normalize

__all__ = ["LINK_COLUMNS", "LINK_KINDS", "LinkKind", "detect_link", "plan_links"]

_PLURAL = {
    "companies": "company",
    "people": "person",
    "projects": "project",
    "subprojects": "subproject",
    "tasks": "task",
    "absences": "absence",
}
_MEMBER_OWNERS = ("company", "project", "subproject")


@dataclass(frozen=True)
class Link:
    """One link: the owner whose service is called, and what it is linked to."""

    owner_kind: str
    owner: Ref
    other_kind: str
    other: Ref


@dataclass(frozen=True)
class LinkKind:
    """How one relationship frame maps to the API."""

    name: str  # the frame's attrs entity: "group_assignment", "project_manager", "member"
    add_verb: str
    remove_verb: str
    list_verb: str

    def services(self, owner_kind: str) -> tuple[str, str]:
        return f"{owner_kind}.{self.add_verb}", f"{owner_kind}.{self.remove_verb}"

    def stale(self, plans: list[RowPlan]) -> tuple[str, ...]:
        """The entities whose cached reads writing these links makes stale."""
        owners = {c.service.split(".")[0] for p in plans for c in p.calls}
        return tuple(sorted(owners | ({"group"} if self.name == "group_assignment" else set())))


LINK_KINDS: dict[str, LinkKind] = {
    "group_assignment": LinkKind("group_assignment", "add_group", "remove_group", "assignments"),
    "project_manager": LinkKind("project_manager", "attach_manager", "detach_manager", "managers"),
    "member": LinkKind("member", "attach_member", "detach_member", "members"),
}


def _has(columns: pd.Index, prefix: str) -> bool:
    return f"{prefix}_id" in columns or f"{prefix}_xid" in columns


def detect_link(frame: pd.DataFrame, entity_name: str | None) -> LinkKind | None:
    """The link kind of a relationship frame, or None for an entity frame."""
    if entity_name is not None:
        return LINK_KINDS.get(entity_name) if isinstance(entity_name, str) else None
    hint = attrs_entity(frame)
    if isinstance(hint, str) and hint in LINK_KINDS:
        return LINK_KINDS[hint]
    columns = frame.columns
    if _has(columns, "group") and "entity" in columns and _has(columns, "entity"):
        return LINK_KINDS["group_assignment"]
    if "member_type" in columns and _has(columns, "member"):
        return LINK_KINDS["member"]
    time_entry_like = "hours" in columns or "date" in columns or _has(columns, "subproject")
    if _has(columns, "project") and _has(columns, "person") and not time_entry_like:
        return LINK_KINDS["project_manager"]
    return None


_REF_FIELDS = {
    name: (Field(f"{name}_id", "Int64", "id"), Field(f"{name}_xid", "string", "xid"))
    for name in ("group", "entity", "project", "person", "member", *_MEMBER_OWNERS)
}
_TEXT = Field("text", "string", "text")
#: Every column a relationship frame is read from.
LINK_COLUMNS: frozenset[str] = frozenset(
    {f.column for pair in _REF_FIELDS.values() for f in pair} | {"entity", "member_type"}
)


def _reader(frame: pd.DataFrame) -> Callable[[int, str], Ref | None]:
    columns = {c: frame[c].tolist() for c in frame.columns if c in LINK_COLUMNS}

    def ref(position: int, prefix: str) -> Ref | None:
        id_field, xid_field = _REF_FIELDS[prefix]
        xid = normalize(xid_field, columns.get(xid_field.column, [None] * (position + 1))[position])
        if xid is not None:
            return ("xid", xid)
        ident = normalize(id_field, columns.get(id_field.column, [None] * (position + 1))[position])
        return None if ident is None else ("id", ident)

    return ref


def _text(frame: pd.DataFrame, column: str, position: int) -> str | None:
    if column not in frame.columns:
        return None
    value = normalize(_TEXT, frame[column].iat[position])
    return None if value is None else str(value)


def _member_owner(frame: pd.DataFrame) -> str:
    hint = attrs_entity(frame, "scope")
    if (
        isinstance(hint, dict)
        and isinstance(hint.get("entity"), str)
        and hint["entity"] in _MEMBER_OWNERS
    ):
        return str(hint["entity"])
    found = [e for e in _MEMBER_OWNERS if _has(frame.columns, e)]
    if len(found) != 1:
        raise SchemaError(
            "cannot tell whose exclusive members these are: expected the columns of exactly "
            f"one of {', '.join(_MEMBER_OWNERS)} (<entity>_id / <entity>_xid), found {found or 'none'}"
        )
    return found[0]


def _link_of(
    kind: LinkKind,
    frame: pd.DataFrame,
    position: int,
    member_owner: str | None,
    ref: Callable[[int, str], Ref | None],
) -> Link | str:
    """The row's link, or why it is not one."""
    owner_kind: str | None
    try:
        if kind.name == "group_assignment":
            owner_kind = _text(frame, "entity", position)
            if owner_kind not in _PLURAL.values():
                return f"entity {owner_kind!r} is not one of {', '.join(_PLURAL.values())}"
            owner, other, other_kind = ref(position, "entity"), ref(position, "group"), "group"
        elif kind.name == "project_manager":
            owner_kind, other_kind = "project", "person"
            owner, other = ref(position, "project"), ref(position, "person")
        else:
            assert member_owner is not None
            owner_kind = member_owner
            other_kind = _text(frame, "member_type", position) or "person"
            if other_kind not in ("person", "group"):
                return f"member_type {other_kind!r} is not 'person' or 'group'"
            owner, other = ref(position, member_owner), ref(position, "member")
    except ValueError as exc:
        return str(exc)
    if owner_kind is None or owner is None or other is None:
        return f"incomplete link: both sides need an id or an xid ({owner_kind} and {other_kind})"
    return Link(owner_kind, owner, other_kind, other)


def _sides(kind: LinkKind, member_owner: str | None) -> tuple[str, str]:
    """The column prefixes of a link's two sides, owner first."""
    if kind.name == "group_assignment":
        return "entity", "group"
    if kind.name == "project_manager":
        return "project", "person"
    return member_owner or "company", "member"


def _label(
    frame: pd.DataFrame,
    position: int,
    prefixes: tuple[str, str],
    ref: Callable[[int, str], Ref | None],
) -> str:
    sides = []
    for prefix in prefixes:
        try:
            side = ref(position, prefix)
        except ValueError:  # the row's own reason says what is wrong
            side = None
        try:
            name = _text(frame, f"{prefix}_name", position)
        except ValueError:
            name = None
        sides.append((name, side))
    return link_label((sides[0], sides[1]))


def _listed_by(kind: LinkKind, link: Link) -> tuple[str, Ref]:
    """The entity whose list request shows the link: the group, else the owner."""
    return (
        ("group", link.other) if kind.name == "group_assignment" else (link.owner_kind, link.owner)
    )


def _read_links(
    kind: LinkKind, listers: set[tuple[str, Ref]], client: Any
) -> tuple[set[Link], set[tuple[str, Ref]], int]:
    """The links the listers have (one request each), the listers not found, the reads."""
    existing: set[Link] = set()
    missing: set[tuple[str, Ref]] = set()
    for lister_kind, lister in sorted(listers, key=str):
        try:
            answer = client.call(
                f"{lister_kind}.{kind.list_verb}", refresh=True, **ref_param(lister)
            )
        except NotFound:
            missing.add((lister_kind, lister))
            continue
        for member, member_kind in _answer_members(kind, answer):
            for item in answer.get(member) or []:
                target: Ref = (
                    ("xid", item["xid"]) if item.get("xid") is not None else ("id", item.get("id"))
                )
                if kind.name == "group_assignment":
                    existing.add(Link(member_kind, target, "group", lister))
                else:
                    existing.add(Link(lister_kind, lister, member_kind, target))
    return existing, missing, len(listers)


def _answer_members(kind: LinkKind, answer: dict[str, Any]) -> list[tuple[str, str]]:
    if kind.name == "group_assignment":
        return list(_PLURAL.items())
    if kind.name == "project_manager":
        return [("members" if "members" in answer else "managers", "person")]
    return [("members", "person"), ("groups", "group")]


def plan_links(
    frame: pd.DataFrame, kind: LinkKind, client: Any, *, remove: bool
) -> tuple[list[RowPlan], int]:
    """One plan per row, and the reads spent.

    Push (``remove=False``): ``create`` for a link the server lacks,
    ``unchanged`` for one it has. Delete: ``delete`` / ``missing``.
    """
    member_owner = _member_owner(frame) if kind.name == "member" else None
    ref = _reader(frame)
    links = [_link_of(kind, frame, p, member_owner, ref) for p in range(len(frame))]
    listers = {_listed_by(kind, link) for link in links if isinstance(link, Link)}
    existing, missing, reads = _read_links(kind, listers, client)
    plans: list[RowPlan] = []
    seen: dict[Link, Any] = {}
    prefixes = _sides(kind, member_owner)
    for position, (label, link) in enumerate(zip(frame.index, links, strict=True)):
        row = RowInput(label, position, {})
        shown = _label(frame, position, prefixes, ref)
        if isinstance(link, str):
            plans.append(RowPlan(row, "invalid", reason=link, label=shown))
            continue
        lister = _listed_by(kind, link)
        if lister in missing:
            reason = f"unknown {lister[0]} {ref_text(lister[1])}: no such {lister[0]} on the server"
            plans.append(RowPlan(row, "invalid", reason=reason, label=shown))
            continue
        if link in seen:
            plans.append(
                RowPlan(row, "invalid", reason=f"the same link as row {seen[link]!r}", label=shown)
            )
            continue
        seen[link] = label
        add, drop = kind.services(link.owner_kind)
        params = {**ref_param(link.owner), link.other_kind: ref_param(link.other)}
        if remove:
            action, calls = (
                ("delete", [Call(drop, params)]) if link in existing else ("missing", [])
            )
        else:
            action, calls = (
                ("unchanged", []) if link in existing else ("create", [Call(add, params)])
            )
        note = "" if calls else f"link {action}"
        plans.append(RowPlan(row, action, calls=calls, note=note, label=shown))
    return plans, reads
