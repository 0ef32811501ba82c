"""Never past the daily limit: claims for parallel jobs, and loads refused
before anything of them is sent (issue 15)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import beebole_pandas as bb
from beebole_pandas.api.budget import Meter
from beebole_pandas.load.estimate import JobEstimate
from beebole_pandas.load.export import run_export


@pytest.fixture(scope="module")
def account() -> Iterator[Any]:
    """150 people, a year of entries, Beebole's real limits on the server."""
    from beebole_pandas import sandbox

    with sandbox.serve(seed="demo", people=150) as server:
        yield server


def _client(server: Any, tmp_path: Path, **kwargs: Any) -> Any:
    return bb.connect(server.token, url=server.url, cache_dir=tmp_path, **kwargs)


def test_claims_never_promise_more_than_the_day(tmp_path: Path) -> None:
    meter = Meter(tmp_path / "budget.sqlite", "acct", daily_kb=100)
    first = meter.claim(nbytes=60 * 1024, requests=3, label="job 1")
    with pytest.raises(
        bb.BudgetExceeded,
        match=r"job 2 not started.*50\.0 KB.*40\.0 KB are free.*60\.0 KB more are claimed",
    ):
        meter.claim(nbytes=50 * 1024, requests=3, label="job 2")
    assert meter.snapshot().bytes_claimed == 60 * 1024
    # A call outside the claim may not spend what the claim holds...
    meter.record(30 * 1024, service="person.list")
    with pytest.raises(bb.BudgetExceeded):
        meter.reserve(service="person.list")
    # ...while the claim's own calls may.
    with meter.holding(first):
        meter.reserve(service="time_entry.get_job_info")
        meter.record(55 * 1024, requests=0)
    assert meter.spent(first) == (1, 55 * 1024)
    assert meter.snapshot().bytes_claimed == 5 * 1024
    meter.release_claim(first)
    assert meter.snapshot().bytes_claimed == 0
    meter.close()


def test_parallel_claims_from_threads_stay_within_the_limit(tmp_path: Path) -> None:
    meter = Meter(tmp_path / "budget.sqlite", "acct", daily_kb=1000)
    granted: list[int] = []
    refused: list[int] = []

    def job(i: int) -> None:
        try:
            meter.claim(nbytes=300 * 1024, label=f"job {i}")
            granted.append(i)
        except bb.BudgetExceeded:
            refused.append(i)

    threads = [threading.Thread(target=job, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(granted) == 3 and len(refused) == 5
    meter.close()


def test_a_load_that_does_not_fit_is_refused_with_nothing_of_it_sent(
    account: Any, tmp_path: Path
) -> None:
    client = _client(account, tmp_path)
    year = ("2025-12-01", "2026-11-30")
    est = bb.time_entries(*year, client=client, dry_run=True)
    assert not est.fits and est.kb > 2048 and est.days > 1
    before = account.stats()
    with pytest.raises(bb.BudgetExceeded) as caught:
        bb.time_entries(*year, client=client)
    after = account.stats()
    assert after["requests"] == before["requests"]  # 0 requests sent
    message = str(caught.value)
    for words in ("KB", "free today", "smaller period", "columns=", "bb.hours", "resume=True"):
        assert words in message
    assert caught.value.details["estimate"].kb == pytest.approx(est.kb)


def test_without_a_dry_run_only_the_probe_is_sent(account: Any, tmp_path: Path) -> None:
    client = _client(account, tmp_path)
    before = account.usage()
    with pytest.raises(bb.BudgetExceeded):
        bb.time_entries("2025-12-01", "2026-11-30", client=client)
    spent = {k: account.usage()[k] - before[k] for k in before}
    assert spent["requests"] <= 5 and spent["bytes"] < 4096  # probe + companies, no entries


def test_parallel_jobs_claim_before_they_start(account: Any, tmp_path: Path) -> None:
    client = _client(account, tmp_path, daily_kb=300)
    params = {"from": "2026-10-01", "to": "2026-10-31", "show": "all", "keys": ["eventId"]}
    results: list[object] = []

    def job(i: int) -> None:
        expected = JobEstimate(f"job {i}", 3, 200 * 1024)
        try:
            results.append(
                run_export(client, {**params, "from": f"2026-10-0{i + 1}"}, expected=expected)
            )
        except bb.BudgetExceeded as exc:
            results.append(exc)

    threads = [threading.Thread(target=job, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(isinstance(r, bb.BudgetExceeded) for r in results) == 1
    assert client.budget.kb_used <= 300


def test_the_meter_and_the_server_agree_on_a_new_day(account: Any, tmp_path: Path) -> None:
    now = [dt.datetime(2026, 12, 6, 12, tzinfo=dt.UTC)]
    client = _client(account, tmp_path, clock=lambda: now[0])
    client.call("company.list")
    assert client.budget.requests_used == 1
    now[0] += dt.timedelta(days=1)
    assert client.budget.requests_used == 0 and client.budget.bytes_claimed == 0


def test_the_monthly_report_pack_for_1000_people_fits_one_day(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 15's target: the report pack of a month for 1,000 people within one
    day's 2,048 KB, at the real limits, counted by the server."""
    from beebole_pandas import cli, sandbox

    with sandbox.serve(seed="demo", people=1000, months=12) as server:  # the real limits
        monkeypatch.setenv("BEEBOLE_TOKEN", server.token)
        monkeypatch.setenv("BEEBOLE_URL", server.url)
        argv = ["--month", "2026-10", "--out", str(tmp_path / "r")]
        code = cli.main("report", [*argv, "--cache-dir", str(tmp_path / "cache")])
        captured = capsys.readouterr()
        spent = server.stats()
        october = server.backend.store.scalar(
            "SELECT sum(hours) FROM time_entry WHERE date BETWEEN '2026-10-01' AND '2026-10-31'"
        )
    assert code == 0, captured.err
    assert (tmp_path / "r" / "report.html").exists()
    assert spent["bytes"] <= 2048 * 1024 and spent["requests"] <= 4000
    assert f"{october:,.1f} hours" in captured.out  # the whole month, not a part of it
    assert spent["bytes"] <= 1024 * 1024  # sums, not entries: half a day at most


def test_the_loading_reports_estimate_first_too(demo_server: Any, tmp_path: Path) -> None:
    from beebole_pandas import reports

    client = _client(demo_server, tmp_path)
    exports = demo_server.stats()["by_service"].get("time_entry.export", 0)
    for estimate in (
        bb.leave_balances("2026", client=client, dry_run=True),
        reports.money("2026-10", by="project", client=client, dry_run=True),
    ):
        assert isinstance(estimate, bb.Estimate) and estimate.kb > 0 and estimate.fits
    # at most the size probes went out, never the loads themselves
    spent = demo_server.stats()["by_service"].get("time_entry.export", 0) - exports
    assert spent <= 2
    money = reports.money("2026-10", by="project", client=client)
    assert len(money) > 0
