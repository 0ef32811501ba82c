"""Every error class, produced by a real bad request or the sandbox's fault injection.

Each message must name the service, quote the server and say what to do next.
"""

from __future__ import annotations

import socket
from typing import Any

import pytest

import beebole_pandas as bb
from beebole_pandas.api.answers import status_error


def served(server: Any, service: str) -> int:
    return int(server.stats()["by_service"].get(service, 0))


def test_not_connected_says_how_to_connect() -> None:
    bb.disconnect()
    with pytest.raises(bb.NotConnected) as exc:
        bb.get_client()
    assert "bb.connect(token)" in str(exc.value) and "bb.login()" in str(exc.value)


def test_closed_client_raises_not_connected(demo_server: Any) -> None:
    client = bb.Client(demo_server.token, url=demo_server.url)
    client.close()
    with pytest.raises(bb.NotConnected, match=r"closed.*bb\.connect"):
        client.call("company.list")


def test_missing_token_is_an_auth_error() -> None:
    with pytest.raises(bb.AuthError, match="BEEBOLE_TOKEN") as exc:
        bb.connect()
    assert "bb.login()" in str(exc.value)


def test_invalid_token(demo_server: Any) -> None:
    client = bb.Client("not-a-real-token", url=demo_server.url)
    with pytest.raises(bb.AuthError) as exc:
        client.call("company.list")
    err = exc.value
    assert err.http_status == 401 and err.service == "company.list"
    assert "invalid token" in err.server_message
    message = str(err)
    assert message.startswith("company.list:")
    assert f'"{err.server_message}"' in message  # quotes the server
    assert "bb.connect(token)" in message  # what to do
    client.close()


def test_api_access_disabled(demo_server: Any) -> None:
    client = bb.Client(demo_server.tokens["disabled"], url=demo_server.url)
    with pytest.raises(bb.AuthError, match=r"API access is disabled.*Enable API access") as exc:
        client.call("project.list", company={"id": 101})
    assert exc.value.service == "project.list"
    client.close()


def test_permission_denied(demo_server: Any) -> None:
    client = bb.Client(demo_server.tokens["employee"], url=demo_server.url)
    with pytest.raises(bb.PermissionDenied) as exc:
        client.call("company.create", company={"name": "Not allowed Ltd"})
    message = str(exc.value)
    assert message.startswith("company.create:")
    assert "permission denied" in message and "administrator" in message
    client.close()


@pytest.mark.parametrize(
    ("params", "words"),
    [({"id": 999_999}, "company 999999 not found"), ({"xid": "NOPE"}, "'NOPE' not found")],
)
def test_not_found(demo_server: Any, params: dict[str, Any], words: str) -> None:
    client = bb.Client(demo_server.token, url=demo_server.url)
    with pytest.raises(bb.NotFound) as exc:
        client.call("company.get", **params)
    message = str(exc.value)
    assert message.startswith("company.get:") and words in message
    assert "Check the id or xid" in message
    client.close()


def test_validation_errors_from_the_server(demo_server: Any) -> None:
    client = bb.Client(demo_server.token, url=demo_server.url)
    with pytest.raises(bb.ValidationError, match=r"foo\.bar: .*unknown service 'foo\.bar'.*Fix"):
        client.call("foo.bar")
    with pytest.raises(bb.ValidationError, match=r"time_entry\.create: .*missing member"):
        client.call("time_entry.create", hours=2)
    client.close()


def test_validation_errors_found_locally_send_nothing(demo_server: Any) -> None:
    client = bb.Client(demo_server.token, url=demo_server.url)
    before = demo_server.stats()["requests"]
    for bad in ("companylist", "company.", ".list", "a.b.c", "x' OR '1'='1.list", "Company.List"):
        with pytest.raises(bb.ValidationError, match=r"entity\.verb"):
            client.call(bad)
    with pytest.raises(bb.ValidationError, match="first argument"):
        client.call("company.list", service="x")
    assert demo_server.stats()["requests"] == before
    client.close()


