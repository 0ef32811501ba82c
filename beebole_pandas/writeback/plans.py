"""What push and delete share: a plan in the making, its checks, its result frames.

:mod:`.push` and :mod:`.deletion` build a :class:`Planned` (one
:class:`~.validate.RowPlan` per row), check the budget, send it with
:func:`~.run.run` and turn plan and outcomes into the frames users read
(:class:`~.results.PlanFrame`, :class:`~.results.PushResult`).
"""

from __future__ import annotations

import logging
import os
import sys
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import PushError, ValidationError
from ..frames import check_columns
from ..load.scopes import shown
from .links import LINK_COLUMNS
from .results import PLAN_COLUMNS, RESULT_COLUMNS, PlanFrame, PushResult
from .run import Outcome
from .validate import ALL_COLUMNS, RowPlan, check_entity_name

logger = logging.getLogger(__name__)

__all__ = [
    "Planned",
    "check_budget",
    "checked",
    "plan_frame",
    "requests_left",
    "result_frame",
    "warn",
    "workers_of",
]


@dataclass
class Planned:
    """A plan before it becomes a frame."""

    entity: str  # an entity ("person") or a link kind ("project_manager")
    rows: list[RowPlan]
    reads: int
    requests_left: int | None
    warnings: list[str]
    stale: tuple[str, ...] = ()  # entities whose cached reads the writes make stale

    @property
    def requests(self) -> int:
        return sum(len(p.calls) for p in self.rows)


def requests_left(client: Any) -> int | None:
    """Requests left in today's budget (None for a client without a meter)."""
    try:
        return int(client.budget.requests_left)
    except (AttributeError, TypeError, ValueError):  # a client without a meter
        return None


def _resets_at(client: Any) -> str:
    try:
        return f"at {client.budget.resets_at:%Y-%m-%d %H:%M} UTC"
    except (AttributeError, TypeError, ValueError):
        return "tomorrow"


def checked(frame: Any, entity_name: Any) -> None:
    """Refuse, before any read, a frame or an ``entity=`` that no plan can come from."""
    if not isinstance(frame, pd.DataFrame):
        raise PushError(f"expected a pandas DataFrame, got {type(frame).__name__}")
    # Every column push may read is read as frame[name]: no MultiIndex, no repeats.
    check_columns(frame, ALL_COLUMNS | LINK_COLUMNS)
    check_entity_name(entity_name)


def workers_of(value: Any) -> int:
    """The ``workers=`` argument, checked."""
    whole = isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_)
    if whole and value >= 1:
        return int(value)
    raise ValidationError(f"workers={shown(value)} must be a whole number of threads, 1 or more")


def _caller_stacklevel() -> int:
    """The stacklevel of the first frame outside this package, for warnings."""
    package = os.path.dirname(__file__)
    frame = sys._getframe(1)
    level = 1
    while frame is not None and os.path.dirname(frame.f_code.co_filename) == package:
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    return level


def warn(notes: Iterable[str]) -> None:
    """Each note as a UserWarning pointing at the user's line (a notebook cell)."""
    for note in notes:
        warnings.warn(note, UserWarning, stacklevel=_caller_stacklevel())


def plan_frame(planned: Planned, index: pd.Index, *, delete: bool = False) -> PlanFrame:
    """The plan as users read it: one row per input row, in input order."""
    table = pd.DataFrame(
        {
            "action": pd.array([p.action for p in planned.rows], dtype="string"),
            "label": pd.array([p.label for p in planned.rows], dtype="string"),
            "changes": pd.array([p.changes_text for p in planned.rows], dtype="string"),
            "reason": pd.array([p.reason for p in planned.rows], dtype="string"),
            "requests": pd.array([len(p.calls) for p in planned.rows], dtype="Int64"),
            "id": pd.array([p.id for p in planned.rows], dtype="Int64"),
            "xid": pd.array([p.xid for p in planned.rows], dtype="string"),
        },
        index=index,
        columns=PLAN_COLUMNS,
    )
    return PlanFrame(
        table,
        entity=planned.entity,
        requests=planned.requests,
        requests_left=planned.requests_left,
        reads=planned.reads,
        warnings=planned.warnings,
        delete=delete,
    )


def result_frame(
    planned: Planned, outcomes: list[Outcome], index: pd.Index, **info: Any
) -> PushResult:
    """What was done, as users read it: one row per input row, in input order."""
    table = pd.DataFrame(
        {
            "action": pd.array([p.action for p in planned.rows], dtype="string"),
            "label": pd.array([p.label for p in planned.rows], dtype="string"),
            "status": pd.array([o.status for o in outcomes], dtype="string"),
            "message": pd.array([o.message for o in outcomes], dtype="string"),
            "id": pd.array([o.id for o in outcomes], dtype="Int64"),
            "xid": pd.array([o.xid for o in outcomes], dtype="string"),
        },
        index=index,
        columns=RESULT_COLUMNS,
    )
    return PushResult(table, entity=planned.entity, warnings=planned.warnings, **info)


def check_budget(planned: Planned, send_what_fits: bool, client: Any) -> int | None:
    """The requests that may be sent (None: all of them), or PushError when they do not fit."""
    left = planned.requests_left
    needed = planned.requests
    if left is None or needed <= left:
        return None
    if send_what_fits:
        logger.warning("push needs %d requests, %d left today: sending what fits", needed, left)
        return left
    raise PushError(
        f"push needs {needed} write requests but only {left} are left in today's budget "
        f"(the plan itself read {planned.reads}); nothing was sent. Push fewer rows, wait for "
        f"the reset {_resets_at(client)}, or pass send_what_fits=True to send the rows that "
        "fit, in input order",
        details={"needed": needed, "left": left, "reads": planned.reads},
    )
