"""The ``quota`` and ``attendance`` views of the export, and overtime, against the store.

Beebole's pages (help/legacy/ of beebole/documentation) define what the
sandbox computes; every expected number here is computed again in plain
Python from the rows of the sandbox's SQLite store, a different path from the
sandbox's SQL:

* time-off.mdx, "Absence Quotas": quotas per absence type and period, with a
  balance "also visible in reports";
* time-clock.mdx: clock-in / clock-out records; work-schedules.mdx: the
  schedule (hours per day, working days) and the break deducted automatically;
* reporting.mdx, "Data available in the Reports module" and "Tracking
  Overtime": overtime per day and per week, weekends and holidays included;
  entities.mdx: hours on public holidays "will be included in Overtime";
* settings.mdx, "Localization": every number and date in the account's formats.

Each check runs in the default and the literal mode (``serve(literal=True)``:
the array output holds the CSV's localised text), for the default account and
the French one (``DD/MM/YYYY``, decimal comma, 7 h a day, 35 h a week, French
holidays).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import Any, cast

import pytest
import requests
from store_truth import quota_rows

from beebole_pandas import sandbox
from beebole_pandas.sandbox.accounts import DATE_FORMATS
from beebole_pandas.sandbox.seeddata import SeedData

YEAR = {"from": "2026-01-01", "to": "2026-11-30"}
WEEKS = {"from": "2026-11-16", "to": "2026-11-30"}
SUMMER = {"from": "2026-05-01", "to": "2026-07-31"}  # French and American holidays
MODES = ("default", "literal")
ACCOUNTS = ("default", "fr")


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, Any]]:
    options: dict[str, Any] = {
        "seed": "demo",
        "daily_requests": 10**6,
        "daily_kb": 10**6,
        "export_delay": 0.0,
    }
    with sandbox.serve(**options) as default, sandbox.serve(literal=True, **options) as literal:
        yield {"default": default, "literal": literal}


@pytest.fixture(params=[(m, a) for m in MODES for a in ACCOUNTS], ids=lambda p: "-".join(p))
def case(request: pytest.FixtureRequest, servers: dict[str, Any]) -> tuple[Any, str]:
    mode, account = request.param
    return servers[mode], account


def call(server: Any, account: str, **body: Any) -> dict[str, Any]:
    answer = requests.post(server.url, json=body, auth=(server.tokens[account], "x"), timeout=30)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def export(
    server: Any, account: str, keys: list[str], fmt: str | None = "array", **extra: Any
) -> Any:
    body: dict[str, Any] = {"service": "time_entry.export", "keys": keys, **extra}
    if fmt:
        body["outputFormat"] = fmt
    started = call(server, account, **body)
    assert started["status"] == "ok", started
    for _ in range(500):
        info = call(server, account, service="time_entry.get_job_info", id=started["job"]["id"])
        if info["job"]["status"] == "done":
            return info["job"]["result"]
        time.sleep(0.01)
    raise AssertionError("export never finished")


# -- reading localised cells (settings.mdx, "Localization") ------------------------------------

NUMBERS = {"available", "availableInDays", "taken", "takenInDays", "balance", "balanceInDays",
           "duration", "hours", "inDays", "overtime", "weeklyOvertime"}  # fmt: skip
BOOLEANS = {"isAtWork", "manual", "wfh"}
DATES = {"date", "to"}
DATETIMES = {"start", "end"}


def _date(text: str, settings: dict[str, Any]) -> str:
    return dt.datetime.strptime(text, DATE_FORMATS[settings["date_format"]]).date().isoformat()


def _cell(key: str, value: Any, settings: dict[str, Any]) -> Any:
    """A cell of either mode as a plain value: floats, ISO dates, bools, None, id text."""
    if value is None or value == "":
        return None
    if key in NUMBERS:
        if isinstance(value, str):
            value = value.replace(settings["thousands_separator"] or "\0", "")
            value = value.replace(settings["decimal_separator"], ".")
        return float(value)
    if key in BOOLEANS:
        return value if isinstance(value, bool) else {"true": True, "false": False}[value]
    if key in DATES or (key in ("stime", "etime") and len(value) == 10):
        return _date(value, settings)
    if key in DATETIMES:  # "YYYY-MM-DD HH:MM[:SS]" once the date is ISO
        day, clock = value.split(" ", 1)
        return f"{_date(day, settings)} {clock[:5]}"
    if key == "fromTo":
        first, last = value.split(" - ")
        return f"{_date(first, settings)} - {_date(last, settings)}"
    return str(value)  # ids: numbers in the typed array, text in the literal one


def rows_of(server: Any, account: str, keys: list[str], **extra: Any) -> list[list[Any]]:
    settings = server.settings(account)
    result = export(server, account, keys, **extra)
    return [[_cell(k, v, settings) for k, v in zip(keys, row, strict=True)] for row in result[1:]]


def close(a: float | None, b: float, tol: float = 2e-3) -> bool:
    """Equal to the CSV's three decimals (the literal mode's numbers are that text)."""
    return a is not None and abs(a - b) <= tol


def ref(row: Any, xid: str = "pxid", eid: str = "person") -> str:
    return str(row[xid] or row[eid])


def is_off(day: str, settings: dict[str, Any]) -> bool:
    """A weekend day or a holiday of the account (work-schedules.mdx, entities.mdx)."""
    date = dt.date.fromisoformat(day)
    return date.isoweekday() not in settings["working_days"] or day in settings["holidays"]


# -- show: "quota" (time-off.mdx, "Absence Quotas") ---------------------------------------------


def quota_truth(
    server: Any, start: str, end: str, statuses: tuple[str, ...] | None = None
) -> dict[int, Any]:
    """quota id -> (person ref, absence ref, first day, last day, available, taken)."""
    return {
        q["id"]: (ref(q), ref(q, "axid", "absence"), q["start"], q["end_date"], q["hours"], used)
        for q, used in quota_rows(server, start, end, statuses)
    }


QUOTA_KEYS = ["quotaId", "personId", "absenceId", "fromTo", "stime", "etime", "available",
              "taken", "balance", "availableInDays", "takenInDays", "balanceInDays"]  # fmt: skip


def test_quota_rows_match_the_store(case: tuple[Any, str]) -> None:
    """time-off.mdx: a quota per absence type and period; taken = the absence hours of the
    period; balance = available - taken; days = hours / the account's hours per day."""
    server, account = case
    per_day = server.settings(account)["hours_per_day"]
    truth = quota_truth(server, YEAR["from"], YEAR["to"])
    rows = rows_of(server, account, QUOTA_KEYS, show="quota", **YEAR)
    assert len(rows) == len(truth) > 0
    for row in rows:
        qid, person, absence, period, first, last = row[:6]
        avail, taken, bal, avail_d, taken_d, bal_d = row[6:]
        t_person, t_absence, t_first, t_last, t_avail, t_taken = truth[int(qid)]
        assert (person, absence) == (t_person, t_absence)
        assert (first, last, period) == (t_first, t_last, f"{t_first} - {t_last}")
        assert close(avail, t_avail) and close(taken, t_taken) and close(bal, t_avail - t_taken)
        assert close(avail_d, t_avail / per_day) and close(taken_d, t_taken / per_day)
        assert close(bal_d, (t_avail - t_taken) / per_day)
    # quotas are granted per leave year: the UK's runs from April, the others' from January
    assert {r[4][5:] for r in rows} == {"01-01", "04-01"}
    assert any(r[8] < 0 for r in rows) and any(r[8] > 0 for r in rows)  # negative balances too


