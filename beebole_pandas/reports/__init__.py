"""The reports wing: timesheet reports as tidy frames, charts and HTML.

Offered to the accessor, the command line and users:

- the report tables, pure functions over a time-entry frame (the columns of
  ``schema.entity("time_entry")``), each returning a tidy frame with nullable
  dtypes: :func:`timesheet`, :func:`utilisation`, :func:`overtime`,
  :func:`absence_summary`, :func:`approval_status`, :func:`missing_submissions`
  (in :mod:`.tables`), :func:`project_burn` and :func:`project_hours_before`
  (the hours a burn counts before its period; in :mod:`.burn`), all
  re-exported here. Each of them also reads hours summed by the server
  (``bb.hours(start, end, by=PACK_BY)``: a quarter of the entries' bytes) and
  refuses sums that lack what it reads, saying which ``by=`` fits
  (:mod:`.totals`);
- :mod:`.plotting` (``plot_<report>(table)`` -> matplotlib Figure, ``PLOTS``,
  ``plot_report``, ``plot_entries``; matplotlib is imported only there);
- :mod:`.html` (``Section``, ``write_report``: one self-contained HTML
  file, CSVs with a byte-order mark) and :mod:`.excel` (``write_excel``: a
  formatted sheet per report, its chart beside);
- :mod:`.finance` (``money``, ``money_export``, ``money_table``: billing, cost
  and profit from the export's own measures) and :mod:`.comparison`
  (``compare``, ``compare_report``, ``compare_money``: against the previous
  period or a year before), all re-exported here (``reports.money(...)``);
- :mod:`.leave` (``time_off_ahead``: who is off in a coming period, from the
  absence entries ahead of today; re-exported here) and :mod:`.schedule`
  (``contracted_hours``: the work schedule's business hours lined up with a
  report's rows, behind ``utilisation(schedule=...)`` and ``overtime(schedule=...)``);
- :mod:`.charts` (stable colours, slide sizes, the no-data figure, the money,
  comparison and submission charts) and :mod:`.formats` (how a column shows);
- :mod:`.tools` (the building blocks the reports share: periods, labels,
  ``ref_key``).

Every report takes ``start``/``end`` or ``period=`` (``"2026-11"``,
``"2026-Q4"``, ``"last-month"``, a ``pd.Period``: :mod:`beebole_pandas.periods`)
and ``freq`` in D, W, M, Q, Y.

This wing may load through the load wing (``project_burn`` reads the
projects when not given them, and the hours before its period with one
aggregated export); it never imports ``writeback``.

>>> from beebole_pandas import reports
>>> reports.timesheet(entries, freq="W")   # doctest: +SKIP
"""

from .burn import HISTORY_START, project_burn, project_hours_before
from .comparison import compare, compare_money, compare_report
from .finance import money, money_export, money_table
from .leave import time_off_ahead
from .tables import (
    DIMENSIONS,
    FREQS,
    STATUS_ORDER,
    absence_summary,
    approval_status,
    missing_submissions,
    overtime,
    timesheet,
    utilisation,
)
from .totals import PACK_BY

__all__ = [
    "DIMENSIONS",
    "FREQS",
    "HISTORY_START",
    "PACK_BY",
    "STATUS_ORDER",
    "absence_summary",
    "approval_status",
    "compare",
    "compare_money",
    "compare_report",
    "missing_submissions",
    "money",
    "money_export",
    "money_table",
    "overtime",
    "project_burn",
    "project_hours_before",
    "time_off_ahead",
    "timesheet",
    "utilisation",
]


def __dir__() -> list[str]:
    # Tab completion offers the reports and the two submodules people use.
    return sorted(
        [*__all__, "charts", "comparison", "excel", "finance", "html", "leave", "plotting"]
    )
