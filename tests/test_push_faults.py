"""Faults while pushing: re-running push until every row is ok converges to
exactly the intended server state, with nothing duplicated and nothing lost."""

from __future__ import annotations

import pandas as pd
import pytest
from push_support import push_until_ok

import beebole_pandas as bb
from beebole_pandas.writeback import push as bp

FAULTS = ["http500", "lost_response"]
PERSON = 1004
START, END = "2026-11-01", "2026-11-30"


@pytest.fixture
def client(fresh_server):
    # A short backoff keeps the read retries fast; writes are never retried.
    return bb.connect(fresh_server.token, url=fresh_server.url, backoff=0.01)


def test_entity_frame_converges(fresh_server, client, kind_entity):
    kind = kind_entity
    people = bb.people(client=client, refresh=True)
    frame = people.copy()
    rows = frame.index[frame["id"].notna()][:12]
    frame.loc[rows[:8], "name"] = [f"Faulty {i}" for i in range(8)]
    frame.loc[rows[8:], "active"] = ~frame.loc[rows[8:], "active"]
    company = int(people["company_id"].dropna().mode().iloc[0])
    n = 8
    additions = pd.DataFrame(
        {
            "xid": pd.array([f"F-{i}" for i in range(n)], dtype="string"),
            "name": pd.array([f"Fault Person {i}" for i in range(n)], dtype="string"),
            "email": pd.array([f"fault{i}@example.com" for i in range(n)], dtype="string"),
            "company_id": pd.array([company] * n, dtype="Int64"),
            "active": pd.array([i % 2 == 0 for i in range(n)], dtype="boolean"),
        }
    )
    frame = pd.concat([frame, additions], ignore_index=True)

    result, failures = push_until_ok(fresh_server, frame, client, kind)
    stats = fresh_server.stats()
    assert sum(stats["faults"].values()) > 0, "no fault was injected"
    assert failures > 0, "the faults never made a push fail"
    assert result.ok

    after = bb.people(client=client, refresh=True)
    assert len(after) == len(people) + n  # nothing duplicated, nothing lost
    assert after["xid"].dropna().is_unique
    by_key = after.set_index(after["xid"].fillna(after["id"].astype("string")))
    intended = frame.set_index(frame["xid"].fillna(frame["id"].astype("string")))
    for column in ("name", "email", "active", "company_id"):
        expected = intended[column].dropna()
        assert by_key.loc[expected.index, column].tolist() == expected.tolist(), column
    # Converged: a last push has nothing left to do.
    assert set(bp.plan(frame, client=client)["action"]) == {"unchanged"}


def test_time_entry_frame_converges(fresh_server, client, kind_entity):
    kind = kind_entity
    entries = bb.time_entries(START, END, person=PERSON, client=client, refresh=True)
    drafts = entries.index[entries["status"].isin(["draft", "submitted", "rejected"])][:6]
    assert len(drafts) == 6
    frame = entries.copy()
    frame.loc[drafts, "hours"] = [0.5, 1.0, 1.5, 2.0, 2.5, 3.0]
    template = entries.loc[drafts[:1]]
    additions = pd.concat([template] * 8, ignore_index=True)
    additions["id"] = pd.array([None] * 8, dtype="Int64")
    additions["comment"] = pd.array([f"fault test {i}" for i in range(8)], dtype="string")
    additions["hours"] = [1.0] * 8
    frame = pd.concat([frame, additions], ignore_index=True)

    result, failures = push_until_ok(fresh_server, frame, client, kind)
    assert sum(fresh_server.stats()["faults"].values()) > 0
    assert failures > 0
    assert result.ok

    after = bb.time_entries(START, END, person=PERSON, client=client, refresh=True)
    assert len(after) == len(entries) + 8  # nothing duplicated, nothing lost
    added = after[after["comment"].str.startswith("fault test", na=False)]
    assert sorted(added["comment"]) == sorted(f"fault test {i}" for i in range(8))
    hours = after.set_index("id")["hours"]
    assert hours.loc[entries.loc[drafts, "id"]].tolist() == [0.5, 1.0, 1.5, 2.0, 2.5, 3.0]
    assert set(result.loc[len(entries) :, "id"]) == set(added["id"])
    assert set(bp.plan(frame, client=client)["action"]) == {"unchanged"}


@pytest.fixture(params=FAULTS)
def kind_entity(request) -> str:
    return request.param


