"""The ``demo`` and ``report`` commands of ``python -m beebole_pandas``.

``demo`` starts the bundled sandbox with the demo seed, loads a month through
the real client (HTTP, cache, budget meter: exactly what a user's notebook
does), builds every report of :mod:`beebole_pandas.reports` and writes them to
a directory: ``report.html``, a CSV per report and a PNG per chart.

``report`` does the same against a real account: the token from
``BEEBOLE_TOKEN`` (never an argument, so it stays out of shell history), the
endpoint from ``BEEBOLE_URL`` or Beebole's.

``doctor`` checks a real account read-only, in at most 15 requests
(:mod:`beebole_pandas.selfcheck`), prints one line per check and exits with 1
when a check failed; ``--record DIR`` also saves the answers, pseudonymised.

Examples
--------
.. code-block:: console

    $ python -m beebole_pandas demo                       # ./beebole-demo-report/
    $ python -m beebole_pandas demo --out /tmp/r --month 2026-09
    $ BEEBOLE_TOKEN=... python -m beebole_pandas report --start 2026-10-01 --end 2026-10-31
    $ BEEBOLE_TOKEN=... python -m beebole_pandas doctor --record ./beebole-fixtures
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pandas as pd

from .errors import BeeboleError

__all__ = [
    "DEFAULT_DEMO_OUT",
    "Loaded",
    "build_sections",
    "load",
    "main",
    "needs_absences",
    "needs_subprojects",
    "run_report",
]

#: Where ``demo`` writes when ``--out`` is not given (relative to the working directory).
DEFAULT_DEMO_OUT = "beebole-demo-report"
#: The demo seed has time entries from 2025-12-01 to 2026-11-30.
DEFAULT_DEMO_MONTH = "2026-10"
DEFAULT_REPORT_OUT = "beebole-report"
#: Fixed loopback port of the demo sandbox (see ``_start_sandbox``).
DEFAULT_DEMO_PORT = 48765


def report_hours(start: str, end: str, *, client: Any) -> pd.DataFrame:
    """What the reports read of [start, end]: hours summed by the server over
    ``reports.totals.PACK_BY`` (person, week, month, company, project, subproject,
    absence type and status), one aggregated export.

    Every report of the pack needs only totals, and these sums weigh about a
    quarter of the entries: a month of 1,000 people on the sandbox is 1,375 KB of
    entries without comments and tasks, and 386 KB of sums.
    """
    from .load.hours import hours
    from .reports.totals import PACK_BY

    return hours(start, end, by=list(PACK_BY), client=client)


@dataclass
class Loaded:
    """What a report needs from the account."""

    companies: pd.DataFrame
    people: pd.DataFrame
    projects: pd.DataFrame
    #: Hours summed by person, week, month, company, project, subproject, absence type
    #: and status (``report_hours``): what every report of the pack reads. A frame of
    #: time entries works too.
    entries: pd.DataFrame
    #: Only loaded when some subproject entry does not name its project (else None).
    subprojects: pd.DataFrame | None = None
    #: Only loaded when some absence entry does not name its absence type (else None).
    absences: pd.DataFrame | None = None
    #: Hours per project before ``start`` (one aggregated export, see
    #: ``reports.project_hours_before``), so the budget burn counts each project's whole life.
    prior_hours: pd.DataFrame | None = None
    #: Expected hours per person over the period: each one's business hours from the
    #: work schedule (``bb.work_schedule``: part-timers' days, holidays).
    schedule: pd.DataFrame | None = None
    #: Hours, billing, cost and profit per company, project and person over the period:
    #: the export's own money (one aggregated export, ``reports.finance.money_export``).
    money: pd.DataFrame | None = None
    #: The same for the period before (``periods.shift``), for the comparison.
    money_before: pd.DataFrame | None = None
    #: Leave quotas in force on the period's last day (``bb.leave_balances``).
    leave: pd.DataFrame | None = None


class _Progress:
    """One line per step on stderr, with its duration: the user sees what is slow."""

    def __init__(self, stream: IO[str], total: int) -> None:
        self.stream, self.total, self.done = stream, total, 0

    @contextmanager
    def step(self, label: str) -> Iterator[None]:
        self.done += 1
        print(f"[{self.done}/{self.total}] {label} ...", end="", file=self.stream, flush=True)
        started = time.perf_counter()
        yield
        print(f" {time.perf_counter() - started:.2f} s", file=self.stream, flush=True)

    def skip(self, label: str) -> None:
        self.done += 1
        print(f"[{self.done}/{self.total}] {label}", file=self.stream, flush=True)


def needs_subprojects(entries: pd.DataFrame) -> bool:
    """Whether some subproject entry lacks its project (the reports roll hours up by project).

    The export path names every ancestor; per-person lists on the real API may not.

    Examples
    --------
    >>> needs_subprojects(bb.time_entries("2026-10-01", "2026-10-31"))   # doctest: +SKIP
    False
    """
    on_subproject = entries["subproject_id"].notna() | entries["subproject_xid"].notna()
    no_project = entries["project_id"].isna() & entries["project_xid"].isna()
    return bool((on_subproject & no_project).any())


def needs_absences(entries: pd.DataFrame) -> bool:
    """Whether some absence entry lacks the name of its absence type.

    Examples
    --------
    >>> needs_absences(bb.time_entries("2026-10-01", "2026-10-31"))   # doctest: +SKIP
    False
    """
    on_absence = entries["absence_id"].notna() | entries["absence_xid"].notna()
    return bool((on_absence & entries["absence_name"].isna()).any())


def load(client: Any, start: str, end: str, *, progress: _Progress | None = None) -> Loaded:
    """Load the entity frames and the hours of [start, end] through ``client``.

    Subprojects and absence types are loaded only when the entries lack what the
    reports take from them (a subproject's project, an absence type's name):
    the export path names both (on the demo: 20 requests fewer).

    Parameters
    ----------
    client
        A connected :class:`beebole_pandas.Client` (its cache makes a re-run free).
    start, end
        ``YYYY-MM-DD``, both included.
    progress
        Where to report each step (the commands pass one; None is silent).

    Returns
    -------
    Loaded

    Examples
    --------
    >>> data = load(bb.get_client(), "2026-10-01", "2026-10-31")   # doctest: +SKIP
    """
    from .load import entities
    from .load.leave import leave_balances
    from .load.schedule import work_schedule

    frames: dict[str, pd.DataFrame | None] = {}
    steps: list[tuple[str, str, Callable[[], pd.DataFrame | None]]] = [
        ("companies", "loading companies", lambda: entities.companies(client=client)),
        ("people", "loading people", lambda: entities.people(client=client)),
        ("projects", "loading projects", lambda: entities.projects(client=client)),
        (
            "entries",
            f"loading hours {start} to {end} (one aggregated export)",
            lambda: report_hours(start, end, client=client),
        ),
        ("subprojects", "loading subprojects", lambda: entities.subprojects(client=client)),
        ("absences", "loading absence types", lambda: entities.absences(client=client)),
        (
            "prior_hours",
            "loading project hours before the period (for the budget burn)",
            lambda: _prior_hours(client, frames["projects"], start),
        ),
        (
            "schedule",
            "loading the work schedule (expected hours per person)",
            lambda: work_schedule(start, end, names=False, client=client),
        ),
        (
            "money",
            "loading billing, cost and profit (one aggregated export)",
            lambda: _money(client, start, end),
        ),
        (
            "money_before",
            "loading the previous period's hours and money (for the comparison)",
            lambda: _money(client, *_previous(start, end)),
        ),
        (
            "leave",
            "loading leave balances (the quotas in force on the last day)",
            lambda: leave_balances(end, client=client),
        ),
    ]
    needed = {"subprojects": needs_subprojects, "absences": needs_absences}
    reasons = {
        "subprojects": "subprojects not needed: every entry names its project",
        "absences": "absence types not needed: every absence entry names its type",
    }
    for name, label, loader in steps:
        entries = frames.get("entries")
        if name in needed and entries is not None and not needed[name](entries):
            frames[name] = None
            if progress is not None:
                progress.skip(reasons[name])
        elif progress is None:
            frames[name] = loader()
        else:
            with progress.step(label):
                frames[name] = loader()
    return Loaded(**frames)  # type: ignore[arg-type]


def _prior_hours(client: Any, projects: pd.DataFrame | None, start: str) -> pd.DataFrame:
    """Hours per project from the projects' start to the day before ``start``.

    One export job aggregated by project (``reports.project_hours_before``, what
    ``project_burn`` itself fetches): a few hundred bytes, however long the
    history, where loading those entries would cost megabytes.
    """
    from .reports import project_hours_before

    return project_hours_before(start, projects, client=client)


def _money(client: Any, start: str, end: str) -> pd.DataFrame:
    """Hours and money per company, project and person: one aggregated export, ids only
    (the names come from the entity frames already loaded)."""
    from .reports.finance import money_export

    return money_export(start=start, end=end, names=False, client=client)


def _previous(start: str, end: str) -> tuple[str, str]:
    """The period before [start, end]: the month before a month, else as many days."""
    from .periods import shift, span

    return shift(span(start, end)).iso()


def build_sections(data: Loaded, start: str, end: str, *, currency: str | None = None) -> list[Any]:
    """Every report and chart for [start, end], as :class:`report_html.Section` objects.

    Examples
    --------
    >>> sections = build_sections(load(client, "2026-10-01", "2026-10-31"), "2026-10-01", "2026-10-31")  # doctest: +SKIP
    """
    from . import reports
    from .reports import plotting
    from .reports.html import Section

    ctx = {"people": data.people, "projects": data.projects, "subprojects": data.subprojects}
    entries = data.entries
    # The CSV files hold the data only; the page shows the totals readers expect.
    weekly = reports.timesheet(entries, freq="W", start=start, end=end, **ctx)
    weekly_shown = reports.timesheet(entries, freq="W", start=start, end=end, margins=True, **ctx)
    by_project = reports.timesheet(entries, by="project", freq="M", start=start, end=end, **ctx)
    by_project_shown = reports.timesheet(
        entries, by="project", freq="M", start=start, end=end, margins=True, **ctx
    )
    util = reports.utilisation(
        entries, companies=data.companies, schedule=data.schedule, start=start, end=end, **ctx
    )
    over = reports.overtime(entries, freq="W", people=data.people, start=start, end=end)
    absences = reports.absence_summary(
        entries, people=data.people, absences=data.absences, start=start, end=end
    )
    burn = reports.project_burn(
        entries,
        data.projects,
        subprojects=data.subprojects,
        prior_hours=data.prior_hours,
        freq="W",
        start=start,
        end=end,
    )
    status = reports.approval_status(entries, freq="W", people=data.people, start=start, end=end)
    absences, status = _known(absences), _known(status)
    as_of = pd.Timestamp(end) + pd.Timedelta(days=1)
    missing = _known(
        reports.missing_submissions(entries, start=start, end=end, as_of=as_of, people=data.people)
    )
    project = ["project_id", "project_xid", "project_name"]
    last = burn.sort_values("period").groupby(project, dropna=False, sort=False).tail(1)
    return [
        Section(
            "timesheet",
            "Timesheet: hours per person and week",
            weekly,
            display=_marked(weekly_shown),
            figure=plotting.plot_timesheet(weekly),
            note="Weeks run Monday to Sunday and are labelled by their Monday."
            + _partial_note(weekly, "week", start, end),
        ),
        Section(
            "timesheet_by_project",
            "Hours per project",
            by_project,
            display=_marked(by_project_shown),
            figure=plotting.plot_timesheet(by_project, title="Hours per project"),
            note="Subproject hours count for their project; (none) is absence and "
            "company-level time." + _partial_note(by_project, "month", start, end),
        ),
        Section(
            "utilisation",
            "Utilisation and billable share",
            util,
            figure=plotting.plot_utilisation(util),
            note="Expected: each person's business hours from the account's work "
            "schedule (part-timers' shorter days, holidays). Billable: work on customer "
            "companies' "
            "projects; corporate (internal) work and absences are not billable.",
        ),
        Section(
            "overtime",
            "Overtime per person and week",
            over,
            display=over[over["overtime_hours"] > 0],
            figure=plotting.plot_overtime(over),
            note="Hours logged (absences included) above 8 h per weekday of the week "
            "(only the weekdays inside the period, for the weeks it cuts: partial is True). "
            "The table shows the weeks with overtime.",
        ),
        Section(
            "absences",
            "Absences per person and type",
            absences,
            figure=plotting.plot_absences(absences),
            note="Days are hours / 8.",
        ),
        *_leave_sections(data, end),
        Section(
            "project_burn",
            "Project burn against budget",
            burn,
            display=last,
            figure=plotting.plot_project_burn(burn),
            note=f"Budget burn: {burn.attrs['beebole_report']['note']}; against each "
            "project's budget (hours); cost = hours × the project's hourly rate. The "
            "table shows the last week.",
        ),
        Section(
            "approval_status",
            "Approval status per person",
            status,
            display=_by_status(status),
            figure=plotting.plot_approval_status(status),
        ),
        Section(
            "missing_submissions",
            "Timesheets to chase, per person and week",
            missing,
            figure=plotting.plot_submissions(missing),
            note="Each week of the period: people with draft or rejected entries, or no "
            "time at all (partial: a week cut by the period's first or last day).",
        ),
        *_money_sections(data, start, end, currency),
    ]


def _known(table: pd.DataFrame) -> pd.DataFrame:
    """A report without its entry counts when they are unknown (a report of sums
    has ``<NA>`` there): a column of blanks tells the reader nothing."""
    counts = [c for c in ("entries", "unsubmitted_entries") if c in table.columns]
    blank = [c for c in counts if table[c].isna().all() and len(table)]
    out = table.drop(columns=blank)
    out.attrs = table.attrs
    return out


def _marked(table: pd.DataFrame) -> pd.DataFrame:
    """A timesheet pivot for the page: its partial period columns say so in their label."""
    partial = table.attrs.get("beebole_report", {}).get("partial_periods") or []
    return table.rename(columns={label: f"{label} (partial)" for label in partial})


def _partial_note(table: pd.DataFrame, unit: str, start: str, end: str) -> str:
    """A sentence naming the partial periods of a timesheet pivot, or ``""``."""
    partial = table.attrs.get("beebole_report", {}).get("partial_periods") or []
    if not partial:
        return ""
    names = " and ".join(partial)
    plural = "s" if len(partial) > 1 else ""
    return (
        f" Partial {unit}{plural} {names}: only {'their' if plural else 'its'} days from "
        f"{start} to {end} are counted."
    )


def _by_status(status: pd.DataFrame) -> pd.DataFrame:
    """Hours per person and status: a row per person id, even where names repeat."""
    from .reports.tools import ref_key

    keyed = status.assign(_k=ref_key(status, "person"))
    wide = keyed.pivot_table(
        index="_k", columns="status", values="hours", aggfunc="sum", observed=True
    )
    wide.columns = [str(c) for c in wide.columns]
    people = keyed.drop_duplicates("_k").set_index("_k")[["person_id", "person_xid", "person_name"]]
    return people.join(wide).sort_values("person_name", kind="stable", ignore_index=True)


def _leave_sections(data: Loaded, end: str) -> list[Any]:
    """The leave balances in force on the period's last day, per person and absence type."""
    if data.leave is None:
        return []
    from .reports.html import Section

    table = data.leave
    shown = table.pivot_table(
        index="person_name", columns="absence_name", values="balance_days", aggfunc="sum"
    )
    shown = shown.reset_index().rename_axis(columns=None)
    return [
        Section(
            "leave_balances",
            f"Leave balances on {end}",
            table,
            display=shown,
            note="Days left per person and absence type: each quota's available days minus "
            "the days taken in its whole period (Beebole's quota view; days = hours / the "
            "account's hours per day). A negative balance is more taken than granted.",
        )
    ]


