"""The budget meter against the sandbox: it counts what really crossed the network."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import beebole_pandas as bb
from beebole_pandas.api.budget import Budget, Meter


def usage(server: Any, role: str = "admin") -> dict[str, int]:
    return dict(server.usage(role))


def ref(entity: dict[str, Any]) -> dict[str, Any]:
    """How the API addresses an entity: by xid when it has one, else by id."""
    return {"xid": entity["xid"]} if "xid" in entity else {"id": entity["id"]}


class Clock:
    """A settable UTC clock for the meter."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def test_meter_equals_the_server_after_a_mixed_session(fresh_server: Any) -> None:
    client = bb.connect(fresh_server.token, url=fresh_server.url, retries=2, backoff=0.01)
    companies = client.call("company.list")["companies"]
    client.call("company.list")  # hit
    company = ref(next(c for c in companies if c["corporate"]))
    projects = client.call("project.list", company=company)["projects"]
    client.call("project.list", company=company)  # hit
    client.call("project.list", company=company, refresh=True)  # network
    with pytest.raises(bb.NotFound):
        client.call("company.get", id=999_999)  # status error: network, not cached
    client.call("project.update", project={**ref(projects[0]), "name": "Renamed by the meter test"})
    client.call("project.list", company=company)  # invalidated: network
    fresh_server.inject("http500", times=1, services=["person.list"])
    client.call("person.list", company=company)  # a 500 then a retry: two network calls
    client.call("person.list", company=company)  # hit

    quota = usage(fresh_server)
    counts = fresh_server.stats()
    budget = client.budget
    assert budget.requests_used == quota["requests"] == counts["requests"] == 8
    assert budget.bytes_used == quota["bytes"] == counts["bytes"]
    assert budget.kb_used == pytest.approx(counts["bytes"] / 1024)
    assert budget.requests_left == 4000 - 8
    assert budget.kb_left == pytest.approx(2048 - counts["bytes"] / 1024)


def test_meter_survives_a_new_client_and_resets_on_a_new_day(fresh_server: Any) -> None:
    clock = Clock(datetime(2026, 3, 10, 23, 59, tzinfo=UTC))
    first = bb.Client(fresh_server.token, url=fresh_server.url, clock=clock)
    first.call("company.list")
    first.call("company.list", refresh=True)
    assert first.budget.requests_used == 2
    assert first.budget.resets_at == datetime(2026, 3, 11, tzinfo=UTC)
    first.close()

    # same UTC day, new client (a kernel restart): the count continues
    second = bb.Client(fresh_server.token, url=fresh_server.url, clock=clock)
    assert second.budget.requests_used == 2
    second.call("company.list", refresh=True)
    assert second.budget.requests_used == 3
    assert second.budget.requests_used == usage(fresh_server)["requests"]

    # midnight UTC: a new day on both sides starts from zero
    clock.now += timedelta(minutes=2)
    fresh_server.advance_day()
    assert second.budget.requests_used == 0 and second.budget.bytes_used == 0
    assert second.budget.day == "2026-03-11"
    second.call("company.list", refresh=True)
    assert second.budget.requests_used == 1 == usage(fresh_server)["requests"]
    second.close()

    # another account's count is its own
    other = bb.Client(fresh_server.tokens["employee"], url=fresh_server.url, clock=clock)
    assert other.budget.requests_used == 0
    other.close()


def test_budget_exceeded_is_refused_locally(fresh_server: Any) -> None:
    client = bb.connect(fresh_server.token, url=fresh_server.url, daily_requests=3)
    client.call("company.list")
    client.call("custom_field.list")
    client.call("group.tree")
    before = fresh_server.stats()["requests"]
    with pytest.raises(bb.BudgetExceeded) as refused:
        client.call("company.list", refresh=True)
    message = str(refused.value)
    assert "company.list" in message and "3/3 requests" in message
    assert "allow_over_budget=True" in message and "resets" in message
    assert refused.value.service == "company.list"
    assert fresh_server.stats()["requests"] == before  # nothing was sent
    # cached reads still work, they cost nothing
    assert client.call("group.tree")["status"] == "ok"
    # writes are refused too
    with pytest.raises(bb.BudgetExceeded):
        client.call("company.create", company={"name": "Over budget Ltd"})
    # the caller may explicitly go over
    client.call("company.list", refresh=True, allow_over_budget=True)
    assert fresh_server.stats()["requests"] == before + 1
    assert client.budget.requests_used == 4
    assert client.budget.requests_left == 0


