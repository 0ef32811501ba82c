"""The sandbox's HTTP side: auth, quotas, stats, keep-alive, concurrency, the CLI."""

from __future__ import annotations

import base64
import json
import os
import re
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest
import requests

from beebole_pandas import sandbox
from beebole_pandas.sandbox.server import (
    BODY_TIMEOUT,
    HEADER_TIMEOUT,
    IDLE_TIMEOUT,
    MAX_BODY_BYTES,
)

LIST = {"service": "company.list"}


def post(server, body=LIST, *, role: str | None = "admin", session=None, **kw) -> requests.Response:
    """POST ``body`` (a dict as JSON, bytes as is) with the token of ``role``."""
    sender = session or requests
    if role is not None:
        kw["auth"] = (server.tokens[role], "x")
    if isinstance(body, bytes):
        kw["data"] = body
    else:
        kw["json"] = body
    return sender.post(server.url, timeout=10, **kw)


@pytest.fixture(scope="module")
def server() -> Iterator[sandbox.SandboxServer]:
    """A demo server of this module's own (its stats are checked)."""
    with sandbox.serve(seed="demo", daily_requests=10**9, daily_kb=10**9) as srv:
        yield srv


# -- auth -------------------------------------------------------------------


def test_no_authorization_header_is_401_with_json(server) -> None:
    answer = post(server, role=None)
    assert answer.status_code == 401
    assert answer.headers["Content-Type"].startswith("application/json")
    body = answer.json()
    assert body["status"] == "error"
    assert "invalid token" in body["message"]


@pytest.mark.parametrize(
    "header",
    [
        "Bearer abc",
        "Basic !!!not-base64!!!",
        "Basic " + base64.b64encode(b"no-colon-here").decode(),
        "Basic " + base64.b64encode(b":x").decode(),
        "Basic",
    ],
)
def test_malformed_authorization_is_401(server, header: str) -> None:
    answer = requests.post(server.url, json=LIST, headers={"Authorization": header}, timeout=10)
    assert answer.status_code == 401
    assert "invalid token" in answer.json()["message"]


def test_unknown_token_is_401_and_not_echoed(server) -> None:
    answer = requests.post(server.url, json=LIST, auth=("not-a-token-4242", "x"), timeout=10)
    assert answer.status_code == 401
    body = answer.json()
    assert body["status"] == "error"
    assert "invalid token" in body["message"]
    assert "not-a-token-4242" not in answer.text


def test_disabled_account_is_401_with_clear_message(server) -> None:
    answer = post(server, role="disabled")
    assert answer.status_code == 401
    assert "API access is disabled" in answer.json()["message"]


@pytest.mark.parametrize("role", ["admin", "employee", "admin_fr"])
def test_good_tokens_are_served(server, role: str) -> None:
    answer = post(server, role=role)
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "ok"
    assert isinstance(body["companies"], list)


# -- quotas -----------------------------------------------------------------


def test_request_quota_per_token_and_day_reset() -> None:
    with sandbox.serve(seed="demo", daily_requests=3, daily_kb=10**6) as srv:
        assert [post(srv).status_code for _ in range(3)] == [200, 200, 200]
        refused = post(srv)
        assert refused.status_code == 429
        body = refused.json()
        assert body["status"] == "error"
        assert body["message"].startswith("Daily request limit of 3 reached")
        assert post(srv).status_code == 429
        assert srv.usage("admin")["requests"] == 3  # refusals do not count
        # another token has a quota of its own
        assert post(srv, role="employee").status_code == 200
        assert srv.usage("employee")["requests"] == 1
        assert srv.day == 0
        srv.advance_day()
        assert srv.day == 1
        assert srv.usage("admin") == {"requests": 0, "bytes": 0}
        assert post(srv).status_code == 200
        assert srv.stats()["refused"] == {429: 2}


def test_byte_quota_counts_response_bodies() -> None:
    with sandbox.serve(seed="demo", daily_requests=10**6, daily_kb=1) as srv:
        sizes: list[int] = []
        for _ in range(1000):
            answer = post(srv)
            if answer.status_code == 429:
                break
            assert answer.status_code == 200
            sizes.append(len(answer.content))
        else:
            pytest.fail("the 1 KB transfer limit was never reached")
        assert answer.json()["message"].startswith("Daily transfer limit of 1 KB reached")
        # admitted while under the limit; the request that crosses it is still answered
        assert sum(sizes[:-1]) < 1024 <= sum(sizes)
        assert srv.usage("admin")["bytes"] == sum(sizes)
        assert post(srv, role="employee").status_code == 200
        srv.advance_day()
        assert post(srv).status_code == 200


