"""The transport side of the meter: :class:`MeteredAdapter`, the session's HTTP
adapter, checks the budget before and counts after every real network call.

Counting at the transport means cache hits never reach it and every retry
does. (Response hooks fire twice per network call under requests-cache, and
``from_cache`` undercounts, so neither is used.)
"""

from __future__ import annotations

import contextlib
import http.client
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from .budget import Meter

__all__ = ["MeteredAdapter"]


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
