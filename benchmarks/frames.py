"""From the bytes the API sends to a typed frame, against what pandas does alone.

Run ``python benchmarks/frames.py [--people 300] [--repeat 3]``.

Every row comes from the sandbox: a demo account of ``--people`` people and
a year of entries, read over HTTP with ``requests`` once (not timed); the
timed work starts from the answers' bytes, so JSON decoding is included on
both sides. Times are the best of ``--repeat`` runs, interleaved.

1. ``time_entry.list``, one answer per person over the year:
   ``json.loads`` + ``frames.to_frame`` against ``json.loads`` +
   ``pandas.json_normalize`` as pandas gives it here (pandas with pyarrow
   installed, as this package requires: strings are Arrow-backed ``str``),
   and against ``json_normalize`` followed by the renames and conversions
   to the same dtypes (the frame this package gives, built by hand).
   Memory: ``memory_usage(deep=True)`` and what the result really holds
   (tracemalloc plus Arrow's memory pool), as ratios to ``json_normalize``
   as pandas gives it.
2. ``time_entry.export`` of the same year, every time-entry key, both
   outputs: the CSV text (decoded from the JSON answer that carries it)
   with ``parse_export_csv`` against ``pandas.read_csv`` (untyped, and with
   ``engine="pyarrow"``); the array output with ``parse_export_array``
   against ``pandas.DataFrame(rows[1:], columns=rows[0])``.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import pandas as pd
import pyarrow as pa
import requests

from beebole_pandas import frames, sandbox, schema
from beebole_pandas.load import parse as xp
from beebole_pandas.load.parse_csv import parse_export_csv

YEAR = ("2025-12-01", "2026-11-30")
BIG = 10**9


# -- rows from the sandbox (not timed) --------------------------------------------------------


def call(session: requests.Session, server: Any, body: dict[str, Any]) -> bytes:
    answer = session.post(server.url, json=body, auth=(server.token, "x"), timeout=120)
    answer.raise_for_status()
    return answer.content


def list_bodies(session: requests.Session, server: Any) -> list[bytes]:
    """The raw ``time_entry.list`` answer of every person over the year."""
    people = json.loads(call(session, server, {"service": "person.list"}))["people"]
    bodies = []
    for person in people:
        ref = {"xid": person["xid"]} if person.get("xid") else {"id": person["id"]}
        body = {"service": "time_entry.list", "person": ref, "from": YEAR[0], "to": YEAR[1]}
        bodies.append(call(session, server, body))
    return bodies


def export_body(session: requests.Session, server: Any, output: str) -> bytes:
    """The raw ``time_entry.get_job_info`` answer carrying the export's result."""
    request: dict[str, Any] = {"service": "time_entry.export", "from": YEAR[0], "to": YEAR[1]}
    request.update(show="all", keys=list(xp.TIME_ENTRY_KEYS))
    poll: dict[str, Any] = {"service": "time_entry.get_job_info"}
    if output == "array":
        request["outputFormat"] = poll["outputFormat"] = "array"
    poll["id"] = json.loads(call(session, server, request))["job"]["id"]
    while True:
        body = call(session, server, poll)
        if json.loads(body)["job"].get("status") == "done":
            return body
        time.sleep(0.2)


# -- measuring ----------------------------------------------------------------------------------


def timed(
    fns: dict[str, Callable[[], Any]], repeat: int
) -> tuple[dict[str, float], dict[str, Any]]:
    """Best time of each function, runs interleaved so that a busy machine
    slows every contender alike."""
    best = dict.fromkeys(fns, float("inf"))
    out: dict[str, Any] = {}
    for _ in range(repeat):
        for name, fn in fns.items():
            out.pop(name, None)
            gc.collect()
            started = time.perf_counter()
            out[name] = fn()
            best[name] = min(best[name], time.perf_counter() - started)
    return best, out


