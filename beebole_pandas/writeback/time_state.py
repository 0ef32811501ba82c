"""Read the time entries a push is planned against: fresh, around the frame's dates only.

Every read bypasses the cache (``refresh=True``): a plan made from stale
entries would send the wrong writes. Whether a referenced entity exists is
asked through the cache (entities are never deleted). Server rows go through
the same normalisation as the user's rows, so an unchanged frame diffs to
nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..errors import BeeboleError, NotFound
from ..load.entities import load_entity
from ..load.entry_costs import export_bytes, get_bytes, list_bytes, use_export
from ..load.scopes import resolve
from ..load.time_entries import entries_by_id, person_entries, time_entries
from ..schema import entity
from .state import GET_AT_MOST, ref_param, ref_text, requests_used
from .validate import Loaded, Ref, RowInput, date_runs, read_rows

logger = logging.getLogger(__name__)

__all__ = [
    "GETS_ABOVE",
    "REQUEST_BYTES",
    "TimeState",
    "compared_columns",
    "read_time_state",
    "unknown_references",
]


@dataclass
class TimeState:
    """The server's time entries of the frame's people around the frame's dates.

    ``runs`` holds, per person, the (first, last) date runs that were read.
    """

    rows: dict[int, RowInput] = field(default_factory=dict)
    runs: dict[Ref, list[tuple[str, str]]] = field(default_factory=dict)
    missing_people: set[Ref] = field(default_factory=set)
    reads: int = 0
    #: The time-entry columns an export read asks for (None: all).
    columns: list[str] | None = None
    #: The people a ``time_entry.list`` answered for (so: who exist).
    listed_people: set[Ref] = field(default_factory=set)


def compared_columns(rows: list[RowInput]) -> list[str]:
    """The time-entry columns a plan compares: every column of the entry (a
    partial row takes the rest from the server's entry) but the names, of which
    only those the frame has (a name column the frame lacks costs the entity
    list it comes from, and is compared with nothing)."""
    present = {c for row in rows for c in row.values if c.endswith("_name")}
    return [c for c in entity("time_entry").columns if not c.endswith("_name") or c in present]


#: A request's share of the day, in bytes (2,048 KB / 4,000 requests): what a
#: read's requests weigh beside its bytes when two ways of reading are compared.
REQUEST_BYTES = 2048 * 1024 // 4000
#: Reads around the rows' dates expected to weigh less than this are made as
#: they are: one ``time_entry.get`` per entry would save a few KB at most,
#: and lists also find an entry moved within the dates they read.
GETS_ABOVE = 32 * 1024


def read_time_state(
    rows: list[RowInput], client: Any, *, loaded: Loaded | None = None
) -> TimeState:
    """The server's entries of the frame's rows: around the rows' dates, or one by one.

    The frame's dates are grouped into runs (see
    :func:`~beebole_pandas.writeback.validate.date_runs`), so rows a year apart do not
    read the year between them. In each run, :func:`beebole_pandas.load.entry_costs.use_export`
    (the rule :func:`~beebole_pandas.time_entries` follows) chooses between one
    :func:`~beebole_pandas.load.time_entries.person_entries` per person over that
    person's dates and the export of everyone's entries over the run, plus a
    list for each person the export shows no entry of (to tell an unknown
    person from a quiet one).

    When those reads are expected to weigh more than :data:`GETS_ABOVE`
    (bytes, plus :data:`REQUEST_BYTES` a request), a person whose rows in a
    run all have an id is read by one ``time_entry.get`` per row instead
    (:func:`~beebole_pandas.load.time_entries.entries_by_id`) when that weighs
    less than the person's lists, and the export of a run is kept only when
    it weighs less than those gets and lists: a plan of a few hundred rows of
    a thousand people reads those rows, not everyone's entries. The people of
    rows read by ``get`` whom no entry read shows are checked to exist (the
    cached people list, or a ``person.get`` each when few). A person with a
    row without id is always listed around its dates: a row an interrupted
    push created is found there.

    Parameters
    ----------
    rows
        The frame's rows.
    client
        The client.
    loaded
        What the frame was loaded for
        (:func:`~beebole_pandas.writeback.validate.loaded_scope`). A row with
        an id not found around its (new) date is an entry moved to another
        date or person: the people of such rows and those the frame was
        loaded for are read once more, over that period, where the entry was
        when the frame was loaded.
    """
    state = TimeState(columns=compared_columns(rows))
    before = requests_used(client)
    runs = _runs(rows)
    weigh = sum(_usual_weight(client, run) for run in runs) > GETS_ABOVE
    gets: list[RowInput] = []
    for run in runs:
        period = (run.first, run.last)
        if not weigh:
            if use_export(client, [ref_param(p) for p in run.dates], *period):
                _read_by_export(state, run.dates, period, client)
            else:
                _read_per_person(state, {p: date_runs(d) for p, d in run.dates.items()}, client)
            continue
        listed, by_get = _split_run(client, run)
        mixed = sum(_list_weight(run.dates[p]) for p in listed) + _get_weight(client, by_get)
        if use_export(client, [ref_param(p) for p in run.dates], *period) and (
            _export_weight(client, run) <= mixed
        ):
            _read_by_export(state, run.dates, period, client)
            continue
        if listed:
            _read_per_person(state, {p: date_runs(run.dates[p]) for p in listed}, client)
        gets.extend(by_get)
    if gets:
        _read_by_get(state, gets, client)
        _check_people(state, rows, client)
    if loaded is not None:
        _read_moved(state, rows, loaded, client)
    state.reads = requests_used(client) - before
    return state


@dataclass
class _Run:
    """The rows of one run of dates: each person's dates, rows with an id, and
    the people with a row without id (always listed: see :func:`read_time_state`)."""

    first: str
    last: str
    dates: dict[Ref, list[str]] = field(default_factory=dict)
    with_id: dict[Ref, list[RowInput]] = field(default_factory=dict)
    creating: set[Ref] = field(default_factory=set)


def _runs(rows: list[RowInput]) -> list[_Run]:
    people: dict[Ref, list[RowInput]] = {}
    for row in rows:
        person = row.ref("person")
        if person is not None and row.get("date") is not None:
            people.setdefault(person, []).append(row)
    out = []
    for first, last in date_runs(r.get("date") for found in people.values() for r in found):
        run = _Run(first, last)
        for person, found in people.items():
            for row in found:
                if first <= row.get("date") <= last:
                    run.dates.setdefault(person, []).append(row.get("date"))
                    if row.get("id") is None:
                        run.creating.add(person)
                    else:
                        run.with_id.setdefault(person, []).append(row)
        out.append(run)
    return out


def _list_weight(dates: list[str]) -> int:
    """One person's lists over the runs of ``dates``: bytes, plus each request's share."""
    return sum(REQUEST_BYTES + list_bytes(a, b) for a, b in date_runs(dates))


def _get_weight(client: Any, rows: list[RowInput]) -> int:
    return len(rows) * (REQUEST_BYTES + get_bytes(client))


def _export_weight(client: Any, run: _Run) -> int:
    """The export of everyone's entries over the run (a job is about 4 requests)."""
    return 4 * REQUEST_BYTES + export_bytes(client, run.first, run.last, people=len(run.dates))


