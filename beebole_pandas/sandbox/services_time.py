"""Time-entry services: the logging rules, the workflow, and who may touch which entry.

Rules (``docs/internals.md``): an entry is logged on exactly one leaf of
company → project → subproject, or on an absence; a task from the entity's
available tasks is required when there are any, and refused otherwise;
``hours`` in [0, 24]; approved and locked entries refuse update and delete.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from ..schema import STATUS_LABELS
from .services import (
    Ctx,
    NotFoundError,
    ServiceError,
    as_date,
    as_int,
    as_number,
    as_str,
    date_range,
    label,
    need,
    ok,
    one_of,
    ref,
    ref_id,
    service,
)

ENTRY_COLUMNS = (
    "id",
    "person",
    "date",
    "hours",
    "status",
    "company",
    "project",
    "subproject",
    "absence",
    "task",
    "comment",
    "stime",
    "memo",
)
ENTRY_SELECT = f"SELECT {', '.join(ENTRY_COLUMNS)} FROM time_entry te"
# positions in an ENTRY_SELECT row (plain tuples: rendering is the hot path of time_entry.list)
ID, PERSON, DATE, HOURS, STATUS = 0, 1, 2, 3, 4
_REFS = (("company", 5), ("project", 6), ("subproject", 7), ("absence", 8), ("task", 9))
COMMENT, STIME, MEMO = 10, 11, 12

WORK_KINDS = ("company", "project", "subproject")
TARGETS = (*WORK_KINDS, "absence")

Entry = tuple[Any, ...]


def entries(ctx: Ctx, where: str, params: tuple[Any, ...]) -> list[Entry]:
    cur = ctx.store.conn.cursor()
    cur.row_factory = None
    return cur.execute(f"{ENTRY_SELECT} WHERE {where}", params).fetchall()


def render_entry(ctx: Ctx, r: Entry) -> dict[str, Any]:
    """A time entry as the API shows it, with the person and every ancestor named."""
    refs = ctx.store.refs
    person = refs("person").get(r[PERSON]) or {"id": r[PERSON], "name": None}
    out: dict[str, Any] = {
        "id": r[ID],
        "date": r[DATE],
        "hours": float(r[HOURS]),
        "status": r[STATUS],
        "comment": r[COMMENT],
        "person": {k: v for k, v in person.items() if k != "active"},
    }
    for member, pos in _REFS:
        eid = r[pos]
        if eid is not None:
            found = refs(member).get(eid)
            out[member] = dict(found) if found else {"id": eid, "name": None, "active": False}
    if r[MEMO]:
        out["memo"] = r[MEMO]
    return out


def entry_row(ctx: Ctx, entry_id: int) -> Entry:
    rows = entries(ctx, "id=?", (entry_id,))
    if not rows:
        raise NotFoundError(f"time entry {entry_id} not found")
    return rows[0]


def _entry_at(ctx: Ctx, req: dict[str, Any]) -> Entry:
    """The entry named by ``id`` + ``date`` (both required, and they must agree)."""
    entry_id = as_int(need(req, "id"), "id")
    date = as_date(need(req, "date"), "date")
    row = entry_row(ctx, entry_id)
    if row[DATE] != date:
        raise NotFoundError(f"time entry {entry_id} not found on {date}")
    return row


# -- permissions ------------------------------------------------------------------------------


def may_write(ctx: Ctx, service_name: str, person: int) -> None:
    if ctx.is_admin or person == ctx.person:
        return
    raise ctx.deny(service_name, "only your own time entries")


def may_read(ctx: Ctx, service_name: str, person: int) -> None:
    if ctx.is_admin or person == ctx.person or ctx.is_leader_of(person):
        return
    raise ctx.deny(service_name, "only your own or your team's time entries")


def _person(ctx: Ctx, req: dict[str, Any]) -> int:
    """The ``person`` of the request, else the caller's own person."""
    if req.get("person") is not None:
        return ref_id(ctx, req["person"], "person", "person")
    if ctx.person is None:
        raise ServiceError("missing member 'person'")
    return ctx.person


