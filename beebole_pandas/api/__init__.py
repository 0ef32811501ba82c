"""The api wing: the only code that talks HTTP to Beebole.

Every request of the package goes through one :class:`~.client.Client`: HTTP
Basic auth, the HTTPS rule, retries of reads, answers turned into the
package's errors, the requests-cache session and the daily budget meter. The
other wings never import ``requests``.

Offered to the other wings (build against these; the rest is private):

- :mod:`.client`: ``connect``, ``get_client``, ``disconnect``,
  ``resolve_client(client)`` (the given client or the default one), and
  ``Client`` with ``call(service, /, *, refresh=False, **params)``,
  ``recall``/``remember``/``generation`` (the export-result cache),
  ``invalidate``, ``budget``, ``fingerprint``, ``offline``.
- :mod:`.answers`: ``DEFAULT_URL``, ``default_url()``, ``scrub``; and
  :mod:`.secret`: ``hold(token)`` -> ``Secret`` (``.forms()``: what to scrub),
  for the login panel, which keeps the token out of what it shows.
- :mod:`.urls`: ``check_url`` (HTTPS, or plain HTTP to a literal loopback
  address only), ``shown_url`` (a URL with its credentials redacted).
- :mod:`.budget`: ``Budget`` (what ``client.budget`` returns).

Inside the wing: :mod:`.cache` (which services are cached, for how long, and
the SQLite session), :mod:`.budget` (the meter and its transport adapter),
:mod:`.files` (private files, corrupt ones moved aside).
The token lives in a :class:`~.secret.Secret` from the first line of
``connect``/``Client`` on.

This wing imports nothing of ``load``, ``writeback`` or ``reports``.
"""

import importlib
from typing import Any

#: The modules this wing offers (see above); the others are its inside.
__all__ = ["answers", "budget", "client", "formats", "secret", "urls"]


def __getattr__(name: str) -> Any:
    # A module named in __all__ is imported when first used (tab completion finds it).
    if name in __all__:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
