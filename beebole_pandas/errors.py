"""Every exception beebole_pandas raises, in one tree.

Catch :class:`BeeboleError` to handle them all. Messages name the service,
the server's own words and what to do next; they never contain the token.

>>> import beebole_pandas as bb
>>> try:
...     bb.get_client()
... except bb.BeeboleError as exc:
...     print(type(exc).__name__)
NotConnected
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "AuthError",
    "BeeboleError",
    "BudgetExceeded",
    "CacheError",
    "NotConnected",
    "NotFound",
    "OfflineMiss",
    "PermissionDenied",
    "PushError",
    "QuotaExceeded",
    "SchemaError",
    "ServerError",
    "TransportError",
    "ValidationError",
]


class BeeboleError(Exception):
    """Base class of every error raised by beebole_pandas.

    Parameters
    ----------
    message
        A sentence a person can act on.
    service
        The API service involved (``"company.list"``), if any.
    server_message
        What the server said, verbatim, if it said anything.
    http_status
        The HTTP status of the response, if there was one.
    """

    def __init__(
        self,
        message: str,
        *,
        service: str | None = None,
        server_message: str | None = None,
        http_status: int | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.service = service
        self.server_message = server_message
        self.http_status = http_status
        self.details = details or {}


class NotConnected(BeeboleError):
    """No default client: call ``bb.connect(token)`` or ``bb.login()`` first."""


class AuthError(BeeboleError):
    """The token was refused (wrong token, or API access disabled on the account)."""


class PermissionDenied(BeeboleError):
    """The account is not allowed to do this (e.g. an employee editing a company)."""


class NotFound(BeeboleError):
    """The id or xid named in the request does not exist on the server."""


class QuotaExceeded(BeeboleError):
    """The server refused the call because the daily request or byte quota is spent."""


class BudgetExceeded(BeeboleError):
    """Refused locally: the call would pass the daily budget the client tracks."""


class ValidationError(BeeboleError):
    """The server (or local validation) found the request itself wrong."""


class ServerError(BeeboleError):
    """The server failed (HTTP 5xx)."""


class TransportError(BeeboleError):
    """The answer never arrived or was unreadable: timeout, reset, malformed JSON."""


class CacheError(BeeboleError):
    """A local file of the package (the cache or the budget count) cannot be used."""


class OfflineMiss(BeeboleError):
    """Offline mode, and the cache holds no answer for this request."""


class SchemaError(BeeboleError):
    """A frame or a value does not fit the entity's schema (unknown entity, bad column)."""


class PushError(BeeboleError):
    """A push was refused as a whole (budget, ambiguous entity); nothing was sent."""


def __dir__() -> list[str]:
    # Tab completion offers the public names only, not the imports.
    return sorted(__all__)
