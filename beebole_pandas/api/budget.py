"""The daily request and transfer meter, persisted per account and per UTC day.

Beebole allows each user 4000 requests and 2048 KB a day. The meter counts
what really went over the network, measured at the transport: the session's
HTTP adapter is a :class:`MeteredAdapter`, so cache hits never reach it and
every retry does. (Response hooks fire twice per network call under
requests-cache, and ``from_cache`` undercounts, so neither is used.)

Counts live in ``budget.sqlite`` in the cache directory, one row per account
fingerprint and UTC day: a kernel restart or a second :class:`Client` the same
day continues the count; a new day starts from zero.

>>> from beebole_pandas.api.budget import Meter
>>> import tempfile, pathlib
>>> meter = Meter(pathlib.Path(tempfile.mkdtemp()) / "budget.sqlite", "f00d", daily_requests=10)
>>> _ = meter.record(2048)
>>> meter.snapshot().requests_used, meter.snapshot().kb_used
(1, 2.0)
>>> meter.close()
"""

from __future__ import annotations

import contextlib
import http.client
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from ..errors import BudgetExceeded
from .files import create_private_file, quarantine

__all__ = ["WARN_FRACTION", "Budget", "Meter", "MeteredAdapter", "utc_now"]

logger = logging.getLogger(__name__)

#: Services whose answers no earlier one predicts: a job's status is a few
#: bytes while it runs and the whole export when it is done. The KB estimate
#: leaves them out (the cost of an export is a question for its caller).
UNPREDICTABLE = frozenset({"time_entry.get_job_info"})
#: A warning is logged when either count first reaches this share of the limit.
WARN_FRACTION = 0.8


