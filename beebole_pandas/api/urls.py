"""Which endpoint URLs may receive the token, judged as the HTTP stack will parse them.

The rule is one sentence: ``https://`` to any host; plain ``http://`` only to a
literal loopback address (``127.0.0.0/8`` or ``[::1]``); anything ambiguous is
refused. The token travels as HTTP Basic auth, readable by anyone on the path
of a plain-HTTP request, so the host that counts is the one ``requests``
really connects to, not the one another parser sees in the same text.

A URL is therefore read three ways: by a strict grammar of our own (printable
ASCII, no backslash, no ``user@``, a host of letters, digits, ``.``, ``-``,
``_`` or a bracketed IPv6 literal, a numeric port), by :func:`urllib.parse.urlsplit`
and by :func:`urllib3.util.parse_url`, before and after
:meth:`requests.PreparedRequest.prepare_url` (requests picks its connection
pool from ``urlparse(prepared.url)``). Unless every reading names the same
scheme, host and port, the URL is refused as ambiguous.

>>> check_url("http://127.0.0.1:8080/api/v2")
'http://127.0.0.1:8080/api/v2'
>>> is_loopback("localhost")
False
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
import unicodedata
from typing import NamedTuple
from urllib.parse import urlsplit

import requests
from urllib3.util import parse_url

from ..errors import ValidationError

__all__ = ["ALLOWED", "check_url", "is_loopback", "shown_url"]

#: What a refusal says is allowed (the end of every message of :func:`check_url`).
ALLOWED = (
    "Allowed: https:// to any host, or plain http:// only to a literal loopback address, "
    "127.0.0.0/8 or [::1] (as the sandbox's http://127.0.0.1:PORT/api/v2); use https://"
)

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://")
#: A scheme and the slashes after it: what a message may show before a redacted ``user@``.
_SCHEME_PREFIX = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[/\\]+")
#: Where the authority ends for every parser once backslashes are refused.
_AUTHORITY_END = re.compile(r"[/?#]")
#: A host name or dotted IPv4 literal, exactly as it goes on the wire (no IDNA, no %XX).
_NAME = re.compile(r"[A-Za-z0-9._-]+")
_PORT = re.compile(r"[0-9]{1,5}")
_IPV6_LOOPBACK = ipaddress.IPv6Address("::1")
#: What a pasted URL may carry around it: dropped, not refused.
_BLANKS = " \t\r\n\f\v"


class _View(NamedTuple):
    """What one parser makes of a URL: the parts that decide where the token goes."""

    scheme: str
    host: str
    port: int | None
    userinfo: bool


class _Refused(Exception):
    """Internal: why a URL is refused (turned into a :class:`ValidationError`)."""


def check_url(url: str) -> str:
    """The endpoint, normalised as ``requests`` sends it, if the token may go there.

    Allowed: ``https://`` to any host, and plain ``http://`` only to a literal
    loopback address (``127.0.0.0/8`` or ``[::1]``; not ``localhost``, a name
    that may resolve elsewhere). Refused: credentials in the URL, backslashes,
    whitespace or control characters inside it, non-ASCII characters, a
    percent-encoded host, an IPv6 zone id, an empty host or port, and any URL
    on whose scheme, host or port :mod:`urllib.parse`, :mod:`urllib3` and
    :mod:`requests` do not all agree.

    Parameters
    ----------
    url
        The endpoint, e.g. ``https://beebole-apps.com/api/v2``. Surrounding
        ASCII blanks (a pasted value) are dropped; other whitespace is refused.

    Returns
    -------
    str
        The URL as ``requests`` prepares it (scheme and host in lower case),
        without a trailing slash.

    Raises
    ------
    TypeError
        ``url`` is not a ``str``.
    ValidationError
        The URL is refused; the message names it (any ``user:password@`` part
        redacted) and says what is allowed.

    Examples
    --------
    >>> check_url("HTTPS://Beebole-Apps.com/api/v2/")
    'https://beebole-apps.com/api/v2'
    >>> check_url("http://[::1]:8080/api/v2")
    'http://[::1]:8080/api/v2'
    >>> check_url("http://192.0.2.2:8080\\\\[::1]/api/v2")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    beebole_pandas.errors.ValidationError: Refusing to send the token to ...
    """
    if not isinstance(url, str):
        raise TypeError(f"check_url() argument 'url' must be str, not {type(url).__name__}")
    # A pasted value may bring ASCII blanks along; str.strip() would also drop
    # U+001C..U+001F, U+0085, U+2028..., which are refused like any control character.
    text = url.strip(_BLANKS)
    try:
        mine = _read(text)
        sent = _agreed(text, mine)
        if mine.scheme == "http" and not is_loopback(mine.host):
            raise _Refused(_why_not_loopback(mine.host))
        # requests prepares the returned URL again on every call: it must still agree.
        result = sent.rstrip("/")
        _agreed(result, mine)
    except _Refused as exc:
        raise ValidationError(
            f"Refusing to send the token to {shown_url(url)!r}: {exc}. {ALLOWED}."
        ) from None
    return result


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a literal loopback address: ``127.0.0.0/8`` or ``::1``.

    Names are not addresses: ``localhost`` may resolve anywhere (``/etc/hosts``,
    DNS, a proxy's view). IPv6 zone ids and IPv4-mapped forms
    (``::ffff:127.0.0.1``) are not accepted either: where they lead depends on
    the platform's socket options. One pair of brackets around an IPv6 literal
    is allowed.

    Parameters
    ----------
    host
        A host as in a URL, e.g. ``127.0.0.1``, ``::1`` or ``[::1]``.

    Returns
    -------
    bool
        True for a literal loopback address.

    Examples
    --------
    >>> [is_loopback(h) for h in ("127.0.0.1", "127.9.9.9", "[::1]", "::ffff:127.0.0.1")]
    [True, True, True, False]
    """
    if not isinstance(host, str):
        raise TypeError(f"is_loopback() argument 'host' must be str, not {type(host).__name__}")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not host.isascii():  # the stack never sees a non-ASCII host: IDNA rewrites it first
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv4Address):
        return address.is_loopback
    return address.scope_id is None and address == _IPV6_LOOPBACK