def test_quota_aggregates_filters_and_statuses(case: tuple[Any, str]) -> None:
    """time-off.mdx: balances per person; the export's filters and statusFilters apply."""
    server, account = case
    truth = quota_truth(server, YEAR["from"], YEAR["to"])
    per_person: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for person, _, _, _, avail, taken in truth.values():
        per_person[person][0] += avail
        per_person[person][1] += taken
    rows = rows_of(server, account, ["personId", "available", "taken", "balance"],
                   show="quota", **YEAR)  # fmt: skip
    assert {r[0] for r in rows} == set(per_person)
    for person, avail, taken, balance in rows:
        assert close(avail, per_person[person][0]) and close(taken, per_person[person][1])
        assert close(balance, per_person[person][0] - per_person[person][1], 5e-3)
    approved = quota_truth(server, YEAR["from"], YEAR["to"], ("a", "l"))
    got = rows_of(server, account, ["quotaId", "taken"], show="quota",
                  statusFilters=["a", "l"], **YEAR)  # fmt: skip
    assert all(close(taken, approved[int(q)][5]) for q, taken in got)
    assert sum(t[5] for t in approved.values()) < sum(t[5] for t in truth.values())
    store = server.backend.store
    pxid = store.scalar("SELECT xid FROM person WHERE xid IS NOT NULL ORDER BY id")
    mine = rows_of(server, account, ["quotaId"], show="quota", person={"xid": pxid}, **YEAR)
    assert sorted(int(r[0]) for r in mine) == sorted(q for q, t in truth.items() if t[0] == pxid)
    project = store.scalar("SELECT id FROM project ORDER BY id")
    assert (
        rows_of(server, account, ["quotaId"], show="quota", project={"id": project}, **YEAR) == []
    )


