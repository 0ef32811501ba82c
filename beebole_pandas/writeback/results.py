"""The frames plan() and push() return: one row per input row, plus a summary.

Both are ordinary DataFrames (indexed like the input frame, in input order)
with a one-line :attr:`summary`, a few totals as attributes, and a Jupyter
``_repr_html_`` that puts the summary above the table. Slicing one gives a
plain DataFrame.

>>> import pandas as pd
>>> from beebole_pandas.writeback.results import PushResult
>>> r = PushResult(
...     pd.DataFrame({"action": ["update"], "status": ["ok"], "message": [""],
...                   "id": pd.array([3], dtype="Int64"), "xid": pd.array([None], dtype="string")}),
...     entity="person", requests=1, seconds=0.1)
>>> r.summary
'push person: 1 row: 1 update; 1 written, 0 unchanged, 0 failed; 1 request sent in 0.1 s'
"""

from __future__ import annotations

import html
from collections import Counter
from typing import Any, ClassVar

import pandas as pd

__all__ = ["PLAN_COLUMNS", "RESULT_COLUMNS", "PlanFrame", "PushResult"]

PLAN_COLUMNS = ["action", "label", "changes", "reason", "requests", "id", "xid"]
RESULT_COLUMNS = ["action", "label", "status", "message", "id", "xid"]

_ACTION_ORDER = ("create", "update", "unchanged", "invalid", "delete", "missing")
_COLOURS = {"error": "#fde2e1", "invalid": "#fde2e1", "skipped": "#fff4d6"}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


#: Actions that write nothing: an ok row with one of them was left as it was.
_NOTHING_SENT = ("unchanged", "missing")
#: How the summary names, per verb, rows written and rows left as they were.
_OUTCOME_WORDS = {"push": ("written", "unchanged"), "delete": ("deleted", "already gone")}


def _outcomes(actions: list[str], statuses: list[str], verb: str) -> str:
    """``2 written, 10 unchanged, 0 failed`` (and ``, 3 skipped`` when some were)."""
    done, kept = _OUTCOME_WORDS.get(verb, ("applied", "unchanged"))
    counted = Counter(
        ("kept" if action in _NOTHING_SENT else "done") if status == "ok" else status
        for action, status in zip(actions, statuses, strict=True)
    )
    text = f"{counted['done']} {done}, {counted['kept']} {kept}, {counted['error']} failed"
    others = sorted(k for k in counted if k not in ("done", "kept", "error"))
    return text + "".join(f", {counted[k]} {k}" for k in others)


def _counts(series: pd.Series, order: tuple[str, ...]) -> str:
    counted = Counter(str(v) for v in series.tolist())
    keys = [k for k in order if k in counted] + sorted(k for k in counted if k not in order)
    return ", ".join(f"{counted[k]} {k}" for k in keys)


class _Reported(pd.DataFrame):
    """A DataFrame with a summary line; derived frames are plain DataFrames."""

    _metadata: ClassVar[list[str]] = ["_info"]
    _info: dict[str, Any]

    @property
    def _constructor(self) -> type[pd.DataFrame]:  # type: ignore[override]
        return pd.DataFrame

    @property
    def summary(self) -> str:  # pragma: no cover - overridden
        raise NotImplementedError

    @property
    def entity(self) -> str:
        """The entity the rows are (``"person"``, ``"time_entry"`` ...)."""
        return str(self._details().get("entity", ""))

    @property
    def warnings(self) -> list[str]:
        """Warnings raised while planning (unknown columns, rows without a key ...)."""
        return list(self._details().get("warnings", []))

    def _details(self) -> dict[str, Any]:
        # absent on a frame built by hand, e.g. PlanFrame(df)
        return getattr(self, "_info", None) or {}

    def _headline(self) -> str:
        """The summary, or why there is none: a repr must work in any state
        (built by hand, or with a column deleted in place)."""
        try:
            return str(self.summary)
        except Exception as exc:
            return f"{type(self).__name__} without its summary ({type(exc).__name__}: {exc})"

    def __repr__(self) -> str:
        return f"{self._headline()}\n{pd.DataFrame(self).__repr__()}"

    def _repr_html_(self) -> str:  # type: ignore[override]
        plain = pd.DataFrame(self)
        column = next((c for c in ("status", "action") if c in plain.columns), None)
        flag = plain[column].astype("string") if column else pd.Series([], dtype="string")
        # Rows that need attention get a tint; the table keeps input order.
        # A class of its own, because notebook styles are global to the page.
        css = f"beebole-result-{id(self):x}"
        styles = [
            f".{css} tbody tr:nth-child({i + 1}) td {{background: {_COLOURS[v]}}}"
            for i, v in enumerate(flag.fillna("").tolist())
            if v in _COLOURS and i < 100
        ]
        table = plain.to_html(max_rows=200, na_rep="", escape=True, classes=css)
        notes = "".join(f"<li>{html.escape(w)}</li>" for w in self.warnings)
        parts = [
            f"<div><p><b>{html.escape(self._headline())}</b></p>",
            f"<ul>{notes}</ul>" if notes else "",
            f"<style>{' '.join(styles)}</style>" if styles else "",
            table,
            "</div>",
        ]
        return "".join(parts)


