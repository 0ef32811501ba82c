"""The login panel, driven as a user would (set ``.value``, ``.click()``) against the sandbox."""

from __future__ import annotations

import json
import logging
import socket
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
import requests

import beebole_pandas as bb
from beebole_pandas import sandbox

pytest.importorskip("ipywidgets")


# --- helpers -----------------------------------------------------------------


def _raw(server: Any, service: str, token: str | None = None, **params: Any) -> dict[str, Any]:
    """Ask the sandbox directly, without the client, for an independent expectation."""
    response = requests.post(
        server.url,
        json={"service": service, **params},
        auth=(token or server.token, "x"),
        timeout=10,
    )
    return response.json()


def _all_widgets(root: Any) -> Iterator[Any]:
    """The panel and every widget under it, including layouts and styles."""
    from ipywidgets import Widget

    seen: set[int] = set()
    stack = [root]
    while stack:
        widget = stack.pop()
        if id(widget) in seen:
            continue
        seen.add(id(widget))
        yield widget
        for name in widget.keys:
            value = getattr(widget, name, None)
            values = value if isinstance(value, (list, tuple)) else [value]
            stack.extend(v for v in values if isinstance(v, Widget))


def _assert_token_hidden(panel: Any, token: str, caplog: pytest.LogCaptureFixture) -> None:
    """The token is nowhere Jupyter could save or show it."""
    from ipywidgets.widgets import widget as widget_module

    assert panel.token.value == ""
    widgets = list(_all_widgets(panel))
    # Every live widget in the process, not only the panel's tree.
    widgets += list(widget_module._instances.values())
    assert len(widgets) > 10
    for widget in widgets:
        state = json.dumps(widget.get_state(), default=str)
        assert token not in state, f"token in the state of {type(widget).__name__}"
        assert token not in repr(widget)
    assert token not in panel.status.value
    assert token not in panel.summary.value
    assert token not in repr(panel)
    assert token not in caplog.text


def _state(panel: Any) -> str:
    """The data-beebole-state attribute of the status HTML (what the browser test reads)."""
    marker = 'data-beebole-state="'
    value = panel.status.value
    start = value.index(marker) + len(marker)
    return value[start : value.index('"', start)]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(autouse=True)
def _debug_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="beebole_pandas")


# --- success -----------------------------------------------------------------


def test_connect_shows_summary_budget_and_sets_default(
    demo_server: Any, caplog: pytest.LogCaptureFixture
) -> None:
    panel = bb.login(url=demo_server.url, mode="panel")
    assert panel.url.value == demo_server.url
    assert _state(panel) == "disconnected"
    assert "beebole-login-status" in panel.status._dom_classes  # what browser tests select
    assert panel.logout_button.disabled
    assert panel.budget.layout.display == "none"
    before = demo_server.stats()

    panel.token.value = demo_server.token
    panel.connect_button.click()

    assert _state(panel) == "connected" == panel.state
    assert panel.token.value == ""
    assert bb.get_client() is panel.client
    assert "Connected to" in panel.status.value and demo_server.url in panel.status.value

    # Summary: counts from the server itself, asked without the client.
    companies = _raw(demo_server, "company.list")["companies"]
    people = _raw(demo_server, "person.list")["people"]
    active = sum(1 for company in companies if company["active"])
    assert f"{len(companies)} companies ({active} active) and {len(people)} people" in (
        panel.summary.value
    )
    assert companies[0]["name"] in panel.summary.value

    # Budget bars: what the meter counted, which is what reached the server.
    after = demo_server.stats()
    sent = after["requests"] - before["requests"] - 2  # minus the two raw calls above
    assert panel.requests_bar.value == sent >= 1
    assert panel.requests_bar.max == bb.get_client().budget.daily_requests
    assert panel.kb_bar.value == pytest.approx(bb.get_client().budget.kb_used)
    assert panel.kb_bar.value > 0
    assert panel.budget.layout.display is None
    assert not panel.logout_button.disabled

    # The validating company.list is cached: asking again sends nothing.
    demo_server.reset_stats()
    assert bb.get_client().call("company.list")["companies"] == companies
    assert demo_server.stats()["requests"] == 0

    _assert_token_hidden(panel, demo_server.token, caplog)


# --- failures ----------------------------------------------------------------


