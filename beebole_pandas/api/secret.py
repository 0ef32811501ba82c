"""The API token, held where nothing shows it.

A token passed around as a plain ``str`` ends up in the locals of every frame
it goes through, and ``%xmode Verbose`` (or any traceback printed with its
locals) shows them, in the notebook and in the saved ``.ipynb``. So the token
is wrapped in a :class:`Secret` the moment it enters the package, the plain
name is deleted, and it is unwrapped only inside the calls that must send it
(:class:`TokenAuth`, the account fingerprint), never into a variable of a
frame an error can pass through.

>>> secret = hold("  abc123 ")
>>> secret, str(secret)
(<token hidden>, '<token hidden>')
>>> secret.checked().reveal()
'abc123'
"""

from __future__ import annotations

import base64
import os
import unicodedata
from typing import Any

from requests.auth import AuthBase

from ..errors import AuthError

__all__ = ["Secret", "TokenAuth", "hold"]

_HIDDEN = "<token hidden>"
_NO_TOKEN = (
    "No Beebole token: call bb.connect(token), set the BEEBOLE_TOKEN environment variable, "
    "or use bb.login() in Jupyter."
)


class Secret:
    """A token that shows as ``<token hidden>`` in reprs, strings and tracebacks,
    and refuses to be pickled or copied into a saved notebook's widget state."""

    __slots__ = ("_value",)
    _value: Any

    def __init__(self, value: Any) -> None:
        object.__setattr__(self, "_value", value)

    def reveal(self) -> str:
        """The token itself, for the one place that sends it."""
        return str(self._value)

    def checked(self) -> Secret:
        """The token (``$BEEBOLE_TOKEN`` when it is None) without surrounding
        whitespace, refused unless printable ASCII without spaces.

        The message names the character and its position, never the token (a
        non-Latin-1 character would otherwise fail deep in ``requests``, with
        an error quoting the whole ``Authorization`` value).

        Raises
        ------
        TypeError
            The token is not a string (the message names the type, never the value).
        AuthError
            No token, or one with a character a Beebole token cannot hold.

        Examples
        --------
        >>> hold(b"abc").checked()
        Traceback (most recent call last):
        ...
        TypeError: token must be a str (the API token as text), not bytes
        """
        if self._value is None:
            # Read in a function of its own: a verbose traceback prints the values
            # of the names on the failing line, and os.environ is all of them.
            from_environment = _environment_token()
            if from_environment._value is None:
                raise AuthError(_NO_TOKEN)
            return from_environment.checked()
        # No line that raises below names ``._value``: a verbose traceback prints
        # the value of every name and attribute on the failing line.
        kind = type(self._value).__name__
        if not isinstance(self._value, str):
            raise TypeError(f"token must be a str (the API token as text), not {kind}")
        stripped = Secret(self._value.strip())
        size = len(stripped._value)
        if not size:
            raise AuthError(_NO_TOKEN)
        for position, char in enumerate(stripped._value, start=1):
            if not "!" <= char <= "~":
                name = unicodedata.name(char, "a control character")
                raise AuthError(
                    f"The token contains U+{ord(char):04X} {name} at position {position} of "
                    f"{size}; a Beebole token is printable ASCII without spaces. "
                    "Copy it again from Beebole (your user settings, API token), as plain text."
                )
        return stripped

    def forms(self) -> tuple[str, ...]:
        """The forms the token takes on the wire: as is, and base64 in ``Basic token:x``."""
        value = self._value
        return (value, base64.b64encode(f"{value}:x".encode()).decode()) if value else ()

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("a Secret cannot be changed")

    def __repr__(self) -> str:
        return _HIDDEN

    __str__ = __repr__

    def __reduce__(self) -> Any:
        raise TypeError("A Beebole token cannot be pickled.")

    def __deepcopy__(self, memo: Any) -> Secret:
        return self

    def __copy__(self) -> Secret:
        return self


def _environment_token() -> Secret:
    return Secret(os.environ.get("BEEBOLE_TOKEN"))


def hold(token: Any) -> Secret:
    """``token`` wrapped in a :class:`Secret` (itself if it is one); never raises.

    Call it first, delete the plain name, then :meth:`Secret.checked`, so that
    no frame an error passes through holds the token in a plain variable.

    Examples
    --------
    >>> hold(hold("abc")).reveal()
    'abc'
    """
    return token if isinstance(token, Secret) else Secret(token)


class TokenAuth(AuthBase):
    """HTTP Basic auth ``token:x`` for requests, holding the token as a :class:`Secret`."""

    def __init__(self, secret: Secret) -> None:
        self.secret = secret

    def __call__(self, request: Any) -> Any:
        from requests.auth import _basic_auth_str

        request.headers["Authorization"] = _basic_auth_str(self.secret.reveal(), "x")
        return request

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TokenAuth) and other.secret is self.secret

    def __hash__(self) -> int:
        return id(self.secret)

    def __repr__(self) -> str:
        return f"TokenAuth({_HIDDEN})"
