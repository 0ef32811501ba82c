"""Plan the write-back of entity rows (companies, people, projects ...).

A row is addressed by its xid when it has one (created with it when the
server does not know it), else by its id (updated). Only the writable fields
that differ from the server are sent; a missing value leaves a field as it
is (reported in a warning when the server has a value), an empty string
empties it; a missing value in a required field (a name) is refused. An xid
given to an entity the server knows by its id only is refused: the API sets
xids on creation only. ``active`` goes through activate/deactivate.
"""

from __future__ import annotations

import math
from typing import Any

from .. import frames
from ..schema import Entity
from .checks import (
    check_duplicates,
    check_identity,
    check_kept_required,
    check_ref_pairs,
    check_required,
    derived_note,
    missing_note,
)
from .labels import entity_label
from .state import EntityState, ref_param, ref_text
from .validate import Call, RowInput, RowPlan

__all__ = ["entity_notes", "plan_entities"]


def _same(before: Any, after: Any) -> bool:
    if before in (None, "") and after in (None, ""):
        return True
    if isinstance(before, float) and isinstance(after, float):
        return math.isclose(before, after, rel_tol=1e-9, abs_tol=1e-9)
    return bool(before == after)


def _entity_diff(ent: Entity, row: RowInput, server: RowInput) -> dict[str, tuple[Any, Any]]:
    changes: dict[str, tuple[Any, Any]] = {}
    refs_seen: set[str] = set()
    for fld in ent.writable:
        if row.get(fld.column) is None and fld.ref is None:
            continue  # a missing value (or column) leaves the field as it is
        if fld.ref is not None:
            if fld.ref in refs_seen:
                continue
            refs_seen.add(fld.ref)
            before, after = server.ref(fld.ref), row.ref(fld.ref)
            if after is not None and before != after:
                column = f"{fld.ref}_{after[0]}"
                changes[column] = (ref_text(before), ref_text(after))
        elif not _same(server.get(fld.column), row.get(fld.column)):
            changes[fld.column] = (server.get(fld.column), row.get(fld.column))
    return changes


def _changed_payload(
    ent: Entity, row: RowInput, server: RowInput, changes: dict[str, Any]
) -> dict[str, Any]:
    """The update body: the server's key plus the changed members only."""
    wanted: dict[str, Any] = {}
    for fld in ent.writable:
        if fld.column == "active":
            continue
        column_changed = fld.column in changes or (
            fld.ref is not None and any(c.startswith(f"{fld.ref}_") for c in changes)
        )
        if column_changed:
            wanted[fld.column] = row.get(fld.column)
    body = frames.to_payload(ent.name, wanted, identity=False)
    if not body:
        return {}
    assert server.key is not None
    return {server.key[0]: server.key[1], **body}


def _entity_calls(
    ent: Entity, row: RowInput, server: RowInput | None, changes: dict[str, Any]
) -> list[Call]:
    calls: list[Call] = []
    if server is None:
        values = {k: v for k, v in row.values.items() if k not in ("id", "active")}
        body = frames.to_payload(ent.name, values, identity=True)
        calls.append(Call(ent.service("create"), {ent.name: body}))
        if ent.activatable and row.get("active") is False:
            xid = row.get("xid")
            calls.append(
                Call(ent.service("deactivate"), {"xid": xid} if xid else {}, needs_key=xid is None)
            )
        return calls
    body = _changed_payload(ent, row, server, changes)
    if body:
        calls.append(Call(ent.service("update"), {ent.name: body}))
    if "active" in changes and ent.activatable and row.get("active") is not None:
        assert server.key is not None
        verb = "activate" if row.get("active") else "deactivate"
        calls.append(Call(ent.service(verb), ref_param(server.key)))
    return calls


def _check_references(ent: Entity, rows: list[RowInput], state: EntityState) -> None:
    if ent.scope is None:
        return
    for row in rows:
        ref = row.ref(ent.scope)
        if ref is None:
            continue
        unknown = ref in state.missing_scopes or (
            state.scopes is not None and ref not in state.scopes
        )
        if unknown:
            row.problems.append(
                f"unknown {ent.scope}_{ref[0]} {ref[1]!r}: no such {ent.scope} on the server"
            )