def _assert_failed(panel: Any, words: str, token: str, caplog: pytest.LogCaptureFixture) -> None:
    assert _state(panel) == "error"
    assert words in panel.status.value
    assert "Traceback" not in panel.status.value
    assert panel.client is None
    with pytest.raises(bb.NotConnected):
        bb.get_client()
    assert panel.logout_button.disabled
    _assert_token_hidden(panel, token, caplog)


def test_wrong_token(demo_server: Any, caplog: pytest.LogCaptureFixture) -> None:
    panel = bb.login(url=demo_server.url, mode="panel")
    panel.token.value = "0123456789abcdef-not-a-token"
    panel.connect_button.click()
    _assert_failed(panel, "The token was refused", "0123456789abcdef-not-a-token", caplog)
    assert "invalid token" in panel.status.value  # the server's own words, as detail


def test_unreachable_url(caplog: pytest.LogCaptureFixture) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/api/v2"
    panel = bb.login(url=url, mode="panel")
    panel.token.value = "a-token-for-nowhere"
    panel.connect_button.click()
    _assert_failed(panel, f"Could not reach {url}", "a-token-for-nowhere", caplog)


def test_api_disabled(demo_server: Any, caplog: pytest.LogCaptureFixture) -> None:
    token = demo_server.tokens["disabled"]
    panel = bb.login(url=demo_server.url, mode="panel")
    panel.token.value = token
    panel.connect_button.click()
    _assert_failed(panel, "API access is disabled", token, caplog)


def test_quota_exhausted(caplog: pytest.LogCaptureFixture) -> None:
    with sandbox.serve(seed="demo", daily_requests=2) as server:
        for _ in range(2):  # spend the day's quota, as another program would
            assert _raw(server, "company.list")["status"] == "ok"
        panel = bb.login(url=server.url, mode="panel")
        panel.token.value = server.token
        panel.connect_button.click()
        _assert_failed(panel, "quota is spent", server.token, caplog)
        assert "limit" in panel.status.value


def test_plain_http_to_a_remote_host_is_refused(caplog: pytest.LogCaptureFixture) -> None:
    panel = bb.login(url="http://beebole.example.com/api/v2", mode="panel")
    panel.token.value = "a-secret-token-value"
    panel.connect_button.click()
    _assert_failed(panel, "https://", "a-secret-token-value", caplog)
    assert "Refusing to send the token" in panel.status.value


def test_empty_token_sends_nothing(demo_server: Any) -> None:
    panel = bb.login(url=demo_server.url, mode="panel")
    demo_server.reset_stats()
    panel.token.value = "   "
    panel.connect_button.click()
    assert _state(panel) == "error"
    assert "Paste your API token" in panel.status.value
    assert demo_server.stats()["requests"] == 0


# --- reconnect, failure after success, logout ----------------------------------


def test_reconnect_replaces_the_default_client(demo_server: Any) -> None:
    panel = bb.login(url=demo_server.url, mode="panel")
    panel.token.value = demo_server.token
    panel.connect_button.click()
    first = bb.get_client()

    panel.token.value = demo_server.tokens["employee"]
    panel.connect_button.click()
    second = bb.get_client()
    assert panel.state == "connected"
    assert second is panel.client and second is not first
    assert second.fingerprint != first.fingerprint
    assert second.fingerprint in panel.status.value
    with pytest.raises(bb.NotConnected):  # the replaced client is closed
        first.call("company.list")


def test_failed_reconnect_keeps_the_previous_client(
    demo_server: Any, caplog: pytest.LogCaptureFixture
) -> None:
    panel = bb.login(url=demo_server.url, mode="panel")
    panel.token.value = demo_server.token
    panel.connect_button.click()
    first = bb.get_client()

    panel.token.value = "wrong-token-typed-later"
    panel.connect_button.click()
    assert _state(panel) == "error"
    assert "previous connection is still active" in panel.status.value
    assert bb.get_client() is first is panel.client
    assert not panel.logout_button.disabled
    _assert_token_hidden(panel, "wrong-token-typed-later", caplog)
    _assert_token_hidden(panel, demo_server.token, caplog)