# -- stats ------------------------------------------------------------------


def test_stats_account_for_every_answer(server) -> None:
    server.reset_stats()
    answers = [post(server) for _ in range(3)]
    answers += [post(server, role="employee") for _ in range(2)]
    answers.append(post(server, {"service": "company.get", "id": 10**9}))
    answers.append(post(server, b"\x00not json"))
    answers.append(post(server, {"no": "service"}))
    answers.append(post(server, {"service": "no.such_service"}))
    answers.append(post(server, role=None))
    answers.append(requests.post(server.url + "/other", json=LIST, timeout=10))
    answers.append(requests.get(server.url, timeout=10))
    stats = server.stats()
    assert stats["requests"] == len(answers) == 12
    assert stats["bytes"] == sum(len(a.content) for a in answers)
    assert stats["by_service"] == {
        "company.list": 5,
        "company.get": 1,
        "(invalid)": 1,
        "(none)": 1,
        "(unknown)": 1,
    }
    assert stats["by_token"] == {"admin": 7, "employee": 2}
    assert stats["refused"] == {401: 1, 404: 1, 405: 1}
    assert sum(stats["by_service"].values()) + sum(stats["refused"].values()) == stats["requests"]
    server.reset_stats()
    assert server.stats()["requests"] == 0


# -- transport --------------------------------------------------------------


def test_keep_alive_reuses_one_connection(server) -> None:
    server.reset_stats()
    with requests.Session() as session:
        answers = [post(server, session=session) for _ in range(5)]
    assert all(a.status_code == 200 for a in answers)
    assert all(a.headers.get("Connection", "").lower() != "close" for a in answers)
    assert all(int(a.headers["Content-Length"]) == len(a.content) for a in answers)
    assert server.stats()["connections"] == 1


def test_concurrent_clients(server) -> None:
    server.reset_stats()
    failures: list[str] = []

    def client(role: str) -> None:
        with requests.Session() as session:
            for _ in range(15):
                answer = post(server, session=session, role=role)
                if answer.status_code != 200 or answer.json()["status"] != "ok":
                    failures.append(answer.text)

    threads = [threading.Thread(target=client, args=(r,)) for r in ["admin", "employee"] * 4]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    stats = server.stats()
    assert stats["by_service"] == {"company.list": 120}
    assert stats["by_token"] == {"admin": 60, "employee": 60}
    assert stats["connections"] == 8


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH"])
def test_other_methods_are_405(server, method: str) -> None:
    answer = requests.request(method, server.url, auth=(server.token, "x"), timeout=10)
    assert answer.status_code == 405
    assert answer.headers["Allow"] == "POST"
    assert answer.json()["status"] == "error"


def test_head_is_405_without_body(server) -> None:
    answer = requests.head(server.url, timeout=10)
    assert answer.status_code == 405
    assert answer.content == b""


@pytest.mark.parametrize("path", ["/", "/api/v1", "/api/v2/company"])
def test_other_paths_are_404(server, path: str) -> None:
    url = server.url.replace("/api/v2", path)
    answer = requests.post(url, json=LIST, auth=(server.token, "x"), timeout=10)
    assert answer.status_code == 404
    assert answer.json()["status"] == "error"


@pytest.mark.parametrize("method", ["POST", "PUT"])
def test_refused_bodies_do_not_spoil_the_connection(server, method: str) -> None:
    server.reset_stats()
    with requests.Session() as session:
        refused = [(server.url + "/x", 404)] + ([(server.url, 405)] if method == "PUT" else [])
        for url, status in refused:
            answer = session.request(method, url, json=LIST, timeout=10)
            assert answer.status_code == status
            assert post(server, session=session).json()["status"] == "ok"
    assert server.stats()["connections"] == 1


def test_oversized_body_is_refused_and_server_keeps_serving(server) -> None:
    answer = post(server, b"{" + b" " * MAX_BODY_BYTES + b"}")
    assert answer.status_code == 413
    assert answer.json()["status"] == "error"
    assert post(server).json()["status"] == "ok"


def test_chunked_body_is_read(server) -> None:
    chunks = iter([b'{"service":', b' "company.list"}'])
    answer = requests.post(server.url, data=chunks, auth=(server.token, "x"), timeout=10)
    assert answer.status_code == 200
    assert answer.json()["status"] == "ok"


