"""The sandbox's services: request checking, references, permissions, dispatch.

A service is a function ``(ctx, request) -> dict`` registered under its API
name with :func:`service`; a slow one may return a :class:`Later` instead,
whose ``finish()`` the backend calls after releasing its lock. The entity services live in
:mod:`.services_entities` and :mod:`.services_groups`, the time-entry
services in :mod:`.services_time`, the export jobs in :mod:`.export`; each
registers its services in :mod:`.registry` with :func:`service` when imported
(the backend imports them all).

Entities are named by ``id`` or ``xid`` (never both), top-level or nested,
through one resolver; messages name an entity that has an xid by its xid.

Errors are raised as :class:`ServiceError` (wrong request),
:class:`NotFoundError` and :class:`DeniedError`; the backend turns them into
status errors worded as ``docs/internals.md`` says.

>>> ServiceError("missing member 'company'").args[0]
"missing member 'company'"
"""

from __future__ import annotations

import datetime as dt
import math
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .registry import Spec, service
from .store import ENTITY_TABLES, Store

__all__ = [
    "Ctx",
    "DeniedError",
    "Later",
    "NotFoundError",
    "ServiceError",
    "Spec",
    "service",
]


class ServiceError(Exception):
    """The request is wrong; the message names the member and the problem."""


class NotFoundError(ServiceError):
    """An id or xid of the request does not exist."""


class DeniedError(ServiceError):
    """The user may not do this."""


@dataclass
class Ctx:
    """What a handler works with: the store, the caller and the backend's settings."""

    store: Store
    person: int | None  # the caller's person id
    role: str  # the account role ("admin", "employee", ...): owner of export jobs
    locale: str
    user_group: str  # admin, leader, employee, contractor or pm, read from the store per request
    export_delay: float = 0.2
    jobs: dict[int, Any] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)  # the account's (see .accounts)
    literal: bool = False  # answer only documented shapes (see .literal)

    @property
    def is_admin(self) -> bool:
        return self.user_group == "admin"

    def deny(self, service_name: str, why: str = "") -> DeniedError:
        extra = f": {why}" if why else ""
        return DeniedError(
            f"permission denied: {service_name} is not allowed for a user of group "
            f"'{self.user_group}'{extra}"
        )

    def is_leader_of(self, person: int) -> bool:
        """True when the caller is one of ``person``'s team leaders."""
        if self.person is None:
            return False
        return (
            self.store.one(
                "SELECT 1 FROM leader WHERE person=? AND leader=?", (person, self.person)
            )
            is not None
        )


# -- request members ------------------------------------------------------------------------


def need(req: dict[str, Any], name: str) -> Any:
    """A required member of the request."""
    if name not in req or req[name] is None:
        raise ServiceError(f"missing member '{name}'")
    return req[name]


def as_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ServiceError(f"'{name}' must be an integer, not {value!r}")
    if not -(2**63) <= value < 2**63:  # SQLite's integer range
        raise ServiceError(f"'{name}' is out of range: {value}")
    return value


def as_str(value: Any, name: str, *, empty: bool = True) -> str:
    if not isinstance(value, str):
        raise ServiceError(f"'{name}' must be a string, not {value!r}")
    try:
        value.encode("utf-8")  # JSON escapes can carry lone surrogates, which SQLite cannot store
    except UnicodeEncodeError:
        raise ServiceError(f"'{name}' is not valid UTF-8 text") from None
    if not empty and not value.strip():
        raise ServiceError(f"'{name}' must not be empty")
    return value


