"""Export parsing (array and CSV, both locales) and bb.export() against the sandbox."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

import beebole_pandas as bb
from beebole_pandas import export_keys
from beebole_pandas.errors import SchemaError, ValidationError
from beebole_pandas.load import parse as xp
from beebole_pandas.load.parse_csv import parse_export_csv
from beebole_pandas.schema import STATUS_LABELS

KEYS = [
    "eventId",
    "stime",
    "personId",
    "person",
    "companyId",
    "hours",
    "status",
    "isAtWork",
    "month",
]


def test_array_rows_are_typed_by_key_position_not_by_label() -> None:
    rows = [
        ["whatever", "labels", "in", "any", "language", "x", "y", "z", "m"],
        [11, "2024-03-01 09:00:00", 5, "Ann", "C-ACME", 7.5, "a", True, "2024-03"],
        [12, "2024-03-02 13:30:00", "E-7", "Bob", 104, 1, "d", False, "2024-03"],
    ]
    frame = xp.parse_export_array(rows, KEYS)
    assert list(frame.columns) == [
        "event_id",
        "stime",
        "person_id",
        "person_xid",
        "person_name",
        "company_id",
        "company_xid",
        "hours",
        "status",
        "is_at_work",
        "month",
    ]
    assert frame["event_id"].dtype == "Int64"
    assert frame["stime"].dtype == np.dtype("datetime64[ns]")
    assert frame["stime"].tolist() == [
        pd.Timestamp("2024-03-01 09:00"),
        pd.Timestamp("2024-03-02 13:30"),
    ]
    assert frame["person_id"].tolist() == [5, pd.NA]
    assert frame["person_xid"].tolist() == [pd.NA, "E-7"]
    assert frame["company_id"].tolist() == [pd.NA, 104]
    assert frame["company_xid"].tolist() == ["C-ACME", pd.NA]
    assert frame["hours"].dtype == "Float64" and frame["hours"].tolist() == [7.5, 1.0]
    assert isinstance(frame["status"].dtype, pd.CategoricalDtype)
    assert frame["is_at_work"].dtype == "boolean"
    assert frame["month"].dtype == "string"


def test_empty_exports_have_the_same_columns_and_dtypes() -> None:
    full = xp.parse_export_array(
        [KEYS, [1, "2024-01-01", 1, "A", 1, 1.0, "d", True, "2024-01"]], KEYS
    )
    for empty in (
        xp.parse_export_array([KEYS], KEYS),
        parse_export_csv("a,b\n", KEYS),
        parse_export_csv("", KEYS),
    ):
        assert len(empty) == 0
        assert empty.dtypes.to_dict() == full.dtypes.to_dict()


def test_a_width_mismatch_is_an_error() -> None:
    with pytest.raises(SchemaError, match="rows of 2 columns but 3 keys"):
        xp.parse_export_array([["a", "b"], [1, 2]], ["hours", "inDays", "cost"])


def test_array_ids_and_xids_are_split_and_other_values_refused() -> None:
    rows = [["Person Id", "Hours"], [12, 1.0], ["E-7", 2.0], [None, 3.0], [7.0, 4.0]]
    frame = xp.parse_export_array(rows, ["personId", "hours"])
    assert frame["person_id"].tolist() == [12, pd.NA, pd.NA, 7]
    assert frame["person_xid"].tolist() == [pd.NA, "E-7", pd.NA, pd.NA]
    for bad in (True, 1.5):
        with pytest.raises(SchemaError, match=f"'personId' holds ids .*{bad}"):
            xp.parse_export_array([["P"], [3], [bad]], ["personId"])


def test_keys_are_checked_against_show_before_any_request() -> None:
    with pytest.raises(ValidationError, match="'absence' is not allowed with show='work'"):
        export_keys.check_keys(["hours", "absence"], "work")
    with pytest.raises(ValidationError, match="repeated: hours"):
        export_keys.check_keys(["hours", "hours"], "all")


def test_the_reference_example_csv_in_french() -> None:
    text = 'Entreprise,Heures\nBranch,"7,000"\nMyCompany,"63,000"\n '
    frame = parse_export_csv(text, ["company", "hours"])
    assert frame["company_name"].tolist() == ["Branch", "MyCompany"]
    assert frame["hours"].tolist() == [7.0, 63.0]


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (['"1 234,500"', '"0,250"'], [1234.5, 0.25]),
        (['"1,234.500"', "0.250"], [1234.5, 0.25]),
        (['"1.234,500"', '"2,000"'], [1234.5, 2.0]),
    ],
)
def test_grouped_thousands_in_csv_numbers(cells: list[str], expected: list[float]) -> None:
    text = "Id,Hours\n" + "".join(f"{i},{c}\n" for i, c in enumerate(cells, 1))
    assert parse_export_csv(text, ["eventId", "hours"])["hours"].tolist() == expected


def test_csv_ids_and_xids_are_split() -> None:
    text = "P,Q\n12,\nE-7,x\n,\n"
    frame = parse_export_csv(text, ["personId", "comment"])
    assert frame["person_id"].tolist() == [12, pd.NA, pd.NA]
    assert frame["person_xid"].tolist() == [pd.NA, "E-7", pd.NA]


def test_csv_comments_keep_line_breaks_quotes_and_commas() -> None:
    # Megabytes of text, so that the parser's blocks end inside quoted line breaks.
    many = "".join(f'{i},"note {i}\nline two, ""quoted""",7.000\n' for i in range(3, 60_000))
    text = 'Id,Comment,Hours\n1,"two\nlines, and ""quotes""",7.000\n2,,1.500\n' + many
    frame = parse_export_csv(text, ["eventId", "comment", "hours"])
    assert frame["comment"].head(2).tolist() == ['two\nlines, and "quotes"', pd.NA]
    assert frame["comment"].iloc[-1] == 'note 59999\nline two, "quoted"'
    assert frame["event_id"].tolist() == list(range(1, 60_000))
    assert frame["hours"].head(2).tolist() == [7.0, 1.5]


