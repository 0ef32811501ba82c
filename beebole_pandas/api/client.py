"""The Beebole client: authenticated, cached, budget-metered calls with typed errors.

Only this module talks HTTP to Beebole. A call POSTs a JSON body with HTTP
Basic auth ``token:x`` (set through ``session.auth``), TLS verification on and
a timeout. Reads go through the cache (:mod:`beebole_pandas.api.cache`) and are
retried on 5xx, timeouts and resets; writes are never cached, never retried,
and drop the cached reads they affect. Every network call is checked against
and counted by the budget meter (:mod:`beebole_pandas.api.budget`).

>>> import beebole_pandas as bb
>>> from beebole_pandas import sandbox
>>> with sandbox.serve(seed="demo") as server:             # doctest: +SKIP
...     client = bb.connect(server.token, url=server.url)
...     companies = client.call("company.list")["companies"]
...     client.budget
"""

from __future__ import annotations

import logging
import math
import os
import random
import sqlite3
import time
import weakref
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

import requests

from ..errors import (
    BeeboleError,
    BudgetExceeded,
    CacheError,
    NotConnected,
    OfflineMiss,
    QuotaExceeded,
    ServerError,
    TransportError,
    ValidationError,
)
from . import cache as _cache
from .answers import (
    DEFAULT_URL,
    check_url,
    decode_answer,
    default_url,
    maybe_applied,
    scrub,
    transport_error,
)
from .budget import WARN_FRACTION, Budget, Meter, utc_now
from .formats import ExportFormat
from .metered import MeteredAdapter
from .secret import Secret, TokenAuth, hold

__all__ = ["DEFAULT_URL", "Client", "connect", "disconnect", "get_client", "resolve_client"]

logger = logging.getLogger(__name__)

_USER_AGENT = "beebole_pandas/0.1 (+python-requests)"
#: The longest wait for one answer, in seconds (longer ones overflow the socket layer).
MAX_TIMEOUT = 3600.0

# One lock registry for the process: two clients of one account share keys.
_LOCKS = _cache.KeyLocks()
_GENERATIONS = _cache.Generations()
_default: Client | None = None

Expiry = float | timedelta | Mapping[str, float | timedelta]


