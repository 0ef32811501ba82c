"""Time entries: plan their write-back, and the approval workflow.

A time entry with an ``id`` is updated (the API wants the whole entry); one
without is created, unless the server already holds an entry with the same
person, date, entity, task, hours and comment that no other row claims: then
it is that entry, created by an earlier push whose answer was lost. That
match is what makes a re-run after a crash safe.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable
from typing import Any

import pandas as pd

from .. import frames
from ..api.client import resolve_client
from ..errors import BeeboleError, PushError, SchemaError, ValidationError
from ..load.scopes import shown
from ..schema import STATUS_LABELS, entity
from .results import PushResult
from .state import TimeState, ref_param, ref_text
from .validate import (
    Call,
    Ref,
    RowInput,
    RowPlan,
    check_duplicates,
    check_ref_pairs,
    check_required,
    detect_entity,
    read_rows,
    time_entry_target,
)

logger = logging.getLogger(__name__)

__all__ = ["WORKFLOW_VERBS", "plan_time_entries", "workflow"]

#: Workflow verb → the status an entry must have for the verb to apply.
WORKFLOW_VERBS: dict[str, str] = {
    "submit": "draft or rejected",
    "approve": "submitted",
    "reject": "submitted",
    "lock": "approved",
    "unlock": "locked",
}

_FROZEN = {"a", "l"}

#: The references of a time entry, as named in its columns.
_REFS = ("person", "company", "project", "subproject", "task", "absence")
_LEVELS = ("company", "project", "subproject")


def _signature(row: RowInput) -> tuple[Any, ...]:
    hours = row.get("hours")
    return (
        row.ref("person"),
        row.get("date"),
        time_entry_target(row),
        row.ref("task"),
        None if hours is None else round(float(hours), 4),
        row.get("comment") or None,
    )


def _target_text(target: tuple[str, Ref] | None) -> str:
    if target is None:
        return ref_text(None)
    kind, ref = target
    return ref_text((f"{kind} {ref[0]}", ref[1]))  # "subproject id 5006"


def _merged(row: RowInput, server: RowInput) -> RowInput:
    """The whole entry an update sends: the row's values over the server's.

    The API wants the full entry, so a field the row leaves missing (a
    missing value, or no column at all) keeps the server's value. A reference
    whose columns are in the frame is the row's, even when empty (emptying
    ``subproject_id`` moves the entry to the project).
    """
    values = dict(server.values)
    for column, value in row.values.items():
        if column.endswith(("_id", "_xid")) and column.rsplit("_", 1)[0] in _REFS:
            continue
        if value is not None:
            values[column] = value
    for name in _REFS:
        if f"{name}_id" in row.values or f"{name}_xid" in row.values:
            values[f"{name}_id"] = row.get(f"{name}_id")
            values[f"{name}_xid"] = row.get(f"{name}_xid")
    return RowInput(row.label, row.position, values)


def _diff(row: RowInput, server: RowInput) -> dict[str, tuple[Any, Any]]:
    """The changes of ``row`` (already :func:`_merged`) against the server's entry."""
    changes: dict[str, tuple[Any, Any]] = {}
    for column in ("date", "hours", "comment"):
        before, after = server.get(column), row.get(column)
        if before in (None, "") and after in (None, ""):
            continue
        close = before is not None and after is not None and column == "hours"
        if close and abs(float(before) - float(after)) < 1e-9:
            continue
        if before != after:
            changes[column] = (before, after)
    if row.ref("person") != server.ref("person"):
        changes["person"] = (ref_text(server.ref("person")), ref_text(row.ref("person")))
    if time_entry_target(row) != time_entry_target(server):
        changes["entity"] = (
            _target_text(time_entry_target(server)),
            _target_text(time_entry_target(row)),
        )
    before_task, after_task = server.ref("task"), row.ref("task")
    if before_task != after_task:
        changes["task"] = (ref_text(before_task), ref_text(after_task))
    return changes


