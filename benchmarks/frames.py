"""Frame building and export parsing, against the pandas alternatives, in one process.

Run ``python benchmarks/frames.py [--rows 100000] [--export-rows 1000000]``.

1. 100k time-entry records (the JSON rows of ``time_entry.list``):
   ``frames.to_frame`` against ``pandas.json_normalize`` followed by the same
   renames and dtype conversions. Prints time, frame memory
   (``DataFrame.memory_usage(deep=True)``) and ratios. Targets: ≥ 5× faster,
   ≤ ½ of json_normalize's memory.

   json_normalize runs twice: in this process as it is (pyarrow installed,
   because this package requires it, so its strings are Arrow-backed like
   ours: same dtypes, hence the same bytes), and as a plain
   ``pip install pandas`` runs it, without pyarrow, where pandas keeps every
   string as a Python object (emulated with
   ``pd.option_context("mode.string_storage", "python")``, which is exactly
   what pandas falls back to when pyarrow is missing).
2. A 1M-row export (CSV text, the default ``time_entry.export`` output):
   ``export_csv.parse_export_csv`` against a plain ``pandas.read_csv`` of the
   same bytes. Target: ≤ 1.5× read_csv's time. For reference, also
   ``read_csv(engine="pyarrow")`` (the C++ parser ours is built on) and the
   same rows as the JSON array output.
"""

from __future__ import annotations

import argparse
import csv
import gc
import io
import random
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import pandas as pd

from beebole_pandas import frames, schema
from beebole_pandas.load import parse as xp
from beebole_pandas.load.parse_csv import parse_export_csv

PEOPLE = [f"Person {i}" for i in range(200)]
PROJECTS = [f"Project {i}" for i in range(40)]
TASKS = ["Development", "Meetings", "Administration", "Support", "Design"]
ABSENCES = ["Vacation", "Sick leave"]


def ref(i: int, name: str, xid_every: int = 7) -> dict[str, Any]:
    if i % xid_every == 0:
        return {"xid": f"X{i}", "name": name}
    return {"id": i, "name": name}