class Client:
    """A connection to one Beebole account: calls, cache, budget.

    Parameters
    ----------
    token
        The API token; defaults to ``$BEEBOLE_TOKEN``. It is kept only in the
        session's auth and never written anywhere.
    url
        The endpoint; defaults to ``$BEEBOLE_URL``, else ``https://beebole-apps.com/api/v2``.
    cache
        Cache reads (True) or not.
    cache_dir
        Where the cache and the budget meter live; defaults to
        ``$BEEBOLE_CACHE_DIR``, else the user cache directory.
    expire_after
        Override the per-service expiry table: one value (seconds or
        timedelta; 0 = do not cache, negative = never expire) for every read, or a mapping keyed by
        service, entity or category (``"reference"``, ``"closed"``, ``"current"``).
    offline
        Answer only from the cache; a miss raises :class:`OfflineMiss`.
    timeout
        Seconds to wait for the server.
    retries
        How many times a read is retried on 5xx, timeouts and resets.
    backoff
        Base delay of the exponential backoff between retries, in seconds.
    daily_requests, daily_kb
        The daily limits the budget meter enforces.
    clock
        Returns the current UTC time; injectable for tests.
    export_format
        How the account writes dates and numbers in exports, where the data
        cannot tell (:class:`~beebole_pandas.api.formats.ExportFormat`, a dict
        of its settings, or a date format such as ``"DD/MM/YYYY"``). Default:
        detected from each export.

    Examples
    --------
    >>> client = Client(server.token, url=server.url)   # doctest: +SKIP
    >>> client.call("project.list", company=1)["projects"][:1]  # doctest: +SKIP
    """

    def __init__(
        self,
        token: str | Secret | None = None,
        *,
        url: str | None = None,
        cache: bool = True,
        cache_dir: str | os.PathLike[str] | None = None,
        expire_after: Expiry | None = None,
        offline: bool = False,
        timeout: float = 30.0,
        retries: int = 3,
        backoff: float = 0.5,
        daily_requests: int = 4000,
        daily_kb: float = 2048,
        clock: Callable[[], datetime] | None = None,
        export_format: ExportFormat | Mapping[str, Any] | str | None = None,
    ) -> None:
        # The token never stays in a plain variable: tracebacks shown with their
        # locals (%xmode Verbose), and saved notebooks, would keep it.
        secret = hold(token)
        del token
        secret = secret.checked()
        for name, flag in (("cache", cache), ("offline", offline)):
            if not isinstance(flag, bool):
                raise TypeError(f"{name} must be True or False, not {type(flag).__name__} {flag!r}")
        if offline and not cache:
            raise ValidationError("offline=True needs the cache; use cache=True (the default).")
        _check_number("retries", retries, integer=True)
        _check_number("timeout", timeout, positive=True, most=MAX_TIMEOUT)
        _check_number("backoff", backoff)
        _check_number("daily_requests", daily_requests, positive=True, integer=True)
        _check_number("daily_kb", daily_kb, positive=True)
        _cache.check_expiry(expire_after)
        self._export_format = ExportFormat.of(export_format)
        self.url = check_url(url or default_url())
        self.fingerprint = _cache.fingerprint(self.url, secret.reveal())
        self._secrets = secret.forms()
        # cache key -> generation when this client last started that job (see remember())
        self._job_generations: dict[str, int] = {}
        self.cache_dir = _cache.resolve_cache_dir(cache_dir)
        self._expire_after = expire_after
        self._offline = offline
        self.timeout = float(timeout)
        self.retries = int(retries)
        self.backoff = float(backoff)
        self._clock = clock or utc_now
        self._closed = False

        self._meter = Meter(
            self.cache_dir / _cache.BUDGET_FILE,
            self.fingerprint,
            daily_requests=daily_requests,
            daily_kb=daily_kb,
            clock=self._clock,
        )
        spent = self._meter.snapshot()
        if spent.fraction_used >= WARN_FRACTION:  # e.g. a kernel restarted late in a busy day
            logger.warning("Beebole budget for account %s: %s", self.fingerprint, spent.summary())
        self._cached = cache
        # Writes and never-cached reads skip requests-cache (about 1 ms of cache
        # policy per call); both sessions share one metered adapter, so one
        # keep-alive pool and one meter see every network call.
        adapter = MeteredAdapter(self._meter, pool_maxsize=16)
        auth = TokenAuth(secret)
        self._plain: requests.Session = self._configure(requests.Session(), auth, adapter)
        try:
            self._session: Any = (
                self._configure(
                    _cache.build_session(self.cache_dir, self.fingerprint), auth, adapter
                )
                if cache
                else self._plain
            )
        except BaseException:  # a refused cache file: give back what is already open
            self._plain.close()
            self._meter.close()
            raise
        # A client nobody references any more (a notebook cell run again) gives
        # back its SQLite files and sockets; one still referenced keeps working.
        self._release = weakref.finalize(self, _release, self._session, self._plain, self._meter)

    def _configure(
        self, session: requests.Session, auth: TokenAuth, adapter: MeteredAdapter
    ) -> requests.Session:
        session.auth = auth
        session.verify = True
        if self.url.lower().startswith("http://"):
            # loopback only: environment proxies must not relay plain-HTTP credentials
            session.trust_env = False
        session.headers.update({"User-Agent": _USER_AGENT, "Accept": "application/json"})
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        return session

    # -- properties ----------------------------------------------------------

    @property
    def offline(self) -> bool:
        """Answer only from the cache (settable)."""
        return self._offline

    @offline.setter
    def offline(self, value: bool) -> None:
        if value and not self._cached:
            raise ValidationError(
                "offline=True needs the cache; this client was made with cache=False."
            )
        self._offline = bool(value)

    @property
    def export_format(self) -> ExportFormat:
        """How the account writes dates, times and numbers in exports (settable:
        an :class:`~beebole_pandas.api.formats.ExportFormat`, a dict of its
        settings, or a date format such as ``"DD/MM/YYYY"``); unknown settings
        are detected from each export.

        Examples
        --------
        >>> client.export_format = "DD/MM/YYYY"     # doctest: +SKIP
        """
        return self._export_format

    @export_format.setter
    def export_format(self, value: ExportFormat | Mapping[str, Any] | str | None) -> None:
        self._export_format = ExportFormat.of(value)

    @property
    def budget(self) -> Budget:
        """Requests and KB used and left today (UTC), and when the day resets."""
        return self._meter.snapshot()

    @property
    def meter(self) -> Meter:
        """The budget meter itself: loads claim the bytes they expect on it first."""
        return self._meter

    # -- calls ---------------------------------------------------------------

    def call(
        self,
        service: str,
        /,
        *,
        refresh: bool = False,
        allow_over_budget: bool = False,
        **params: Any,
    ) -> dict[str, Any]:
        """Call one API service and return its JSON answer (``status`` is ``"ok"``).

        Parameters
        ----------
        service
            The service name, ``"entity.verb"`` (``"company.list"``).
        refresh
            Bypass the cache for this read: fetch and replace the entry. The
            answer is fresh or the call raises: an expired entry is served
            when the server fails (with a warning) only when ``refresh`` is
            False.
        allow_over_budget
            Send even if today's budget is spent.
        **params
            The other members of the JSON body.

        Raises
        ------
        BeeboleError
            A subclass naming what went wrong and what to do.

        Examples
        --------
        >>> client.call("company.get", id=1)["company"]["name"]   # doctest: +SKIP
        'Acme'
        """
        for name, flag in (("refresh", refresh), ("allow_over_budget", allow_over_budget)):
            if not isinstance(flag, bool):
                raise TypeError(f"{name} must be True or False, not {type(flag).__name__} {flag!r}")
        try:
            return self._call(service, refresh, allow_over_budget, params)
        except sqlite3.Error as exc:
            raise CacheError(
                f"{service}: the local cache or budget file in {self.cache_dir} cannot be used "
                f"({type(exc).__name__}: {exc}). Another program may be holding or damaging it: "
                "close other clients of this cache, or pass another cache_dir= to bb.connect().",
                service=service,
            ) from None

    def _call(
        self, service: str, refresh: bool, allow_over_budget: bool, params: dict[str, Any]
    ) -> dict[str, Any]:
        body = self._body(service, params)
        kind = _cache.classify(service)
        key = _cache.cache_key(self.fingerprint, body)
        if self._offline:
            return self._offline_answer(service, kind, key)
        if kind == "write":
            return self._write(service, body, allow_over_budget)
        if kind == "job":
            if len(self._job_generations) > 256:
                self._job_generations.clear()
            self._job_generations[key] = _GENERATIONS.get(self.fingerprint)
        if kind == "read" and self._cached:
            if not refresh:  # fast path: a fresh entry needs none of the HTTP machinery
                found = self._cached_answer(key)
                if found is not None and not found[1].is_expired:
                    return found[0]
            expire = _cache.expiry_for(
                service, params, today=self._clock().date(), overrides=self._expire_after
            )
            generation = _GENERATIONS.get(self.fingerprint)
            with _LOCKS.hold(key):
                data = self._read(
                    service, body, key, allow_over_budget, refresh=refresh, expire=expire
                )
                if _cache.is_time_entry_read(service):
                    # Entries all approved or locked keep longer; known only now.
                    settled = _cache.expiry_for(
                        service,
                        params,
                        today=self._clock().date(),
                        overrides=self._expire_after,
                        answer=data,
                    )
                    if settled != expire:
                        _cache.store_answer(self._session, key, self.url, body, data, settled)
                if _GENERATIONS.get(self.fingerprint) != generation:
                    # a write landed meanwhile: this answer may predate it, so don't keep it
                    _cache.delete_keys(self._session, [key])
                return data
        return self._read(service, body, None, allow_over_budget, refresh=True, expire=None)

    def _body(self, service: str, params: dict[str, Any]) -> bytes:
        """The JSON body of a call, after checking the client and the service name."""
        if self._closed:
            raise NotConnected("This client is closed; call bb.connect(token) for a new one.")
        if not isinstance(service, str) or not _cache.SERVICE_NAME.fullmatch(service):
            raise ValidationError(
                f"Invalid service name {service!r}: expected 'entity.verb', e.g. 'company.list'."
            )
        if "service" in params:
            raise ValidationError(f"{service}: 'service' is the first argument, not a parameter.")
        try:
            return _cache.encode_body(service, params)
        except RecursionError:
            raise ValidationError(
                f"{service}: the parameters are nested too deeply to be sent as JSON; "
                "pass numbers, strings, booleans, None, dates, lists and dicts of those."
            ) from None
        except (TypeError, ValueError) as exc:
            raise ValidationError(
                f"{service}: the parameters cannot be sent as JSON ({exc}); pass numbers, "
                "strings, booleans, None, dates, lists and dicts of those."
            ) from None

    def _read(
        self,
        service: str,
        body: bytes,
        key: str | None,
        allow_over: bool,
        *,
        refresh: bool,
        expire: timedelta | None,
    ) -> dict[str, Any]:
        """Send a read, retrying on 5xx/timeouts/resets; then serve a stale entry or raise."""
        last: BeeboleError | None = None
        for attempt in range(self.retries + 1):
            try:
                return self._send(service, body, allow_over, refresh=refresh, expire=expire)
            except (BudgetExceeded, QuotaExceeded) as exc:
                if refresh:  # a fresh answer was asked for explicitly: say why there is none
                    raise
                last = exc  # no retry helps today; a stale answer may
                break
            except (ServerError, TransportError) as exc:
                last = exc
                if not exc.details.get("retryable", True) or attempt == self.retries:
                    break
                delay = self.backoff * (2**attempt) * (0.5 + random.random() / 2)
                logger.info(
                    "%s failed (%s); retry %d/%d in %.2fs",
                    service,
                    exc,
                    attempt + 1,
                    self.retries,
                    delay,
                )
                time.sleep(delay)
        assert last is not None
        if refresh:
            # A fresh answer was asked for: a plan or push builds on it, and an
            # old list would make it create again what is already there.
            raise last
        stale = self._cached_answer(key) if key else None
        if stale is not None:
            data, response = stale
            logger.warning(
                "%s: no fresh answer (%s); serving the cached answer saved %s (expired %s).",
                service,
                last.message,
                _when(getattr(response, "created_at", None)),
                _when(getattr(response, "expires", None)),
            )
            return data
        raise last

    def _write(self, service: str, body: bytes, allow_over: bool) -> dict[str, Any]:
        try:
            data = self._send(service, body, allow_over, refresh=True, expire=None)
        except (ServerError, TransportError) as exc:
            # The write may have been applied before the failure: the cache cannot be trusted.
            self._invalidate_after(service)
            raise maybe_applied(exc) from exc
        self._invalidate_after(service)
        return data

    def _send(
        self,
        service: str,
        body: bytes,
        allow_over: bool,
        *,
        refresh: bool,
        expire: timedelta | None,
    ) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "data": body,
            "headers": {"Content-Type": "application/json; charset=utf-8"},
            "timeout": self.timeout,
            "allow_redirects": False,
        }
        session = self._plain
        if self._cached and expire is not None:
            session = self._session
            kwargs["force_refresh"] = refresh
            kwargs["expire_after"] = expire
        failure: BeeboleError | None = None
        try:
            with self._meter.context(service=service, allow_over=allow_over):
                response = session.post(self.url, **kwargs)
        except requests.exceptions.RequestException as exc:
            failure = transport_error(
                service, exc, url=self.url, timeout=self.timeout, scrub=self._scrub
            )
        if failure is not None:
            # Raised outside the handler, so it keeps no __context__: requests'
            # exception holds the prepared request, Authorization header and all.
            raise failure
        data = decode_answer(service, response, scrub=self._scrub)
        if "status" not in data and session is not self._plain and expire is not None:
            # The cache keeps only answers that say "status: ok"; an answer the
            # reference shows without one (group.tree, ...) is kept with it added.
            key = _cache.cache_key(self.fingerprint, body)
            _cache.store_answer(
                self._session, key, self.url, body, {"status": "ok", **data}, expire
            )
        return data

    # -- cache ---------------------------------------------------------------

    def _cached_answer(self, key: str | None) -> tuple[dict[str, Any], Any] | None:
        """The entry stored under ``key`` (expired or not), decoded, or None."""
        if key is None or not self._cached:
            return None
        return _cache.cached_answer(self._session, key)

    def _offline_answer(self, service: str, kind: str, key: str) -> dict[str, Any]:
        if kind != "read":
            raise OfflineMiss(
                f"{service} needs the server, and this client is offline. "
                "Set client.offline = False (or bb.connect(..., offline=False)) to send it.",
                service=service,
            )
        found = self._cached_answer(key)
        if found is None:
            raise OfflineMiss(
                f"{service}: offline, and the cache holds no answer for these parameters. "
                "Run the same call once online (offline=False) to fill the cache.",
                service=service,
            )
        data, response = found
        if getattr(response, "is_expired", False):
            logger.info(
                "%s: offline, serving an expired cached answer (saved %s).",
                service,
                _when(response.created_at),
            )
        return data

    def recall(self, service: str, /, **params: Any) -> dict[str, Any] | None:
        """The cached answer to a call, or None; sends nothing.

        Expired entries are returned only when the client is offline.

        Examples
        --------
        >>> client.recall("company.list") is None       # doctest: +SKIP
        False
        """
        found = self._cached_answer(_cache.cache_key(self.fingerprint, self._body(service, params)))
        if found is None or (found[1].is_expired and not self._offline):
            return None
        return found[0]

    def generation(self) -> int:
        """A counter of this account's cache invalidations (writes, :meth:`invalidate`).

        Read it before starting work whose result you will :meth:`remember`.

        Examples
        --------
        >>> since = client.generation()                     # doctest: +SKIP
        """
        return _GENERATIONS.get(self.fingerprint)

    def remember(
        self,
        service: str,
        answer: dict[str, Any],
        /,
        *,
        since_generation: int | None = None,
        **params: Any,
    ) -> None:
        """Keep ``answer`` as the cached answer to a call, with the call's usual expiry.

        For results assembled from several requests, such as a finished export
        job stored under its ``time_entry.export`` request: a later
        :meth:`recall` (or an identical read) costs nothing, and writes that
        affect the service drop it like any cached read.

        Parameters
        ----------
        since_generation
            :meth:`generation` when the work started: if a write (or an
            invalidation) happened since, the answer may predate it and is not
            kept. Default: the generation when this client last sent the same
            job request (``time_entry.export``), if it did.

        Examples
        --------
        >>> since = client.generation()                     # doctest: +SKIP
        >>> client.remember("time_entry.export", {"status": "ok", "job": job},
        ...                 since_generation=since, **params)  # doctest: +SKIP
        """
        if not self._cached:
            return
        if answer.get("status") != "ok":
            raise ValidationError(f"{service}: only 'status: ok' answers are cached.")
        body = self._body(service, params)
        key = _cache.cache_key(self.fingerprint, body)
        started = self._job_generations.pop(key, None)
        since = since_generation if since_generation is not None else started
        if since is not None and self.generation() != since:
            logger.info("%s: not cached, a write may have landed since it started", service)
            return
        expire = _cache.expiry_for(
            service, params, today=self._clock().date(), overrides=self._expire_after, answer=answer
        )
        _cache.store_answer(self._session, key, self.url, body, answer, expire)
        if since is not None and self.generation() != since:
            _cache.delete_keys(self._session, [key])  # a write landed while storing

    def invalidate(self, entity_or_service: str | None = None) -> int:
        """Drop this account's cached reads: all of them, one entity's (``"project"``) or one service's.

        Returns
        -------
        int
            How many entries were dropped.

        Examples
        --------
        >>> client.invalidate("project")          # doctest: +SKIP
        3
        """
        if not self._cached:
            return 0
        if entity_or_service is None:
            prefixes: tuple[str, ...] = ("",)
        elif "." in entity_or_service:
            prefixes = (f"{entity_or_service}:",)
        else:
            prefixes = (f"{entity_or_service}.",)
        _GENERATIONS.bump(self.fingerprint)
        return _cache.delete_prefixes(self._session, self.fingerprint, prefixes)

    def _invalidate_after(self, service: str) -> None:
        prefixes = _cache.affected_prefixes(service)
        if self._cached and prefixes:
            _GENERATIONS.bump(self.fingerprint)  # before deleting: see cache.Generations
            dropped = _cache.delete_prefixes(self._session, self.fingerprint, prefixes)
            logger.debug("%s: dropped %d cached reads", service, dropped)

    # -- lifecycle and display -----------------------------------------------------

    def _scrub(self, value: object) -> str:
        return scrub(value, self._secrets)

    def close(self) -> None:
        """Close the session and the meter; the client cannot be used afterwards."""
        global _default
        if getattr(self, "_closed", False):
            return
        self._closed = True
        release = getattr(self, "_release", None)  # absent when __init__ failed half-way
        if release is not None:
            release()
        if _default is self:
            _default = None

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _state(self) -> str:
        if not all(hasattr(self, name) for name in ("url", "fingerprint", "_meter", "_closed")):
            return "not set up"  # __init__ failed half-way: a traceback still shows it
        return "closed" if self._closed else ("offline" if self._offline else "online")

    def _budget_summary(self) -> str:
        try:
            return self.budget.summary()
        except Exception as exc:  # a repr must never raise: say why instead
            return f"budget unavailable ({type(exc).__name__})"

    def __repr__(self) -> str:
        state = self._state()
        if state == "not set up":
            return "<beebole_pandas.Client (not set up)>"
        budget = "" if state == "closed" else f"; {self._budget_summary()}"
        return f"<beebole_pandas.Client {self.url} account {self.fingerprint} ({state}){budget}>"

    def _repr_html_(self) -> str:
        from html import escape

        state = self._state()
        if state == "not set up":
            return "<div><b>Beebole client</b> (not set up)</div>"
        budget = ""
        if state != "closed":
            try:
                budget = self.budget._repr_html_()
            except Exception as exc:
                budget = escape(f"; budget unavailable ({type(exc).__name__})")
        cache = escape(str(self.cache_dir)) if getattr(self, "_cached", False) else "off"
        return (
            f"<div><b>Beebole client</b> <code>{escape(self.url)}</code>, account "
            f"<code>{escape(self.fingerprint)}</code> ({state}); cache "
            f"<code>{cache}</code>{budget}</div>"
        )

    def __getstate__(self) -> dict[str, Any]:
        raise TypeError(
            "A Beebole Client cannot be pickled (it holds a secret token and open connections)."
        )