def test_server_error_after_bounded_retries(fresh_server: Any) -> None:
    client = bb.Client(fresh_server.token, url=fresh_server.url, retries=2, backoff=0.01)
    fresh_server.inject("http500")
    with pytest.raises(bb.ServerError) as exc:
        client.call("company.list")
    err = exc.value
    assert err.http_status == 500
    assert "company.list" in str(err) and "Internal Server Error (injected fault)" in str(err)
    assert "Try again later" in str(err)
    assert served(fresh_server, "company.list") == 3  # 1 + 2 retries, then it gives up
    # a transient failure is absorbed by the retries
    fresh_server.inject("http503", times=2)
    assert client.call("group.tree")["status"] == "ok"
    assert served(fresh_server, "group.tree") == 3
    client.close()


def test_writes_are_never_retried(fresh_server: Any) -> None:
    client = bb.Client(fresh_server.token, url=fresh_server.url, retries=3, backoff=0.01)
    fresh_server.inject("http503", times=1, services=["company.create"])
    with pytest.raises(bb.ServerError, match=r"HTTP 503.*not retried") as exc:
        client.call("company.create", company={"name": "Retry Me Ltd"})
    assert exc.value.service == "company.create"
    assert served(fresh_server, "company.create") == 1
    names = [c["name"] for c in client.call("company.list")["companies"]]
    assert "Retry Me Ltd" not in names
    client.close()


def test_lost_response_on_a_write(fresh_server: Any) -> None:
    client = bb.Client(fresh_server.token, url=fresh_server.url, retries=3, backoff=0.01)
    before = len(client.call("company.list")["companies"])
    fresh_server.inject("lost_response", times=1, services=["company.create"])
    with pytest.raises(bb.TransportError, match="may or may not have been applied") as exc:
        client.call("company.create", company={"name": "Lost Answer Ltd"})
    assert exc.value.service == "company.create"
    assert exc.value.details["maybe_applied"] is True
    # applied once, not retried; and the cache was dropped, so the list shows it
    names = [c["name"] for c in client.call("company.list")["companies"]]
    assert names.count("Lost Answer Ltd") == 1 and len(names) == before + 1
    client.close()


def test_timeout(fresh_server: Any) -> None:
    client = bb.Client(
        fresh_server.token, url=fresh_server.url, timeout=0.3, retries=1, backoff=0.01
    )
    fresh_server.inject("timeout", delay=1.0)
    with pytest.raises(bb.TransportError) as exc:
        client.call("company.list")
    message = str(exc.value)
    assert message.startswith("company.list:")
    assert "no answer" in message and "0.3 s" in message and "timeout=" in message
    assert fresh_server.stats()["faults"]["timeout"] == 2  # tried twice
    # no cause and no context: requests' exception holds the request and its headers
    assert exc.value.__cause__ is None and exc.value.__context__ is None
    client.close()


def test_connection_reset(fresh_server: Any) -> None:
    client = bb.Client(fresh_server.token, url=fresh_server.url, retries=1, backoff=0.01)
    fresh_server.inject("reset")
    with pytest.raises(bb.TransportError, match=r"company\.list: the connection .* failed"):
        client.call("company.list")
    fresh_server.inject("reset", times=1)
    assert client.call("company.list")["status"] == "ok"  # retried
    client.close()


def test_malformed_json(fresh_server: Any) -> None:
    client = bb.Client(fresh_server.token, url=fresh_server.url, retries=1, backoff=0.01)
    fresh_server.inject("malformed")
    with pytest.raises(bb.TransportError, match=r"company\.list: .*not valid JSON") as exc:
        client.call("company.list")
    assert exc.value.http_status == 200
    fresh_server.inject(None)
    # the truncated answer was not cached
    assert client.call("company.list")["status"] == "ok"
    assert served(fresh_server, "company.list") == 3
    client.close()


def test_nobody_listening_is_a_transport_error_and_costs_nothing() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = bb.Client("some-token", url=f"http://127.0.0.1:{port}/api/v2", retries=0)
    with pytest.raises(bb.TransportError, match=r"connection .* failed"):
        client.call("company.list")
    assert client.budget.requests_used == 0
    client.close()


def test_status_error_wordings_map_to_classes() -> None:
    # The sandbox reports a spent quota with HTTP 429 (see test_budget); other servers
    # may answer 200 + a status error speaking of a limit, or 403 for auth.
    cases = [
        (200, "Daily transfer limit of 2048 KB reached", bb.QuotaExceeded),
        (200, "invalid token", bb.AuthError),
        (403, "API access is disabled", bb.AuthError),
        (403, None, bb.PermissionDenied),
        (200, "permission denied: nope", bb.PermissionDenied),
        (404, None, bb.NotFound),
        (200, "'hours' must be a number", bb.ValidationError),
        (400, "something else entirely", bb.ValidationError),
    ]
    for status, said, cls in cases:
        err = status_error("x.list", status, said)
        assert type(err) is cls, (status, said)
        assert str(err).startswith("x.list:")
        assert (said or f"HTTP {status}") in str(err)