def test_logout_forgets_the_client(demo_server: Any) -> None:
    panel = bb.login(url=demo_server.url, mode="panel")
    panel.token.value = demo_server.token
    panel.connect_button.click()
    client = bb.get_client()

    panel.logout_button.click()
    assert _state(panel) == "disconnected"
    assert panel.client is None
    with pytest.raises(bb.NotConnected):
        bb.get_client()
    with pytest.raises(bb.NotConnected):
        client.call("company.list")
    assert panel.summary.value == ""
    assert panel.budget.layout.display == "none"
    assert panel.logout_button.disabled


# --- BEEBOLE_TOKEN and the terminal ---------------------------------------------


def test_env_token(
    demo_server: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    plain = bb.login(url=demo_server.url, mode="panel")
    assert plain.env_button.layout.display == "none"
    assert "BEEBOLE_TOKEN" not in plain.status.value

    monkeypatch.setenv("BEEBOLE_TOKEN", demo_server.token)
    panel = bb.login(url=demo_server.url, mode="panel")
    assert "BEEBOLE_TOKEN is set" in panel.status.value
    assert panel.env_button.layout.display is None
    assert panel.env_button.description == "Use BEEBOLE_TOKEN"
    _assert_token_hidden(panel, demo_server.token, caplog)

    panel.env_button.click()
    assert panel.state == "connected"
    assert bb.get_client() is panel.client
    _assert_token_hidden(panel, demo_server.token, caplog)


def test_env_button_without_the_variable(demo_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BEEBOLE_TOKEN", demo_server.token)
    panel = bb.login(url=demo_server.url, mode="panel")
    monkeypatch.delenv("BEEBOLE_TOKEN")
    panel.env_button.click()
    assert panel.state == "error"
    assert "BEEBOLE_TOKEN is not set" in panel.status.value


def test_default_url(monkeypatch: pytest.MonkeyPatch) -> None:
    from beebole_pandas import widgets
    from beebole_pandas.api import answers

    assert widgets.DEFAULT_URL is answers.DEFAULT_URL
    assert bb.login(mode="panel").url.value == "https://beebole-apps.com/api/v2"
    monkeypatch.setenv("BEEBOLE_URL", "http://127.0.0.1:1/api/v2")
    assert bb.login(mode="panel").url.value == "http://127.0.0.1:1/api/v2"


def test_getpass_fallback_outside_a_notebook(
    demo_server: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    prompts: list[str] = []

    def fake_getpass(prompt: str = "Password: ", stream: Any = None) -> str:
        prompts.append(prompt)
        return demo_server.token

    monkeypatch.setattr("getpass.getpass", fake_getpass)
    panel = bb.login(url=demo_server.url)  # auto mode; pytest runs no IPython kernel
    assert len(prompts) == 1 and demo_server.url in prompts[0]
    assert panel.state == "connected"
    assert bb.get_client() is panel.client
    _assert_token_hidden(panel, demo_server.token, caplog)


def test_getpass_fallback_raises_on_a_wrong_token(
    demo_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("getpass.getpass", lambda prompt="", stream=None: "not-the-token")
    with pytest.raises(bb.AuthError) as caught:
        bb.login(url=demo_server.url)
    assert "not-the-token" not in str(caught.value)
    with pytest.raises(bb.NotConnected):
        bb.get_client()


def test_getpass_fallback_uses_the_env_token_without_prompting(
    demo_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_prompt(prompt: str = "", stream: Any = None) -> str:
        raise AssertionError("must not prompt when BEEBOLE_TOKEN is set")

    monkeypatch.setattr("getpass.getpass", no_prompt)
    monkeypatch.setenv("BEEBOLE_TOKEN", demo_server.token)
    panel = bb.login(url=demo_server.url, mode="getpass")
    assert panel.state == "connected"
    assert bb.get_client().fingerprint == panel.client.fingerprint


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="mode must be"):
        bb.login(mode="terminal")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="set_default"):
        bb.login(mode="panel", set_default=False)


def test_import_does_not_load_ipywidgets() -> None:
    code = (
        "import sys, beebole_pandas, beebole_pandas.widgets as w; "
        "assert callable(beebole_pandas.login); "
        "assert 'ipywidgets' not in sys.modules, 'ipywidgets imported too early'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_panel_messages_drop_every_form_of_the_token() -> None:
    import base64

    from beebole_pandas import widgets

    token = "s3cr3t-token-value"
    basic = base64.b64encode(f"{token}:x".encode()).decode()
    text = widgets._scrub(f"sent {token} as Authorization: Basic {basic}", token)
    assert token not in text and basic not in text