def test_kb_budget_is_refused_locally(fresh_server: Any) -> None:
    client = bb.connect(fresh_server.token, url=fresh_server.url, daily_kb=0.05)  # 51 bytes
    client.call("company.list")  # the call that crosses the limit is answered
    assert client.budget.kb_used > 0.05
    with pytest.raises(bb.BudgetExceeded, match="KB"):
        client.call("group.tree")


def test_a_call_whose_answer_would_pass_the_kb_limit_is_refused_before_sending(
    fresh_server: Any, tmp_path: Path
) -> None:
    # The KB limit counts bytes received: waiting for the day to be spent lets
    # the last answer carry it past the limit. A call is refused when the size
    # of its service's last answer would not fit in what is left.
    probe = bb.Client(fresh_server.token, url=fresh_server.url, cache_dir=tmp_path)
    probe.call("company.list")
    size = probe.budget.bytes_used
    probe.close()
    assert size > 500
    limit_kb = 2.5 * size / 1024  # room for two more answers of that size, not three
    client = bb.Client(
        fresh_server.token, url=fresh_server.url, cache_dir=tmp_path, daily_kb=limit_kb
    )
    client.call("company.list", refresh=True)
    before = fresh_server.stats()["requests"]
    with pytest.raises(
        bb.BudgetExceeded, match=r"company\.list not sent: its answer is expected to be about"
    ):
        client.call("company.list", refresh=True)
    assert fresh_server.stats()["requests"] == before  # nothing sent
    budget = client.budget
    assert not budget.exhausted and budget.bytes_used == 2 * size <= limit_kb * 1024
    # the cached answer still serves a plain read, and a small call still fits
    assert client.call("company.list")["companies"]
    client.call("absence.list", company={"id": 101})
    # the caller may explicitly go over
    client.call("company.list", refresh=True, allow_over_budget=True)
    assert client.budget.bytes_used > limit_kb * 1024
    client.close()


def test_a_big_export_does_not_refuse_the_next_small_one(fresh_server: Any, tmp_path: Path) -> None:
    # A job's status is a few bytes while it runs and the whole export once it
    # is done: its last size predicts nothing, so it is left out of the estimate.
    month = ("2026-10-01", "2026-10-31")
    keys = ["eventId", "stime", "personId", "person", "project", "hours", "comment"]
    big = bb.Client(fresh_server.token, url=fresh_server.url, cache_dir=tmp_path)
    bb.export(*month, keys=keys, client=big)
    used = big.budget.bytes_used
    big.close()
    assert used > 50_000
    room_kb = (used + 20_000) / 1024  # room for a small export, not for the big one again
    client = bb.Client(
        fresh_server.token, url=fresh_server.url, cache_dir=tmp_path, daily_kb=room_kb
    )
    hours = bb.export(*month, keys=["hours"], client=client)
    assert len(hours) == 1 and hours["hours"].iloc[0] > 0
    assert client.budget.bytes_used < room_kb * 1024
    client.close()


def test_warning_at_80_percent(fresh_server: Any, caplog: pytest.LogCaptureFixture) -> None:
    client = bb.connect(fresh_server.token, url=fresh_server.url, daily_requests=5)
    with caplog.at_level(logging.WARNING, logger="beebole_pandas"):
        for _ in range(3):
            client.call("company.list", refresh=True)
        assert not [r for r in caplog.records if "budget" in r.getMessage()]
        client.call("company.list", refresh=True)  # 4/5 = 80%
        warnings = [r for r in caplog.records if "budget" in r.getMessage()]
        assert len(warnings) == 1 and "80%" in warnings[0].getMessage()
        assert "4/5 requests" in warnings[0].getMessage()
        client.call("company.list", refresh=True)  # 5/5: no second warning for the same threshold
        assert len([r for r in caplog.records if "budget" in r.getMessage()]) == 1
        # a new client (a restarted kernel) says at once where the day stands
        bb.Client(fresh_server.token, url=fresh_server.url, daily_requests=5).close()
        last = [r for r in caplog.records if "budget" in r.getMessage()][-1].getMessage()
        assert len([r for r in caplog.records if "budget" in r.getMessage()]) == 2
        assert "5/5 requests" in last


