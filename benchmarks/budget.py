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

4. ``--limits``: days of Beebole's budget (2,048 KB a day) per load of 1, 6,
   12 and 24 months for 50, 150 and 1,000 people: before (the two array
   exports of the first version: entries with ids, and the names) and after
   (one CSV export of the ids, names from the entity lists), with the
   estimate (``dry_run=True``) beside what the load spent;
5. ``--pack``: the monthly report pack of 1,000 people (``cli.load``, what
   ``report`` loads) reading the month's entries (before) against one
   aggregated export of sums (``bb.hours``, after), with the tables compared,
   against one day's 2,048 KB;
6. ``--resume N``: ``bb.sync`` of N months under the real daily limits, day
   after sandbox day: whole chunks only (before) against days filled with
   the first days of the next chunk (after), days and KB a day side by side.

Figures come from the server's own counters (``server.stats()``).

    python benchmarks/budget.py --limits --sizes 50,150,1000 --months 1,6,12,24
    python benchmarks/budget.py --pack --people 1000
    python benchmarks/budget.py --resume 12 --people 1000
"""

from __future__ import annotations

import argparse
import contextlib
import functools
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
                    server, functools.partial(bb.time_entries, start, stop, client=ours_client)
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
                    server, functools.partial(per_person, theirs, start, stop)
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


DAY_KB = 2048.0


def before_load(client: Any, start: str, end: str) -> int:
    """The first version's time_entries(): two array exports side by side."""
    from beebole_pandas.load import parse as export_parse
    from beebole_pandas.load.export import run_export
    from beebole_pandas.load.scopes import fan_out

    params = {"from": start, "to": end, "show": "all", "outputFormat": "array"}
    key_sets = [export_parse.TIME_ENTRY_ID_KEYS, export_parse.TIME_ENTRY_NAME_KEYS]
    results = fan_out(lambda keys: run_export(client, {**params, "keys": list(keys)}), key_sets)
    entries, names = (
        export_parse.parse_export(r, k) for r, k in zip(results, key_sets, strict=True)
    )
    return len(export_parse.export_to_time_entries(entries, names))


def fresh_client(server: Any) -> Any:
    return bb.connect(
        server.token,
        url=server.url,
        cache_dir=tempfile.mkdtemp(),
        set_default=False,
        daily_requests=BIG,
        daily_kb=BIG,
    )


def limit_figures(sizes: list[int], months_list: list[int]) -> None:
    """Days of budget per load, before and after, and the estimate's accuracy."""
    print("== days of budget (2,048 KB/day) per load of time entries ==")
    print(
        f"{'people':>7}{'months':>7}{'entries':>9} | {'before KB':>10}{'days':>6} | "
        f"{'after KB':>10}{'days':>6}{'req':>5} | {'estimate KB':>11}{'error':>7}"
    )
    for n in sizes:
        with sandbox.serve(
            seed="demo", people=n, months=max(months_list), daily_requests=BIG, daily_kb=BIG
        ) as server:
            end = pd.Timestamp(server.backend.store.scalar("SELECT max(date) FROM time_entry"))
            for months in months_list:
                start = (end - pd.DateOffset(months=months) + pd.Timedelta(days=1)).strftime(
                    "%Y-%m-%d"
                )
                stop = end.strftime("%Y-%m-%d")
                _, kb_old, _, count = spent(
                    server, functools.partial(before_load, fresh_client(server), start, stop)
                )
                client = fresh_client(server)
                est = bb.time_entries(start, stop, client=client, dry_run=True)
                r_new, kb_new, _, frame = spent(
                    server, functools.partial(bb.time_entries, start, stop, client=client)
                )
                assert len(frame) == count, (len(frame), count)
                print(
                    f"{n:7d}{months:7d}{count:9d} | {kb_old:10.0f}{kb_old / DAY_KB:6.2f} | "
                    f"{kb_new:10.0f}{kb_new / DAY_KB:6.2f}{r_new:5d} | {est.kb:11.0f}"
                    f"{(est.kb - kb_new) / kb_new:+7.1%}"
                )


#: What the pack read of each entry before it read sums: every column but these.
UNREPORTED = ("comment", "task_id", "task_xid", "task_key", "task_name")


def _entries_for_pack(start: str, end: str, *, client: Any) -> pd.DataFrame:
    """Before: the month's entries, without the columns no report shows."""
    from beebole_pandas import schema
    from beebole_pandas.frames import missing_array

    spec = schema.entity("time_entry")
    wanted = [c for c in spec.columns if c not in UNREPORTED]
    frame = bb.time_entries(start, end, columns=wanted, client=client)
    for column in UNREPORTED:  # a full time-entry frame, as the pack built it
        frame[column] = missing_array(spec.dtypes[column], len(frame))
    return frame[spec.columns]


def _pack(server: Any, first: str, last: str, *, sums: bool) -> tuple[int, float, float, Any]:
    """(requests, KB, seconds, sections) of the pack's loads and tables on a fresh client."""
    from unittest import mock

    from beebole_pandas import cli

    client = fresh_client(server)
    patch = (
        contextlib.nullcontext()
        if sums
        else mock.patch.object(cli, "report_hours", _entries_for_pack)
    )
    with patch:
        r, kb, s, data = spent(server, lambda: cli.load(client, first, last))
    sections = cli.build_sections(data, first, last)
    return r, kb, s, sections


