"""The load wing: Beebole's data as typed DataFrames, read through the api wing.

Offered to the other wings and to users (``bb.people`` and the like are
these functions):

- :mod:`.entities`: ``companies``, ``people``, ``projects``, ``subprojects``,
  ``tasks``, ``absences``, ``groups``, ``custom_fields``; ``LOADERS`` and
  ``load_entity(kind, *, client=None, refresh=False)`` (a loader by entity
  name); ``flatten_tree`` (the rows of ``group.tree``); ``list_rows``.
- :mod:`.time_entries`: ``time_entries(start, end, ...)``;
  ``person_entries(client, person, start, end)`` and
  ``use_export(client, people, start, end)``, the one rule for reading
  entries that push follows too.
- :mod:`.export`: ``export(start, end, *, keys, ...)`` and ``run_export``
  (one job to its end, its result cached).
- :mod:`.leave`: ``leave_balances(period, ...)`` (the export's ``quota``
  view: available, taken and balance per person, absence type and quota).
- :mod:`.schedule`: ``work_schedule(start, end, *, freq=None, ...)``: business
  days and hours per person and period (the export's ``workDays``/``workHours``).
- :mod:`.relations`: the relationship frames (``members``,
  ``project_managers``, ``group_assignments``, ...).
- :mod:`.scopes`: turning scope arguments (ids, xids, names) into API
  references; ``period``, ``statuses``, ``fan_out``.
- :mod:`.parse`, :mod:`.parse_csv`: export results (array or localised CSV)
  into typed frames; the key table itself is :mod:`beebole_pandas.export_keys`;
  :mod:`.dates` and :mod:`.localised` read dates, times and numbers in every
  format an account can set (``api.formats.ExportFormat``).
- :mod:`.hours`: ``hours(period, by=[...])``, aggregated hours from an
  aggregated export; :mod:`.entry_columns`: the export keys a set of
  time-entry columns needs, names filled from the entity lists.
- :mod:`.estimate`: ``estimate(...)`` and the ``dry_run=True`` of every
  loader (requests and KB before anything is loaded); :mod:`.store`: the
  local Parquet store ``sync``/``resume=True`` continue from across days.

This wing imports the api wing and the shared root modules only, never
``writeback`` or ``reports``.
"""

import importlib
from typing import Any

#: The modules this wing offers (see above); the others are its inside.
__all__ = [
    "dates",
    "entities",
    "entry_columns",
    "estimate",
    "export",
    "hours",
    "leave",
    "localised",
    "parse",
    "parse_csv",
    "relations",
    "schedule",
    "scopes",
    "store",
    "time_entries",
]


def __getattr__(name: str) -> Any:
    # A module named in __all__ is imported when first used (tab completion finds it).
    if name in __all__:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