def _check_number(
    name: str,
    value: Any,
    *,
    positive: bool = False,
    integer: bool = False,
    most: float = math.inf,
) -> None:
    """Refuse, before anything is counted or sent, a setting that is not a finite
    number (an int where ``integer``) that is > 0 (``positive``) or >= 0, and
    at most ``most``."""
    kinds = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds):
        kind = "a whole number" if integer else "a number"
        raise TypeError(f"{name} must be {kind}, not {type(value).__name__} ({value!r})")
    if not math.isfinite(value) or value < 0 or (positive and value == 0) or value > most:
        bound = "> 0" if positive else ">= 0"
        bound += f" and <= {most:g}" if most < math.inf else ""
        raise ValidationError(f"{name} must be a finite number {bound}; got {name}={value!r}.")


def _when(moment: Any) -> str:
    return (
        f"{moment:%Y-%m-%d %H:%M:%S} UTC" if isinstance(moment, datetime) else "at an unknown time"
    )


def connect(
    token: str | Secret | None = None,
    *,
    url: str | None = None,
    cache: bool = True,
    cache_dir: str | os.PathLike[str] | None = None,
    expire_after: Expiry | None = None,
    offline: bool = False,
    timeout: float = 30.0,
    retries: int = 3,
    set_default: bool = True,
    backoff: float = 0.5,
    daily_requests: int = 4000,
    daily_kb: float = 2048,
    clock: Callable[[], datetime] | None = None,
    export_format: ExportFormat | Mapping[str, Any] | str | None = None,
) -> Client:
    """Connect to Beebole and (by default) make this the default client.

    Parameters
    ----------
    token
        The API token; defaults to ``$BEEBOLE_TOKEN``.
    url
        The endpoint; defaults to ``$BEEBOLE_URL``, else ``https://beebole-apps.com/api/v2``.
    set_default
        Make it the client that loaders use when given ``client=None``.
    cache, cache_dir, expire_after, offline, timeout, retries, backoff, daily_requests, daily_kb, clock
        As for :class:`Client`.
    export_format
        How the account writes dates and numbers in exports, when the data
        cannot tell (``"DD/MM/YYYY"``, or an
        :class:`~beebole_pandas.api.formats.ExportFormat`); see :class:`Client`.

    Examples
    --------
    >>> import beebole_pandas as bb
    >>> client = bb.connect(server.token, url=server.url)   # doctest: +SKIP
    >>> bb.get_client() is client                           # doctest: +SKIP
    True
    """
    global _default
    secret = hold(token)  # no plain variable keeps the token (see Client)
    del token
    client = Client(
        secret,
        url=url,
        cache=cache,
        cache_dir=cache_dir,
        expire_after=expire_after,
        offline=offline,
        timeout=timeout,
        retries=retries,
        backoff=backoff,
        daily_requests=daily_requests,
        daily_kb=daily_kb,
        clock=clock,
        export_format=export_format,
    )
    if set_default:
        # The replaced client is not closed: the caller may still hold it (two
        # accounts in one notebook). Once unreferenced, its finalizer frees it.
        _default = client
    return client