def _usual_weight(client: Any, run: _Run) -> int:
    """What the run weighs read around its dates only (no ``get``)."""
    if use_export(client, [ref_param(p) for p in run.dates], run.first, run.last):
        return _export_weight(client, run)
    return sum(_list_weight(dates) for dates in run.dates.values())


def _split_run(client: Any, run: _Run) -> tuple[list[Ref], list[RowInput]]:
    """The people of a run to list, and the rows to read one ``get`` each: a
    person's rows are got when they all have an id and weigh less so."""
    listed: list[Ref] = []
    by_get: list[RowInput] = []
    for person, dates in run.dates.items():
        mine = run.with_id.get(person, [])
        if person in run.creating or _get_weight(client, mine) >= _list_weight(dates):
            listed.append(person)
        else:
            by_get.extend(mine)
    return listed, by_get


def _read_by_get(state: TimeState, rows: list[RowInput], client: Any) -> None:
    """One ``time_entry.get`` per row (by its id and date). A row whose entry is not
    on that date is left to :func:`_read_moved`; one whose answer does not name the
    person (the reference's shape) is read by its person's lists instead."""
    frame, missing, unnamed = entries_by_id(
        client, [(int(r.get("id")), str(r.get("date"))) for r in rows]
    )
    logger.debug("%d time entries read one get each", len(rows))
    _add_entries(state, frame)
    for row in rows:
        if row.get("id") in missing:
            person = row.ref("person")
            assert person is not None
            state.runs.setdefault(person, []).append((row.get("date"), row.get("date")))
    if unnamed:
        again: dict[Ref, list[str]] = {}
        for row in rows:
            person = row.ref("person")
            if row.get("id") in unnamed and person is not None:
                again.setdefault(person, []).append(row.get("date"))
        _read_per_person(state, {p: date_runs(d) for p, d in again.items()}, client)


