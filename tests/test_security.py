"""The token never reaches disk, logs, reprs or messages; the cache is private; HTTPS is enforced."""

from __future__ import annotations

import base64
import logging
import os
import pickle
import stat
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from requests.auth import _basic_auth_str

import beebole_pandas as bb


def secrets_of(token: str) -> list[bytes]:
    """The forms a leaked token could take on disk or in text."""
    basic = base64.b64encode(f"{token}:x".encode())
    return [token.encode(), basic, base64.b64encode(token.encode()), b"Basic " + basic]


def leaked(text: str | bytes, token: str) -> list[bytes]:
    raw = text.encode() if isinstance(text, str) else text
    return [s for s in secrets_of(token) if s in raw]


def disk_contents(directory: Path) -> dict[str, bytes]:
    """Every file under ``directory`` (SQLite's -wal/-shm come and go: read what is there)."""
    found = {}
    for path in directory.rglob("*"):
        try:
            found[str(path.relative_to(directory))] = path.read_bytes()
        except (FileNotFoundError, IsADirectoryError):
            continue
    return found


def assert_private(directory: Path) -> list[str]:
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    names = []
    for path in directory.rglob("*"):
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except FileNotFoundError:
            continue
        assert mode == 0o600, f"{path} is {oct(mode)}"
        names.append(path.name)
    return names


def run_session(server: Any, cache_dir: Path) -> tuple[list[BaseException], bb.Client]:
    """Reads, hits, writes, errors, a stale answer and offline reads, as one user would."""
    token = server.token
    client = bb.connect(token, url=server.url, cache_dir=cache_dir, retries=1, backoff=0.01)
    errors: list[BaseException] = []
    companies = client.call("company.list")["companies"]
    company = next(c for c in companies if c["corporate"])
    scope = {"xid": company["xid"]} if "xid" in company else {"id": company["id"]}
    client.call("project.list", company=scope)
    client.call("person.list", company=scope)
    client.call("company.list")
    client.call("company.create", company={"name": "Security Test Ltd"})
    client.call("company.list")  # the write dropped it: cached again
    job = {"status": "done", "id": 1, "result": [["Hours"], [1.0]]}
    client.remember("time_entry.export", {"status": "ok", "job": job}, keys=["hours"])
    attempts: list[tuple[str, dict[str, Any]]] = [
        ("company.get", {"xid": token}),  # the server may echo what it was sent
        ("company.get", {"id": 987_654}),
        ("foo.bar", {}),
    ]
    for service, params in attempts:
        try:
            client.call(service, **params)
        except bb.BeeboleError as exc:
            errors.append(exc)
    short = bb.Client(token, url=server.url, cache_dir=cache_dir, expire_after=1, retries=0)
    short.call("group.tree")
    time.sleep(1.1)
    server.inject("http500")
    short.call("group.tree")  # stale-if-error
    for kind in ("malformed", "reset"):
        server.inject(kind)
        try:
            short.call("custom_field.list")
        except bb.BeeboleError as exc:
            errors.append(exc)
    server.inject(None)
    short.close()
    for bad_token in ("wrong-token", server.tokens["disabled"]):
        with bb.Client(bad_token, url=server.url, cache_dir=cache_dir) as other:
            try:
                other.call("company.list")
            except bb.BeeboleError as exc:
                errors.append(exc)
    offline = bb.Client(token, url=server.url, cache_dir=cache_dir, offline=True)
    offline.call("company.list")
    try:
        offline.call("task.list", company=scope)
    except bb.BeeboleError as exc:
        errors.append(exc)
    offline.close()
    limited = bb.Client(token, url=server.url, cache_dir=cache_dir, daily_requests=1)
    try:
        limited.call("absence.list", company=scope, refresh=True)
    except bb.BeeboleError as exc:
        errors.append(exc)
    limited.close()
    return errors, client


