"""``bb.doctor()``: a read-only self-check of a live account, in at most 15 requests and 100 KB.

(The module is not named ``doctor``: Python binds an imported submodule on its
package, so ``bb.doctor`` would become the module instead of the function.)

What the package assumes of an account, checked against the account itself:
the token and API access, the caller's role (only administrators may
export), the shape of every list answer the loaders read (a missing
``status``, unknown members, missing members, ids as text), the formats of
one small export (date, time, number and list separators, in CSV and array
output), the use of xids, and the budget left. It writes nothing.

The result is a DataFrame with one row per check: ``check``, ``status``
(``ok``, ``warning``, ``failed``, ``skipped``), ``result`` and ``action`` (what
the package will do about it). ``python -m beebole_pandas doctor`` prints it.

With ``record=DIR`` the raw answers are also saved as JSON fixtures, names,
emails, comments and ids replaced by stable pseudonyms (the token is in no
answer, and never written): attach the folder to a bug report;
:func:`read_recording` types them again, so tests can run the parsers on it.

>>> import beebole_pandas as bb
>>> bb.connect(server.token, url=server.url)     # doctest: +SKIP
>>> bb.doctor()[["check", "status", "result"]]    # doctest: +SKIP
"""

from __future__ import annotations

import datetime as _dt
import logging
import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from . import schema
from .api.client import resolve_client
from .api.formats import ExportFormat
from .errors import BeeboleError, PermissionDenied, SchemaError
from .frames import to_frame
from .load.entities import flatten_tree
from .load.parse import parse_export
from .recording import read_recording, save_recording

__all__ = ["EXPORT_KEYS", "MAX_KB", "MAX_REQUESTS", "doctor", "format_table", "read_recording"]

logger = logging.getLogger(__name__)

MAX_REQUESTS = 15
MAX_KB = 100
#: The keys of the doctor's one export: aggregated by day and start time, so
#: its size depends on the days of a month, not on the size of the account.
EXPORT_KEYS = ["to", "stime", "hours", "status"]
_COLUMNS = ["check", "status", "result", "action"]
#: Entities whose list answers the loaders read, in the order of the table's rows.
_LISTS = (
    "company",
    "group",
    "custom_field",
    "project",
    "subproject",
    "task",
    "absence",
    "person",
    "time_entry",
)


class _Stop(Exception):
    """The doctor's allowance of requests or bytes is spent."""


class _Run:
    """The calls of one doctor run: counted, size-limited, optionally recorded."""

    def __init__(self, client: Any, record: Path | None) -> None:
        self.client = client
        self.start = client.budget
        self.record = record
        self.calls: list[dict[str, Any]] = []

    def spent(self) -> tuple[int, float]:
        now = self.client.budget
        used = now.requests_used - self.start.requests_used
        return used, (now.bytes_used - self.start.bytes_used) / 1024

    def call(self, service: str, **params: Any) -> dict[str, Any]:
        requests, kb = self.spent()
        if requests >= MAX_REQUESTS or kb >= MAX_KB:
            raise _Stop(f"the doctor's {MAX_REQUESTS} requests / {MAX_KB} KB are spent")
        refresh = {"refresh": True} if service.rpartition(".")[2] in ("list", "tree") else {}
        answer = self.client.call(service, **refresh, **params)
        self.calls.append({"service": service, "params": params, "answer": answer})
        return answer

    def save(self, table: pd.DataFrame, fmt: ExportFormat, period: tuple[str, str]) -> None:
        if self.record is None:
            return
        manifest = {
            "period": list(period),
            "export_keys": EXPORT_KEYS,
            "export_format": {k: v for k, v in vars(fmt).items() if v is not None},
            "checks": table.astype(object).where(table.notna(), None).to_dict("records"),
        }
        save_recording(self.record, self.calls, manifest)


# -- checks -------------------------------------------------------------------------------


def _row(check: str, status: str, result: str, action: str) -> dict[str, str]:
    return {"check": check, "status": status, "result": result, "action": action}


def _members(entity: str) -> set[str]:
    fields = schema.entity(entity).fields
    return {f.path.split(".")[0] for f in fields if f.path} | (
        {"groups"} if entity == "group" else set()
    )


