"""``bb.doctor()`` and ``python -m beebole_pandas doctor`` on the sandbox's accounts.

The doctor is read-only, spends at most 15 requests and 100 KB (counted by
the server: ``server.stats()``), passes on every account of the sandbox in
both modes, says clearly what fails when the account writes a format the
parser cannot read, and records answers with pseudonyms that
:func:`beebole_pandas.recording.read_recording` types again.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import beebole_pandas as bb
from beebole_pandas import schema
from beebole_pandas.selfcheck import EXPORT_KEYS, MAX_KB, MAX_REQUESTS, format_table, read_recording

RECORDINGS = Path(__file__).parent / "data" / "doctor-recordings"
PERIOD = ("2026-10-01", "2026-10-31")


@pytest.fixture(scope="module", params=[False, True], ids=["default", "literal"])
def server(request: pytest.FixtureRequest) -> Iterator[Any]:
    from beebole_pandas import sandbox

    with sandbox.serve(seed="demo", literal=request.param, export_delay=0.05) as srv:
        yield srv


def run(srv: Any, account: str, **options: Any) -> tuple[pd.DataFrame, dict[str, Any]]:
    fmt = options.pop("export_format", None)
    bb.connect(srv.tokens[account], url=srv.url, export_format=fmt)
    srv.reset_stats()
    table = bb.doctor(period=PERIOD, **options)
    return table, srv.stats()


@pytest.mark.parametrize("account", ["default", "us", "fr"])
def test_the_doctor_passes_on_every_account_within_its_allowance(server: Any, account: str) -> None:
    table, stats = run(server, account)
    assert list(table.columns) == ["check", "status", "result", "action"]
    assert set(table["status"]) <= {"ok"}, format_table(table)
    assert stats["requests"] <= MAX_REQUESTS and stats["bytes"] <= MAX_KB * 1024
    assert sum(stats["by_service"].values()) == stats["requests"]
    # read-only: nothing but reads and the export job
    assert all(s.rpartition(".")[2] in ("list", "tree", "export", "get_job_info")
               for s in stats["by_service"]), stats["by_service"]  # fmt: skip
    spent = table.attrs["beebole_doctor"]
    assert spent["requests"] == stats["requests"]
    expected = {"default": "YYYY-MM-DD", "us": "MM/DD/YYYY", "fr": "DD/MM/YYYY"}[account]
    assert spent["export_format"].date == expected
    checks = dict(zip(table["check"], table["result"], strict=True))
    assert checks["export dates"].startswith(expected)
    assert checks["caller's role"].startswith("administrator")
    if server.literal:
        assert "no 'status' member" in checks["answer of group.tree"]
        assert "missing members: budget, hourlyRate" in checks["answer of project.list"]


def test_a_user_who_may_not_export_gets_warnings_not_failures(server: Any) -> None:
    table, stats = run(server, "employee")
    assert "failed" not in set(table["status"])
    role = table[table["check"] == "caller's role"].iloc[0]
    assert role["status"] == "warning" and "exports are refused" in role["result"]
    assert stats["requests"] <= MAX_REQUESTS


def test_a_refused_token_is_one_failed_line(server: Any) -> None:
    bb.connect("f" * 40, url=server.url, retries=0)
    server.reset_stats()
    table = bb.doctor(period=PERIOD)
    assert table.iloc[0]["check"] == "token and API access" and table.iloc[0]["status"] == "failed"
    assert "token was refused" in table.iloc[0]["result"]
    assert server.stats()["requests"] == 1


def test_no_budget_left_means_no_request(server: Any) -> None:
    bb.connect(server.token, url=server.url, daily_requests=10)
    server.reset_stats()
    table = bb.doctor(period=PERIOD)
    assert table["check"].tolist() == ["budget"] and table["status"].tolist() == ["failed"]
    assert server.stats()["requests"] == 0


def test_a_format_the_parser_cannot_read_is_a_clear_failed_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from beebole_pandas import sandbox
    from beebole_pandas.sandbox import accounts

    # settings.mdx lets an account choose its date format; one the package
    # does not know ("3 Oct 2026") must fail the doctor's export check, saying so.
    monkeypatch.setitem(accounts.DATE_FORMATS, "D MMM YYYY", "%d %b %Y")
    with sandbox.serve(seed="demo", export_delay=0.05) as srv:
        srv.set_settings("us", date_format="D MMM YYYY")
        table, _ = run(srv, "us")
    failed = table[table["status"] == "failed"]
    assert failed["check"].tolist() == ["export formats"], format_table(table)
    line = failed.iloc[0]
    assert "export key 'to'" in line["result"] and "Oct 2026'" in line["result"]
    assert "is not a date the package reads" in line["result"]
    assert "cannot be read" in line["action"]


def test_a_client_format_the_account_contradicts_is_a_failed_line(server: Any) -> None:
    table, _ = run(server, "us", export_format="DD/MM/YYYY")
    failed = table[table["status"] == "failed"]
    assert failed["check"].tolist() == ["export formats"]
    assert "is not a DD/MM/YYYY date, the format set on the client" in failed.iloc[0]["result"]


def test_recorded_answers_are_pseudonymous_and_parse_again(server: Any, tmp_path: Path) -> None:
    run(server, "fr", record=tmp_path)
    files = sorted(p.name for p in tmp_path.iterdir())
    assert "doctor.json" in files and "01-company.list.json" in files
    text = "".join(p.read_text(encoding="utf-8") for p in tmp_path.iterdir())
    for token in server.tokens.values():
        assert token not in text
    store = server.backend.store
    people = store.conn.execute("SELECT name, email FROM person").fetchall()
    companies = store.conn.execute("SELECT name FROM company").fetchall()
    for name, *email in [*people, *companies]:
        assert f'"{name}"' not in text
        assert not email or not email[0] or email[0] not in text
    frames = read_recording(tmp_path)
    exports = [f for name, f in frames.items() if "get_job_info" in name]
    assert len(exports) == 2 and exports[0].equals(exports[1]) and len(exports[0]) > 10
    assert list(exports[0].columns) == ["to", "stime", "hours", "status"]
    lists = {name.split("-", 1)[1]: f for name, f in frames.items() if "get_job_info" not in name}
    assert len(lists["company.list"]) > 0 and len(lists["person.list"]) > 0
    for service, frame in lists.items():
        entity = next(e for e in schema.ENTITIES.values() if e.list_service == service)
        assert list(frame.columns) == entity.columns


def test_bb_doctor_stays_the_function_after_imports(server: Any) -> None:
    import beebole_pandas.selfcheck

    bb.connect(server.token, url=server.url)
    assert bb.doctor is beebole_pandas.selfcheck.doctor
    assert bb.doctor(period=PERIOD)["status"].eq("ok").all()


def test_the_command_line_prints_the_table_and_records(
    server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from beebole_pandas.__main__ import main

    monkeypatch.setenv("BEEBOLE_TOKEN", server.tokens["us"])
    monkeypatch.setenv("BEEBOLE_URL", server.url)
    server.reset_stats()
    assert main(["doctor", "--record", str(tmp_path / "rec")]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["check", "status", "result", "action"]
    assert "export dates" in out and "MM/DD/YYYY" in out and "requests" in out
    assert server.stats()["requests"] <= MAX_REQUESTS
    assert (tmp_path / "rec" / "doctor.json").exists()
    monkeypatch.delenv("BEEBOLE_TOKEN")
    assert main(["doctor"]) == 2
    assert "BEEBOLE_TOKEN" in capsys.readouterr().err


@pytest.mark.parametrize(
    "folder", sorted(RECORDINGS.glob("*/")) if RECORDINGS.exists() else [], ids=lambda p: p.name
)
def test_recordings_in_tests_data_parse(folder: Path) -> None:
    # Users attach `doctor --record` folders to bug reports; each one dropped in
    # tests/data/doctor-recordings/ is parsed here like the loaders parse answers.
    frames = read_recording(folder)
    assert frames
    for name, frame in frames.items():
        service = name.split("-", 1)[1]
        if service == "time_entry.get_job_info":
            assert list(frame.columns) == EXPORT_KEYS
            assert frame["to"].notna().all() and frame["hours"].notna().all()
        else:
            entity = next(e for e in schema.ENTITIES.values() if e.list_service == service)
            assert list(frame.columns) == entity.columns