# -- the logging rules ------------------------------------------------------------------------


def available_tasks(ctx: Ctx, kind: str, eid: int) -> list[sqlite3.Row]:
    """Active general tasks, plus active tasks specific to the entity or an ancestor
    (unless the entity has specific tasks disabled)."""
    st = ctx.store
    general = (
        "SELECT t.* FROM task t WHERE t.active=1 AND NOT EXISTS "
        "(SELECT 1 FROM specific_task s WHERE s.task=t.id)"
    )
    table = kind
    if st.scalar(f"SELECT st_disabled FROM {table} WHERE id=?", (eid,)):
        return st.all(f"{general} ORDER BY t.name, t.id")
    chain = _ancestors(ctx, kind, eid)
    pairs = [(k, v) for k, v in chain.items() if v is not None]
    cond = " OR ".join("(s.kind=? AND s.eid=?)" for _ in pairs)
    params = [x for pair in pairs for x in pair]
    return st.all(
        f"{general} UNION SELECT t.* FROM task t JOIN specific_task s ON s.task=t.id "
        f"WHERE t.active=1 AND ({cond}) ORDER BY 3, 1",
        params,
    )


def _ancestors(ctx: Ctx, kind: str, eid: int) -> dict[str, int | None]:
    out: dict[str, int | None] = {"company": None, "project": None, "subproject": None}
    out[kind] = eid
    if kind == "subproject":
        out["project"] = int(ctx.store.scalar("SELECT project FROM subproject WHERE id=?", (eid,)))
    if out["project"] is not None:
        out["company"] = int(
            ctx.store.scalar("SELECT company FROM project WHERE id=?", (out["project"],))
        )
    return out


def _check_leaf(ctx: Ctx, kind: str, eid: int) -> None:
    st = ctx.store
    name = f"{kind} {label(st, kind, eid)}"
    if not st.scalar(f"SELECT active FROM {kind} WHERE id=?", (eid,)):
        raise ServiceError(f"{name} is inactive: time cannot be logged on it")
    if kind == "company" and st.one("SELECT 1 FROM project WHERE company=? AND active=1", (eid,)):
        raise ServiceError(
            f"{name} has active projects: log time on one of them "
            "(time_entry.get_entities lists them)"
        )
    if kind == "project" and st.one(
        "SELECT 1 FROM subproject WHERE project=? AND active=1", (eid,)
    ):
        raise ServiceError(
            f"{name} has active subprojects: log time on one of them "
            "(time_entry.get_entities lists them)"
        )