def as_bool(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise ServiceError(f"'{name}' must be true or false, not {value!r}")
    return value


def as_number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ServiceError(f"'{name}' must be a number, not {value!r}")
    try:
        number = float(value)
    except OverflowError:  # an integer beyond the float range, such as 10**400
        raise ServiceError(f"'{name}' is out of range") from None
    if not math.isfinite(number):
        raise ServiceError(f"'{name}' must be a finite number, not {value!r}")
    return number


# fromisoformat alone also takes ISO week dates ("2026-W01-1") and compact forms
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def as_date(value: Any, name: str) -> str:
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            dt.date.fromisoformat(value)
            return value
        except ValueError:
            pass
    raise ServiceError(f"'{name}' must be a date YYYY-MM-DD, not {value!r}")


def date_range(req: dict[str, Any]) -> tuple[str, str]:
    """The ``from`` and ``to`` dates of a request, ``to`` not before ``from``."""
    start = as_date(need(req, "from"), "from")
    end = as_date(need(req, "to"), "to")
    if end < start:
        raise ServiceError(f"'to' ({end}) is before 'from' ({start})")
    return start, end


def one_of(req: dict[str, Any], kinds: tuple[str, ...]) -> str:
    """The one member of ``kinds`` the request gives (exactly one is required)."""
    given = [k for k in kinds if req.get(k) is not None]
    if len(given) != 1:
        raise ServiceError(
            f"give exactly one of the members {', '.join(map(repr, kinds))}"
            + (f" (got {', '.join(given)})" if given else "")
        )
    return given[0]


def as_obj(value: Any, name: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ServiceError(f"'{name}' must be an object, not {value!r}")
    return value


# -- ids, xids and references ---------------------------------------------------------------


def resolve(store: Store, kind: str, *, id: Any = None, xid: Any = None, member: str = "id") -> int:
    """The internal id of an entity given by id or xid; NotFoundError when it does not exist.

    An entity with an xid is still found by its numeric id (clients that knew
    the id keep working), but it is never shown (README decision 4).
    """
    table = ENTITY_TABLES[kind]
    name = kind.replace("_", " ")
    if xid is not None:
        xid_s = as_str(xid, "xid" if member == "id" else f"{member}.xid")
        found = store.scalar(f"SELECT id FROM {table} WHERE xid=?", (xid_s,))
        if found is None:
            raise NotFoundError(f"{name} xid {xid_s!r} not found")
        return int(found)
    num = as_int(id, "id" if member == "id" else f"{member}.id")
    if store.one(f"SELECT 1 FROM {table} WHERE id=?", (num,)) is None:
        raise NotFoundError(f"{name} {num} not found")
    return num


def _named(store: Store, kind: str, source: dict[str, Any], member: str | None) -> int | None:
    """The entity ``source`` names with ``id`` or ``xid`` (never both); None if neither.

    The one resolver of every reference, top-level (``member`` None) or nested.
    """
    id_, xid = source.get("id"), source.get("xid")
    if id_ is not None and xid is not None:
        where = f"'{member}': " if member else ""
        raise ServiceError(f"{where}give either 'id' or 'xid', not both")
    if xid is None and id_ is None:
        return None
    return resolve(store, kind, id=id_, xid=xid, member=member or "id")


def target(ctx: Ctx, req: dict[str, Any], kind: str) -> int:
    """The entity a request addresses with top-level ``id`` or ``xid``."""
    found = _named(ctx.store, kind, req, None)
    if found is None:
        raise ServiceError("missing member 'id' (or 'xid')")
    return found


def addressed(ctx: Ctx, kind: str, obj: dict[str, Any], req: dict[str, Any]) -> int:
    """The entity an update addresses: ``id``/``xid`` inside the object, else at top level."""
    found = _named(ctx.store, kind, obj, kind)
    if found is None:
        found = _named(ctx.store, kind, req, None)
    if found is None:
        raise ServiceError(f"missing member '{kind}.id' (or '{kind}.xid')")
    return found


def ref_id(ctx: Ctx, value: Any, member: str, kind: str) -> int:
    """The internal id of a nested reference ``{"id": N}`` or ``{"xid": "..."}``."""
    found = _named(ctx.store, kind, value, member) if isinstance(value, dict) else None
    if found is None:
        raise ServiceError(f"'{member}' must be an object with 'id' or 'xid', not {value!r}")
    return found


def label(store: Store, kind: str, eid: int) -> str:
    """How a message names an entity: ``xid 'P-ACME-ERP'`` when it has an xid, else its id.

    Messages never show the internal id of an xid entity (README decision 4).
    """
    xid = store.scalar(f"SELECT xid FROM {ENTITY_TABLES[kind]} WHERE id=?", (eid,))
    return f"xid {xid!r}" if xid else str(eid)


def ident(id: int, xid: str | None) -> dict[str, Any]:
    """``{"xid": ...}`` for an entity with an xid, else ``{"id": ...}`` (README decision 4)."""
    return {"xid": xid} if xid else {"id": id}


def ref(id: int | None, xid: str | None) -> dict[str, Any] | None:
    return None if id is None else ident(id, xid)


def row_ident(row: sqlite3.Row) -> dict[str, Any]:
    return ident(row["id"], row["xid"])


def check_new_xid(ctx: Ctx, kind: str, obj: dict[str, Any]) -> str | None:
    """The xid of an entity to create, refused when empty or already used."""
    xid = obj.get("xid")
    if xid is None:
        return None
    xid = as_str(xid, f"{kind}.xid", empty=False)
    if ctx.store.one(f"SELECT 1 FROM {ENTITY_TABLES[kind]} WHERE xid=?", (xid,)) is not None:
        raise ServiceError(
            f"duplicate xid {xid!r}: a {kind.replace('_', ' ')} with this xid already exists"
        )
    return xid


def created(id: int, xid: str | None) -> dict[str, Any]:
    """The answer of a create: ``{"status": "ok", "id": N}`` or ``{"status": "ok", "xid": ...}``."""
    return {"status": "ok", **ident(id, xid)}


def ok(**members: Any) -> dict[str, Any]:
    """A new ``{"status": "ok", ...}`` answer (a new dict each time: callers may add to it)."""
    return {"status": "ok", **members}


@dataclass(frozen=True)
class Later:
    """An answer a handler finishes after the backend's lock is released.

    For slow work over data no other request changes (an export's copy of the
    database, a finished job's rows): ``finish`` must not touch the store.
    """

    finish: Callable[[], dict[str, Any]]
