"""Contracted hours: ``bb.work_schedule`` and ``utilisation``/``overtime`` on the work schedule,
every number checked against the sandbox's SQLite store and its account settings (plain
Python over the store's rows: business days are the days of the range on the account's
working weekdays that are no holiday; a person's day is the account's hours per day, or
their own on an individual schedule: the demo's part-timers work 6-hour days), on the
default account, the American one and the French one (7 h a day, 35 h a week, French
holidays).

work-schedules.mdx: schedules, assigned to people, "used to calculate overtime and
business hours"; reporting.mdx: "Business days: ... the number of days in the timeframe
minus the weekends and holidays", "Business hours" likewise.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import pandas as pd
import pytest

import beebole_pandas as bb
from beebole_pandas import reports
from beebole_pandas.errors import ValidationError
from beebole_pandas.load.schedule import SCHEDULE_COLUMNS

ACCOUNTS = ("default", "us", "fr")
MONTH = ("2026-11-01", "2026-11-30")


@pytest.fixture(scope="module")
def clients(account_clients: dict[tuple[str, str], Any]) -> dict[tuple[str, str], Any]:
    return account_clients


@pytest.fixture(scope="module")
def loaded(clients: dict[Any, Any]) -> dict[str, dict[str, Any]]:
    """Per account: November's entries, the active people, the schedules per week and month."""
    out = {}
    for account in ACCOUNTS:
        client = clients["default", account]
        out[account] = {
            "entries": bb.time_entries(*MONTH, client=client),
            "people": bb.people(client=client),
            "weekly": bb.work_schedule(*MONTH, freq="W", client=client),
            "monthly": bb.work_schedule(*MONTH, client=client),
        }
    return out


# -- the truth, from the store -------------------------------------------------------------------


class Truth:
    """The store's people and entries, and the account's schedule."""

    def __init__(self, server: Any, account: str) -> None:
        self.settings = server.settings(account)
        store = server.backend.store
        self.day_of: dict[str, float] = {}
        for p in store.all("SELECT id, xid, work_hours FROM person"):
            own = p["work_hours"] != 8.0  # an individual schedule (the demo's part-timers)
            key = p["xid"] if p["xid"] is not None else f"#{p['id']}"
            self.day_of[key] = p["work_hours"] if own else self.settings["hours_per_day"]
        self.part_timers = {k for k, h in self.day_of.items() if h == 6.0}
        self.entries = [
            (e["xid"] if e["xid"] is not None else f"#{e['person']}", e["date"], e["hours"],
             e["absence"] is not None)
            for e in store.all("SELECT te.person, pe.xid, te.date, te.hours, te.absence FROM "
                               "time_entry te JOIN person pe ON pe.id=te.person "
                               "WHERE te.date BETWEEN ? AND ?", MONTH)
        ]  # fmt: skip

    def business_days(self, first: Any, last: Any) -> int:
        day, end = pd.Timestamp(first).date(), pd.Timestamp(last).date()
        count = 0
        while day <= end:
            working = day.isoweekday() in self.settings["working_days"]
            count += working and day.isoformat() not in self.settings["holidays"]
            day += dt.timedelta(days=1)
        return count

    def hours(self, person: str, first: Any, last: Any, *, absences: bool = True) -> float:
        lo, hi = pd.Timestamp(first).strftime("%F"), pd.Timestamp(last).strftime("%F")
        return sum(h for p, d, h, absent in self.entries
                   if p == person and lo <= d <= hi and (absences or not absent))  # fmt: skip

    def logged(self, first: Any, last: Any) -> set[str]:
        lo, hi = pd.Timestamp(first).strftime("%F"), pd.Timestamp(last).strftime("%F")
        return {p for p, d, _, _ in self.entries if lo <= d <= hi}


def key(row: dict[str, Any]) -> str:
    return str(row["person_xid"]) if not pd.isna(row["person_xid"]) else f"#{row['person_id']}"


def week_range(monday: pd.Timestamp) -> tuple[pd.Timestamp, pd.Timestamp]:
    """A week of November, cut to the month."""
    lo, hi = pd.Timestamp(MONTH[0]), pd.Timestamp(MONTH[1])
    return max(monday, lo), min(monday + pd.Timedelta(days=6), hi)


