"""The token shows nowhere: not in tracebacks printed with their locals, not in
a saved notebook, not in what a transport error keeps; and every state of a
client has a repr."""

from __future__ import annotations

import base64
import math
import traceback
from pathlib import Path
from typing import Any

import pytest

import beebole_pandas as bb

# Module constants, so that no test frame shows them as a local or in its source lines.
MALFORMED = "s3cr\u00e9t-t0ken"
CLOSED_PORT_TOKEN = "tok3n-for-a-closed-port"


def secret_forms(token: str) -> tuple[str, str]:
    return token, base64.b64encode(f"{token}:x".encode()).decode()


def verbose_text(exc: BaseException) -> str:
    """The traceback as ``%xmode Verbose`` shows it: every frame with its locals."""
    from IPython.core.ultratb import VerboseTB

    plain = "".join(traceback.TracebackException.from_exception(exc, capture_locals=True).format())
    try:  # IPython 9 names colour themes; IPython 8 had colour schemes
        printer = VerboseTB(theme_name="nocolor")
    except TypeError:
        printer = VerboseTB(color_scheme="NoColor")
    return plain + printer.text(type(exc), exc, exc.__traceback__)


def chain(exc: BaseException | None) -> list[BaseException]:
    out = []
    while exc is not None and exc not in out:
        out.append(exc)
        exc = exc.__cause__ or exc.__context__
    return out


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("ftp://example.com/api/v2", bb.ValidationError),  # refused URL
        ("http://[::1", bb.ValidationError),  # unparsable URL
    ],
)
def test_a_failed_connect_shows_no_token_in_a_verbose_traceback(
    demo_server: Any, url: str, error: type
) -> None:
    with pytest.raises(error) as caught:
        bb.connect(demo_server.token, url=url)
    text = verbose_text(caught.value)
    assert "connect" in text and "Client" in text  # the frames are there...
    for form in secret_forms(demo_server.token):
        assert form not in text  # ...without the token in any of their locals


def test_a_malformed_token_is_not_shown_either(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BEEBOLE_TOKEN", MALFORMED)
    with pytest.raises(bb.AuthError, match=r"U\+00E9") as caught:
        bb.connect()
    text = verbose_text(caught.value)  # before any assert puts a piece of it in a local
    assert MALFORMED[:4] not in text


@pytest.mark.parametrize("token", [12345, b"bytes-token", ["a"]])
def test_a_token_of_the_wrong_type_is_a_type_error_naming_only_the_type(token: Any) -> None:
    with pytest.raises(
        TypeError, match=f"token must be a str.*not {type(token).__name__}$"
    ) as caught:
        bb.connect(token)
    assert repr(token) not in str(caught.value)


def test_a_transport_error_keeps_no_request_and_no_headers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BEEBOLE_TOKEN", CLOSED_PORT_TOKEN)
    client = bb.connect(url="http://127.0.0.1:9/api/v2", retries=0)
    with pytest.raises(bb.TransportError) as caught:
        client.call("company.list")
    assert chain(caught.value) == [caught.value]  # no cause, no context
    assert not any(hasattr(e, "request") for e in chain(caught.value))
    text = verbose_text(caught.value)
    for form in secret_forms(CLOSED_PORT_TOKEN):
        assert form not in text
    assert client.budget.requests_used == 0  # never reached the server: not counted


def test_every_state_of_a_client_has_a_repr(demo_server: Any) -> None:
    with pytest.raises(bb.ValidationError) as caught:
        bb.Client(demo_server.token, url="ftp://example.com")
    frames = [frame for frame, _ in traceback.walk_tb(caught.value.__traceback__)]
    half_built = next(
        f.f_locals["self"] for f in frames if isinstance(f.f_locals.get("self"), bb.Client)
    )
    assert repr(half_built) == "<beebole_pandas.Client (not set up)>"
    assert "not set up" in half_built._repr_html_()
    half_built.close()  # nothing to close, no error
    client = bb.Client(demo_server.token, url=demo_server.url)
    assert "(online)" in repr(client) and "requests" in repr(client)
    client.close()
    assert repr(client).endswith("(closed)>") and "(closed)" in client._repr_html_()


@pytest.mark.parametrize(
    ("option", "value", "error"),
    [
        ("timeout", math.nan, bb.ValidationError),
        ("timeout", math.inf, bb.ValidationError),
        ("timeout", 0, bb.ValidationError),
        ("timeout", "30", TypeError),
        ("retries", 1.5, TypeError),
        ("retries", -1, bb.ValidationError),
        ("backoff", math.nan, bb.ValidationError),
        ("daily_requests", 0, bb.ValidationError),
        ("daily_kb", True, TypeError),
    ],
)
def test_bad_settings_are_refused_before_anything_is_counted(
    demo_server: Any, tmp_path: Path, option: str, value: Any, error: type
) -> None:
    before = demo_server.stats()["requests"]
    with pytest.raises(error, match=option):
        bb.connect(demo_server.token, url=demo_server.url, cache_dir=tmp_path, **{option: value})
    assert demo_server.stats()["requests"] == before
    assert not list(tmp_path.iterdir())  # no budget file, no count


@pytest.mark.slow
def test_a_saved_notebook_holds_no_token_after_verbose_errors(
    demo_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import nbformat
    from nbclient import NotebookClient

    # The token comes from $BEEBOLE_TOKEN, as the README advises: a cell that
    # reads os.environ itself shows the whole environment in a verbose traceback
    # (IPython 8 prints the value of every name on the failing line).
    monkeypatch.setenv("BEEBOLE_TOKEN", demo_server.token)
    cells = [
        "%xmode Verbose",
        "import beebole_pandas as bb",
        'bb.connect(url="ftp://example.com/api/v2")',
        f'client = bb.connect(url="{demo_server.url}")\nclient',
        'client.call("company.list", page="x" * 3)["status"]',
        'broken = bb.connect(url="http://127.0.0.1:9/api/v2", retries=0)\n'
        'broken.call("company.list")',
        'client.call("no_such.service")',
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(tmp_path)}},
    ).execute()
    saved = nbformat.writes(nb)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert len(errors) == 3 and "token=" not in saved.replace("token=<token", "")
    assert any("Client" in "".join(e["traceback"]) for e in errors)  # verbose frames are there
    for form in secret_forms(demo_server.token):
        assert form not in saved


def test_half_built_servers_and_panels_have_a_repr() -> None:
    from beebole_pandas import sandbox
    from beebole_pandas.widgets import LoginPanel

    with pytest.raises(ValueError, match="daily_requests") as caught:
        sandbox.SandboxServer(seed="demo", daily_requests=0)
    frames = [frame for frame, _ in traceback.walk_tb(caught.value.__traceback__)]
    half_built = next(f.f_locals["self"] for f in frames if "self" in f.f_locals)
    assert repr(half_built) == "<SandboxServer (not set up)>"
    assert repr(LoginPanel.__new__(LoginPanel)) == "LoginPanel(url=None, state=None, account=None)"


def test_results_built_by_hand_or_trimmed_have_a_repr() -> None:
    import pandas as pd

    from beebole_pandas.writeback.results import PlanFrame, PushResult

    for cls in (PlanFrame, PushResult):
        frame = cls(pd.DataFrame({"x": [1]}))  # no summary information, no action column
        assert repr(frame).startswith(f"{cls.__name__} without its summary (KeyError")
        assert "<table" in frame._repr_html_()
