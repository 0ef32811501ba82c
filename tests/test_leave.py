"""Leave: ``bb.leave_balances`` (the export's quota view) and ``reports.time_off_ahead``,
every number checked against the sandbox's SQLite store (a path of its own: plain Python
over the store's rows, as tests/test_sandbox_views.py recomputes the views), on the
default account, the American one (MM/DD/YYYY, 12 h, ``1,234.5``) and the French one
(DD/MM/YYYY, ``;``, decimal comma, narrow no-break space, 7 h a day), in the default and
the literal mode (the array output holds the CSV's localised text).

time-off.mdx, "Absence Quotas": a quota per absence type and period; taken = the absence
hours of the quota's period; balance = available - taken (negative when more was taken);
reporting.mdx, "Days": hours / the account's hours per day.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from store_truth import quota_rows

import beebole_pandas as bb
from beebole_pandas import periods, reports, sandbox
from beebole_pandas.errors import SchemaError, ValidationError
from beebole_pandas.load.leave import QUOTA_COLUMNS, split_periods
from beebole_pandas.reports.leave import ABSENCE_KEYS

ACCOUNTS = ("default", "us", "fr")
MODES = ("default", "literal")
YEAR = ("2026-01-01", "2026-11-30")
#: The demo's data ends on 30 November 2026: "today" is a Friday before its last week.
TODAY = "2026-11-20"
NEXT_WEEK = ("2026-11-23", "2026-11-29")


@pytest.fixture(scope="module")
def clients(account_clients: dict[tuple[str, str], Any]) -> dict[tuple[str, str], Any]:
    return account_clients


@pytest.fixture(params=[(m, a) for m in MODES for a in ACCOUNTS], ids=lambda p: "-".join(p))
def case(
    request: pytest.FixtureRequest, servers: dict[str, Any], clients: dict[Any, Any]
) -> tuple[Any, Any, str]:
    mode, account = request.param
    return servers[mode], clients[mode, account], account


def ref(xid: Any, ident: Any) -> str:
    """A person's or absence type's key as the frames make it: the xid, else ``#id``."""
    return str(xid) if xid is not None else f"#{ident}"


def frame_ref(row: dict[str, Any], dim: str) -> str:
    xid, ident = row[f"{dim}_xid"], row[f"{dim}_id"]
    return str(xid) if not pd.isna(xid) else f"#{int(ident)}"


def quota_truth(
    server: Any, start: str, end: str, statuses: tuple[str, ...] | None = None
) -> dict[int, dict[str, Any]]:
    """quota id -> what the balance frame must say, from the store's rows."""
    return {
        q["id"]: {
            "person": ref(q["pxid"], q["person"]),
            "person_name": q["pname"],
            "absence": ref(q["axid"], q["absence"]),
            "absence_name": q["aname"],
            "start": q["start"],
            "end": q["end_date"],
            "available": q["hours"],
            "taken": used,
        }
        for q, used in quota_rows(server, start, end, statuses)
    }


def check_balances(frame: pd.DataFrame, truth: dict[int, dict[str, Any]], per_day: float) -> None:
    assert list(frame.columns[: len(QUOTA_COLUMNS)]) == list(QUOTA_COLUMNS)
    assert sorted(frame["quota_id"].tolist()) == sorted(truth)
    for row in frame.to_dict("records"):
        want = truth[row["quota_id"]]
        assert frame_ref(row, "person") == want["person"]
        assert frame_ref(row, "absence") == want["absence"]
        assert (row["person_name"], row["absence_name"]) == (want["person_name"],
                                                             want["absence_name"])  # fmt: skip
        assert row["quota_start"] == pd.Timestamp(want["start"])
        assert row["quota_end"] == pd.Timestamp(want["end"])
        avail, taken = want["available"], want["taken"]
        # the literal mode's numbers are the CSV's text: three decimals
        assert row["available_hours"] == pytest.approx(avail, abs=2e-3)
        assert row["taken_hours"] == pytest.approx(taken, abs=2e-3)
        assert row["balance_hours"] == pytest.approx(avail - taken, abs=2e-3)
        assert row["available_days"] == pytest.approx(avail / per_day, abs=2e-3)
        assert row["taken_days"] == pytest.approx(taken / per_day, abs=2e-3)
        assert row["balance_days"] == pytest.approx((avail - taken) / per_day, abs=2e-3)