# -- bb.work_schedule ---------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["default", "literal"])
@pytest.mark.parametrize("account", ACCOUNTS)
@pytest.mark.parametrize("freq", ["W", None])
def test_work_schedule_matches_the_store(
    mode: str, account: str, freq: str | None, servers: dict[str, Any], clients: dict[Any, Any]
) -> None:
    """Business days and hours per person and week (or over the month), each person's
    hours per day, the hours logged; the account's hours per day and business days."""
    truth = Truth(servers["default"], account)
    schedule = bb.work_schedule(*MONTH, freq=freq, client=clients[mode, account])
    assert list(schedule.columns) == list(SCHEDULE_COLUMNS)
    starts = sorted(set(schedule["period"]))
    expected_starts = (
        sorted({week_range(m)[0] - pd.Timedelta(days=week_range(m)[0].weekday())
                for m in pd.date_range(*MONTH, freq="D")})
        if freq else [pd.Timestamp(MONTH[0])]
    )  # fmt: skip
    assert set(starts) <= set(expected_starts)
    for start in starts:
        rows = schedule[schedule["period"] == start]
        first, last = rows["first_day"].iloc[0], rows["last_day"].iloc[0]
        assert (first, last) == (week_range(start) if freq else tuple(map(pd.Timestamp, MONTH)))
        days = truth.business_days(first, last)
        assert {key(r) for r in rows.to_dict("records")} == truth.logged(first, last)
        for row in rows.to_dict("records"):
            person = key(row)
            assert row["work_days"] == days
            assert row["work_hours"] == pytest.approx(days * truth.day_of[person], abs=2e-3)
            if days:
                assert row["hours_per_day"] == pytest.approx(truth.day_of[person], abs=1e-3)
            assert row["hours"] == pytest.approx(truth.hours(person, first, last), abs=2e-3)
        said = schedule.attrs["beebole_schedule"]
        assert said["business_days"][start.strftime("%F")] == days
    assert schedule.attrs["beebole_schedule"]["hours_per_day"] == pytest.approx(
        truth.settings["hours_per_day"], abs=1e-4
    )
    part_time = schedule[schedule["person_xid"].isna()]  # the demo's part-timers have no xid
    assert (part_time["hours_per_day"] == 6.0).sum() >= 3 * len(starts) - 3


# -- utilisation on contracted hours -----------------------------------------------------------


@pytest.mark.parametrize("account", ACCOUNTS)
def test_utilisation_on_the_work_schedule(
    account: str, servers: dict[str, Any], loaded: dict[str, Any]
) -> None:
    """Expected = each person's business hours; part-timers do not look 75% utilised."""
    truth, data = Truth(servers["default"], account), loaded[account]
    days = truth.business_days(*MONTH)
    table = reports.utilisation(data["entries"], schedule=data["monthly"], people=data["people"],
                                start=MONTH[0], end=MONTH[1])  # fmt: skip
    plain = reports.utilisation(data["entries"], people=data["people"], start=MONTH[0],
                                end=MONTH[1])  # fmt: skip
    assert len(table) == len(plain) > 40
    for row in table.to_dict("records"):
        person = key(row)
        # people without time get the account's day on the month's business days
        per_day = truth.day_of[person] if person in truth.logged(*MONTH) else None
        expected = days * (per_day or truth.settings["hours_per_day"])
        worked = truth.hours(person, *MONTH, absences=False)
        assert row["expected_hours"] == pytest.approx(expected, abs=2e-3)
        assert row["worked_hours"] == pytest.approx(worked, abs=1e-6)
        assert row["utilisation"] == pytest.approx(worked / expected, abs=1e-6)
    part = table[[key(r) in truth.part_timers for r in table.to_dict("records")]]
    before = plain[[key(r) in truth.part_timers for r in plain.to_dict("records")]]
    assert len(part) == 3
    # 6-hour days logged against 6-hour days: about as utilised as everyone else
    assert (part["utilisation"] > 0.85).all()
    assert (before["utilisation"] < 0.8).all()  # against 8 h a weekday: three quarters