def _ignored_parent(row: RowInput, server: RowInput) -> str | None:
    """Why an edited reference would be ignored: the entry is logged on a deeper one.

    Only the deepest of company / project / subproject (or the absence) is
    sent, so a changed project under a kept subproject would change nothing.
    """
    target = time_entry_target(row)
    if target is None or target != time_entry_target(server):
        return None
    for name in (*_LEVELS, "absence"):
        after, before = row.ref(name), server.ref(name)
        if name == target[0] or after is None or after == before:
            continue
        ancestor = name in _LEVELS and target[0] in _LEVELS
        ancestor = ancestor and _LEVELS.index(name) < _LEVELS.index(target[0])
        if before is None and ancestor:
            continue  # the API does not always name the ancestors: nothing to compare with
        below = _LEVELS[_LEVELS.index(name) + 1 :] if name in _LEVELS else ()
        clear = [n for n in (*below, "absence") if n != name and row.ref(n) is not None]
        columns = " and ".join(f"{n}_id/{n}_xid" for n in clear)
        return (
            f"{name} changed from {ref_text(server.ref(name))} to {ref_text(after)} but the "
            f"entry is logged on {_target_text(target)}: clear {columns} to log it on the {name}"
        )
    return None


def _payload(row: RowInput, *, update: bool = False) -> dict[str, Any]:
    values = {k: v for k, v in row.values.items() if k != "status"}
    return frames.to_payload("time_entry", values, identity=update)


def plan_time_entries(
    rows: list[RowInput], state: TimeState, *, unknown: dict[tuple[str, Ref], str] | None = None
) -> list[RowPlan]:
    """One :class:`RowPlan` per row, against the server's entries in ``state``.

    Rows must already carry their type problems (:func:`read_rows`).
    ``unknown`` maps the references the server does not know, as
    ``(kind, ref)``, to the reason (see :func:`~beebole_pandas.writeback.state.unknown_references`).
    """
    ent = entity("time_entry")
    check_duplicates(rows, "id", what="time entry id")
    for row in rows:
        check_required(row, ent, creating=row.get("id") is None)
    claimed = {row.get("id") for row in rows if row.get("id") is not None}
    # Unclaimed server entries, by content, oldest first: candidates for the
    # rows without id (entries an earlier, interrupted push created).
    pool: dict[tuple[Any, ...], list[RowInput]] = {}
    for ident in sorted(state.rows):
        if ident not in claimed:
            server = state.rows[ident]
            pool.setdefault(_signature(server), []).append(server)
    plans: list[RowPlan] = []
    for row in rows:
        person = row.ref("person")
        if person is not None and person in state.missing_people:
            row.problems.append(f"unknown person {ref_text(person)}: no such person on the server")
        for name in _REFS[1:]:
            ref = row.ref(name)
            if ref is not None and unknown and (name, ref) in unknown:
                row.problems.append(unknown[(name, ref)])
        found = state.rows.get(row.get("id")) if row.get("id") is not None else None
        if found is not None:
            check_ref_pairs(row, found, _REFS)
            ignored = _ignored_parent(row, found)
            if ignored:
                row.problems.append(ignored)
        if row.problems:
            plans.append(RowPlan(row, "invalid", reason="; ".join(row.problems), id=row.get("id")))
            continue
        ident = row.get("id")
        if ident is None:
            matches = pool.get(_signature(row))
            if matches:
                server = matches.pop(0)
                plans.append(
                    RowPlan(
                        row,
                        "unchanged",
                        id=server.get("id"),
                        note=f"already on the server as entry {server.get('id')}",
                    )
                )
                continue
            plans.append(RowPlan(row, "create", calls=[Call("time_entry.create", _payload(row))]))
            continue
        found = state.rows.get(ident)
        if found is None:
            runs = state.runs.get(person, []) if person is not None else []
            dates = ", ".join(a if a == b else f"{a} to {b}" for a, b in runs)
            where = f" for person {ref_text(person)} on {dates}" if runs else ""
            plans.append(
                RowPlan(
                    row,
                    "invalid",
                    id=ident,
                    reason=f"time entry {ident} not found on the server{where}: deleted, or moved "
                    "to another person or outside the frame's dates; drop its id to create it again",
                )
            )
            continue
        server = found
        whole = _merged(row, server)
        changes = _diff(whole, server)
        if not changes:
            plans.append(RowPlan(row, "unchanged", id=ident))
            continue
        status = server.get("status")
        if status in _FROZEN:
            label = STATUS_LABELS[status]
            how = "unlock it" if status == "l" else "have it rejected"
            plans.append(
                RowPlan(
                    row,
                    "invalid",
                    changes=changes,
                    id=ident,
                    reason=f"time entry {ident} on {server.get('date')} is {label}: "
                    f"{label} entries cannot be changed; {how} first",
                )
            )
            continue
        plans.append(
            RowPlan(
                row,
                "update",
                changes=changes,
                id=ident,
                calls=[Call("time_entry.update", _payload(whole, update=True))],
            )
        )
    return plans