def _money_sections(data: Loaded, start: str, end: str, currency: str | None) -> list[Any]:
    """Money per client, project and person, and the comparison with the period before."""
    if data.money is None:
        return []
    from .periods import shift, span
    from .reports import plotting
    from .reports.comparison import compare
    from .reports.finance import check_currency, money_summary, money_table
    from .reports.html import Section

    currency = check_currency(currency)
    ctx = {"companies": data.companies, "projects": data.projects, "people": data.people}
    now = span(start, end)
    then = shift(now)
    tables = {
        by: money_table(data.money, by=by, currency=currency, **ctx)
        for by in ("company", "project", "person")
    }
    totals = money_summary(tables["company"])
    unit = f" {currency}" if currency else ""
    margin = "n/a" if totals["billing"] == 0 else f"{100 * totals['margin']:.1f} %"
    said = (
        f"Billing {totals['billing']:,.2f}{unit}, cost {totals['cost']:,.2f}{unit}, "
        f"profit {totals['profit']:,.2f}{unit} (margin {margin}), from the export's own "
        "billing, cost and profit (the account's rates and standard costs)."
    )
    out = [
        Section(
            "money_by_client",
            "Billing, cost and profit per client",
            tables["company"],
            figure=plotting.plot_money(tables["company"]),
            note=said + " Clients are Beebole's companies; absences carry no money.",
        ),
        Section(
            "money_by_project",
            "Billing, cost and profit per project",
            tables["project"],
            figure=plotting.plot_money(tables["project"]),
            note="margin = profit / billing; billing_share = the project's share of the billing.",
        ),
        Section(
            "money_by_person",
            "Billing, cost and profit per person",
            tables["person"],
            note="cost = hours × the person's cost per hour; billing = hours × the rates billed.",
        ),
    ]
    if data.money_before is not None:
        before = money_table(data.money_before, by="project", currency=currency, **ctx)
        versus = compare(tables["project"], before, labels=(now.label, then.label))
        shown = versus[versus["measure"].isin(["hours", "billing", "profit"])]
        out.append(
            Section(
                "comparison",
                f"Per project: {now.label} against {then.label}",
                versus,
                display=shown,
                figure=plotting.plot_comparison(versus, measure="hours"),
                note=f"Each project's hours and money in {now.label} and in {then.label} "
                "(two aggregated exports); change_pct = difference / previous.",
            )
        )
    return out


