"""frames.to_frame / to_payload: the schema's columns and dtypes, ids vs xids,
dates, status, errors, and a property test of the round trip."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from beebole_pandas import frames, schema
from beebole_pandas.errors import SchemaError
from beebole_pandas.frames import to_frame, to_payload

EXPECTED_DTYPES = {
    "Int64": pd.Int64Dtype(),
    "Float64": pd.Float64Dtype(),
    "boolean": pd.BooleanDtype(),
    "string": pd.StringDtype(),
    "datetime64[ns]": np.dtype("datetime64[ns]"),
    "status": pd.CategoricalDtype(list(schema.STATUS_ORDER), ordered=True),
}


def _check_schema(entity: str, frame: pd.DataFrame) -> None:
    spec = schema.entity(entity)
    assert list(frame.columns) == spec.columns
    for column, name in spec.dtypes.items():
        assert frame[column].dtype == EXPECTED_DTYPES[name], (entity, column, frame[column].dtype)


@pytest.mark.parametrize("entity", list(schema.ENTITIES))
def test_empty_frame_has_every_column_with_its_dtype(entity: str) -> None:
    frame = to_frame(entity, [])
    assert len(frame) == 0
    _check_schema(entity, frame)
    assert frame.attrs["beebole"]["entity"] == entity


def test_rows_of_the_reference_examples_fill_every_documented_column() -> None:
    rows = [
        {
            "id": 321,
            "name": "Development",
            "startDate": "2017-10-13",
            "description": "some description ",
            "company": {"id": 233},
            "subprojects": {"count": 2},
            "active": True,
        },
        {"xid": "P-2", "name": "Ops", "company": {"xid": "C1"}, "active": False, "budget": 120},
    ]
    frame = to_frame("project", rows, scope={"company": None})
    _check_schema("project", frame)
    assert frame["id"].tolist() == [321, pd.NA]
    assert frame["xid"].tolist() == [pd.NA, "P-2"]
    assert frame["company_id"].tolist() == [233, pd.NA]
    assert frame["company_xid"].tolist() == [pd.NA, "C1"]
    assert frame["subprojects_count"].tolist() == [2, pd.NA]
    assert frame["start_date"].tolist() == [pd.Timestamp("2017-10-13"), pd.NaT]
    assert frame["budget"].tolist() == [pd.NA, 120.0]
    assert frame["active"].tolist() == [True, False]
    assert frame.attrs["beebole"]["scope"] == {"company": None}


def test_time_entry_dates_status_and_names() -> None:
    rows = [
        {
            "hours": 7.0,
            "status": "d",
            "subproject": {"id": 37, "name": "Analyse", "active": True},
            "task": {"name": "Administration", "xid": "T-ADM", "active": True},
            "id": 500901,
            "date": "2017-09-29",
            "comment": "updated comment",
        },
        {"id": 2, "date": "2017-09-30", "hours": 1, "status": "l", "absence": {"id": 9}},
    ]
    frame = to_frame("time_entry", rows)
    _check_schema("time_entry", frame)
    assert frame["date"].dt.tz is None
    assert frame["date"].tolist() == [pd.Timestamp("2017-09-29"), pd.Timestamp("2017-09-30")]
    assert frame["status"].tolist() == ["draft", "locked"]
    # Ordered like the workflow, so "not yet approved" is a comparison.
    assert frame["status"].cat.ordered and (frame["status"] < "approved").tolist() == [True, False]
    assert frame["subproject_name"].tolist() == ["Analyse", pd.NA]
    assert frame["task_xid"].tolist() == ["T-ADM", pd.NA]
    assert frame["task_id"].isna().all()
    assert frame["hours"].tolist() == [7.0, 1.0]


def test_date_times_keep_their_time_and_stay_naive() -> None:
    values = frames.column_array(["2024-03-01 09:30:00", None, "2024-03-02"], "datetime64[ns]")
    assert values.dtype == np.dtype("datetime64[ns]")
    assert pd.Timestamp(values[0]) == pd.Timestamp("2024-03-01 09:30:00")
    assert pd.isna(values[1])


def test_unknown_status_is_refused_with_the_valid_codes() -> None:
    with pytest.raises(SchemaError, match=r"unknown status x.*draft \(d\), submitted \(s\)"):
        to_frame("time_entry", [{"id": 1, "status": "x"}])


def test_status_codes_and_labels_both_read_as_labels() -> None:
    rows = [{"id": i, "status": s} for i, s in enumerate(["a", "approved", "Locked", "R"])]
    frame = to_frame("time_entry", rows)
    assert frame["status"].tolist() == ["approved", "approved", "locked", "rejected"]


@pytest.mark.parametrize(
    ("row", "column"),
    [
        ({"id": 1, "hours": "lots"}, "hours"),
        ({"id": 1, "date": "yesterday"}, "date"),
        ({"id": "one"}, "id"),
        ({"id": 1, "project": 5}, "project_id"),
        ({"id": 1.5}, "id"),
    ],
)
def test_values_that_do_not_fit_name_their_column(row: dict[str, Any], column: str) -> None:
    with pytest.raises(SchemaError, match=repr(column)):
        to_frame("time_entry", [row])


def test_string_columns_are_arrow_backed_unless_pandas_is_told_otherwise() -> None:
    rows = [{"id": 1, "comment": "a", "person": {"xid": "E1", "name": "Ann"}}, {"id": 2}]
    arrow = to_frame("time_entry", rows)
    for column in ("comment", "person_xid", "person_name", "task_xid"):
        assert isinstance(arrow[column].array, pd.arrays.ArrowStringArray), column
        assert arrow[column].dtype == pd.StringDtype("pyarrow")
    with pd.option_context("mode.string_storage", "python"):
        python = to_frame("time_entry", rows)
        assert python["comment"].dtype == pd.StringDtype("python")
        assert type(python["task_xid"].array) is pd.arrays.StringArray
    assert arrow.astype(object).equals(python.astype(object))


@pytest.mark.parametrize(
    ("values", "dtype", "expected"),
    [
        ([7.0, None, 3], "Int64", [7, pd.NA, 3]),  # whole floats are ids
        ([np.int64(4), pd.NA, float("nan")], "Int64", [4, pd.NA, pd.NA]),
        ([None, None], "Int64", [pd.NA, pd.NA]),
        ([1, 2.5, None], "Float64", [1.0, 2.5, pd.NA]),
        ([10**17], "Float64", [1e17]),  # beyond 2**53: rounded as float() rounds
        ([5, "X-1", None], "string", ["5", "X-1", pd.NA]),
        (["a", None, "approved"], "status", ["approved", np.nan, "approved"]),
        (
            [pd.Timestamp("2024-01-02 08:00"), None],
            "datetime64[ns]",
            [pd.Timestamp("2024-01-02 08:00"), pd.NaT],
        ),
    ],
)
def test_values_off_the_fast_path_convert_like_on_it(
    values: list[Any], dtype: str, expected: list[Any]
) -> None:
    got = pd.Series(frames.column_array(values, dtype, column="c")).tolist()
    assert [None if pd.isna(v) else v for v in got] == [None if pd.isna(v) else v for v in expected]


@pytest.mark.parametrize(
    ("values", "dtype"),
    [
        (["2024-02-30"], "datetime64[ns]"),
        (["2024-01-02", 5], "datetime64[ns]"),
        ([1, 2.5], "Int64"),
        ([2**70], "Int64"),
        ([True, 1], "Int64"),
        ([1, np.True_], "Int64"),
        ([7.5, True], "Float64"),  # refused whatever the order of the rows
        ([True, 7.5], "Float64"),
        (["9999-12-31"], "datetime64[ns]"),  # never wrapped around into 1816
        ([np.datetime64("9999-12-31"), None], "datetime64[ns]"),
        (["d", "zz"], "status"),
    ],
)
def test_values_that_fit_nowhere_are_refused_never_truncated(values: list[Any], dtype: str) -> None:
    with pytest.raises(SchemaError, match=r"'c'|unknown status zz"):
        frames.column_array(values, dtype, column="c")


def test_unknown_entity_lists_the_valid_ones() -> None:
    with pytest.raises(SchemaError, match="valid entities are: company"):
        to_frame("invoice", [])


def test_payload_sends_writable_values_and_refs_by_xid_first() -> None:
    row = {
        "id": 455,
        "xid": pd.NA,
        "name": "Rosa Parks",
        "email": None,
        "user_group": "employee",
        "company_id": 233,
        "company_xid": "C-233",
        "leaders_count": 3,
        "active": np.True_,
    }
    assert to_payload("person", row) == {
        "id": 455,
        "name": "Rosa Parks",
        "userGroup": "employee",
        "active": True,
        "company": {"xid": "C-233"},
    }
    assert "id" not in to_payload("person", row, identity=False)


def test_payload_of_a_time_entry_names_only_its_leaf() -> None:
    frame = to_frame(
        "time_entry",
        [
            {
                "id": 8,
                "date": "2024-05-02",
                "hours": 2.5,
                "status": "d",
                "person": {"id": 3, "name": "Ann"},
                "company": {"id": 1, "name": "Acme"},
                "project": {"xid": "P1", "name": "Web"},
                "subproject": {"id": 5, "name": "Phase 1"},
                "task": {"id": 9, "name": "Dev"},
            }
        ],
    )
    payload = to_payload("time_entry", frame.iloc[0])
    assert payload == {
        "id": 8,
        "date": "2024-05-02",
        "person": {"id": 3},
        "subproject": {"id": 5},
        "task": {"id": 9},
        "hours": 2.5,
    }


def test_payload_refuses_values_of_the_wrong_kind() -> None:
    with pytest.raises(SchemaError, match="'hours'"):
        to_payload("time_entry", {"hours": "eight"})
    with pytest.raises(SchemaError, match="time zones"):
        to_payload("project", {"start_date": pd.Timestamp("2024-01-01", tz="UTC")})


# -- the property: rows -> frame -> payloads -> frame keeps every value ----------------

_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
_XID = st.text("ABCXYZ-0123456789", min_size=1, max_size=8)
_IDS = st.integers(1, 2**53 - 1)
_DATES = st.dates(dt.date(1990, 1, 1), dt.date(2040, 12, 31)).map(dt.date.isoformat)
_DATETIMES = st.datetimes(dt.datetime(1990, 1, 1), dt.datetime(2040, 12, 31)).map(
    lambda d: d.replace(microsecond=0).strftime("%Y-%m-%d %H:%M:%S")
)


def _value(dtype: str) -> st.SearchStrategy[Any]:
    return {
        "Int64": st.integers(-(2**53) + 1, 2**53 - 1),
        "Float64": st.floats(allow_nan=False, allow_infinity=False, width=64),
        "boolean": st.booleans(),
        "string": _TEXT,
        "datetime64[ns]": st.one_of(_DATES, _DATETIMES),
        "status": st.sampled_from(schema.STATUS_CODES),
    }[dtype]


def _ref() -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of(st.builds(lambda i: {"id": i}, _IDS), st.builds(lambda x: {"xid": x}, _XID))


@st.composite
def _rows(draw: st.DrawFn, entity: str) -> dict[str, Any]:
    """A valid API row: identity by id or xid, references by id or xid, values or nulls."""
    spec = schema.entity(entity)
    row: dict[str, Any] = {}
    if "xid" in spec.columns and draw(st.booleans()):
        row["xid"] = draw(_XID)
    else:
        row["id"] = draw(_IDS)
    refs = sorted({f.ref for f in spec.fields if f.ref})
    if entity == "time_entry":  # logged on exactly one target
        target = draw(st.sampled_from(schema.TIME_ENTRY_TARGETS))
        refs = [r for r in refs if r not in schema.TIME_ENTRY_TARGETS or r == target]
    for ref in refs:
        if draw(st.booleans()):
            row[ref] = draw(_ref())
    for f in spec.fields:
        if f.ref or f.column in ("id", "xid") or not f.writable:
            continue
        value = draw(st.one_of(st.none(), _value(f.dtype)))
        if value is not None:
            row[f.path] = value
    return row


def _normal(value: Any, dtype: str) -> Any:
    if dtype == "datetime64[ns]":
        return pd.Timestamp(value)
    return value


@pytest.mark.parametrize("entity", [e for e in schema.ENTITIES if schema.entity(e).writable])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_rows_survive_frame_and_payload_round_trip(entity: str, data: st.DataObject) -> None:
    rows = data.draw(st.lists(_rows(entity), max_size=6), label="rows")
    frame = to_frame(entity, rows)
    payloads = [to_payload(entity, frame.iloc[i]) for i in range(len(frame))]
    spec = schema.entity(entity)
    for row, payload in zip(rows, payloads, strict=True):
        assert set(payload) == set(row)
        for key, value in row.items():
            field = next((f for f in spec.fields if f.path == key or f.ref == key), None)
            if field is None or field.ref:
                assert payload[key] == value
            else:
                assert _normal(payload[key], field.dtype) == _normal(value, field.dtype)
    again = to_frame(entity, payloads)
    pd.testing.assert_frame_equal(again, frame)
