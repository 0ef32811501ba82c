"""Reports from sums (bb.hours) instead of entries: the same tables, for a fraction
of the bytes; and a clear refusal when the sums lack what a report reads."""

from __future__ import annotations

import functools
from typing import Any

import pandas as pd
import pytest

import beebole_pandas as bb
from beebole_pandas import reports
from beebole_pandas.reports.totals import PACK_BY

RANGES = {"october": ("2026-10-01", "2026-10-31"), "a quarter": ("2026-09-01", "2026-11-30")}
ACCOUNTS = [("default", "default"), ("default", "us"), ("literal", "fr")]
#: attrs that differ by nature: sums are dated by their first day, and say they are sums.
_OWN = {"input", "summed_by", "data_to", "data_from"}


@functools.cache
def _loaded(client: Any, start: str, end: str) -> tuple[Any, ...]:
    return (
        bb.time_entries(start, end, client=client),
        bb.hours(start, end, by=list(PACK_BY), client=client),
        bb.people(client=client),
        bb.projects(client=client),
        bb.companies(client=client),
    )


def _same(from_entries: pd.DataFrame, from_sums: pd.DataFrame, what: str) -> None:
    """Equal tables and attrs. Without start/end, a report of entries ends on the last
    entry's day, one of sums on the last day they were summed over (bb.hours' end)."""
    own = _OWN | ({"end", "period"} if "untimed" in what else set())
    counts = [c for c in from_entries.columns if c.endswith("entries")]
    for column in counts:  # not known from sums: <NA>, never a wrong number
        assert from_sums[column].isna().all(), (what, column)
    pd.testing.assert_frame_equal(
        from_entries.drop(columns=counts), from_sums.drop(columns=counts), obj=what
    )
    ours = {k: v for k, v in from_sums.attrs["beebole_report"].items() if k not in own}
    theirs = {k: v for k, v in from_entries.attrs["beebole_report"].items() if k not in own}
    assert ours == theirs, what
    assert from_sums.attrs["beebole_report"]["input"] == "hours"


@pytest.mark.parametrize("span", list(RANGES))
@pytest.mark.parametrize("mode,account", ACCOUNTS)
def test_every_totals_report_is_the_same_from_sums(
    account_clients: dict[tuple[str, str], Any], mode: str, account: str, span: str
) -> None:
    client = account_clients[(mode, account)]
    start, end = RANGES[span]
    entries, sums, people, projects, companies = _loaded(client, start, end)
    assert len(sums) < len(entries)
    assert float(sums["hours"].sum()) == pytest.approx(float(entries["hours"].sum()))
    day = {"start": start, "end": end}
    after = pd.Timestamp(end) + pd.Timedelta(days=1)
    calls = {
        "timesheet W": lambda f: reports.timesheet(f, freq="W", people=people, **day),
        "timesheet M by project": lambda f: reports.timesheet(f, by="project", freq="M", **day),
        "timesheet tidy untimed": lambda f: reports.timesheet(
            f, by=["person", "company"], pivot=False
        ),
        "utilisation": lambda f: reports.utilisation(
            f, companies=companies, projects=projects, people=people, **day
        ),
        "utilisation M": lambda f: reports.utilisation(f, companies=companies, freq="M", **day),
        "overtime W": lambda f: reports.overtime(f, freq="W", people=people, **day),
        "overtime M": lambda f: reports.overtime(f, freq="M", include_absences=False, **day),
        "absences": lambda f: reports.absence_summary(f, people=people, **day),
        "approval W": lambda f: reports.approval_status(f, freq="W", people=people, **day),
        "approval M": lambda f: reports.approval_status(f, freq="M", **day),
        "chase": lambda f: reports.missing_submissions(f, as_of=after, people=people, **day),
        "burn W": lambda f: reports.project_burn(f, projects, freq="W", client=client, **day),
    }
    for what, report in calls.items():
        _same(report(entries), report(sums), f"{mode}/{account} {span}: {what}")
    # Through the accessor too.
    pd.testing.assert_frame_equal(
        sums.beebole.timesheet(freq="W", **day), entries.beebole.timesheet(freq="W", **day)
    )