@pytest.mark.parametrize("size", [b"-1", b"+1a", b"0x1a", b"1_0", b"", b"zz", b"1" * 17])
def test_bad_chunk_sizes_are_refused_at_once(server, size: bytes) -> None:
    import socket

    auth = base64.b64encode(f"{server.token}:x".encode())
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(
            b"POST /api/v2 HTTP/1.1\r\nHost: sandbox\r\nAuthorization: Basic " + auth
            + b"\r\nTransfer-Encoding: chunked\r\n\r\n" + size + b"\r\n{}\r\n"
        )  # fmt: skip
        answer = sock.recv(4096)  # without the check, "-1" read until EOF: no answer
    assert answer.startswith(b"HTTP/1.1 400 "), answer
    assert b"bad chunked request body" in answer


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"\xff\xfe",
        b"not json",
        b"[1, 2]",
        b'"text"',
        b"{}",
        b'{"service": 5}',
        b'{"service": "company.list", "x": NaN}',
        b"[" * 100_000,
        b'{"service": "company.list"',
    ],
)
def test_bad_bodies_get_200_and_a_status_error(server, body: bytes) -> None:
    answer = post(server, body)
    assert answer.status_code == 200
    parsed = answer.json()
    assert parsed["status"] == "error"
    assert parsed["message"]


# -- life cycle -------------------------------------------------------------


def test_start_close_without_context_manager() -> None:
    srv = sandbox.SandboxServer("empty", daily_requests=10)
    with pytest.raises(RuntimeError, match="not started"):
        _ = srv.url
    srv.start()
    try:
        url = srv.url
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/api/v2", url)
        assert srv.token == srv.tokens["admin"]
        assert srv.token not in repr(srv)
        assert post(srv).json()["status"] == "ok"
    finally:
        srv.close()
    srv.close()  # idempotent
    with pytest.raises(requests.ConnectionError):
        requests.post(url, json=LIST, auth=("t", "x"), timeout=5)


def test_open_keep_alive_connections_are_dropped_on_close() -> None:
    with requests.Session() as session:
        with sandbox.serve(seed="empty") as srv:
            assert post(srv, session=session).status_code == 200
        with pytest.raises(requests.ConnectionError):
            post(srv, session=session)


def test_bad_arguments_name_the_valid_choices(server) -> None:
    with pytest.raises(ValueError, match="daily_requests"):
        sandbox.SandboxServer("demo", daily_requests=0)
    with pytest.raises(ValueError, match="valid roles"):
        server.usage("nobody")


# -- the serve command ------------------------------------------------------


def test_serve_command_prints_url_and_tokens_and_stops_on_sigint() -> None:
    command = [
        sys.executable,
        "-m",
        "beebole_pandas",
        "serve",
        "--seed",
        "empty",
        "--port",
        "0",
        "--daily-requests",
        "50",
    ]
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    try:
        lines: list[str] = []
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line.rstrip("\n"))
            if "Ctrl-C" in line:
                break
        output = "\n".join(lines)
        url = re.search(r"http://127\.0\.0\.1:\d+/api/v2", output)
        token = re.search(r"^\s*admin: (\S+)$", output, re.MULTILINE)
        assert url and token, output
        answer = requests.post(url.group(0), json=LIST, auth=(token.group(1), "x"), timeout=10)
        assert answer.json()["status"] == "ok"
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert "Traceback" not in process.stderr.read()  # type: ignore[union-attr]


def test_serve_command_with_a_bad_option_fails_cleanly() -> None:
    from beebole_pandas.sandbox.cli import main

    with pytest.raises(SystemExit) as exc_info:
        main(["--port", "not-a-port"])
    assert exc_info.value.code == 2


@pytest.mark.parametrize(
    "option", [["--daily-requests", "0"], ["--daily-kb", "-5"], ["--seed", "nope"]]
)
def test_serve_command_with_a_bad_value_says_so_in_one_line(option: list[str]) -> None:
    command = [sys.executable, "-m", "beebole_pandas", "serve", "--port", "0", *option]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: cannot start the sandbox: "), lines


def test_https_to_the_plain_port_fails_at_once(server) -> None:
    started = time.monotonic()
    with pytest.raises(requests.ConnectionError):  # SSLError is a ConnectionError
        requests.post(server.url.replace("http:", "https:"), json=LIST, verify=False, timeout=10)
    assert time.monotonic() - started < 5
    assert post(server).json()["status"] == "ok"