def _check_people(state: TimeState, rows: list[RowInput], client: Any) -> None:
    """Mark the rows' people whom no entry read shows and no list read as missing
    when the server does not know them (the cached list, or a ``get`` each when few)."""
    seen = {server.ref("person") for server in state.rows.values()}
    seen |= set(state.listed_people)
    unseen = {p for r in rows if (p := r.ref("person")) is not None} - seen - state.missing_people
    if unseen:
        state.missing_people |= _missing_refs("person", unseen, client)


def _covered(runs: list[tuple[str, str]], period: tuple[str, str]) -> bool:
    return any(first <= period[0] and period[1] <= last for first, last in runs)


def _loaded_people(loaded: Loaded, client: Any) -> list[Ref] | None:
    """The people the frame was loaded for, as references; None for everyone."""
    if loaded.people is None:
        return None
    try:
        refs = resolve("person", loaded.people, lambda: load_entity("person", client=client))
    except BeeboleError as exc:  # renamed or gone since: the rows' own people are still read
        logger.debug("cannot tell whom the frame was loaded for: %s", exc)
        return []
    return [next(iter(r.items())) for r in refs or []]


def _read_moved(state: TimeState, rows: list[RowInput], loaded: Loaded, client: Any) -> None:
    """Read, over the loaded period, where the entries of rows not found may have been.

    First the people of those rows (an entry moved to another date); then,
    for entries still not found, the people the frame was loaded for (an
    entry moved to another person; everyone, by one export, when it was
    loaded for everyone). Once per person, not once per row.
    """
    period = (loaded.first, loaded.last)

    def lost() -> list[RowInput]:
        return [r for r in rows if r.get("id") is not None and r.get("id") not in state.rows]

    def unread(people: set[Ref]) -> set[Ref]:
        return {
            p
            for p in people
            if p not in state.missing_people and not _covered(state.runs.get(p, []), period)
        }

    if not lost():
        return
    mine = unread({p for r in lost() if (p := r.ref("person")) is not None})
    logger.debug("%d entries not found around their dates: reading %s", len(lost()), period)
    if mine:
        _read_people(state, mine, period, client, rename=True)
    if not lost():
        return
    theirs = _loaded_people(loaded, client)
    if theirs is None:
        _read_by_export(state, {}, period, client, only_new=True)
    elif others := unread(set(theirs)):
        # As the server names them: the rows do not name these people.
        _read_people(state, others, period, client, rename=False)


def _read_people(
    state: TimeState, people: set[Ref], period: tuple[str, str], client: Any, *, rename: bool
) -> None:
    """``people``'s entries over ``period`` (lists or one export, per ``use_export``),
    keeping the entries already read as they are."""
    if use_export(client, [ref_param(p) for p in people], *period):
        _read_by_export(state, {p: [] for p in people}, period, client, only_new=True)
    else:
        runs = {p: [period] for p in people}
        _read_per_person(state, runs, client, only_new=True, rename=rename)