@pytest.fixture(scope="module")
def october(account_clients: dict[tuple[str, str], Any]) -> Any:
    return account_clients[("default", "default")]


def test_sums_without_absences_are_refused_by_utilisation(october: Any) -> None:
    sums = bb.hours("2026-10", by=["person", "week", "company"], client=october)
    with pytest.raises(bb.SchemaError) as caught:
        reports.utilisation(sums, companies=bb.companies(client=october))
    said = str(caught.value)
    assert "summed by person, company, week" in said and "absence" in said
    assert "to tell absences from work" in said
    assert "by=['person', 'company', 'week', 'absence']" in said
    # Overtime counting absences as time needs no absence type: it works.
    assert len(reports.overtime(sums, freq="W")) > 0


def test_sums_by_week_refuse_months_they_cross(october: Any) -> None:
    sums = bb.hours("2026-09-01", "2026-11-30", by=["person", "week"], client=october)
    assert len(reports.timesheet(sums, freq="W")) > 0
    with pytest.raises(bb.SchemaError, match=r"freq='M' needs hours per month.*'month'"):
        reports.timesheet(sums, freq="M")
    with pytest.raises(bb.SchemaError, match="freq='D' needs hours per day"):
        reports.timesheet(sums, freq="D")
    with pytest.raises(bb.SchemaError, match=r"start=2026-10-14 falls inside a row summed by week"):
        reports.timesheet(sums, freq="W", start="2026-10-14", end="2026-10-25")
    # On the weeks' boundaries the same sums serve: 12 to 25 October.
    weeks = reports.timesheet(sums, freq="W", start="2026-10-12", end="2026-10-25")
    assert list(weeks.columns[-2:]) == ["2026-10-12", "2026-10-19"]


def test_sums_by_day_serve_any_period_and_range(october: Any) -> None:
    by = ["person", "date", "company", "project", "absence", "status"]
    sums = bb.hours("2026-10", by=by, client=october)
    assert "date" in sums.columns and "to" not in sums.columns
    entries = bb.time_entries("2026-10", client=october)
    for freq in ("D", "W", "M"):
        a = reports.timesheet(entries, freq=freq, start="2026-10-14", end="2026-10-20")
        b = reports.timesheet(sums, freq=freq, start="2026-10-14", end="2026-10-20")
        pd.testing.assert_frame_equal(a, b)


def test_sums_over_the_whole_period_serve_one_figure(october: Any) -> None:
    sums = bb.hours("2026-10", by=["person", "absence"], client=october)
    entries = bb.time_entries("2026-10", client=october)
    _same(reports.absence_summary(entries), reports.absence_summary(sums), "absences untimed")
    monthly = reports.timesheet(sums, freq="M")
    assert list(monthly.columns[-1:]) == ["2026-10"]
    pd.testing.assert_frame_equal(monthly, reports.timesheet(entries, freq="M"))
    with pytest.raises(bb.SchemaError, match="needs hours per week"):
        reports.timesheet(sums, freq="W")
    sums.attrs = {}  # a frame of sums that does not say its period
    with pytest.raises(bb.SchemaError, match="do not say which period"):
        reports.timesheet(sums, freq="M")
    by_range = reports.timesheet(sums, freq="M", start="2026-10-01", end="2026-10-31")
    pd.testing.assert_frame_equal(by_range, monthly)


def test_a_missing_status_or_project_says_which_call_fits(october: Any) -> None:
    sums = bb.hours("2026-10", by=["person", "week"], client=october)
    with pytest.raises(bb.SchemaError, match=r"approval_status:.*without status"):
        reports.approval_status(sums)
    with pytest.raises(bb.SchemaError, match=r"by=\['person', 'week', 'status'\]"):
        reports.missing_submissions(sums, start="2026-10-05", end="2026-10-11")
    with pytest.raises(bb.SchemaError, match=r"project_burn:.*without project"):
        reports.project_burn(sums, bb.projects(client=october), prior_hours={})
