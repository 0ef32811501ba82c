"""What the client makes of an endpoint URL and of the server's answers.

Split from :mod:`beebole_pandas.client` so that the rules live in one small
place: which URLs may receive the token (HTTPS, or plain HTTP on loopback), and
which exception of :mod:`beebole_pandas.errors` an answer becomes (HTTP status
first, then the server's wording, with :class:`ValidationError` as the default).

>>> check_url("http://127.0.0.1:8080/api/v2")
'http://127.0.0.1:8080/api/v2'
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from .errors import (
    AuthError,
    BeeboleError,
    NotFound,
    PermissionDenied,
    QuotaExceeded,
    ServerError,
    TransportError,
    ValidationError,
)

__all__ = ["DEFAULT_URL", "check_url", "decode_answer", "is_loopback", "status_error"]

DEFAULT_URL = "https://beebole-apps.com/api/v2"


def check_url(url: str) -> str:
    """The endpoint, refused unless HTTPS (plain HTTP only for loopback) and free of credentials."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.username or parts.password:
        raise ValidationError(
            "The Beebole URL must not contain credentials; pass the token as bb.connect(token) instead."
        )
    if not host:
        raise ValidationError(f"Invalid Beebole URL {url!r}: expected e.g. {DEFAULT_URL!r}.")
    if parts.scheme == "https":
        return url.rstrip("/")
    if parts.scheme == "http" and is_loopback(host):
        return url.rstrip("/")
    raise ValidationError(
        f"Refusing to send the token to {url!r}: the scheme must be https:// "
        "(plain http:// is allowed only for loopback addresses: 127.0.0.0/8, ::1, localhost). "
        f"Use {DEFAULT_URL!r} or an https:// URL."
    )


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def decode_answer(service: str, response: Any, *, scrub: Callable[[object], str]) -> dict[str, Any]:
    """The answer as a dict if it says ``status: ok``, else the matching :class:`BeeboleError`.

    ``scrub`` removes secrets from the server's words before they reach a message.
    """
    status = int(response.status_code)
    try:
        data = json.loads(response.content)
    except ValueError:
        data = None
    if status == 200 and isinstance(data, dict) and data.get("status") == "ok":
        return data
    message = data.get("message") if isinstance(data, dict) else None
    server_message = scrub(message) if message is not None else None
    if status == 200 and not isinstance(data, dict):
        raise TransportError(
            f"{service}: the server's answer was not valid JSON (truncated or garbled, "
            f"{len(response.content)} bytes). Try again; if it persists, the server is at fault.",
            service=service,
            http_status=status,
        )
    if status >= 500:
        said = f' and says "{server_message}"' if server_message else ""
        raise ServerError(
            f"{service}: the Beebole server failed (HTTP {status}){said}. Try again later.",
            service=service,
            server_message=server_message,
            http_status=status,
        )
    if 300 <= status < 400:
        raise TransportError(
            f"{service}: the server answered with a redirect (HTTP {status}) to "
            f"{response.headers.get('Location', '?')!r}; redirects are not followed with the token. "
            "Check the URL passed to bb.connect().",
            service=service,
            http_status=status,
            details={"retryable": False},
        )
    raise status_error(service, status, server_message)


def status_error(service: str, status: int, said: str | None) -> BeeboleError:
    """The exception for a refused call: by HTTP status first, then by the server's wording.

    >>> type(status_error("company.get", 200, "company 9 not found")).__name__
    'NotFound'
    """
    text = (said or "").lower()
    quote = (
        f'the server says "{said}"'
        if said
        else f"the server answered HTTP {status} without a message"
    )
    info: dict[str, Any] = {"service": service, "server_message": said, "http_status": status}
    auth_words = "invalid token" in text or "api access" in text
    if status == 429 or ("limit" in text and status != 401 and not auth_words):
        return QuotaExceeded(
            f"{service}: Beebole's daily quota is spent: {quote}. Wait for the reset, "
            "or work from the cache with offline=True.",
            **info,
        )
    if status == 401 or auth_words:
        advice = (
            "Enable API access for this user in Beebole's settings, or use another token."
            if "disabled" in text
            else "Check the token (in Beebole: your user settings, API token) and call bb.connect(token) again."
        )
        return AuthError(f"{service}: the token was refused: {quote}. {advice}", **info)
    if "permission denied" in text or status == 403:
        return PermissionDenied(
            f"{service}: not allowed for this account: {quote}. "
            "Use the token of a user with the right role (e.g. an administrator).",
            **info,
        )
    if "not found" in text or status == 404:
        return NotFound(
            f"{service}: {quote}. Check the id or xid (reload the list with refresh=True if it changed).",
            **info,
        )
    return ValidationError(
        f"{service}: the request was refused: {quote}. Fix the parameters "
        "(see the Beebole API reference for this service).",
        **info,
    )
