"""Entity services, table-driven: one :class:`Kind` per entity, one function per verb.

Every kind gets create/get/update/list/activate/deactivate and the group
verbs; company, project and subproject add specific tasks, exclusive members
and custom fields; person adds leaders and custom fields; project adds
managers. ``person.leaders`` and ``custom_field.list`` are written out below;
``group.*`` lives in :mod:`.services_groups`.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .services import (
    Ctx,
    NotFoundError,
    ServiceError,
    addressed,
    as_bool,
    as_date,
    as_number,
    as_obj,
    as_str,
    check_new_xid,
    created,
    label,
    need,
    ok,
    ref,
    ref_id,
    row_ident,
    service,
    target,
)
from .services_groups import groups_of
from .store import ENTITY_TABLES

Row = sqlite3.Row

# api/person.mdx: "Permitted values": admin, contractor, employee (default), pm (Project
# Manager), leader (Team Leader). Listed with the first three in their old order, so that
# messages keep their wording.
USER_GROUPS = ("admin", "leader", "employee", "contractor", "pm")


@dataclass(frozen=True)
class Field:
    """A writable member of an entity object and its column."""

    member: str
    column: str
    conv: str  # name | str | str? | bool | date? | num? | num | group | ref:KIND | ref?:KIND
    required: bool = False
    default: Any = None


@dataclass(frozen=True)
class Kind:
    name: str
    member: str  # the list member ("companies")
    select: str  # SELECT ... FROM <table> e ...; callers add WHERE / ORDER BY
    render: Callable[[Row], dict[str, Any]]
    fields: tuple[Field, ...]
    scope: str | None = None  # the list's scope member, also the parent column
    extras: frozenset[str] = frozenset()

    @property
    def table(self) -> str:
        return ENTITY_TABLES[self.name]


def _count(n: Any) -> dict[str, int]:
    return {"count": int(n or 0)}


def _company(r: Row) -> dict[str, Any]:
    return {
        **row_ident(r),
        "name": r["name"],
        "corporate": bool(r["corporate"]),
        "projects": _count(r["nproj"]),
        "active": bool(r["active"]),
    }


def _person(r: Row) -> dict[str, Any]:
    return {
        **row_ident(r),
        "name": r["name"],
        "company": ref(r["company"], r["c_xid"]),
        "active": bool(r["active"]),
        "email": r["email"],
        "userGroup": r["user_group"],
        "leaders": _count(r["nlead"]),
        "hourlyCost": r["hourly_cost"],
        "workHours": r["work_hours"],
    }


def _project(r: Row) -> dict[str, Any]:
    return {
        **row_ident(r),
        "name": r["name"],
        "startDate": r["start_date"],
        "description": r["description"],
        "company": ref(r["company"], r["c_xid"]),
        "subprojects": _count(r["nsub"]),
        "active": bool(r["active"]),
        "budget": r["budget"],
        "hourlyRate": r["hourly_rate"],
    }


def _subproject(r: Row) -> dict[str, Any]:
    return {
        **row_ident(r),
        "name": r["name"],
        "project": ref(r["project"], r["p_xid"]),
        "active": bool(r["active"]),
    }


def _task(r: Row) -> dict[str, Any]:
    return {
        **row_ident(r),
        "name": r["name"],
        "company": ref(r["company"], r["c_xid"]),
        "active": bool(r["active"]),
    }


_TASKS = frozenset({"specific_tasks", "members", "custom_fields"})

KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind(
            "company",
            "companies",
            "SELECT e.*, (SELECT count(*) FROM project p WHERE p.company=e.id) AS nproj "
            "FROM company e",
            _company,
            (
                Field("name", "name", "name", True),
                Field("corporate", "corporate", "bool", default=False),
            ),
            extras=_TASKS,
        ),
        Kind(
            "person",
            "people",
            "SELECT e.*, c.xid AS c_xid, (SELECT count(*) FROM leader l WHERE l.person=e.id) "
            "AS nlead FROM person e LEFT JOIN company c ON c.id=e.company",
            _person,
            (
                Field("name", "name", "name", True),
                Field("company", "company", "ref:company", True),
                Field("email", "email", "str", default=""),
                Field("userGroup", "user_group", "group", default="employee"),
                Field("hourlyCost", "hourly_cost", "num?"),
                Field("workHours", "work_hours", "num", default=8.0),
            ),
            scope="company",
            extras=frozenset({"custom_fields", "leaders"}),
        ),
        Kind(
            "project",
            "projects",
            "SELECT e.*, c.xid AS c_xid, (SELECT count(*) FROM subproject s "
            "WHERE s.project=e.id) AS nsub FROM project e LEFT JOIN company c ON c.id=e.company",
            _project,
            (
                Field("name", "name", "name", True),
                Field("company", "company", "ref:company", True),
                Field("startDate", "start_date", "date?"),
                Field("description", "description", "str?"),
                Field("budget", "budget", "num?"),
                Field("hourlyRate", "hourly_rate", "num?"),
            ),
            scope="company",
            extras=_TASKS | {"managers"},
        ),
        Kind(
            "subproject",
            "subprojects",
            "SELECT e.*, p.xid AS p_xid FROM subproject e LEFT JOIN project p ON p.id=e.project",
            _subproject,
            (Field("name", "name", "name", True), Field("project", "project", "ref:project", True)),
            scope="project",
            extras=_TASKS,
        ),
        Kind(
            "task",
            "tasks",
            "SELECT e.*, c.xid AS c_xid FROM task e LEFT JOIN company c ON c.id=e.company",
            _task,
            (Field("name", "name", "name", True), Field("company", "company", "ref:company", True)),
            scope="company",
        ),
        Kind(
            "absence",
            "absences",
            "SELECT e.*, c.xid AS c_xid FROM absence e LEFT JOIN company c ON c.id=e.company",
            _task,
            (Field("name", "name", "name", True), Field("company", "company", "ref:company", True)),
            scope="company",
        ),
    )
}


def fetch(ctx: Ctx, kind: Kind, id: int) -> dict[str, Any]:
    row = ctx.store.one(f"{kind.select} WHERE e.id=?", (id,))
    assert row is not None  # resolved before
    return kind.render(row)


def _convert(ctx: Ctx, kind: Kind, f: Field, value: Any) -> Any:
    name = f"{kind.name}.{f.member}"
    conv = f.conv
    if value is None:
        if conv.endswith("?") or conv.startswith("ref?"):
            return None
        raise ServiceError(f"'{name}' must not be null")
    if conv == "name":
        return as_str(value, name, empty=False)
    if conv in ("str", "str?"):
        return as_str(value, name)
    if conv == "bool":
        return int(as_bool(value, name))
    if conv == "date?":
        return as_date(value, name)
    if conv in ("num", "num?"):
        return as_number(value, name)
    if conv == "group":
        if value not in USER_GROUPS:
            raise ServiceError(f"'{name}' must be one of {', '.join(USER_GROUPS)}, not {value!r}")
        return value
    if conv.startswith("ref"):
        return ref_id(ctx, value, name, conv.split(":", 1)[1])
    raise AssertionError(conv)


def _leaders(ctx: Ctx, value: Any, person: int | None) -> list[int]:
    if not isinstance(value, list):
        raise ServiceError(f"'person.leaders' must be a list of people, not {value!r}")
    ids = [_leader(ctx, v) for v in value]
    if person is not None and person in ids:
        raise ServiceError("'person.leaders': a person cannot be their own leader")
    return ids


def _leader(ctx: Ctx, value: Any) -> int:
    """A team leader given by id, xid, email or name, in that priority (api/person.mdx:
    "the person will be linked to one or more team leaders" found by these members)."""
    if not isinstance(value, dict) or any(value.get(k) is not None for k in ("id", "xid")):
        return ref_id(ctx, value, "person.leaders", "person")
    for member, column in (("email", "email"), ("name", "name")):
        given = value.get(member)
        if given is None:
            continue
        text = as_str(given, f"person.leaders.{member}", empty=False)
        rows = ctx.store.all(f"SELECT id FROM person WHERE lower({column})=lower(?)", (text,))
        if len(rows) == 1:
            return int(rows[0]["id"])
        if len(rows) > 1:
            raise ServiceError(f"'person.leaders': {len(rows)} people have the {member} {text!r}")
        raise NotFoundError(f"'person.leaders': no person has the {member} {text!r}")
    raise ServiceError(
        f"'person.leaders' items must name a person by id, xid, email or name, not {value!r}"
    )


def _set_leaders(ctx: Ctx, person: int, leaders: list[int]) -> None:
    ctx.store.execute("DELETE FROM leader WHERE person=?", (person,))
    ctx.store.conn.executemany(
        "INSERT OR IGNORE INTO leader VALUES (?,?)", [(person, ld) for ld in leaders]
    )


def _create(kind: Kind) -> Callable[[Ctx, dict[str, Any]], dict[str, Any]]:
    def handler(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
        obj = as_obj(need(req, kind.name), kind.name)
        xid = check_new_xid(ctx, kind.name, obj)
        cols, vals = ["xid"], [xid]
        for f in kind.fields:
            value = obj.get(f.member)
            if value is None and f.required:
                raise ServiceError(f"missing member '{kind.name}.{f.member}'")
            cols.append(f.column)
            if value is None and kind.name == "project" and f.member == "startDate":
                # api/project.mdx: "startDate" is "optional, default 1st current month"
                vals.append(dt.date.today().replace(day=1).isoformat())
                continue
            vals.append(f.default if value is None else _convert(ctx, kind, f, value))
        leaders = (
            _leaders(ctx, obj["leaders"], None)
            if kind.name == "person" and obj.get("leaders")
            else []
        )
        cur = ctx.store.execute(
            f"INSERT INTO {kind.table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
            vals,
        )
        new_id = int(cur.lastrowid or 0)
        if leaders:
            _set_leaders(ctx, new_id, leaders)
        return created(new_id, xid)

    return handler


def _update(kind: Kind) -> Callable[[Ctx, dict[str, Any]], dict[str, Any]]:
    def handler(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
        obj = as_obj(need(req, kind.name), kind.name)
        eid = addressed(ctx, kind.name, obj, req)
        sets: dict[str, Any] = {}
        for f in kind.fields:
            if f.member in obj:
                if obj[f.member] is None and f.required:
                    raise ServiceError(f"'{kind.name}.{f.member}' must not be null")
                sets[f.column] = _convert(ctx, kind, f, obj[f.member])
        if "active" in obj:
            sets["active"] = int(as_bool(obj["active"], f"{kind.name}.active"))
        if kind.name == "person" and obj.get("leaders") is not None:
            _set_leaders(ctx, eid, _leaders(ctx, obj["leaders"], eid))
        if sets:
            assign = ", ".join(f"{c}=?" for c in sets)
            ctx.store.execute(f"UPDATE {kind.table} SET {assign} WHERE id=?", [*sets.values(), eid])
        # Time entries keep their ancestors: follow a project or subproject that moved.
        if kind.name == "project" and "company" in sets:
            ctx.store.execute(
                "UPDATE time_entry SET company=? WHERE project=?", (sets["company"], eid)
            )
        if kind.name == "subproject" and "project" in sets:
            company = ctx.store.scalar("SELECT company FROM project WHERE id=?", (sets["project"],))
            ctx.store.execute(
                "UPDATE time_entry SET project=?, company=? WHERE subproject=?",
                (sets["project"], company, eid),
            )
        return ok()

    return handler


def _get(kind: Kind) -> Callable[[Ctx, dict[str, Any]], dict[str, Any]]:
    def handler(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
        return ok(**{kind.name: fetch(ctx, kind, target(ctx, req, kind.name))})

    return handler


def _list(kind: Kind) -> Callable[[Ctx, dict[str, Any]], dict[str, Any]]:
    def handler(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
        where, params = "", []
        if kind.scope and req.get(kind.scope) is not None:
            where = f" WHERE e.{kind.scope}=?"
            params.append(ref_id(ctx, req[kind.scope], kind.scope, kind.scope))
        rows = ctx.store.all(f"{kind.select}{where} ORDER BY e.name, e.id", params)
        return ok(**{kind.member: [kind.render(r) for r in rows]})

    return handler


def _set_active(kind: Kind, active: int) -> Callable[[Ctx, dict[str, Any]], dict[str, Any]]:
    def handler(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
        eid = target(ctx, req, kind.name)
        ctx.store.execute(f"UPDATE {kind.table} SET active=? WHERE id=?", (active, eid))
        return ok()

    return handler


def _group_link(kind: Kind, add: bool) -> Callable[[Ctx, dict[str, Any]], dict[str, Any]]:
    def handler(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
        eid = target(ctx, req, kind.name)
        gid = ref_id(ctx, need(req, "group"), "group", "group")
        sql = (
            "INSERT OR IGNORE INTO group_assign VALUES (?,?,?)"
            if add
            else ("DELETE FROM group_assign WHERE kind=? AND eid=? AND gid=?")
        )
        ctx.store.execute(sql, (kind.name, eid, gid))
        return ok()

    return handler


def _groups(kind: Kind) -> Callable[[Ctx, dict[str, Any]], dict[str, Any]]:
    def handler(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
        return ok(groups=groups_of(ctx, kind.name, target(ctx, req, kind.name)))

    return handler


def _specific(kind: Kind, verb: str) -> Callable[[Ctx, dict[str, Any]], dict[str, Any]]:
    def handler(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
        eid = target(ctx, req, kind.name)
        st = ctx.store
        if verb in ("attach", "detach"):
            task = ref_id(ctx, need(req, "task"), "task", "task")
            sql = (
                "INSERT OR IGNORE INTO specific_task VALUES (?,?,?)"
                if verb == "attach"
                else ("DELETE FROM specific_task WHERE kind=? AND eid=? AND task=?")
            )
            st.execute(sql, (kind.name, eid, task))
            return ok()
        if verb in ("enable", "disable"):
            st.execute(
                f"UPDATE {kind.table} SET st_disabled=? WHERE id=?", (int(verb == "disable"), eid)
            )
            return ok()
        disabled = bool(st.scalar(f"SELECT st_disabled FROM {kind.table} WHERE id=?", (eid,)))
        rows = st.all(
            "SELECT t.* FROM task t JOIN specific_task s ON s.task=t.id "
            "WHERE s.kind=? AND s.eid=? ORDER BY t.name, t.id",
            (kind.name, eid),
        )
        tasks = [{"name": r["name"], **row_ident(r), "active": bool(r["active"])} for r in rows]
        return ok(disabled=disabled, specificTasks=tasks)

    return handler


def _members(kind: Kind, verb: str) -> Callable[[Ctx, dict[str, Any]], dict[str, Any]]:
    def handler(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
        eid = target(ctx, req, kind.name)
        st = ctx.store
        if verb in ("attach", "detach"):
            if req.get("person") is not None:
                table, other = "member", ref_id(ctx, req["person"], "person", "person")
            elif req.get("group") is not None:
                table, other = "member_group", ref_id(ctx, req["group"], "group", "group")
            else:
                raise ServiceError("missing member 'person' (or 'group')")
            col = "person" if table == "member" else "gid"
            sql = (
                f"INSERT OR IGNORE INTO {table} VALUES (?,?,?)"
                if verb == "attach"
                else (f"DELETE FROM {table} WHERE kind=? AND eid=? AND {col}=?")
            )
            st.execute(sql, (kind.name, eid, other))
            return ok()
        people = st.all(
            "SELECT p.id, p.xid, p.name FROM person p JOIN member m ON m.person=p.id "
            "WHERE m.kind=? AND m.eid=? ORDER BY p.name, p.id",
            (kind.name, eid),
        )
        groups = st.all(
            "SELECT g.id, g.xid, g.name FROM grp g JOIN member_group m ON m.gid=g.id "
            "WHERE m.kind=? AND m.eid=? ORDER BY g.name, g.id",
            (kind.name, eid),
        )
        return ok(
            members=[{"name": r["name"], **row_ident(r)} for r in people],
            groups=[{"name": r["name"], **row_ident(r)} for r in groups],
        )

    return handler


def _managers(verb: str) -> Callable[[Ctx, dict[str, Any]], dict[str, Any]]:
    def handler(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
        eid = target(ctx, req, "project")
        st = ctx.store
        if verb in ("attach", "detach"):
            person = ref_id(ctx, need(req, "person"), "person", "person")
            sql = (
                "INSERT OR IGNORE INTO manager VALUES (?,?)"
                if verb == "attach"
                else ("DELETE FROM manager WHERE project=? AND person=?")
            )
            st.execute(sql, (eid, person))
            return ok()
        rows = st.all(
            "SELECT p.* FROM person p JOIN manager m ON m.person=p.id WHERE m.project=? "
            "ORDER BY p.name, p.id",
            (eid,),
        )
        members = [
            {"name": r["name"], **row_ident(r), "email": r["email"], "active": bool(r["active"])}
            for r in rows
        ]
        return ok(members=members)

    return handler


def cf_applies(available_for: str, kind: str) -> bool:
    """``"Company - Customer"`` applies to companies, ``"Person"``/``"People"`` to people, ..."""
    word = available_for.strip().split(" ", 1)[0].lower().rstrip("s")
    return {"people": "person", "peopl": "person"}.get(word, word) == kind


def _custom_fields(kind: Kind, verb: str) -> Callable[[Ctx, dict[str, Any]], dict[str, Any]]:
    def handler(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
        eid = target(ctx, req, kind.name)
        st = ctx.store
        if verb in ("set", "clear"):
            cf_obj = as_obj(need(req, "customField"), "customField")
            cf = ref_id(ctx, cf_obj, "customField", "custom_field")
            available = str(st.scalar("SELECT available_for FROM custom_field WHERE id=?", (cf,)))
            if not cf_applies(available, kind.name):
                raise ServiceError(
                    f"custom field {label(st, 'custom_field', cf)} is available for "
                    f"{available!r}, not for a {kind.name}"
                )
            if verb == "clear":
                st.execute(
                    "DELETE FROM cf_value WHERE kind=? AND eid=? AND cf=?", (kind.name, eid, cf)
                )
                return ok()
            value = need(cf_obj, "value")
            if isinstance(value, bool) or not isinstance(value, str | int | float):
                raise ServiceError(f"'customField.value' must be a string, not {value!r}")
            if isinstance(value, str):
                as_str(value, "customField.value")
            st.execute(
                "INSERT OR REPLACE INTO cf_value VALUES (?,?,?,?)", (kind.name, eid, cf, str(value))
            )
            return ok()
        values = {
            r["cf"]: r["value"]
            for r in st.all(
                "SELECT cf, value FROM cf_value WHERE kind=? AND eid=?", (kind.name, eid)
            )
        }
        out = []
        for r in st.all("SELECT * FROM custom_field ORDER BY id"):
            if cf_applies(r["available_for"], kind.name) or r["id"] in values:
                item = {**row_ident(r), "name": r["name"]}
                if r["id"] in values:
                    item["value"] = values[r["id"]]
                out.append(item)
        return ok(customFields=out)

    return handler


def _register() -> None:
    for kind in KINDS.values():
        n = kind.name
        service(f"{n}.create", write=True)(_create(kind))
        service(f"{n}.update", write=True)(_update(kind))
        service(f"{n}.get", access="read")(_get(kind))
        service(f"{n}.list", access="read")(_list(kind))
        service(f"{n}.activate", write=True)(_set_active(kind, 1))
        service(f"{n}.deactivate", write=True)(_set_active(kind, 0))
        service(f"{n}.add_group", write=True)(_group_link(kind, True))
        service(f"{n}.remove_group", write=True)(_group_link(kind, False))
        service(f"{n}.groups", access="read")(_groups(kind))
        if "specific_tasks" in kind.extras:
            service(f"{n}.attach_specific_task", write=True)(_specific(kind, "attach"))
            service(f"{n}.detach_specific_task", write=True)(_specific(kind, "detach"))
            service(f"{n}.enable_specific_tasks", write=True)(_specific(kind, "enable"))
            service(f"{n}.disable_specific_tasks", write=True)(_specific(kind, "disable"))
            service(f"{n}.specific_tasks", access="read")(_specific(kind, "list"))
        if "members" in kind.extras:
            service(f"{n}.attach_member", write=True)(_members(kind, "attach"))
            service(f"{n}.detach_member", write=True)(_members(kind, "detach"))
            service(f"{n}.members", access="read")(_members(kind, "list"))
        if "custom_fields" in kind.extras:
            service(f"{n}.set_custom_field_value", write=True)(_custom_fields(kind, "set"))
            service(f"{n}.clear_custom_field_value", write=True)(_custom_fields(kind, "clear"))
            service(f"{n}.custom_fields", access="read")(_custom_fields(kind, "list"))
        if "managers" in kind.extras:
            service(f"{n}.attach_manager", write=True)(_managers("attach"))
            service(f"{n}.detach_manager", write=True)(_managers("detach"))
            service(f"{n}.managers", access="read")(_managers("list"))


_register()


@service("person.leaders", access="read")
def person_leaders(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    pid = target(ctx, req, "person")
    kind = KINDS["person"]
    rows = ctx.store.all(
        f"{kind.select} JOIN leader l ON l.leader=e.id WHERE l.person=? ORDER BY e.name, e.id",
        (pid,),
    )
    return ok(leaders=[kind.render(r) for r in rows])


@service("custom_field.list", access="read")
def custom_field_list(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    rows = ctx.store.all("SELECT * FROM custom_field ORDER BY id")
    return ok(
        customFields=[
            {**row_ident(r), "name": r["name"], "availableFor": r["available_for"]} for r in rows
        ]
    )