def run_report(
    client: Any,
    start: str,
    end: str,
    out: str | Path,
    *,
    title: str,
    stream: IO[str] = sys.stderr,
    html: bool = True,
    xlsx: bool = False,
    currency: str | None = None,
) -> tuple[Path, Loaded, list[Any]]:
    """Load, build and write the report; returns (report path, data, sections).

    ``html`` writes ``report.html`` (one self-contained file), ``xlsx``
    ``report.xlsx`` (a formatted sheet per report); the CSV and PNG files are
    always written. ``currency`` is the account's currency code, shown beside
    amounts.

    Examples
    --------
    >>> run_report(client, "2026-10-01", "2026-10-31", "out", title="October")   # doctest: +SKIP
    """
    from .reports.html import write_report

    progress = _Progress(stream, total=13)
    data = load(client, start, end, progress=progress)
    with _warnings_after(stream), progress.step("building reports and charts"):
        sections = build_sections(data, start, end, currency=currency)
    hours = float(data.entries["hours"].astype(float).sum())
    meta = (
        f"{start} to {end} · {len(data.people)} people · {hours:,.1f} hours · "
        "generated by beebole_pandas"
    )
    with progress.step(f"writing {out}"):
        path = write_report(
            out, title, sections, meta=meta, html_page=html, xlsx=xlsx, currency=currency
        )
    return path, data, sections