def test_quota_csv_in_the_account_formats(servers: dict[str, Any]) -> None:
    """settings.mdx: the French account's list separator, date format and decimal comma."""
    server = servers["default"]
    text = export(server, "fr", ["person", "fromTo", "available"], fmt=None, show="quota", **YEAR)
    head, *rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert head == ["Personne", "Période", "Disponible"]
    assert rows and all(r[1].count("/") == 4 and "," in r[2] for r in rows)
    assert {r[1] for r in rows} >= {"01/01/2026 - 31/12/2026", "01/04/2026 - 31/03/2027"}


def test_quota_taken_follows_new_absence_entries() -> None:
    """time-off.mdx: the Absence Quota module "will show an updated balance"."""
    with sandbox.serve(seed="demo", people=9, months=2, export_delay=0.0) as server:
        store = server.backend.store
        quota = store.one(
            "SELECT id, person, absence FROM leave_quota WHERE start='2026-01-01' ORDER BY id"
        )
        assert quota is not None
        qid, person, absence = quota
        before = rows_of(server, "default", ["quotaId", "taken"], show="quota", **YEAR)
        made = call(server, "default", service="time_entry.create", person={"id": person},
                    absence={"id": absence}, date="2026-03-03", hours=4.0)  # fmt: skip
        assert made["status"] == "ok", made
        after = rows_of(server, "default", ["quotaId", "taken"], show="quota", **YEAR)
        change = {int(q): b for q, b in after}
        assert {int(q): a for q, a in before} == {**change, qid: change[qid] - 4.0}


# -- show: "attendance" (time-clock.mdx) -------------------------------------------------------


def attendance_truth(server: Any, account: str, start: str, end: str) -> dict[tuple[str, str], Any]:
    """(person ref, start) -> (date, end, duration, hours, balance, open, manual, wfh, ...)."""
    settings = server.settings(account)
    store = server.backend.store
    records = store.all("SELECT k.*, pe.xid AS pxid FROM clock k JOIN person pe "
                        "ON pe.id=k.person WHERE k.date BETWEEN ? AND ?", (start, end))  # fmt: skip
    per_day = Counter((r["person"], r["date"]) for r in records)
    out = {}
    for r in records:
        duration = hours = 0.0
        if r["end_time"]:
            seconds = dt.datetime.fromisoformat(r["end_time"]) - dt.datetime.fromisoformat(
                r["start"]
            )
            duration = seconds.total_seconds() / 3600
            hours = duration - r["break_hours"]  # work-schedules.mdx: breaks deducted
        schedule = 0.0 if is_off(r["date"], settings) else settings["hours_per_day"]
        out[ref(r), r["start"][:16]] = (
            r["date"], r["end_time"] and r["end_time"][:16], duration, hours,
            hours - schedule / per_day[r["person"], r["date"]], r["end_time"] is None,
            bool(r["manual"]), bool(r["wfh"]), r["address"], r["coords"], r["comment"],
        )  # fmt: skip
    return out


ATTENDANCE_KEYS = ["personId", "start", "date", "end", "duration", "hours", "balance",
                   "isAtWork", "manual", "wfh", "address", "coords", "comment", "inDays"]  # fmt: skip


def test_attendance_rows_match_the_store(case: tuple[Any, str]) -> None:
    """time-clock.mdx: clock-in and clock-out (or typed in: manual); hours = duration minus
    the automatic break; balance = hours minus the schedule of the day."""
    server, account = case
    per_day = server.settings(account)["hours_per_day"]
    truth = attendance_truth(server, account, WEEKS["from"], WEEKS["to"])
    rows = rows_of(server, account, ATTENDANCE_KEYS, show="attendance", **WEEKS)
    assert len(rows) == len(truth) > 0
    for person, start, *rest in rows:
        *same, in_days = rest
        date, end, duration, hours, balance, *flags = truth[person, start]
        assert same[:2] == [date, end] and same[5:] == flags
        assert close(same[2], duration) and close(same[3], hours) and close(same[4], balance)
        assert close(in_days, hours / per_day)
    # a few people are still clocked in on the last day: no end, at work, no hours yet
    open_rows = [r for r in rows if r[7]]
    assert open_rows and all(r[3] is None and r[5] == 0.0 for r in open_rows)
    assert any(r[8] for r in rows) and any(r[9] for r in rows) and any(r[10] for r in rows)
    assert any(r[6] < 0 for r in rows) and any(r[6] > 0 for r in rows)