# -- bb.leave_balances -------------------------------------------------------------------------


def test_balances_match_the_store(case: tuple[Any, Any, str]) -> None:
    """Every quota of 2026, in every account format: periods from ``fromTo``, hours and days."""
    server, client, account = case
    per_day = server.settings(account)["hours_per_day"]
    frame = bb.leave_balances(YEAR[1], client=client)  # the quotas in force on a day
    check_balances(frame, quota_truth(server, YEAR[1], YEAR[1]), per_day)
    year = bb.leave_balances("2026", client=client)
    check_balances(year, quota_truth(server, "2026-01-01", "2026-12-31"), per_day)
    dtypes = year.dtypes.astype(str).to_dict()
    assert dtypes["quota_start"] == dtypes["quota_end"] == "datetime64[ns]"
    assert {dtypes[c] for c in QUOTA_COLUMNS if c.endswith(("_hours", "_days"))} == {"Float64"}
    # leave years from January and, in the United Kingdom, from April; negative balances too
    assert {d.strftime("%m-%d") for d in year["quota_start"]} == {"01-01", "04-01"}
    assert (year["balance_hours"] < 0).any() and (year["balance_hours"] > 0).any()
    fmt = year.attrs["beebole_format"]
    assert fmt.date == {"default": "YYYY-MM-DD", "us": "MM/DD/YYYY", "fr": "DD/MM/YYYY"}[account]


def test_balances_default_to_today(servers: dict[str, Any], clients: dict[Any, Any]) -> None:
    server = servers["default"]
    today = dt.date.today().isoformat()
    frame = bb.leave_balances(client=clients["default", "default"])
    assert sorted(frame["quota_id"].tolist()) == sorted(quota_truth(server, today, today))
    assert frame.attrs["beebole"]["scope"]["start"] == today


def test_balances_filters_and_statuses(servers: dict[str, Any], clients: dict[Any, Any]) -> None:
    """time-off.mdx: a person's balance per absence type; taken follows the statuses asked."""
    server, client = servers["default"], clients["default", "fr"]
    per_day = server.settings("fr")["hours_per_day"]
    truth = quota_truth(server, *YEAR)
    person = next(t for t in truth.values() if t["person"].startswith("#"))
    name = person["person_name"]
    mine = {q: t for q, t in truth.items() if t["person_name"] == name}
    check_balances(bb.leave_balances("2026", person=name, client=client), mine, per_day)
    vacation = {q: t for q, t in mine.items() if t["absence_name"] == "Vacation"}
    assert vacation and len(vacation) < len(mine)
    both = bb.leave_balances("2026", person=name, absence="Vacation", client=client)
    check_balances(both, vacation, per_day)
    everyone = {q: t for q, t in truth.items() if t["absence_name"] == "Vacation"}
    check_balances(bb.leave_balances("2026", absence="Vacation", client=client), everyone, per_day)
    approved = quota_truth(server, *YEAR, statuses=("a", "l"))
    frame = bb.leave_balances("2026", status=["approved", "locked"], client=client)
    check_balances(frame, approved, per_day)
    assert frame["taken_hours"].sum() < sum(t["taken"] for t in truth.values())


def test_balances_refuse_bad_arguments(clients: dict[Any, Any]) -> None:
    client = clients["default", "default"]
    with pytest.raises(ValidationError, match="2026-13"):
        bb.leave_balances("2026-13", client=client)
    with pytest.raises(ValidationError, match="unknown status 'done'; valid statuses"):
        bb.leave_balances("2026", status="done", client=client)
    with pytest.raises(ValidationError, match="refresh"):
        bb.leave_balances("2026", refresh="yes", client=client)