class _Collect(logging.Filter):
    """Hold the reports' warnings back, one per cause, to print after the step.

    Every report of an empty month says "no time entries ...": the reader needs
    it once, on its own line, not nine times in the middle of the progress line.
    """

    def __init__(self) -> None:
        super().__init__()
        self.said: dict[str, str] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        message = record.getMessage()
        # "timesheet: no time entries ..." and "overtime: no time entries ..." share a cause.
        self.said.setdefault(message.partition(": ")[2], message)
        return False


@contextmanager
def _warnings_after(stream: IO[str]) -> Iterator[None]:
    """While building the sections, hold the reports' warnings; then print each once."""
    from .reports import tables

    held = _Collect()
    tables.logger.addFilter(held)
    try:
        yield
    finally:
        tables.logger.removeFilter(held)
        for message in held.said.values():
            print(f"warning: {message}", file=stream, flush=True)


def _period_range(month: str | None, period: str | None) -> tuple[str, str, str]:
    """``--month`` or ``--period`` as (first day, last day, label); exits 2 on a bad one."""
    from .errors import ValidationError
    from .periods import span

    if period is None:
        first, last = _month_range(month or DEFAULT_DEMO_MONTH)
        return first, last, (month or DEFAULT_DEMO_MONTH)
    try:
        found = span(period)
    except ValidationError as exc:
        raise SystemExit(f"error: --period: {exc}") from None
    first, last = found.iso()
    return first, last, found.label


