"""Group services: ``group.create/get/update/delete/list/assignments/tree``, and the
group rows and subtree helpers the entity and export services share."""

from __future__ import annotations

import sqlite3
from typing import Any

from .services import (
    Ctx,
    ServiceError,
    addressed,
    as_bool,
    as_obj,
    as_str,
    check_new_xid,
    created,
    ident,
    label,
    need,
    ok,
    one_of,
    ref,
    ref_id,
    row_ident,
    service,
    target,
)
from .store import ENTITY_TABLES

Row = sqlite3.Row


def _group(r: Row) -> dict[str, Any]:
    out = {**row_ident(r), "name": r["name"], "groups": {"count": int(r["nkids"] or 0)}}
    if r["parent"] is not None:
        out["parent"] = ref(r["parent"], r["p_xid"])
    return out


GROUP_SELECT = (
    "SELECT e.*, p.xid AS p_xid, (SELECT count(*) FROM grp k WHERE k.parent=e.id) AS nkids "
    "FROM grp e LEFT JOIN grp p ON p.id=e.parent"
)


def groups_of(ctx: Ctx, kind: str, eid: int) -> list[dict[str, Any]]:
    rows = ctx.store.all(
        f"{GROUP_SELECT} JOIN group_assign a ON a.gid=e.id WHERE a.kind=? AND a.eid=? "
        "ORDER BY e.name, e.id",
        (kind, eid),
    )
    return [_group(r) for r in rows]


# -- groups -----------------------------------------------------------------------------------


def _descendants(ctx: Ctx, gid: int) -> list[int]:
    rows = ctx.store.all(
        "WITH RECURSIVE d(id) AS (SELECT ? UNION SELECT g.id FROM grp g JOIN d ON g.parent=d.id) "
        "SELECT id FROM d",
        (gid,),
    )
    return [int(r[0]) for r in rows]


def descendants(ctx: Ctx, gids: list[int]) -> set[int]:
    """The groups and all their descendants."""
    out: set[int] = set()
    for g in gids:
        out.update(_descendants(ctx, g))
    return out


@service("group.create", write=True)
def group_create(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    obj = as_obj(need(req, "group"), "group")
    xid = check_new_xid(ctx, "group", obj)
    if obj.get("name") is None:
        raise ServiceError("missing member 'group.name'")
    name = as_str(obj["name"], "group.name", empty=False)
    parent = ref_id(ctx, obj["parent"], "group.parent", "group") if obj.get("parent") else None
    cur = ctx.store.execute(
        "INSERT INTO grp (xid, name, parent) VALUES (?,?,?)", (xid, name, parent)
    )
    return created(int(cur.lastrowid or 0), xid)


@service("group.get", access="read")
def group_get(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    gid = target(ctx, req, "group")
    row = ctx.store.one(f"{GROUP_SELECT} WHERE e.id=?", (gid,))
    assert row is not None
    out = _group(row)
    out.setdefault("parent", None)
    return ok(group=out)


@service("group.update", write=True)
def group_update(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    obj = as_obj(need(req, "group"), "group")
    gid = addressed(ctx, "group", obj, req)
    if "name" in obj:
        name = as_str(obj["name"], "group.name", empty=False)
        ctx.store.execute("UPDATE grp SET name=? WHERE id=?", (name, gid))
    if "parent" in obj:
        parent = ref_id(ctx, obj["parent"], "group.parent", "group") if obj["parent"] else None
        if parent is not None and parent in _descendants(ctx, gid):
            raise ServiceError(
                f"'group.parent': group {label(ctx.store, 'group', parent)} is this group "
                "or one of its subgroups"
            )
        ctx.store.execute("UPDATE grp SET parent=? WHERE id=?", (parent, gid))
    return ok()


@service("group.delete", write=True)
def group_delete(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    gid = target(ctx, req, "group")
    force = as_bool(req.get("force", False), "force")
    st = ctx.store
    subtree = _descendants(ctx, gid)
    marks = ",".join("?" * len(subtree))
    children = len(subtree) - 1
    assigned = st.scalar(f"SELECT count(*) FROM group_assign WHERE gid IN ({marks})", list(subtree))
    if (children or assigned) and not force:
        raise ServiceError(
            f"group {label(st, 'group', gid)} has {children} subgroup(s) and {assigned} assignment(s); "
            "send 'force': true to delete it anyway"
        )
    for table in ("group_assign", "member_group"):
        st.execute(f"DELETE FROM {table} WHERE gid IN ({marks})", list(subtree))
    st.execute(f"DELETE FROM grp WHERE id IN ({marks})", list(subtree))
    return ok()


_GROUPABLE = ("company", "person", "project", "subproject", "task", "absence")
_MEMBERS = dict(
    zip(
        _GROUPABLE,
        ("companies", "people", "projects", "subprojects", "tasks", "absences"),
        strict=True,
    )
)


@service("group.list", access="read")
def group_list(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    kind = one_of(req, _GROUPABLE)
    return ok(groups=groups_of(ctx, kind, ref_id(ctx, req[kind], kind, kind)))


@service("group.assignments", access="read")
def group_assignments(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    gid = target(ctx, req, "group")
    out: dict[str, Any] = {"status": "ok"}
    for name in _GROUPABLE:
        rows = ctx.store.all(
            f"SELECT e.* FROM {ENTITY_TABLES[name]} e JOIN group_assign a ON a.eid=e.id "
            "WHERE a.kind=? AND a.gid=? ORDER BY e.name, e.id",
            (name, gid),
        )
        items = []
        for r in rows:
            item = {**row_ident(r), "name": r["name"], "active": bool(r["active"])}
            if name == "person":
                item["email"] = r["email"]
            items.append(item)
        out[_MEMBERS[name]] = items
    return out


@service("group.tree", access="read")
def group_tree(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    rows = ctx.store.all("SELECT id, xid, name, parent FROM grp ORDER BY name, id")
    children: dict[int | None, list[Any]] = {}
    for r in rows:
        children.setdefault(r["parent"], []).append(r)

    def build(parent: int | None, seen: frozenset[int]) -> list[dict[str, Any]]:
        out = []
        for r in children.get(parent, []):
            if r["id"] in seen:  # a cycle in hand-made data must not recurse forever
                continue
            node: dict[str, Any] = {**ident(r["id"], r["xid"]), "name": r["name"]}
            kids = build(r["id"], seen | {r["id"]})
            if kids:
                node["groups"] = kids
            out.append(node)
        return out

    known = {r["id"] for r in rows}
    roots = [p for p in children if p is None or p not in known]
    tree = [
        node
        for p in sorted(roots, key=lambda x: (x is not None, x or 0))
        for node in build(p, frozenset())
    ]
    return ok(groups=tree)