def _shape(
    entity: str, service: str, answer: Mapping[str, Any]
) -> tuple[dict[str, str], list[Any]]:
    """The row of one list answer's check, and its rows."""
    member = schema.entity(entity).list_member
    notes = [] if "status" in answer else ["no 'status' member (accepted)"]
    rows = answer.get(member)
    if rows is None:
        return _row(f"answer of {service}", "warning", f"no {member!r} member; "
                    + "; ".join(notes), "read as no rows"), []  # fmt: skip
    if not isinstance(rows, list) or not all(isinstance(r, Mapping) for r in rows):
        return _row(f"answer of {service}", "failed", f"{member!r} is not a list of objects",
                    f"bb.{entity}s()-like loaders raise SchemaError"), []  # fmt: skip
    flat = flatten_tree(rows) if entity == "group" else rows
    present = {k for r in flat for k in r}
    known = _members(entity) | {"parent", "depth", "path"}
    unknown, missing = sorted(present - known), sorted(_members(entity) - present - {"xid", "id"})
    if any(isinstance(r.get("id"), str) for r in flat):
        notes.append("ids as text (read as numbers)")
    if flat and not all(r.get("id") is not None or r.get("xid") is not None for r in flat):
        notes.append("rows without id nor xid")
    if unknown:
        notes.append(f"unknown members ignored: {', '.join(unknown)}")
    if missing and flat:
        notes.append(f"missing members: {', '.join(missing)}")
    try:
        to_frame(entity, flat)
    except SchemaError as exc:
        return _row(f"answer of {service}", "failed", str(exc), "the loader raises SchemaError"), []
    result = f"{len(flat)} rows" + ("; " + "; ".join(notes) if notes else "")
    action = "missing members become <NA>" if missing and flat else "read as it is"
    if entity == "time_entry" and missing:
        action = "the person and the parents an entry lacks are filled from the lists"
    if "corporate" in missing and flat:
        action += "; without corporate, billable figures stay <NA> unless billable= is given"
    return _row(f"answer of {service}", "ok", result, action), flat


def _denied(entity: str, service: str, exc: PermissionDenied) -> tuple[dict[str, str], list[Any]]:
    if entity == "time_entry":  # a user who is no administrator sees some people only
        return _row(f"answer of {service}", "skipped",
                    "this user may not list the entries of the person tried",
                    "time_entries() reads the people this user may see"), []  # fmt: skip
    return _row(f"answer of {service}", "warning", exc.message,
                "the loader raises PermissionDenied"), []  # fmt: skip