def utc_now() -> datetime:
    """The current time, timezone-aware in UTC (the default clock)."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Budget:
    """What one account has spent today, and what is left.

    Attributes
    ----------
    account
        The account fingerprint (never the token).
    day
        The UTC day the counts belong to, ``YYYY-MM-DD``.
    requests_used, bytes_used
        Network requests and response bytes counted today.
    daily_requests, daily_kb
        The limits.
    resets_at
        The next UTC midnight, when the counts start again from zero.

    Examples
    --------
    >>> client.budget                                    # doctest: +SKIP
    Budget(account 3f9a0c12d4e5b6a7, 2026-11-28 UTC: 12/4000 requests, 35.2/2048 KB; resets 2026-11-29 00:00 UTC)
    """

    account: str
    day: str
    requests_used: int
    bytes_used: int
    daily_requests: int
    daily_kb: float
    resets_at: datetime

    @property
    def requests_left(self) -> int:
        return max(self.daily_requests - self.requests_used, 0)

    @property
    def kb_used(self) -> float:
        return self.bytes_used / 1024

    @property
    def kb_left(self) -> float:
        return max(self.daily_kb - self.kb_used, 0.0)

    @property
    def fraction_used(self) -> float:
        """The larger of the two shares used (requests, KB), 0.0 to 1.0 and beyond."""
        shares = [self.requests_used / self.daily_requests if self.daily_requests else 1.0]
        shares.append(self.kb_used / self.daily_kb if self.daily_kb else 1.0)
        return max(shares)

    @property
    def exhausted(self) -> bool:
        return self.requests_used >= self.daily_requests or self.kb_used >= self.daily_kb

    def summary(self) -> str:
        """One line: used/limit for requests and KB, and the reset time."""
        return (
            f"{self.requests_used}/{self.daily_requests} requests, "
            f"{self.kb_used:.1f}/{self.daily_kb:g} KB used today ({self.day} UTC); "
            f"resets {self.resets_at:%Y-%m-%d %H:%M} UTC"
        )

    def __repr__(self) -> str:
        return (
            f"Budget(account {self.account}, {self.day} UTC: "
            f"{self.requests_used}/{self.daily_requests} requests, "
            f"{self.kb_used:.1f}/{self.daily_kb:g} KB; resets {self.resets_at:%Y-%m-%d %H:%M} UTC)"
        )

    def _repr_html_(self) -> str:
        def bar(share: float) -> str:
            pct = min(max(share, 0.0), 1.0) * 100
            colour = "#c0392b" if share >= 1 else "#e67e22" if share >= WARN_FRACTION else "#27ae60"
            return (
                '<div style="width:12em;background:#eee;display:inline-block">'
                f'<div style="width:{pct:.0f}%;background:{colour};height:0.8em"></div></div>'
            )

        req_share = self.requests_used / self.daily_requests if self.daily_requests else 1.0
        kb_share = self.kb_used / self.daily_kb if self.daily_kb else 1.0
        return (
            "<table>"
            f"<tr><th style='text-align:left'>Beebole budget</th><td>account {self.account}, "
            f"{self.day} (UTC)</td><td></td></tr>"
            f"<tr><td>requests</td><td>{self.requests_used} / {self.daily_requests} "
            f"({self.requests_left} left)</td><td>{bar(req_share)}</td></tr>"
            f"<tr><td>transfer</td><td>{self.kb_used:.1f} / {self.daily_kb:g} KB "
            f"({self.kb_left:.1f} KB left)</td><td>{bar(kb_share)}</td></tr>"
            f"<tr><td>resets</td><td>{self.resets_at:%Y-%m-%d %H:%M} UTC</td><td></td></tr>"
            "</table>"
        )


class Meter:
    """Counts network requests and response bytes per account and UTC day.

    Parameters
    ----------
    path
        The SQLite file holding the counts (created 0600).
    account
        The account fingerprint the counts belong to.
    daily_requests, daily_kb
        The limits; Beebole's are 4000 and 2048.
    clock
        Returns the current time (timezone-aware); injectable for tests.

    Examples
    --------
    >>> meter = Meter(path, client.fingerprint)         # doctest: +SKIP
    >>> meter.check(service="company.list")  # doctest: +SKIP
    """

    def __init__(
        self,
        path: Path,
        account: str,
        *,
        daily_requests: int = 4000,
        daily_kb: float = 2048,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        if daily_requests <= 0 or daily_kb <= 0:
            raise ValueError(
                f"daily limits must be positive, got daily_requests={daily_requests!r}, daily_kb={daily_kb!r}"
            )
        self.path = Path(path)
        self.account = account
        self.daily_requests = int(daily_requests)
        self.daily_kb = float(daily_kb)
        self._clock = clock or utc_now
        self._lock = threading.Lock()
        self._local = threading.local()
        self._db: sqlite3.Connection | None = None
        try:
            self._open()
        except sqlite3.DatabaseError as exc:
            self.close()
            quarantine(self.path, exc, "today's request count starts again from 0")
            self._open()

    def _open(self) -> None:
        create_private_file(self.path)
        db = self._connection()
        db.execute(
            "CREATE TABLE IF NOT EXISTS usage (account TEXT NOT NULL, day TEXT NOT NULL, "
            "requests INTEGER NOT NULL DEFAULT 0, bytes INTEGER NOT NULL DEFAULT 0, "
            "PRIMARY KEY (account, day))"
        )
        # The size of each service's last answer: a call whose answer would pass
        # the KB limit is refused before it is sent (the limit counts bytes received).
        db.execute(
            "CREATE TABLE IF NOT EXISTS answer_size (account TEXT NOT NULL, "
            "service TEXT NOT NULL, bytes INTEGER NOT NULL, PRIMARY KEY (account, service))"
        )
        # A file of another shape (an old version, another program) fails here, at
        # open time, where it is moved aside, rather than at the first count.
        db.execute("SELECT account, day, requests, bytes FROM usage LIMIT 0")
        db.execute("SELECT account, service, bytes FROM answer_size LIMIT 0")
        # Old days are of no use; keep a week for curiosity.
        cutoff = (self._now().date() - timedelta(days=7)).isoformat()
        db.execute("DELETE FROM usage WHERE day < ?", (cutoff,))

    def _connection(self) -> sqlite3.Connection:
        """The open connection; reopened after :meth:`close` so a closed client can still show its budget."""
        if self._db is None:
            self._db = sqlite3.connect(
                self.path, check_same_thread=False, isolation_level=None, timeout=10
            )
            # WAL without an fsync per count: a crash may lose the last few counts, not the file.
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
        return self._db

    # -- time ---------------------------------------------------------------

    def _now(self) -> datetime:
        now = self._clock()
        if now.tzinfo is None:
            raise ValueError("the meter's clock must return timezone-aware datetimes")
        return now.astimezone(UTC)

    def _day(self) -> tuple[str, datetime]:
        today = self._now().date()
        midnight = datetime(today.year, today.month, today.day, tzinfo=UTC) + timedelta(days=1)
        return today.isoformat(), midnight

    # -- counts -------------------------------------------------------------

    def snapshot(self) -> Budget:
        """The counts of today, as a :class:`Budget`."""
        day, resets_at = self._day()
        with self._lock:
            row = (
                self._connection()
                .execute(
                    "SELECT requests, bytes FROM usage WHERE account = ? AND day = ?",
                    (self.account, day),
                )
                .fetchone()
            )
        requests_used, bytes_used = row if row else (0, 0)
        return Budget(
            account=self.account,
            day=day,
            requests_used=int(requests_used),
            bytes_used=int(bytes_used),
            daily_requests=self.daily_requests,
            daily_kb=self.daily_kb,
            resets_at=resets_at,
        )

    def record(self, nbytes: int, *, requests: int = 1, service: str | None = None) -> Budget:
        """Add ``requests`` network requests (default 1) and ``nbytes`` response bytes
        to today's count; with ``service``, remember the size of its answer."""
        day, _ = self._day()
        with self._lock:
            before = self._add(day, requests, int(nbytes))
            if service is not None and service not in UNPREDICTABLE:
                self._connection().execute(
                    "INSERT INTO answer_size (account, service, bytes) VALUES (?, ?, ?) "
                    "ON CONFLICT (account, service) DO UPDATE SET bytes = excluded.bytes",
                    (self.account, service, int(nbytes)),
                )
        after = self.snapshot()
        self._warn_if_crossed(before, after)
        return after

    def _add(self, day: str, requests: int, nbytes: int) -> tuple[int, int]:
        """Add to today's row (caller holds the lock); returns the counts before."""
        db = self._connection()
        before = db.execute(
            "SELECT requests, bytes FROM usage WHERE account = ? AND day = ?",
            (self.account, day),
        ).fetchone() or (0, 0)
        db.execute(
            "INSERT INTO usage (account, day, requests, bytes) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (account, day) DO UPDATE SET requests = max(requests + excluded.requests, 0), "
            "bytes = bytes + excluded.bytes",
            (self.account, day, requests, nbytes),
        )
        return int(before[0]), int(before[1])

    def reserve(self, *, service: str | None = None, allow_over: bool | None = None) -> str:
        """Check the budget and count one request, atomically; returns the day it was counted on.

        Check and count happen in one transaction under one lock, so concurrent
        calls (threads, or other processes sharing the file) never pass the
        limit together. The response bytes are added afterwards
        (:meth:`record` with ``requests=0``); :meth:`release` takes the request
        back if it never reached the server.
        """
        service, allow_over = self._intent(service, allow_over)
        day, resets_at = self._day()
        with self._lock:
            db = self._connection()
            db.execute("BEGIN IMMEDIATE")  # the write lock, also against other processes
            try:
                used, nbytes = db.execute(
                    "SELECT requests, bytes FROM usage WHERE account = ? AND day = ?",
                    (self.account, day),
                ).fetchone() or (0, 0)
                budget = Budget(
                    self.account,
                    day,
                    int(used),
                    int(nbytes),
                    self.daily_requests,
                    self.daily_kb,
                    resets_at,
                )
                expected = self._expected_bytes(db, service)
                if not allow_over:
                    if budget.exhausted:
                        raise _refusal(service, budget)
                    if budget.bytes_used + expected > budget.daily_kb * 1024:
                        raise _refusal(service, budget, expected=expected)
                self._add(day, 1, 0)
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        if budget.exhausted:
            logger.warning(
                "%s sent over budget (allow_over_budget=True): %s", service, budget.summary()
            )
        self._warn_if_crossed((budget.requests_used, budget.bytes_used), self.snapshot())
        return day

    def _expected_bytes(self, db: sqlite3.Connection, service: str | None) -> int:
        """The size of the last answer of ``service`` (0 when never seen)."""
        if service is None:
            return 0
        row = db.execute(
            "SELECT bytes FROM answer_size WHERE account = ? AND service = ?",
            (self.account, service),
        ).fetchone()
        return int(row[0]) if row else 0

    def expected_bytes(self, service: str) -> int:
        """The size of the last answer of ``service`` on this account (0 when never seen).

        Examples
        --------
        >>> meter.expected_bytes("company.list")   # doctest: +SKIP
        5120
        """
        with self._lock:
            return self._expected_bytes(self._connection(), service)

    def release(self, day: str) -> None:
        """Take back a request counted by :meth:`reserve` that never reached the server."""
        with self._lock:
            self._add(day, -1, 0)

    def _warn_if_crossed(self, before: tuple[int, int], after: Budget) -> None:
        req_limit = self.daily_requests * WARN_FRACTION
        byte_limit = self.daily_kb * 1024 * WARN_FRACTION
        if (
            before[0] < req_limit <= after.requests_used
            or before[1] < byte_limit <= after.bytes_used
        ):
            logger.warning(
                "Beebole budget above %d%% for account %s: %s. Cached reads cost nothing; "
                "consider offline=True for exploration.",
                int(WARN_FRACTION * 100),
                self.account,
                after.summary(),
            )

    # -- the gate -----------------------------------------------------------

    @contextlib.contextmanager
    def context(self, *, service: str, allow_over: bool = False) -> Iterator[None]:
        """Tell the adapter, for calls made by this thread, what is being sent and whether it may pass the limit."""
        previous = getattr(self._local, "state", None)
        self._local.state = (service, allow_over)
        try:
            yield
        finally:
            self._local.state = previous

    def check(self, *, service: str | None = None, allow_over: bool | None = None) -> None:
        """Raise :class:`BudgetExceeded` if one more network call would pass today's limit.

        Counts nothing; the adapter uses :meth:`reserve`, which checks and counts at once.
        """
        service, allow_over = self._intent(service, allow_over)
        budget = self.snapshot()
        if budget.exhausted and not allow_over:
            raise _refusal(service, budget)

    def current_service(self) -> str | None:
        """The service this thread is sending (set by :meth:`context`), if any."""
        state = getattr(self._local, "state", None)
        return state[0] if state is not None else None

    def _intent(self, service: str | None, allow_over: bool | None) -> tuple[str | None, bool]:
        """The service and permission given, else those set by :meth:`context` for this thread."""
        state = getattr(self._local, "state", None)
        if service is None and state is not None:
            service = state[0]
        if allow_over is None:
            allow_over = bool(state[1]) if state is not None else False
        return service, allow_over

    def close(self) -> None:
        """Release the database connection (it is reopened if the meter is used again)."""
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None


