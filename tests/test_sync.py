"""Resume across days: bb.sync / time_entries(resume=True) with Beebole's real
limits on the sandbox, over successive sandbox days (server.advance_day())."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import beebole_pandas as bb

YEAR = ("2025-12-01", "2026-11-30")
CLOSED = ("2025-12-01", "2026-05-31")  # all approved or locked in the demo seed


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "data"
    monkeypatch.setenv("BEEBOLE_DATA_DIR", str(folder))
    return folder


def _same_frame(a: pd.DataFrame, b: pd.DataFrame) -> None:
    """assert_frame_equal, fast when equal: 340,000 rows take it 15 s a frame."""
    if not (a.equals(b) and a.columns.equals(b.columns) and a.dtypes.equals(b.dtypes)):
        pd.testing.assert_frame_equal(a, b)  # to say where they differ
        raise AssertionError("the frames differ")  # in something assert_frame_equal allows


def test_a_year_completes_over_days_never_over_the_limit(data_dir: Path, tmp_path: Path) -> None:
    """Issue 15: 12 months of the 1,000-person account (about 18.7 MB, 9 days of
    budget) over successive sandbox days at the real limits."""
    from beebole_pandas import sandbox

    now = [dt.datetime(2026, 12, 6, 9, tzinfo=dt.UTC)]
    with sandbox.serve(seed="demo", people=1000) as server:  # 2,048 KB and 4,000 requests a day
        client = bb.connect(
            server.token, url=server.url, cache_dir=tmp_path / "cache", clock=lambda: now[0]
        )
        with pytest.raises(bb.BudgetExceeded):
            bb.time_entries(*YEAR, client=client)  # does not fit one day
        reports = []
        for _day in range(14):
            report = bb.sync(*YEAR, client=client)
            reports.append(report)
            used = server.usage()
            assert used["bytes"] <= 2048 * 1024 and used["requests"] <= 4000
            assert client.budget.kb_used <= 2048
            if report.complete:
                break
            assert "go on after" in repr(report)
            with pytest.raises(bb.BudgetExceeded, match="not complete yet"):
                bb.time_entries(*YEAR, client=client, resume=True)
            server.advance_day()
            now[0] += dt.timedelta(days=1)
        assert report.complete and len(reports) >= 10  # 18.7 MB at 2,048 KB a day
        stored = report.frame()
        # One unlimited load of the same year, by another client.
        server.quota.daily_kb = 10**9
        whole = bb.time_entries(
            *YEAR,
            client=bb.connect(
                server.token, url=server.url, cache_dir=tmp_path / "other",
                daily_kb=10**9, set_default=False,
            ),
        )  # fmt: skip
        _same_frame(stored, whole)
        _same_frame(bb.time_entries(*YEAR, client=client, resume=True), whole)
        assert list(data_dir.glob("*/time_entries/*/*.parquet"))
        # A second sync: closed chunks are never fetched; open ones only with refresh.
        before = server.stats()["requests"]
        again = bb.sync(*YEAR, client=client)
        assert server.stats()["requests"] == before and again.complete
        states = {c.state for c in again.chunks}
        assert states == {"closed", "stored"}
        # Refreshing the open months (about 9 MB here) takes days too: what fits today.
        server.advance_day()
        now[0] += dt.timedelta(days=1)
        refreshed = bb.sync(*YEAR, client=client, refresh=True)
        states = {c.state for c in refreshed.chunks}
        assert states <= {"closed", "fetched", "left"} and "fetched" in states
        assert {c.first for c in refreshed.chunks if c.state == "closed"} == {
            c.first for c in again.chunks if c.state == "closed"
        }
        assert server.usage()["bytes"] <= 2048 * 1024


def test_a_second_sync_of_closed_periods_costs_no_request(
    data_dir: Path, demo_server: Any, tmp_path: Path
) -> None:
    client = bb.connect(demo_server.token, url=demo_server.url, cache_dir=tmp_path)
    first = bb.sync(*CLOSED, client=client)
    assert first.complete and {c.state for c in first.chunks} == {"fetched"}
    before = demo_server.stats()["requests"]
    second = bb.sync(*CLOSED, client=client, refresh=True)
    assert demo_server.stats()["requests"] == before
    assert {c.state for c in second.chunks} == {"closed"}
    pd.testing.assert_frame_equal(second.frame(), bb.time_entries(*CLOSED, client=client))
    est = bb.sync(*CLOSED, client=client, dry_run=True)
    assert est.kb == 0


def test_columns_have_their_own_store(data_dir: Path, demo_server: Any, tmp_path: Path) -> None:
    client = bb.connect(demo_server.token, url=demo_server.url, cache_dir=tmp_path)
    columns = ["id", "date", "person_key", "hours", "status"]
    frame = bb.time_entries("2026-01-01", "2026-02-28", columns=columns, client=client, resume=True)
    assert list(frame.columns) == columns
    full = bb.time_entries("2026-01-01", "2026-02-28", client=client)
    pd.testing.assert_frame_equal(frame, full[columns])


def test_stored_pieces_and_gaps_of_a_month() -> None:
    from beebole_pandas.load.store import _stored

    manifest = {
        "a": {"first": "2026-01-01", "last": "2026-01-15", "closed": True, "rows": 3},
        "b": {"first": "2026-01-01", "last": "2026-01-31", "closed": False, "rows": 9},
        "c": {"first": "2026-01-20", "last": "2026-01-25", "closed": False, "rows": 1},
    }
    chunks = _stored(manifest, "2026-01-01", "2026-01-31", refresh=False)
    assert [(c.first, c.last, c.state) for c in chunks] == [
        ("2026-01-01", "2026-01-15", "closed"),
        ("2026-01-16", "2026-01-19", "left"),
        ("2026-01-20", "2026-01-25", "stored"),
        ("2026-01-26", "2026-01-31", "left"),
    ]
    assert [c.state for c in _stored({}, "2026-02-01", "2026-02-28", refresh=True)] == ["left"]


def test_each_day_is_filled_not_only_with_whole_months(data_dir: Path, tmp_path: Path) -> None:
    """With a day of 400 KB and months of about 240 KB, a day takes a month and the
    first days of the next that fit (sized by the estimate), never over the limit."""
    from beebole_pandas import sandbox

    half_year = ("2026-01-01", "2026-06-30")
    now = [dt.datetime(2026, 12, 6, 9, tzinfo=dt.UTC)]
    with sandbox.serve(seed="demo", people=150, daily_kb=400) as server:
        client = bb.connect(
            server.token, url=server.url, cache_dir=tmp_path / "cache", daily_kb=400,
            clock=lambda: now[0], set_default=False,
        )  # fmt: skip
        spent = []
        for _day in range(12):
            report = bb.sync(*half_year, client=client)
            spent.append(server.usage()["bytes"] / 1024)
            assert spent[-1] <= 400
            if report.complete:
                break
            server.advance_day()
            now[0] += dt.timedelta(days=1)
        assert report.complete
        assert all(kb >= 0.9 * 400 for kb in spent[:-1]), spent
        # Whole months only would take a day each: six.
        assert len(spent) <= 5, spent
        pieces = [(c.first, c.last) for c in report.chunks]
        assert any(first[8:] != "01" for first, _ in pieces), pieces  # cut inside a month
        server.quota.daily_kb = 10**9
        whole = bb.time_entries(
            *half_year,
            client=bb.connect(
                server.token, url=server.url, cache_dir=tmp_path / "other",
                daily_kb=10**9, set_default=False,
            ),
        )  # fmt: skip
        pd.testing.assert_frame_equal(report.frame(), whole)
