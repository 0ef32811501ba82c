"""Read the entity rows a push is planned against: fresh, and with few requests.

One list request per scope, and a ``get`` only for the few rows not found
where they say they are (time entries: :mod:`.time_state`). Every read of
rows to diff bypasses the cache (``refresh=True``): a plan made from stale
data would send the wrong writes. Server rows go through
:func:`beebole_pandas.frames.to_frame` and the same normalisation as the
user's rows, so an unchanged frame diffs to nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Protocol

from .. import frames
from ..errors import NotFound
from ..load.entities import flatten_tree
from ..schema import Entity, entity
from .validate import Ref, RowInput, read_rows

logger = logging.getLogger(__name__)

__all__ = [
    "GET_AT_MOST",
    "EntityState",
    "read_entity_state",
    "ref_param",
    "ref_text",
    "requests_used",
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


def requests_used(client: Any) -> int:
    """Requests the client's meter counted today (0 for a client without one)."""
    try:
        return int(client.budget.requests_used)
    except (AttributeError, TypeError, ValueError):  # a client without a meter
        return 0
