"""Account settings of the sandbox: tokens per account, formats, run-time changes.

Follows settings.mdx ("Localization": date format, 12/24-hour time, decimal
format, thousands separator, list separator "in the interface, reports, and
exports") and work-schedules.mdx (8 h a day, 40 h a week, Saturday and Sunday
off by default).
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from beebole_pandas import sandbox

RANGE = {"from": "2026-03-01", "to": "2026-03-31"}


@pytest.fixture(scope="module")
def server() -> Iterator[Any]:
    with sandbox.serve(seed="demo", months=4, daily_requests=10**6, daily_kb=10**6,
                       export_delay=0.0) as srv:  # fmt: skip
        yield srv


def call(srv: Any, account: str, **body: Any) -> dict[str, Any]:
    answer = requests.post(srv.url, json=body, auth=(srv.tokens[account], "x"), timeout=30)
    answer.raise_for_status()
    return dict(answer.json())


def export(srv: Any, account: str, keys: list[str], fmt: str | None = None, **extra: Any) -> Any:
    body: dict[str, Any] = {"service": "time_entry.export", "keys": keys, **RANGE, **extra}
    if fmt:
        body["outputFormat"] = fmt
    job = call(srv, account, **body)["job"]
    for _ in range(200):
        info = call(srv, account, service="time_entry.get_job_info", id=job["id"])["job"]
        if info["status"] == "done":
            return info["result"]
        time.sleep(0.02)
    raise AssertionError("export never finished")


def test_tokens_name_the_accounts(server: Any) -> None:
    tokens = server.tokens
    assert {"default", "us", "fr", "admin", "employee", "admin_fr", "disabled"} <= set(tokens)
    assert tokens["default"] == server.token == tokens["admin"]
    assert len({tokens["default"], tokens["us"], tokens["fr"]}) == 3
    for account in ("us", "fr"):  # administrators of the same company data
        assert call(server, account, service="company.list")["status"] == "ok"


def test_default_settings_are_the_historical_ones(server: Any) -> None:
    # settings.mdx "Localization"; work-schedules.mdx: 8 h/day, 40 h/week, Sat/Sun off
    s = server.settings()
    assert s["date_format"] == "YYYY-MM-DD" and s["time_format"] == "24h"
    assert (s["decimal_separator"], s["thousands_separator"], s["list_separator"]) == (".", "", ",")
    assert s["hours_per_day"] == 8 and s["weekly_hours"] == 40
    assert s["working_days"] == [1, 2, 3, 4, 5]
    assert "2026-07-04" in s["holidays"] and s["currency"] == "USD"


def test_us_and_fr_settings(server: Any) -> None:
    us, fr = server.settings("us"), server.settings("fr")
    assert (us["date_format"], us["time_format"], us["decimal_separator"]) == (
        "MM/DD/YYYY", "12h", ".")  # fmt: skip
    assert (us["thousands_separator"], us["list_separator"], us["currency"]) == (",", ",", "USD")
    assert (fr["date_format"], fr["time_format"], fr["decimal_separator"]) == (
        "DD/MM/YYYY", "24h", ",")  # fmt: skip
    assert fr["thousands_separator"] in (" ", "\u00a0", "\u202f")
    assert (fr["list_separator"], fr["currency"]) == (";", "EUR")
    assert "2026-07-14" in fr["holidays"]


def test_default_export_is_unchanged(server: Any) -> None:
    text = export(server, "default", ["to", "stime", "hours"], person={"id": 1001})
    header, first = text.splitlines()[:2]
    assert header == "Date,Start time,Hours"
    day, stime, hours = first.split(",")
    assert len(day) == 10 and day[4] == "-" and stime.startswith(day) and len(stime) == 19
    assert "." in hours


def test_us_export_is_american(server: Any) -> None:
    # settings.mdx: date format, 12-hour clock, ',' thousands apply to exports
    text = export(server, "us", ["to", "stime", "hours"], person={"id": 1001})
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Date", "Start time", "Hours"]
    month, _day, year = rows[1][0].split("/")
    assert (year, month) == ("2026", "03")
    assert rows[1][1].startswith(rows[1][0] + " ") and rows[1][1][-2:] in ("AM", "PM")
    total = export(server, "us", ["company", "hours"])
    big = [r[1] for r in csv.reader(io.StringIO(total)) if r[1][:1].isdigit()]
    assert any("," in v for v in big), big  # thousands separator in hours above 999


def test_fr_export_is_french(server: Any) -> None:
    # settings.mdx: ';' list separator, ',' decimals, DD/MM/YYYY, 24 h
    text = export(server, "fr", ["to", "stime", "hours"], person={"id": 1001})
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == ["Date", "Heure de début", "Heures"]
    _day, month, year = rows[1][0].split("/")
    assert (year, month) == ("2026", "03")
    assert rows[1][1].startswith(rows[1][0] + " ") and ":" in rows[1][1]
    assert "," in rows[1][2] and "." not in rows[1][2]
    total = export(server, "fr", ["company", "hours"])
    big = [r[1] for r in list(csv.reader(io.StringIO(total), delimiter=";"))[1:]]
    assert any(server.settings("fr")["thousands_separator"] in v for v in big), big


def test_array_output_keeps_numbers_and_localises_dates(server: Any) -> None:
    rows = export(server, "fr", ["to", "hours"], fmt="array", person={"id": 1001})
    assert rows[0] == ["Date", "Heures"]
    assert isinstance(rows[1][1], float) and rows[1][0].count("/") == 2


def test_set_settings_switches_formats_at_run_time() -> None:
    with sandbox.serve(seed="demo", months=1, export_delay=0.0) as srv:
        srv.set_settings("default", date_format="DD.MM.YYYY", list_separator="|",
                         decimal_separator=",", thousands_separator=".")  # fmt: skip
        assert srv.settings()["date_format"] == "DD.MM.YYYY"
        text = export(srv, "default", ["to", "hours"], **{"from": "2025-12-01", "to": "2025-12-31"})
        head, first = text.splitlines()[:2]
        assert head == "Date|Hours"
        day, hours = first.split("|")
        assert day.count(".") == 2 and day.endswith(".2025") and "," in hours
        assert srv.settings("us")["date_format"] == "MM/DD/YYYY"  # other accounts untouched


@pytest.mark.parametrize(
    "changes",
    [
        {"date_format": "YY-M-D"},
        {"time_format": "13h"},
        {"decimal_separator": ";"},
        {"list_separator": "x"},
        {"hours_per_day": 0},
        {"working_days": [0, 8]},
        {"holidays": ["not a date"]},
        {"colour": "blue"},
        {"decimal_separator": ",", "thousands_separator": ","},
    ],
)
def test_set_settings_refuses_bad_values(server: Any, changes: dict[str, Any]) -> None:
    before = server.settings("us")
    with pytest.raises(ValueError):
        server.set_settings("us", **changes)
    assert server.settings("us") == before


def test_unknown_account_is_refused(server: Any) -> None:
    with pytest.raises(ValueError, match="unknown account"):
        server.settings("xx")
