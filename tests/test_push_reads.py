"""What a plan of time entries reads: only what its rows need (issue 15).

A plan of rows spread over many people reads those rows (one
``time_entry.get`` each) instead of everyone's entries around their dates,
when that weighs less; the safety rules hold on that path too: a re-run
after a failure never duplicates nor loses anything, a moved entry is found
where it was, an unknown person is named, and answers that do not name the
person (the reference's shape) are read by person instead.
"""

from __future__ import annotations

import random
from typing import Any

import pandas as pd
import pytest
from push_support import push_until_ok, writes

import beebole_pandas as bb
from beebole_pandas.writeback import push as bp
from beebole_pandas.writeback import time_state

MONTH = ("2026-11-01", "2026-11-30")
EDITABLE = ("draft", "submitted", "rejected")


@pytest.fixture
def client(fresh_server: Any) -> Any:
    return bb.connect(fresh_server.token, url=fresh_server.url, backoff=0.01)


@pytest.fixture
def always_weigh(monkeypatch: pytest.MonkeyPatch) -> None:
    """Weigh gets against lists even for small frames (the rule, not its threshold)."""
    monkeypatch.setattr(time_state, "GETS_ABOVE", 0)


def spread(entries: pd.DataFrame, n: int, seed: int = 1) -> pd.DataFrame:
    """``n`` editable entries, one per person at most where possible, at random."""
    editable = entries[entries["status"].isin(EDITABLE)]
    firsts = editable.groupby(editable["person_id"].fillna(-1), sort=False).head(1)
    pick = random.Random(seed).sample(sorted(firsts.index), min(n, len(firsts)))
    return entries.loc[sorted(pick)].copy()


def test_rows_spread_over_many_people_are_read_one_get_each(fresh_server, client, monkeypatch):
    month = bb.time_entries(*MONTH, client=client)
    rows = month[month["status"].isin(EDITABLE)]
    frame = rows.loc[random.Random(3).sample(sorted(rows.index), 100)].sort_index().copy()
    assert frame["person_id"].fillna(-1).nunique() > 30
    frame["hours"] = frame["hours"] + 0.25
    bb.people(client=client)
    fresh_server.reset_stats()
    plan = bp.plan(frame, client=client)
    after = fresh_server.stats()
    assert plan["action"].eq("update").all()
    assert plan.reads == after["requests"]
    assert after["by_service"].get("time_entry.get", 0) > 80
    assert "time_entry.export" not in after["by_service"]
    # Read around the dates instead (the rule before): everyone's entries of the month.
    monkeypatch.setattr(time_state, "GETS_ABOVE", float("inf"))
    fresh_server.reset_stats()
    around = bp.plan(frame, client=client)
    before = fresh_server.stats()
    assert "time_entry.get" not in before["by_service"]
    assert after["bytes"] < 0.6 * before["bytes"], (after["bytes"], before["bytes"])
    pd.testing.assert_frame_equal(plan, around)


def test_a_few_people_and_all_their_rows_are_still_listed(fresh_server, client, always_weigh):
    week = bb.time_entries("2026-11-02", "2026-11-06", person=[1002, 1004], client=client)
    assert len(week) > 6
    fresh_server.reset_stats()
    assert set(bp.plan(week, client=client)["action"]) == {"unchanged"}
    # A list per person weighs less than a get per entry.
    assert set(fresh_server.stats()["by_service"]) == {"time_entry.list"}


