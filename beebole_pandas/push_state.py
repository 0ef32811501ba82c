"""Read the server state a push is planned against: fresh, and with few requests.

One list request per scope, never one get per row. Every read bypasses the
cache (``refresh=True``): a plan made from stale data would send the wrong
writes. Server rows go through :func:`beebole_pandas.frames.to_frame` and the
same normalisation as the user's rows, so an unchanged frame diffs to nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Protocol

from . import frames
from .errors import NotFound
from .push_validate import Ref, RowInput, date_span, read_rows
from .schema import Entity, entity

logger = logging.getLogger(__name__)

__all__ = ["EntityState", "TimeState", "read_entity_state", "read_time_state", "ref_param"]


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


def read_entity_state(ent: Entity, rows: list[RowInput], client: _Caller) -> EntityState:
    """List the server rows the frame's rows may address.

    Scoped entities (people, projects ... per company; subprojects per
    project) are listed for the scopes the frame names first; the other scopes
    are listed only when a row that names an id or xid was not found there
    (it may have moved), or names no scope at all.
    """
    reader = _Reader(client)
    state = EntityState(ent)
    if ent.scope is None:
        answer = reader.call(ent.list_service)
        everyone = answer.get(ent.list_member) or []
        if ent.list_service == "group.tree":
            from .loaders import flatten_tree

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
    lost = [
        r for r in rows if r.key is not None and (state.find(r) is None or r.ref(scope) is None)
    ]
    if lost:
        logger.debug(
            "%d %s rows not found in the scopes they name; listing all", len(lost), ent.name
        )
        everything = known if known is not None else _all_scopes(reader, scope)
        for ref in everything:
            if ref not in listed:
                list_scope(ref)
    state.reads = reader.reads
    return state


@dataclass
class TimeState:
    """The server's time entries of the frame's people over the frame's dates."""

    rows: dict[int, RowInput] = field(default_factory=dict)
    spans: dict[Ref, tuple[str, str]] = field(default_factory=dict)
    missing_people: set[Ref] = field(default_factory=set)
    reads: int = 0


#: Above this many people, the time-entry state is read with the export jobs
#: of time_entries() for everyone (a handful of requests) instead of one list
#: per person.
EXPORT_ABOVE = 6


def read_time_state(rows: list[RowInput], client: _Caller) -> TimeState:
    """The server's entries of the frame's people over their dates.

    One ``time_entry.list`` per person over that person's dates; for more
    than :data:`EXPORT_ABOVE` people, the export of everyone's entries over
    the frame's dates instead, plus a list for each person it shows no entry
    of (to tell an unknown person from a quiet one).
    """
    people: dict[Ref, list[str]] = {}
    for row in rows:
        person = row.ref("person")
        if person is not None and row.get("date") is not None:
            people.setdefault(person, []).append(row.get("date"))
    if len(people) > EXPORT_ABOVE:
        return _read_by_export(people, client)
    return read_time_state_per_person(people, client)


def read_time_state_per_person(people: dict[Ref, list[str]], client: _Caller) -> TimeState:
    """One ``time_entry.list`` per person, over that person's dates."""
    reader = _Reader(client)
    state = TimeState()
    ent = entity("time_entry")
    for person, dates in sorted(people.items(), key=lambda item: str(item[0])):
        span = date_span(dates)
        if span is None:  # pragma: no cover - dates are never empty here
            continue
        state.spans[person] = span
        try:
            answer = reader.call(
                "time_entry.list", person=ref_param(person), **{"from": span[0], "to": span[1]}
            )
        except NotFound:
            state.missing_people.add(person)
            continue
        listed = [dict(r) for r in answer.get(ent.list_member) or []]
        for entry in listed:
            # time_entry.list names the person in the request, not in its rows.
            entry.setdefault("person", ref_param(person))
        _add_entries(state, frames.to_frame(ent.name, listed))
    state.reads = reader.reads
    return state


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


def _read_by_export(people: dict[Ref, list[str]], client: Any) -> TimeState:
    from .loaders import time_entries

    before = _requests_used(client)
    state = TimeState()
    span = date_span(d for dates in people.values() for d in dates)
    if span is None:  # pragma: no cover - dates are never empty here
        return state
    state.spans = dict.fromkeys(people, span)
    _add_entries(state, time_entries(span[0], span[1], client=client, refresh=True))
    seen = {row.ref("person") for row in state.rows.values()}
    # A person without entries in the export may not exist: ask about those only.
    quiet = {p: people[p] for p in people if p not in seen}
    if quiet:
        listed = read_time_state_per_person(quiet, client)
        state.rows.update(listed.rows)
        state.missing_people = listed.missing_people
    state.reads = _requests_used(client) - before
    return state
