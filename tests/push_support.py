"""Helpers shared by the push test modules."""

from __future__ import annotations

from typing import Any

import pandas as pd

import beebole_pandas as bb

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
