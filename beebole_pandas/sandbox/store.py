"""SQLite state of a sandbox account.

One :class:`Store` holds one account: its entities, the links between them
(groups, members, managers, leaders, specific tasks, custom field values), its
time entries, absence quotas (``leave_quota``) and time-clock records
(``clock``), and its API users. :meth:`Store.load` bulk-loads a
:class:`~beebole_pandas.sandbox.seeddata.SeedData`.

Time entries keep their ancestors denormalised (an entry on a subproject also
stores its project and company) so that lists and exports never walk the
hierarchy row by row.

>>> from beebole_pandas.sandbox.seeddata import SeedData
>>> store = Store()
>>> store.load(SeedData(name="empty"))
>>> store.count("company")
0
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from .seeddata import SeedData

__all__ = ["ENTITY_TABLES", "Store"]

log = logging.getLogger(__name__)

#: API entity name -> SQLite table.
ENTITY_TABLES: dict[str, str] = {
    "company": "company",
    "person": "person",
    "project": "project",
    "subproject": "subproject",
    "task": "task",
    "absence": "absence",
    "group": "grp",
    "custom_field": "custom_field",
}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS account(token TEXT PRIMARY KEY, role TEXT NOT NULL, person INTEGER,
    locale TEXT NOT NULL, api_enabled INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS account_settings(role TEXT PRIMARY KEY, settings TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS company(id INTEGER PRIMARY KEY, xid TEXT UNIQUE, name TEXT NOT NULL,
    corporate INTEGER NOT NULL DEFAULT 0, active INTEGER NOT NULL DEFAULT 1,
    st_disabled INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS grp(id INTEGER PRIMARY KEY, xid TEXT UNIQUE, name TEXT NOT NULL,
    parent INTEGER);
CREATE TABLE IF NOT EXISTS person(id INTEGER PRIMARY KEY, xid TEXT UNIQUE, name TEXT NOT NULL,
    email TEXT, company INTEGER NOT NULL, user_group TEXT NOT NULL DEFAULT 'employee',
    active INTEGER NOT NULL DEFAULT 1, hourly_cost REAL, work_hours REAL NOT NULL DEFAULT 8);
CREATE TABLE IF NOT EXISTS project(id INTEGER PRIMARY KEY, xid TEXT UNIQUE, name TEXT NOT NULL,
    company INTEGER NOT NULL, start_date TEXT, description TEXT,
    active INTEGER NOT NULL DEFAULT 1, budget REAL, hourly_rate REAL,
    st_disabled INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS subproject(id INTEGER PRIMARY KEY, xid TEXT UNIQUE, name TEXT NOT NULL,
    project INTEGER NOT NULL, active INTEGER NOT NULL DEFAULT 1,
    st_disabled INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS task(id INTEGER PRIMARY KEY, xid TEXT UNIQUE, name TEXT NOT NULL,
    company INTEGER NOT NULL, active INTEGER NOT NULL DEFAULT 1);
CREATE TABLE IF NOT EXISTS absence(id INTEGER PRIMARY KEY, xid TEXT UNIQUE, name TEXT NOT NULL,
    company INTEGER NOT NULL, active INTEGER NOT NULL DEFAULT 1);
CREATE TABLE IF NOT EXISTS custom_field(id INTEGER PRIMARY KEY, xid TEXT UNIQUE,
    name TEXT NOT NULL, available_for TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS group_assign(kind TEXT, eid INTEGER, gid INTEGER,
    PRIMARY KEY(kind, eid, gid)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS member(kind TEXT, eid INTEGER, person INTEGER,
    PRIMARY KEY(kind, eid, person)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS member_group(kind TEXT, eid INTEGER, gid INTEGER,
    PRIMARY KEY(kind, eid, gid)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS specific_task(kind TEXT, eid INTEGER, task INTEGER,
    PRIMARY KEY(kind, eid, task)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS manager(project INTEGER, person INTEGER,
    PRIMARY KEY(project, person)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS leader(person INTEGER, leader INTEGER,
    PRIMARY KEY(person, leader)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS cf_value(kind TEXT, eid INTEGER, cf INTEGER, value TEXT,
    PRIMARY KEY(kind, eid, cf)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS time_entry(id INTEGER PRIMARY KEY, person INTEGER NOT NULL,
    date TEXT NOT NULL, hours REAL NOT NULL, status TEXT NOT NULL DEFAULT 'd',
    company INTEGER, project INTEGER, subproject INTEGER, absence INTEGER, task INTEGER,
    comment TEXT, stime TEXT, memo TEXT);
CREATE TABLE IF NOT EXISTS leave_quota(id INTEGER PRIMARY KEY, person INTEGER NOT NULL,
    absence INTEGER NOT NULL, start TEXT NOT NULL, end_date TEXT NOT NULL, hours REAL NOT NULL);
CREATE TABLE IF NOT EXISTS clock(id INTEGER PRIMARY KEY, person INTEGER NOT NULL,
    date TEXT NOT NULL, start TEXT NOT NULL, end_time TEXT, break_hours REAL NOT NULL DEFAULT 0,
    manual INTEGER NOT NULL DEFAULT 0, wfh INTEGER NOT NULL DEFAULT 0, address TEXT,
    coords TEXT, comment TEXT);
"""

