"""Export parsing in every localisation an account may have (settings.mdx, "Localization").

The date format (YYYY-MM-DD, DD/MM/YYYY, MM/DD/YYYY, other separators), the
12/24-hour clock, the decimal and thousands separators and the list
separator "apply to reports and exports" (help/legacy/settings.mdx); an
export "wraps the in-app export module" (help/legacy/api/time-export.mdx).
The parser reads them all, in CSV and array output, and never guesses an
ambiguous date silently. The entry's date is the ``to`` column ("Date: the
date of the time entry", help/legacy/reporting.mdx), never ``stime``.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pandas as pd
import pytest

import beebole_pandas as bb
from beebole_pandas.api.formats import ExportFormat
from beebole_pandas.errors import SchemaError, ValidationError
from beebole_pandas.load import parse as xp
from beebole_pandas.load.dates import read_dates
from beebole_pandas.load.localised import number_style, read_numbers
from beebole_pandas.load.parse_csv import parse_export_csv

KEYS = ["eventId", "to", "stime", "hours", "cost", "status"]
#: The rows every format below writes: (id, date, start, hours, cost, status).
TRUTH = [
    (1, "2026-10-03", "2026-10-03 09:05:00", 7.5, 1234.5, "a"),
    (2, "2026-10-13", "2026-10-13 14:30:00", 0.25, 0.0, "d"),
    (3, "2026-10-31", "2026-10-31 00:15:00", 12.0, 1234567.125, "s"),
]
DATES = {
    "YYYY-MM-DD": "%Y-%m-%d",
    "DD/MM/YYYY": "%d/%m/%Y",
    "MM/DD/YYYY": "%m/%d/%Y",
    "DD.MM.YYYY": "%d.%m.%Y",
    "DD-MM-YYYY": "%d-%m-%Y",
    "YYYY/MM/DD": "%Y/%m/%d",
}
#: (decimal, thousands) pairs Beebole's settings allow.
NUMBERS = [
    (".", ""),
    (".", ","),
    (",", "."),
    (",", " "),
    (",", "\u00a0"),
    (",", "\u202f"),
    (".", "'"),
]


def _number(value: float, decimal: str, thousands: str) -> str:
    text = f"{value:,.3f}"
    return text.replace(",", "\0").replace(".", decimal).replace("\0", thousands)


def _time(moment: pd.Timestamp, clock: str) -> str:
    if clock == "12h":
        hour = moment.hour % 12 or 12
        return f"{hour}:{moment.minute:02d} {'AM' if moment.hour < 12 else 'PM'}"
    return f"{moment.hour:02d}:{moment.minute:02d}"


def written(date: str, clock: str, decimal: str, thousands: str) -> list[list[Any]]:
    """The TRUTH rows as an account with these settings writes them (labels first)."""
    rows: list[list[Any]] = [["Id", "Date", "Start", "Hours", "Cost", "Status"]]
    for event, day, start, hours, cost, status in TRUTH:
        moment = pd.Timestamp(start)
        rows.append(
            [
                event,
                pd.Timestamp(day).strftime(DATES[date]),
                f"{moment.strftime(DATES[date])} {_time(moment, clock)}",
                _number(hours, decimal, thousands),
                _number(cost, decimal, thousands),
                status,
            ]
        )
    return rows


def as_csv(rows: list[list[Any]], sep: str) -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=sep, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def check(frame: pd.DataFrame) -> None:
    truth = xp.parse_export_array([KEYS, *(list(r) for r in TRUTH)], KEYS)
    # 24-hour and 12-hour clocks show minutes, not seconds: the truth has none.
    pd.testing.assert_frame_equal(frame, truth, check_exact=False)
    assert frame.dtypes.equals(truth.dtypes)


@pytest.mark.parametrize("date", list(DATES))
@pytest.mark.parametrize("clock", ["24h", "12h"])
def test_every_date_format_and_clock_in_csv_and_array(date: str, clock: str) -> None:
    rows = written(date, clock, ".", "")
    check(xp.parse_export_array(rows, KEYS))
    check(parse_export_csv(as_csv(rows, ","), KEYS))


@pytest.mark.parametrize(("decimal", "thousands"), NUMBERS)
@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_every_number_format_and_list_separator(decimal: str, thousands: str, sep: str) -> None:
    rows = written("DD/MM/YYYY", "24h", decimal, thousands)
    frame = parse_export_csv(as_csv(rows, sep), KEYS)
    check(frame)
    found = frame.attrs["beebole_format"]
    assert (found.decimal, found.list_separator, found.date) == (decimal, sep, "DD/MM/YYYY")
    if thousands:
        assert found.thousands == thousands
    check(xp.parse_export_array(rows, KEYS))


def test_the_reference_example_and_the_found_format_is_kept() -> None:
    # time-export.mdx: "Entreprise,Heures\nBranch,\"7,000\"\nMyCompany,\"63,000\"\n ..."
    frame = parse_export_csv(
        'Entreprise,Heures\nBranch,"7,000"\nMyCompany,"63,000"\n ', ["company", "hours"]
    )
    assert frame["hours"].tolist() == [7.0, 63.0]
    assert frame.attrs["beebole_format"] == ExportFormat(decimal=",", list_separator=",")


AMBIGUOUS = [["Date", "Hours"], ["03/04/2026", "1.000"], ["05/04/2026", "2.000"]]


def test_an_ambiguous_date_is_an_error_that_says_how_to_set_the_format() -> None:
    with pytest.raises(SchemaError) as caught:
        xp.parse_export_array(AMBIGUOUS, ["to", "hours"])
    message = str(caught.value)
    for words in ("'03/04/2026'", "DD/MM/YYYY", "MM/DD/YYYY", "nothing in the export decides",
                  "export_format="):  # fmt: skip
        assert words in message
    with pytest.raises(SchemaError, match="both readings fit the period"):
        xp.parse_export_array(AMBIGUOUS, ["to", "hours"], period=("2026-01-01", "2026-12-31"))
    with pytest.raises(SchemaError, match="neither reading fits the period"):
        xp.parse_export_array(AMBIGUOUS, ["to", "hours"], period=("2026-03-01", "2026-03-31"))


@pytest.mark.parametrize(
    ("how", "day"),
    [
        ({"export_format": "DD/MM/YYYY"}, "2026-04-03"),
        ({"export_format": ExportFormat(date="MM/DD/YYYY")}, "2026-03-04"),
        ({"period": ("2026-04-01", "2026-04-30")}, "2026-04-03"),  # only DD/MM fits April
        ({"period": ("2026-03-01", "2026-03-31")}, "2026-03-04"),
    ],
)
def test_an_ambiguous_date_is_decided_by_the_format_or_the_period(how: Any, day: str) -> None:
    frame = xp.parse_export_array(AMBIGUOUS[:2], ["to", "hours"], **how)
    assert frame["to"].iloc[0] == pd.Timestamp(day)
    text = "Date,Hours\n03/04/2026,1.000\n"
    assert parse_export_csv(text, ["to", "hours"], **how)["to"].iloc[0] == pd.Timestamp(day)


def test_a_day_above_twelve_anywhere_in_the_export_decides() -> None:
    # the 'to' column alone is ambiguous; the stime column's 13/04 is not
    rows = [["D", "S"], ["03/04/2026", "03/04/2026 09:00"], ["04/04/2026", "13/04/2026 10:00"]]
    frame = xp.parse_export_array(rows, ["to", "stime"])
    assert frame["to"].tolist() == [pd.Timestamp("2026-04-03"), pd.Timestamp("2026-04-04")]
    assert frame.attrs["beebole_format"].date == "DD/MM/YYYY"
    # a day equal to its month reads the same either way
    same = xp.parse_export_array([["D"], ["04/04/2026"], ["11/11/2026"]], ["to"])
    assert same["to"].tolist() == [pd.Timestamp("2026-04-04"), pd.Timestamp("2026-11-11")]


def test_dates_that_contradict_the_format_or_each_other_are_errors() -> None:
    with pytest.raises(SchemaError, match=r"'04/13/2026' is not a DD/MM/YYYY date"):
        xp.parse_export_array([["D"], ["04/13/2026"]], ["to"], export_format="DD/MM/YYYY")
    with pytest.raises(SchemaError, match="not in one format"):
        xp.parse_export_array([["D"], ["13/04/2026"], ["04/13/2026"]], ["to"])
    with pytest.raises(SchemaError, match="names no day of the calendar"):
        xp.parse_export_array([["D"], ["31/02/2026"], ["13/01/2026"]], ["to"])


@pytest.mark.parametrize("bad", ["3 Oct 2026", "2026-10", "25:00", "13:00 PM", "yesterday"])
def test_an_unreadable_date_names_the_key_and_the_value(bad: str) -> None:
    with pytest.raises(SchemaError, match=rf"export key 'stime': '{bad}'"):
        xp.parse_export_array([["S"], [bad]], ["stime"])


def test_twelve_hour_times_around_noon_and_midnight() -> None:
    cells = ["12:05 AM", "12:00 PM", "1:30 pm", "11:59 p.m.", "9:15"]
    out, fmt = read_dates({"to": ["2026-10-01"] * 5, "stime": cells})
    assert [str(t)[11:16] for t in out["stime"]] == ["00:05", "12:00", "13:30", "23:59", "09:15"]
    assert fmt.time == "12h"


def test_times_alone_are_placed_on_the_entry_date_never_the_reverse() -> None:
    rows: list[list[Any]] = [
        ["D", "S", "E"],
        ["13/10/2026", "2:30 PM", "4:00 PM"],
        ["14/10/2026", None, None],
    ]
    frame = xp.parse_export_array(rows, ["to", "stime", "etime"])
    assert frame["stime"].tolist()[0] == pd.Timestamp("2026-10-13 14:30")
    assert pd.isna(frame["stime"].iloc[1]) and frame["to"].iloc[1] == pd.Timestamp("2026-10-14")
    with pytest.raises(SchemaError, match="add the key 'to'"):
        xp.parse_export_array([["S"], ["2:30 PM"]], ["stime"])


def test_the_entry_date_comes_from_to_not_from_stime() -> None:
    # reporting.mdx: "Time Start: the start time of a time entry (when using the daily view)"
    keys = list(xp.TIME_ENTRY_KEYS)
    assert "to" in keys and "stime" not in keys
    row = {k: None for k in keys} | {"eventId": 9, "to": "2026-10-13", "hours": 1.0, "status": "d"}
    frame = xp.parse_export_array([keys, [row[k] for k in keys]], keys)
    entries = xp.export_to_time_entries(frame)
    assert entries["date"].tolist() == [pd.Timestamp("2026-10-13")]
    stime_only = xp.parse_export_array(
        [["I", "S"], [9, "2026-10-12 23:00:00"]], ["eventId", "stime"]
    )
    with pytest.raises(SchemaError, match="no 'to' column"):
        xp.export_to_time_entries(stime_only)


@pytest.mark.parametrize(
    ("cells", "numbers", "decimal", "thousands"),
    [
        (["1 234,5", "7,000"], [1234.5, 7.0], ",", " "),
        (["1.234.567", "2,5"], [1234567.0, 2.5], ",", "."),
        (["1,234,567.5"], [1234567.5], ".", ","),
        (["1'234.50 CHF", "-0.5"], [1234.5, -0.5], ".", "'"),
        (["€1,234.00", "12.5%"], [1234.0, 12.5], ".", ","),
        (["7:30", "-0:15", "8,5"], [7.5, -0.25, 8.5], ",", None),
        (["\u22121,5"], [-1.5], ",", None),
    ],
)
def test_numbers_in_every_spelling(
    cells: list[str], numbers: list[float], decimal: str, thousands: str | None
) -> None:
    out, fmt = read_numbers({"cost": cells})
    assert out["cost"].tolist() == numbers
    assert (fmt.decimal, fmt.thousands) == (decimal, thousands)


def test_numbers_that_do_not_fit_the_separators_are_errors() -> None:
    with pytest.raises(SchemaError, match=r"'7,5' is not a number with the decimal separator '\.'"):
        read_numbers({"hours": ["7,5"]}, export_format=ExportFormat(decimal="."))
    with pytest.raises(SchemaError, match=r"both ',' and '\.' as the decimal separator"):
        number_style(["1,234.5", "1.234,5"])
    with pytest.raises(SchemaError, match="'seven'"):
        read_numbers({"hours": ["seven"]})


def test_booleans_in_words() -> None:
    frame = xp.parse_export_array([["A"], ["Oui"], ["false"], [None], [True]], ["isAtWork"])
    assert frame["is_at_work"].tolist() == [True, False, pd.NA, True]
    with pytest.raises(SchemaError, match="expected true/false, got maybe"):
        parse_export_csv("A\nmaybe\n", ["isAtWork"])


def test_the_export_format_setting_is_checked_and_named() -> None:
    assert ExportFormat.of("dd.mm.yyyy").date == "DD/MM/YYYY"
    assert ExportFormat.of({"time": "12", "list_separator": ";"}).time == "12h"
    for bad, words in [
        ("YY-M-D", "valid formats are 'YYYY-MM-DD', 'DD/MM/YYYY', 'MM/DD/YYYY'"),
        ({"decimal": ";"}, "export decimal ';' is not one of '.', ','"),
        ({"colour": "blue"}, "no setting 'colour'"),
        ({"decimal": ",", "thousands": ","}, "they must differ"),
        (12, "must be an ExportFormat"),
    ]:
        with pytest.raises(ValidationError, match=words):
            ExportFormat.of(bad)


# -- against the sandbox: every setting, both outputs -----------------------------------------

PERIOD = ("2026-10-01", "2026-10-31")
SANDBOX_KEYS = [
    "eventId",
    "to",
    "stime",
    "etime",
    "personId",
    "hours",
    "cost",
    "status",
    "isAtWork",
]
SETTINGS = [
    {"date_format": d, "time_format": t, "decimal_separator": dec,
     "thousands_separator": th, "list_separator": sep}
    for d, t, (dec, th), sep in [
        ("DD/MM/YYYY", "24h", (",", "\u202f"), ";"),
        ("MM/DD/YYYY", "12h", (".", ","), ","),
        ("DD.MM.YYYY", "24h", (",", "."), "\t"),
        ("YYYY/MM/DD", "12h", (".", "'"), "|"),
        ("DD-MM-YYYY", "12h", (",", " "), ","),
    ]
]  # fmt: skip


@pytest.fixture(scope="module")
def literal_server() -> Any:
    from beebole_pandas import sandbox

    with sandbox.serve(seed="demo", literal=True, daily_requests=10**6, daily_kb=10**6,
                       export_delay=0.0) as server:  # fmt: skip
        yield server


def _export(server: Any, account: str, output: str, **connect: Any) -> pd.DataFrame:
    client = bb.connect(server.tokens[account], url=server.url, cache=False, **connect)
    try:
        return bb.export(*PERIOD, keys=SANDBOX_KEYS, output=output, client=client)
    finally:
        client.close()


def test_literal_exports_of_the_three_accounts_give_one_frame(literal_server: Any) -> None:
    base = _export(literal_server, "default", "array")
    assert len(base) > 100
    for account in ("default", "us", "fr"):
        for output in ("array", "csv"):
            frame = _export(literal_server, account, output)
            pd.testing.assert_frame_equal(frame, base, check_exact=False)


@pytest.mark.parametrize("settings", SETTINGS, ids=lambda s: s["date_format"])
def test_sandbox_switched_to_each_setting_gives_the_same_frame(
    literal_server: Any, settings: dict[str, Any]
) -> None:
    base = _export(literal_server, "us", "array")
    before = literal_server.settings("us")
    literal_server.set_settings("us", **settings)
    try:
        for output in ("array", "csv"):
            frame = _export(literal_server, "us", output)
            pd.testing.assert_frame_equal(frame, base, check_exact=False)
        short, result = _export_short(literal_server)  # 1 to 12 October: no day above 12
        assert short["to"].between(pd.Timestamp("2026-10-01"), pd.Timestamp("2026-10-12")).all()
        if settings["date_format"][:2] in ("DD", "MM"):
            with pytest.raises(SchemaError, match="nothing in the export decides"):
                xp.parse_export(result, ["to", "hours"])
        by_period = xp.parse_export(result, ["to", "hours"], period=("2026-10-01", "2026-10-12"))
        pd.testing.assert_frame_equal(by_period, short)
    finally:
        keep = {k: before[k] for k in settings}
        literal_server.set_settings("us", **keep)


def _export_short(server: Any) -> tuple[pd.DataFrame, Any]:
    """An export of days 1 to 12 read with the account's format, and its raw result."""
    client = bb.connect(server.tokens["us"], url=server.url, cache=False)
    try:
        fmt = ExportFormat.of(server.settings("us")["date_format"])
        rows = client.call("time_entry.export", **{"from": "2026-10-01", "to": "2026-10-12"},
                           keys=["to", "hours"], outputFormat="array")  # fmt: skip
        job = rows["job"]
        for _ in range(100):
            info = client.call("time_entry.get_job_info", id=job["id"], outputFormat="array")
            if info["job"].get("status") == "done":
                break
        result = info["job"]["result"]
        return xp.parse_export(result, ["to", "hours"], export_format=fmt), result
    finally:
        client.close()


# -- week numbers (reporting.mdx: "Week: the week number") -----------------------------------


def test_week_numbers_become_their_mondays_in_the_period() -> None:
    from beebole_pandas.load.parse import parse_export_array

    rows = [["Week", "Hours"], [45, 7.5], ["46", 8.0], ["W1", 1.0], [None, 2.0]]
    frame = parse_export_array(rows, ["week", "hours"], period=("2026-11-01", "2027-01-10"))
    assert frame["week"].tolist()[:3] == [
        pd.Timestamp("2026-11-02"),
        pd.Timestamp("2026-11-09"),
        pd.Timestamp("2027-01-04"),
    ]
    assert pd.isna(frame["week"].iloc[3])


@pytest.mark.parametrize(
    ("week", "period", "message"),
    [
        ("45", ("2025-11-01", "2026-11-30"), "meets the period in several years"),
        ("20", ("2026-11-01", "2026-11-30"), "no ISO 8601 week of the period"),
    ],
)
def test_a_week_number_that_names_no_single_week_is_refused(
    week: str, period: tuple[str, str], message: str
) -> None:
    from beebole_pandas.load.parse import parse_export_array

    with pytest.raises(SchemaError, match=message):
        parse_export_array([["Week"], [week]], ["week"], period=period)
