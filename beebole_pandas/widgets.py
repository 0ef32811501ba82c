"""The login panel: paste a token in a notebook, safely.

:func:`login` shows an ipywidgets form. *Connect* makes one validating call
(``company.list``, fresh from the server and cached afterwards) through
:func:`beebole_pandas.connect`, makes that client the default one, and clears
the password field, so the token is neither kept in the widget state Jupyter
saves into the ``.ipynb`` file nor shown in any output.

Decisions
---------
* **A failed connect keeps the previous default client.** A mistyped token
  should not log you out; the status says that the previous connection is
  still active, and *Log out* forgets it.
* **The password field is cleared after every attempt**, failed or not: the
  field must never hold the token once the kernel has used it. (While you
  type, the value does reach the kernel, as for any widget: do not save the
  notebook between pasting and clicking *Connect*.) *Use BEEBOLE_TOKEN* never
  puts the token in a widget at all.
* **Outside a notebook** (no running IPython kernel) :func:`login` asks for
  the token with :func:`getpass.getpass` (or takes ``BEEBOLE_TOKEN``), connects,
  and returns the same :class:`LoginPanel` type, already connected
  (``panel.client`` is the client). A failure there raises the
  :class:`~beebole_pandas.errors.BeeboleError` instead of showing it, because
  a script has nobody to read the status line.

ipywidgets is imported only when a panel is built, so ``import beebole_pandas``
stays fast.
"""

from __future__ import annotations

import functools
import getpass
import html
import logging
import os
import sys
from typing import TYPE_CHECKING, Any, Literal

from .api.answers import DEFAULT_URL, default_url, scrub
from .api.secret import hold
from .api.urls import shown_url
from .errors import (
    AuthError,
    BeeboleError,
    BudgetExceeded,
    PermissionDenied,
    QuotaExceeded,
    TransportError,
)

if TYPE_CHECKING:
    from .api.client import Client

__all__ = ["DEFAULT_URL", "LoginPanel", "login"]

logger = logging.getLogger(__name__)

# How many person.list calls the account summary may spend (one per company,
# each cached afterwards); past it the summary says the count is partial.
SUMMARY_CALL_LIMIT = 25

State = Literal["disconnected", "connecting", "connected", "error"]


def login(
    url: str | None = None,
    *,
    mode: Literal["auto", "panel", "getpass"] = "auto",
    **connect_options: Any,
) -> LoginPanel:
    """Show a login panel, or prompt for the token outside a notebook.

    Parameters
    ----------
    url
        The API endpoint. Default: ``$BEEBOLE_URL``, else the real Beebole
        endpoint (``https://beebole-apps.com/api/v2``).
    mode
        ``"auto"`` (default): a panel inside a running IPython kernel (Jupyter,
        Voilà), else a :func:`getpass.getpass` prompt. ``"panel"`` or
        ``"getpass"`` force one of them.
    **connect_options
        Passed on to :func:`beebole_pandas.connect` (``cache``, ``timeout``,
        ``retries``, ...), except ``token``, ``url`` and ``set_default``.

    Returns
    -------
    LoginPanel
        The panel (an ``ipywidgets.VBox``). In getpass mode it is returned
        already connected; ``panel.client`` is the client.

    Raises
    ------
    BeeboleError
        Only in getpass mode, when the connection fails (the panel shows
        errors in ``panel.status`` instead).

    Examples
    --------
    >>> import beebole_pandas as bb
    >>> panel = bb.login()              # doctest: +SKIP
    >>> # paste the token, click Connect; then:
    >>> bb.companies()                  # doctest: +SKIP
    """
    if mode not in ("auto", "panel", "getpass"):
        raise ValueError(f"mode must be 'auto', 'panel' or 'getpass', not {mode!r}")
    for reserved in ("token", "url", "set_default"):
        if reserved in connect_options:
            raise TypeError(f"login() does not take {reserved!r} as a connect option")
    panel = _panel_class()(url=url, connect_options=connect_options)
    if mode == "getpass" or (mode == "auto" and not _in_kernel()):
        panel.connect_from_prompt()
    return panel