def _check_parents(ent: Entity, rows: list[RowInput], state: EntityState) -> None:
    """A group's parent must be on the server (the tree push read) or created by the frame."""
    if not any(f.ref == "parent" for f in ent.fields):
        return
    new = {r.key for r in rows if r.key is not None and state.find(r) is None}
    for row in rows:
        parent = row.ref("parent")
        if parent is not None and parent not in state.rows and parent not in new:
            row.problems.append(
                f"unknown parent_{parent[0]} {parent[1]!r}: no such {ent.name} on the server "
                f"or among the frame's new rows"
            )


def plan_entities(ent: Entity, rows: list[RowInput], state: EntityState) -> list[RowPlan]:
    """One :class:`RowPlan` per row, against the server's rows in ``state``.

    Rows must already carry their type problems (:func:`~.validate.read_rows`).
    """
    check_duplicates(rows, "xid", what="xid")
    check_duplicates([r for r in rows if r.get("xid") is None], "id", what="id")
    _check_references(ent, rows, state)
    _check_parents(ent, rows, state)
    refs = sorted({f.ref for f in ent.writable if f.ref is not None})
    plans: list[RowPlan] = []
    for row in rows:
        server = state.find(row)
        if server is None and row.key is not None and row.key[0] == "id":
            row.problems.append(
                f"no {ent.name} with id {row.key[1]} on the server; drop the id to create "
                "a new one (with an xid, so that a re-run cannot create it twice)"
            )
        check_required(row, ent, creating=server is None)
        if server is not None:
            check_identity(row, ent, server)
            check_kept_required(row, ent, server)
            check_ref_pairs(row, server, refs)
        ids = {"id": row.get("id"), "xid": row.get("xid")}
        if server is not None:
            ids = {"id": server.get("id"), "xid": server.get("xid")}
        label = entity_label(row, server, ent.name)
        if row.problems:
            plans.append(
                RowPlan(row, "invalid", reason="; ".join(row.problems), label=label, **ids)
            )
            continue
        if server is None:
            calls = _entity_calls(ent, row, None, {})
            plans.append(
                RowPlan(
                    row, "create", calls=calls, rerun_safe=row.key is not None, label=label, **ids
                )
            )
            continue
        changes = _entity_diff(ent, row, server)
        calls = _entity_calls(ent, row, server, changes) if changes else []
        action = "update" if calls else "unchanged"
        plans.append(
            RowPlan(row, action, changes=changes if calls else {}, calls=calls, label=label, **ids)
        )
    _order_waves(ent, plans)
    return plans


def entity_notes(ent: Entity, plans: list[RowPlan], state: EntityState) -> list[str]:
    """The warnings of a plan: what push leaves as it is, and why, without refusing rows."""
    notes: list[str] = []
    keyless = sum(1 for p in plans if p.action == "create" and p.row.key is None)
    if keyless:
        notes.append(
            f"{keyless} row(s) have neither id nor xid and will be created; give them an xid "
            "so that running push again (after a failure) cannot create them twice"
        )
    pairs = [(p.row, found) for p in plans if (found := state.find(p.row)) is not None]
    for note in (missing_note(ent, pairs), derived_note(ent, pairs)):
        if note is not None:
            notes.append(note)
    return notes


def _order_waves(ent: Entity, plans: list[RowPlan]) -> None:
    """Send a row after the creation of the entity of its own kind it refers to.

    Only groups refer to their own kind (``parent``): a new subgroup of a
    new group must wait for its parent.
    """
    self_refs = [f.ref for f in ent.fields if f.ref is not None and f.ref == "parent"]
    if not self_refs:
        return
    created = {p.row.get("xid"): p for p in plans if p.action == "create" and p.row.get("xid")}
    for _ in range(len(plans)):  # depth is bounded by the number of rows
        moved = False
        for p in plans:
            parent = p.row.ref("parent")
            if p.calls and parent is not None and parent[0] == "xid" and parent[1] in created:
                wave = created[parent[1]].wave + 1
                if p.wave < wave:
                    p.wave, moved = wave, True
        if not moved:
            return