@pytest.mark.parametrize(
    ("texts", "fmt", "first", "last"),
    [
        (["01/04/2026 - 31/03/2027"], "DD/MM/YYYY", "2026-04-01", "2027-03-31"),
        (["04/01/2026 - 03/31/2027"], "MM/DD/YYYY", "2026-04-01", "2027-03-31"),
        (["2026-04-01 - 2027-03-31"], "YYYY-MM-DD", "2026-04-01", "2027-03-31"),
        (["01.04.2026 \u2013 31.03.2027"], "DD/MM/YYYY", "2026-04-01", "2027-03-31"),
        (["01-04-2026 - 31-03-2027"], "DD/MM/YYYY", "2026-04-01", "2027-03-31"),
    ],
)
def test_quota_periods_in_every_format(texts: list[str], fmt: str, first: str, last: str) -> None:
    starts, ends, found = split_periods([*texts, None])
    assert (str(starts[0])[:10], str(ends[0])[:10], found.date) == (first, last, fmt)
    assert np.isnat(starts[1]) and np.isnat(ends[1])


def test_quota_periods_refuse_what_they_cannot_read() -> None:
    with pytest.raises(SchemaError, match="'2026-01-01' is not a quota period"):
        split_periods(["2026-01-01"])
    with pytest.raises(SchemaError, match="DD/MM/YYYY or as MM/DD/YYYY"):
        split_periods(["01/02/2026 - 02/03/2026"])  # nothing decides the order
    starts, _, _ = split_periods(["01/02/2026 - 02/03/2026"], export_format="MM/DD/YYYY")
    assert str(starts[0])[:10] == "2026-01-02"


# -- reports.time_off_ahead ------------------------------------------------------------------


def off_truth(server: Any, account: str, first: str, last: str) -> dict[tuple[str, str, str], Any]:
    """(person, absence, day) -> [hours, statuses, hours per day of the person]."""
    settings = server.settings(account)
    store = server.backend.store
    out: dict[tuple[str, str, str], Any] = {}
    for e in store.all(
        "SELECT te.date, te.hours, te.status, te.person, te.absence, pe.xid AS pxid, "
        "pe.work_hours, a.xid AS axid FROM time_entry te JOIN person pe ON pe.id=te.person "
        "JOIN absence a ON a.id=te.absence WHERE te.date BETWEEN ? AND ?", (first, last)
    ):  # fmt: skip
        key = (ref(e["pxid"], e["person"]), ref(e["axid"], e["absence"]), e["date"])
        day = e["work_hours"] if e["work_hours"] != 8 else settings["hours_per_day"]
        row = out.setdefault(key, [0.0, set(), day])
        row[0] += e["hours"]
        row[1].add(e["status"])
    return out


@pytest.mark.parametrize("account", ACCOUNTS)
def test_who_is_off_next_week(
    account: str, servers: dict[str, Any], clients: dict[Any, Any]
) -> None:
    """The absence time after today, per person, absence type and day, with each
    person's days (a part-timer's 6-hour day is a day) and whether it is approved."""
    server, client = servers["default"], clients["default", account]
    coming = bb.time_entries(*NEXT_WEEK, client=client)
    schedule = bb.work_schedule(*NEXT_WEEK, client=client)
    off = reports.time_off_ahead(coming, today=TODAY, schedule=schedule)
    truth = off_truth(server, account, *NEXT_WEEK)
    assert len(off) == len(truth) > 5
    for row in off.to_dict("records"):
        hours, statuses, per_day = truth[frame_ref(row, "person"), frame_ref(row, "absence"),
                                         row["period"].strftime("%Y-%m-%d")]  # fmt: skip
        assert row["first_day"] == row["last_day"] == row["period"] and row["days_off"] == 1
        assert row["hours"] == pytest.approx(hours)
        assert row["in_days"] == pytest.approx(hours / per_day)
        assert row["approved"] == statuses.issubset({"a", "l"})
    assert (off.attrs["beebole_report"]["start"], off.attrs["beebole_report"]["end"]) == NEXT_WEEK
    # The export of absences (show="abs") says the same.
    export = bb.export(*NEXT_WEEK, keys=list(ABSENCE_KEYS), show="abs", client=client)
    same = reports.time_off_ahead(export, today=TODAY, schedule=schedule)
    pd.testing.assert_frame_equal(same, off)


