"""Freshness by workflow state, not by calendar: a period is kept long only when
every entry in it was approved or locked when read (issue: stale statuses)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import requests

import beebole_pandas as bb

NOVEMBER = ("2026-11-01", "2026-11-30")  # over, and still full of drafts in the demo
SEPTEMBER = ("2026-09-01", "2026-09-30")  # every entry approved


def test_a_submission_made_elsewhere_shows_after_minutes_not_days(
    fresh_server: Any, tmp_path: Path
) -> None:
    # The current expiry is shortened to 1 s to stand for its 5 minutes.
    analyst = bb.connect(
        fresh_server.token,
        url=fresh_server.url,
        cache_dir=tmp_path / "analyst",
        expire_after={"current": 1},
        set_default=False,
    )
    before = bb.time_entries(*NOVEMBER, client=analyst)
    drafts = before[before["status"] == "draft"]
    person = int(drafts["person_id"].dropna().iloc[0])
    mine = int((drafts["person_id"] == person).sum())
    # Submitted "in the web app": a raw request with the same token, not through this cache.
    answer = requests.post(
        fresh_server.url,
        json={
            "service": "time_entry.submit",
            "person": {"id": person},
            "from": NOVEMBER[0],
            "to": NOVEMBER[1],
        },
        auth=(fresh_server.token, "x"),
        timeout=30,
    ).json()
    assert answer["status"] == "ok" and answer["count"] == mine > 0
    time.sleep(1.2)
    after = bb.time_entries(*NOVEMBER, client=analyst)
    counts = after["status"].value_counts()
    assert counts["draft"] == len(drafts) - mine
    assert counts["submitted"] == (before["status"] == "submitted").sum() + mine
    analyst.close()


def test_a_settled_period_stays_in_the_cache(fresh_server: Any, tmp_path: Path) -> None:
    analyst = bb.connect(
        fresh_server.token,
        url=fresh_server.url,
        cache_dir=tmp_path,
        expire_after={"current": 1},
        set_default=False,
    )
    first = bb.time_entries(*SEPTEMBER, client=analyst)
    assert set(first["status"].dropna()) <= {"approved", "locked"}
    exports = fresh_server.stats()["by_service"]["time_entry.export"]
    time.sleep(1.2)
    again = bb.time_entries(*SEPTEMBER, client=analyst)
    # the entries' export (CSV) and the size probe (array) both show statuses,
    # all settled: neither is asked again, though the short expiry has passed
    assert fresh_server.stats()["by_service"]["time_entry.export"] == exports
    assert len(again) == len(first)
    analyst.close()
