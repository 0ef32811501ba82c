"""What one account has spent today and what is left: :class:`Budget`, the
snapshot the meter (:mod:`beebole_pandas.api.budget`) gives and
``client.budget`` shows.

>>> from datetime import UTC, datetime
>>> Budget("f00d", "2026-11-28", 12, 36_045, 4000, 2048, datetime(2026, 11, 29, tzinfo=UTC))
Budget(account f00d, 2026-11-28 UTC: 12/4000 requests, 35.2/2048 KB; resets 2026-11-29 00:00 UTC)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

__all__ = ["WARN_FRACTION", "Budget", "utc_now"]

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
    requests_claimed: int = 0
    bytes_claimed: int = 0

    @property
    def requests_left(self) -> int:
        return max(self.daily_requests - self.requests_used, 0)

    @property
    def requests_free(self) -> int:
        """Requests left today and not claimed by a running load."""
        return max(self.requests_left - self.requests_claimed, 0)

    @property
    def kb_free(self) -> float:
        """KB left today and not claimed by a running load (parallel export jobs)."""
        return max(self.kb_left - self.bytes_claimed / 1024, 0.0)

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
