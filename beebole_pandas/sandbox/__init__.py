"""A local Beebole v2 server, for tests, notebooks and demos (like moto for AWS).

A real HTTP/1.1 server on loopback speaking Beebole's v2 API over an SQLite
account, with per-token daily quotas and injectable faults.

>>> import requests
>>> from beebole_pandas import sandbox
>>> with sandbox.serve(seed="demo", daily_requests=4000, daily_kb=2048) as server:  # doctest: +SKIP
...     answer = requests.post(server.url, json={"service": "company.list"},
...                            auth=(server.token, "x")).json()
...     server.tokens            # {"default": ..., "us": ..., "fr": ..., "admin": ..., "employee": ...}
...     server.settings("fr")    # {"date_format": "DD/MM/YYYY", "list_separator": ";", ...}
...     server.set_settings("default", date_format="MM/DD/YYYY")
...     server.stats()           # {"requests": 1, "bytes": ..., "by_service": {...}, ...}
...     server.inject("http503", times=1)    # the next request gets HTTP 503
...     server.inject(None)                  # no more faults
...     server.advance_day()                 # quotas are whole again

The demo seed has absence quotas and time-clock records too, so that every
``show`` of ``time_entry.export`` has rows (``quota``, ``attendance``:
:mod:`.export_views`); overtime follows the calling account's schedule, and
business hours (``workHours``) each person's: the account's, or an individual
one for the demo's part-timers (6-hour days; :func:`.export.day_hours`).

``sandbox.serve(literal=True)`` answers exactly the documented shapes
(:mod:`.literal`). From a shell: ``python -m beebole_pandas serve --port 8765
[--literal]``.

Names are imported lazily so that ``from beebole_pandas import sandbox`` costs
nothing until a server is started.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .backend import Backend
    from .server import SandboxServer, serve

__all__ = ["Backend", "SandboxServer", "serve"]

_LAZY = {"serve": "server", "SandboxServer": "server", "Backend": "backend"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