def _entry_content(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Check the content of a create/update and return its columns."""
    given = {k: ref_id(ctx, req[k], k, k) for k in TARGETS if req.get(k) is not None}
    if not given:
        raise ServiceError("missing member: one of 'company', 'project', 'subproject', 'absence'")
    date = as_date(need(req, "date"), "date")
    hours = as_number(need(req, "hours"), "hours")
    if not 0 <= hours <= 24:
        raise ServiceError(f"'hours' must be a number between 0 and 24, not {hours!r}")
    comment = req.get("comment")
    if comment is not None:
        comment = as_str(comment, "comment")
    cols: dict[str, Any] = {"date": date, "hours": hours, "comment": comment, "task": None}
    cols.update({"company": None, "project": None, "subproject": None, "absence": None})
    if "absence" in given:
        if len(given) > 1:
            raise ServiceError(
                "an entry is logged either on an absence or on a company/project/subproject, "
                f"not both (got {', '.join(given)})"
            )
        aid = given["absence"]
        if not ctx.store.scalar("SELECT active FROM absence WHERE id=?", (aid,)):
            raise ServiceError(
                f"absence {label(ctx.store, 'absence', aid)} is inactive: time cannot be logged on it"
            )
        # api/time.mdx: "if you log hours on an absence (tasks don't matter in this case)":
        # a task sent with an absence is ignored, not refused.
        cols["absence"] = aid
        return cols
    kind = next(k for k in reversed(WORK_KINDS) if k in given)
    st = ctx.store
    leaf = f"{kind} {label(st, kind, given[kind])}"
    chain = _ancestors(ctx, kind, given[kind])
    for k, v in given.items():
        if chain[k] != v:
            raise ServiceError(f"'{k}' {label(st, k, v)} is not the {k} of {leaf}")
    _check_leaf(ctx, kind, given[kind])
    cols.update(chain)
    tasks = {int(r["id"]): r["xid"] for r in available_tasks(ctx, kind, given[kind])}
    if tasks:
        if req.get("task") is None:
            raise ServiceError(
                f"missing member 'task': {leaf} has tasks (time_entry.get_tasks lists them)"
            )
        task = ref_id(ctx, req["task"], "task", "task")
        if task not in tasks:
            names = (f"xid {tasks[t]!r}" if tasks[t] else str(t) for t in sorted(tasks))
            raise ServiceError(
                f"'task' {label(st, 'task', task)} is not available for {leaf}; "
                f"available tasks: {', '.join(names)}"
            )
        cols["task"] = task
    elif req.get("task") is not None:
        raise ServiceError(f"'task' is not allowed: {leaf} has no tasks")
    return cols


# -- services ---------------------------------------------------------------------------------


@service("time_entry.create", access="self", write=True)
def te_create(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    person = _person(ctx, req)
    may_write(ctx, "time_entry.create", person)
    cols = _entry_content(ctx, req)
    cols["person"] = person
    cur = ctx.store.execute(
        f"INSERT INTO time_entry ({', '.join(cols)}, status) VALUES ({', '.join('?' * len(cols))}, 'd')",
        list(cols.values()),
    )
    return ok(timeEntry=render_entry(ctx, entry_row(ctx, int(cur.lastrowid or 0))))


def _frozen(row: Entry, verb: str) -> None:
    if row[STATUS] in ("a", "l"):
        label = "approved" if row[STATUS] == "a" else "locked"
        raise ServiceError(
            f"time entry {row[ID]} is {label}: approved and locked entries cannot be {verb}"
        )


@service("time_entry.update", access="self", write=True)
def te_update(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    row = entry_row(ctx, as_int(need(req, "id"), "id"))
    may_write(ctx, "time_entry.update", row[PERSON])
    person = _person(ctx, req) if req.get("person") is not None else row[PERSON]
    may_write(ctx, "time_entry.update", person)
    _frozen(row, "changed")
    cols = _entry_content(ctx, req)
    cols["person"] = person
    stime = row[STIME]
    if stime and cols["date"] != row[DATE]:
        # A moved entry keeps its time of day (the export's "Time Start").
        cols["stime"] = f"{cols['date']} {str(stime)[11:] or '09:00:00'}"
    assign = ", ".join(f"{c}=?" for c in cols)
    ctx.store.execute(f"UPDATE time_entry SET {assign} WHERE id=?", [*cols.values(), row[ID]])
    return ok(timeEntry=render_entry(ctx, entry_row(ctx, row[ID])))


@service("time_entry.get", access="self")
def te_get(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    row = _entry_at(ctx, req)
    may_read(ctx, "time_entry.get", row[PERSON])
    return ok(timeEntry=render_entry(ctx, row))


@service("time_entry.delete", access="self", write=True)
def te_delete(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    row = _entry_at(ctx, req)
    may_write(ctx, "time_entry.delete", row[PERSON])
    _frozen(row, "deleted")
    ctx.store.execute("DELETE FROM time_entry WHERE id=?", (row[ID],))
    return ok()


@service("time_entry.list", access="self")
def te_list(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    person = _person(ctx, req)
    may_read(ctx, "time_entry.list", person)
    start, end = date_range(req)
    rows = entries(ctx, "person=? AND date BETWEEN ? AND ? ORDER BY date, id", (person, start, end))
    return ok(timeEntries=[render_entry(ctx, r) for r in rows])


# verb -> (source statuses, target status, who besides admins: "self+leader" | "leader" | "")
_WORKFLOW: dict[str, tuple[tuple[str, ...], str, str]] = {
    "submit": (("d", "r"), "s", "self+leader"),
    "approve": (("s",), "a", "leader"),
    "reject": (("s",), "r", "leader"),
    "lock": (("a",), "l", ""),
    "unlock": (("l",), "a", ""),
}


def _may_move(ctx: Ctx, name: str, who: str, person: int) -> None:
    if ctx.is_admin:
        return
    if "self" in who and person == ctx.person:
        return
    if "leader" in who and ctx.is_leader_of(person):
        return
    why = {
        "self+leader": "only your own or your team's time entries",
        "leader": "only administrators and the person's team leaders may",
        "": "only administrators may",
    }[who]
    raise ctx.deny(name, why)


def _workflow(verb: str) -> Any:
    sources, dest, who = _WORKFLOW[verb]
    name = f"time_entry.{verb}"

    def handler(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
        memo = None
        if verb == "reject" and req.get("memo") is not None:
            memo = as_str(req["memo"], "memo")
        marks = ",".join("?" * len(sources))
        if req.get("id") is not None:
            row = _entry_at(ctx, req)
            _may_move(ctx, name, who, row[PERSON])
            if row[STATUS] not in sources:
                wanted = " or ".join(STATUS_LABELS[s] for s in sources)
                raise ServiceError(
                    f"time entry {row[ID]} is {STATUS_LABELS[row[STATUS]]}: {verb} applies to "
                    f"{wanted} entries"
                )
            ctx.store.execute(
                "UPDATE time_entry SET status=?, memo=COALESCE(?, memo) WHERE id=?",
                (dest, memo, row[ID]),
            )
            return ok(count=1)
        person = _person(ctx, req)
        _may_move(ctx, name, who, person)
        start, end = date_range(req)
        cur = ctx.store.execute(
            f"UPDATE time_entry SET status=?, memo=COALESCE(?, memo) WHERE person=? "
            f"AND date BETWEEN ? AND ? AND status IN ({marks})",
            (dest, memo, person, start, end, *sources),
        )
        return ok(count=cur.rowcount)

    return handler


for _verb in _WORKFLOW:
    service(f"time_entry.{_verb}", access="self", write=True)(_workflow(_verb))


@service("time_entry.get_entities", access="read")
def te_get_entities(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    kind = one_of(req, ("company", "project"))
    eid = ref_id(ctx, req[kind], kind, kind)
    as_date(need(req, "date"), "date")
    st = ctx.store
    if kind == "company":
        rows = st.all(
            "SELECT e.id, e.xid, e.name, e.active, (SELECT count(*) FROM subproject s "
            "WHERE s.project=e.id AND s.active=1) AS n FROM project e "
            "WHERE e.company=? AND e.active=1 ORDER BY e.name, e.id",
            (eid,),
        )
        projects = [
            {
                **(ref(r["id"], r["xid"]) or {}),
                "name": r["name"],
                "active": True,
                "subprojects": {"count": r["n"]},
            }
            for r in rows
        ]
        return ok(projects=projects)
    rows = st.all(
        "SELECT id, xid, name FROM subproject WHERE project=? AND active=1 ORDER BY name, id",
        (eid,),
    )
    return ok(
        subprojects=[
            {"active": True, "name": r["name"], **(ref(r["id"], r["xid"]) or {})} for r in rows
        ]
    )


@service("time_entry.get_tasks", access="read")
def te_get_tasks(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    kind = one_of(req, WORK_KINDS)
    eid = ref_id(ctx, req[kind], kind, kind)
    as_date(need(req, "date"), "date")
    rows = available_tasks(ctx, kind, eid)
    return ok(
        tasks=[
            {"active": bool(r["active"]), "name": r["name"], **(ref(r["id"], r["xid"]) or {})}
            for r in rows
        ]
    )
