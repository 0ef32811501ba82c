"""Write a frame back to Beebole: plan, push, delete. Safe to run again.

:func:`plan` reads the server state fresh (one list per scope) and diffs the
frame against it; :func:`push` executes that plan with bounded concurrency
over the client's one keep-alive session. A push that fails half-way can be
run again: it re-reads the state and re-plans, so rows already written are
``unchanged`` the second time, rows addressed by xid are never created twice,
and new time entries are matched against the server's before being created.

Rows are addressed by ``xid`` when they have one (created with it if the
server does not know it, else updated), else by ``id`` (updated). A row with
neither is created; a warning suggests xids, because only they make the
creation of entities idempotent. Nothing is deleted by :func:`push`.

Relationship frames (:func:`beebole_pandas.group_assignments`,
:func:`~beebole_pandas.project_managers`, :func:`~beebole_pandas.members`)
are pushed the same way: push adds the links the server lacks, and
:func:`delete` removes links (see :mod:`beebole_pandas.writeback.links`).

>>> import beebole_pandas as bb
>>> people = bb.people()                                  # doctest: +SKIP
>>> people.loc[people.name == "Rosa Parks", "email"] = "rosa@example.com"  # doctest: +SKIP
>>> bb.push.plan(people).summary                          # doctest: +SKIP
'plan push person: 40 rows: 1 update, 39 unchanged; needs 1 request (fits in the 3950 left today)'
>>> bb.push.push(people).summary                          # doctest: +SKIP
'push person: 40 rows: 1 update, 39 unchanged; 40 ok; 1 request sent in 0.2 s'
"""

from __future__ import annotations

import logging
import os
import sys
import time
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..api.client import resolve_client
from ..errors import PushError, ValidationError
from ..frames import check_columns
from ..load.scopes import flag, shown
from .entities import plan_entities
from .links import LINK_COLUMNS, detect_link, plan_links
from .results import PLAN_COLUMNS, RESULT_COLUMNS, PlanFrame, PushResult
from .run import Outcome, run
from .state import (
    EntityState,
    TimeState,
    read_entity_state,
    read_time_state,
    ref_param,
    unknown_references,
)
from .time_entries import plan_time_entries
from .validate import (
    ALL_COLUMNS,
    Call,
    RowPlan,
    check_duplicates,
    check_entity_name,
    detect_entity,
    read_rows,
    unknown_columns,
)

logger = logging.getLogger(__name__)

__all__ = ["delete", "plan", "push"]


@dataclass
class _Planned:
    entity: str  # an entity ("person") or a link kind ("project_manager")
    rows: list[RowPlan]
    reads: int
    requests_left: int | None
    warnings: list[str]
    stale: tuple[str, ...] = ()  # entities whose cached reads the writes make stale

    @property
    def requests(self) -> int:
        return sum(len(p.calls) for p in self.rows)


def _requests_left(client: Any) -> int | None:
    try:
        return int(client.budget.requests_left)
    except (AttributeError, TypeError, ValueError):  # a client without a meter
        return None


def _resets_at(client: Any) -> str:
    try:
        return f"at {client.budget.resets_at:%Y-%m-%d %H:%M} UTC"
    except (AttributeError, TypeError, ValueError):
        return "tomorrow"


def _checked(frame: Any, entity_name: Any) -> None:
    """Refuse, before any read, a frame or an ``entity=`` that no plan can come from."""
    if not isinstance(frame, pd.DataFrame):
        raise PushError(f"expected a pandas DataFrame, got {type(frame).__name__}")
    # Every column push may read is read as frame[name]: no MultiIndex, no repeats.
    check_columns(frame, ALL_COLUMNS | LINK_COLUMNS)
    check_entity_name(entity_name)


def _workers(value: Any) -> int:
    whole = isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_)
    if whole and value >= 1:
        return int(value)
    raise ValidationError(f"workers={shown(value)} must be a whole number of threads, 1 or more")


