"""The login panel in a real browser: JupyterLab on loopback, Debian's Chromium, Playwright.

The notebook (``tests/browser/login.ipynb``, copied to a temporary directory)
starts a sandbox inside its kernel and shows ``bb.login(url=server.url)``. The
test types the token, clicks Connect, waits for the connected state, saves the
notebook with widget state saving on, and checks the saved ``.ipynb``: the
token is absent, while the panel's state (and, as a control, a value typed in
the password field afterwards) is present, which proves the check can fail.

Run it alone with ``python -m pytest -m browser``. A screenshot is kept in
``test-artifacts/login-connected.png``.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HERE = Path(__file__).parent
ARTIFACTS = HERE.parent / "test-artifacts"
NOTEBOOK = "login.ipynb"


def _requirements() -> None:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    for module in ("playwright.sync_api", "jupyterlab", "ipywidgets"):
        try:
            __import__(module)
        except ImportError:
            pytest.skip(
                f"{module.split('.')[0]} is not installed (pip install playwright jupyterlab)"
            )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until(check: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")


def _write_lab_settings(settings: Path) -> None:
    """User settings: save widget state with the notebook (off by default), no news fetching."""
    files = {
        "@jupyter-widgets/jupyterlab-manager/plugin.jupyterlab-settings": {"saveState": True},
        "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
            "fetchNews": "false",
            "checkForUpdates": False,
        },
    }
    for name, content in files.items():
        path = settings / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(content))


@contextlib.contextmanager
def _jupyterlab(root: Path, work: Path) -> Iterator[tuple[str, Path]]:
    """JupyterLab on loopback, serving ``root``, with everything it writes kept in ``work``."""
    port = _free_port()
    _write_lab_settings(work / "lab-settings")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("BEEBOLE_TOKEN", "JUPYTER", "IPYTHON"))
    }
    env.update(
        BEEBOLE_CACHE_DIR=str(work / "cache"),
        JUPYTER_CONFIG_DIR=str(work / "config"),
        JUPYTER_RUNTIME_DIR=str(work / "runtime"),
        IPYTHONDIR=str(work / "ipython"),
    )
    log_path = work / "jupyterlab.log"
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--allow-root",
        f"--port={port}",
        "--ServerApp.port_retries=0",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.root_dir={root}",
        "--IdentityProvider.token=",
        "--ServerApp.password=",
        f"--LabApp.user_settings_dir={work / 'lab-settings'}",
        f"--LabApp.workspaces_dir={work / 'workspaces'}",
        "--LabApp.expose_app_in_browser=True",  # window.jupyterapp: run and save by command
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",  # no PyPI queries
    ]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command,
            cwd=root,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"JupyterLab exited early:\n{log_path.read_text()[-3000:]}")
        try:  # /api/status does not start a kernel (unlike opening a notebook)
            with urllib.request.urlopen(f"{base}/api/status", timeout=2):
                return True
        except OSError:
            return False

    try:
        _wait_until(ready, 60, "JupyterLab to listen")
        yield base, log_path
    finally:
        # SIGTERM: the server shuts its kernels down (and so the sandbox in the kernel).
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def _saved(path: Path) -> tuple[str, dict[str, Any]]:
    """The notebook's text and its saved widget state (empty if none yet)."""
    text = path.read_text()
    try:
        document = json.loads(text)
    except ValueError:  # caught mid-write
        return text, {}
    widgets = document.get("metadata", {}).get("widgets", {})
    return text, widgets.get("application/vnd.jupyter.widget-state+json", {}).get("state", {})


def test_login_in_jupyterlab_keeps_the_token_out_of_the_saved_notebook(tmp_path: Path) -> None:
    _requirements()
    from playwright.sync_api import sync_playwright

    root, work = tmp_path / "notebooks", tmp_path / "work"
    root.mkdir()
    work.mkdir()
    shutil.copy(HERE / "browser" / NOTEBOOK, root / NOTEBOOK)
    notebook = root / NOTEBOOK
    ARTIFACTS.mkdir(exist_ok=True)

    with _jupyterlab(root, work) as (base, log_path), sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(work / "chromium-profile"),  # a fresh user data dir
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900},
        )
        page = context.pages[0] if context.pages else context.new_page()
        blocked: list[str] = []

        def loopback_only(route: Any) -> None:
            if route.request.url.startswith(base):
                route.continue_()
            else:
                blocked.append(route.request.url)
                route.abort()

        context.route("**/*", loopback_only)
        try:
            page.goto(f"{base}/lab/tree/{NOTEBOOK}", wait_until="domcontentloaded")
            page.wait_for_function(
                "() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
                " return !!(w && w.sessionContext && w.sessionContext.session"
                " && w.sessionContext.session.kernel); }",
                timeout=60_000,
            )
            page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")

            # The kernel started the sandbox and wrote where it is.
            sandbox_file = root / "sandbox.json"
            _wait_until(sandbox_file.exists, 60, "the sandbox in the kernel")
            sandbox = json.loads(sandbox_file.read_text())
            token = sandbox["token"]
            basic = base64.b64encode(f"{token}:x".encode()).decode()

            field = page.get_by_label("Token")
            field.wait_for(timeout=60_000)
            assert field.get_attribute("type") == "password"
            page.wait_for_selector('[data-beebole-state="disconnected"]')
            field.fill(token)
            page.get_by_role("button", name="Connect").click()
            page.wait_for_selector('[data-beebole-state="connected"]', timeout=30_000)
            assert field.input_value() == ""
            summary = page.locator(".beebole-login-summary").inner_text()
            assert "companies" in summary and "people" in summary
            assert page.locator(".beebole-login-budget").is_visible()
            page.screenshot(path=str(ARTIFACTS / "login-connected.png"))

            # Save with widget state on; the saved state must describe the connected panel.
            page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
            text, state = _wait_until(
                lambda: (lambda saved: saved if "connected" in json.dumps(saved[1]) else None)(
                    _saved(notebook)
                ),
                30,
                "the notebook saved with the connected panel's widget state",
            )
            assert sandbox["url"] in text  # the URL field's state was saved too
            assert token not in text, "the token is in the saved notebook"
            assert basic not in text
            passwords = [m for m in state.values() if m.get("model_name") == "PasswordModel"]
            assert [m["state"].get("value", "") for m in passwords] == [""]

            # Control: a value left in the password field IS saved, so the check above can fail.
            marker = "control-value-not-a-token"
            field.fill(marker)
            page.wait_for_timeout(500)  # let the value reach the kernel
            page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
            text, _ = _wait_until(
                lambda: (lambda saved: saved if marker in saved[0] else None)(_saved(notebook)),
                30,
                "the control value in the saved notebook",
            )
            assert token not in text
            assert not blocked or all(not url.startswith(base) for url in blocked)
        except Exception:
            with contextlib.suppress(Exception):
                page.screenshot(path=str(ARTIFACTS / "login-failure.png"))
            print(log_path.read_text()[-4000:])
            raise
        finally:
            context.close()
