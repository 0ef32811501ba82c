"""Figures recomputed from the sandbox's SQLite store, for tests that check
what the export says against the rows behind it."""

from __future__ import annotations

from collections import defaultdict
from typing import Any


def quota_rows(
    server: Any, start: str, end: str, statuses: tuple[str, ...] | None = None
) -> list[tuple[Any, float]]:
    """Each leave quota overlapping [start, end] (with ``pxid``, ``pname``,
    ``axid``, ``aname``) and the absence hours taken in its own period
    (time-off.mdx), counting only entries of ``statuses`` when given."""
    store = server.backend.store
    taken: dict[tuple[int, int], list[tuple[str, float]]] = defaultdict(list)
    for e in store.all("SELECT person, absence, date, hours, status FROM time_entry "
                       "WHERE absence IS NOT NULL"):  # fmt: skip
        if statuses is None or e["status"] in statuses:
            taken[e["person"], e["absence"]].append((e["date"], e["hours"]))
    out = []
    for q in store.all(
        "SELECT q.*, pe.xid AS pxid, pe.name AS pname, a.xid AS axid, a.name AS aname "
        "FROM leave_quota q JOIN person pe ON pe.id=q.person JOIN absence a ON a.id=q.absence"
    ):
        if q["start"] <= end and q["end_date"] >= start:
            used = sum(h for d, h in taken[q["person"], q["absence"]]
                       if q["start"] <= d <= q["end_date"])  # fmt: skip
            out.append((q, used))
    return out