def records(n: int, seed: int = 1) -> list[dict[str, Any]]:
    """API-shaped time entries: the leaf reference with its name, a task, etc."""
    rnd = random.Random(seed)
    rows = []
    for i in range(n):
        p = rnd.randrange(len(PEOPLE))
        row: dict[str, Any] = {
            "id": 500_000 + i,
            "date": f"2024-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}",
            "person": ref(p + 1, PEOPLE[p]),
            "hours": rnd.choice([1.0, 2.5, 4.0, 7.5, 8.0]),
            "status": rnd.choice(schema.STATUS_CODES),
            "comment": rnd.choice([None, None, None, "fixed the build", "call with client"]),
        }
        if rnd.random() < 0.1:
            a = rnd.randrange(len(ABSENCES))
            row["absence"] = ref(a + 1, ABSENCES[a])
        else:
            j = rnd.randrange(len(PROJECTS))
            row["company"] = ref(j // 10 + 1, f"Company {j // 10}")
            row["project"] = ref(j + 1, PROJECTS[j])
            if j % 3 == 0:
                row["subproject"] = ref(j * 10 + 1, f"Phase {j}")
            t = rnd.randrange(len(TASKS))
            row["task"] = ref(t + 1, TASKS[t])
        rows.append(row)
    return rows


def export_rows(keys: tuple[str, ...], n: int, seed: int = 2) -> list[list[Any]]:
    """An export's array output (labels row first), typed as the sandbox sends it."""
    rnd = random.Random(seed)
    out: list[list[Any]] = [list(keys)]
    for i in range(n):
        p = rnd.randrange(len(PEOPLE))
        j = rnd.randrange(len(PROJECTS))
        t = rnd.randrange(len(TASKS))
        day = f"2024-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"
        values = {
            "eventId": 500_000 + i,
            "to": day,
            "stime": f"{day} 09:00:00",
            "personId": f"E-{p}" if p % 7 == 0 else 1000 + p,
            "person": PEOPLE[p],
            "companyId": 100 + j // 10,
            "company": f"Company {j // 10}",
            "projectId": f"P-{j}" if j % 5 == 0 else 3000 + j,
            "project": PROJECTS[j],
            "subprojectId": 5000 + j if j % 3 == 0 else None,
            "subproject": f"Phase {j}" if j % 3 == 0 else None,
            "taskId": 7000 + t,
            "task": TASKS[t],
            "absenceId": None,
            "absence": None,
            "hours": rnd.choice([1.0, 2.5, 4.0, 7.5, 8.0]),
            "status": rnd.choice(schema.STATUS_CODES),
            "comment": rnd.choice([None, None, None, "fixed the build", "call with client"]),
        }
        out.append([values[k] for k in keys])
    return out


def export_csv(rows: list[list[Any]]) -> str:
    """The same rows as CSV text (English locale: ``7.000``; empty cells for null)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(rows[0])
    for row in rows[1:]:
        writer.writerow(
            ["" if v is None else f"{v:.3f}" if isinstance(v, float) else v for v in row]
        )
    return buf.getvalue()


def via_json_normalize(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """What one writes without this package: json_normalize, rename, astype."""
    spec = schema.entity("time_entry")
    df = pd.json_normalize(rows)
    for f in spec.fields:
        if f.path not in df.columns:
            df[f.path] = None
    df = df[[f.path for f in spec.fields]]
    df.columns = spec.columns
    dtypes = {c: ("category" if d == "status" else d) for c, d in spec.dtypes.items()}
    for c in ("date",):
        df[c] = pd.to_datetime(df[c], format="%Y-%m-%d").astype("datetime64[ns]")
        del dtypes[c]
    df = df.astype(dtypes)
    df["status"] = df["status"].cat.set_categories(list(schema.STATUS_CODES))
    return df


def timed(
    fns: dict[str, Callable[[], Any]], repeat: int
) -> tuple[dict[str, float], dict[str, Any]]:
    """Best time of each function, runs interleaved so that a busy machine
    slows every contender alike."""
    best = dict.fromkeys(fns, float("inf"))
    out: dict[str, Any] = {}
    for _ in range(repeat):
        for name, fn in fns.items():
            gc.collect()
            t = time.perf_counter()
            out[name] = fn()
            best[name] = min(best[name], time.perf_counter() - t)
    return best, out


def retained(fn: Callable[[], Any]) -> float:
    """MB newly allocated and still held by fn's result (tracemalloc): the real
    cost of a frame, where memory_usage(deep=True) counts every reference to
    one shared object (such as pd.NA) as a separate object."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    result = fn()
    gc.collect()
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    del result
    return held / 1e6


def mb(df: pd.DataFrame) -> float:
    return float(df.memory_usage(deep=True).sum()) / 1e6


def without_pyarrow(fn: Callable[[], Any]) -> Callable[[], Any]:
    """fn as pandas runs it when pyarrow is not installed (strings as objects)."""

    def run() -> Any:
        with pd.option_context("mode.string_storage", "python"):
            return fn()

    return run


def bench_frames(n: int, repeat: int) -> None:
    rows = records(n)
    frames.to_frame("time_entry", rows[:10])  # generate the extractor once
    fns = {
        "to_frame": lambda: frames.to_frame("time_entry", rows),
        "json_normalize + dtypes": lambda: via_json_normalize(rows),
        "  same, pandas w/o pyarrow": without_pyarrow(lambda: via_json_normalize(rows)),
        "json_normalize alone": lambda: pd.json_normalize(rows),
        "  same, pandas w/o pyarrow ": without_pyarrow(lambda: pd.json_normalize(rows)),
    }
    times, out = timed(fns, repeat)
    for k in ("json_normalize + dtypes", "  same, pandas w/o pyarrow"):
        assert list(out[k].columns) == list(out["to_frame"].columns)
    assert out["json_normalize + dtypes"].dtypes.equals(out["to_frame"].dtypes)
    deep = {k: mb(v) for k, v in out.items()}
    del out
    held = {k: retained(fn) for k, fn in fns.items()}
    print(f"== {n:,} time-entry records -> typed frame (best of {repeat}) ==")
    print(f"{'':30}{'time (s)':>10}{'x to_frame':>12}{'deep MB':>10}{'held MB':>10}")
    ours = times["to_frame"]
    for k in fns:
        print(f"{k:30}{times[k]:10.3f}{times[k] / ours:11.1f}x{deep[k]:10.1f}{held[k]:10.1f}")
    typed, typed_py = times["json_normalize + dtypes"], times["  same, pandas w/o pyarrow"]
    print(
        f"speed: to_frame is {typed / ours:.1f}x faster than json_normalize + dtypes, "
        f"{typed_py / ours:.1f}x without pyarrow; target >= 5x"
    )
    for label, d in (("deep (memory_usage)", deep), ("held (tracemalloc)", held)):
        print(
            f"memory {label}: to_frame / json_normalize + dtypes = "
            f"{d['to_frame'] / d['json_normalize + dtypes']:.2f} (same dtypes), "
            f"without pyarrow {d['to_frame'] / d['  same, pandas w/o pyarrow']:.2f}; "
            f"/ json_normalize alone {d['to_frame'] / d['json_normalize alone']:.2f}, "
            f"without pyarrow {d['to_frame'] / d['  same, pandas w/o pyarrow ']:.2f}; target <= 0.5"
        )


def bench_export(n: int, repeat: int) -> None:
    keys = xp.TIME_ENTRY_KEYS
    array = export_rows(keys, n)
    text = export_csv(array)
    fns = {
        "pandas.read_csv (untyped)": lambda: pd.read_csv(io.StringIO(text)),
        "  engine='pyarrow' (untyped)": lambda: pd.read_csv(
            io.BytesIO(text.encode()), engine="pyarrow"
        ),
        "parse_export_csv (typed)": lambda: parse_export_csv(text, keys),
        "parse_export_array (typed)": lambda: xp.parse_export_array(array, keys),
    }
    times, out = timed(fns, repeat)
    assert len({len(v) for v in out.values()}) == 1
    base = times["pandas.read_csv (untyped)"]
    print(
        f"== {n:,}-row export ({len(text) / 1e6:.0f} MB of CSV, {len(keys)} keys, best of {repeat}) =="
    )
    for k, t in times.items():
        note = " (target <= 1.5x)" if "csv (typed)" in k else ""
        print(f"{k:30}{t:10.3f}   {t / base:.2f}x read_csv{note}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--export-rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    bench_frames(args.rows, args.repeat)
    if args.export_rows:
        bench_export(args.export_rows, max(2, args.repeat // 2))


if __name__ == "__main__":
    main()