def held(fn: Callable[[], Any]) -> float:
    """MB newly allocated and still held by fn's result: Python and NumPy
    allocations (tracemalloc) plus Arrow's (its memory pool, which tracemalloc
    does not see). The real cost of a frame, where memory_usage(deep=True)
    counts every reference to one shared object (such as pd.NA) as a
    separate object."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0], pa.total_allocated_bytes()
    result = fn()
    gc.collect()
    size = tracemalloc.get_traced_memory()[0] - before[0]
    size += pa.total_allocated_bytes() - before[1]
    tracemalloc.stop()
    del result
    return size / 1e6


def deep_mb(df: pd.DataFrame) -> float:
    return float(df.memory_usage(deep=True).sum()) / 1e6


# -- 1. time_entry.list answers -> frame -------------------------------------------------------


def decoded(bodies: list[bytes]) -> list[dict[str, Any]]:
    return [row for body in bodies for row in json.loads(body)["timeEntries"]]


def with_our_dtypes(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """json_normalize, then by hand what to_frame gives: columns, names, dtypes."""
    spec = schema.entity("time_entry")
    df = pd.json_normalize(rows)
    for f in spec.fields:
        if f.path not in df.columns:
            df[f.path] = None
    df = df[[f.path for f in spec.fields]]
    df.columns = spec.columns
    dtypes = {c: d for c, d in spec.dtypes.items() if d not in ("status", "datetime64[ns]")}
    df = df.astype(dtypes)
    for c, d in spec.dtypes.items():
        if d == "datetime64[ns]":
            df[c] = pd.to_datetime(df[c], format="%Y-%m-%d").astype("datetime64[ns]")
    labels = df["status"].map(schema.STATUS_LABELS)
    df["status"] = pd.Categorical(labels, categories=list(schema.STATUS_ORDER), ordered=True)
    for column in df.columns:  # the join keys: the xid, else the id as text
        if column == "key" or column.endswith("_key"):
            base = column[: -len("key")]
            ids = df[f"{base}id"].astype("string").astype(df[column].dtype)
            xids = df.get(f"{base}xid")
            df[column] = ids if xids is None else xids.fillna(ids)
    return df


def bench_lists(bodies: list[bytes], repeat: int) -> None:
    n = len(decoded(bodies))
    frames.to_frame("time_entry", decoded(bodies[:1]))  # generate the extractor once
    fns = {
        "json.loads + to_frame": lambda: frames.to_frame("time_entry", decoded(bodies)),
        "json.loads + json_normalize": lambda: pd.json_normalize(decoded(bodies)),
        "  + the same dtypes by hand": lambda: with_our_dtypes(decoded(bodies)),
    }
    times, out = timed(fns, repeat)
    ours, plain, typed = (out[k] for k in fns)
    assert list(typed.columns) == list(ours.columns)
    assert typed.dtypes.equals(ours.dtypes), typed.dtypes.compare(ours.dtypes)
    pd.testing.assert_frame_equal(typed, ours)  # the same frame
    deep = {k: deep_mb(v) for k, v in out.items()}
    del out, ours, plain, typed
    kept = {k: held(fn) for k, fn in fns.items()}
    mb = sum(len(b) for b in bodies) / 1e6
    print(
        f"== {len(bodies)} time_entry.list answers ({mb:.1f} MB of JSON, {n:,} entries) "
        f"-> frame, best of {repeat} =="
    )
    print(f"{'':32}{'seconds':>9}{'vs ours':>9}{'deep MB':>9}{'held MB':>9}")
    for k in fns:
        print(
            f"{k:32}{times[k]:9.3f}{times[k] / times['json.loads + to_frame']:8.2f}x"
            f"{deep[k]:9.1f}{kept[k]:9.1f}"
        )
    base = "json.loads + json_normalize"
    print(
        f"ours / json_normalize as pandas gives it: time "
        f"{times['json.loads + to_frame'] / times[base]:.2f}, deep memory "
        f"{deep['json.loads + to_frame'] / deep[base]:.2f}, held memory "
        f"{kept['json.loads + to_frame'] / kept[base]:.2f}; ours / the same dtypes by hand: time "
        f"{times['json.loads + to_frame'] / times['  + the same dtypes by hand']:.2f}"
    )


# -- 2. time_entry.export answers -> frame -----------------------------------------------------


def bench_export(csv_body: bytes, array_body: bytes, repeat: int) -> None:
    keys = list(xp.TIME_ENTRY_KEYS)

    def text() -> str:
        return str(json.loads(csv_body)["job"]["result"])

    def array() -> list[list[Any]]:
        return list(json.loads(array_body)["job"]["result"])

    def plain_array() -> pd.DataFrame:
        rows = array()
        return pd.DataFrame(rows[1:], columns=rows[0])

    fns = {
        "csv: pandas.read_csv": lambda: pd.read_csv(io.StringIO(text())),
        "csv: read_csv(engine=pyarrow)": lambda: pd.read_csv(
            io.BytesIO(text().encode()), engine="pyarrow"
        ),
        "csv: parse_export_csv (typed)": lambda: parse_export_csv(text(), keys),
        "array: pandas.DataFrame": plain_array,
        "array: parse_export_array": lambda: xp.parse_export_array(array(), keys),
    }
    times, out = timed(fns, repeat)
    assert len({len(v) for v in out.values()}) == 1, {k: len(v) for k, v in out.items()}
    rows = len(out["csv: pandas.read_csv"])
    deep = {k: deep_mb(v) for k, v in out.items()}
    del out
    print(
        f"== time_entry.export of {rows:,} entries, {len(keys)} keys: CSV answer "
        f"{len(csv_body) / 1e6:.1f} MB, array answer {len(array_body) / 1e6:.1f} MB "
        f"(JSON decoding included), best of {repeat} =="
    )
    print(f"{'':32}{'seconds':>9}{'ratio':>22}{'deep MB':>9}")
    for k, t in times.items():
        base = "csv: pandas.read_csv" if k.startswith("csv") else "array: pandas.DataFrame"
        print(f"{k:32}{t:9.3f}{t / times[base]:10.2f}x {base.split(': ')[1]:<11}{deep[k]:9.1f}")
    print(
        "ours, typed, / pandas, untyped: CSV "
        f"{times['csv: parse_export_csv (typed)'] / times['csv: pandas.read_csv']:.2f}, array "
        f"{times['array: parse_export_array'] / times['array: pandas.DataFrame']:.2f}; "
        f"array answer / CSV answer bytes {len(array_body) / len(csv_body):.2f}"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    with (
        sandbox.serve(seed="demo", people=args.people, daily_requests=BIG, daily_kb=BIG) as server,
        requests.Session() as session,
    ):
        bodies = list_bodies(session, server)
        csv_body = export_body(session, server, "csv")
        array_body = export_body(session, server, "array")
    print(f"pandas {pd.__version__}, rows from a {args.people}-person demo sandbox, {YEAR}")
    bench_lists(bodies, args.repeat)
    bench_export(csv_body, array_body, args.repeat)


if __name__ == "__main__":
    main()
