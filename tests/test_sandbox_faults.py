"""Injected faults, each as a client using ``requests`` sees it."""

from __future__ import annotations

import base64
import errno
import inspect
import itertools
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import requests

from beebole_pandas import sandbox
from beebole_pandas.sandbox.faults import FAULT_KINDS

_names = itertools.count()


@pytest.fixture(scope="module")
def server() -> Iterator[sandbox.SandboxServer]:
    with sandbox.serve(seed="demo", daily_requests=10**9, daily_kb=10**9) as srv:
        yield srv


@pytest.fixture(autouse=True)
def _no_fault_left(server) -> Iterator[None]:
    server.inject(None)
    yield
    server.inject(None)
    # whatever the fault did, the server keeps serving
    assert call(server, "company.list").json()["status"] == "ok"


def call(server, service: str, timeout: float = 10, **params) -> requests.Response:
    return requests.post(
        server.url, json={"service": service, **params}, auth=(server.token, "x"), timeout=timeout
    )


def create_company(server) -> tuple[str, requests.Response]:
    name = f"Fault test company {next(_names)}"
    return name, call(server, "company.create", company={"name": name})


def company_names(server) -> list[str]:
    body = call(server, "company.list").json()
    assert body["status"] == "ok"
    return [c["name"] for c in body["companies"]]


@pytest.mark.parametrize(("kind", "status"), [("http500", 500), ("http503", 503)])
def test_http_errors(server, kind: str, status: int) -> None:
    server.inject(kind, times=1)
    name, answer = create_company(server)
    assert answer.status_code == status
    assert answer.json()["status"] == "error"
    assert name not in company_names(server)  # not applied


def test_timeout_holds_the_connection_past_the_client_timeout(server) -> None:
    server.inject("timeout", delay=1.0, times=1)
    started = time.monotonic()
    with pytest.raises(requests.Timeout):
        call(server, "company.list", timeout=0.3)
    assert time.monotonic() - started < 1.0


def test_timeout_then_drop_without_answer(server) -> None:
    server.inject("timeout", delay=0.2, times=1)
    with pytest.raises(requests.ConnectionError):
        call(server, "company.list", timeout=5)


def test_reset_drops_before_handling(server) -> None:
    before = server.usage("admin")["requests"]
    server.inject("reset", services=["company.create"])
    name = f"Reset company {next(_names)}"
    with pytest.raises(requests.ConnectionError):
        call(server, "company.create", company={"name": name})
    assert name not in company_names(server)  # not applied
    # the dropped request never reached the server: only the list counted
    assert server.usage("admin")["requests"] == before + 1


def raw_answer(server, kind: str) -> bytes | OSError:
    """What a plain socket reads after sending one request under fault ``kind``."""
    server.inject(kind, times=1)
    body = b'{"service":"company.list"}'
    auth = base64.b64encode(f"{server.token}:x".encode())
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(
            b"POST /api/v2 HTTP/1.1\r\nHost: sandbox\r\nAuthorization: Basic " + auth
            + b"\r\nContent-Length: %d\r\n\r\n" % len(body) + body
        )  # fmt: skip
        try:
            return sock.recv(1024)
        except OSError as exc:
            return exc


def test_reset_is_a_tcp_reset_and_lost_response_a_clean_close(server) -> None:
    # A reset must not look like an orderly close (FIN) to the client: it is an RST.
    reset = raw_answer(server, "reset")
    assert isinstance(reset, ConnectionResetError) and reset.errno == errno.ECONNRESET, reset
    assert raw_answer(server, "lost_response") == b""
    with pytest.raises(requests.ConnectionError, match="reset"):
        server.inject("reset", times=1)
        call(server, "company.list")


def test_lost_response_applies_the_write(server) -> None:
    before = len(company_names(server))
    server.inject("lost_response", times=1)
    number = next(_names)
    name = f"Lost response company {number}"
    with pytest.raises(requests.ConnectionError):
        call(server, "company.create", company={"name": name})
    names = company_names(server)
    assert names.count(name) == 1
    assert len(names) == before + 1


