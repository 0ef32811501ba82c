"""The HTTP/1.1 request handler of the sandbox: parsing, framing, answering.

One :class:`Handler` per TCP connection serves its requests one after another
(keep-alive). It reads and checks the transport (path, method, body size,
chunked bodies) and hands each POST to ``SandboxServer._answer``, which
applies auth, quota, faults and the backend. Every answer is compact UTF-8
JSON with a Content-Length.

Slow clients are cut off by deadlines on whole phases, not on single reads
(see :class:`_DeadlineReader`): headers late by ``header_timeout`` close the
connection, a body late by ``body_timeout`` gets HTTP 408, and an idle
keep-alive connection closes after ``idle_timeout``.

>>> parse_token("Basic " + base64.b64encode(b"abc:x").decode())
'abc'
"""

from __future__ import annotations

import base64
import binascii
import email.utils
import io
import json
import logging
import re
import socket
import struct
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, Protocol

from .quota import Stats

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

__all__ = [
    "API_PATH",
    "BODY_TIMEOUT",
    "HEADER_TIMEOUT",
    "IDLE_TIMEOUT",
    "MAX_BODY_BYTES",
    "NOT_JSON",
    "HTTPServer",
    "Handler",
    "Sandbox",
    "dump",
    "parse_body",
    "parse_token",
    "status_error",
]

logger = logging.getLogger(__name__)

API_PATH = "/api/v2"
#: Request bodies larger than this are refused with HTTP 413.
MAX_BODY_BYTES = 1 << 20
#: Idle keep-alive connections are closed after this many seconds.
IDLE_TIMEOUT = 120.0
#: A request line and headers must be complete this many seconds after the
#: request's first byte (a connection's first request: after the connection).
HEADER_TIMEOUT = 10.0
#: A request body must be complete this many seconds after its headers.
BODY_TIMEOUT = 10.0
_DRAIN_LIMIT = 16 * MAX_BODY_BYTES

NOT_JSON = object()  # marks a body that could not be parsed


_MAX_HEADERS = 100
_HEX = re.compile(rb"[0-9A-Fa-f]{1,16}")
_MAX_LINE = 65536


class _Headers(dict[str, str]):
    """Request headers by lower-case name; ``get`` is case-insensitive."""

    def get(self, name: str, default: Any = None) -> Any:  # type: ignore[override]
        return super().get(name.lower(), default)


_date_cache: tuple[int, str] = (0, "")


def _http_date() -> str:
    """The Date header value, formatted once per second."""
    global _date_cache
    now = int(time.time())
    if _date_cache[0] != now:
        _date_cache = (now, email.utils.formatdate(now, usegmt=True))
    return _date_cache[1]


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False)
_ASCII_ENCODER = json.JSONEncoder(separators=(",", ":"), allow_nan=False)


_DECODER = json.JSONDecoder(parse_constant=_reject_constant)


def dump(payload: dict[str, Any]) -> bytes:
    """Compact UTF-8 JSON; escapes what UTF-8 cannot carry (lone surrogates)."""
    try:
        return _ENCODER.encode(payload).encode()
    except UnicodeEncodeError:
        return _ASCII_ENCODER.encode(payload).encode()


def status_error(message: str) -> dict[str, Any]:
    """A Beebole status-error payload."""
    return {"status": "error", "message": message}


class _DeadlinePassed(TimeoutError):
    """A read deadline passed: the request's headers or body came too late."""


class _DeadlineReader(socket.SocketIO):
    """The read side of a connection, with one deadline shared by many reads.

    A socket timeout bounds each ``recv`` on its own, so a client that sends
    a byte a second never trips it. Under a deadline, each ``recv`` may only
    wait for what is left of it, and a read past it raises
    :class:`_DeadlinePassed` whatever has arrived meanwhile. Without a
    deadline every read waits up to ``idle`` seconds, as a plain socket would.
    """

    def __init__(self, sock: socket.socket, idle: float) -> None:
        super().__init__(sock, "rb")
        self._conn = sock
        self._idle = idle
        # what the socket is set to, so that settimeout (a syscall) runs only on change
        self._timeout = sock.gettimeout()
        self._set_timeout(idle)
        self._deadline: float | None = None
        self._late = ""

    @property
    def deadline(self) -> float | None:
        """The :func:`time.monotonic` time reads must end by, or None."""
        return self._deadline

    def expire_in(self, seconds: float, what: str) -> None:
        """Let the following reads end ``seconds`` from now at the latest.

        Parameters
        ----------
        seconds
            Time left for everything read until :meth:`no_deadline`.
        what
            What is being read, for the message of :class:`_DeadlinePassed`.
        """
        self._deadline = time.monotonic() + seconds
        self._late = f"{what} not complete within {seconds:g} s"

    def no_deadline(self) -> None:
        """Back to the idle timeout per read, which writes use too."""
        self._deadline = None
        self._set_timeout(self._idle)

    def readinto(self, buffer: WriteableBuffer) -> int | None:
        if self._deadline is None:
            return super().readinto(buffer)
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise _DeadlinePassed(self._late)
        self._set_timeout(left)
        try:
            return super().readinto(buffer)
        except TimeoutError as exc:
            raise _DeadlinePassed(self._late) from exc

    def _set_timeout(self, seconds: float) -> None:
        if seconds != self._timeout:
            self._conn.settimeout(seconds)
            self._timeout = seconds