def _in_kernel() -> bool:
    """True inside a running IPython kernel (where widgets can be displayed)."""
    ipython = sys.modules.get("IPython")
    if ipython is None:  # never imported, so certainly no kernel
        return False
    shell = ipython.get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def _error_text(exc: BaseException, url: str) -> tuple[str, str]:
    """A failed connect as (headline, detail): what happened, then the client's own words."""
    detail = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    if isinstance(exc, AuthError):
        said = f"{getattr(exc, 'server_message', None) or ''} {detail}".lower()
        if "disabled" in said:
            return (
                "API access is disabled for this account: an administrator must enable it.",
                detail,
            )
        return "The token was refused: check it and paste it again.", detail
    if isinstance(exc, QuotaExceeded):
        return "The account's daily API quota is spent on the server: wait for the reset.", detail
    if isinstance(exc, BudgetExceeded):
        return "Today's request budget is spent: wait for the reset.", detail
    if isinstance(exc, TransportError):
        return f"Could not reach {shown_url(url)}: check the URL and the network.", detail
    if isinstance(exc, PermissionDenied):
        return "The token works, but this account may not list companies.", detail
    if isinstance(exc, BeeboleError):
        return "Could not connect.", detail
    return f"Could not connect ({type(exc).__name__}).", detail


def _scrub(text: str, secret: str) -> str:
    """Belt and braces: no message shown by the panel may carry the token, in any form."""
    return scrub(text, hold(secret).forms())


def _status_html(state: State, headline: str, detail: str = "") -> str:
    colour = {"connected": "#1a7f37", "error": "#b42318"}.get(state, "#57606a")
    more = (
        f'<div class="beebole-login-detail" style="font-size:smaller;color:#57606a">'
        f"{html.escape(detail)}</div>"
        if detail
        else ""
    )
    return (
        f'<div class="beebole-login-status-text" data-beebole-state="{state}">'
        f'<div style="color:{colour};font-weight:bold">{html.escape(headline)}</div>{more}</div>'
    )


def _validate(secret: str, url: str, options: dict[str, Any]) -> dict[str, Any]:
    """One ``company.list`` through a throw-away client; raises what the client raises.

    ``refresh=True``: the check must reach the server (a cached answer proves
    nothing about the token today); the answer is cached for ``bb.companies()``.
    """
    from .api import client as client_module

    # At most one retry: a login should answer quickly, even when the URL is wrong.
    options = {**options, "retries": min(int(options.get("retries", 3)), 1)}
    with client_module.connect(secret, url=url, set_default=False, **options) as probe:
        return probe.call("company.list", refresh=True)


def _count_people(client: Client, companies: list[dict[str, Any]]) -> tuple[int, bool]:
    """People visible across the companies (one cached person.list each).

    Returns the count and whether it covers every company.
    """
    # People belong to the account's own (corporate) companies, not to its
    # customers: list only those when the server says which they are.
    if any("corporate" in company for company in companies):
        companies = [company for company in companies if company.get("corporate")]
    seen: set[object] = set()
    complete = True
    for index, company in enumerate(companies):
        if index >= SUMMARY_CALL_LIMIT:
            complete = False
            break
        ref = {"xid": company["xid"]} if company.get("xid") is not None else {"id": company["id"]}
        try:
            answer = client.call("person.list", company=ref)
        except BeeboleError as exc:
            # The summary is a courtesy: a refusal for one company must not undo the login.
            logger.info("person.list refused while summarising: %s", type(exc).__name__)
            complete = False
            continue
        for person in answer.get("people") or []:
            seen.add(person.get("xid") if person.get("xid") is not None else person.get("id"))
    return len(seen), complete