def test_malformed_body_does_not_decode(server) -> None:
    server.inject("malformed", times=1)
    answer = call(server, "company.list")
    assert answer.status_code == 200
    assert 0 < len(answer.content) == int(answer.headers["Content-Length"])
    with pytest.raises(requests.JSONDecodeError):
        answer.json()


def test_error_is_a_status_error_and_not_applied(server) -> None:
    server.inject("error", times=1)
    name, answer = create_company(server)
    assert answer.status_code == 200
    assert answer.json() == {"status": "error", "message": "injected error"}
    assert name not in company_names(server)


def test_times_limits_the_number_of_faults(server) -> None:
    server.inject("http503", times=2)
    codes = [call(server, "company.list").status_code for _ in range(4)]
    assert codes == [503, 503, 200, 200]
    assert server.faults.active is None


def test_services_filter(server) -> None:
    server.inject("http500", services=["company.create"])
    assert call(server, "company.list").status_code == 200
    assert create_company(server)[1].status_code == 500
    assert call(server, "company.list").status_code == 200


def test_probability_is_seeded_and_reproducible(server) -> None:
    def pattern() -> list[int]:
        server.inject("error", probability=0.5, seed=7)
        return [call(server, "company.list").json()["status"] == "error" for _ in range(20)]

    first, second = pattern(), pattern()
    assert first == second
    assert 0 < sum(first) < 20


def test_inject_none_clears(server) -> None:
    server.inject("http500")
    assert call(server, "company.list").status_code == 500
    server.inject(None)
    assert all(call(server, "company.list").status_code == 200 for _ in range(3))


def test_faults_are_counted_in_stats_and_quota(server) -> None:
    server.reset_stats()
    before = server.usage("admin")["requests"]
    for kind in ("http500", "error", "malformed"):
        server.inject(kind, times=1)
        call(server, "company.list")
    server.inject("reset", times=1)
    with pytest.raises(requests.ConnectionError):
        call(server, "company.list")
    stats = server.stats()
    assert stats["faults"] == {"http500": 1, "error": 1, "malformed": 1, "reset": 1}
    assert stats["by_service"] == {"company.list": 3}
    # answered faults count against the quota; a reset request never arrived
    assert server.usage("admin")["requests"] == before + 3


def test_faults_apply_after_auth(server) -> None:
    server.inject("http500")
    answer = requests.post(
        server.url, json={"service": "company.list"}, auth=("bad", "x"), timeout=10
    )
    assert answer.status_code == 401


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"kind": "explode"}, "valid kinds: " + ", ".join(FAULT_KINDS)),
        ({"kind": "http500", "probability": 1.5}, "probability"),
        ({"kind": "http500", "times": 0}, "times"),
        ({"kind": "timeout", "delay": -1}, "delay"),
        ({"kind": "http500", "services": ["company.nope"]}, "company.nope"),
    ],
)
def test_bad_inject_arguments(server, kwargs: dict, match: str) -> None:
    kind = kwargs.pop("kind")
    with pytest.raises(ValueError, match=match):
        server.inject(kind, **kwargs)
    assert server.faults.active is None


def test_timeout_by_default_outlasts_the_clients_default_timeout(server) -> None:
    import beebole_pandas as bb

    client_timeout = inspect.signature(bb.connect).parameters["timeout"].default
    server.inject("timeout", times=1)  # default hold
    held = server.faults.active
    assert held is not None and held.delay > client_timeout
    # a client waiting less than the hold sees a timeout, not a dropped connection
    with pytest.raises(requests.ReadTimeout):
        call(server, "company.list", timeout=0.3)


def test_close_does_not_wait_for_a_held_timeout() -> None:
    outcome: list[BaseException] = []
    with sandbox.serve(seed="empty") as srv:
        srv.inject("timeout", delay=60)

        def client() -> None:
            try:
                call(srv, "company.list", timeout=30)
            except requests.RequestException as exc:
                outcome.append(exc)

        thread = threading.Thread(target=client)
        thread.start()
        time.sleep(0.3)  # the request is being held
        started = time.monotonic()
    assert time.monotonic() - started < 3  # leaving the with-block closed the server
    thread.join(timeout=10)
    assert len(outcome) == 1
    assert isinstance(outcome[0], requests.ConnectionError)
