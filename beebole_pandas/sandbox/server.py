"""The sandbox's HTTP side: a Beebole v2 endpoint on loopback.

Everything about the account (auth, services, state) is the
:class:`~beebole_pandas.sandbox.backend.Backend`'s job; this module adds what
a real server adds around it: HTTP/1.1 with keep-alive, Basic auth parsing,
per-token daily quotas (:mod:`.quota`), injected faults (:mod:`.faults`) and
statistics of what was served.

>>> from beebole_pandas import sandbox
>>> with sandbox.serve(seed="empty") as server:            # doctest: +SKIP
...     requests.post(server.url, json={"service": "company.list"},
...                   auth=(server.token, "x")).json()["status"]
'ok'

Protocol
--------
* ``POST /api/v2`` only: another path gets 404, another method 405, both
  with a JSON status-error body. Bodies above :data:`MAX_BODY_BYTES` get 413.
* ``Authorization: Basic base64("TOKEN:x")``; a missing, malformed or unknown
  token, or an account with API access disabled, gets 401.
* Past the daily quota, 429 (see :mod:`.quota` for the exact rules).
* A body that is not JSON gets HTTP 200 with a status error; any other JSON
  goes to ``Backend.handle``, which answers every problem with a status error.
  Whatever happens inside, the answer is never a 500 (unless injected).
* Slow clients: a request line and headers not complete ``header_timeout``
  seconds after their first byte (after the connection, for its first
  request) close the connection without an answer; a body not complete
  ``body_timeout`` seconds after the headers gets 408 and a close. Keep-alive
  connections close after ``idle_timeout`` seconds without a request.
"""

from __future__ import annotations

import logging
import math
import socket
import threading
from collections.abc import Iterable
from typing import Any

from .backend import AuthFailure, Backend, Principal
from .faults import Fault, FaultInjector
from .handler import (
    API_PATH,
    BODY_TIMEOUT,
    HEADER_TIMEOUT,
    IDLE_TIMEOUT,
    MAX_BODY_BYTES,
    NOT_JSON,
    Handler,
    HTTPServer,
    dump,
    parse_body,
    parse_token,
    status_error,
)
from .quota import Quota, Stats

__all__ = [
    "BODY_TIMEOUT",
    "HEADER_TIMEOUT",
    "IDLE_TIMEOUT",
    "MAX_BODY_BYTES",
    "SandboxServer",
    "serve",
]

logger = logging.getLogger(__name__)