def _output_options(parser: argparse.ArgumentParser) -> None:
    """``--html``, ``--xlsx`` and ``--currency``, shared by ``demo`` and ``report``."""
    parser.add_argument(
        "--html",
        action="store_true",
        help="write report.html, one self-contained file (the default when --xlsx is not given)",
    )
    parser.add_argument(
        "--xlsx", action="store_true", help="write report.xlsx, a formatted sheet per report"
    )
    parser.add_argument(
        "--currency",
        default=None,
        help="the account's currency code, shown beside amounts (e.g. EUR; the API does not "
        "say it)",
    )


def _month_range(month: str) -> tuple[str, str]:
    # A strict pattern: pandas reads "2026-09-15-01" as 15 September and the
    # report would silently start mid-month.
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise SystemExit(f"error: --month {month!r} is not a month; use YYYY-MM, e.g. 2026-10")
    first = pd.Timestamp(f"{month}-01")
    last = first + pd.offsets.MonthEnd(0)
    return first.strftime("%Y-%m-%d"), last.strftime("%Y-%m-%d")


def _summary(path: Path, data: Loaded, sections: Sequence[Any], spent: str, elapsed: float) -> str:
    files = sum(len(s.files) for s in sections)
    hours = float(data.entries["hours"].astype(float).sum())
    return "\n".join(
        [
            f"Report: {path.resolve()} (+{files} CSV/PNG files beside it)",
            f"Data:   {len(data.people)} people, {len(data.projects)} projects, {hours:,.1f} hours",
            f"Spent:  {spent}",
            f"Time:   {elapsed:.1f} s",
        ]
    )