def test_tokens_never_in_repr_or_logs_when_serving_seed_data(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from beebole_pandas.sandbox import seed as seed_module

    data = seed_module.build("empty")
    tokens = [account["token"] for account in data.accounts]
    with caplog.at_level("DEBUG"), sandbox.serve(data) as server:
        shown = repr(server) + repr(data) + caplog.text
    assert all(token not in shown for token in tokens)


# -- slow clients -------------------------------------------------------------
# Each of these would hang on a server with a socket timeout alone: IDLE_TIMEOUT
# (120 s) per read, forever for a trickle. Bounds are generous: "within 5 s".

QUICK = {"header_timeout": 0.5, "body_timeout": 0.5}
LIST_BYTES = json.dumps(LIST).encode()


def _head(server: sandbox.SandboxServer, *fields: str) -> bytes:
    """A POST's request line and headers, with the admin's credentials."""
    auth = base64.b64encode(f"{server.token}:x".encode()).decode()
    lines = ["POST /api/v2 HTTP/1.1", "Host: sandbox", f"Authorization: Basic {auth}", *fields]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _request(server: sandbox.SandboxServer, body: bytes = LIST_BYTES) -> bytes:
    return _head(server, f"Content-Length: {len(body)}") + body


def _connect(server: sandbox.SandboxServer) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=10)


def _read_to_end(sock: socket.socket) -> bytes:
    """All the server sends until it closes (the socket's 10 s timeout raises)."""
    data = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            return data
        if not chunk:
            return data
        data += chunk


