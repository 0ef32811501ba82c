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
>>> bb.plan(people).summary                               # doctest: +SKIP
'plan push person: 40 rows: 1 update, 39 unchanged; needs 1 request (fits in the 3950 left today)'
>>> bb.push(people).summary                               # doctest: +SKIP
'push person: 40 rows: 1 update, 39 unchanged; 1 written, 39 unchanged, 0 failed; 1 request sent in 0.2 s'

What push cannot write is never dropped without a word: a value of the
wrong type (a time-zone-aware date, bytes), an xid given to an entity known
by its id, a missing value in a required field, a name that names no entity
are ``invalid`` rows whose reason names the column; a missing value where
the server has one, and computed columns that differ from the server's, are
warnings. Join keys (``key``, ``<ref>_key``) are derived and ignored.

The plan of deletions is in :mod:`.deletion` (``delete`` is offered here too);
what plan, push and delete share is in :mod:`.plans`.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import pandas as pd

from ..api.client import resolve_client
from ..errors import PushError
from ..load.scopes import flag
from .deletion import delete
from .entities import entity_notes, plan_entities
from .links import detect_link, plan_links
from .plans import (
    Planned,
    check_budget,
    checked,
    plan_frame,
    requests_left,
    result_frame,
    warn,
    workers_of,
)
from .results import PlanFrame, PushResult
from .run import Outcome, run
from .state import read_entity_state
from .time_entries import plan_time_frame
from .validate import detect_entity, read_rows, unknown_columns

logger = logging.getLogger(__name__)

__all__ = ["delete", "plan", "push"]


def _make_plan(frame: pd.DataFrame, entity_name: str | None, client: Any) -> Planned:
    checked(frame, entity_name)
    link = detect_link(frame, entity_name)
    if link is not None:
        links, reads = plan_links(frame, link, client, remove=False)
        return Planned(link.name, links, reads, requests_left(client), [], link.stale(links))
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
        return Planned(ent.name, [], 0, requests_left(client), notes)  # nothing to read for
    if ent.name == "time_entry":
        planned, reads, more = plan_time_frame(frame, rows, client)
    else:
        state = read_entity_state(ent, rows, client)
        planned = plan_entities(ent, rows, state)
        reads, more = state.reads, entity_notes(ent, planned, state)
    notes.extend(more)
    for note in notes:
        logger.info("%s", note)
    return Planned(ent.name, planned, reads, requests_left(client), notes, (ent.name,))


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
        unchanged, invalid), ``label`` (the row's name, or an entry's day,
        person, entity and hours), ``changes`` (``field: before → after``),
        ``reason`` (why a row is invalid), ``requests``, ``id``, ``xid``;
        ``.requests`` (writes needed), ``.requests_left``, ``.fits``, ``.summary``.

    Examples
    --------
    >>> projects = bb.projects()                                   # doctest: +SKIP
    >>> projects.loc[0, "name"] = "Renamed"                        # doctest: +SKIP
    >>> plan(projects).action.value_counts().to_dict()            # doctest: +SKIP
    {'unchanged': 11, 'update': 1}
    """
    checked(frame, entity)
    client = resolve_client(client)
    planned = _make_plan(frame, entity, client)
    warn(planned.warnings)
    return plan_frame(planned, frame.index)


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
        One row per input row, in input order: ``action``, ``label``, ``status``
        (ok, error, skipped), ``message``, ``id``, ``xid`` (assigned, for created
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
    send_what_fits, workers = flag(send_what_fits, "send_what_fits"), workers_of(workers)
    checked(frame, entity)
    client = resolve_client(client)
    planned = _make_plan(frame, entity, client)
    warn(planned.warnings)
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
        return result_frame(
            planned,
            outcomes,
            frame.index,
            requests=0,
            dry_run=True,
            seconds=time.perf_counter() - started,
        )
    budget = check_budget(planned, send_what_fits, client)
    outcomes, sent = run(
        planned.rows,
        stale=planned.stale,
        client=client,
        workers=workers,
        progress=progress,
        budget=budget,
        label=f"push {planned.entity}",
    )
    return result_frame(
        planned,
        outcomes,
        frame.index,
        requests=sent,
        reads=planned.reads,
        seconds=time.perf_counter() - started,
    )