def _start_sandbox(port: int) -> Any:
    """The demo sandbox on ``port``, else on any free port.

    The cache namespace is a fingerprint of the endpoint and the token; the
    demo seed's tokens are fixed, so a fixed port is what lets a second run
    find the first run's answers in the cache.
    """
    from .sandbox import SandboxServer

    try:
        return SandboxServer(seed="demo", port=port).start()
    except OSError as exc:
        print(
            f"note: port {port} is busy ({exc.strerror}); using a free port, so this run "
            "cannot reuse the answers a previous run cached",
            file=sys.stderr,
        )
        return SandboxServer(seed="demo", port=0).start()


def _demo(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m beebole_pandas demo",
        description="Build the timesheet report of one month of the bundled demo account "
        "(a local sandbox server, no network, no token needed).",
    )
    parser.add_argument(
        "--out", default=DEFAULT_DEMO_OUT, help=f"output directory (default: ./{DEFAULT_DEMO_OUT})"
    )
    parser.add_argument(
        "--month",
        default=DEFAULT_DEMO_MONTH,
        help=f"month to report, YYYY-MM (default: {DEFAULT_DEMO_MONTH}; the demo "
        "data covers 2025-12 to 2026-11)",
    )
    parser.add_argument(
        "--cache-dir",
        default=None,
        help="cache directory (default: $BEEBOLE_CACHE_DIR or the user cache dir); "
        "a second run with the same cache sends no requests for what it loaded",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_DEMO_PORT,
        help=f"loopback port of the demo sandbox (default: {DEFAULT_DEMO_PORT}; the cache is "
        "per endpoint, so a fixed port lets a second run reuse the first one's answers)",
    )
    parser.add_argument(
        "--period",
        default=None,
        help="a period instead of --month: 2026-Q4, 2026-W45, 2026-10-05..., within the demo data",
    )
    _output_options(parser)
    args = parser.parse_args(list(argv))
    start, end, label = _period_range(None if args.period else args.month, args.period)
    started = time.perf_counter()
    from .api import client as client_module

    print(f"Starting the demo sandbox and building the report for {label} ...", file=sys.stderr)
    server = _start_sandbox(args.port)
    try:
        client = client_module.connect(
            server.token, url=server.url, cache_dir=args.cache_dir, set_default=False
        )
        try:
            path, data, sections = run_report(
                client,
                start,
                end,
                args.out,
                title=f"Beebole demo: timesheet report {label}",
                html=args.html or not args.xlsx,
                xlsx=args.xlsx,
                currency=args.currency or server.settings().get("currency"),
            )
            stats = server.stats()
            spent = (
                f"{stats['requests']} requests, {stats['bytes'] / 1024:.1f} KB this run "
                f"(counted by the server); client budget today: {client.budget.summary()}"
            )
        finally:
            client.close()
    finally:
        server.close()
    print(_summary(path, data, sections, spent, time.perf_counter() - started))
    return 0