def test_attendance_per_person_and_week(case: tuple[Any, str]) -> None:
    """time-clock.mdx: total working time per person; reporting.mdx: "Week: the week number"
    (in both modes)."""
    server, account = case
    truth = attendance_truth(server, account, WEEKS["from"], WEEKS["to"])
    expected: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for (person, _), (date, _, _, hours, balance, *_) in truth.items():
        day = dt.date.fromisoformat(date)
        week = str(day.isocalendar().week)
        expected[person, week][0] += hours
        expected[person, week][1] += balance
    rows = rows_of(server, account, ["personId", "week", "hours", "balance"],
                   show="attendance", **WEEKS)  # fmt: skip
    assert {(r[0], r[1]) for r in rows} == set(expected)
    for person, week, hours, balance in rows:
        assert close(hours, expected[person, week][0]) and close(balance, expected[person, week][1])


def test_attendance_filters(servers: dict[str, Any]) -> None:
    """The export's person, company and group filters; clock records have no workflow status
    (time-clock.mdx: the Approval module is for time off only), so statusFilters do not apply."""
    server = servers["default"]
    store = server.backend.store
    first = store.one("SELECT k.person, pe.company FROM clock k JOIN person pe "
                      "ON pe.id=k.person ORDER BY k.id")  # fmt: skip
    assert first is not None
    person, company = first
    total = len(attendance_truth(server, "default", WEEKS["from"], WEEKS["to"]))

    def count(**extra: Any) -> int:
        keys = ["personId", "start", "duration"]
        return len(rows_of(server, "default", keys, show="attendance", **WEEKS, **extra))

    assert count(statusFilters=["l"]) == count(company={"id": company}) == total
    assert 0 < count(person={"id": person}) < total
    assert count(absence={"id": 8001}) == count(project={"id": 3001}) == 0


# -- overtime (reporting.mdx, "Tracking Overtime") ------------------------------------------


def overtime_truth(server: Any, account: str, start: str, end: str) -> dict[str, list[float]]:
    """person ref -> [overtime per day, per week, hours], by the account's schedule."""
    settings = server.settings(account)
    per_day, weekly, week_start = (settings["hours_per_day"], settings["weekly_hours"],
                                   settings["week_start"])  # fmt: skip

    def week_of(day: str) -> dt.date:
        date = dt.date.fromisoformat(day)
        return date - dt.timedelta(days=(date.isoweekday() - week_start) % 7)

    first = week_of(start).isoformat()
    last = (week_of(end) + dt.timedelta(days=6)).isoformat()
    entries = server.backend.store.all(
        "SELECT te.*, pe.xid AS pxid FROM time_entry te JOIN person pe ON pe.id=te.person "
        "WHERE te.date BETWEEN ? AND ?", (first, last))  # fmt: skip
    day_total: Counter[tuple[int, str]] = Counter()
    week_total: Counter[tuple[int, dt.date]] = Counter()
    for e in entries:
        if e["absence"] is None:
            day_total[e["person"], e["date"]] += e["hours"]
            if not is_off(e["date"], settings):
                week_total[e["person"], week_of(e["date"])] += e["hours"]
    out: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for e in entries:
        if not start <= e["date"] <= end:
            continue
        sums = out[ref(e)]
        sums[2] += e["hours"]
        if e["absence"] is not None:
            continue
        if is_off(e["date"], settings):
            sums[0] += e["hours"]
            sums[1] += e["hours"]
            continue
        day = day_total[e["person"], e["date"]]
        week = week_total[e["person"], week_of(e["date"])]
        sums[0] += e["hours"] * max(0.0, day - per_day) / day
        sums[1] += e["hours"] * max(0.0, week - weekly) / week
    return out


