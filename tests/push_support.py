"""Helpers shared by the push test modules."""

from __future__ import annotations

from typing import Any

import pandas as pd

import beebole_pandas as bb
from beebole_pandas.errors import BeeboleError
from beebole_pandas.writeback import push as bp

#: The reads push makes; everything else the server counts is a write.
LIST_SERVICES = {"company.list", "person.list", "project.list", "time_entry.list", "group.tree"}


def load_people(client: Any) -> pd.DataFrame:
    return bb.people(client=client, refresh=True)


def writes(server: Any) -> dict[str, int]:
    """The write requests the server received since the last reset_stats()."""
    return {
        s: n
        for s, n in server.stats()["by_service"].items()
        if s not in LIST_SERVICES and not s.endswith(".get")
    }


def push_until_ok(
    server: Any,
    frame: pd.DataFrame,
    client: Any,
    kind: str,
    *,
    attempts: int = 25,
    probability: float = 0.3,
    seed: int = 7,
    workers: int = 4,
) -> tuple[Any, int]:
    """Push with faults injected until a push reports every row ok; returns the
    last result and the number of failed attempts."""
    server.inject(kind, probability=probability, seed=seed)
    failures = 0
    try:
        for _ in range(attempts):
            try:
                result = bp.push(frame, client=client, progress=False, workers=workers)
            except BeeboleError:
                failures += 1  # a read failed even after the client's retries
                continue
            if result.ok:
                return result, failures
            failures += 1
    finally:
        server.inject(None)
    raise AssertionError(f"push did not converge in {attempts} attempts")