def _report(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m beebole_pandas report",
        description="Build the timesheet report of a real Beebole account. The token is read "
        "from BEEBOLE_TOKEN (and the endpoint from BEEBOLE_URL, default Beebole's).",
    )
    parser.add_argument("--start", default=None, help="first day, YYYY-MM-DD (with --end)")
    parser.add_argument("--end", default=None, help="last day, YYYY-MM-DD (included)")
    parser.add_argument("--month", default=None, help="a month instead, YYYY-MM")
    parser.add_argument(
        "--period",
        default=None,
        help="a period instead: 2026-11, 2026-Q4, 2026, 2026-W45, last-month, this-quarter...",
    )
    parser.add_argument(
        "--url", default=None, help="the API endpoint (default: $BEEBOLE_URL or Beebole's)"
    )
    _output_options(parser)
    parser.add_argument(
        "--out",
        default=DEFAULT_REPORT_OUT,
        help=f"output directory (default: ./{DEFAULT_REPORT_OUT})",
    )
    parser.add_argument("--cache-dir", default=None, help="cache directory")
    args = parser.parse_args(list(argv))
    if not os.environ.get("BEEBOLE_TOKEN"):
        print(
            "error: no token. Set BEEBOLE_TOKEN to your Beebole API token (Beebole: "
            "Settings > Account > API token), and BEEBOLE_URL if you use another endpoint; "
            "or try `python -m beebole_pandas demo`, which needs none.",
            file=sys.stderr,
        )
        return 2
    given = [o for o in ("start", "month", "period") if getattr(args, o)]
    if len(given) != 1 or bool(args.start) != bool(args.end):
        print(
            "error: give the period once: --start and --end, or --month YYYY-MM, or "
            "--period (2026-Q4, last-month...)",
            file=sys.stderr,
        )
        return 2
    if args.start:
        try:
            start, end = (pd.Timestamp(args.start), pd.Timestamp(args.end))
        except ValueError as exc:
            print(f"error: --start/--end must be dates YYYY-MM-DD ({exc})", file=sys.stderr)
            return 2
        if end < start:
            print(f"error: --end {args.end} is before --start {args.start}", file=sys.stderr)
            return 2
        label = f"{args.start} to {args.end}"
    else:
        first, last, label = _period_range(args.month, args.period)
        start, end = pd.Timestamp(first), pd.Timestamp(last)
    started = time.perf_counter()
    from .api import client as client_module

    try:
        client = client_module.connect(
            url=args.url or os.environ.get("BEEBOLE_URL") or None,
            cache_dir=args.cache_dir,
            set_default=False,
        )
        before = client.budget
        try:
            path, data, sections = run_report(
                client,
                start.strftime("%Y-%m-%d"),
                end.strftime("%Y-%m-%d"),
                args.out,
                title=f"Beebole timesheet report {label}",
                html=args.html or not args.xlsx,
                xlsx=args.xlsx,
                currency=args.currency,
            )
            after = client.budget
        finally:
            client.close()
    except BeeboleError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    spent = (
        f"{after.requests_used - before.requests_used} requests, "
        f"{(after.bytes_used - before.bytes_used) / 1024:.1f} KB this run; "
        f"budget today: {after.summary()}"
    )
    print(_summary(path, data, sections, spent, time.perf_counter() - started))
    return 0


