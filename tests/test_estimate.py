"""Know the cost first: dry_run estimates within 20% of what the load spends,
on three account sizes; columns= sends fewer keys; names from the entity lists."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import beebole_pandas as bb
from beebole_pandas.load import parse as export_parse
from beebole_pandas.load.export import run_export

MONTH = ("2026-10-01", "2026-10-31")
#: Three account sizes and periods the estimates are checked on.
SIZES = [(50, MONTH), (150, ("2026-05-01", "2026-07-31")), (400, MONTH)]


def _client(server: Any, tmp_path: Path) -> Any:
    return bb.connect(
        server.token, url=server.url, cache_dir=tmp_path, daily_requests=10**9, daily_kb=10**9
    )


@pytest.mark.parametrize(("people", "period"), SIZES)
def test_the_estimate_is_within_20_percent_of_the_load(
    people: int, period: tuple[str, str], tmp_path: Path
) -> None:
    from beebole_pandas import sandbox

    with sandbox.serve(seed="demo", people=people, daily_requests=10**9, daily_kb=10**9) as server:
        client = _client(server, tmp_path)
        est = bb.time_entries(*period, client=client, dry_run=True)
        assert isinstance(est, bb.Estimate) and est.fits
        before = server.stats()
        frame = bb.time_entries(*period, client=client)
        after = server.stats()
    kb = (after["bytes"] - before["bytes"]) / 1024
    requests = after["requests"] - before["requests"]
    assert est.kb == pytest.approx(kb, rel=0.2), est.frame()
    assert est.requests == pytest.approx(requests, rel=0.2)
    assert est.rows == pytest.approx(len(frame), rel=0.2)


@pytest.mark.parametrize(("people", "period"), SIZES)
def test_the_estimate_of_sums_is_within_20_percent_of_the_load(
    people: int, period: tuple[str, str], tmp_path: Path
) -> None:
    """bb.hours by what the report pack reads: an aggregated export and the lists
    that name it, on an account never seen before (no figure learned yet)."""
    from beebole_pandas import sandbox
    from beebole_pandas.reports import PACK_BY

    with sandbox.serve(seed="demo", people=people, daily_requests=10**9, daily_kb=10**9) as server:
        client = _client(server, tmp_path)
        est = bb.hours(*period, by=list(PACK_BY), client=client, dry_run=True)
        before = server.stats()
        frame = bb.hours(*period, by=list(PACK_BY), client=client)
        after = server.stats()
    kb = (after["bytes"] - before["bytes"]) / 1024
    requests = after["requests"] - before["requests"]
    assert est.kb == pytest.approx(kb, rel=0.2), est.frame()
    assert est.requests == pytest.approx(requests, rel=0.2)
    assert len(frame) > 0


def test_names_from_the_lists_give_the_frame_of_the_names_export(
    demo_server: Any, tmp_path: Path
) -> None:
    client = _client(demo_server, tmp_path)
    params = {"from": MONTH[0], "to": MONTH[1], "show": "all", "outputFormat": "array"}
    ids, names = (
        export_parse.parse_export(run_export(client, {**params, "keys": list(keys)}), keys)
        for keys in (export_parse.TIME_ENTRY_ID_KEYS, export_parse.TIME_ENTRY_NAME_KEYS)
    )
    old = export_parse.export_to_time_entries(ids, names)
    old = old.sort_values(["date", "id"], kind="stable", ignore_index=True)
    before = demo_server.stats()["by_service"].get("time_entry.export", 0)
    new = bb.time_entries(*MONTH, client=client)
    jobs = demo_server.stats()["by_service"]["time_entry.export"] - before
    assert jobs == 2  # the probe and the entries: no names export
    pd.testing.assert_frame_equal(old, new)


def test_columns_send_only_the_keys_they_need(demo_server: Any, tmp_path: Path) -> None:
    client = _client(demo_server, tmp_path)
    full = bb.time_entries(*MONTH, client=client)
    columns = ["id", "date", "person_id", "person_xid", "hours"]
    before = demo_server.stats()["bytes"]
    some = bb.time_entries(*MONTH, columns=columns, client=client)
    spent = demo_server.stats()["bytes"] - before
    assert list(some.columns) == columns
    pd.testing.assert_frame_equal(some, full[columns])
    assert spent < 0.6 * len(full) * 58  # a full row is about 58 bytes of CSV
    with pytest.raises(bb.ValidationError, match="not a time-entry column"):
        bb.time_entries(*MONTH, columns=["nope"], client=client)


def test_estimate_adds_up_loads_and_entity_loaders_have_dry_run(
    demo_server: Any, tmp_path: Path
) -> None:
    client = _client(demo_server, tmp_path)
    before = demo_server.stats()["by_service"]
    people = bb.people(client=client, dry_run=True)
    assert isinstance(people, bb.Estimate) and people.requests > 0
    assert demo_server.stats()["by_service"].get("person.list", 0) == before.get("person.list", 0)
    total = bb.estimate(
        [
            bb.time_entries(*MONTH, client=client, dry_run=True),
            functools.partial(bb.hours, *MONTH, client=client),
            people,
        ],
        client=client,
    )
    assert total.kb > people.kb and total.fits
    assert "requests" in repr(total) and "<table" in total._repr_html_()
    bb.people(client=client)
    assert bb.people(client=client, dry_run=True).kb == 0  # cached: free


def test_export_dry_run_and_refusal(demo_server: Any, tmp_path: Path) -> None:
    client = bb.connect(demo_server.token, url=demo_server.url, cache_dir=tmp_path, daily_kb=5)
    est = bb.export(*MONTH, keys=["eventId", "hours"], client=client, dry_run=True)
    assert est.kb > 5 and not est.fits
    before = demo_server.stats()["requests"]
    with pytest.raises(bb.BudgetExceeded, match="Nothing of it was sent"):
        bb.export(*MONTH, keys=["eventId", "hours"], client=client)
    assert demo_server.stats()["requests"] == before