def test_server_quota_maps_to_quota_exceeded() -> None:
    from beebole_pandas import sandbox

    with sandbox.serve(seed="demo", daily_requests=2) as server:
        client = bb.connect(server.token, url=server.url)
        client.call("company.list")
        client.call("group.tree")
        with pytest.raises(bb.QuotaExceeded) as spent:
            client.call("custom_field.list")
        message = str(spent.value)
        assert "custom_field.list" in message
        assert "Daily request limit of 2 reached" in message  # the server's words
        assert "offline=True" in message  # what to do
        assert spent.value.http_status == 429
        # the refusal went over the network: the meter counts it, the server's quota doesn't
        assert client.budget.requests_used == 3
        assert usage(server)["requests"] == 2


def test_budget_display(tmp_path: Path) -> None:
    clock = Clock(datetime(2026, 5, 1, 12, tzinfo=UTC))
    meter = Meter(tmp_path / "budget.sqlite", "abc123", daily_requests=10, daily_kb=4, clock=clock)
    meter.record(3 * 1024)
    budget = meter.snapshot()
    assert isinstance(budget, Budget)
    assert (budget.requests_used, budget.requests_left) == (1, 9)
    assert (budget.kb_used, budget.kb_left) == (3.0, 1.0)
    assert budget.fraction_used == pytest.approx(0.75)
    text = repr(budget)
    assert "abc123" in text and "1/10 requests" in text and "3.0/4 KB" in text
    assert "2026-05-02 00:00 UTC" in text
    html = budget._repr_html_()
    assert "<table>" in html and "9 left" in html
    with pytest.raises(ValueError, match="daily limits"):
        Meter(tmp_path / "budget.sqlite", "x", daily_requests=0)
    with pytest.raises(ValueError, match="timezone-aware"):
        Meter(tmp_path / "b2.sqlite", "x", clock=lambda: datetime(2026, 1, 1)).snapshot()
    meter.close()


def test_concurrent_calls_never_pass_the_daily_limit(fresh_server: Any) -> None:
    import threading

    client = bb.Client(fresh_server.token, url=fresh_server.url, daily_requests=2, cache=False)
    refused: list[bb.BudgetExceeded] = []

    def call() -> None:
        try:
            client.call("company.get", xid="C-ACME")
        except bb.BudgetExceeded as exc:
            refused.append(exc)
        except bb.NotFound:
            pass  # an answer all the same: it counts

    threads = [threading.Thread(target=call) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert usage(fresh_server)["requests"] == 2 == client.budget.requests_used
    assert len(refused) == 14
    assert "company.get not sent: today's budget is spent (2/2 requests" in str(refused[0])
    client.close()


def test_a_reset_before_any_answer_costs_nothing_on_both_sides(fresh_server: Any) -> None:
    client = bb.Client(fresh_server.token, url=fresh_server.url, retries=0)
    fresh_server.inject("reset", times=1)
    with pytest.raises(bb.TransportError, match=r"company\.list: the connection .* failed"):
        client.call("company.list")
    assert fresh_server.stats()["faults"]["reset"] == 1
    assert client.budget.requests_used == usage(fresh_server)["requests"] == 0
    # a request handled and then dropped (closed cleanly, no answer) is counted
    # on both sides: the meter never trails the server
    fresh_server.inject("lost_response", times=1)
    with pytest.raises(bb.TransportError):
        client.call("company.list")
    assert client.budget.requests_used == usage(fresh_server)["requests"] == 1
    client.call("company.list")
    assert client.budget.requests_used == usage(fresh_server)["requests"] == 2
    client.close()