def _doctor(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m beebole_pandas doctor",
        description="Check what beebole_pandas assumes of a real Beebole account, read-only, in "
        "at most 15 requests and 100 KB. The token is read from BEEBOLE_TOKEN (and the "
        "endpoint from BEEBOLE_URL, default Beebole's). Exit status 1 when a check failed.",
    )
    parser.add_argument(
        "--record",
        metavar="DIR",
        default=None,
        help="also save the answers as JSON fixtures in DIR, with names, emails, comments and "
        "ids replaced by pseudonyms (the token is never written)",
    )
    parser.add_argument(
        "--export-format",
        metavar="FORMAT",
        default=None,
        help="the account's date format, if exports cannot tell: YYYY-MM-DD, DD/MM/YYYY, MM/DD/YYYY",
    )
    parser.add_argument("--cache-dir", default=None, help="cache directory")
    args = parser.parse_args(list(argv))
    if not os.environ.get("BEEBOLE_TOKEN"):
        print(
            "error: no token. Set BEEBOLE_TOKEN to your Beebole API token (Beebole: "
            "Settings > Account > API token), and BEEBOLE_URL if you use another endpoint.",
            file=sys.stderr,
        )
        return 2
    from .api import client as client_module
    from .selfcheck import doctor, format_table

    try:
        client = client_module.connect(
            url=os.environ.get("BEEBOLE_URL") or None,
            cache_dir=args.cache_dir,
            set_default=False,
            export_format=args.export_format,
        )
        try:
            table = doctor(client, record=args.record)
        finally:
            client.close()
    except BeeboleError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(format_table(table))
    spent = table.attrs["beebole_doctor"]
    print(f"\n{spent['requests']} requests, {spent['kb']:.1f} KB", end="")
    print(f"; fixtures in {args.record}" if args.record else "")
    return 1 if (table["status"] == "failed").any() else 0


def main(command: str, argv: Sequence[str]) -> int:
    """Run ``demo``, ``report`` or ``doctor`` with its arguments; returns the exit status.

    Examples
    --------
    >>> main("demo", ["--out", "/tmp/demo"])   # doctest: +SKIP
    0
    """
    if command == "demo":
        return _demo(argv)
    if command == "report":
        return _report(argv)
    if command == "doctor":
        return _doctor(argv)
    print(
        f"error: unknown command {command!r}; valid commands are: demo, report, doctor",
        file=sys.stderr,
    )
    return 2