def _refusal(service: str | None, budget: Budget, *, expected: int = 0) -> BudgetExceeded:
    what = f"{service or 'request'} not sent: "
    if expected and not budget.exhausted:
        what += (
            f"its answer is expected to be about {expected / 1024:.1f} KB (the size of its "
            f"last answer), more than the {budget.kb_left:.1f} KB left today ({budget.summary()}). "
        )
    else:
        what += f"today's budget is spent ({budget.summary()}). "
    return BudgetExceeded(
        what + "Cached reads still work; pass allow_over_budget=True to send it anyway, "
        "or work from the cache with offline=True until the reset.",
        service=service,
        details={"budget": budget, "expected_bytes": expected},
    )


class MeteredAdapter(HTTPAdapter):
    """An HTTP adapter that checks the budget before, and counts after, every real network call.

    Parameters
    ----------
    meter
        The :class:`Meter` to check and feed.
    **kwargs
        Passed to :class:`requests.adapters.HTTPAdapter`.
    """

    def __init__(self, meter: Meter, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.meter = meter

    def send(
        self, request: requests.PreparedRequest, *args: Any, **kwargs: Any
    ) -> requests.Response:  # type: ignore[override]
        day = self.meter.reserve()
        try:
            response = super().send(request, *args, **kwargs)
        except requests.exceptions.ConnectionError as exc:
            # Never connected, or reset before any answer: the server counted nothing.
            if _never_reached(exc):
                self.meter.release(day)
            raise
        service = self.meter.current_service()
        try:
            content = response.content  # reads the body now, inside the meter
        except Exception:
            self.meter.record(_wire_bytes(response, b""), requests=0)
            raise
        self.meter.record(_wire_bytes(response, content), requests=0, service=service)
        return response


def _wire_bytes(response: requests.Response, content: bytes) -> int:
    """Bytes that crossed the wire for the body (compressed size if the server compressed)."""
    raw = getattr(response, "raw", None)
    tell = getattr(raw, "tell", None)
    if callable(tell):
        with contextlib.suppress(Exception):
            n = int(tell())
            if n > 0:
                return n
    return len(content or b"")


def _never_reached(exc: requests.exceptions.ConnectionError) -> bool:
    """Whether to count nothing for a request that got no answer at all.

    True for a connection never made, and for one reset (RST) or broken
    before any byte of an answer: the server counted nothing (an idle
    keep-alive it closed, a reset). False for a connection the server closed
    cleanly after reading the request without answering (``RemoteDisconnected``):
    it may have handled it (the sandbox's ``lost_response`` does), and a meter
    that counts it cannot overspend the day.
    """
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    reason: Any = exc.args[0] if exc.args else None
    reason = getattr(reason, "reason", reason)
    if type(reason).__name__ in {"NewConnectionError", "NameResolutionError"}:
        return True
    causes = [reason, *(getattr(reason, "args", ()) or ())]
    if any(isinstance(c, http.client.RemoteDisconnected) for c in causes):
        # Closed cleanly after reading the request, with no answer: the server
        # may have handled it (a lost response). Counting it never overspends.
        return False
    # RemoteDisconnected is a ConnectionResetError: closed before the status line
    dropped = (ConnectionRefusedError, ConnectionResetError, BrokenPipeError)
    return any(isinstance(c, dropped) for c in causes)