# Created after a bulk load: building an index once is cheaper than maintaining it per row.
_INDEXES = """
CREATE INDEX IF NOT EXISTS te_person_date ON time_entry(person, date);
CREATE INDEX IF NOT EXISTS te_date ON time_entry(date);
CREATE INDEX IF NOT EXISTS person_company ON person(company);
CREATE INDEX IF NOT EXISTS project_company ON project(company);
CREATE INDEX IF NOT EXISTS subproject_project ON subproject(project);
CREATE INDEX IF NOT EXISTS task_company ON task(company);
CREATE INDEX IF NOT EXISTS absence_company ON absence(company);
CREATE INDEX IF NOT EXISTS grp_parent ON grp(parent);
CREATE INDEX IF NOT EXISTS group_assign_gid ON group_assign(gid, kind);
CREATE INDEX IF NOT EXISTS specific_task_task ON specific_task(task);
CREATE INDEX IF NOT EXISTS leader_leader ON leader(leader);
CREATE INDEX IF NOT EXISTS leave_quota_person ON leave_quota(person, absence);
CREATE INDEX IF NOT EXISTS clock_person_date ON clock(person, date);
CREATE INDEX IF NOT EXISTS clock_date ON clock(date);
"""


class Store:
    """The SQLite database of one sandbox account.

    Parameters
    ----------
    db
        None for an in-memory database, else the path of a database file
        (created if missing, reused if it already holds an account).

    Notes
    -----
    The connection is shared between threads (``check_same_thread=False``);
    the caller (:class:`~beebole_pandas.sandbox.backend.Backend`) serialises
    every access with one lock; a long read (an export) works on a
    :meth:`snapshot` taken under that lock instead.

    Examples
    --------
    >>> store = Store()
    >>> store.loaded
    False
    """

    def __init__(self, db: str | None = None) -> None:
        self.path = db
        self.conn = sqlite3.connect(db or ":memory:", check_same_thread=False, isolation_level=None)
        self.conn.row_factory = sqlite3.Row
        if db:
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.executescript(_SCHEMA)
        self._refs: dict[str, dict[int, dict[str, Any]]] = {}

    # -- reading --------------------------------------------------------------------------

    @property
    def loaded(self) -> bool:
        """True once an account was loaded (or found in the database file)."""
        row = self.conn.execute("SELECT value FROM meta WHERE key='seed'").fetchone()
        return row is not None

    @property
    def seed_name(self) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key='seed'").fetchone()
        return None if row is None else str(row[0])

    def one(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        """The first row of a query, or None."""
        return self.conn.execute(sql, params).fetchone()  # type: ignore[no-any-return]

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        """All rows of a query."""
        return self.conn.execute(sql, params).fetchall()

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """The first column of the first row, or None."""
        row = self.conn.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def refs(self, kind: str) -> dict[int, dict[str, Any]]:
        """Nested references of one kind by id: ``{"id" or "xid", "name", "active"}``.

        A per-kind cache, dropped by :meth:`invalidate` after every entity write.
        Callers copy the dicts they hand out.
        """
        table = self._refs.get(kind)
        if table is None:
            table = self._refs[kind] = {
                r[0]: {
                    **({"xid": r[1]} if r[1] else {"id": r[0]}),
                    "name": r[2],
                    "active": bool(r[3]),
                }
                for r in self.conn.execute(
                    f"SELECT id, xid, name, active FROM {ENTITY_TABLES[kind]}"
                )
            }
        return table

    def snapshot(self) -> sqlite3.Connection:
        """A private in-memory copy of the database, for long reads outside the backend's lock.

        Copying is fast (about 70 ms for 680,000 time entries) and gives a
        consistent view that later writes cannot change. The caller closes it.
        """
        copy = sqlite3.connect(":memory:", check_same_thread=False)
        self.conn.backup(copy)
        return copy

    def invalidate(self) -> None:
        """Forget cached entity names (after a write to entities)."""
        self._refs.clear()

    def count(self, kind: str) -> int:
        """Number of rows of an entity kind (or of ``"time_entry"``)."""
        table = ENTITY_TABLES.get(kind, kind)
        return int(self.scalar(f"SELECT count(*) FROM {table}"))

    # -- loading --------------------------------------------------------------------------

    def load(self, seed: SeedData) -> None:
        """Bulk-load a whole account into an empty store.

        Parameters
        ----------
        seed
            The account, as built by :func:`beebole_pandas.sandbox.seed.build`.

        Examples
        --------
        >>> from beebole_pandas.sandbox.seeddata import SeedData
        >>> s = Store()
        >>> s.load(SeedData(name="x", companies=[{"id": 1, "xid": None, "name": "A",
        ...     "corporate": True, "active": True}]))
        >>> s.count("company")
        1
        """
        c = self.conn
        c.execute("BEGIN")
        try:
            self._load(seed)
            c.execute("INSERT OR REPLACE INTO meta VALUES ('seed', ?)", (seed.name,))
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise
        c.executescript(_INDEXES)
        c.execute("ANALYZE")
        log.debug("loaded seed %r: %d time entries", seed.name, len(seed.time_entries))

    def ensure_indexes(self) -> None:
        """Create the indexes (for a database file reused without :meth:`load`)."""
        self.conn.executescript(_INDEXES)

    def _many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self.conn.executemany(sql, rows)

    def _load(self, s: SeedData) -> None:
        self._many(
            "INSERT INTO account VALUES (?,?,?,?,?)",
            (
                (a["token"], a["role"], a["person"], a["locale"], int(a["api_enabled"]))
                for a in [*s.accounts, *s.extra_accounts]
            ),
        )
        self._many(
            "INSERT INTO company VALUES (?,?,?,?,?,?)",
            (
                (
                    e["id"],
                    e["xid"],
                    e["name"],
                    int(e["corporate"]),
                    int(e["active"]),
                    int(e.get("specific_tasks_disabled", False)),
                )
                for e in s.companies
            ),
        )
        self._many(
            "INSERT INTO grp VALUES (?,?,?,?)",
            ((g["id"], g["xid"], g["name"], g["parent"]) for g in s.groups),
        )
        self._many(
            "INSERT INTO person VALUES (?,?,?,?,?,?,?,?,?)",
            (
                (
                    p["id"],
                    p["xid"],
                    p["name"],
                    p["email"],
                    p["company"],
                    p["userGroup"],
                    int(p["active"]),
                    p.get("hourlyCost"),
                    p.get("workHours", 8.0),
                )
                for p in s.people
            ),
        )
        self._many(
            "INSERT INTO project VALUES (?,?,?,?,?,?,?,?,?,?)",
            (
                (
                    p["id"],
                    p["xid"],
                    p["name"],
                    p["company"],
                    p["startDate"],
                    p["description"],
                    int(p["active"]),
                    p.get("budget"),
                    p.get("hourlyRate"),
                    int(p.get("specific_tasks_disabled", False)),
                )
                for p in s.projects
            ),
        )
        self._many(
            "INSERT INTO subproject VALUES (?,?,?,?,?,?)",
            (
                (
                    p["id"],
                    p["xid"],
                    p["name"],
                    p["project"],
                    int(p["active"]),
                    int(p.get("specific_tasks_disabled", False)),
                )
                for p in s.subprojects
            ),
        )
        for table, rows in (("task", s.tasks), ("absence", s.absences)):
            self._many(
                f"INSERT INTO {table} VALUES (?,?,?,?,?)",
                ((t["id"], t["xid"], t["name"], t["company"], int(t["active"])) for t in rows),
            )
        self._many(
            "INSERT INTO custom_field VALUES (?,?,?,?)",
            ((f["id"], f["xid"], f["name"], f["availableFor"]) for f in s.custom_fields),
        )
        self._load_links(s)
        self._load_entries(s)
        self._load_time_off(s)

    def _load_links(self, s: SeedData) -> None:
        assign: list[tuple[str, int, int]] = []
        members: list[tuple[str, int, int]] = []
        member_groups: list[tuple[str, int, int]] = []
        specific: list[tuple[str, int, int]] = []
        kinds: list[tuple[str, Iterable[Any]]] = [
            ("company", s.companies),
            ("person", s.people),
            ("project", s.projects),
            ("subproject", s.subprojects),
            ("task", s.tasks),
            ("absence", s.absences),
        ]
        for kind, rows in kinds:
            for e in rows:
                assign.extend((kind, e["id"], g) for g in e.get("groups", ()))
                members.extend((kind, e["id"], p) for p in e.get("members", ()))
                member_groups.extend((kind, e["id"], g) for g in e.get("member_groups", ()))
                specific.extend((kind, e["id"], t) for t in e.get("specific_tasks", ()))
        self._many("INSERT OR IGNORE INTO group_assign VALUES (?,?,?)", assign)
        self._many("INSERT OR IGNORE INTO member VALUES (?,?,?)", members)
        self._many("INSERT OR IGNORE INTO member_group VALUES (?,?,?)", member_groups)
        self._many("INSERT OR IGNORE INTO specific_task VALUES (?,?,?)", specific)
        self._many(
            "INSERT OR IGNORE INTO manager VALUES (?,?)",
            ((p["id"], m) for p in s.projects for m in p.get("managers", ())),
        )
        self._many(
            "INSERT OR IGNORE INTO leader VALUES (?,?)",
            ((p["id"], ld) for p in s.people for ld in p.get("leaders", ())),
        )
        self._many(
            "INSERT OR REPLACE INTO cf_value VALUES (?,?,?,?)",
            ((k, eid, f["id"], v) for f in s.custom_fields for k, eid, v in f.get("values", ())),
        )

    def _load_entries(self, s: SeedData) -> None:
        project_of = {sp["id"]: sp["project"] for sp in s.subprojects}
        company_of = {p["id"]: p["company"] for p in s.projects}

        def rows() -> Iterable[tuple[Any, ...]]:
            for e in s.time_entries:
                sub = e.get("subproject")
                proj = e.get("project")
                comp = e.get("company")
                if sub is not None and proj is None:
                    proj = project_of.get(sub)
                if proj is not None and comp is None:
                    comp = company_of.get(proj)
                yield (
                    e["id"],
                    e["person"],
                    e["date"],
                    float(e["hours"]),
                    e["status"],
                    comp,
                    proj,
                    sub,
                    e.get("absence"),
                    e.get("task"),
                    e.get("comment"),
                    e.get("stime"),
                    e.get("memo"),
                )

        self._many("INSERT INTO time_entry VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", rows())

    def _load_time_off(self, s: SeedData) -> None:
        """Absence quotas and time-clock records (see .seed_time_off, .seed_clock)."""
        self._many(
            "INSERT INTO leave_quota VALUES (?,?,?,?,?,?)",
            (
                (q["id"], q["person"], q["absence"], q["start"], q["end"], float(q["hours"]))
                for q in s.leave_quotas
            ),
        )
        self._many(
            "INSERT INTO clock(person, date, start, end_time, break_hours, manual, wfh, address, "
            "coords, comment) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (
                (
                    r["person"],
                    r["date"],
                    r["start"],
                    r["end"],
                    float(r.get("break_hours", 0.0)),
                    int(r.get("manual", False)),
                    int(r.get("wfh", False)),
                    r.get("address"),
                    r.get("coords"),
                    r.get("comment"),
                )
                for r in s.clock_records
            ),
        )

    # -- account settings (see .accounts) ---------------------------------------------------

    def settings(self, role: str) -> dict[str, Any] | None:
        """The stored settings of an account, or None (never set: the defaults apply)."""
        text = self.scalar("SELECT settings FROM account_settings WHERE role=?", (role,))
        return None if text is None else dict(json.loads(text))

    def save_settings(self, role: str, settings: dict[str, Any]) -> None:
        """Store the settings of an account (replacing the previous ones)."""
        self.execute(
            "INSERT OR REPLACE INTO account_settings VALUES (?, ?)", (role, json.dumps(settings))
        )

    def close(self) -> None:
        self.conn.close()