@functools.cache
def _panel_class() -> type[LoginPanel]:
    """Build the panel class on first use, so ipywidgets is imported lazily."""
    import ipywidgets as widgets

    class _LoginPanel(widgets.VBox):  # type: ignore[misc]
        __doc__ = _PANEL_DOC

        def __init__(
            self, *, url: str | None = None, connect_options: dict[str, Any] | None = None
        ) -> None:
            self._connect_options = dict(connect_options or {})
            self._client: Client | None = None
            self.state: State = "disconnected"
            self.url = widgets.Text(
                value=url or default_url(),
                description="URL",
                layout=widgets.Layout(width="32em"),
            )
            self.token = widgets.Password(
                description="Token",
                placeholder="paste your Beebole API token",
                layout=widgets.Layout(width="32em"),
            )
            self.connect_button = widgets.Button(
                description="Connect", button_style="primary", icon="plug"
            )
            self.env_button = widgets.Button(
                description="Use BEEBOLE_TOKEN",
                tooltip="Connect with the token in the BEEBOLE_TOKEN environment variable",
            )
            self.logout_button = widgets.Button(
                description="Log out", icon="sign-out", disabled=True
            )
            self.status = widgets.HTML()
            self.status.add_class("beebole-login-status")
            self.summary = widgets.HTML()
            self.summary.add_class("beebole-login-summary")
            self.requests_bar = widgets.IntProgress(
                value=0, min=0, max=1, description="Requests", bar_style="info"
            )
            self.kb_bar = widgets.FloatProgress(
                value=0.0, min=0.0, max=1.0, description="KB", bar_style="info"
            )
            self.requests_label = widgets.Label()
            self.kb_label = widgets.Label()
            self.budget = widgets.VBox(
                [
                    widgets.HBox([self.requests_bar, self.requests_label]),
                    widgets.HBox([self.kb_bar, self.kb_label]),
                ]
            )
            self.budget.add_class("beebole-login-budget")
            self.budget.layout.display = "none"

            self.connect_button.on_click(lambda _button: self.connect())
            self.env_button.on_click(lambda _button: self.connect_with_env())
            self.logout_button.on_click(lambda _button: self.logout())

            super().__init__(
                [
                    widgets.HTML("<b>Beebole</b> login"),
                    self.url,
                    self.token,
                    widgets.HBox([self.connect_button, self.env_button, self.logout_button]),
                    self.status,
                    self.summary,
                    self.budget,
                ]
            )
            self.add_class("beebole-login")
            self._show_initial_status()

        # --- public -----------------------------------------------------------

        @property
        def client(self) -> Client | None:
            """The client this panel connected, or None."""
            return self._client

        def connect(self) -> bool:
            """Connect with the token typed in :attr:`token` (what *Connect* does)."""
            secret = self.token.value
            # Cleared before anything else: the field must not keep the token,
            # whatever happens next.
            self.token.value = ""
            if not secret.strip():
                self._set_status("error", "Paste your API token in the Token field first.")
                return False
            return self._connect(secret.strip())

        def connect_with_env(self) -> bool:
            """Connect with ``$BEEBOLE_TOKEN`` (what *Use BEEBOLE_TOKEN* does)."""
            self.token.value = ""
            secret = os.environ.get("BEEBOLE_TOKEN", "").strip()
            if not secret:
                self._set_status("error", "BEEBOLE_TOKEN is not set in the kernel's environment.")
                return False
            return self._connect(secret)

        def connect_from_prompt(self) -> None:
            """Outside a notebook: take ``$BEEBOLE_TOKEN`` or ask with getpass.

            Raises the connection error instead of showing it.
            """
            secret = os.environ.get("BEEBOLE_TOKEN", "").strip()
            if not secret:
                secret = getpass.getpass(f"Beebole API token for {self.url.value}: ").strip()
            if not secret:
                raise AuthError("No token given: paste your Beebole API token at the prompt.")
            self._connect(secret, raise_errors=True)

        def logout(self) -> None:
            """Forget the client (what *Log out* does); the default client is cleared."""
            from .api import client as client_module

            client = self._client
            self._client = None
            self.token.value = ""
            client_module.disconnect()
            if client is not None:
                try:
                    client.close()
                except Exception:  # closing is best effort; the client is forgotten anyway
                    logger.debug("closing the client failed", exc_info=True)
            self.summary.value = ""
            self.budget.layout.display = "none"
            self.logout_button.disabled = True
            self._set_status("disconnected", "Logged out: no client is connected.")

        def update_budget(self) -> None:
            """Redraw the budget bars from the client's meter."""
            if self._client is None:
                self.budget.layout.display = "none"
                return
            meter = self._client.budget
            used, limit = meter.requests_used, meter.daily_requests
            kb_used, kb_limit = meter.kb_used, float(meter.daily_kb)
            self.requests_bar.max = max(limit, 1)
            self.requests_bar.value = min(used, self.requests_bar.max)
            self.requests_label.value = f"{used} of {limit} requests today"
            self.kb_bar.max = max(kb_limit, 1.0)
            self.kb_bar.value = min(kb_used, self.kb_bar.max)
            self.kb_label.value = f"{kb_used:.1f} of {kb_limit:g} KB today"
            for bar, share in (
                (self.requests_bar, used / max(limit, 1)),
                (self.kb_bar, kb_used / max(kb_limit, 1.0)),
            ):
                bar.bar_style = "danger" if share >= 0.9 else "warning" if share >= 0.7 else "info"
            self.budget.layout.display = None

        def __repr__(self) -> str:
            # Never raises, even half-built: a traceback shows the object.
            account = getattr(getattr(self, "_client", None), "fingerprint", None)
            url = getattr(getattr(self, "url", None), "value", None)
            state = getattr(self, "state", None)
            return f"LoginPanel(url={url!r}, state={state!r}, account={account!r})"

        # --- private ----------------------------------------------------------

        def _show_initial_status(self) -> None:
            has_env = bool(os.environ.get("BEEBOLE_TOKEN", "").strip())
            self.env_button.layout.display = None if has_env else "none"
            if has_env:
                text = (
                    "Not connected. BEEBOLE_TOKEN is set in the environment: "
                    "click 'Use BEEBOLE_TOKEN', or paste another token."
                )
            else:
                text = "Not connected: paste your API token and click Connect."
            self._set_status("disconnected", text)

        def _set_status(self, state: State, headline: str, detail: str = "") -> None:
            self.state = state
            self.status.value = _status_html(state, headline, detail)

        def _connect(self, secret: str, *, raise_errors: bool = False) -> bool:
            from .api import client as client_module

            url = self.url.value.strip() or default_url()
            self._set_status("connecting", f"Connecting to {shown_url(url)} ...")
            self.connect_button.disabled = True
            try:
                try:
                    answer = _validate(secret, url, self._connect_options)
                    # Valid: now the default client. A second Client of the same
                    # account shares the cache and the meter, so this costs no call.
                    client = client_module.connect(
                        secret, url=url, set_default=True, **self._connect_options
                    )
                except Exception as exc:
                    if raise_errors:
                        raise
                    self._show_failure(exc, url, secret)
                    return False
                previous, self._client = self._client, client
                if previous is not None:
                    previous.close()
                self._show_connected(client, answer, url)
                return True
            finally:
                self.connect_button.disabled = False

        def _show_failure(self, exc: Exception, url: str, secret: str) -> None:
            # Logged without the traceback's locals; the message never holds the token.
            logger.info("login failed: %s", type(exc).__name__)
            headline, detail = _error_text(exc, url)
            if self._client is not None:
                headline += " The previous connection is still active (Log out to forget it)."
            self._set_status("error", _scrub(headline, secret), _scrub(detail, secret))

        def _show_connected(self, client: Client, answer: dict[str, Any], url: str) -> None:
            companies = list(answer.get("companies") or [])
            people, complete = _count_people(client, companies)
            active = sum(1 for company in companies if company.get("active", True))
            people_text = f"{people} people" if complete else f"at least {people} people"
            names = ", ".join(html.escape(str(c.get("name", "?"))) for c in companies[:5])
            more = f", ... (+{len(companies) - 5})" if len(companies) > 5 else ""
            self.summary.value = (
                f"<div><b>Visible to this account:</b> {len(companies)} companies "
                f"({active} active) and {people_text}.</div>"
                + (f"<div>Companies: {names}{more}</div>" if companies else "")
            )
            self.logout_button.disabled = False
            self._set_status(
                "connected",
                f"Connected to {shown_url(url)}",
                f"Account {client.fingerprint}; bb.companies(), bb.people(), ... "
                "now use this connection.",
            )
            self.update_budget()

    _LoginPanel.__name__ = _LoginPanel.__qualname__ = "LoginPanel"
    _LoginPanel.__module__ = __name__
    return _LoginPanel