def _read(text: str) -> _View:
    """The URL by our strict grammar, or :class:`_Refused` saying what breaks it."""
    if not text:
        raise _Refused("it is empty")
    for position, char in enumerate(text, start=1):
        if char == "\\":
            raise _Refused(
                f"it contains a backslash at position {position} "
                "(parsers disagree on whether a backslash ends the host)"
            )
        if not "!" <= char <= "~":
            name = unicodedata.name(char, "a control character")
            raise _Refused(
                f"it contains U+{ord(char):04X} {name} at position {position}; a URL here is "
                "printable ASCII without spaces (a host in its xn-- form, a path percent-encoded)"
            )
    match = _SCHEME.match(text)
    if match is None:
        raise _Refused("it has no scheme")
    scheme = match[1].lower()
    if scheme not in ("http", "https"):
        raise _Refused(f"the scheme is {match[1]}://")
    authority = _AUTHORITY_END.split(text[match.end() :], maxsplit=1)[0]
    if "@" in authority:
        raise _Refused(
            "it contains credentials (user:password@); pass the token as bb.connect(token) instead"
        )
    host, port_text = _split_authority(authority)
    port = None
    if port_text is not None:
        if not _PORT.fullmatch(port_text) or not 0 < int(port_text) < 65536:
            what = "a port that is not" if port_text else "':' without a port, which must be"
            raise _Refused(f"it has {what} a number from 1 to 65535")
        port = int(port_text)
    return _View(scheme, _same_host(host), port, userinfo=False)


