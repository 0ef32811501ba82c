"""Fault injection for the sandbox server: which request fails, and how.

The HTTP layer (:mod:`beebole_pandas.sandbox.server`) asks
:meth:`FaultInjector.draw` once per authenticated, in-quota request and acts
out the kind it gets back. The kinds, as a client sees them:

============== ==============================================================
kind           effect
============== ==============================================================
http500        HTTP 500 with a JSON status-error body; the request is not applied
http503        HTTP 503 with a JSON status-error body; not applied
timeout        no answer for ``delay`` s (default 35), then the connection drops;
               not applied
reset          the connection is reset before the request is handled; not
               applied, and it does not count against the quota
lost_response  the request is handled (a write **is** applied), then the
               connection drops without an answer
malformed      HTTP 200 whose JSON body is cut in half; the request **is**
               applied (the answer was lost in transit, not the request)
error          HTTP 200 with ``{"status": "error", "message": "injected error"}``;
               not applied
============== ==============================================================

>>> injector = FaultInjector()
>>> injector.set("http500", times=1)
>>> injector.draw("company.list").kind
'http500'
>>> injector.draw("company.list") is None
True
"""

from __future__ import annotations

import random
import threading
from collections.abc import Collection, Iterable
from dataclasses import dataclass

__all__ = ["DEFAULT_TIMEOUT_DELAY", "FAULT_KINDS", "Fault", "FaultInjector"]

FAULT_KINDS: tuple[str, ...] = (
    "http500",
    "http503",
    "timeout",
    "reset",
    "lost_response",
    "malformed",
    "error",
)

#: How long a ``timeout`` fault holds the connection when no ``delay`` is given: longer
#: than the client's default 30 s timeout, so that the client sees a timeout, not a drop.
DEFAULT_TIMEOUT_DELAY = 35.0


@dataclass(frozen=True)
class Fault:
    """One injected fault, as configured by :meth:`FaultInjector.set`.

    ``delay`` is the hold time of a ``timeout`` fault; for the other kinds it
    is a pause before the fault is acted out (0 by default).
    """

    kind: str
    probability: float = 1.0
    times: int | None = None
    services: frozenset[str] | None = None
    delay: float = 0.0

    def matches(self, service: str | None) -> bool:
        """Whether a request for ``service`` is subject to this fault."""
        return self.services is None or (service is not None and service in self.services)


class FaultInjector:
    """The current fault plan of one server; thread-safe.

    Draws use a private :class:`random.Random` seeded by :meth:`set`, so a test
    that injects with ``probability=0.3`` sees the same requests fail on every
    run (given the same order of requests).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._fault: Fault | None = None
        self._left: int | None = None
        self._rng = random.Random(0)

    @property
    def active(self) -> Fault | None:
        """The fault currently injected, or None."""
        with self._lock:
            return self._fault

    def set(
        self,
        kind: str | None,
        *,
        probability: float = 1.0,
        times: int | None = None,
        services: Iterable[str] | str | None = None,
        delay: float | None = None,
        seed: int = 0,
        known_services: Collection[str] | None = None,
    ) -> None:
        """Replace the fault plan; ``kind=None`` clears it.

        Parameters
        ----------
        kind
            One of :data:`FAULT_KINDS`, or None for no fault.
        probability
            Chance in [0, 1] that a matching request fails.
        times
            Fail only this many matching requests (those drawn by
            ``probability``), then clear the plan. None: no limit.
        services
            Only requests for these services are affected (None: all).
        delay
            Seconds; see :class:`Fault`.
        seed
            Seed of the random draws.
        known_services
            If given, ``services`` must be among them.

        Examples
        --------
        >>> FaultInjector().set("timeout", delay=0.5, services=["time_entry.create"])
        """
        if kind is None:
            with self._lock:
                self._fault, self._left = None, None
            return
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; valid kinds: {', '.join(FAULT_KINDS)}")
        if not 0.0 <= probability <= 1.0:
            raise ValueError(f"probability must be in [0, 1], got {probability!r}")
        if times is not None and (
            isinstance(times, bool) or not isinstance(times, int) or times < 1
        ):
            raise ValueError(f"times must be a positive integer or None, got {times!r}")
        if delay is not None and not delay >= 0:
            raise ValueError(f"delay must be a number of seconds >= 0, got {delay!r}")
        chosen: frozenset[str] | None = None
        if services is not None:
            chosen = frozenset([services] if isinstance(services, str) else services)
            if known_services is not None:
                unknown = sorted(chosen - set(known_services))
                if unknown:
                    raise ValueError(
                        f"unknown services {unknown} in services=; valid services are the "
                        f"{len(known_services)} of server.backend.services, e.g. 'company.list'"
                    )
        if delay is None:
            delay = DEFAULT_TIMEOUT_DELAY if kind == "timeout" else 0.0
        fault = Fault(kind, float(probability), times, chosen, float(delay))
        with self._lock:
            self._fault, self._left = fault, times
            self._rng = random.Random(seed)

    def draw(self, service: str | None) -> Fault | None:
        """The fault to act out on this request, or None; consumes ``times``."""
        with self._lock:
            fault = self._fault
            if fault is None or not fault.matches(service):
                return None
            if fault.probability < 1.0 and self._rng.random() >= fault.probability:
                return None
            if self._left is not None:
                self._left -= 1
                if self._left <= 0:
                    self._fault, self._left = None, None
            return fault
