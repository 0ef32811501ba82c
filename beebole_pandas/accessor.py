"""The ``df.beebole`` accessor: thin, it delegates to push and reports.

Registered when :mod:`beebole_pandas` is imported. Write-back lives in
:mod:`beebole_pandas.writeback.push`, reports in :mod:`beebole_pandas.reports`; both are
imported only when a method is called, so ``import beebole_pandas`` stays fast.

>>> import beebole_pandas as bb
>>> entries = bb.time_entries("2026-10-01", "2026-10-31")   # doctest: +SKIP
>>> entries.beebole.timesheet(freq="W")                       # doctest: +SKIP
>>> entries.beebole.plan().summary                            # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from .writeback.results import PlanFrame, PushResult

__all__ = ["BeeboleAccessor"]


@pd.api.extensions.register_dataframe_accessor("beebole")
class BeeboleAccessor:
    """Beebole operations on a frame loaded by :mod:`beebole_pandas` (and edited).

    The entity is told by the frame's columns, or by ``entity=`` where a
    method takes it (tasks and absences have the same columns).
    """

    def __init__(self, frame: pd.DataFrame) -> None:
        self._frame = frame

    @property
    def entity(self) -> str:
        """The entity the frame holds, told from its columns.

        Raises :class:`~beebole_pandas.errors.SchemaError` when it cannot tell.

        >>> import pandas as pd
        >>> pd.DataFrame(columns=["id", "name", "email"]).beebole.entity
        'person'
        """
        from .writeback.validate import detect_entity

        return detect_entity(self._frame).name

    # -- write-back ------------------------------------------------------------------

    def plan(self, *, entity: str | None = None, client: Any = None) -> PlanFrame:
        """What :meth:`push` would do, row by row; sends nothing.

        See :func:`beebole_pandas.writeback.push.plan`.

        >>> people.beebole.plan().summary               # doctest: +SKIP
        'plan push person: 40 rows: 2 update, 38 unchanged; needs 2 requests (fits in the 3990 left today)'
        """
        from .writeback import push

        return push.plan(self._frame, entity=entity, client=client)

    def push(
        self,
        *,
        entity: str | None = None,
        dry_run: bool = False,
        workers: int = 4,
        progress: bool = True,
        send_what_fits: bool = False,
        client: Any = None,
    ) -> PushResult:
        """Write the changed rows back; a per-row result frame. Safe to run again.

        See :func:`beebole_pandas.writeback.push.push`.

        >>> people.beebole.push(workers=8).ok            # doctest: +SKIP
        True
        """
        from .writeback import push

        return push.push(
            self._frame,
            entity=entity,
            dry_run=dry_run,
            workers=workers,
            progress=progress,
            send_what_fits=send_what_fits,
            client=client,
        )

    def delete(
        self,
        *,
        entity: str | None = None,
        dry_run: bool = False,
        force: bool = False,
        workers: int = 4,
        progress: bool = True,
        client: Any = None,
    ) -> PlanFrame | PushResult:
        """Delete these rows (time entries, groups): the only way anything is deleted.

        See :func:`beebole_pandas.writeback.push.delete`.

        >>> entries[entries.hours == 0].beebole.delete(dry_run=True)   # doctest: +SKIP
        """
        from .writeback import push

        return push.delete(
            self._frame,
            entity=entity,
            dry_run=dry_run,
            force=force,
            workers=workers,
            progress=progress,
            client=client,
        )

    # -- time-entry workflow ---------------------------------------------------------

    def _workflow(self, verb: str, memo: str | None, client: Any) -> PushResult:
        from .writeback.time_entries import workflow

        return workflow(self._frame, verb, memo=memo, client=client)

    def submit(self, *, client: Any = None) -> PushResult:
        """Submit the draft and rejected entries of the frame's people over its dates.

        >>> entries.beebole.submit().summary              # doctest: +SKIP
        """
        return self._workflow("submit", None, client)

    def approve(self, *, client: Any = None) -> PushResult:
        """Approve the submitted entries of the frame's people over its dates."""
        return self._workflow("approve", None, client)

    def reject(self, *, memo: str, client: Any = None) -> PushResult:
        """Reject the submitted entries of the frame's people over its dates, saying why.

        >>> entries.beebole.reject(memo="Project code missing")   # doctest: +SKIP
        """
        return self._workflow("reject", memo, client)

    def lock(self, *, client: Any = None) -> PushResult:
        """Lock the approved entries of the frame's people over its dates."""
        return self._workflow("lock", None, client)

    def unlock(self, *, client: Any = None) -> PushResult:
        """Unlock the locked entries of the frame's people over its dates."""
        return self._workflow("unlock", None, client)

    # -- reports -----------------------------------------------------------------------

    def timesheet(self, **kwargs: Any) -> pd.DataFrame:
        """Hours pivot (person x period); see :func:`beebole_pandas.reports.timesheet`.

        The data only: ``margins=True`` adds a ``Total`` row and column (for display).

        >>> entries.beebole.timesheet(freq="W")                 # doctest: +SKIP
        >>> entries.beebole.timesheet(freq="W", margins=True)   # doctest: +SKIP
        """
        from . import reports

        return reports.timesheet(self._frame, **kwargs)

    def utilisation(self, **kwargs: Any) -> pd.DataFrame:
        """Worked vs expected hours; see :func:`beebole_pandas.reports.utilisation`."""
        from . import reports

        return reports.utilisation(self._frame, **kwargs)

    def overtime(self, **kwargs: Any) -> pd.DataFrame:
        """Hours over the expected; see :func:`beebole_pandas.reports.overtime`."""
        from . import reports

        return reports.overtime(self._frame, **kwargs)

    def absence_summary(self, **kwargs: Any) -> pd.DataFrame:
        """Absence hours per person and type; see :func:`beebole_pandas.reports.absence_summary`."""
        from . import reports

        return reports.absence_summary(self._frame, **kwargs)

    def project_burn(
        self, projects: pd.DataFrame | None = None, *, client: Any = None, **kwargs: Any
    ) -> pd.DataFrame:
        """Hours burnt per project over time; see :func:`beebole_pandas.reports.project_burn`.

        ``projects`` (for the budgets) is loaded through ``client`` (default:
        the default client) when not given; the hours before the period come
        through it too (one aggregated export), so the burn counts each
        project's whole life. Without a client it counts the period only, and
        a warning says so (``attrs["beebole_report"]["covers"]``).

        >>> entries.beebole.project_burn(client=client)       # doctest: +SKIP
        """
        from . import reports

        return reports.project_burn(self._frame, projects, client=client, **kwargs)

    def approval_status(self, **kwargs: Any) -> pd.DataFrame:
        """Hours per status per person; see :func:`beebole_pandas.reports.approval_status`."""
        from . import reports

        return reports.approval_status(self._frame, **kwargs)

    def missing_submissions(self, **kwargs: Any) -> pd.DataFrame:
        """Who has not submitted a week; see :func:`beebole_pandas.reports.missing_submissions`.

        >>> entries.beebole.missing_submissions()            # doctest: +SKIP
        """
        from . import reports

        return reports.missing_submissions(self._frame, **kwargs)

    def plot(self, kind: str = "timesheet", *, title: str | None = None, **kwargs: Any) -> Any:
        """A chart of one report of this time-entry frame (a matplotlib Figure).

        ``kind`` names the report (``"timesheet"``, ``"utilisation"``,
        ``"overtime"``, ``"absence_summary"``, ``"project_burn"``,
        ``"approval_status"``); ``kwargs`` go to the report, ``title`` to the chart.
        See :func:`beebole_pandas.reports.plotting.plot_entries`.

        >>> entries.beebole.plot("utilisation", freq="W")   # doctest: +SKIP
        """
        from .reports import plotting

        return plotting.plot_entries(self._frame, kind, title=title, **kwargs)