def _split_authority(authority: str) -> tuple[str, str | None]:
    """``host[:port]`` as (host without brackets, port text or None)."""
    if authority.startswith("["):
        close = authority.find("]")
        if close < 0:
            raise _Refused("it has a '[' without ']' in the host")
        host, after = authority[1:close], authority[close + 1 :]
        if after and not after.startswith(":"):
            raise _Refused("it has text between the ']' of the host and its ':' or '/'")
        if "%" in host:
            raise _Refused("the host has an IPv6 zone id (%25...), which is not one fixed address")
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise _Refused("the host in brackets is not an IPv6 address") from None
        return host, after[1:] if after else None
    if authority.count(":") > 1:
        raise _Refused("an IPv6 address must be written in brackets, e.g. http://[::1]:8080")
    host, colon, port_text = authority.partition(":")
    if not host:
        raise _Refused("it has no host")
    if "%" in host:
        raise _Refused("the host is percent-encoded")
    if not _NAME.fullmatch(host):
        raise _Refused("the host has a character other than letters, digits, '.', '-' and '_'")
    return host, port_text if colon else None


def _agreed(text: str, mine: _View) -> str:
    """The URL as requests will send it, after checking every parser reads ``mine`` in it.

    requests prepares a URL with :func:`urllib3.util.parse_url`, then picks the
    connection pool from ``urllib.parse.urlparse`` of the prepared URL (see
    ``requests.adapters._urllib3_request_context``): the readings before and
    after preparation must all name the same scheme, host and port.
    """
    try:
        prepared = requests.PreparedRequest()
        prepared.prepare_url(text, None)
        sent = str(prepared.url)
        views = {
            "urllib.parse": _split_view(text),
            "urllib3": _urllib3_view(text),
            "requests": _split_view(sent),
            "urllib3 after requests": _urllib3_view(sent),
        }
    except (ValueError, requests.RequestException) as exc:  # LocationParseError, InvalidURL, ...
        raise _Refused(f"it cannot be parsed ({type(exc).__name__})") from None
    for parser, view in views.items():
        if view != mine:
            differ = [part for part in _View._fields if getattr(view, part) != getattr(mine, part)]
            raise _Refused(f"it is ambiguous: {parser} reads another {' and '.join(differ)}")
    return sent


def _split_view(text: str) -> _View:
    parts = urlsplit(text)
    return _View(
        parts.scheme.lower(),
        _same_host(parts.hostname or ""),
        parts.port,  # ValueError when out of range or not a number
        userinfo=parts.username is not None or parts.password is not None,
    )


def _urllib3_view(text: str) -> _View:
    parts = parse_url(text)
    return _View(
        (parts.scheme or "").lower(),
        _same_host(parts.host or ""),
        parts.port,
        userinfo=parts.auth is not None,
    )


def _same_host(host: str) -> str:
    """A host in one spelling, so that parsers can be compared: no brackets, lower case,
    an IP literal compressed (urlsplit keeps ``0:0:0:0:0:0:0:1``, both mean ``::1``)."""
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return host.lower()


def _why_not_loopback(host: str) -> str:
    """Why plain HTTP to ``host`` is refused, with the fix when there is an obvious one.

    The host is not echoed: the URL, shown redacted, already names it.
    """
    name = host.rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return (
            "localhost is a name, not a literal loopback address (a name may resolve "
            "elsewhere); write http://127.0.0.1:PORT/... instead"
        )
    with contextlib.suppress(ValueError):
        mapped = ipaddress.IPv6Address(host).ipv4_mapped
        if mapped is not None and mapped.is_loopback:
            # Linux routes it to 127.0.0.1, other systems refuse it: not one fixed place
            return (
                "an IPv4-mapped address is not a literal loopback address; "
                f"write http://{mapped}:PORT/... instead"
            )
    return "plain http:// would carry it unencrypted to a host that is not a loopback address"


def shown_url(url: str) -> str:
    """The URL for a message, with everything between its scheme and its last ``@`` redacted.

    Parsers disagree on where credentials end (a password may hold ``/``, ``#``
    or ``:``), so anything any of them, or the person who typed it, could take
    for ``user:password`` goes; a path with an ``@`` loses more than it must,
    which a message can afford.

    >>> shown_url("https://user:pa/ss@example.com/api/v2")
    'https://<redacted>@example.com/api/v2'
    """
    at = url.rfind("@")
    if at < 0:
        return url
    scheme = _SCHEME_PREFIX.match(url)
    start = min(scheme.end() if scheme else 0, at)
    return f"{url[:start]}<redacted>{url[at:]}"
