"""What loading costs against the daily budget (4000 requests, 2048 KB), on the sandbox.

Run ``python benchmarks/budget.py [--people 1000]``. Prints:

1. requests and KB of a first and a second "load every entity" (companies,
   people, projects, subprojects, tasks, absences, groups, custom fields) on
   the demo seed, the second served by the cache;
2. the latency of a cache hit against a network call (loopback, so the
   network side is a lower bound);
3. requests and KB of a month and of a year of time entries for N people:
   ``bb.time_entries`` (one export job) against the per-person approach of
   other clients (the people list, then one ``time_entry.list`` per person),
   as ratios.

Figures come from the server's own counters (``server.stats()``).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from typing import Any

import pandas as pd

import beebole_pandas as bb
from beebole_pandas import sandbox
from beebole_pandas.load.scopes import refs_of_frame

LOADERS = (
    "companies",
    "people",
    "projects",
    "subprojects",
    "tasks",
    "absences",
    "groups",
    "custom_fields",
)
BIG = 10**9


def spent(server: Any, action: Callable[[], Any]) -> tuple[int, float, float, Any]:
    """(requests, KB, seconds, result) of one action, from the server's counters."""
    before = server.stats()
    started = time.perf_counter()
    result = action()
    seconds = time.perf_counter() - started
    after = server.stats()
    return (
        after["requests"] - before["requests"],
        (after["bytes"] - before["bytes"]) / 1024,
        seconds,
        result,
    )


def load_everything() -> int:
    return sum(len(getattr(bb, name)()) for name in LOADERS)


def demo_figures() -> None:
    with (
        sandbox.serve(seed="demo", daily_requests=BIG, daily_kb=BIG) as server,
        tempfile.TemporaryDirectory() as cache,
    ):
        client = bb.connect(
            server.token, url=server.url, cache_dir=cache, daily_requests=BIG, daily_kb=BIG
        )
        print("== load every entity (demo seed) ==")
        print(f"{'':28}{'requests':>10}{'KB':>10}{'seconds':>10}")
        for label in ("first (network)", "second (cache)"):
            requests, kb, seconds, rows = spent(server, load_everything)
            print(f"{label:28}{requests:10d}{kb:10.1f}{seconds:10.3f}   ({rows} rows)")

        hits, calls = [], []
        for _ in range(30):
            t = time.perf_counter()
            client.call("company.list", refresh=True)
            calls.append(time.perf_counter() - t)
            t = time.perf_counter()
            client.call("company.list")
            hits.append(time.perf_counter() - t)
        hit, call = statistics.median(hits) * 1000, statistics.median(calls) * 1000
        print("== latency of company.list (median of 30) ==")
        print(
            f"network call {call:.2f} ms, cache hit {hit:.2f} ms: the hit is {call / hit:.1f}x faster "
            "(loopback: a real network adds 50-300 ms per call)"
        )
        client.close()


def per_person(client: Any, start: str, end: str) -> int:
    """Other clients' way: every person, then one time_entry.list each."""
    people = bb.people(client=client)
    total = 0
    for ref in refs_of_frame(people):
        answer = client.call("time_entry.list", person=ref, **{"from": start, "to": end})
        total += len(answer.get("timeEntries") or [])
    return total


def scale_figures(n_people: int) -> None:
    print(f"== time entries for {n_people:,} people ==")
    started = time.perf_counter()
    with sandbox.serve(seed="demo", people=n_people, daily_requests=BIG, daily_kb=BIG) as server:
        print(f"(sandbox with {n_people:,} people ready in {time.perf_counter() - started:.0f} s)")
        end = server.backend.store.scalar("SELECT max(date) FROM time_entry")
        last = pd.Timestamp(end)
        periods = {
            "month": (last.replace(day=1).strftime("%Y-%m-%d"), end),
            "year": (
                (last - pd.DateOffset(years=1) + pd.Timedelta(days=1)).strftime("%Y-%m-%d"),
                end,
            ),
        }
        print(f"{'':10}{'approach':28}{'requests':>10}{'KB':>12}{'seconds':>10}{'entries':>10}")
        for label, (start, stop) in periods.items():
            with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
                ours_client = bb.connect(
                    server.token,
                    url=server.url,
                    cache_dir=a,
                    set_default=False,
                    daily_requests=BIG,
                    daily_kb=BIG,
                )
                r1, kb1, s1, frame = spent(
                    server, lambda c=ours_client, s=start, e=stop: bb.time_entries(s, e, client=c)
                )
                theirs = bb.connect(
                    server.token,
                    url=server.url,
                    cache_dir=b,
                    set_default=False,
                    daily_requests=BIG,
                    daily_kb=BIG,
                )
                r2, kb2, s2, count = spent(
                    server, lambda c=theirs, s=start, e=stop: per_person(c, s, e)
                )
                ours_client.close()
                theirs.close()
            assert count == len(frame), (count, len(frame))
            print(
                f"{label:10}{'export job (ours)':28}{r1:10d}{kb1:12.1f}{s1:10.2f}{len(frame):10d}"
            )
            print(
                f"{'':10}{'per-person time_entry.list':28}{r2:10d}{kb2:12.1f}{s2:10.2f}{count:10d}"
            )
            print(
                f"{'':10}{'ratio (theirs / ours)':28}{r2 / r1:10.0f}x{kb2 / kb1:11.1f}x{s2 / s1:9.1f}x"
            )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1000)
    args = parser.parse_args(argv)
    demo_figures()
    if args.people:
        scale_figures(args.people)


if __name__ == "__main__":
    main()
