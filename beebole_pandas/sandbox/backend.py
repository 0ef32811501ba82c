"""The sandbox without HTTP: accounts, authentication, and one entry point per request.

:class:`Backend` owns a :class:`~beebole_pandas.sandbox.store.Store` and the
service registry. The HTTP server (:mod:`.server`) authenticates a token with
:meth:`Backend.authenticate` and passes the parsed JSON body to
:meth:`Backend.handle`, which never raises.

>>> from beebole_pandas.sandbox.seeddata import SeedData
>>> seed = SeedData(name="tiny", accounts=[{"role": "admin", "token": "t0", "person": 1,
...     "locale": "en", "api_enabled": True}],
...     companies=[{"id": 1, "xid": None, "name": "Acme", "corporate": True, "active": True}],
...     people=[{"id": 1, "xid": None, "name": "Ann", "email": "ann@example.com",
...              "company": 1, "userGroup": "admin", "active": True}])
>>> backend = Backend(seed)
>>> who = backend.authenticate("t0")
>>> backend.handle(who, {"service": "company.list"})["companies"][0]["name"]
'Acme'
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any

# Each service module registers its services when imported.
from . import export, services_entities, services_groups, services_time  # noqa: F401
from .accounts import checked, settings_for
from .literal import literal_answer
from .registry import Spec, registered
from .seeddata import SeedData
from .services import Ctx, Later, ServiceError
from .store import Store

__all__ = ["AuthFailure", "Backend", "Principal"]

log = logging.getLogger(__name__)


class AuthFailure(Exception):
    """The token is unknown, or its account has API access disabled (HTTP 401)."""


@dataclass(frozen=True)
class Principal:
    """An authenticated API user (never carries the token).

    Parameters
    ----------
    role
        The account's role name, a key of :attr:`Backend.tokens`.
    person
        The id of the account's person.
    locale
        ``"en"`` or ``"fr"``: the language of CSV exports.
    """

    role: str
    person: int | None
    locale: str


class Backend:
    """Everything of the sandbox but HTTP.

    Parameters
    ----------
    seed
        A seed name for :func:`beebole_pandas.sandbox.seed.build` (``"demo"``,
        ``"empty"``) or a :class:`SeedData`.
    db
        None for an in-memory database, else a SQLite file; a file that already
        holds an account is reused as it is (the seed is not loaded again).
    people, months
        Size knobs passed to the seed builder.
    export_delay
        Seconds before an export job is done.
    literal
        Answer only the documented shapes (:mod:`.literal`): no ``status``
        where the reference shows none, no member no documented example shows.

    Examples
    --------
    >>> backend = Backend("demo")                       # doctest: +SKIP
    >>> principal = backend.authenticate(backend.tokens["admin"])  # doctest: +SKIP
    >>> backend.handle(principal, {"service": "company.list"})["status"]  # doctest: +SKIP
    'ok'
    """

    def __init__(
        self,
        seed: str | SeedData = "demo",
        *,
        db: str | None = None,
        people: int | None = None,
        months: int | None = None,
        export_delay: float = 0.2,
        literal: bool = False,
    ) -> None:
        self.store = Store(db)
        self.export_delay = export_delay
        self.literal = bool(literal)
        self._lock = threading.Lock()
        self._jobs: dict[int, Any] = {}
        self._registry: dict[str, Spec] = registered()
        self.services: frozenset[str] = frozenset(self._registry)
        if self.store.loaded:
            self.store.ensure_indexes()
            log.info("reusing the account in %s", db)
        else:
            data = seed
            if isinstance(seed, str):
                from .seed import build

                data = build(seed, people=people, months=months)
            assert isinstance(data, SeedData)
            self.store.load(data)
        self._accounts = {
            row["token"]: row for row in self.store.all("SELECT * FROM account ORDER BY rowid")
        }
        self.tokens: dict[str, str] = {row["role"]: tok for tok, row in self._accounts.items()}
        self._settings: dict[str, dict[str, Any]] = {}
        for row in self._accounts.values():  # a reused database file keeps its settings
            role = row["role"]
            saved = self.store.settings(role)
            self._settings[role] = saved if saved is not None else settings_for(role, row["locale"])

    def settings(self, role: str) -> dict[str, Any]:
        """A copy of the settings of the account ``role`` (see :mod:`.accounts`)."""
        if role not in self._settings:
            raise ValueError(f"unknown account {role!r}; valid accounts: {', '.join(self.tokens)}")
        return checked(self._settings[role], {})

    def set_settings(self, role: str, **changes: Any) -> dict[str, Any]:
        """Change settings of the account ``role``; the next requests see them. Returns them all.

        Raises
        ------
        ValueError
            Unknown account, unknown setting or a value the setting does not take.
        """
        new = checked(self.settings(role), changes)
        with self._lock:
            self._settings[role] = new
            self.store.save_settings(role, new)
        return checked(new, {})

    def __repr__(self) -> str:
        return f"Backend(seed={self.store.seed_name!r}, services={len(self.services)})"

    def authenticate(self, token: str) -> Principal:
        """The user of a token.

        Raises
        ------
        AuthFailure
            ``invalid token`` or ``API access is disabled ...``.
        """
        row = self._accounts.get(token) if isinstance(token, str) else None
        if row is None:
            raise AuthFailure("invalid token: no account has this API token")
        if not row["api_enabled"]:
            raise AuthFailure(
                "API access is disabled for this account: an administrator must enable it "
                "in the account settings"
            )
        return Principal(role=row["role"], person=row["person"], locale=row["locale"])

    def is_write(self, service: str) -> bool:
        """True for services that change the account (create, update, workflow, ...)."""
        spec = self._registry.get(service)
        return bool(spec and spec.write)

    def handle(self, principal: Principal, request: object) -> dict[str, Any]:
        """Answer one request: ``{"status": "ok", ...}`` or ``{"status": "error", "message": ...}``.

        Never raises; thread-safe: requests run one at a time under one lock,
        except the part of an export that works on its own copy of the data.
        """
        try:
            if not isinstance(request, dict):
                raise ServiceError(
                    f"the request must be a JSON object with a 'service' member, not {type(request).__name__}"
                )
            name = request.get("service")
            if name is None:
                raise ServiceError("missing member 'service'")
            if not isinstance(name, str):
                raise ServiceError(f"'service' must be a string, not {name!r}")
            spec = self._registry.get(name)
            if spec is None:
                raise ServiceError(f"unknown service {name!r}")
            with self._lock:
                result = self._run(spec, principal, request)
            # slow formatting and export queries run on data no request changes
            answer = result.finish() if isinstance(result, Later) else result
            return literal_answer(name, answer) if self.literal else answer
        except ServiceError as exc:
            return {"status": "error", "message": str(exc)}
        except Exception as exc:
            log.exception("internal sandbox error")
            return {
                "status": "error",
                "message": f"internal sandbox error: {type(exc).__name__}: {exc}",
            }

    def _run(
        self, spec: Spec, principal: Principal, request: dict[str, Any]
    ) -> dict[str, Any] | Later:
        store = self.store
        group = store.scalar("SELECT user_group FROM person WHERE id=?", (principal.person,))
        ctx = Ctx(
            store=store,
            person=principal.person,
            role=principal.role,
            locale=principal.locale,
            user_group=str(group or "employee"),
            export_delay=self.export_delay,
            jobs=self._jobs,
            settings=self._settings.get(principal.role) or settings_for("", principal.locale),
            literal=self.literal,
        )
        if spec.access == "admin" and not ctx.is_admin:
            raise ctx.deny(spec.name, "only administrators may")
        if not spec.write:
            return spec.handler(ctx, request)
        # A write that fails half-way must leave nothing behind.
        store.execute("BEGIN")
        try:
            result = spec.handler(ctx, request)
        except BaseException:
            store.execute("ROLLBACK")
            store.invalidate()
            raise
        store.execute("COMMIT")
        if not spec.name.startswith("time_entry."):
            store.invalidate()
        return result

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self.store.close()