def _make_plan(frame: pd.DataFrame, entity_name: str | None, client: Any) -> _Planned:
    _checked(frame, entity_name)
    link = detect_link(frame, entity_name)
    if link is not None:
        links, reads = plan_links(frame, link, client, remove=False)
        return _Planned(link.name, links, reads, _requests_left(client), [], link.stale(links))
    ent = detect_entity(frame, entity_name)
    if ent.name != "time_entry" and "create" not in ent.writable_services:
        raise PushError(
            f"{ent.name} rows cannot be written: the Beebole API has no {ent.name}.create/update"
        )
    notes: list[str] = []
    extra = unknown_columns(frame, ent)
    if extra:
        notes.append(
            f"ignoring {len(extra)} column(s) that are not {ent.name} fields: {', '.join(extra)}"
        )
    rows = read_rows(frame, ent)
    if not rows:
        return _Planned(ent.name, [], 0, _requests_left(client), notes)  # nothing to read for
    state: EntityState | TimeState
    if ent.name == "time_entry":
        state = read_time_state(rows, client)
        unknown = unknown_references(rows, state, client)
        planned = plan_time_entries(rows, state, unknown=unknown)
        moved = sum(
            1
            for r in rows
            if r.get("status") is not None
            and r.get("id") in state.rows
            and state.rows[r.get("id")].get("status") != r.get("status")
        )
        if moved:
            notes.append(
                f"{moved} row(s) have a status other than the server's; push does not change "
                "statuses: use df.beebole.submit(), approve(), reject(memo=...), lock() or unlock()"
            )
    else:
        state = read_entity_state(ent, rows, client)
        planned = plan_entities(ent, rows, state)
        keyless = sum(1 for p in planned if p.action == "create" and p.row.key is None)
        if keyless:
            notes.append(
                f"{keyless} row(s) have neither id nor xid and will be created; give them an xid "
                "so that running push again (after a failure) cannot create them twice"
            )
    for note in notes:
        logger.info("%s", note)
    return _Planned(ent.name, planned, state.reads, _requests_left(client), notes, (ent.name,))


def _caller_stacklevel() -> int:
    """The stacklevel of the first frame outside this package, for warnings."""
    package = os.path.dirname(__file__)
    frame = sys._getframe(1)
    level = 1
    while frame is not None and os.path.dirname(frame.f_code.co_filename) == package:
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    return level


def _warn(notes: Iterable[str]) -> None:
    for note in notes:
        # Point at the user's line (a notebook cell), not at this module.
        warnings.warn(note, UserWarning, stacklevel=_caller_stacklevel())


def _plan_frame(planned: _Planned, index: pd.Index, *, delete: bool = False) -> PlanFrame:
    table = pd.DataFrame(
        {
            "action": pd.array([p.action for p in planned.rows], dtype="string"),
            "changes": pd.array([p.changes_text for p in planned.rows], dtype="string"),
            "reason": pd.array([p.reason for p in planned.rows], dtype="string"),
            "requests": pd.array([len(p.calls) for p in planned.rows], dtype="Int64"),
            "id": pd.array([p.id for p in planned.rows], dtype="Int64"),
            "xid": pd.array([p.xid for p in planned.rows], dtype="string"),
        },
        index=index,
        columns=PLAN_COLUMNS,
    )
    return PlanFrame(
        table,
        entity=planned.entity,
        requests=planned.requests,
        requests_left=planned.requests_left,
        reads=planned.reads,
        warnings=planned.warnings,
        delete=delete,
    )


def plan(frame: pd.DataFrame, *, entity: str | None = None, client: Any = None) -> PlanFrame:
    """What :func:`push` would do with each row; sends nothing but reads.

    Parameters
    ----------
    frame
        An entity or time-entry frame, as loaded and then edited.
    entity
        The entity, when the columns do not tell (tasks and absences look alike).
    client
        The client; the default one when None.

    Returns
    -------
    PlanFrame
        One row per input row, in input order: ``action`` (create, update,
        unchanged, invalid), ``changes`` (``field: before → after``),
        ``reason`` (why a row is invalid), ``requests``, ``id``, ``xid``;
        ``.requests`` (writes needed), ``.requests_left``, ``.fits``, ``.summary``.

    Examples
    --------
    >>> projects = bb.projects()                                   # doctest: +SKIP
    >>> projects.loc[0, "name"] = "Renamed"                        # doctest: +SKIP
    >>> plan(projects).action.value_counts().to_dict()            # doctest: +SKIP
    {'unchanged': 11, 'update': 1}
    """
    _checked(frame, entity)
    client = resolve_client(client)
    planned = _make_plan(frame, entity, client)
    _warn(planned.warnings)
    return _plan_frame(planned, frame.index)