def test_nothing_on_disk_in_logs_or_messages_holds_the_token(
    fresh_server: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    token = fresh_server.token
    cache_dir = tmp_path / "cache"
    with caplog.at_level(logging.DEBUG):
        errors, client = run_session(fresh_server, cache_dir)
    kinds = {type(e).__name__ for e in errors}
    assert {
        "NotFound",
        "ValidationError",
        "TransportError",
        "AuthError",
        "OfflineMiss",
        "BudgetExceeded",
    } <= kinds

    # the session really happened and really wrote to disk
    assert fresh_server.stats()["requests"] > 10
    open_files = disk_contents(cache_dir)
    assert {"http_cache.sqlite", "http_cache.sqlite-wal", "budget.sqlite"} <= set(open_files)
    assert sum(len(b) for b in open_files.values()) > 10_000
    client.close()  # SQLite checkpoints its WAL into the database file
    closed_files = disk_contents(cache_dir)
    for name, content in [*open_files.items(), *closed_files.items()]:
        assert not leaked(content, token), f"token found in {name}"

    # exception messages, reprs and args; the one the server echoed is scrubbed
    echoed = errors[0]
    assert "<token>" in str(echoed)
    for exc in errors:
        for text in (
            str(exc),
            repr(exc),
            repr(exc.args),
            str(exc.server_message),
            str(exc.details),
        ):
            assert not leaked(text, token), f"{type(exc).__name__}: {text}"
    # logs, at every level
    for record in caplog.records:
        assert not leaked(record.getMessage(), token), record.getMessage()
    # displays of the client and its budget
    for text in (repr(client), str(client), client._repr_html_(), repr(client.budget)):
        assert not leaked(text, token)
    assert client.fingerprint not in token and len(client.fingerprint) == 16


def test_cache_files_are_private(fresh_server: Any, tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    client = run_session(fresh_server, cache_dir)[1]
    # while open, SQLite's -wal and -shm companions exist: they are private too
    names = assert_private(cache_dir)
    assert {"http_cache.sqlite-wal", "http_cache.sqlite-shm", "budget.sqlite-wal"} <= set(names)
    client.close()
    assert {"http_cache.sqlite", "budget.sqlite"} <= set(assert_private(cache_dir))


def test_file_modes_are_repaired_and_existing_dirs_left_alone(
    demo_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache_dir = tmp_path / "shared"  # the user's own directory: its mode is theirs
    cache_dir.mkdir()
    os.chmod(cache_dir, 0o755)
    (cache_dir / "http_cache.sqlite").touch(mode=0o644)
    os.chmod(cache_dir / "http_cache.sqlite", 0o644)
    with bb.Client(demo_server.token, url=demo_server.url, cache_dir=cache_dir) as client:
        client.call("company.list")
    assert stat.S_IMODE(cache_dir.stat().st_mode) == 0o755
    assert stat.S_IMODE((cache_dir / "http_cache.sqlite").stat().st_mode) == 0o600
    assert stat.S_IMODE((cache_dir / "budget.sqlite").stat().st_mode) == 0o600
    # a directory the client creates is private
    created = tmp_path / "made" / "by-client"
    bb.Client(demo_server.token, url=demo_server.url, cache_dir=created).close()
    assert stat.S_IMODE(created.stat().st_mode) == 0o700
    # $BEEBOLE_CACHE_DIR is honoured (and the working directory is never used)
    target = tmp_path / "from-env"
    monkeypatch.setenv("BEEBOLE_CACHE_DIR", str(target))
    monkeypatch.chdir(tmp_path)
    with bb.Client(demo_server.token, url=demo_server.url) as client:
        client.call("company.list")
        assert client.cache_dir == target
    assert sorted(p.name for p in target.iterdir()) == ["budget.sqlite", "http_cache.sqlite"]
    assert not list(tmp_path.glob("*.sqlite"))


def test_auth_goes_through_session_auth_with_tls_verification(demo_server: Any) -> None:
    client = bb.Client(demo_server.token, url=demo_server.url)
    session = client._session
    # Basic token:x, from an auth object that shows no token
    prepared = session.prepare_request(requests.Request("POST", demo_server.url))
    assert prepared.headers["Authorization"] == _basic_auth_str(demo_server.token, "x")
    assert demo_server.token not in repr(session.auth) + str(vars(session.auth))
    assert "Authorization" not in session.headers
    assert session.verify is True
    assert client.call("company.list")["status"] == "ok"  # the server accepted Basic token:x
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(client)
    client.close()


def test_plain_http_ignores_environment_proxies(
    demo_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    with socket.socket() as sock:  # a loopback port where nobody listens
        sock.bind(("127.0.0.1", 0))
        dead = sock.getsockname()[1]
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(name, f"http://127.0.0.1:{dead}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    client = bb.Client(demo_server.token, url=demo_server.url)
    assert client.call("company.list")["status"] == "ok"  # straight to the sandbox
    client.close()


@pytest.mark.parametrize(
    "url",
    [
        "http://beebole-apps.com/api/v2",
        "http://10.0.0.8:8080/api/v2",
        "http://128.0.0.1/api/v2",
        "http://localhost.example.com/api/v2",
        "http://localhost:8765/api/v2",  # a name, not a literal loopback address
        "ftp://127.0.0.1/api/v2",
        "https://user:secret@beebole-apps.com/api/v2",
        "beebole-apps.com/api/v2",
    ],
)
def test_insecure_urls_are_refused_before_any_traffic(url: str) -> None:
    with pytest.raises(bb.ValidationError) as exc:
        bb.Client("a-token", url=url)
    message = str(exc.value)
    assert "https" in message or "credentials" in message
    assert "a-token" not in message


@pytest.mark.parametrize(
    "url",
    [
        "https://beebole-apps.com/api/v2",
        "http://127.0.0.1:8765/api/v2",
        "http://127.20.30.40/api/v2",
        "http://[::1]:8765/api/v2",
    ],
)
def test_https_or_loopback_urls_are_accepted(url: str) -> None:
    client = bb.Client("a-token", url=url)  # nothing is sent until a call
    assert client.url == url
    assert client.budget.requests_used == 0
    client.close()


@pytest.mark.parametrize(
    ("suffix", "what"),
    [
        ("\u2019", "U+2019 RIGHT SINGLE QUOTATION MARK"),  # a typographic quote, pasted
        ("\u00e9", "U+00E9"),
        (" x", "U+0020 SPACE"),
        ("\t", None),
    ],
)
def test_malformed_tokens_are_refused_without_echoing_them(
    demo_server: Any, suffix: str, what: str | None
) -> None:
    token = demo_server.token + suffix
    if what is None:  # surrounding whitespace is trimmed, as when pasted
        with bb.Client(token, url=demo_server.url) as client:
            assert client.call("company.list")["status"] == "ok"
        return
    before = demo_server.stats()["requests"]
    with pytest.raises(bb.AuthError) as exc:
        bb.connect(token, url=demo_server.url)
    message = str(exc.value)
    position = len(demo_server.token) + 1
    assert what in message and f"position {position}" in message
    assert "printable ASCII" in message
    for text in (message, repr(exc.value), repr(exc.value.__context__), repr(exc.value.__cause__)):
        assert not leaked(text, demo_server.token)
    assert demo_server.stats()["requests"] == before
