"""The sandbox's service registry: every service module registers into it.

A service is a function ``(ctx, request) -> dict`` (or a ``Later``, for a slow
one) registered under its API name with :func:`service`. The service modules
(:mod:`.services_entities`, :mod:`.services_groups`, :mod:`.services_time`,
:mod:`.export`) register when imported; this module imports none of them, so
that registering never goes in a circle. :mod:`.backend` imports them all and
reads :func:`registered`.

>>> from beebole_pandas.sandbox import backend   # imports every service module
>>> sorted(registered())[:2]
['absence.activate', 'absence.add_group']
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["Handler", "Spec", "registered", "service"]

#: ``(ctx, request) -> dict | Later``; the types live in :mod:`.services`.
Handler = Callable[[Any, dict[str, Any]], Any]


@dataclass(frozen=True)
class Spec:
    """A registered service: its handler, who may call it, whether it writes."""

    name: str
    handler: Handler
    access: str  # "admin": administrators only; "read": every user; "self": the handler checks
    write: bool


_REGISTRY: dict[str, Spec] = {}


def service(
    name: str, *, access: str = "admin", write: bool = False
) -> Callable[[Handler], Handler]:
    """Register a service handler under its API name."""

    def deco(fn: Handler) -> Handler:
        _REGISTRY[name] = Spec(name, fn, access, write)
        return fn

    return deco


def registered() -> dict[str, Spec]:
    """Every service registered so far, by API name (a copy)."""
    return dict(_REGISTRY)
