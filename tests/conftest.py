"""Shared fixtures: a sandbox per test session, a fresh one per mutating test,
and a private cache directory for every test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _private_cache_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every test gets its own cache directory and no ambient credentials."""
    monkeypatch.setenv("BEEBOLE_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.delenv("BEEBOLE_TOKEN", raising=False)
    monkeypatch.delenv("BEEBOLE_URL", raising=False)


@pytest.fixture(scope="session")
def demo_server() -> Iterator[object]:
    """The demo account, shared by read-only tests. Do not write to it."""
    from beebole_pandas import sandbox

    with sandbox.serve(seed="demo", daily_requests=10**9, daily_kb=10**9) as server:
        yield server


@pytest.fixture(scope="session")
def servers() -> Iterator[dict[str, object]]:
    """The demo account served twice, read-only: as the sandbox is by default and
    in literal mode (answers as Beebole documents them); no export delay."""
    from beebole_pandas import sandbox

    options: dict[str, Any] = {"seed": "demo", "daily_requests": 10**9, "daily_kb": 10**9,
                               "export_delay": 0.0}  # fmt: skip
    with sandbox.serve(**options) as plain, sandbox.serve(literal=True, **options) as literal:
        yield {"default": plain, "literal": literal}


@pytest.fixture(scope="session")
def account_clients(
    servers: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[tuple[str, str], Any]]:
    """A client per mode ("default", "literal") and account ("default", "us", "fr")."""
    import beebole_pandas as bb

    out = {
        (mode, account): bb.connect(
            server.tokens[account],
            url=server.url,
            set_default=False,
            cache_dir=tmp_path_factory.mktemp(f"accounts-{mode}-{account}"),
        )
        for mode, server in servers.items()
        for account in ("default", "us", "fr")
    }
    yield out
    for client in out.values():
        client.close()


@pytest.fixture
def fresh_server() -> Iterator[object]:
    """A demo account of its own, for tests that write or inject faults."""
    from beebole_pandas import sandbox

    with sandbox.serve(seed="demo", daily_requests=10**9, daily_kb=10**9) as server:
        yield server


@pytest.fixture(autouse=True)
def _no_default_client() -> Iterator[None]:
    """No test inherits another test's default client."""
    yield
    import sys

    client_module = sys.modules.get("beebole_pandas.api.client")
    if client_module is not None and hasattr(client_module, "disconnect"):
        client_module.disconnect()
