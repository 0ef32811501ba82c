"""The client takes the answers the reference documents, not only the sandbox's.

help/legacy/api.mdx ("Response") says answers carry ``status``; yet four of its
own examples show the data alone: custom_field.list (api/custom-field.mdx),
group.tree (api/group.mdx), time_entry.get_entities and time_entry.get_tasks
(api/time.mdx). Members that no documented example shows (projects'
``budget``, ``hourlyRate``) may be absent; ids may come as text; an account
may add members the package does not know.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest

import beebole_pandas as bb
from beebole_pandas import schema
from beebole_pandas.api.answers import decode_answer, is_ok
from beebole_pandas.api.formats import ExportFormat
from beebole_pandas.errors import NotFound, ValidationError


class _Response:
    def __init__(self, body: Any, status: int = 200) -> None:
        self.content = json.dumps(body).encode()
        self.status_code = status
        self.url = "https://beebole-apps.com/api/v2"
        self.headers = {"Content-Type": "application/json"}


def _decode(body: Any, status: int = 200) -> dict[str, Any]:
    return decode_answer("group.tree", _Response(body, status), scrub=str)


def test_an_answer_with_data_and_no_status_is_ok() -> None:
    # group.mdx: {"groups": [{"id": 4521, "name": "Country", "groups": [...]}]}
    body = {"groups": [{"id": 4521, "name": "Country", "groups": [{"id": 4787, "name": "US"}]}]}
    assert _decode(body) == body
    assert is_ok({"status": "OK", "x": 1}) and is_ok({})


@pytest.mark.parametrize(
    ("body", "error", "words"),
    [
        ({"message": "Invalid service request"}, ValidationError, "Invalid service request"),
        ({"status": "error", "message": "group 9 not found"}, NotFound, "group 9 not found"),
        ({"status": "error"}, ValidationError, "without a message"),
        ({"status": "weird", "groups": []}, ValidationError, "without a message"),
    ],
)
def test_an_answer_is_an_error_when_it_says_so(body: Any, error: type, words: str) -> None:
    with pytest.raises(error, match=words):
        _decode(body)


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[Any, Any]]:
    from beebole_pandas import sandbox

    with (
        sandbox.serve(seed="demo", daily_requests=10**6, daily_kb=10**6) as default,
        sandbox.serve(seed="demo", literal=True, daily_requests=10**6, daily_kb=10**6) as literal,
    ):
        yield default, literal


def test_status_less_answers_are_loaded_and_cached(servers: tuple[Any, Any]) -> None:
    _, literal = servers
    client = bb.connect(literal.token, url=literal.url)
    raw = client.call("group.tree", refresh=True)
    assert "status" not in raw and raw["groups"]  # the documented shape, as it came
    literal.reset_stats()
    assert len(bb.groups()) > 3  # from the cache: the answer was kept, status added
    assert literal.stats()["requests"] == 0
    assert len(bb.custom_fields()) > 1 and len(bb.custom_fields()) > 1
    assert literal.stats()["requests"] == 1
    for service in ("time_entry.get_entities", "time_entry.get_tasks"):
        answer = client.call(service, company={"id": 101}, date="2026-10-01")
        assert "status" not in answer


LOADERS = {
    "company": "companies",
    "person": "people",
    "project": "projects",
    "subproject": "subprojects",
    "task": "tasks",
    "absence": "absences",
    "group": "groups",
    "custom_field": "custom_fields",
}
ENTITIES = list(LOADERS)


@pytest.mark.parametrize("account", ["default", "us", "fr"])
def test_literal_answers_give_the_same_frames_with_missing_members_as_na(
    servers: tuple[Any, Any], account: str
) -> None:
    default, literal = servers
    with (
        bb.connect(default.tokens[account], url=default.url, set_default=False) as full,
        bb.connect(literal.tokens[account], url=literal.url, set_default=False) as strict,
    ):
        for entity in ENTITIES:
            loader = getattr(bb, LOADERS[entity])
            mine, documented = loader(client=full), loader(client=strict)
            assert list(documented.columns) == schema.entity(entity).columns
            assert documented.dtypes.equals(mine.dtypes), entity
            absent = [
                c
                for c in documented.columns
                if documented[c].isna().all() and not mine[c].isna().all()
            ]
            # only members no documented example shows are absent (README, "What Beebole's
            # own documentation adds"): companies' corporate, projects' budget and rate
            assert set(absent) <= {"corporate", "budget", "hourly_rate", "description",
                                   "start_date", "leaders_count", "user_group"}, (entity, absent)  # fmt: skip
            shown = [c for c in documented.columns if c not in absent]
            pd.testing.assert_frame_equal(documented[shown], mine[shown], check_like=False)


def test_unknown_members_are_ignored_and_ids_as_text_are_read() -> None:
    class Fake:
        export_format = ExportFormat()

        def call(self, service: str, /, **params: Any) -> dict[str, Any]:
            assert service == "company.list"
            return {
                "companies": [
                    {"id": "12", "name": "Acme", "vatNumber": "FR123", "projects": {"count": "3"}},
                    {"xid": "C-1", "name": "Beta", "colour": "blue"},
                ]
            }

    frame = bb.companies(client=Fake())
    assert list(frame.columns) == schema.entity("company").columns
    assert frame["id"].tolist() == [12, pd.NA] and frame["id"].dtype == "Int64"
    assert frame["projects_count"].tolist() == [3, pd.NA]
    assert frame["key"].tolist() == ["12", "C-1"]
    assert frame["corporate"].isna().all() and frame["corporate"].dtype == "boolean"


def test_numeric_ids_sent_as_text_name_the_entity(servers: tuple[Any, Any]) -> None:
    _, literal = servers
    bb.connect(literal.token, url=literal.url)
    by_text = bb.projects(company="101")
    by_number = bb.projects(company=101)
    pd.testing.assert_frame_equal(by_text.reset_index(drop=True), by_number.reset_index(drop=True))
    assert len(by_text) > 0


def test_time_entries_are_the_same_on_every_account_and_mode(servers: tuple[Any, Any]) -> None:
    default, literal = servers
    month = ("2026-10-01", "2026-10-31")
    frames = []
    for server in (default, literal):
        for account in ("default", "us", "fr"):
            with bb.connect(server.tokens[account], url=server.url, set_default=False) as client:
                frames.append(bb.time_entries(*month, client=client))
    base = frames[0]
    assert len(base) > 100 and base["date"].between(*map(pd.Timestamp, month)).all()
    for frame in frames[1:]:
        pd.testing.assert_frame_equal(frame, base)


def test_the_client_carries_the_account_format() -> None:
    client = bb.connect("x" * 40, url="http://127.0.0.1:9/api/v2", export_format="DD/MM/YYYY")
    assert client.export_format == ExportFormat(date="DD/MM/YYYY")
    client.export_format = {"decimal": ",", "list_separator": ";"}
    assert client.export_format.decimal == ","
    with pytest.raises(ValidationError, match="valid formats are"):
        client.export_format = "YYYY.DD.MM"
    with pytest.raises(ValidationError, match="valid formats are"):
        bb.connect("x" * 40, url="http://127.0.0.1:9/api/v2", export_format="D/M/Y")