@pytest.mark.parametrize("account", ACCOUNTS)
def test_weekly_utilisation_and_people_without_time(
    account: str, servers: dict[str, Any], loaded: dict[str, Any]
) -> None:
    """Per week: each week's business hours (holidays: Thanksgiving, Armistice Day); a person
    without time that week gets the week's business days times the account's hours."""
    truth, data = Truth(servers["default"], account), loaded[account]
    table = reports.utilisation(data["entries"], schedule=data["weekly"], people=data["people"],
                                freq="W", start=MONTH[0], end=MONTH[1])  # fmt: skip
    checked = 0
    for row in table.to_dict("records"):
        first, last = week_range(row["period"])
        if first > last:
            continue
        person, days = key(row), truth.business_days(first, last)
        logged = person in truth.logged(first, last)
        per_day = truth.day_of[person] if logged else truth.settings["hours_per_day"]
        assert row["expected_hours"] == pytest.approx(days * per_day, abs=2e-3)
        assert row["worked_hours"] == pytest.approx(
            truth.hours(person, first, last, absences=False), abs=1e-6
        )
        checked += 1
    assert checked >= 4 * 45
    holiday_week = "2026-11-23" if account != "fr" else "2026-11-09"
    week = table[table["period"] == pd.Timestamp(holiday_week)]
    full_time = week[[key(r) not in truth.part_timers for r in week.to_dict("records")]]
    assert set(full_time["expected_hours"]) == {4 * truth.settings["hours_per_day"]}


# -- overtime on contracted hours --------------------------------------------------------------


@pytest.mark.parametrize("account", ACCOUNTS)
def test_overtime_above_the_work_schedule(
    account: str, servers: dict[str, Any], loaded: dict[str, Any]
) -> None:
    """Per person and week: hours worked above the week's business hours: 35 h in the
    French account, 30 h for a part-timer's full week, 32 h in Thanksgiving week (absences
    left out: a holiday logged as an absence must not count twice)."""
    truth, data = Truth(servers["default"], account), loaded[account]
    table = reports.overtime(data["entries"], freq="W", schedule=data["weekly"],
                             start=MONTH[0], end=MONTH[1])  # fmt: skip
    assert len(table) > 4 * 45
    for row in table.to_dict("records"):
        first, last = week_range(row["period"])
        person = key(row)
        threshold = truth.business_days(first, last) * truth.day_of[person]
        hours = truth.hours(person, first, last, absences=False)
        assert row["hours"] == pytest.approx(hours, abs=1e-6)
        assert row["threshold"] == pytest.approx(threshold, abs=2e-3)
        assert row["overtime_hours"] == pytest.approx(max(0.0, hours - threshold), abs=2e-3)
    full_weeks = table[table["period"] == pd.Timestamp("2026-11-16")]  # no holiday anywhere
    by_kind = defaultdict(set)
    for row in full_weeks.to_dict("records"):
        by_kind[key(row) in truth.part_timers].add(row["threshold"])
    assert by_kind == {False: {5 * truth.settings["hours_per_day"]}, True: {30.0}}
    if account == "fr":
        assert by_kind[False] == {35.0}
    # Absences count when asked (a paid day off is no undertime).
    with_absences = reports.overtime(data["entries"], freq="W", schedule=data["weekly"],
                                     include_absences=True, start=MONTH[0], end=MONTH[1])  # fmt: skip
    for row in with_absences.to_dict("records"):
        first, last = week_range(row["period"])
        assert row["hours"] == pytest.approx(truth.hours(key(row), first, last), abs=1e-6)


def test_schedules_of_other_periods_are_refused(loaded: dict[str, Any]) -> None:
    data = loaded["default"]
    entries, weekly, monthly = data["entries"], data["weekly"], data["monthly"]
    with pytest.raises(ValidationError, match=r"freq='W'\) needs a schedule per W period"):
        reports.utilisation(entries, schedule=monthly, freq="W")
    with pytest.raises(ValidationError, match=r"bb.work_schedule\(start, end, freq='M'\)"):
        reports.overtime(entries, schedule=weekly, freq="M")
    with pytest.raises(ValidationError, match="without freq needs a schedule over the whole"):
        reports.utilisation(entries, schedule=weekly)
    with pytest.raises(ValidationError, match=r"threshold=40\.0 or schedule=, not both"):
        reports.overtime(entries, schedule=weekly, threshold=40.0)
    with pytest.raises(ValidationError, match=r"schedule='40h' is not a DataFrame"):
        reports.utilisation(entries, schedule="40h")
    with pytest.raises(ValidationError, match=r"no column.*work_hours"):
        reports.overtime(entries, schedule=weekly.drop(columns="work_hours"))
    with pytest.raises(ValidationError, match="freq"):
        bb.work_schedule(*MONTH, freq="fortnight")