class PlanFrame(_Reported):
    """What :func:`beebole_pandas.writeback.push.push` would do, row by row.

    Columns: ``action`` (create, update, unchanged, invalid), ``label`` (the
    row as people name it: a name, an entry's day and hours), ``changes``
    (``field: before → after``), ``reason`` (why a row is invalid),
    ``requests`` (write requests the row costs), ``id`` and ``xid``.

    Attributes: :attr:`requests` (write requests push would send),
    :attr:`requests_left` (today's budget), :attr:`fits`, :attr:`reads`
    (requests spent reading the server state for this plan).
    """

    def __init__(self, data: Any = None, *args: Any, **info: Any) -> None:
        super().__init__(data, *args) if args else super().__init__(data)
        self._info = info

    @property
    def requests(self) -> int:
        """Write requests push would send."""
        return int(self._info.get("requests", 0))

    @property
    def requests_left(self) -> int | None:
        """Requests left in today's budget when the plan was made."""
        left = self._info.get("requests_left")
        return None if left is None else int(left)

    @property
    def fits(self) -> bool:
        """Whether the writes fit in what is left of today's budget."""
        left = self.requests_left
        return left is None or self.requests <= left

    @property
    def reads(self) -> int:
        """Requests spent reading the server state to make this plan."""
        return int(self._info.get("reads", 0))

    @property
    def summary(self) -> str:
        """One line: the actions, the requests needed and whether they fit."""
        n = len(self)
        actions = _counts(self["action"], _ACTION_ORDER) if n else "nothing to do"
        left = self.requests_left
        budget = (
            ""
            if left is None
            else f" ({'fits in' if self.fits else 'MORE than'} the {left} left today)"
        )
        verb = "delete" if self._info.get("delete") else "push"
        return (
            f"plan {verb} {self.entity}: {_plural(n, 'row')}: {actions}; "
            f"needs {_plural(self.requests, 'request')}{budget}"
        )


class PushResult(_Reported):
    """What :func:`beebole_pandas.writeback.push.push` did, row by row.

    Columns: ``action``, ``label`` (the row as people name it), ``status``
    (ok, error, skipped), ``message``, and the ``id`` / ``xid`` of the entity
    (the one assigned, for created rows).

    Attributes: :attr:`requests` (write requests sent), :attr:`reads`,
    :attr:`seconds`, :attr:`ok` (every row ok).
    """

    def __init__(self, data: Any = None, *args: Any, **info: Any) -> None:
        super().__init__(data, *args) if args else super().__init__(data)
        self._info = info

    @property
    def requests(self) -> int:
        """Write requests sent."""
        return int(self._info.get("requests", 0))

    @property
    def reads(self) -> int:
        """Requests spent reading the server state before writing."""
        return int(self._info.get("reads", 0))

    @property
    def seconds(self) -> float:
        """Wall time of the push, reading the server state included."""
        return float(self._info.get("seconds", 0.0))

    @property
    def ok(self) -> bool:
        """True when every row has status ok."""
        return bool((self["status"] == "ok").all())

    def with_ids(self, frame: pd.DataFrame) -> pd.DataFrame:
        """A copy of the pushed ``frame`` with the ids the server assigned filled in.

        Rows created by the push (and new time entries matched to ones an
        earlier push created) get their ``id``; keep editing that copy, so
        that the next push updates those entries instead of creating more.
        The frame itself is not modified.

        Examples
        --------
        >>> result = entries.beebole.push()          # doctest: +SKIP
        >>> entries = result.with_ids(entries)       # doctest: +SKIP
        """
        if not frame.index.equals(self.index):
            raise ValueError(
                "with_ids needs the frame that was pushed: its index differs from the result's"
            )
        out = frame.copy()
        for column in ("id", "xid"):
            if column not in out.columns:
                continue
            assigned = pd.Series(self[column].array, index=self.index)
            missing = out[column].isna() & assigned.notna()
            if missing.any():
                out.loc[missing, column] = assigned[missing].astype(out[column].dtype)
                if column == "id" and "status" in out.columns:
                    # A new entry's status is the server's (draft), not the copied row's.
                    out.loc[missing, "status"] = pd.NA
        return out

    @property
    def errors(self) -> pd.DataFrame:
        """The rows whose status is not ok, as a plain frame."""
        return pd.DataFrame(self)[self["status"] != "ok"]

    @property
    def summary(self) -> str:
        """One line: the actions, the rows written, left unchanged and failed,
        the requests sent and the time."""
        n = len(self)
        actions = _counts(self["action"], _ACTION_ORDER) if n else "nothing to do"
        verb = str(self._info.get("verb", "push"))
        statuses = (
            _outcomes(
                [str(a) for a in self["action"].tolist()],
                [str(s) for s in self["status"].tolist()],
                verb,
            )
            if n
            else ""
        )
        dry = " (dry run, nothing sent)" if self._info.get("dry_run") else ""
        return (
            f"{verb} {self.entity}: {_plural(n, 'row')}: {actions}; {statuses}; "
            f"{_plural(self.requests, 'request')} sent in {self.seconds:.1f} s{dry}"
        )