def _read_per_person(
    state: TimeState,
    people: dict[Ref, list[tuple[str, str]]],
    client: Any,
    *,
    only_new: bool = False,
    rename: bool = True,
) -> None:
    """One ``time_entry.list`` per person and run of that person's dates.

    ``rename``: name the person as the frame's rows do; ``only_new``: keep
    the entries already read as they are.
    """
    for person, person_runs in sorted(people.items(), key=lambda item: str(item[0])):
        for first, last in person_runs:
            runs = state.runs.setdefault(person, [])
            if (first, last) not in runs:
                runs.append((first, last))
            try:
                frame = person_entries(client, ref_param(person), first, last, refresh=True)
            except NotFound:
                state.missing_people.add(person)
                break
            state.listed_people.add(person)
            if not rename:
                _add_entries(state, frame, only_new=only_new)
                continue
            # Name the person as the frame's rows do (by id or by xid), so that a
            # row naming by id a person who has an xid still finds its entries.
            frame = frame.assign(
                person_id=pd.array(
                    [person[1] if person[0] == "id" else None] * len(frame), dtype="Int64"
                ),
                person_xid=pd.array(
                    [person[1] if person[0] == "xid" else None] * len(frame), dtype="string"
                ),
            )
            _add_entries(state, frame, only_new=only_new)


def _add_entries(state: TimeState, frame: Any, *, only_new: bool = False) -> None:
    ent = entity("time_entry")
    for server_row in read_rows(frame, ent):
        ident = server_row.get("id")
        if ident is not None and not (only_new and ident in state.rows):
            state.rows[ident] = server_row


def _read_by_export(
    state: TimeState,
    people: dict[Ref, list[str]],
    run: tuple[str, str],
    client: Any,
    *,
    only_new: bool = False,
) -> None:
    """Everyone's entries over ``run`` by export, and lists for the people it does not show."""
    for person in people:
        state.runs.setdefault(person, []).append(run)
    found = TimeState()
    frame = time_entries(run[0], run[1], columns=state.columns, client=client, refresh=True)
    _add_entries(found, frame)
    for ident, row in found.rows.items():
        if not (only_new and ident in state.rows):
            state.rows[ident] = row
    seen = {row.ref("person") for row in found.rows.values()}
    # A person without entries in the export may not exist: ask about those only.
    quiet = {p: date_runs(dates) for p, dates in people.items() if p not in seen and dates}
    if quiet:
        _read_per_person(state, quiet, client)


#: The entities a time entry refers to, each checked against the server before a push.
_REFERENCED = ("company", "project", "subproject", "task", "absence")


def unknown_references(
    rows: list[RowInput], state: TimeState, client: Any
) -> dict[tuple[str, Ref], str]:
    """The references of time-entry rows the server does not know, with the reason.

    A reference the server's entries (just read) already show exists; the
    others are checked before anything is sent, through the client's cache:
    one ``<kind>.get`` each when there are few, else the loader's list of
    them all. Entities are never deleted, so a cached answer stays true. The
    requests made are added to ``state.reads``.

    Examples
    --------
    >>> unknown_references(rows, state, client)                     # doctest: +SKIP
    {('project', ('id', 999999)): 'unknown project_id 999999: no such project on the server'}
    """
    seen: set[tuple[str, Ref]] = set()
    for server in state.rows.values():
        for kind in _REFERENCED:
            ref = server.ref(kind)
            if ref is not None:
                seen.add((kind, ref))
    wanted: dict[str, set[Ref]] = {}
    for row in rows:
        for kind in _REFERENCED:
            ref = row.ref(kind)
            if ref is not None and (kind, ref) not in seen:
                wanted.setdefault(kind, set()).add(ref)
    unknown: dict[tuple[str, Ref], str] = {}
    before = requests_used(client)
    for kind, refs in sorted(wanted.items()):
        missing = _missing_refs(kind, refs, client)
        for ref in missing:
            unknown[(kind, ref)] = (
                f"unknown {kind}_{ref[0]} {ref[1]!r}: no such {kind} on the server"
            )
    state.reads += requests_used(client) - before
    return unknown


def _missing_refs(kind: str, refs: set[Ref], client: Any) -> set[Ref]:
    if len(refs) <= GET_AT_MOST:
        missing = set()
        for ref in sorted(refs, key=str):
            try:
                client.call(f"{kind}.get", **ref_param(ref))
            except NotFound:
                missing.add(ref)
            except BeeboleError as exc:  # e.g. a token that may not read it: the server decides
                logger.debug("cannot check %s %s: %s", kind, ref_text(ref), exc)
        return missing
    frame = load_entity(kind, client=client)
    known = {r.key for r in read_rows(frame, entity(kind))}
    return refs - known