def _ref(row: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {"xid": row["xid"]} if row.get("xid") is not None else {"id": row.get("id")}


def _smallest(rows: list[Any], counter: str) -> dict[str, Any] | None:
    """The row with the fewest (but some) children, to keep the answer small."""
    counted = [r for r in rows if isinstance(r.get(counter), Mapping) and r[counter].get("count")]
    if counted:
        return _ref(min(counted, key=lambda r: r[counter]["count"]))
    return _ref(rows[0]) if rows else None


#: The order of the list checks after the export (the people first: the
#: company that has them is the one tasks and absences are read for).
_ORDER = (
    "person",
    "task",
    "absence",
    "project",
    "subproject",
    "group",
    "custom_field",
    "time_entry",
)
#: How many companies are tried to find one with people (``corporate`` is not
#: in the documented company.list, so the account's own company is unknown).
_PEOPLE_TRIES = 3


def _scopes(
    entity: str, seen: Mapping[str, list[Any]], period: tuple[str, str]
) -> list[dict[str, Any]]:
    """The parameters to try, in order, for the doctor's list call of ``entity``."""
    companies = seen.get("company", [])
    own = sorted(companies, key=lambda c: c.get("corporate") is not True)  # corporate first
    people = seen.get("person", [])
    if entity == "person":
        return [{"company": _ref(c)} for c in own[:_PEOPLE_TRIES]]
    if entity in ("task", "absence"):
        first = (people[0].get("company") if people else None) or (own[0] if own else None)
        return [{"company": _ref(first)}] if first else []
    if entity == "project":
        return [{"company": _smallest(companies, "projects")}] if companies else []
    if entity == "subproject":
        projects = seen.get("project", [])
        return [{"project": _smallest(projects, "subprojects")}] if projects else []
    if entity == "time_entry":
        active = [p for p in people if p.get("active") is not False] or people
        return [{"person": _ref(active[0]), "from": period[0], "to": period[1]}] if active else []
    return [{}]


def _last_month(today: _dt.date) -> tuple[str, str]:
    first = today.replace(day=1)
    last = first - _dt.timedelta(days=1)
    return last.replace(day=1).isoformat(), last.isoformat()


def _export(run: _Run, period: tuple[str, str]) -> tuple[list[dict[str, str]], ExportFormat]:
    """One small export, read as CSV and as array: the account's formats."""
    client = run.client
    params = {"from": period[0], "to": period[1], "show": "all", "keys": EXPORT_KEYS}
    role = "caller's role"
    try:
        job = run.call("time_entry.export", **params).get("job") or {}
    except PermissionDenied as exc:
        return [
            _row(role, "warning", f"not an administrator: exports are refused ({exc.message})",
                 "time_entries() lists entries person by person; export() is refused"),
            _row("export formats", "skipped", "exports are refused to this user", "-"),
        ], ExportFormat()  # fmt: skip
    rows = [_row(role, "ok", "administrator: exports allowed", "time_entries() uses exports")]
    waits = (0.3, 0.7, 1.5, 3.0)  # the reference suggests 5 s; small jobs end sooner
    result: Any = None
    said = f"the export job did not finish within {sum(waits):g} s"
    for wait in waits:
        time.sleep(wait)
        info = run.call("time_entry.get_job_info", id=job.get("id")).get("job") or {}
        if info.get("status") == "done" and "result" in info:
            result = info["result"]
            break
        if info.get("status") == "error":
            said = f"the export job failed: {info.get('message') or 'no reason given'}"
            break
    if result is None:
        rows.append(_row("export formats", "failed", said, "try again later"))
        return rows, ExportFormat()
    array = run.call("time_entry.get_job_info", id=job.get("id"), outputFormat="array")
    fmt = client.export_format
    try:
        csv_frame = parse_export(result, EXPORT_KEYS, export_format=fmt, period=period)
        array_frame = parse_export(
            (array.get("job") or {}).get("result"), EXPORT_KEYS, export_format=fmt, period=period
        )
    except SchemaError as exc:
        rows.append(_row("export formats", "failed", str(exc),
                         "exports of this account cannot be read until the format is set "
                         "(bb.connect(..., export_format=...)) or supported"))  # fmt: skip
        return rows, fmt
    found = array_frame.attrs["beebole_format"].merged(csv_frame.attrs["beebole_format"])
    same = csv_frame.reset_index(drop=True).equals(array_frame.reset_index(drop=True))
    rows += _format_rows(found, fmt, len(csv_frame), same)
    days = csv_frame["to"].dropna()
    inside = days.between(pd.Timestamp(period[0]), pd.Timestamp(period[1])).all()
    rows.append(_row("entry dates ('to')", "ok" if inside else "failed",
                     f"{days.nunique()} days, all in {period[0]}..{period[1]}" if inside
                     else "dates outside the period asked for: 'to' is not the entry's date here",
                     "an entry's date is 'to', never 'stime'" if inside
                     else "time_entries() dates would be wrong: report this (attach --record)"))  # fmt: skip
    return rows, found


def _format_rows(
    found: ExportFormat, told: ExportFormat, n: int, same: bool
) -> list[dict[str, str]]:
    def how(setting: str, what: str) -> str:
        return "as set on the client" if getattr(told, setting) else f"detected: {what}"

    out = []
    if found.date is None or n == 0:
        out.append(_row("export dates", "warning", f"{n} rows: no date to tell the format",
                        "each export is read by its own dates and period; set "
                        "export_format='DD/MM/YYYY' (or other) if one is refused"))  # fmt: skip
    else:
        out.append(_row("export dates", "ok", f"{found.date} ({n} rows)",
                        how("date", f"dates are read as {found.date}")))  # fmt: skip
    out.append(_row("export times", "ok", found.time or "no start times in the sample",
                    "2:30 PM and 14:30 are both read"))  # fmt: skip
    separators = ExportFormat(decimal=found.decimal, thousands=found.thousands)
    numbers = separators.describe() if found.decimal or found.thousands else "no separator shown"
    out.append(_row("export numbers", "ok", numbers, how("decimal", "read from each export")))
    sep = found.list_separator
    out.append(_row("export list separator", "ok",
                    "tab" if sep == "\t" else repr(sep) if sep else "unknown",
                    "CSV fields are split by it"))  # fmt: skip
    out.append(_row("export array vs CSV", "ok" if same else "failed",
                    "same frame" if same else "the two outputs differ",
                    "export() uses the array output" if same else "report this (attach --record)"))  # fmt: skip
    return out


def _xids(seen: Mapping[str, list[Any]]) -> dict[str, str]:
    parts = []
    for entity, rows in seen.items():
        if rows:
            n = sum(1 for r in rows if r.get("xid") is not None)
            parts.append(f"{entity} {n}/{len(rows)}")
    return _row("xid use", "ok", "rows with an xid: " + (", ".join(parts) or "none seen"),
                "keys are the xid where there is one, else the id; push addresses rows by xid")  # fmt: skip


def doctor(
    client: Any = None,
    *,
    record: str | os.PathLike[str] | None = None,
    period: tuple[str, str] | None = None,
) -> pd.DataFrame:
    """Check what the package assumes of a live account; read-only, at most
    :data:`MAX_REQUESTS` requests and :data:`MAX_KB` KB.

    Parameters
    ----------
    client
        A client, or None for the default one.
    record
        A directory: save every answer there as JSON, with names, emails,
        comments and ids replaced by stable pseudonyms (read them back with
        :func:`read_recording`).
    period
        ``(from, to)`` of the small export; default the last full month.

    Returns
    -------
    DataFrame
        ``check``, ``status`` (``ok``, ``warning``, ``failed``, ``skipped``),
        ``result``, ``action``; ``attrs["beebole_doctor"]`` holds the requests
        and KB spent, the export format found and the period.

    Examples
    --------
    >>> table = bb.doctor()                                   # doctest: +SKIP
    >>> table[table["status"] == "failed"]                    # doctest: +SKIP
    """
    client = resolve_client(client)
    period = period or _last_month(_dt.date.today())
    run = _Run(client, Path(record) if record is not None else None)
    before = client.budget
    rows: list[dict[str, str]] = []
    found = client.export_format
    if before.requests_left < MAX_REQUESTS or before.daily_kb - before.bytes_used / 1024 < MAX_KB:
        rows.append(_row("budget", "failed", before.summary(),
                         f"the doctor needs {MAX_REQUESTS} requests and {MAX_KB} KB: not run"))  # fmt: skip
        return _table(rows, run, found, period)
    seen: dict[str, list[Any]] = {}
    try:
        answer = run.call("company.list")
    except BeeboleError as exc:
        rows.append(_row("token and API access", "failed", exc.message, "nothing can be loaded"))
        return _table(rows, run, found, period)
    rows.append(_row("token and API access", "ok", f"accepted ({client.url})", "-"))
    shapes = {"company": _shape("company", "company.list", answer)}
    seen["company"] = shapes["company"][1]
    export_rows: list[dict[str, str]] = []
    try:
        export_rows, found = _export(run, period)
        for entity in _ORDER:
            service = schema.entity(entity).list_service
            for scope in _scopes(entity, seen, period):
                try:
                    shapes[entity] = _shape(entity, service, run.call(service, **scope))
                except PermissionDenied as exc:
                    shapes[entity] = _denied(entity, service, exc)
                seen[entity] = shapes[entity][1]
                if seen[entity]:
                    break
    except _Stop as exc:
        logger.info("doctor: %s", exc)
    except BeeboleError as exc:
        rows.append(_row("a read", "failed", exc.message, "see the message"))
    rows.append(export_rows[0] if export_rows else _row("caller's role", "skipped", "-", "-"))
    rows += [shapes[e][0] for e in _LISTS if e in shapes]
    rows += [_row(f"answer of {schema.entity(e).list_service}", "skipped",
                  f"not checked: the doctor's {MAX_REQUESTS} requests / {MAX_KB} KB are spent "
                  "or the account has none to list", "-")
             for e in _LISTS if e not in shapes]  # fmt: skip
    rows += export_rows[1:]
    rows.append(_xids(seen))
    after = client.budget
    rows.append(_row("budget", "ok" if after.fraction_used < 0.9 else "warning",
                     after.summary(), "calls that would pass today's limit are refused"))  # fmt: skip
    return _table(rows, run, found, period)


def _table(
    rows: list[dict[str, str]], run: _Run, fmt: ExportFormat, period: tuple[str, str]
) -> pd.DataFrame:
    table = pd.DataFrame(rows, columns=_COLUMNS).astype("string")
    requests, kb = run.spent()
    table.attrs["beebole_doctor"] = {
        "requests": requests,
        "kb": round(kb, 1),
        "export_format": fmt,
        "period": period,
    }
    run.save(table, fmt, period)
    for row in rows:
        if row["status"] in ("failed", "warning"):
            logger.info("doctor: %s: %s: %s", row["check"], row["status"], row["result"])
    return table


def format_table(table: pd.DataFrame, *, width: int = 72) -> str:
    """The doctor's table as plain text, one check per line (what the CLI prints);
    long results and actions are cut at ``width`` characters.

    >>> print(format_table(pd.DataFrame([_row("budget", "ok", "3/4000 requests", "-")])))
    check   status  result           action
    budget  ok      3/4000 requests  -
    """
    cells = [[str(v) if len(str(v)) <= width else str(v)[: width - 3] + "..." for v in row]
             for row in table[_COLUMNS].astype(str).itertuples(index=False)]  # fmt: skip
    sizes = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(_COLUMNS)]
    lines = [_COLUMNS, *cells]
    return "\n".join(
        "  ".join(v.ljust(n) for v, n in zip(line, sizes, strict=True)).rstrip() for line in lines
    )
