"""Claims: requests and bytes promised to one piece of work (an export job)
before it starts, so that parallel jobs can never together promise more than
the day holds.

The claims live beside the counts, in the meter's ``budget.sqlite`` (table
``claim``): other processes sharing the file see them. The
:class:`~beebole_pandas.api.budget.Meter` makes, holds and releases them
(:meth:`~beebole_pandas.api.budget.Meter.claim`); this module keeps their
table and says why one is refused.

>>> import sqlite3
>>> db = sqlite3.connect(":memory:", isolation_level=None)
>>> create_table(db)
>>> claim = Claim("c1", requests=3, nbytes=4096, label="export")
>>> add(db, claim, "acct", "2026-11-28")
>>> outstanding(db, "acct", "2026-11-28")
(3, 4096)
>>> spend(db, claim, nbytes=1024, requests=1)
>>> spent(db, claim), outstanding(db, "acct", "2026-11-28")
((1, 1024), (2, 3072))
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass

from ..errors import BudgetExceeded
from .usage import Budget

__all__ = [
    "CLAIM_TTL",
    "Claim",
    "add",
    "create_table",
    "outstanding",
    "refusal",
    "release",
    "spend",
    "spent",
]

#: A claim older than this many seconds is forgotten (its process ended without releasing it).
CLAIM_TTL = 3600.0


@dataclass(frozen=True)
class Claim:
    """Requests and bytes promised to one piece of work (an export job) before it starts.

    While a claim is held (:meth:`Meter.holding`), the calls it makes spend
    it; other calls see only what is neither used nor claimed. Made by
    :meth:`Meter.claim`, given back by :meth:`Meter.release_claim`.

    Examples
    --------
    >>> claim = meter.claim(nbytes=300_000, requests=4, label="export")   # doctest: +SKIP
    """

    id: str
    requests: int
    nbytes: int
    label: str


def create_table(db: sqlite3.Connection) -> None:
    """Create the ``claim`` table if needed, and forget claims older than :data:`CLAIM_TTL`."""
    db.execute(
        "CREATE TABLE IF NOT EXISTS claim (id TEXT PRIMARY KEY, account TEXT NOT NULL, "
        "day TEXT NOT NULL, requests INTEGER NOT NULL, bytes INTEGER NOT NULL, "
        "spent_requests INTEGER NOT NULL DEFAULT 0, spent_bytes INTEGER NOT NULL DEFAULT 0, "
        "created REAL NOT NULL, label TEXT NOT NULL DEFAULT '')"
    )
    db.execute("DELETE FROM claim WHERE created < ?", (time.time() - CLAIM_TTL,))


def outstanding(
    db: sqlite3.Connection, account: str, day: str, *, exclude: str | None = None
) -> tuple[int, int]:
    """Requests and bytes claimed on ``day`` and not yet spent (but ``exclude``'s)."""
    row = db.execute(
        "SELECT coalesce(sum(max(requests - spent_requests, 0)), 0), "
        "coalesce(sum(max(bytes - spent_bytes, 0)), 0) FROM claim "
        "WHERE account = ? AND day = ? AND created >= ? AND id != ?",
        (account, day, time.time() - CLAIM_TTL, exclude or ""),
    ).fetchone()
    return int(row[0]), int(row[1])


def add(db: sqlite3.Connection, claim: Claim, account: str, day: str) -> None:
    """Record ``claim`` (the caller checked that it fits, in the same transaction)."""
    db.execute(
        "INSERT INTO claim (id, account, day, requests, bytes, created, label) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (claim.id, account, day, claim.requests, claim.nbytes, time.time(), claim.label),
    )


def spend(db: sqlite3.Connection, claim: Claim, *, nbytes: int = 0, requests: int = 0) -> None:
    """Count ``requests`` and ``nbytes`` as spent under ``claim``."""
    db.execute(
        "UPDATE claim SET spent_requests = spent_requests + ?, spent_bytes = spent_bytes + ? "
        "WHERE id = ?",
        (int(requests), int(nbytes), claim.id),
    )


def spent(db: sqlite3.Connection, claim: Claim) -> tuple[int, int]:
    """Requests and bytes spent so far under ``claim``."""
    row = db.execute(
        "SELECT spent_requests, spent_bytes FROM claim WHERE id = ?", (claim.id,)
    ).fetchone()
    return (int(row[0]), int(row[1])) if row else (0, 0)


def release(db: sqlite3.Connection, claim: Claim) -> None:
    """Forget ``claim`` (what is left of it is free again)."""
    db.execute("DELETE FROM claim WHERE id = ?", (claim.id,))


def refusal(label: str, requests: int, nbytes: int, budget: Budget) -> BudgetExceeded:
    """The refusal of a claim that does not fit: the figures, and that nothing was sent."""
    claimed = ""
    if budget.requests_claimed or budget.bytes_claimed:
        claimed = (
            f" ({budget.requests_claimed} requests and {budget.bytes_claimed / 1024:.1f} KB "
            "more are claimed by work already running)"
        )
    return BudgetExceeded(
        f"{label or 'work'} not started: it needs about {requests} requests and "
        f"{nbytes / 1024:.1f} KB, and {budget.requests_free} requests and "
        f"{budget.kb_free:.1f} KB are free today{claimed} ({budget.summary()}). "
        "Nothing was sent.",
        details={"budget": budget, "expected_bytes": nbytes, "expected_requests": requests},
    )
