"""connect / get_client / disconnect, calls and their options, against the sandbox."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

import beebole_pandas as bb
from beebole_pandas.api import client as client_module
from beebole_pandas.api.cache import fingerprint


def test_connect_sets_the_default_client(demo_server: Any) -> None:
    client = bb.connect(demo_server.token, url=demo_server.url)
    assert bb.get_client() is client
    assert isinstance(client, bb.Client) and bb.Client is client_module.Client
    other = bb.connect(demo_server.tokens["employee"], url=demo_server.url, set_default=False)
    assert bb.get_client() is client
    other.close()
    bb.disconnect()
    with pytest.raises(bb.NotConnected):
        bb.get_client()
    with pytest.raises(bb.NotConnected, match="closed"):  # disconnect closed it
        client.call("company.list")
    bb.disconnect()  # twice is fine


def test_token_and_url_from_the_environment(
    demo_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BEEBOLE_TOKEN", demo_server.token)
    monkeypatch.setenv("BEEBOLE_URL", demo_server.url)
    client = bb.connect()
    assert client.url == demo_server.url
    assert client.fingerprint == fingerprint(demo_server.url, demo_server.token)
    assert client.call("company.list")["status"] == "ok"
    # arguments win over the environment
    explicit = bb.connect(demo_server.tokens["employee"], url=demo_server.url + "/")
    assert explicit.fingerprint == fingerprint(demo_server.url, demo_server.tokens["employee"])
    assert explicit.url == demo_server.url  # trailing slash dropped


def test_default_url_is_beebole_over_https() -> None:
    client = bb.Client("a-token")  # builds a client; sends nothing
    assert client.url == "https://beebole-apps.com/api/v2" == client_module.DEFAULT_URL
    client.close()


def test_fingerprint_is_short_stable_and_per_account(demo_server: Any) -> None:
    a = fingerprint(demo_server.url, demo_server.token)
    assert a == fingerprint(demo_server.url + "/", demo_server.token)
    assert a != fingerprint(demo_server.url, demo_server.tokens["employee"])
    assert a != fingerprint("https://beebole-apps.com/api/v2", demo_server.token)
    assert len(a) == 16 and int(a, 16) >= 0


def test_context_manager_and_repr(demo_server: Any) -> None:
    with bb.Client(demo_server.token, url=demo_server.url) as client:
        client.call("company.list")
        text = repr(client)
        assert demo_server.url in text and client.fingerprint in text
        assert "1/4000 requests" in text and "online" in text
        html = client._repr_html_()
        assert client.fingerprint in html and "<table>" in html and "1 / 4000" in html
    assert "closed" in repr(client)
    assert client.budget.requests_used == 1  # the count outlives the client
    with pytest.raises(bb.NotConnected):
        client.call("company.list")


def test_call_returns_the_json_answer(demo_server: Any) -> None:
    client = bb.Client(demo_server.token, url=demo_server.url)
    companies = client.call("company.list")
    assert companies["status"] == "ok" and len(companies["companies"]) >= 1
    store_names = {c["name"] for c in companies["companies"]}
    first = next(c for c in companies["companies"] if "id" in c)
    one = client.call("company.get", id=first["id"])
    assert one["company"]["name"] == first["name"] and first["name"] in store_names
    client.close()


def test_params_order_does_not_matter_for_the_cache(demo_server: Any) -> None:
    client = bb.Client(demo_server.token, url=demo_server.url)
    before = demo_server.stats()["requests"]
    window = {"from": "2025-01-01", "to": "2025-01-31"}
    client.call("time_entry.list", person={"id": 1001}, **window)
    client.call("time_entry.list", **window, person={"id": 1001})
    assert demo_server.stats()["requests"] == before + 1
    client.close()


def test_retries_are_bounded_and_configurable(fresh_server: Any) -> None:
    no_retry = bb.Client(fresh_server.token, url=fresh_server.url, retries=0)
    fresh_server.inject("http503", times=1)
    with pytest.raises(bb.ServerError):
        no_retry.call("company.list")
    assert fresh_server.stats()["by_service"]["company.list"] == 1
    patient = bb.Client(fresh_server.token, url=fresh_server.url, retries=4, backoff=0.01)
    fresh_server.inject("http500", times=4)
    assert patient.call("company.list")["status"] == "ok"
    assert fresh_server.stats()["by_service"]["company.list"] == 1 + 5
    assert patient.budget.requests_used == 6  # every retry crossed the network
    no_retry.close()
    patient.close()


def test_export_job_roundtrip_through_the_client(fresh_server: Any) -> None:
    client = bb.Client(fresh_server.token, url=fresh_server.url)
    job = client.call(
        "time_entry.export",
        **{"from": "2025-01-01", "to": "2025-01-31"},
        show="all",
        keys=["company", "hours"],
        outputFormat="array",
    )["job"]
    for _ in range(50):
        info = client.call("time_entry.get_job_info", id=job["id"], outputFormat="array")["job"]
        if info["status"] != "running":
            break
        time.sleep(0.1)
    assert info["status"] == "done" and isinstance(info["result"], list)
    client.close()


def test_bad_options_are_refused() -> None:
    with pytest.raises(bb.ValidationError, match="retries"):
        bb.Client("a-token", retries=-1)
    with pytest.raises(bb.ValidationError, match="cache"):
        bb.Client("a-token", cache=False, offline=True)
    with pytest.raises(bb.AuthError):
        bb.Client("   ")


def test_numpy_and_date_parameters_are_sent_as_json(demo_server: Any) -> None:
    import datetime as dt

    import numpy as np

    client = bb.Client(demo_server.token, url=demo_server.url)
    before = demo_server.stats()["requests"]
    plain = client.call(
        "time_entry.list", person={"id": 1001}, **{"from": "2025-01-01", "to": "2025-01-31"}
    )
    typed = client.call(
        "time_entry.list",
        person={"id": np.int64(1001)},
        **{"from": dt.date(2025, 1, 1), "to": dt.date(2025, 1, 31)},
    )
    assert typed == plain
    assert demo_server.stats()["requests"] == before + 1  # same body, same cache entry
    with pytest.raises(bb.ValidationError, match=r"company\.get: .*cannot be sent as JSON"):
        client.call("company.get", id=object())
    with pytest.raises(bb.ValidationError, match="cannot be sent as JSON"):
        client.call("company.get", id=float("nan"))
    assert demo_server.stats()["requests"] == before + 1
    client.close()


def test_unusable_cache_dir_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with pytest.raises(bb.ValidationError, match=r"a-file/cache.*cache_dir="):
        bb.Client("a-token", cache_dir=blocker / "cache")


def test_replaced_clients_stay_usable_and_forgotten_ones_free_their_files(
    demo_server: Any, tmp_path: Path
) -> None:
    import gc
    import os

    def open_files() -> int:
        fds = "/proc/self/fd"
        return sum(str(tmp_path) in os.path.realpath(f"{fds}/{fd}") for fd in os.listdir(fds))

    first = bb.connect(demo_server.token, url=demo_server.url, cache_dir=tmp_path)
    first.call("company.list")
    for _ in range(3):
        bb.connect(demo_server.token, url=demo_server.url, cache_dir=tmp_path).call("company.list")
    gc.collect()
    # SQLite defers closing a few fds of a file another connection has locked: measure
    # after a warm-up, then require no growth.
    baseline = open_files()
    for _ in range(10):  # a notebook cell run again and again
        client = bb.connect(demo_server.token, url=demo_server.url, cache_dir=tmp_path)
        client.call("company.list")
    gc.collect()
    assert open_files() <= baseline
    assert bb.get_client() is client
    # a client the caller still holds is not closed by connecting another one
    assert first.call("company.list")["status"] == "ok"
    first.close()
    with pytest.raises(bb.NotConnected, match="closed"):
        first.call("company.list")
    assert client.call("company.list")["status"] == "ok"
