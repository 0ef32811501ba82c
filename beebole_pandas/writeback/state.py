"""Read the server state a push is planned against: fresh, and with few requests.

One list request per scope, and a ``get`` only for the few rows not found
where they say they are; time entries only around the frame's dates. Every
read of rows to diff bypasses the cache (``refresh=True``): a plan made from
stale data would send the wrong writes. Whether a referenced entity exists is
asked through the cache (entities are never deleted). Server rows go through :func:`beebole_pandas.frames.to_frame` and the
same normalisation as the user's rows, so an unchanged frame diffs to nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Protocol

import pandas as pd

from .. import frames
from ..errors import BeeboleError, NotFound
from ..load.entities import flatten_tree, load_entity
from ..load.time_entries import person_entries, time_entries, use_export
from ..schema import Entity, entity
from .validate import Ref, RowInput, date_runs, read_rows

logger = logging.getLogger(__name__)

__all__ = [
    "EntityState",
    "TimeState",
    "read_entity_state",
    "read_time_state",
    "ref_param",
    "unknown_references",
]


#: Up to this many rows (or references of one kind) missing from the lists read
#: are asked for with one ``get`` each; beyond, listing them all may be cheaper.
GET_AT_MOST = 6


class _Caller(Protocol):
    def call(self, service: str, /, **params: Any) -> dict[str, Any]: ...


def ref_param(ref: Ref) -> dict[str, Any]:
    """``("xid", "C1")`` → ``{"xid": "C1"}``: how a reference is written in a request."""
    return {ref[0]: ref[1]}


class _Shown(str):
    """Text shown as it is in a plan's changes (no quotes around ``id 3``)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return str(self)


def ref_text(ref: Ref | None) -> str:
    """A reference as people read it: ``id 3`` or ``xid 'C1'``."""
    if ref is None:
        return _Shown("nothing")
    return _Shown(f"{ref[0]} {ref[1]!r}")


@dataclass
class _Reader:
    client: _Caller
    reads: int = 0

    def call(self, service: str, **params: Any) -> dict[str, Any]:
        self.reads += 1
        return self.client.call(service, refresh=True, **params)


def _rows_by_key(ent: Entity, json_rows: list[dict[str, Any]]) -> dict[Ref, RowInput]:
    frame = frames.to_frame(ent.name, json_rows)
    out: dict[Ref, RowInput] = {}
    for row in read_rows(frame, ent):
        if row.key is not None:
            out[row.key] = row
    return out


@dataclass
class EntityState:
    """The server's rows of one entity, keyed by ("id", n) / ("xid", x).

    ``scopes`` holds the scope references that exist (for the check of
    unknown references); ``missing_scopes`` those the server said do not exist.
    """

    entity: Entity
    rows: dict[Ref, RowInput] = field(default_factory=dict)
    scopes: set[Ref] | None = None
    missing_scopes: set[Ref] = field(default_factory=set)
    reads: int = 0

    def find(self, row: RowInput) -> RowInput | None:
        """The server row a frame row addresses (by xid first, then id)."""
        for key in (("xid", row.get("xid")), ("id", row.get("id"))):
            if key[1] is not None and key in self.rows:
                return self.rows[key]
        return None


def _all_scopes(reader: _Reader, scope: str) -> list[Ref]:
    """Every reference of the scope entity (company or project), with few reads."""
    if scope == "company":
        companies = reader.call("company.list")["companies"]
        return [
            r.key
            for r in read_rows(frames.to_frame("company", companies), entity("company"))
            if r.key
        ]
    # Projects are themselves listed per company.
    refs: list[Ref] = []
    for company in _all_scopes(reader, "company"):
        projects = reader.call("project.list", company=ref_param(company))["projects"]
        frame = frames.to_frame("project", projects)
        refs.extend(r.key for r in read_rows(frame, entity("project")) if r.key)
    return refs


def _get_one(reader: _Reader, ent: Entity, key: Ref, state: EntityState) -> None:
    """Ask the server for one row by its key (absent rows are simply not added)."""
    try:
        answer = reader.call(ent.service("get"), **ref_param(key))
    except NotFound:
        return
    found = answer.get(ent.name)
    if isinstance(found, dict):
        state.rows.update(_rows_by_key(ent, [found]))