def test_a_csv_row_of_the_wrong_width_is_an_error() -> None:
    with pytest.raises(SchemaError, match="does not fit the keys eventId, hours"):
        parse_export_csv("Id,Hours\n1,7.000\n2\n", ["eventId", "hours"])


def test_csv_date_times_in_other_iso_spellings() -> None:
    text = "Start\n2024-03-01T09:30:00.500\n\n2024-03-02 10:00:00\n"
    frame = parse_export_csv(text, ["stime"])
    assert frame["stime"].tolist() == [
        pd.Timestamp("2024-03-01 09:30:00.5"),
        pd.Timestamp("2024-03-02 10:00:00"),
    ]


def test_csv_of_labels_only_blank_lines_and_cut_off_quotes() -> None:
    assert parse_export_csv("Entreprise,Heures", ["company", "hours"]).shape == (0, 2)
    frame = parse_export_csv("Id,H\n1,7.000\n \n2,1.000\n", ["eventId", "hours"])
    assert frame["event_id"].tolist() == [1, 2]
    with pytest.raises(SchemaError, match="cut off"):
        parse_export_csv('Id,H,C\n1,7.000,"half a comm', ["eventId", "hours", "comment"])


@pytest.mark.parametrize(
    ("text", "keys", "message"),
    [
        ("Heures,Id\n7.000,abc\n", ["hours", "eventId"], "export key 'eventId'.*'abc'"),
        ("Id,Statut\n1,\n2,approuvé\n", ["eventId", "status"], "unknown status approuvé"),
        ("D\n9999-12-31\n", ["date"], "export key 'date'.*9999-12-31"),
    ],
)
def test_csv_errors_name_the_key_and_the_value(text: str, keys: list[str], message: str) -> None:
    with pytest.raises(SchemaError, match=message):
        parse_export_csv(text, keys)