def test_overtime_follows_the_account_schedule(case: tuple[Any, str]) -> None:
    """reporting.mdx: hours above the hours per day (per week) of the Timesheet Settings,
    plus the hours worked on weekends and holidays (entities.mdx), absences excluded."""
    server, account = case
    truth = overtime_truth(server, account, SUMMER["from"], SUMMER["to"])
    rows = rows_of(server, account, ["personId", "overtime", "weeklyOvertime", "hours"],
                   **SUMMER)  # fmt: skip
    assert {r[0] for r in rows} == set(truth)
    for person, daily, weekly, hours in rows:
        assert close(hours, truth[person][2])
        assert close(daily, truth[person][0]) and close(weekly, truth[person][1])
    # people worked on the account's holidays (the demo's Americans on French holidays, ...)
    assert sum(r[1] for r in rows) > 0 and sum(r[2] for r in rows) > 0


def test_overtime_on_weekends_holidays_and_weeks() -> None:
    """reporting.mdx ("Tracking Overtime") and work-schedules.mdx (a schedule's week may start
    on another day than Monday): hand-computed overtime of one person's fortnight."""
    days = {  # date: (hours, on an absence)
        "2026-03-02": (10.0, False), "2026-03-03": (10.0, True), "2026-03-04": (6.0, False),
        "2026-03-05": (9.0, False), "2026-03-06": (9.0, False), "2026-03-07": (3.0, False),
        "2026-03-08": (2.0, False), "2026-03-09": (10.0, False),
    }  # fmt: skip
    seed = SeedData(
        name="fortnight",
        accounts=[{"role": "admin", "token": "t", "person": 1, "locale": "en", "api_enabled": True}],
        companies=[{"id": 1, "xid": None, "name": "Acme", "corporate": True, "active": True}],
        people=[{"id": 1, "xid": None, "name": "Ann", "email": "ann@example.com", "company": 1,
                 "userGroup": "admin", "active": True}],
        absences=[{"id": 5, "xid": None, "name": "Leave", "company": 1, "active": True}],
        time_entries=[
            cast(Any, {"id": i, "person": 1, "date": day, "hours": hours, "status": "d",
                       **({"absence": 5} if absent else {"company": 1})})
            for i, (day, (hours, absent)) in enumerate(days.items(), start=1)
        ],
    )  # fmt: skip
    span = {"from": "2026-03-02", "to": "2026-03-09"}
    with sandbox.serve(seed=seed, export_delay=0.0) as server:
        # Wednesday 4 March is a holiday; 24 h a week, so that the threshold is reached
        server.set_settings("default", holidays=["2026-03-04"], weekly_hours=24)

        def overtime() -> dict[str, tuple[float, float]]:
            rows = rows_of(server, "default", ["to", "overtime", "weeklyOvertime"], **span)
            return {r[0]: (round(r[1], 6), round(r[2], 6)) for r in rows}

        def share(hours: float) -> float:  # 28 h on the working days of a week, 4 h above 24 h
            return round(hours * 4 / 28, 6)

        assert overtime() == {
            "2026-03-02": (2.0, share(10)),  # 10 h on an 8 h day
            "2026-03-03": (0.0, 0.0),  # an absence is no work
            "2026-03-04": (6.0, 6.0),  # a holiday: every hour
            "2026-03-05": (1.0, share(9)),
            "2026-03-06": (1.0, share(9)),
            "2026-03-07": (3.0, 3.0),  # Saturday
            "2026-03-08": (2.0, 2.0),  # Sunday
            "2026-03-09": (2.0, 0.0),  # a new week, 10 h so far
        }
        # weeks from Wednesday: Monday 2 March ends a week of 10 working hours; the next
        # week has Thursday, Friday and Monday 9 March, 28 h again
        server.set_settings("default", week_start=3)
        got = overtime()
        assert got["2026-03-02"] == (2.0, 0.0)
        assert got["2026-03-05"] == (1.0, share(9))
        assert got["2026-03-09"] == (2.0, share(10))


# -- the seed ------------------------------------------------------------------------------------


def test_quotas_and_clock_records_are_deterministic() -> None:
    """The same arguments give the same quotas and clock records (and the store holds them)."""
    from beebole_pandas.sandbox.seed import build

    first, second = build("demo", people=12, months=2), build("demo", people=12, months=2)
    assert first.leave_quotas == second.leave_quotas and first.leave_quotas
    assert first.clock_records == second.clock_records and first.clock_records
    assert build("demo", people=12, months=3).leave_quotas == first.leave_quotas
