"""The daily request and transfer meter, persisted per account and per UTC day.

Beebole allows each user 4000 requests and 2048 KB a day. The meter counts
what really went over the network, measured at the transport: the session's
HTTP adapter is a :class:`~beebole_pandas.api.metered.MeteredAdapter`, so
cache hits never reach it and every retry does. What it gives is a
:class:`~beebole_pandas.api.usage.Budget`; work that promises itself bytes
before it starts (parallel export jobs) holds a
:class:`~beebole_pandas.api.claims.Claim`.

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
import logging
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ..errors import BudgetExceeded
from . import claims
from .claims import CLAIM_TTL, Claim
from .files import create_private_file, quarantine
from .usage import WARN_FRACTION, Budget, utc_now

__all__ = [
    "CLAIM_TTL",
    "WARN_FRACTION",
    "Budget",
    "Claim",
    "Meter",
    "meter_of",
    "utc_now",
]

logger = logging.getLogger(__name__)

#: Services whose answers no earlier one predicts: a job's status is a few
#: bytes while it runs and the whole export when it is done. The KB estimate
#: leaves them out (the cost of an export is a question for its caller).
UNPREDICTABLE = frozenset({"time_entry.get_job_info"})


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
        # Claims: what running loads (parallel export jobs) promised themselves.
        claims.create_table(db)
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
            claimed = self._outstanding(self._connection(), day)
        requests_used, bytes_used = row if row else (0, 0)
        return Budget(
            account=self.account,
            day=day,
            requests_used=int(requests_used),
            bytes_used=int(bytes_used),
            daily_requests=self.daily_requests,
            daily_kb=self.daily_kb,
            resets_at=resets_at,
            requests_claimed=claimed[0],
            bytes_claimed=claimed[1],
        )

    # -- claims ---------------------------------------------------------------

    def _outstanding(
        self, db: sqlite3.Connection, day: str, *, exclude: str | None = None
    ) -> tuple[int, int]:
        """Requests and bytes claimed today and not yet spent (caller holds the lock)."""
        return claims.outstanding(db, self.account, day, exclude=exclude)

    def claim(self, *, nbytes: int, requests: int = 1, label: str = "") -> Claim:
        """Promise ``nbytes`` response bytes and ``requests`` requests to one piece of
        work before it starts; refuse it when they do not fit in what is left today.

        Check and record happen in one transaction, so parallel jobs (threads,
        or other processes sharing the budget file) can never together promise
        more than the day holds.

        Raises
        ------
        BudgetExceeded
            The claim does not fit: the message names the figures.

        Examples
        --------
        >>> claim = meter.claim(nbytes=1_500_000, requests=5, label="export 2026-10")  # doctest: +SKIP
        >>> with meter.holding(claim):                                                   # doctest: +SKIP
        ...     ...  # the job's calls
        >>> meter.release_claim(claim)                                                   # doctest: +SKIP
        """
        nbytes, requests = max(int(nbytes), 0), max(int(requests), 0)
        day, resets_at = self._day()
        claim = Claim(uuid.uuid4().hex, requests, nbytes, label)
        with self._lock:
            db = self._connection()
            db.execute("BEGIN IMMEDIATE")
            try:
                used, used_bytes = db.execute(
                    "SELECT requests, bytes FROM usage WHERE account = ? AND day = ?",
                    (self.account, day),
                ).fetchone() or (0, 0)
                other_requests, other_bytes = self._outstanding(db, day)
                budget = Budget(
                    self.account,
                    day,
                    int(used),
                    int(used_bytes),
                    self.daily_requests,
                    self.daily_kb,
                    resets_at,
                    other_requests,
                    other_bytes,
                )
                if (
                    budget.requests_used + other_requests + requests > self.daily_requests
                    or budget.bytes_used + other_bytes + nbytes > self.daily_kb * 1024
                ):
                    raise claims.refusal(label, requests, nbytes, budget)
                claims.add(db, claim, self.account, day)
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        logger.debug("claimed %d requests, %.1f KB for %s", requests, nbytes / 1024, label)
        return claim

    def spent(self, claim: Claim) -> tuple[int, int]:
        """Requests and bytes spent so far under ``claim``."""
        with self._lock:
            return claims.spent(self._connection(), claim)

    def release_claim(self, claim: Claim) -> None:
        """Give back what is left of a claim (the work is over)."""
        with self._lock:
            claims.release(self._connection(), claim)

    @contextlib.contextmanager
    def holding(self, claim: Claim | None) -> Iterator[None]:
        """Make the calls of this thread spend ``claim`` (None: no claim)."""
        previous = getattr(self._local, "claim", None)
        self._local.claim = claim
        try:
            yield
        finally:
            self._local.claim = previous

    def _active_claim(self) -> Claim | None:
        return getattr(self._local, "claim", None)

    def record(self, nbytes: int, *, requests: int = 1, service: str | None = None) -> Budget:
        """Add ``requests`` network requests (default 1) and ``nbytes`` response bytes
        to today's count; with ``service``, remember the size of its answer."""
        day, _ = self._day()
        active = self._active_claim()
        with self._lock:
            before = self._add(day, requests, int(nbytes))
            if active is not None:
                claims.spend(self._connection(), active, nbytes=int(nbytes))
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
        active = self._active_claim()
        with self._lock:
            db = self._connection()
            db.execute("BEGIN IMMEDIATE")  # the write lock, also against other processes
            try:
                used, nbytes = db.execute(
                    "SELECT requests, bytes FROM usage WHERE account = ? AND day = ?",
                    (self.account, day),
                ).fetchone() or (0, 0)
                # What other running work claimed is not this call's to spend.
                others = self._outstanding(db, day, exclude=active.id if active else None)
                budget = Budget(
                    self.account,
                    day,
                    int(used),
                    int(nbytes),
                    self.daily_requests,
                    self.daily_kb,
                    resets_at,
                    *others,
                )
                # A call inside a claim was paid for when the claim was made.
                expected = 0 if active is not None else self._expected_bytes(db, service)
                if not allow_over:
                    if budget.exhausted or budget.requests_used + others[0] >= self.daily_requests:
                        raise _refusal(service, budget)
                    if budget.bytes_used + others[1] + expected > budget.daily_kb * 1024:
                        raise _refusal(service, budget, expected=expected)
                self._add(day, 1, 0)
                if active is not None:
                    claims.spend(db, active, requests=1)
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


def meter_of(client: Any) -> Meter:
    """The budget :class:`Meter` of a :class:`~beebole_pandas.api.client.Client`.

    Examples
    --------
    >>> meter_of(client).snapshot().kb_free   # doctest: +SKIP
    2048.0
    """
    meter = getattr(client, "meter", None)
    if not isinstance(meter, Meter):
        raise TypeError(f"{type(client).__name__} has no budget meter")
    return meter
