"""Time entries: plan their write-back.

A time entry with an ``id`` is updated (the API wants the whole entry, and
takes a new date, person or entity in it: a changed date moves the entry);
one without is created, unless the server already holds an entry with the
same person, date, entity, task, hours and comment that no other row claims:
then it is that entry, created by an earlier push whose answer was lost. That
match is what makes a re-run after a crash safe.

Entries are read around the frame's dates; an entry whose date was changed is
found where it was, over the period the frame was loaded for (see
:func:`~.time_state.read_time_state`), so that moving it is one update, safe to
send again. Names in the reference columns are references too (see
:mod:`.names`).

The workflow (submit, approve ...) lives in :mod:`.workflow`; ``workflow``
and ``WORKFLOW_VERBS`` are offered here too.
"""

from __future__ import annotations

import logging
from typing import Any

import pandas as pd

from .. import frames
from ..schema import STATUS_LABELS, entity, status_code
from .checks import (
    check_duplicates,
    check_ref_pairs,
    check_required,
    missing_note,
    time_entry_target,
)
from .labels import entry_label
from .names import Directory, resolve_names
from .state import ref_text, requests_used
from .time_state import TimeState, read_time_state, unknown_references
from .validate import Call, Ref, RowInput, RowPlan, loaded_scope
from .workflow import WORKFLOW_VERBS, workflow

logger = logging.getLogger(__name__)

__all__ = ["WORKFLOW_VERBS", "plan_time_entries", "plan_time_frame", "workflow"]

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


def _not_found(ident: int, person: Ref | None, state: TimeState) -> str:
    runs = state.runs.get(person, []) if person is not None else []
    dates = ", ".join(a if a == b else f"{a} to {b}" for a, b in sorted(set(runs)))
    where = f" for person {ref_text(person)} on {dates}" if runs else ""
    return (
        f"time entry {ident} not found on the server{where}: it was deleted, or it is on "
        "another date or person than those read (push looks for a moved entry over the "
        "period the frame was loaded for, when the frame still records it); reload the "
        "entries over its old date and edit it there. Dropping its id would log its hours "
        "twice if it still exists"
    )


def plan_time_entries(
    rows: list[RowInput],
    state: TimeState,
    *,
    unknown: dict[tuple[str, Ref], str] | None = None,
    names: Directory | None = None,
) -> list[RowPlan]:
    """One :class:`RowPlan` per row, against the server's entries in ``state``.

    Rows must already carry their type problems (:func:`~.validate.read_rows`)
    and their names resolved (:func:`~.names.resolve_names`).
    ``unknown`` maps the references the server does not know, as
    ``(kind, ref)``, to the reason (see :func:`~beebole_pandas.writeback.time_state.unknown_references`);
    ``names`` gives the rows' labels the server's names.
    """

    def name_of(kind: str, ref: Ref) -> str | None:
        return names.known.get((kind, ref)) if names is not None else None

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
        label = entry_label(_merged(row, found) if found is not None else row, name_of)
        if row.problems:
            plans.append(
                RowPlan(
                    row, "invalid", reason="; ".join(row.problems), id=row.get("id"), label=label
                )
            )
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
                        label=label,
                    )
                )
                continue
            plans.append(
                RowPlan(
                    row, "create", calls=[Call("time_entry.create", _payload(row))], label=label
                )
            )
            continue
        if found is None:
            plans.append(
                RowPlan(
                    row, "invalid", id=ident, reason=_not_found(ident, person, state), label=label
                )
            )
            continue
        server = found
        whole = _merged(row, server)
        changes = _diff(whole, server)
        if not changes:
            plans.append(RowPlan(row, "unchanged", id=ident, label=label))
            continue
        status = status_code(server.get("status"))  # liberal: a label or a code
        if status in _FROZEN:
            frozen = STATUS_LABELS[status]
            how = "unlock it" if status == "l" else "have it rejected"
            plans.append(
                RowPlan(
                    row,
                    "invalid",
                    changes=changes,
                    id=ident,
                    reason=f"time entry {ident} on {server.get('date')} is {frozen}: "
                    f"{frozen} entries cannot be changed; {how} first",
                    label=label,
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
                label=label,
            )
        )
    return plans


def plan_time_frame(
    frame: pd.DataFrame, rows: list[RowInput], client: Any
) -> tuple[list[RowPlan], int, list[str]]:
    """Read the server around the frame's rows and plan them: the plans, the reads, the notes.

    The order matters for the budget: people given by name are looked up
    first (the entries are read per person), then the entries; then the
    references the rows give by id or xid that the server's entries do not
    already show, and last the other names (not within an unknown project).
    """
    book = Directory(client)
    before = requests_used(client)
    resolve_names([r for r in rows if r.ref("person") is None], {}, book, kinds=("person",))
    early = requests_used(client) - before
    state = read_time_state(rows, client, loaded=loaded_scope(frame))
    unknown = unknown_references(rows, state, client)
    before = requests_used(client)
    book.learn(state.rows.values())
    servers = {r.position: state.rows[r.get("id")] for r in rows if r.get("id") in state.rows}
    resolve_names(rows, servers, book, unknown=unknown)
    state.reads += early + requests_used(client) - before
    plans = plan_time_entries(rows, state, unknown=unknown, names=book)
    notes: list[str] = []
    moved = sum(
        1
        for r in rows
        if r.get("status") is not None
        and r.get("id") in state.rows
        and status_code(state.rows[r.get("id")].get("status")) != r.get("status")
    )
    if moved:
        notes.append(
            f"{moved} row(s) have a status other than the server's; push does not change "
            "statuses: use df.beebole.submit(), approve(), reject(memo=...), lock() or unlock()"
        )
    stale = book.stale_note()
    if stale is not None:
        notes.append(stale)
    note = missing_note(
        entity("time_entry"), [(r, servers[r.position]) for r in rows if r.position in servers]
    )
    if note is not None:
        notes.append(note)
    return plans, state.reads, notes
