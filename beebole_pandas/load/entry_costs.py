"""What reading time entries costs, and the rule that picks the cheaper read.

Three ways to read entries: one ``time_entry.list`` per person
(:func:`list_bytes` each), the export of everyone's entries
(:func:`export_bytes`), or one ``time_entry.get`` per entry
(:func:`get_bytes` each). :func:`use_export` is the one rule of
:func:`~beebole_pandas.load.time_entries.time_entries` and of push between
the first two; push weighs the third against them
(:mod:`beebole_pandas.writeback.time_state`). The sizes were measured on the
demo sandbox; bytes are the scarcer daily budget.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

import numpy as np

from ..api.client import resolve_client
from .entities import load_entity
from .estimate import Estimate, JobEstimate, budget_now
from .scopes import Ref, period, resolve

__all__ = [
    "ENTRIES_PER_WORKDAY",
    "GET_BYTES",
    "PER_PERSON_LIMIT",
    "export_bytes",
    "get_bytes",
    "list_bytes",
    "lists_estimate_of",
    "use_export",
    "workdays",
]

#: Up to this many named people, time_entries() (and push) always list them
#: one by one; beyond, :func:`use_export` compares the expected bytes.
PER_PERSON_LIMIT = 5
# Expected sizes, measured on the demo sandbox (answers shaped as the
# reference's examples), for use_export(): a time_entry.list row with its
# nested names, a row of the id-keys export, the names export and the job
# round trips, and entries per person and working day. Only the fixed cost
# depends on the last one: the rest scales alike on both sides.
LIST_BYTES_PER_ENTRY = 300
EXPORT_BYTES_PER_ENTRY = 75
EXPORT_FIXED_BYTES = 20_000
ENTRIES_PER_WORKDAY = 1.5
#: A ``time_entry.get`` answer (one entry with its nested names), until the
#: account's own size is known: 320 to 382 bytes measured on the sandbox.
GET_BYTES = 400


def workdays(first: str, last: str) -> int:
    """Working days (Monday to Friday) of [first, last], at least 1.

    >>> workdays("2026-11-02", "2026-11-08")
    5
    """
    end = (_dt.date.fromisoformat(last) + _dt.timedelta(days=1)).isoformat()
    return max(1, int(np.busday_count(first, end)))


def use_export(client: Any, people: Any, start: Any, end: Any) -> bool:
    """Whether the entries of ``people`` over [start, end] are cheaper to read
    with one export of everyone's entries than with one ``time_entry.list``
    per person. The one rule of :func:`time_entries` and of push.

    Up to :data:`PER_PERSON_LIMIT` people, never (a few small requests). Beyond,
    the export wins only when its expected bytes (every person of the account,
    at :data:`EXPORT_BYTES_PER_ENTRY`, plus :data:`EXPORT_FIXED_BYTES`) are
    fewer than those of the lists (the people named, at
    :data:`LIST_BYTES_PER_ENTRY`): bytes are the scarcer daily budget. The
    account's head count comes from :func:`people` (cached).

    Parameters
    ----------
    client
        A client, or None for the default one.
    people
        The people named (ids, xids, names or references; a list), or None
        for everyone (always the export).
    start, end
        The period, both included.

    Examples
    --------
    >>> use_export(None, [1001, 1002], "2026-01-01", "2026-06-30")   # doctest: +SKIP
    False
    >>> use_export(None, None, "2026-01-01", "2026-06-30")           # doctest: +SKIP
    True
    """
    first, last = period(start, end)
    if people is None:
        return True
    client = resolve_client(client)
    refs = resolve("person", people, lambda: load_entity("person", client=client)) or []
    if len(refs) <= PER_PERSON_LIMIT:
        return False
    return export_bytes(client, first, last, people=len(refs)) < len(refs) * list_bytes(first, last)


def list_bytes(first: str, last: str) -> int:
    """The expected bytes of one person's ``time_entry.list`` over [first, last]
    (:data:`ENTRIES_PER_WORKDAY` entries a working day at :data:`LIST_BYTES_PER_ENTRY`).

    >>> list_bytes("2026-11-02", "2026-11-06")
    2250
    """
    return int(workdays(first, last) * ENTRIES_PER_WORKDAY * LIST_BYTES_PER_ENTRY)


def export_bytes(client: Any, first: str, last: str, *, people: int = 0) -> int:
    """The expected bytes of the export of everyone's entries over [first, last]
    (the account's head count, from :func:`people`, cached; at least ``people``)."""
    everyone = max(len(load_entity("person", client=client)), people)
    entries = workdays(first, last) * ENTRIES_PER_WORKDAY
    return int(EXPORT_FIXED_BYTES + everyone * entries * EXPORT_BYTES_PER_ENTRY)


def get_bytes(client: Any) -> int:
    """The expected bytes of one ``time_entry.get`` answer: the size of the
    account's last one, else :data:`GET_BYTES`."""
    meter = getattr(client, "meter", None)
    expected = getattr(meter, "expected_bytes", None)
    seen = int(expected("time_entry.get")) if callable(expected) else 0
    return seen if seen > 0 else GET_BYTES


def lists_estimate_of(client: Any, people: list[Ref], first: str, last: str) -> Estimate:
    """The cost of one ``time_entry.list`` per person (from the expected entries)."""
    entries = workdays(first, last) * ENTRIES_PER_WORKDAY
    cached = all(
        client.recall("time_entry.list", person=ref, **{"from": first, "to": last}) is not None
        for ref in people
    )
    job = JobEstimate(
        f"time_entry.list x {len(people)}",
        len(people),
        int(len(people) * (entries * LIST_BYTES_PER_ENTRY + 100)),
        int(len(people) * entries),
        cached,
    )
    return Estimate(jobs=(job,), budget=budget_now(client))
