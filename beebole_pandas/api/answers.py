"""What the client makes of an endpoint URL and of the server's answers.

Split from :mod:`beebole_pandas.api.client` so that the rules live in one small
place: which URLs may receive the token (:mod:`.urls`, re-exported here), and
which exception of :mod:`beebole_pandas.errors` an answer becomes (HTTP status
first, then the server's wording, with :class:`ValidationError` as the default).

>>> check_url("http://127.0.0.1:8080/api/v2")
'http://127.0.0.1:8080/api/v2'
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable
from typing import Any

from ..errors import (
    AuthError,
    BeeboleError,
    NotFound,
    PermissionDenied,
    QuotaExceeded,
    ServerError,
    TransportError,
    ValidationError,
)
from .urls import check_url, is_loopback

__all__ = [
    "DEFAULT_URL",
    "check_url",
    "decode_answer",
    "default_url",
    "is_loopback",
    "is_ok",
    "maybe_applied",
    "scrub",
    "status_error",
    "transport_error",
]

DEFAULT_URL = "https://beebole-apps.com/api/v2"

#: What a spent quota sounds like (matched after quoted values are removed, so an
#: xid such as 'ACME-LIMITED' is never mistaken for one).
_QUOTA = re.compile(
    r"(daily|request|transfer|rate) limit|limit of [\d ,.]+\s*(kb|mb|requests?)?\s*"
    r"(reached|exceeded)|quota (is )?(exceeded|reached|spent)"
)
#: A quoted value in a server message: 'ACME-LIMITED' (an apostrophe inside a word is not one).
_QUOTED = re.compile(r"(?<!\w)'[^']*'(?!\w)|\"[^\"]*\"")


def default_url() -> str:
    """``$BEEBOLE_URL`` if set and non-empty, else :data:`DEFAULT_URL`.

    >>> default_url() in (DEFAULT_URL, os.environ.get("BEEBOLE_URL"))
    True
    """
    return os.environ.get("BEEBOLE_URL") or DEFAULT_URL


def scrub(text: object, secrets: Iterable[str]) -> str:
    """``text`` with every secret replaced by ``<token>``.

    >>> scrub("bad token abc", ["abc"])
    'bad token <token>'
    """
    out = str(text)
    for secret in secrets:
        if secret:
            out = out.replace(secret, "<token>")
    return out


def is_ok(data: object) -> bool:
    """Whether a decoded JSON answer (of an HTTP 200) reports success.

    ``status: "ok"`` (any case) is success and any other ``status`` a failure.
    An object without ``status`` is a success unless it carries a
    ``message``: the reference shows four answers with their data alone
    (``custom_field.list``, ``group.tree``, ``time_entry.get_entities``,
    ``time_entry.get_tasks``), while it says an error always comes with a message.

    >>> is_ok({"status": "ok"}), is_ok({"groups": []}), is_ok({"status": "error", "message": "x"})
    (True, True, False)
    >>> is_ok({"message": "Invalid service request"}), is_ok([1])
    (False, False)
    """
    if not isinstance(data, dict):
        return False
    if "status" in data:
        said = data["status"]
        return isinstance(said, str) and said.strip().lower() == "ok"
    return data.get("message") is None


def decode_answer(service: str, response: Any, *, scrub: Callable[[object], str]) -> dict[str, Any]:
    """The answer as a dict if it reports success (:func:`is_ok`), else the
    matching :class:`BeeboleError`. A success without ``status`` is returned
    as it came (the client caches it with ``status: "ok"`` added).

    ``scrub`` removes secrets from the server's words before they reach a message.
    """
    status = int(response.status_code)
    try:
        data = json.loads(response.content)
    except ValueError:
        data = None
    if status == 200 and is_ok(data):
        return data  # type: ignore[return-value]
    message = data.get("message") if isinstance(data, dict) else None
    server_message = scrub(message) if message is not None else None
    if status in (404, 405) or (status == 200 and _is_web_page(response, data)):
        what = f"HTTP {status}" if status != 200 else "a web page, not JSON"
        raise TransportError(
            f"{service}: no Beebole API at {response.url or 'this URL'} (the server answered "
            f"{what}): check url= or BEEBOLE_URL (expected e.g. {DEFAULT_URL!r}).",
            service=service,
            server_message=server_message,
            http_status=status,
            details={"retryable": False},
        )
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


def _is_web_page(response: Any, data: object) -> bool:
    """An HTML answer: the URL points at a web site, not at the API (never worth a retry)."""
    kind = str(getattr(response, "headers", {}).get("Content-Type", "")).lower()
    return data is None and ("text/html" in kind or response.content[:15].lstrip().startswith(b"<"))


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
    unquoted = _QUOTED.sub("", text)
    if status == 429 or (status != 401 and not auth_words and _QUOTA.search(unquoted)):
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


def transport_error(
    service: str, exc: Exception, *, url: str, timeout: float, scrub: Callable[[object], str]
) -> TransportError:
    """The :class:`TransportError` for a request that got no answer (``requests``' ``exc``)."""
    import requests

    if isinstance(exc, requests.exceptions.SSLError):
        return TransportError(
            f"{service}: the TLS certificate of {url} could not be verified ({scrub(exc)}). "
            "Check the URL; verification is never turned off.",
            service=service,
            details={"retryable": False},
        )
    if isinstance(exc, requests.exceptions.Timeout):
        return TransportError(
            f"{service}: no answer from {url} within {timeout:g} s. "
            "Check the network, or pass a larger timeout= to bb.connect().",
            service=service,
        )
    return TransportError(
        f"{service}: the connection to {url} failed ({type(exc).__name__}: {scrub(exc)}). "
        "Check the network and the URL, then try again.",
        service=service,
    )


def maybe_applied(exc: BeeboleError) -> BeeboleError:
    """The same error for a failed write, saying it may have been applied (never retried)."""
    return type(exc)(
        f"{exc.message} The write was not retried: it may or may not have been applied; "
        "check before sending it again (a push is safe to run again).",
        service=exc.service,
        server_message=exc.server_message,
        http_status=exc.http_status,
        details={**exc.details, "maybe_applied": True},
    )