def _seconds(name: str, value: object) -> float:
    """``value`` as a positive, finite number of seconds; ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} must be a positive number of seconds, got {value!r}")
    if not 0 < value < math.inf:
        raise ValueError(f"{name} must be a positive number of seconds, got {value!r}")
    return float(value)


class SandboxServer:
    """A local Beebole v2 server over a :class:`~.backend.Backend`.

    Usually made by :func:`serve`; also usable as
    ``server = SandboxServer(...); server.start(); ...; server.close()``.
    Parameters are those of :func:`serve`.

    Examples
    --------
    >>> server = SandboxServer("empty", daily_requests=100).start()   # doctest: +SKIP
    >>> server.url                                                    # doctest: +SKIP
    'http://127.0.0.1:50123/api/v2'
    >>> server.close()                                                # doctest: +SKIP
    """

    def __init__(
        self,
        seed: Any = "demo",
        *,
        port: int = 0,
        host: str = "127.0.0.1",
        daily_requests: int = 4000,
        daily_kb: int = 2048,
        db: str | None = None,
        people: int | None = None,
        months: int | None = None,
        export_delay: float = 0.2,
        header_timeout: float = HEADER_TIMEOUT,
        body_timeout: float = BODY_TIMEOUT,
        idle_timeout: float = IDLE_TIMEOUT,
        literal: bool = False,
    ) -> None:
        for name, value in (("daily_requests", daily_requests), ("daily_kb", daily_kb)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        self.header_timeout = _seconds("header_timeout", header_timeout)
        self.body_timeout = _seconds("body_timeout", body_timeout)
        self.idle_timeout = _seconds("idle_timeout", idle_timeout)
        self.seed = seed
        self.host = host
        self._port = port
        self._backend_args: dict[str, Any] = {
            "db": db,
            "people": people,
            "months": months,
            "export_delay": export_delay,
            "literal": bool(literal),
        }
        self.quota = Quota(daily_requests=daily_requests, daily_kb=daily_kb)
        self.stats_counter = Stats()
        self.faults = FaultInjector()
        self._backend: Backend | None = None
        self._roles: dict[str, str] = {}
        self._httpd: HTTPServer | None = None
        self._port_bound: int | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._in_flight = 0
        self._idle = threading.Condition(self._lock)

    # -- life ------------------------------------------------------------
    @property
    def seed_name(self) -> str:
        """The seed's name: never the SeedData itself, whose accounts hold tokens."""
        return str(getattr(self.seed, "name", self.seed))

    def start(self) -> SandboxServer:
        """Build the backend and start serving in a background thread."""
        if self._httpd is not None:
            raise RuntimeError("this SandboxServer is already started")
        if self._stopping.is_set():
            raise RuntimeError("this SandboxServer was closed; make a new one")
        backend = Backend(self.seed, **self._backend_args)
        try:
            httpd = HTTPServer((self.host, self._port), Handler)
        except BaseException:
            backend.close()
            raise
        httpd.sandbox = self
        self._port_bound = int(httpd.server_address[1])
        self._backend = backend
        self._roles = {token: role for role, token in backend.tokens.items()}
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"beebole-sandbox:{httpd.server_address[1]}",
            daemon=True,
        )
        self._thread.start()
        logger.info("sandbox serving seed %r at %s", self.seed_name, self.url)
        return self

    def close(self) -> None:
        """Stop serving, drop open connections and close the backend. Idempotent."""
        if self._stopping.is_set():
            return
        self._stopping.set()
        httpd, self._httpd = self._httpd, None
        if httpd is not None:
            httpd.shutdown()
            httpd.server_close()
        with self._lock:
            for conn in list(self._connections):
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            # let requests inside the backend finish before closing it
            self._idle.wait_for(lambda: self._in_flight == 0, timeout=5.0)
        if self._thread is not None:
            self._thread.join(timeout=5.0)
        if self._backend is not None:
            self._backend.close()

    def __enter__(self) -> SandboxServer:
        if self._httpd is None:
            self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        stopping, httpd = getattr(self, "_stopping", None), getattr(self, "_httpd", None)
        if stopping is None:  # __init__ failed half-way: a traceback still shows it
            return "<SandboxServer (not set up)>"
        state = "closed" if stopping.is_set() else ("serving" if httpd else "new")
        where = f" url={self.url!r}" if httpd else ""
        return f"<SandboxServer seed={self.seed_name!r}{where} {state}>"

    # -- public view -----------------------------------------------------
    @property
    def backend(self) -> Backend:
        """The :class:`~.backend.Backend` behind the server (after :meth:`start`)."""
        if self._backend is None:
            raise RuntimeError("the SandboxServer is not started; call start() or use serve()")
        return self._backend

    @property
    def port(self) -> int:
        """The TCP port served (chosen by the OS when ``port=0``)."""
        if self._port_bound is None:
            raise RuntimeError("the SandboxServer is not started; call start() or use serve()")
        return self._port_bound

    @property
    def url(self) -> str:
        """The endpoint, ``http://127.0.0.1:PORT/api/v2``: the address really
        bound, so ``host="localhost"`` gives a literal loopback address (the
        client sends the token over plain HTTP only to one)."""
        httpd = getattr(self, "_httpd", None)
        host = str(httpd.server_address[0]) if httpd is not None else self.host
        host = host if ":" not in host else f"[{host}]"
        return f"http://{host}:{self.port}{API_PATH}"

    @property
    def literal(self) -> bool:
        """True when the server answers only the documented shapes (:mod:`.literal`)."""
        return bool(self._backend_args["literal"])

    @property
    def tokens(self) -> dict[str, str]:
        """Account -> token: ``default`` (the administrator, the same as ``admin``),
        ``us`` and ``fr`` (administrators with American and French settings),
        and the roles ``admin``, ``employee``, ``admin_fr``, ``disabled``."""
        return {"default": self.backend.tokens["admin"], **self.backend.tokens}

    def _role(self, account: str) -> str:
        return "admin" if account == "default" else account

    def settings(self, account: str = "default") -> dict[str, Any]:
        """The settings of an account (a copy): formats, schedule, holidays, currency.

        Keys: ``date_format`` (``"YYYY-MM-DD"``, ``"DD/MM/YYYY"``,
        ``"MM/DD/YYYY"``, ...), ``time_format`` (``"24h"``/``"12h"``),
        ``decimal_separator``, ``thousands_separator`` (``""``: none),
        ``list_separator`` (between CSV fields), ``language`` (export labels),
        ``currency``, ``hours_per_day``, ``weekly_hours``, ``working_days``
        (ISO weekdays, Monday = 1), ``holidays`` (ISO dates), ``week_start``.
        See :mod:`beebole_pandas.sandbox.accounts`.

        Examples
        --------
        >>> server.settings("us")["date_format"]            # doctest: +SKIP
        'MM/DD/YYYY'
        """
        return self.backend.settings(self._role(account))

    def set_settings(self, account: str, **changes: Any) -> dict[str, Any]:
        """Change an account's settings at run time; the next requests see them.

        Raises ValueError for an unknown account, setting or value. Returns
        the account's settings after the change.

        Examples
        --------
        >>> server.set_settings("default", date_format="DD.MM.YYYY")   # doctest: +SKIP
        """
        return self.backend.set_settings(self._role(account), **changes)

    @property
    def token(self) -> str:
        """The administrator's token (``tokens["admin"]``)."""
        return self.backend.tokens["admin"]

    def stats(self) -> dict[str, Any]:
        """What the server answered since the start or :meth:`reset_stats`.

        ``{"requests", "bytes", "by_service", "by_token", "refused", "faults",
        "connections"}``; see :class:`~.quota.Stats` for the exact meaning.

        Examples
        --------
        >>> server.stats()["by_service"].get("company.list", 0)   # doctest: +SKIP
        3
        """
        return self.stats_counter.snapshot()

    def reset_stats(self) -> None:
        """Zero the counters of :meth:`stats` (quotas are not touched)."""
        self.stats_counter.reset()

    def usage(self, role: str = "admin") -> dict[str, int]:
        """Quota used today by the token of ``role``: ``{"requests": N, "bytes": N}``."""
        tokens = self.backend.tokens
        if role not in tokens:
            raise ValueError(f"unknown role {role!r}; valid roles: {', '.join(sorted(tokens))}")
        return self.quota.usage(tokens[role])

    @property
    def day(self) -> int:
        """The server's quota day: 0 at start, +1 per :meth:`advance_day`."""
        return self.quota.day

    def advance_day(self, days: int = 1) -> None:
        """Start a new quota day (``days`` times): every token's quota is whole again.

        Examples
        --------
        >>> server.advance_day()       # doctest: +SKIP
        >>> server.usage("admin")      # doctest: +SKIP
        {'requests': 0, 'bytes': 0}
        """
        if isinstance(days, bool) or not isinstance(days, int) or days < 1:
            raise ValueError(f"days must be a positive integer, got {days!r}")
        for _ in range(days):
            self.quota.new_day()

    def inject(
        self,
        kind: str | None,
        *,
        probability: float = 1.0,
        times: int | None = None,
        services: Iterable[str] | str | None = None,
        delay: float | None = None,
        seed: int = 0,
    ) -> None:
        """Make the following requests fail; ``inject(None)`` clears.

        A new call replaces the previous plan. Faults hit authenticated
        requests within quota. Every faulted request counts against the quota
        as the real server would have received it, except ``reset``.

        Parameters
        ----------
        kind
            ``"http500"``, ``"http503"``, ``"timeout"``, ``"reset"``,
            ``"lost_response"``, ``"malformed"``, ``"error"`` or None
            (see :mod:`beebole_pandas.sandbox.faults`).
        probability
            Chance that a matching request fails (seeded by ``seed``).
        times
            Only the next ``times`` matching (and drawn) requests fail.
        services
            Only these services are affected (None: all).
        delay
            ``timeout``: seconds to hold the connection (default 35, longer
            than the client's 30 s timeout);
            other kinds: a pause before the fault (default 0).
        seed
            Seed of the random draws, for reproducible tests.

        Examples
        --------
        >>> server.inject("http503", times=2, services=["time_entry.create"])  # doctest: +SKIP
        >>> server.inject(None)                                               # doctest: +SKIP
        """
        known = self._backend.services if self._backend else None
        self.faults.set(
            kind,
            probability=probability,
            times=times,
            services=services,
            delay=delay,
            seed=seed,
            known_services=known,
        )

    # -- used by the handler ---------------------------------------------
    def _opened(self, conn: socket.socket) -> None:
        self.stats_counter.connection()
        with self._lock:
            self._connections.add(conn)

    def _closed(self, conn: socket.socket) -> None:
        with self._lock:
            self._connections.discard(conn)

    def _service_key(self, request: object) -> str:
        if request is NOT_JSON:
            return "(invalid)"
        service = request.get("service") if isinstance(request, dict) else None
        if not isinstance(service, str):
            return "(none)"
        if self._backend is not None and service not in self._backend.services:
            return "(unknown)"
        return service

    def _answer(self, handler: Handler, body: bytes) -> None:
        """Auth, quota, faults, then the backend; writes exactly one outcome."""
        backend = self.backend
        token = parse_token(handler.headers.get("Authorization"))
        if token is None:
            handler._refuse(
                401,
                "invalid token: send HTTP Basic credentials 'TOKEN:x' in the Authorization header",
            )
            return
        try:
            principal = backend.authenticate(token)
        except AuthFailure as exc:
            handler._refuse(401, str(exc) or "invalid token")
            return
        refusal = self.quota.admit(token)
        if refusal is not None:
            handler._refuse(429, refusal)
            return
        request = parse_body(body)
        service = self._service_key(request)
        fault = self.faults.draw(None if service.startswith("(") else service)
        if fault is not None:
            self.stats_counter.fault(fault.kind)
            if fault.delay and fault.kind != "timeout":
                self._stopping.wait(fault.delay)
            if self._act_out(handler, fault, token, service):
                return
        payload = self._handle(principal, request)
        answer = dump(payload)
        if fault is not None and fault.kind == "lost_response":
            handler._drop(reset=False)
            return
        if fault is not None and fault.kind == "malformed":
            answer = answer[: max(1, len(answer) // 2)]
        self._reply(handler, 200, answer, token, service)

    def _act_out(self, handler: Handler, fault: Fault, token: str, service: str) -> bool:
        """Play a fault that replaces the backend; False if the backend must run."""
        kind = fault.kind
        if kind == "reset":
            self.quota.release(token)
            handler._drop(reset=True)
        elif kind == "timeout":
            self._stopping.wait(fault.delay)
            handler._drop(reset=False)
        elif kind in ("http500", "http503"):
            status = 500 if kind == "http500" else 503
            text = "Internal Server Error" if status == 500 else "Service Unavailable"
            body = dump(status_error(f"{text} (injected fault)"))
            self._reply(handler, status, body, token, service)
        elif kind == "error":
            self._reply(handler, 200, dump(status_error("injected error")), token, service)
        else:
            return False
        return True

    def _handle(self, principal: Principal, request: object) -> dict[str, Any]:
        if request is NOT_JSON:
            return status_error(
                "the request body is not a JSON object: send "
                '{"service": "company.list", ...} encoded as UTF-8 JSON'
            )
        with self._lock:
            self._in_flight += 1
        try:
            return self.backend.handle(principal, request)  # never raises
        finally:
            with self._lock:
                self._in_flight -= 1
                if self._in_flight == 0:
                    self._idle.notify_all()

    def _reply(self, handler: Handler, status: int, body: bytes, token: str, service: str) -> None:
        # Counted before sending: a client that reads stats() right after its
        # answer arrives must already see that answer counted.
        self.quota.add_bytes(token, len(body))
        self.stats_counter.served(service, self._roles.get(token, "other"), len(body))
        handler._send(status, body)


def serve(
    seed: Any = "demo",
    *,
    port: int = 0,
    host: str = "127.0.0.1",
    daily_requests: int = 4000,
    daily_kb: int = 2048,
    db: str | None = None,
    people: int | None = None,
    months: int | None = None,
    export_delay: float = 0.2,
    header_timeout: float = HEADER_TIMEOUT,
    body_timeout: float = BODY_TIMEOUT,
    idle_timeout: float = IDLE_TIMEOUT,
    literal: bool = False,
) -> SandboxServer:
    """Start a sandbox Beebole v2 server on loopback; close it with ``with`` or ``.close()``.

    ``with sandbox.serve() as server:`` closes it at the end of the block; in
    a notebook, where a ``with`` cannot span cells, ``server =
    sandbox.serve()`` then ``server.close()`` when done.

    Parameters
    ----------
    seed
        ``"demo"`` (a realistic account), ``"empty"``, or a ``SeedData``.
    port
        TCP port; 0 lets the OS choose a free one (see ``server.url``).
    host
        Interface to listen on; keep the loopback default.
    daily_requests, daily_kb
        Per-token daily quotas (requests, KB of response bodies).
    db
        SQLite file for the state (None: in memory).
    people, months
        Size of the demo account (for benchmarks).
    export_delay
        Seconds an export job takes before it is done.
    header_timeout
        Seconds a request line and headers may take, from the request's first
        byte (from the connection, for its first request). This is a total,
        not a wait per read: a client trickling a byte at a time is cut off
        too. Late headers close the connection without an answer.
    body_timeout
        Seconds a request body may take after its headers (chunked or not).
        A late body gets HTTP 408 with a status error, and the connection
        closes.
    idle_timeout
        Seconds a keep-alive connection may stay open without a request.
    literal
        Answer exactly the documented shapes (:mod:`.literal`): no ``status``
        where the reference shows none, no member no documented example
        shows. The default mode answers more, for convenience.

    Returns
    -------
    SandboxServer
        Started, with ``url``, ``token``, ``tokens``, ``settings()``,
        ``set_settings()``, ``backend``, ``stats()``, ``inject()``,
        ``advance_day()`` and ``close()``.

    Examples
    --------
    >>> import requests
    >>> from beebole_pandas import sandbox
    >>> with sandbox.serve(seed="demo") as server:             # doctest: +SKIP
    ...     r = requests.post(server.url, json={"service": "company.list"},
    ...                       auth=(server.token, "x"))
    ...     r.json()["status"]
    'ok'
    >>> server = sandbox.serve(seed="empty")                  # doctest: +SKIP
    >>> server.close()                                        # doctest: +SKIP
    """
    server = SandboxServer(
        seed,
        port=port,
        host=host,
        daily_requests=daily_requests,
        daily_kb=daily_kb,
        db=db,
        people=people,
        months=months,
        export_delay=export_delay,
        header_timeout=header_timeout,
        body_timeout=body_timeout,
        idle_timeout=idle_timeout,
        literal=literal,
    )
    return server.start()
