"""Beebole timesheets as typed pandas DataFrames.

>>> import beebole_pandas as bb
>>> from beebole_pandas import sandbox
>>> with sandbox.serve(seed="demo") as server:           # doctest: +SKIP
...     client = bb.connect(server.token, url=server.url)
...     bb.projects().head()

Public names are resolved lazily (PEP 562) so that ``import beebole_pandas``
stays fast: pandas is imported for the ``df.beebole`` accessor, while requests,
ipywidgets, matplotlib and tqdm wait until they are used.
"""

from __future__ import annotations

import importlib
from typing import Any

from . import accessor as _accessor  # noqa: F401  (registers df.beebole)
from .errors import (
    AuthError,
    BeeboleError,
    BudgetExceeded,
    NotConnected,
    NotFound,
    OfflineMiss,
    PermissionDenied,
    PushError,
    QuotaExceeded,
    SchemaError,
    ServerError,
    TransportError,
    ValidationError,
)

__version__ = "0.1.0"

# name -> module that defines it
_LAZY: dict[str, str] = {
    "Client": "client",
    "connect": "client",
    "get_client": "client",
    "disconnect": "client",
    "login": "widgets",
    "to_frame": "frames",
    "companies": "loaders",
    "people": "loaders",
    "projects": "loaders",
    "subprojects": "loaders",
    "tasks": "loaders",
    "absences": "loaders",
    "groups": "loaders",
    "custom_fields": "loaders",
    "time_entries": "loaders",
    "export": "loaders",
    "custom_field_values": "loaders",
    "group_assignments": "loaders",
    "members": "loaders",
    "project_managers": "loaders",
    "specific_tasks": "loaders",
    "team_leaders": "loaders",
}
_SUBMODULES = {"sandbox", "reports", "plotting", "schema", "frames", "loaders", "push", "client"}

__all__ = [
    "AuthError",
    "BeeboleError",
    "BudgetExceeded",
    "NotConnected",
    "NotFound",
    "OfflineMiss",
    "PermissionDenied",
    "PushError",
    "QuotaExceeded",
    "SchemaError",
    "ServerError",
    "TransportError",
    "ValidationError",
    "__version__",
    *_LAZY,
    *sorted(_SUBMODULES),
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module = importlib.import_module(f".{_LAZY[name]}", __name__)
        return getattr(module, name)
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'beebole_pandas' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