def test_csv_status_must_be_a_known_code() -> None:
    with pytest.raises(SchemaError, match="unknown status z"):
        parse_export_csv("S\nz\n", ["status"])


# -- against the sandbox ------------------------------------------------------------------

MONTH = ("2026-10-01", "2026-10-31")


def _store(server: Any) -> Any:
    return server.backend.store


def test_export_array_matches_the_store(demo_server: Any) -> None:
    bb.connect(demo_server.token, url=demo_server.url)
    frame = bb.export(*MONTH, keys=["eventId", "personId", "hours", "status"])
    truth = _store(demo_server).all(
        "SELECT te.id, te.hours, te.status, pe.xid, pe.id AS pid FROM time_entry te "
        "JOIN person pe ON pe.id = te.person WHERE date BETWEEN ? AND ? ORDER BY te.id",
        MONTH,
    )
    assert len(frame) == len(truth) > 0
    frame = frame.sort_values("event_id", ignore_index=True)
    assert frame["event_id"].tolist() == [r["id"] for r in truth]
    assert frame["hours"].tolist() == pytest.approx([r["hours"] for r in truth])
    assert frame["status"].astype(str).tolist() == [STATUS_LABELS[r["status"]] for r in truth]
    assert frame["person_xid"].tolist() == [r["xid"] if r["xid"] else pd.NA for r in truth]
    assert frame["person_id"].tolist() == [pd.NA if r["xid"] else r["pid"] for r in truth]
    # one row per entry, both kinds of person reference
    assert frame["person_xid"].notna().any() and frame["person_id"].notna().any()


def test_export_csv_equals_array_in_both_locales(demo_server: Any) -> None:
    keys = [
        "person",
        "personId",
        "project",
        "projectId",
        "hours",
        "inDays",
        "cost",
        "week",
        "isAtWork",
    ]
    en = bb.connect(demo_server.token, url=demo_server.url, set_default=False)
    fr = bb.connect(demo_server.tokens["admin_fr"], url=demo_server.url, set_default=False)
    array = bb.export(*MONTH, keys=keys, client=en)
    csv_en = bb.export(*MONTH, keys=keys, output="csv", client=en)
    csv_fr = bb.export(*MONTH, keys=keys, output="csv", client=fr)
    assert len(array) > 0
    assert (csv_fr["hours"] % 1 != 0).any()  # decimals really went through the comma
    for frame in (csv_en, csv_fr):
        assert frame.dtypes.to_dict() == array.dtypes.to_dict()
        # CSV numbers carry 3 decimals
        pd.testing.assert_frame_equal(frame, array, check_exact=False, rtol=0, atol=1e-3)


def test_export_filters_status_company_and_groups(demo_server: Any) -> None:
    bb.connect(demo_server.token, url=demo_server.url)
    store = _store(demo_server)
    approved = bb.export(*MONTH, keys=["eventId"], status="approved")
    assert len(approved) == store.scalar(
        "SELECT count(*) FROM time_entry WHERE status='a' AND date BETWEEN ? AND ?", MONTH
    )
    acme = bb.export(*MONTH, keys=["eventId", "companyId"], company="Acme Industries")
    assert len(acme) == store.scalar(
        "SELECT count(*) FROM time_entry WHERE company=103 AND date BETWEEN ? AND ?", MONTH
    )
    assert set(acme["company_xid"]) == {"C-ACME"}
    spain = bb.export(*MONTH, keys=["eventId"], groups="Spain")
    assert len(spain) == store.scalar(
        "SELECT count(*) FROM time_entry te JOIN group_assign ga ON ga.kind='person' "
        "AND ga.eid=te.person JOIN grp g ON g.id=ga.gid WHERE g.name='Spain' "
        "AND te.date BETWEEN ? AND ?",
        MONTH,
    )