def _same_table(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """Equal but for the entry counts (unknown from sums) and float rounding (sums
    added in another order)."""
    counts = [c for c in a.columns if c.endswith("entries")]
    try:
        pd.testing.assert_frame_equal(
            a.drop(columns=counts), b.drop(columns=[c for c in counts if c in b.columns])
        )
    except AssertionError:
        return False
    return True


def pack_figures(n_people: int) -> None:
    """The monthly report pack of n people: entries (before) against sums (after)."""
    print(f"== the monthly report pack for {n_people:,} people, one month, against one day ==")
    with sandbox.serve(seed="demo", people=n_people, daily_requests=BIG, daily_kb=BIG) as server:
        end = pd.Timestamp(server.backend.store.scalar("SELECT max(date) FROM time_entry"))
        first, last = end.replace(day=1).strftime("%Y-%m-%d"), end.strftime("%Y-%m-%d")
        r0, kb0, s0, before = _pack(server, first, last, sums=False)
        r1, kb1, s1, after = _pack(server, first, last, sums=True)
    same = all(_same_table(a.table, b.table) for a, b in zip(before, after, strict=True))
    for label, r, kb, s in (("entries (before)", r0, kb0, s0), ("sums (after)", r1, kb1, s1)):
        print(
            f"{label:18}{r:5d} requests {kb:9.1f} KB ({kb / DAY_KB:.0%} of a day) "
            f"loaded in {s:5.2f} s"
        )
    print(f"KB: {kb0 / kb1:.2f}x fewer with sums; every table the same: {same}")


def _sync_days(n_people: int, months: int, *, fill: bool) -> tuple[list[float], str]:
    """Sync ``months`` day by day; the KB spent each day and a closing line.
    ``fill=False``: whole chunks only (a day ends at the first chunk that does
    not fit), the rule before days were filled."""
    import datetime as dt
    import os

    from beebole_pandas.load import store

    os.environ["BEEBOLE_DATA_DIR"] = tempfile.mkdtemp()
    now = [dt.datetime(2026, 12, 6, 8, tzinfo=dt.UTC)]
    saved = store._first_days
    if not fill:
        store._first_days = lambda *args, **kwargs: None  # type: ignore[assignment]
    try:
        with sandbox.serve(seed="demo", people=n_people, months=months) as server:
            end = pd.Timestamp(server.backend.store.scalar("SELECT max(date) FROM time_entry"))
            first = (end - pd.DateOffset(months=months) + pd.Timedelta(days=1)).strftime("%Y-%m-%d")
            last = end.strftime("%Y-%m-%d")
            client = bb.connect(
                server.token, url=server.url, cache_dir=tempfile.mkdtemp(), clock=lambda: now[0]
            )
            spent_kb: list[float] = []
            while True:
                report = bb.sync(first, last, client=client)
                used = server.usage()
                spent_kb.append(used["bytes"] / 1024)
                assert used["bytes"] <= 2048 * 1024 and used["requests"] <= 4000
                if report.complete:
                    break
                server.advance_day()
                now[0] += dt.timedelta(days=1)
            stored = report.frame()
            server.quota.daily_kb = BIG
            whole = bb.time_entries(first, last, client=fresh_client(server))
            pd.testing.assert_frame_equal(stored, whole)
            server.advance_day()
            now[0] += dt.timedelta(days=1)
            before = server.stats()["requests"]
            again = bb.sync(first, last, client=client)
            closed = sum(c.state == "closed" for c in again.chunks)
            note = (
                f"{len(stored):,} entries in {len(report.chunks)} chunks, identical to one "
                f"unlimited load; a second sync: {server.stats()['requests'] - before} requests "
                f"({closed} closed chunks never fetched again)"
            )
            client.close()
    finally:
        store._first_days = saved
    return spent_kb, note


def resume_figures(n_people: int, months: int) -> None:
    """``months`` of entries for n people with bb.sync under the real daily limits,
    over successive sandbox days: whole chunks only (before) against days filled
    with the first days of the next chunk (after)."""
    print(f"== bb.sync of {months} months for {n_people:,} people, 2,048 KB a day ==")
    runs = {label: _sync_days(n_people, months, fill=fill) for label, fill in (
        ("whole chunks (before)", False), ("days filled (after)", True))}  # fmt: skip
    for label, (days, note) in runs.items():
        full = days[:-1] or days
        print(
            f"{label:22} {len(days):3d} days; KB a day but the last: "
            f"{min(full):,.0f} to {max(full):,.0f} (mean {sum(full) / len(full) / DAY_KB:.0%} "
            f"of 2,048); {note}"
        )
    before, after = (len(days) for days, _ in runs.values())
    print(f"days: {before} before, {after} after: {before / after:.2f}x fewer")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--limits", action="store_true", help="days of budget per load")
    parser.add_argument("--pack", action="store_true", help="the report pack via bb.hours")
    parser.add_argument("--sizes", default="50,150,1000")
    parser.add_argument("--months", default="1,6,12,24")
    parser.add_argument("--resume", type=int, default=0, help="bb.sync N months, day by day")
    args = parser.parse_args(argv)
    if args.resume:
        resume_figures(args.people, args.resume)
        return
    if args.limits or args.pack:
        if args.pack:
            pack_figures(args.people)
        if args.limits:
            limit_figures(
                [int(x) for x in args.sizes.split(",")], [int(x) for x in args.months.split(",")]
            )
        return
    demo_figures()
    if args.people:
        scale_figures(args.people)


if __name__ == "__main__":
    main()
