"""Per-token daily quotas and the served-traffic statistics of the sandbox.

Both are plain thread-safe counters; :mod:`beebole_pandas.sandbox.server`
decides when to call them.

Quota rules (per token, per server day, reset by ``advance_day``):

* A request is admitted while the token has used fewer than
  ``daily_requests`` requests and fewer than ``daily_kb * 1024`` response
  bytes today. So the request that crosses the byte limit is still answered;
  the next one gets HTTP 429.
* Response bytes are the body bytes of the answers (not the HTTP headers).
* Refused requests (401, 429) do not count. Requests hit by an injected
  fault count as the real server would have received them, except ``reset``
  (dropped before it is read); their bytes are those of the answer actually
  sent (none for ``timeout`` and ``lost_response``).

>>> quota = Quota(daily_requests=1, daily_kb=1)
>>> quota.admit("token") is None
True
>>> quota.admit("token")
'Daily request limit of 1 reached for this token; the quota resets at the start of the next day'
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

__all__ = ["Quota", "Stats"]


class Quota:
    """Requests and response bytes used per token in the current server day."""

    def __init__(self, *, daily_requests: int, daily_kb: int) -> None:
        self.daily_requests = daily_requests
        self.daily_kb = daily_kb
        self.day = 0
        self._lock = threading.Lock()
        # keyed by the token itself: kept in memory only, never shown
        self._requests: Counter[str] = Counter()
        self._bytes: Counter[str] = Counter()

    def admit(self, token: str) -> str | None:
        """Reserve one request for ``token``; return the refusal message if spent."""
        with self._lock:
            if self._requests[token] >= self.daily_requests:
                return (
                    f"Daily request limit of {self.daily_requests} reached for this token; "
                    "the quota resets at the start of the next day"
                )
            if self._bytes[token] >= self.daily_kb * 1024:
                return (
                    f"Daily transfer limit of {self.daily_kb} KB reached for this token; "
                    "the quota resets at the start of the next day"
                )
            self._requests[token] += 1
            return None

    def release(self, token: str) -> None:
        """Give back a request reserved by :meth:`admit` (it never reached the server)."""
        with self._lock:
            if self._requests[token] > 0:
                self._requests[token] -= 1

    def add_bytes(self, token: str, count: int) -> None:
        """Charge ``count`` response bytes to ``token``."""
        with self._lock:
            self._bytes[token] += count

    def usage(self, token: str) -> dict[str, int]:
        """``{"requests": N, "bytes": N}`` used by ``token`` today."""
        with self._lock:
            return {"requests": self._requests[token], "bytes": self._bytes[token]}

    def new_day(self) -> None:
        """Start a new server day: every token's quota is whole again."""
        with self._lock:
            self.day += 1
            self._requests.clear()
            self._bytes.clear()


class Stats:
    """What the server answered, for tests and benchmarks.

    ``snapshot()`` gives::

        {"requests": N,           # HTTP answers sent (any status)
         "bytes": N,              # their body bytes
         "by_service": {svc: N},  # answers to authenticated, admitted requests
         "by_token": {role: N},   # the same answers, by token role
         "refused": {status: N},  # answers that never reached a service
                                  # (401, 429, 404, 405, 400, 413, ...)
         "faults": {kind: N},     # injected faults acted out
         "connections": N}        # TCP connections accepted

    so ``requests == sum(by_service.values()) + sum(refused.values())``.
    Faults that send no answer (``timeout``, ``reset``, ``lost_response``) are
    only in ``faults``. Requests whose body is not JSON count under the service
    ``"(invalid)"``, without a ``service`` member under ``"(none)"``, and with
    a service the backend does not know under ``"(unknown)"``.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Set every counter back to zero."""
        with self._lock:
            self._requests = 0
            self._bytes = 0
            self._by_service: Counter[str] = Counter()
            self._by_token: Counter[str] = Counter()
            self._refused: Counter[int] = Counter()
            self._faults: Counter[str] = Counter()
            self._connections = 0

    def served(self, service: str, role: str, nbytes: int) -> None:
        """Count an answer to an authenticated, admitted request."""
        with self._lock:
            self._requests += 1
            self._bytes += nbytes
            self._by_service[service] += 1
            self._by_token[role] += 1

    def refused(self, status: int, nbytes: int) -> None:
        """Count an answer that never reached a service (auth, quota, path, ...)."""
        with self._lock:
            self._requests += 1
            self._bytes += nbytes
            self._refused[status] += 1

    def fault(self, kind: str) -> None:
        """Count a fault acted out."""
        with self._lock:
            self._faults[kind] += 1

    def connection(self) -> None:
        """Count an accepted TCP connection."""
        with self._lock:
            self._connections += 1

    def snapshot(self) -> dict[str, Any]:
        """A copy of the counters (see the class docstring)."""
        with self._lock:
            return {
                "requests": self._requests,
                "bytes": self._bytes,
                "by_service": dict(self._by_service),
                "by_token": dict(self._by_token),
                "refused": dict(self._refused),
                "faults": dict(self._faults),
                "connections": self._connections,
            }