def test_time_off_per_week_counts_only_days_ahead(
    servers: dict[str, Any], clients: dict[Any, Any]
) -> None:
    """With today inside the week, only the days after it count; the week is partial."""
    server, client = servers["default"], clients["default", "default"]
    coming = bb.time_entries(*NEXT_WEEK, client=client)
    today = "2026-11-24"  # a Tuesday
    off = reports.time_off_ahead(coming, period="this-week", today=today, freq="W",
                                 hours_per_day=8)  # fmt: skip
    truth = off_truth(server, "default", "2026-11-25", "2026-11-29")
    per_person: dict[tuple[str, str], list[Any]] = defaultdict(lambda: [0.0, set()])
    for (person, absence, day), (hours, _, _) in truth.items():
        per_person[person, absence][0] += hours
        per_person[person, absence][1].add(day)
    assert len(off) == len(per_person)
    for row in off.to_dict("records"):
        hours, days = per_person[frame_ref(row, "person"), frame_ref(row, "absence")]
        assert row["hours"] == pytest.approx(hours) and row["in_days"] == pytest.approx(hours / 8)
        assert row["days_off"] == len(days)
        assert (row["first_day"], row["last_day"]) == (pd.Timestamp(min(days)),
                                                       pd.Timestamp(max(days)))  # fmt: skip
        assert row["period"] == pd.Timestamp("2026-11-23") and bool(row["partial"])


def test_time_off_with_nothing_ahead_is_empty_and_says_why(
    clients: dict[Any, Any], caplog: pytest.LogCaptureFixture
) -> None:
    coming = bb.time_entries(*NEXT_WEEK, client=clients["default", "default"])
    with caplog.at_level("WARNING"):
        off = reports.time_off_ahead(coming, today="2026-11-30")
    assert off.empty and off.attrs["beebole_report"]["empty"]
    assert "no absence time for 2026-12-07 to 2026-12-13" in caplog.text
    assert "the absences given run from 2026-11-23 to 2026-11-27" in caplog.text


def test_time_off_refuses_what_is_no_absence_frame() -> None:
    with pytest.raises(SchemaError, match="a date"):
        reports.time_off_ahead(pd.DataFrame({"hours": [1.0]}))
    with pytest.raises(SchemaError, match="no absence column"):
        reports.time_off_ahead(pd.DataFrame({"to": ["2026-11-23"], "hours": [1.0],
                                             "person_name": ["Ann"]}))  # fmt: skip
    frame = pd.DataFrame({"to": ["2026-11-23"], "hours": [1.0], "person_name": ["Ann"],
                          "absence_name": ["Vacation"]})  # fmt: skip
    with pytest.raises(ValidationError, match="freq"):
        reports.time_off_ahead(frame, freq="fortnight")
    with pytest.raises(ValidationError, match="hours_per_day"):
        reports.time_off_ahead(frame, hours_per_day=0)
    off = reports.time_off_ahead(frame, today="2026-11-20")
    assert off["person_name"].tolist() == ["Ann"] and off["approved"].isna().all()


# -- what it costs -----------------------------------------------------------------------------


def test_each_loader_costs_one_export_per_period(tmp_path: Path) -> None:
    """leave_balances: one export job; work_schedule: one per period (about 2 requests each)."""
    with sandbox.serve(seed="demo", export_delay=0.0) as server:
        client = bb.connect(server.token, url=server.url, set_default=False, cache_dir=tmp_path)
        try:
            server.reset_stats()
            bb.leave_balances("2026", client=client)
            jobs = server.stats()["by_service"]
            assert jobs["time_entry.export"] == 1 and server.stats()["requests"] <= 3
            server.reset_stats()
            bb.work_schedule("2026-11", freq="W", client=client)
            weeks = len(pd.period_range(*periods.span("2026-11").iso(), freq="W-SUN"))
            stats = server.stats()
            assert stats["by_service"]["time_entry.export"] == weeks
            assert stats["requests"] <= 3 * weeks
            server.reset_stats()
            bb.leave_balances("2026", client=client)  # a second time: the cache
            assert server.stats()["requests"] == 0
        finally:
            client.close()