def workflow(
    frame: pd.DataFrame,
    verb: str,
    *,
    memo: str | None = None,
    client: Any = None,
) -> PushResult:
    """Submit, approve, reject, lock or unlock the frame's people over its dates.

    One request per person, over the first to the last date of that person's
    rows. Entries not in the status the verb applies to are left alone by the
    server.

    Parameters
    ----------
    frame
        A time-entry frame (``person_id``/``person_xid`` and ``date`` are used).
    verb
        ``"submit"``, ``"approve"``, ``"reject"``, ``"lock"`` or ``"unlock"``.
    memo
        The reason, for ``"reject"`` (required there).
    client
        The client; the default one when None.

    Returns
    -------
    PushResult
        One row per person: ``action`` (the verb), ``status``, ``message``,
        ``person_id``, ``person_xid``, ``from``, ``to``.

    Examples
    --------
    >>> entries = bb.time_entries("2026-10-01", "2026-10-31")   # doctest: +SKIP
    >>> workflow(entries, "approve").summary                      # doctest: +SKIP
    'approve time_entry: 12 rows: 12 approve; 12 ok; 12 requests sent in 0.3 s'
    """
    import time

    if not isinstance(verb, str) or verb not in WORKFLOW_VERBS:
        raise SchemaError(
            f"unknown workflow step {verb!r}; valid steps are: {', '.join(WORKFLOW_VERBS)}"
        )
    if memo is not None and not isinstance(memo, str):
        raise ValidationError(f"memo={shown(memo)} must be text saying why (a str)")
    if verb == "reject" and not memo:
        raise SchemaError("reject needs a memo= saying why, for the person whose time is rejected")
    if not isinstance(frame, pd.DataFrame):
        raise PushError(f"expected a pandas DataFrame, got {type(frame).__name__}")
    ent = detect_entity(frame, "time_entry" if "hours" in frame.columns else None)
    if ent.name != "time_entry":
        raise SchemaError(f"{verb} works on time-entry frames; this frame holds {ent.name} rows")
    client = resolve_client(client)
    started = time.perf_counter()
    spans: dict[Ref, list[str]] = {}
    for row in read_rows(frame, ent):
        person, day = row.ref("person"), row.get("date")
        if person is not None and day is not None:
            spans.setdefault(person, []).append(day)
    records: list[dict[Hashable, Any]] = []
    sent = 0
    for person, days in sorted(spans.items(), key=lambda item: str(item[0])):
        params: dict[str, Any] = {"person": ref_param(person), "from": min(days), "to": max(days)}
        if verb == "reject":
            params["memo"] = memo
        record: dict[Hashable, Any] = {
            "action": verb,
            "person_id": person[1] if person[0] == "id" else None,
            "person_xid": person[1] if person[0] == "xid" else None,
            "from": params["from"],
            "to": params["to"],
        }
        try:
            sent += 1
            client.call(f"time_entry.{verb}", **params)
        except BeeboleError as exc:
            record.update(status="error", message=str(exc))
        else:
            record.update(
                status="ok",
                message=f"{verb} applied to the {WORKFLOW_VERBS[verb]} entries",
            )
        records.append(record)
    if sent:
        client.invalidate("time_entry")
    columns = ["action", "status", "message", "person_id", "person_xid", "from", "to"]
    table = pd.DataFrame(records, columns=columns)
    table = table.astype(
        {
            "action": "string",
            "status": "string",
            "message": "string",
            "person_id": "Int64",
            "person_xid": "string",
        }
    )
    for column in ("from", "to"):
        table[column] = pd.to_datetime(table[column])
    return PushResult(
        table,
        entity="time_entry",
        verb=verb,
        requests=sent,
        seconds=time.perf_counter() - started,
    )