def _result_frame(
    planned: _Planned,
    outcomes: list[Outcome],
    index: pd.Index,
    **info: Any,
) -> PushResult:
    table = pd.DataFrame(
        {
            "action": pd.array([p.action for p in planned.rows], dtype="string"),
            "status": pd.array([o.status for o in outcomes], dtype="string"),
            "message": pd.array([o.message for o in outcomes], dtype="string"),
            "id": pd.array([o.id for o in outcomes], dtype="Int64"),
            "xid": pd.array([o.xid for o in outcomes], dtype="string"),
        },
        index=index,
        columns=RESULT_COLUMNS,
    )
    return PushResult(table, entity=planned.entity, warnings=planned.warnings, **info)


def _check_budget(planned: _Planned, send_what_fits: bool, client: Any) -> int | None:
    left = planned.requests_left
    needed = planned.requests
    if left is None or needed <= left:
        return None
    if send_what_fits:
        logger.warning("push needs %d requests, %d left today: sending what fits", needed, left)
        return left
    raise PushError(
        f"push needs {needed} write requests but only {left} are left in today's budget "
        f"(the plan itself read {planned.reads}); nothing was sent. Push fewer rows, wait for "
        f"the reset {_resets_at(client)}, or pass send_what_fits=True to send the rows that "
        "fit, in input order",
        details={"needed": needed, "left": left, "reads": planned.reads},
    )


def push(
    frame: pd.DataFrame,
    *,
    entity: str | None = None,
    dry_run: bool = False,
    workers: int = 4,
    progress: bool = True,
    send_what_fits: bool = False,
    client: Any = None,
) -> PushResult:
    """Write the frame's changed rows back to Beebole, and say what happened to each.

    The frame is validated and diffed against a fresh read of the server
    (:func:`plan`); only changed rows, and only their writable fields, are
    sent. Nothing is deleted. The frame is not modified.

    Parameters
    ----------
    frame
        An entity or time-entry frame, as loaded and then edited.
    entity
        The entity, when the columns do not tell.
    dry_run
        Plan and report, send nothing (every row ``skipped``).
    workers
        Rows written at the same time (threads over one keep-alive session).
    progress
        Show a progress bar while writing.
    send_what_fits
        When the writes need more requests than are left today, send the
        rows that fit (in input order) and skip the rest, instead of refusing.
    client
        The client; the default one when None.

    Returns
    -------
    PushResult
        One row per input row, in input order: ``action``, ``status`` (ok,
        error, skipped), ``message``, ``id``, ``xid`` (assigned, for created
        rows); ``.summary``, ``.requests``, ``.ok``, ``.errors``, and
        ``.with_ids(frame)``: the frame with the assigned ids filled in, to keep
        editing (a new time entry has no key but its id: edit rows created by a
        push in that copy, and re-run a failed push before editing further).

    Raises
    ------
    PushError
        The writes need more requests than are left today (the message gives
        both numbers); nothing was sent.

    Examples
    --------
    >>> result = push(people, workers=8)                  # doctest: +SKIP
    >>> result.ok, result.requests                        # doctest: +SKIP
    (True, 40)
    """
    started = time.perf_counter()
    # The arguments are checked before the plan reads anything.
    dry_run, progress = flag(dry_run, "dry_run"), flag(progress, "progress")
    send_what_fits, workers = flag(send_what_fits, "send_what_fits"), _workers(workers)
    _checked(frame, entity)
    client = resolve_client(client)
    planned = _make_plan(frame, entity, client)
    _warn(planned.warnings)
    if dry_run:
        outcomes = [
            Outcome(
                "error" if p.action == "invalid" else "skipped",
                p.reason
                if p.action == "invalid"
                else f"dry run: would {p.action} {p.changes_text}".strip(),
                p.id,
                p.xid,
                0,
            )
            for p in planned.rows
        ]
        return _result_frame(
            planned,
            outcomes,
            frame.index,
            requests=0,
            dry_run=True,
            seconds=time.perf_counter() - started,
        )
    budget = _check_budget(planned, send_what_fits, client)
    outcomes, sent = run(
        planned.rows,
        stale=planned.stale,
        client=client,
        workers=workers,
        progress=progress,
        budget=budget,
        label=f"push {planned.entity}",
    )
    return _result_frame(
        planned,
        outcomes,
        frame.index,
        requests=sent,
        reads=planned.reads,
        seconds=time.perf_counter() - started,
    )


# -- deletion ---------------------------------------------------------------------------