class Sandbox(Protocol):
    """What a connection needs of the sandbox that owns the listening socket
    (:class:`~beebole_pandas.sandbox.server.SandboxServer`)."""

    stats_counter: Stats
    header_timeout: float
    body_timeout: float
    idle_timeout: float

    def _opened(self, conn: socket.socket) -> None: ...

    def _closed(self, conn: socket.socket) -> None: ...

    def _answer(self, handler: Handler, body: bytes) -> None: ...


class HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64
    sandbox: Sandbox


class Handler(BaseHTTPRequestHandler):
    """One TCP connection; serves its requests one after another (keep-alive)."""

    protocol_version = "HTTP/1.1"
    server_version = "BeeboleSandbox/1.0"
    sys_version = ""
    # headers and body leave in one buffered write (handle_one_request flushes)
    wbufsize = 1 << 16
    timeout = IDLE_TIMEOUT
    server: HTTPServer
    raw_requestline: bytes
    _reader: _DeadlineReader
    responded = False
    resetting = False  # set by a ``reset`` fault: the connection ends with an RST

    def version_string(self) -> str:
        return self.server_version

    # -- connection life -------------------------------------------------
    def setup(self) -> None:
        sandbox = self.server.sandbox
        super().setup()
        # small answers must not wait for the client's delayed ACK (Nagle)
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.rfile.close()  # only releases makefile's reference; the socket stays open
        self._reader = _DeadlineReader(self.connection, sandbox.idle_timeout)
        self.rfile = io.BufferedReader(self._reader)
        # As nginx's client_header_timeout: the first request is due from the
        # connection on, so a client that connects and says nothing is not
        # kept for the whole idle timeout.
        self._reader.expire_in(sandbox.header_timeout, "request headers")
        sandbox._opened(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass  # the client or a fault already dropped the connection
        finally:
            self.server.sandbox._closed(self.connection)
            if self.resetting:
                # Close now, with SO_LINGER 0: socketserver's shutdown_request would
                # first shutdown(SHUT_WR), and that FIN reads as a clean EOF, not a reset.
                self.connection.close()

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass  # one log line per request would cost more than the request

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s: " + format, self.client_address[0], *args)

    # -- requests --------------------------------------------------------
    def handle_one_request(self) -> None:
        """Serve one request: headers and body each within their deadline.

        Late headers (a timeout raised inside http.server's own
        ``handle_one_request``) close the connection without an answer. That
        is what nginx does too, whatever its documentation says about a 408:
        the client is usually gone, or never meant to finish.
        """
        first = self._first_byte()
        if first is None:
            self.close_connection = True
            return
        if first == b"\x16":
            # a TLS ClientHello has no line end: without this the client would
            # wait for its timeout instead of failing at once
            logger.debug("sandbox: TLS handshake on a plain HTTP port; closing")
            self.close_connection = True
            return
        if self._reader.deadline is None:
            # counted from the first byte: the pause since the last answer is idle time
            self._reader.expire_in(self.server.sandbox.header_timeout, "request headers")
        try:
            super().handle_one_request()
        except OSError as exc:
            # the client went away mid-request; socketserver would print a traceback
            logger.debug("sandbox: connection lost: %r", exc)
            self.close_connection = True
        finally:
            self._reader.no_deadline()

    def _first_byte(self) -> bytes | None:
        """The next request's first byte (b"" at EOF), or None if it did not come."""
        try:
            return self.rfile.peek(1)[:1]  # type: ignore[attr-defined,no-any-return]
        except _DeadlinePassed as exc:
            logger.debug("sandbox: %s; closing", exc)
        except OSError:
            pass  # idle timeout or reset: nothing to say
        return None

    def parse_request(self) -> bool:
        """The request line and headers, without http.server's email parser.

        Same outcome as :meth:`BaseHTTPRequestHandler.parse_request` for
        HTTP/1.0 and 1.1 (keep-alive rules, ``Expect: 100-continue``), at
        about half the cost: header parsing was the largest part of the
        server's time per request.
        """
        self.command = None  # type: ignore[assignment]
        self.request_version = version = self.default_request_version
        self.close_connection = True
        requestline = str(self.raw_requestline, "iso-8859-1").rstrip("\r\n")
        self.requestline = requestline
        words = requestline.split()
        if not words:
            return False
        if len(words) != 3 or not words[2].startswith("HTTP/1."):
            self.send_error(400 if len(words) != 3 else 505, f"bad request line {requestline!r}")
            return False
        self.command, self.path, version = words
        self.request_version = version
        headers = _Headers()
        last = ""
        for _ in range(_MAX_HEADERS + 1):
            line = self.rfile.readline(_MAX_LINE + 1)
            if len(line) > _MAX_LINE:
                self.send_error(431, "header line too long")
                return False
            if line in (b"\r\n", b"\n", b""):
                break
            text = line.decode("iso-8859-1")
            if text[0] in " \t" and last:  # obsolete line folding
                headers[last] += " " + text.strip()
                continue
            name, sep, value = text.partition(":")
            if not sep:
                self.send_error(400, "bad header line")
                return False
            last = name.strip().lower()
            headers[last] = value.strip()
        else:
            self.send_error(431, "too many headers")
            return False
        self.headers = headers  # type: ignore[assignment]
        connection = headers.get("connection", "").lower()
        self.close_connection = version == "HTTP/1.0" or connection == "close"
        if connection == "keep-alive":
            self.close_connection = False
        if headers.get("expect", "").lower() == "100-continue" and version != "HTTP/1.0":
            return self.handle_expect_100()
        return True

    # -- answers ---------------------------------------------------------
    def _send(self, status: int, body: bytes, *, close: bool = False, head: bool = False) -> None:
        """Write one whole answer (status line, headers, body) in one go."""
        # writes share the socket's timeout: not the last moments of a read deadline
        self._reader.no_deadline()
        self.responded = True
        phrase = self.responses[status][0] if status in self.responses else ""
        lines = [
            f"HTTP/1.1 {status} {phrase}",
            f"Server: {self.server_version}",
            f"Date: {_http_date()}",
            "Content-Type: application/json; charset=utf-8",
            f"Content-Length: {len(body)}",
        ]
        if status == 401:
            lines.append('WWW-Authenticate: Basic realm="Beebole API"')
        elif status == 405:
            lines.append("Allow: POST")
        if close:
            self.close_connection = True
            lines.append("Connection: close")
        head_bytes = ("\r\n".join(lines) + "\r\n\r\n").encode("iso-8859-1")
        self.wfile.write(head_bytes if head else head_bytes + body)

    def _refuse(
        self, status: int, message: str, *, close: bool = False, head: bool = False
    ) -> None:
        body = dump(status_error(message))
        self.server.sandbox.stats_counter.refused(status, 0 if head else len(body))
        self._send(status, body, close=close, head=head)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Protocol errors of http.server (bad request line, unknown method) as JSON."""
        if code == 501:  # a method http.server has no do_X for
            code, message = 405, f"method {self.command!r} not allowed; use POST"
        text = message or explain or "bad request"
        try:
            self._refuse(code, text, close=True, head=self.command == "HEAD")
        except OSError:
            self.close_connection = True

    def _drop(self, *, reset: bool) -> None:
        """Close the connection without answering (RST if ``reset``)."""
        self.close_connection = True
        if reset:
            try:
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
                self.resetting = True
            except OSError:
                pass

    # -- methods ---------------------------------------------------------
    def _not_allowed(self) -> None:
        if self._path_ok():
            self._refuse(
                405,
                f"method {self.command} not allowed; use POST {API_PATH}",
                close=not self._skip_body(),
                head=self.command == "HEAD",
            )

    do_GET = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _not_allowed

    def do_HEAD(self) -> None:
        self._not_allowed()

    def _path_ok(self) -> bool:
        path = self.path.split("?", 1)[0]
        if path.rstrip("/") == API_PATH:
            return True
        self._refuse(
            404,
            f"no such endpoint {path[:200]!r}; the API is POST {API_PATH}",
            close=not self._skip_body(),
            head=self.command == "HEAD",
        )
        return False

    def _skip_body(self) -> bool:
        """Read past the body of a refused request; False if the connection must close."""
        if self.headers.get("Transfer-Encoding"):
            return False
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            return False
        return 0 <= length <= _DRAIN_LIMIT and self._discard(length)

    def do_POST(self) -> None:
        if not self._path_ok():
            return
        body = self._read_body()
        if body is None:
            return
        self.responded = False
        try:
            self.server.sandbox._answer(self, body)
        except OSError:
            self.close_connection = True  # the client went away
        except Exception as exc:
            logger.exception("sandbox: unexpected error while answering a request")
            if self.responded:
                self.close_connection = True
            else:
                message = f"internal sandbox error: {type(exc).__name__}: {exc}"
                self._refuse(200, message, close=True)

    def _read_body(self) -> bytes | None:
        """The request body, or None after refusing it (or losing the client)."""
        encoding = (self.headers.get("Transfer-Encoding") or "identity").lower()
        if "chunked" in encoding:
            return self._in_time(self._read_chunked)
        if encoding != "identity":
            self._refuse(400, f"unsupported Transfer-Encoding {encoding!r}", close=True)
            return None
        raw = self.headers.get("Content-Length")
        try:
            length = int(raw) if raw is not None else 0
            if length < 0:
                raise ValueError
        except ValueError:
            self._refuse(400, f"bad Content-Length {raw!r}", close=True)
            return None
        if length > MAX_BODY_BYTES:
            # read what a client can reasonably send, so that it gets the 413
            # instead of a reset while it is still writing
            drained = length <= _DRAIN_LIMIT and self._discard(length)
            self._refuse(
                413,
                f"request body of {length} bytes is larger than the {MAX_BODY_BYTES} allowed",
                close=not drained,
            )
            return None
        return self._in_time(lambda: self._read_exact(length))

    def _in_time(self, read: Callable[[], bytes | None]) -> bytes | None:
        """``read()`` under the body deadline; on a late body, 408 and close.

        Parameters
        ----------
        read
            Reads the whole body; returns None after refusing it or losing
            the client.

        Returns
        -------
        bytes or None
            The body, or None once the request is answered or dropped.
        """
        timeout = self.server.sandbox.body_timeout
        self._reader.expire_in(timeout, "request body")
        try:
            return read()
        except _DeadlinePassed as exc:
            logger.debug("sandbox: %s; answering 408", exc)
        finally:
            self._reader.no_deadline()
        # the headers are whole, so the client gets a reason (nginx just closes)
        self._refuse(408, f"the request body did not arrive within {timeout:g} s", close=True)
        return None

    def _read_exact(self, length: int) -> bytes | None:
        body = self.rfile.read(length)
        if len(body) < length:
            self.close_connection = True
            return None
        return body

    def _discard(self, length: int) -> bool:
        """Read past ``length`` body bytes; False if the client stopped or was late."""
        self._reader.expire_in(self.server.sandbox.body_timeout, "request body")
        try:
            while length > 0:
                data = self.rfile.read(min(length, 1 << 16))
                if not data:
                    return False
                length -= len(data)
        except _DeadlinePassed as exc:
            # the request is refused anyway: its answer stands, then the
            # connection closes, as nginx does when discarding a body
            logger.debug("sandbox: %s; closing after the answer", exc)
            return False
        finally:
            self._reader.no_deadline()
        return True

    def _read_chunked(self) -> bytes | None:
        parts: list[bytes] = []
        size = 0
        while True:
            line = self.rfile.readline(1024)
            digits = line.split(b";", 1)[0].strip()
            # int() alone takes "-1" (and rfile.read(-1) would wait for EOF), "+1", "0x1", "1_0"
            if not _HEX.fullmatch(digits):
                self._refuse(400, "bad chunked request body", close=True)
                return None
            chunk = int(digits, 16)
            if chunk == 0:
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(parts)
            size += chunk
            if size > MAX_BODY_BYTES:
                self._refuse(
                    413,
                    f"request body is larger than the {MAX_BODY_BYTES} bytes allowed",
                    close=True,
                )
                return None
            data = self.rfile.read(chunk)
            self.rfile.readline(3)
            if len(data) < chunk:
                self.close_connection = True
                return None
            parts.append(data)


def parse_token(header: str | None) -> str | None:
    """The token of ``Authorization: Basic base64(token:x)``, or None."""
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    token, sep, _password = decoded.partition(":")
    return token if sep and token else None


def parse_body(body: bytes) -> object:
    """The JSON value of a request body, or :data:`NOT_JSON`."""
    try:
        return _DECODER.decode(body.decode("utf-8"))
    except (ValueError, RecursionError):
        return NOT_JSON