def test_lost_answers_say_whether_a_rerun_is_safe(fresh_server, client):
    people = bb.people(client=client, refresh=True)
    company = int(people["company_id"].dropna().mode().iloc[0])
    frame = pd.DataFrame(
        {
            "xid": pd.array(["LOST-1", None], dtype="string"),
            "name": pd.array(["With xid", "Without xid"], dtype="string"),
            "company_id": pd.array([company, company], dtype="Int64"),
        }
    )
    fresh_server.inject("lost_response", services=["person.create"])
    with pytest.warns(UserWarning, match="neither id nor xid"):
        result = bp.push(frame, entity="person", client=client, progress=False, workers=1)
    fresh_server.inject(None)
    assert result["status"].tolist() == ["error", "error"]
    assert result.loc[0, "message"].endswith(
        "Pushing again re-reads the server first, so this row will not be written twice."
    )
    assert result.loc[1, "message"].endswith(
        "This row has no xid: check the server before pushing it again, or it may be created twice."
    )
    # Both writes were applied; the re-run finds the xid row and leaves it alone.
    again = bp.push(frame.iloc[[0]], entity="person", client=client, progress=False)
    assert again["action"].tolist() == ["unchanged"]


def test_wide_time_entry_frame_read_by_export_converges(fresh_server, client, kind_entity):
    entries = bb.time_entries("2026-11-02", "2026-11-06", client=client, refresh=True)
    frame = entries.copy()
    editable = frame.index[frame["status"].isin(["draft", "submitted", "rejected"])][:6]
    assert len(editable) == 6
    frame.loc[editable, "hours"] = [0.5, 1.0, 1.5, 2.0, 2.5, 3.0]
    additions = pd.concat([entries.loc[editable[:1]]] * 4, ignore_index=True)
    additions["id"] = pd.array([None] * 4, dtype="Int64")
    additions["comment"] = pd.array([f"wide fault {i}" for i in range(4)], dtype="string")
    frame = pd.concat([frame, additions], ignore_index=True)

    result, failures = push_until_ok(fresh_server, frame, client, kind_entity)
    assert failures > 0 and result.ok

    after = bb.time_entries("2026-11-02", "2026-11-06", client=client, refresh=True)
    assert len(after) == len(entries) + 4
    added = after[after["comment"].str.startswith("wide fault", na=False)]
    assert sorted(added["comment"]) == [f"wide fault {i}" for i in range(4)]
    hours = after.set_index("id")["hours"]
    assert hours.loc[entries.loc[editable, "id"]].tolist() == [0.5, 1.0, 1.5, 2.0, 2.5, 3.0]


def test_a_failed_fresh_read_never_serves_a_stale_list_to_a_push(fresh_server, tmp_path):
    # Two machines (two caches) push the same five new entries; on the second,
    # time_entry.list fails. Its cache still holds the list from before the
    # first push: serving it would create the five entries a second time.
    def machine(name):
        return bb.connect(
            fresh_server.token,
            url=fresh_server.url,
            cache_dir=tmp_path / name,
            set_default=False,
            retries=1,
            backoff=0.01,
        )

    first, second = machine("a"), machine("b")
    entries = bb.time_entries(START, END, person=PERSON, client=second)  # cached on b
    draft = entries.index[entries["status"] == "draft"][0]
    new = entries.loc[[draft] * 5].copy()
    new["id"] = pd.array([None] * 5, dtype="Int64")
    new["comment"] = [f"pushed twice? {i}" for i in range(5)]
    assert bp.push(new, client=first, progress=False).ok

    fresh_server.inject("http503", services=["time_entry.list"])
    try:
        with pytest.raises(bb.ServerError):
            bp.push(new, client=second, progress=False)
        with pytest.raises(bb.ServerError):  # refresh=True: fresh or an error
            second.call(
                "time_entry.list", refresh=True, person={"id": PERSON}, **{"from": START, "to": END}
            )
    finally:
        fresh_server.inject(None)
    after = bb.time_entries(START, END, person=PERSON, client=first, refresh=True)
    assert after["comment"].str.startswith("pushed twice?").sum() == 5
    # a plain read still falls back on the cache when the server fails
    fresh_server.inject("http503", services=["time_entry.list"])
    try:
        stale = bb.time_entries(START, END, person=PERSON, client=second)
    finally:
        fresh_server.inject(None)
    assert len(stale) == len(entries)
    first.close()
    second.close()
