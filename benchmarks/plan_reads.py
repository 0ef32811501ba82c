"""What a push plan of edited time entries reads: before and after issue 15's "cheaper push reads".

Run ``python benchmarks/plan_reads.py [--sizes 50,1000] [--rows 10,100,1000]``.
For each account size, a month of entries is loaded (unlimited budget, not
counted), then plans of N edited entries picked at random among the
editable ones (hours + 0.25) are made twice:

* **before**: the reads around the rows' dates only (one list per person
  and run of dates, or the export of everyone's entries over the run): the
  rule of the first version, which the new one still follows for small
  reads (``time_state.GETS_ABOVE`` set to infinity gives it back);
* **after**: the same, or one ``time_entry.get`` per row for the people
  whose rows weigh less so (bytes, plus 524 bytes a request: 2,048 KB /
  4,000 requests).

Both plans must be identical; requests and KB come from the server's own
counters (``server.stats()``), and the share of a day's 2,048 KB is shown.
"""

from __future__ import annotations

import argparse
import random
import tempfile
from typing import Any

import pandas as pd
from budget import spent  # this folder: the benchmarks share their meter

import beebole_pandas as bb
from beebole_pandas import sandbox
from beebole_pandas.writeback import push as bp
from beebole_pandas.writeback import time_state

BIG = 10**9
MONTH = ("2026-11-01", "2026-11-30")
DAY_KB = 2048


def measure(server: Any, client: Any, frame: pd.DataFrame) -> tuple[int, float, float, Any]:
    """(requests, KB, seconds, plan) of one plan, from the server's counters."""
    return spent(server, lambda: bp.plan(frame, client=client))


def run(people: int, sizes: list[int]) -> None:
    with (
        sandbox.serve(seed="demo", people=people, daily_requests=BIG, daily_kb=BIG) as server,
        tempfile.TemporaryDirectory() as cache,
    ):
        client = bb.connect(
            server.token,
            url=server.url,
            cache_dir=cache,
            daily_kb=BIG,
            daily_requests=BIG,
            set_default=False,
        )
        month = bb.time_entries(*MONTH, client=client)
        bb.people(client=client)  # the frame was loaded with its names: the list is cached
        editable = month[month["status"].isin(["draft", "submitted", "rejected"])]
        print(f"\n{people} people: {len(month):,} entries in {MONTH[0]}..{MONTH[1]}")
        print(
            f"{'rows':>6} | {'before: req':>11} {'KB':>9} {'day':>6} {'s':>5} | "
            f"{'after: req':>10} {'KB':>9} {'day':>6} {'s':>5} | {'KB ratio':>8}  same plan"
        )
        rng = random.Random(1)
        for n in sizes:
            picked = sorted(rng.sample(list(editable.index), min(n, len(editable))))
            frame = month.loc[picked].copy()
            frame["hours"] = frame["hours"] + 0.25
            saved = time_state.GETS_ABOVE
            time_state.GETS_ABOVE = 10**15  # never: the reads around the dates
            try:
                old = measure(server, client, frame)
            finally:
                time_state.GETS_ABOVE = saved
            new = measure(server, client, frame)
            same = old[3].equals(new[3])
            print(
                f"{len(frame):>6} | {old[0]:>11,} {old[1]:>9,.1f} {old[1] / DAY_KB:>6.1%} "
                f"{old[2]:>5.2f} | {new[0]:>10,} {new[1]:>9,.1f} {new[1] / DAY_KB:>6.1%} "
                f"{new[2]:>5.2f} | {old[1] / max(new[1], 1e-9):>7.2f}x  {'yes' if same else 'NO'}"
            )
        client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50,1000", help="people per account")
    parser.add_argument("--rows", default="10,100,1000", help="edited entries per plan")
    args = parser.parse_args()
    rows = [int(n) for n in args.rows.split(",")]
    for people in (int(p) for p in args.sizes.split(",")):
        run(people, rows)


if __name__ == "__main__":
    main()