def read_entity_state(ent: Entity, rows: list[RowInput], client: _Caller) -> EntityState:
    """List the server rows the frame's rows may address.

    Scoped entities (people, projects ... per company; subprojects per
    project) are listed for the scopes the frame names first; the other scopes
    are read only for a row that names an id or xid and was not found there
    (it may have moved), or names no scope at all: one ``get`` per such row
    when that is fewer requests than listing the scopes left, else those lists.
    """
    reader = _Reader(client)
    state = EntityState(ent)
    if ent.scope is None:
        answer = reader.call(ent.list_service)
        everyone = answer.get(ent.list_member) or []
        if ent.list_service == "group.tree":
            everyone = flatten_tree(everyone)
        state.rows = _rows_by_key(ent, everyone)
        state.reads = reader.reads
        return state

    scope = ent.scope
    known: list[Ref] | None = None
    if scope == "company":
        # company.list is one request and tells which company references exist.
        known = _all_scopes(reader, "company")
        state.scopes = set(known)
    named = {r.ref(scope) for r in rows} - {None}
    wanted = [ref for ref in named if ref is not None and (known is None or ref in known)]
    listed: set[Ref] = set()

    def list_scope(ref: Ref) -> None:
        listed.add(ref)
        try:
            answer = reader.call(ent.list_service, **{scope: ref_param(ref)})
        except NotFound:
            state.missing_scopes.add(ref)
            return
        state.rows.update(_rows_by_key(ent, answer.get(ent.list_member) or []))

    for ref in sorted(wanted, key=str):
        list_scope(ref)

    def unknown_scope(ref: Ref | None) -> bool:
        # Such a row is invalid whatever else is found: no need to look further.
        return ref is not None and (
            ref in state.missing_scopes or (state.scopes is not None and ref not in state.scopes)
        )

    lost = [
        r
        for r in rows
        if r.key is not None and state.find(r) is None and not unknown_scope(r.ref(scope))
    ]
    if lost and known is None and len(lost) > GET_AT_MOST:
        known = _all_scopes(reader, scope)  # to weigh one get per row against the lists
    if lost:
        left = len(set(known) - listed) if known is not None else len(lost) + 1
        if len(lost) < left:
            logger.debug(
                "%d %s rows not in the scopes they name: one get each", len(lost), ent.name
            )
            for row in lost:
                assert row.key is not None
                _get_one(reader, ent, row.key, state)
        else:
            logger.debug("%d %s rows not in the scopes they name: listing all", len(lost), ent.name)
            for ref in known or ():
                if ref not in listed:
                    list_scope(ref)
    state.reads = reader.reads
    return state


@dataclass
class TimeState:
    """The server's time entries of the frame's people around the frame's dates.

    ``runs`` holds, per person, the (first, last) date runs that were read.
    """

    rows: dict[int, RowInput] = field(default_factory=dict)
    runs: dict[Ref, list[tuple[str, str]]] = field(default_factory=dict)
    missing_people: set[Ref] = field(default_factory=set)
    reads: int = 0


def read_time_state(rows: list[RowInput], client: _Caller) -> TimeState:
    """The server's entries of the frame's people, around the frame's dates only.

    The frame's dates are grouped into runs (see
    :func:`~beebole_pandas.writeback.validate.date_runs`), so rows a year apart do not
    read the year between them. In each run, :func:`beebole_pandas.load.time_entries.use_export`
    (the rule :func:`~beebole_pandas.time_entries` follows) chooses between one
    :func:`~beebole_pandas.load.time_entries.person_entries` per person over that
    person's dates and the export of everyone's entries over the run, plus a
    list for each person the export shows no entry of (to tell an unknown
    person from a quiet one).
    """
    people: dict[Ref, list[str]] = {}
    for row in rows:
        person = row.ref("person")
        if person is not None and row.get("date") is not None:
            people.setdefault(person, []).append(row.get("date"))
    state = TimeState()
    before = _requests_used(client)
    for first, last in date_runs(d for dates in people.values() for d in dates):
        inside = {p: [d for d in dates if first <= d <= last] for p, dates in people.items()}
        inside = {p: dates for p, dates in inside.items() if dates}
        if use_export(client, [ref_param(p) for p in inside], first, last):
            _read_by_export(state, inside, (first, last), client)
        else:
            _read_per_person(state, inside, client)
    state.reads = _requests_used(client) - before
    return state


def _read_per_person(state: TimeState, people: dict[Ref, list[str]], client: _Caller) -> None:
    """One ``time_entry.list`` per person and run of that person's dates."""
    for person, dates in sorted(people.items(), key=lambda item: str(item[0])):
        for first, last in date_runs(dates):
            runs = state.runs.setdefault(person, [])
            if (first, last) not in runs:
                runs.append((first, last))
            try:
                frame = person_entries(client, ref_param(person), first, last, refresh=True)
            except NotFound:
                state.missing_people.add(person)
                break
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
            _add_entries(state, frame)


def _add_entries(state: TimeState, frame: Any) -> None:
    ent = entity("time_entry")
    for server_row in read_rows(frame, ent):
        ident = server_row.get("id")
        if ident is not None:
            state.rows[ident] = server_row


def _requests_used(client: Any) -> int:
    try:
        return int(client.budget.requests_used)
    except (AttributeError, TypeError, ValueError):  # a client without a meter
        return 0


def _read_by_export(
    state: TimeState, people: dict[Ref, list[str]], run: tuple[str, str], client: Any
) -> None:
    """Everyone's entries over ``run`` by export, and lists for the people it does not show."""
    for person in people:
        state.runs.setdefault(person, []).append(run)
    found = TimeState()
    _add_entries(found, time_entries(run[0], run[1], client=client, refresh=True))
    state.rows.update(found.rows)
    seen = {row.ref("person") for row in found.rows.values()}
    # A person without entries in the export may not exist: ask about those only.
    quiet = {p: dates for p, dates in people.items() if p not in seen}
    if quiet:
        _read_per_person(state, quiet, client)


#: The entities a time entry refers to, each checked against the server before a push.
_REFERENCED = ("company", "project", "subproject", "task", "absence")


def unknown_references(
    rows: list[RowInput], state: TimeState, client: _Caller
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
    before = _requests_used(client)
    for kind, refs in sorted(wanted.items()):
        missing = _missing_refs(kind, refs, client)
        for ref in missing:
            unknown[(kind, ref)] = (
                f"unknown {kind}_{ref[0]} {ref[1]!r}: no such {kind} on the server"
            )
    state.reads += _requests_used(client) - before
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