def _release(session: Any, plain: requests.Session, meter: Meter) -> None:
    """Close what a client holds; it must not reference the client itself."""
    session.close()
    plain.close()
    meter.close()


def get_client() -> Client:
    """The default client, set by :func:`connect` or ``bb.login()``.

    Raises
    ------
    NotConnected
        No client yet; the message says how to connect.

    Examples
    --------
    >>> import beebole_pandas as bb
    >>> bb.get_client()                                     # doctest: +SKIP
    """
    if _default is None:
        raise NotConnected(
            "Not connected to Beebole: call bb.connect(token) (or bb.connect() with BEEBOLE_TOKEN set), "
            "or bb.login() in Jupyter, or pass client= explicitly."
        )
    return _default


def resolve_client(client: Client | None) -> Client:
    """``client`` itself, or the default client when it is None.

    Every function of the other wings that takes ``client=None`` goes through here.

    Raises
    ------
    NotConnected
        ``client`` is None and :func:`connect` was never called (the message
        says how to connect).

    Examples
    --------
    >>> import beebole_pandas as bb
    >>> resolve_client(None) is bb.get_client()   # doctest: +SKIP
    True
    """
    return get_client() if client is None else client


def disconnect() -> None:
    """Close and forget the default client (other clients stay open).

    Examples
    --------
    >>> import beebole_pandas as bb
    >>> bb.disconnect()
    """
    global _default
    client, _default = _default, None
    if client is not None:
        client.close()
