"""The writeback wing: plan, push and delete edited frames, safely.

A push reads the server's current state (through the load wing's public
functions), validates every row, sends only the changed ones (upserting by
xid, else id), and reports per row. A re-run after a failure re-reads and
re-plans, so nothing is duplicated or lost. An edit push cannot write is
never dropped without a word: the row is ``invalid`` with a reason naming the
column, or a warning says what was left as it was.

Offered (the accessor and ``bb.push`` / ``bb.plan`` call these):

- :mod:`.push`: ``plan(frame, *, entity=None, client=None) -> PlanFrame``,
  ``push(frame, *, dry_run=False, ...) -> PushResult``, ``delete(frame, ...)``
  (from :mod:`.deletion`).
- :mod:`.time_entries`: ``workflow(frame, verb, memo=None, client=None)``
  (submit, approve, reject, lock, unlock; from :mod:`.workflow`) and
  ``WORKFLOW_VERBS``.
- :mod:`.validate`: ``detect_entity(frame, entity=None)``.
- :mod:`.results`: ``PlanFrame`` and ``PushResult``.

Inside the wing: :mod:`.plans` (what push and delete share: the plan in the
making, budget checks, the result frames), :mod:`.state` and
:mod:`.time_state` (fresh server reads), :mod:`.checks` (row checks against
the schema and the server's row), :mod:`.entities` (entity diffs and
payloads), :mod:`.time_entries` (entry diffs, moves), :mod:`.names` (names
in reference columns as references), :mod:`.labels` (the ``label`` column),
:mod:`.links` (relationship frames), :mod:`.run` (sending, bounded
concurrency).

This wing imports the api and load wings and the shared root modules, never
``reports``.
"""

import importlib
from typing import Any

#: The modules this wing offers (see above); the others are its inside.
__all__ = ["deletion", "push", "results", "time_entries", "validate", "workflow"]


def __getattr__(name: str) -> Any:
    # A module named in __all__ is imported when first used (tab completion finds it).
    if name in __all__:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