def test_export_refuses_two_entity_filters_and_bad_arguments(demo_server: Any) -> None:
    bb.connect(demo_server.token, url=demo_server.url)
    before = demo_server.stats()["requests"]
    with pytest.raises(ValidationError, match=r"at most one entity filter.*company, person"):
        bb.export(*MONTH, keys=["hours"], company=101, person=1001)
    with pytest.raises(ValidationError, match="output='xml'"):
        bb.export(*MONTH, keys=["hours"], output="xml")
    with pytest.raises(ValidationError, match=r"end .* is before start"):
        bb.export("2026-10-31", "2026-10-01", keys=["hours"])
    assert demo_server.stats()["requests"] == before


def test_an_export_with_no_rows_keeps_its_dtypes(demo_server: Any) -> None:
    bb.connect(demo_server.token, url=demo_server.url)
    keys = ["personId", "hours", "stime", "status"]
    empty = bb.export("2001-01-01", "2001-01-31", keys=keys)
    full = bb.export(*MONTH, keys=keys)
    assert len(empty) == 0 < len(full)
    assert empty.dtypes.to_dict() == full.dtypes.to_dict()
    empty_csv = bb.export("2001-01-01", "2001-01-31", keys=keys, output="csv")
    assert empty_csv.dtypes.to_dict() == full.dtypes.to_dict()


# -- export jobs: polling, progress, timeout, cache ------------------------------------------


def test_a_slow_job_is_polled_with_backoff_and_shows_progress(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from beebole_pandas import sandbox

    with sandbox.serve(
        seed="demo", export_delay=1.6, daily_requests=10**6, daily_kb=10**6
    ) as server:
        bb.connect(server.token, url=server.url)
        frame = bb.export(*MONTH, keys=["personId", "hours"])
        polls = server.stats()["by_service"]["time_entry.get_job_info"]
    assert len(frame) > 0
    # 0.2 + 0.32 + 0.51 + 0.82 = 1.85 s: four polls, not one every 0.2 s
    assert 3 <= polls <= 5
    assert "Beebole export job" in capsys.readouterr().err


def test_a_job_that_never_ends_times_out_clearly(monkeypatch: pytest.MonkeyPatch) -> None:
    from beebole_pandas import sandbox
    from beebole_pandas.load import export as export_jobs

    monkeypatch.setattr(export_jobs, "TIMEOUT", 0.5)
    with sandbox.serve(seed="demo", export_delay=30) as server:
        bb.connect(server.token, url=server.url)
        with pytest.raises(bb.TransportError, match=r"job \d+ still running after \d+ s.*TIMEOUT"):
            bb.export(*MONTH, keys=["hours"])


def test_a_cached_export_survives_other_exports_and_serves_offline(demo_server: Any) -> None:
    client = bb.connect(demo_server.token, url=demo_server.url)
    first = bb.export(*MONTH, keys=["personId", "hours"])
    bb.export("2026-09-01", "2026-09-30", keys=["personId", "hours"])
    before = demo_server.stats()["requests"]
    client.offline = True
    again = bb.export(*MONTH, keys=["personId", "hours"])
    assert demo_server.stats()["requests"] == before
    pd.testing.assert_frame_equal(first, again)
    with pytest.raises(bb.OfflineMiss):
        bb.export(*MONTH, keys=["personId", "inDays"])


def test_a_time_entry_write_drops_the_cached_export(fresh_server: Any) -> None:
    client = bb.connect(fresh_server.token, url=fresh_server.url)
    before = bb.time_entries(*MONTH)
    draft = before[before["status"].isin(["draft", "rejected"]).to_numpy(bool)].iloc[0]
    client.call("time_entry.delete", id=int(draft["id"]), date=draft["date"].strftime("%Y-%m-%d"))
    sent = fresh_server.stats()["requests"]
    after = bb.time_entries(*MONTH)
    assert fresh_server.stats()["requests"] > sent
    assert len(after) == len(before) - 1
    assert int(draft["id"]) not in set(after["id"])
