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
    CacheError,
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
    "Client": "api.client",
    "connect": "api.client",
    "get_client": "api.client",
    "disconnect": "api.client",
    "login": "widgets",
    "to_frame": "frames",
    "companies": "load.entities",
    "people": "load.entities",
    "projects": "load.entities",
    "subprojects": "load.entities",
    "tasks": "load.entities",
    "absences": "load.entities",
    "groups": "load.entities",
    "custom_fields": "load.entities",
    "time_entries": "load.time_entries",
    "export": "load.export",
    "estimate": "load.estimate",
    "Estimate": "load.estimate",
    "hours": "load.hours",
    "leave_balances": "load.leave",
    "work_schedule": "load.schedule",
    "sync": "load.time_entries",
    "SyncReport": "load.store",
    "custom_field_values": "load.relations",
    "group_assignments": "load.relations",
    "members": "load.relations",
    "project_managers": "load.relations",
    "specific_tasks": "load.relations",
    "team_leaders": "load.relations",
    "plan": "writeback.push",
    "push": "writeback.push",
    "doctor": "selfcheck",
}
# attribute -> submodule it names (the wings, and plotting inside reports)
_SUBMODULES: dict[str, str] = {
    "api": "api",
    "frames": "frames",
    "load": "load",
    "plotting": "reports.plotting",
    "reports": "reports",
    "sandbox": "sandbox",
    "schema": "schema",
    "writeback": "writeback",
}

__all__ = [
    "AuthError",
    "BeeboleError",
    "BudgetExceeded",
    "CacheError",
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
        return importlib.import_module(f".{_SUBMODULES[name]}", __name__)
    raise AttributeError(f"module 'beebole_pandas' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