def test_offline_miss(demo_server: Any) -> None:
    client = bb.Client(demo_server.token, url=demo_server.url, offline=True)
    with pytest.raises(bb.OfflineMiss, match=r"group\.tree: offline.*once online"):
        client.call("group.tree")
    client.close()


def test_budget_exceeded(fresh_server: Any) -> None:
    client = bb.Client(fresh_server.token, url=fresh_server.url, daily_requests=1)
    client.call("company.list")
    with pytest.raises(bb.BudgetExceeded, match=r"group\.tree not sent.*allow_over_budget=True"):
        client.call("group.tree")
    client.close()


# -- review 2 ----------------------------------------------------------------


def test_limit_in_a_missing_xid_is_not_a_quota_error(fresh_server: Any) -> None:
    client = bb.Client(fresh_server.token, url=fresh_server.url)
    with pytest.raises(bb.NotFound, match=r"company xid 'ACME-LIMITED' not found.*Check the id"):
        client.call("company.get", xid="ACME-LIMITED")
    with pytest.raises(bb.NotFound, match=r"'Daily limit' not found"):
        client.call("person.list", company={"xid": "Daily limit"})
    # the real quota wordings, with or without HTTP 429, stay quota errors
    for status in (200, 403, 429):
        err = status_error("x.list", status, "Daily request limit of 4000 reached")
        assert type(err) is bb.QuotaExceeded, status
    assert type(status_error("x.list", 200, "Rate limit exceeded")) is bb.QuotaExceeded
    client.close()


def test_starting_an_export_is_retried_like_a_read(fresh_server: Any) -> None:
    client = bb.Client(fresh_server.token, url=fresh_server.url, retries=2, backoff=0.01)
    params = {"from": "2026-10-01", "to": "2026-10-31", "keys": ["person", "hours"]}
    fresh_server.inject("http503", times=1, services=["time_entry.export"])
    assert client.call("time_entry.export", **params)["job"]["id"]
    assert served(fresh_server, "time_entry.export") == 2  # the 503, then the retry
    fresh_server.inject("http503", services=["time_entry.export"])
    with pytest.raises(bb.ServerError, match=r"time_entry\.export: .*HTTP 503") as exc:
        client.call("time_entry.export", **params)
    assert "not retried" not in str(exc.value) and "maybe_applied" not in exc.value.details
    assert served(fresh_server, "time_entry.export") == 2 + 3
    client.close()


@pytest.mark.parametrize("path", ["/api/v1", "", "/api/v2/nothing"])
def test_wrong_endpoint_says_no_beebole_api_there(demo_server: Any, path: str) -> None:
    url = demo_server.url.rsplit("/api/v2", 1)[0] + path
    client = bb.Client(demo_server.token, url=url, retries=2, backoff=0.01)
    before = demo_server.stats()["requests"]
    with pytest.raises(
        bb.TransportError, match=r"no Beebole API at .*check url= or BEEBOLE_URL"
    ) as exc:
        client.call("company.list")
    assert exc.value.http_status in (404, 405)
    assert exc.value.details["retryable"] is False
    assert demo_server.stats()["requests"] == before + 1  # not retried
    client.close()


def test_a_web_page_is_not_a_beebole_api_and_is_not_retried() -> None:
    """A URL pointing at a web site (here a loopback page server) gets 200 + HTML."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    hits: list[str] = []

    class Page(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            hits.append(self.path)
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            page = b"<!doctype html><html><body>Welcome</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: Any) -> None:
            pass

    with ThreadingHTTPServer(("127.0.0.1", 0), Page) as httpd:
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{httpd.server_address[1]}/"
        client = bb.Client("some-token", url=url, retries=3, backoff=0.01)
        with pytest.raises(bb.TransportError, match=r"no Beebole API at .*a web page") as exc:
            client.call("company.list")
        assert exc.value.details["retryable"] is False and len(hits) == 1
        client.close()
        httpd.shutdown()