def _read_answer(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """One answer of a keep-alive connection: status, headers (lower-case), body."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"the server closed the connection after {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("iso-8859-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (x.partition(":") for x in lines)}
    while len(body) < int(headers["content-length"]):
        chunk = sock.recv(65536)
        assert chunk, "the server closed the connection within an answer"
        body += chunk
    return int(status_line.split()[1]), headers, body


def _trickle(
    sock: socket.socket, data: bytes, *, pause: float = 0.2, give_up: float = 8.0
) -> tuple[float, bytes] | None:
    """Send ``data`` a byte every ``pause`` seconds until the server ends the exchange.

    Returns the seconds until it did and what it sent before closing, or None
    if it let the trickle go on (all of ``data``, or ``give_up`` seconds).
    """
    started = time.monotonic()
    for byte in data:
        if time.monotonic() - started > give_up:
            return None
        try:
            sock.sendall(bytes([byte]))
        except OSError:  # closed (or reset) by the server
            return time.monotonic() - started, b""
        if select.select([sock], [], [], pause)[0]:
            return time.monotonic() - started, _read_to_end(sock)
    return None


def _assert_408(answer: bytes) -> None:
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408 "), answer
    assert b"\r\nConnection: close" in head
    assert json.loads(body) == {
        "status": "error",
        "message": "the request body did not arrive within 0.5 s",
    }


def test_timeouts_default_to_the_module_constants() -> None:
    server = sandbox.SandboxServer("empty")
    assert (server.header_timeout, server.body_timeout, server.idle_timeout) == (
        HEADER_TIMEOUT,
        BODY_TIMEOUT,
        IDLE_TIMEOUT,
    )
    assert HEADER_TIMEOUT <= 10 and BODY_TIMEOUT <= 10  # a slow client is dropped soon


@pytest.mark.parametrize("name", ["header_timeout", "body_timeout", "idle_timeout"])
@pytest.mark.parametrize("value", [0, -1.0, float("nan"), float("inf"), True, "10"])
def test_bad_timeouts_are_refused(name: str, value: object) -> None:
    with pytest.raises(ValueError, match=name):
        sandbox.SandboxServer("empty", **{name: value})  # type: ignore[arg-type]


def test_headers_trickled_a_byte_at_a_time_are_cut_off() -> None:
    with sandbox.serve(seed="empty", **QUICK) as srv, _connect(srv) as sock:
        request = _request(srv)
        assert len(request) * 0.2 > 20  # the whole trickle would take that long
        ended = _trickle(sock, request)
        assert ended is not None, "the server waited for the trickle"
        elapsed, answer = ended
        assert elapsed < 5
        assert answer == b""  # late headers: closed without an answer, as nginx does
        assert srv.stats()["requests"] == 0
        assert post(srv).json()["status"] == "ok"


def test_a_connection_that_sends_nothing_is_closed_after_the_header_timeout() -> None:
    with sandbox.serve(seed="empty", **QUICK) as srv, _connect(srv) as sock:
        started = time.monotonic()
        assert _read_to_end(sock) == b""
        assert time.monotonic() - started < 5
        assert srv.stats()["connections"] == 1


@pytest.mark.parametrize("kind", ["short", "chunked", "trickle"])
def test_a_late_body_gets_408_and_a_close(kind: str) -> None:
    with sandbox.serve(seed="empty", **QUICK) as srv, _connect(srv) as sock:
        started = time.monotonic()
        if kind == "trickle":  # 100 bytes at 5 a second: within no body deadline
            sock.sendall(_head(srv, "Content-Length: 100"))
            ended = _trickle(sock, b"{" + b" " * 98 + b"}")
            assert ended is not None, "the server waited for the trickle"
            answer = ended[1]
        else:
            if kind == "short":  # announces 1000 bytes, sends 10
                sock.sendall(_head(srv, "Content-Length: 1000") + b'{"service"')
            else:  # a chunk of 26 bytes, 10 sent
                sock.sendall(_head(srv, "Transfer-Encoding: chunked") + b'1a\r\n{"service"')
            answer = _read_to_end(sock)
        assert time.monotonic() - started < 5
        _assert_408(answer)
        stats = srv.stats()
    assert stats["refused"] == {408: 1}
    assert stats["requests"] == 1 and stats["bytes"] == len(answer.partition(b"\r\n\r\n")[2])


def test_a_late_body_of_a_refused_request_keeps_the_refusal_and_closes() -> None:
    with sandbox.serve(seed="empty", **QUICK) as srv, _connect(srv) as sock:
        sock.sendall(_head(srv, "Content-Length: 1000").replace(b"/api/v2 ", b"/other ", 1) + b"{}")
        started = time.monotonic()
        answer = _read_to_end(sock)
        assert time.monotonic() - started < 5
        assert srv.stats()["refused"] == {404: 1}
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 404 ") and b"\r\nConnection: close" in head
    assert json.loads(body)["status"] == "error"


def test_keep_alive_pauses_longer_than_the_deadlines_are_idle_time() -> None:
    with sandbox.serve(seed="empty", **QUICK) as srv, _connect(srv) as sock:
        for pause in (0.0, 0.8, 0.8, 0.8):  # each longer than header and body timeouts
            time.sleep(pause)
            sock.sendall(_request(srv))
            status, headers, body = _read_answer(sock)
            assert status == 200
            assert json.loads(body)["status"] == "ok"
            assert headers.get("connection", "").lower() != "close"
        stats = srv.stats()
    assert stats["connections"] == 1
    assert stats["by_service"] == {"company.list": 4}


def test_an_idle_keep_alive_connection_closes_after_the_idle_timeout() -> None:
    with sandbox.serve(seed="empty", idle_timeout=0.5) as srv, _connect(srv) as sock:
        sock.sendall(_request(srv))
        assert _read_answer(sock)[0] == 200
        started = time.monotonic()
        assert _read_to_end(sock) == b""
        assert time.monotonic() - started < 5


def test_stalled_clients_do_not_hold_up_others(capfd: pytest.CaptureFixture[str]) -> None:
    with sandbox.serve(seed="empty", header_timeout=3.0, body_timeout=3.0) as srv:
        silent, half_head, half_body = _connect(srv), _connect(srv), _connect(srv)
        with silent, half_head, half_body:
            half_head.sendall(_request(srv)[:20])
            half_body.sendall(_head(srv, "Content-Length: 1000") + b"{")
            assert post(srv).json()["status"] == "ok"
            # answered while all three were still waiting on their deadlines
            assert select.select([silent, half_head, half_body], [], [], 0)[0] == []
            started = time.monotonic()
            ends = [_read_to_end(sock) for sock in (silent, half_head, half_body)]
            assert time.monotonic() - started < 8
        stats = srv.stats()
    assert ends[0] == ends[1] == b""
    assert ends[2].startswith(b"HTTP/1.1 408 ")
    assert stats["refused"] == {408: 1} and stats["by_service"] == {"company.list": 1}
    assert "Traceback" not in capfd.readouterr().err


def test_serve_works_without_with_for_notebooks() -> None:
    # A notebook cell cannot hold a ``with`` open across cells.
    server = sandbox.serve(seed="empty")
    try:
        assert server.token and server.url.startswith("http://127.0.0.1:")
        answer = requests.post(
            server.url, json={"service": "company.list"}, auth=(server.token, "x"), timeout=10
        )
        assert answer.json()["status"] == "ok"
    finally:
        server.close()
    assert "closed" in repr(server)
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.post(server.url, json={"service": "company.list"}, timeout=2)
    with sandbox.serve(seed="empty") as again:  # and still as a context manager
        assert "serving" in repr(again)
    assert "closed" in repr(again)
