"""Delete a frame's rows from Beebole: the only way anything is deleted.

Only time entries (not approved or locked) and groups can be deleted; the API
deactivates the other entities instead. Relationship frames remove links.
Rows already gone are ``missing`` and ok, so a delete can be run again.
"""

from __future__ import annotations

import time
from typing import Any

import pandas as pd

from ..api.client import resolve_client
from ..errors import PushError
from ..load.scopes import flag
from ..schema import STATUS_LABELS, status_code
from .checks import check_duplicates
from .labels import entity_label, entry_label
from .links import detect_link, plan_links
from .plans import (
    Planned,
    check_budget,
    checked,
    plan_frame,
    requests_left,
    result_frame,
    workers_of,
)
from .results import PlanFrame, PushResult
from .run import run
from .state import read_entity_state, ref_param
from .time_state import read_time_state
from .validate import Call, RowPlan, detect_entity, loaded_scope, read_rows

__all__ = ["delete", "plan_delete"]


def plan_delete(frame: pd.DataFrame, entity_name: str | None, client: Any, force: bool) -> Planned:
    """One plan per row: ``delete``, ``missing`` (already gone) or ``invalid``."""
    checked(frame, entity_name)
    link = detect_link(frame, entity_name)
    if link is not None:
        links, link_reads = plan_links(frame, link, client, remove=True)
        return Planned(link.name, links, link_reads, requests_left(client), [], link.stale(links))
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
        # An entry whose date the frame changed is looked for where it was loaded.
        state = read_time_state(rows, client, loaded=loaded_scope(frame))
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
            elif status_code(server.get("status")) in ("a", "l"):
                frozen = STATUS_LABELS[str(status_code(server.get("status")))]
                planned.append(
                    RowPlan(
                        row,
                        "invalid",
                        id=ident,
                        reason=f"time entry {ident} is {frozen} and cannot be deleted",
                    )
                )
            else:
                call = Call("time_entry.delete", {"id": ident, "date": server.get("date")})
                planned.append(RowPlan(row, "delete", id=ident, calls=[call]))
        for plan in planned:
            plan.label = entry_label(state.rows.get(plan.row.get("id")) or plan.row)
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
        for plan in planned:
            plan.label = entity_label(plan.row, estate.find(plan.row), ent.name)
    return Planned(ent.name, planned, reads, requests_left(client), [], (ent.name,))


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
    progress, workers = flag(progress, "progress"), workers_of(workers)
    checked(frame, entity)
    client = resolve_client(client)
    planned = plan_delete(frame, entity, client, force)
    if dry_run:
        return plan_frame(planned, frame.index, delete=True)
    check_budget(planned, False, client)
    outcomes, sent = run(
        planned.rows,
        stale=planned.stale,
        client=client,
        workers=workers,
        progress=progress,
        budget=None,
        label="delete",
    )
    return result_frame(
        planned,
        outcomes,
        frame.index,
        verb="delete",
        requests=sent,
        seconds=time.perf_counter() - started,
    )