def test_edits_moves_and_creations_converge_under_faults(fresh_server, client, always_weigh):
    month = bb.time_entries(*MONTH, client=client)
    frame = spread(month, 12)
    assert len(frame) == 12 and frame["person_id"].nunique() >= 10
    frame["hours"] = [0.5 + 0.25 * i for i in range(12)]
    moved_date, moved_person = frame.index[0], frame.index[1]
    old_date = frame.loc[moved_date, "date"]
    frame.loc[moved_date, "date"] = old_date + pd.Timedelta(days=1)
    others = month["person_id"].dropna().unique()
    new_person = next(p for p in others if p not in set(frame["person_id"].dropna()))
    frame.loc[moved_person, "person_id"] = new_person
    # The name too: a name left as it was would move the entry back on the next push.
    names = month.drop_duplicates("person_id").set_index("person_id")["person_name"]
    frame.loc[moved_person, "person_name"] = names[new_person]
    # Two new entries for a person read by get, one for a person of no other row.
    template = frame.loc[[frame.index[2], frame.index[2], frame.index[3]]].copy()
    template["id"] = pd.array([None] * 3, dtype="Int64")
    template["comment"] = pd.array([f"reads test {i}" for i in range(3)], dtype="string")
    template["hours"] = [1.0, 2.0, 3.0]
    frame = pd.concat([frame, template], ignore_index=True)
    frame.attrs = month.attrs  # loaded for the month: a moved entry is looked for there

    fresh_server.reset_stats()
    plan = bp.plan(frame, client=client)
    assert plan["action"].value_counts().to_dict() == {"update": 12, "create": 3}
    assert "time_entry.get" in fresh_server.stats()["by_service"]
    assert plan.loc[0, "changes"].startswith("date: ")
    assert "person: " in plan.loc[1, "changes"]

    result, failures = push_until_ok(fresh_server, frame, client, "lost_response", seed=11)
    assert result.ok and failures > 0  # answers were lost, and pushes failed
    # Once more with other faults, on the rows as they now are (the created ones by id).
    frame = (
        bb.time_entries(*MONTH, client=client, refresh=True)
        .set_index("id")
        .loc[[*frame["id"].dropna(), *result.with_ids(frame)["id"].iloc[-3:]]]
        .reset_index()
    )
    frame["hours"] = frame["hours"] + 0.25
    frame.attrs = month.attrs
    result, failures = push_until_ok(fresh_server, frame, client, "http500", seed=5)
    assert result.ok and failures > 0
    after = bb.time_entries(*MONTH, client=client, refresh=True)
    assert len(after) == len(month) + 3  # nothing duplicated, nothing lost
    landed = after.set_index("id")
    edited = frame[frame["id"].notna()].set_index("id")
    assert landed.loc[edited.index, "hours"].tolist() == edited["hours"].tolist()
    assert landed.loc[edited.index, "date"].tolist() == edited["date"].tolist()
    assert landed.loc[edited.index, "person_id"].tolist() == edited["person_id"].tolist()
    created = after[after["comment"].fillna("").str.startswith("reads test")]
    assert sorted(created["hours"]) == [1.25, 2.25, 3.25]
    fresh_server.reset_stats()
    last = bp.plan(frame, client=client)
    assert set(last["action"]) == {"unchanged"}
    assert writes(fresh_server) == {}


def test_an_unknown_person_is_named_on_the_get_path(fresh_server, client, always_weigh):
    frame = spread(bb.time_entries(*MONTH, client=client), 8)
    frame.loc[frame.index[0], "person_id"] = 99999
    frame.loc[frame.index[0], "person_xid"] = pd.NA
    plan = bp.plan(frame, client=client)
    assert "time_entry.get" in fresh_server.stats()["by_service"]
    assert plan["action"].iloc[0] == "invalid"
    assert "unknown person id 99999" in plan["reason"].iloc[0]
    assert set(plan["action"].iloc[1:]) == {"unchanged"}


def test_an_entry_gone_since_is_missing_for_delete(fresh_server, client, always_weigh):
    frame = spread(bb.time_entries(*MONTH, client=client), 6)
    plan = bp.delete(frame, client=client, dry_run=True)
    assert plan["action"].eq("delete").all()
    assert "time_entry.get" in fresh_server.stats()["by_service"]
    assert bp.delete(frame, client=client, progress=False).ok
    again = bp.delete(frame, client=client, dry_run=True)
    assert again["action"].eq("missing").all()


def test_answers_without_the_person_are_read_by_person(tmp_path, always_weigh):
    from beebole_pandas import sandbox

    with sandbox.serve(seed="demo", daily_requests=10**9, daily_kb=10**9, literal=True) as server:
        client = bb.connect(server.token, url=server.url, cache_dir=tmp_path, set_default=False)
        frame = spread(bb.time_entries(*MONTH, client=client), 8)
        frame["hours"] = 1.75
        server.reset_stats()
        plan = bp.plan(frame, client=client)
        by_service = server.stats()["by_service"]
        assert by_service.get("time_entry.get") and by_service.get("time_entry.list")
        assert plan["action"].eq("update").all()
        assert bp.push(frame, client=client, progress=False).ok
        assert set(bp.plan(frame, client=client)["action"]) == {"unchanged"}
        client.close()