_PANEL_DOC = """A Beebole login form (an ``ipywidgets.VBox``); build it with :func:`login`.

Attributes
----------
url : ipywidgets.Text
    The API endpoint.
token : ipywidgets.Password
    Where the token is pasted; emptied as soon as *Connect* reads it.
connect_button, env_button, logout_button : ipywidgets.Button
    *Connect*, *Use BEEBOLE_TOKEN* (shown only when that variable is set), *Log out*.
status : ipywidgets.HTML
    The state line (CSS class ``beebole-login-status``; its inner element
    carries ``data-beebole-state``: disconnected, connecting, connected, error).
summary : ipywidgets.HTML
    Companies and people visible to the account, once connected.
budget : ipywidgets.VBox
    ``requests_bar`` and ``kb_bar``: requests and KB used today.
state : str
    The same state as ``data-beebole-state``.
client : Client or None
    The client this panel connected.
"""


def __getattr__(name: str) -> Any:
    # LoginPanel is built on first use so that ipywidgets stays unimported.
    if name == "LoginPanel":
        return _panel_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if TYPE_CHECKING:  # what type checkers see; the runtime class comes from _panel_class()
    import ipywidgets

    class LoginPanel(ipywidgets.VBox):  # type: ignore[misc]
        url: ipywidgets.Text
        token: ipywidgets.Password
        connect_button: ipywidgets.Button
        env_button: ipywidgets.Button
        logout_button: ipywidgets.Button
        status: ipywidgets.HTML
        summary: ipywidgets.HTML
        budget: ipywidgets.VBox
        requests_bar: ipywidgets.IntProgress
        kb_bar: ipywidgets.FloatProgress
        state: State

        def __init__(
            self, *, url: str | None = None, connect_options: dict[str, Any] | None = None
        ) -> None: ...
        @property
        def client(self) -> Client | None: ...
        def connect(self) -> bool: ...
        def connect_with_env(self) -> bool: ...
        def connect_from_prompt(self) -> None: ...
        def logout(self) -> None: ...
        def update_budget(self) -> None: ...