def _plan_delete(
    frame: pd.DataFrame, entity_name: str | None, client: Any, force: bool
) -> _Planned:
    _checked(frame, entity_name)
    link = detect_link(frame, entity_name)
    if link is not None:
        links, link_reads = plan_links(frame, link, client, remove=True)
        return _Planned(link.name, links, link_reads, _requests_left(client), [], link.stale(links))
    ent = detect_entity(frame, entity_name)
    if ent.name not in ("time_entry", "group"):
        raise PushError(
            f"the Beebole API cannot delete a {ent.name}; deactivate it instead: "
            "set active=False and push"
        )
    rows = read_rows(frame, ent)
    planned: list[RowPlan] = []
    reads: int
    if ent.name == "time_entry":
        state = read_time_state(rows, client)
        reads = state.reads
        check_duplicates(rows, "id", what="time entry id")
        for row in rows:
            ident = row.get("id")
            if ident is None:
                row.problems.append("no id: only entries with an id can be deleted")
            server = state.rows.get(ident) if ident is not None else None
            if row.problems:
                planned.append(RowPlan(row, "invalid", reason="; ".join(row.problems), id=ident))
            elif server is None:
                planned.append(
                    RowPlan(row, "missing", id=ident, note="not on the server (already deleted)")
                )
            elif server.get("status") in ("a", "l"):
                planned.append(
                    RowPlan(
                        row,
                        "invalid",
                        id=ident,
                        reason=f"time entry {ident} is {'approved' if server.get('status') == 'a' else 'locked'} "
                        "and cannot be deleted",
                    )
                )
            else:
                call = Call("time_entry.delete", {"id": ident, "date": server.get("date")})
                planned.append(RowPlan(row, "delete", id=ident, calls=[call]))
    else:
        estate = read_entity_state(ent, rows, client)
        reads = estate.reads
        for row in rows:
            server = estate.find(row)
            ids = {"id": row.get("id"), "xid": row.get("xid")}
            if row.key is None:
                planned.append(
                    RowPlan(row, "invalid", reason="no id or xid: nothing to delete", **ids)
                )
            elif server is None:
                planned.append(
                    RowPlan(row, "missing", note="not on the server (already deleted)", **ids)
                )
            else:
                assert server.key is not None
                params = {**ref_param(server.key), **({"force": True} if force else {})}
                planned.append(RowPlan(row, "delete", calls=[Call("group.delete", params)], **ids))
    return _Planned(ent.name, planned, reads, _requests_left(client), [], (ent.name,))


def delete(
    frame: pd.DataFrame,
    *,
    entity: str | None = None,
    dry_run: bool = False,
    force: bool = False,
    workers: int = 4,
    progress: bool = True,
    client: Any = None,
) -> PlanFrame | PushResult:
    """Delete the frame's rows from Beebole: the only way anything is deleted.

    Only time entries (not approved or locked) and groups can be deleted; the
    API deactivates other entities instead. Rows already gone are ``missing``
    and ok, so a delete can be run again.

    Parameters
    ----------
    frame
        Rows to delete (time entries by ``id``; groups by ``xid`` or ``id``).
    entity
        The entity, when the columns do not tell.
    dry_run
        Return the plan (``delete``, ``missing``, ``invalid`` per row) and send nothing.
    force
        Groups only: delete a group that still has subgroups or members.
    workers, progress, client
        As for :func:`push`.

    Examples
    --------
    >>> wrong = entries[entries.comment == "test"]     # doctest: +SKIP
    >>> delete(wrong, dry_run=True).summary            # doctest: +SKIP
    'plan delete time_entry: 3 rows: 3 delete; needs 3 requests (fits in the 3990 left today)'
    """
    started = time.perf_counter()
    dry_run, force = flag(dry_run, "dry_run"), flag(force, "force")
    progress, workers = flag(progress, "progress"), _workers(workers)
    _checked(frame, entity)
    client = resolve_client(client)
    planned = _plan_delete(frame, entity, client, force)
    if dry_run:
        return _plan_frame(planned, frame.index, delete=True)
    _check_budget(planned, False, client)
    outcomes, sent = run(
        planned.rows,
        stale=planned.stale,
        client=client,
        workers=workers,
        progress=progress,
        budget=None,
        label="delete",
    )
    return _result_frame(
        planned,
        outcomes,
        frame.index,
        verb="delete",
        requests=sent,
        seconds=time.perf_counter() - started,
    )
