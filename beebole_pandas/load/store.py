"""Loads that resume across days: ``bb.sync`` and ``time_entries(..., resume=True)``.

A period too large for one day's budget (2,048 KB) is split into month
chunks (halved until each fits a day); each call fetches, in order, the
chunks that fit in what is free today, and of the first chunk that does not,
the first days that do (sized by the estimate), so that each day is filled,
not only its first whole chunks. What was fetched is kept in a local store:
Parquet files in the user's data directory (``platformdirs``, or
``$BEEBOLE_DATA_DIR``), one folder per account and per load scope, each file
written atomically (a temporary file, then a rename). The next call, on any
later day, continues from there. A chunk whose entries were all approved or
locked, and whose days are over, is never fetched again; other stored chunks
are fetched again only with ``refresh=True``. Frames read from the store are
identical to frames loaded at once.

>>> import beebole_pandas as bb
>>> report = bb.sync("2026-01-01", "2026-12-31")     # doctest: +SKIP
>>> report                                           # doctest: +SKIP
SyncReport(2026-01-01..2026-12-31: 5 of 12 chunks stored (5 fetched today: 44 requests, 1,912.0 KB); 7 left, about 12,100 KB: go on after 2026-12-07 00:00 UTC)
>>> report.frame()                                   # doctest: +SKIP
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import logging
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..api.client import resolve_client
from ..errors import BudgetExceeded
from ..frames import provenance
from .estimate import Estimate, JobEstimate, budget_now, months_of
from .export import probe_hours
from .export_size import entries_of
from .scopes import flag, period, statuses

__all__ = ["CLOSED", "SyncReport", "data_dir", "run_sync"]

logger = logging.getLogger(__name__)

#: Statuses of a chunk that is never fetched again.
CLOSED = frozenset({"approved", "locked"})
#: Share of a day's KB a chunk may take (the rest for the probes and lists).
CHUNK_SHARE = 0.85
#: What a chunk's estimate may be short by: a chunk is fetched today only when
#: its estimate, this share of it and :data:`OVERHEAD_BYTES` fit in what is free.
SLACK = 0.1
#: Bytes kept free around a chunk's export job (its probe, the job's answers).
OVERHEAD_BYTES = 8 * 1024
#: A weekend day's share of a month's hours beside a working day's (entries
#: are mostly logged on working days: a piece of a month is sized by them).
WEEKEND_WEIGHT = 0.25
_LOCK = threading.Lock()


def data_dir() -> Path:
    """Where stores live: ``$BEEBOLE_DATA_DIR``, else ``platformdirs.user_data_dir``."""
    given = os.environ.get("BEEBOLE_DATA_DIR")
    if given:
        return Path(given)
    import platformdirs

    return Path(platformdirs.user_data_dir("beebole_pandas"))


def _private_dir(path: Path) -> Path:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.is_symlink():
        raise OSError(f"{path} is a symbolic link; refusing to keep data there")
    return path


def _atomic_write(path: Path, write: Any) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        write(tmp)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


@dataclass
class Chunk:
    """One period of a sync: ``first``..``last``, and what the store knows of it."""

    first: str
    last: str
    state: str = "left"  # "closed", "stored", "fetched", "left"
    rows: int = 0
    estimate: JobEstimate | None = None


@dataclass
class SyncReport:
    """What a :func:`sync` call did and what is left.

    Attributes
    ----------
    chunks
        Every chunk of the period with its state: ``closed`` (stored, all
        approved or locked: never fetched again), ``stored`` (stored, may
        change; refetched with ``refresh=True``), ``fetched`` (today), ``left``.
    requests, kb
        What this call spent.
    left
        The :class:`~beebole_pandas.load.estimate.Estimate` of what is left.
    """

    start: str
    end: str
    chunks: list[Chunk]
    requests: int
    kb: float
    left: Estimate
    resets_at: _dt.datetime | None
    folder: Path
    scope: dict[str, Any] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        """Whether every chunk of the period is stored."""
        return all(c.state != "left" for c in self.chunks)

    def summary(self) -> str:
        done = sum(c.state != "left" for c in self.chunks)
        fetched = sum(c.state == "fetched" for c in self.chunks)
        text = (
            f"{self.start}..{self.end}: {done} of {len(self.chunks)} chunks stored "
            f"({fetched} fetched now: {self.requests} requests, {self.kb:,.1f} KB)"
        )
        if self.complete:
            return text + "; complete"
        left = [c for c in self.chunks if c.state == "left"]
        when = f"{self.resets_at:%Y-%m-%d %H:%M} UTC" if self.resets_at else "the next reset"
        return (
            text + f"; {len(left)} left ({left[0].first}..{left[-1].last}), about "
            f"{self.left.kb:,.0f} KB ({self.left.days:.1f} days of budget): go on after {when} "
            "by calling bb.sync (or time_entries(..., resume=True)) again"
        )

    def __repr__(self) -> str:
        return f"SyncReport({self.summary()})"

    def frame(self, *, strict: bool = False) -> pd.DataFrame:
        """The time entries stored for the period (identical to one load of it).

        With ``strict=True`` an incomplete period raises
        :class:`~beebole_pandas.errors.BudgetExceeded` (saying what is left).
        """
        if strict and not self.complete:
            raise BudgetExceeded(
                f"time entries of {self.start}..{self.end} not complete yet: {self.summary()}. "
                "What was fetched is kept; nothing is fetched twice.",
                details={"report": self},
            )
        parts = [
            _read(self.folder / _name(c)) for c in self.chunks if (self.folder / _name(c)).exists()
        ]
        parts = [p for p in parts if len(p)]
        if not parts:
            from .entry_columns import entries_frame, keys_for
            from .export import export_parse

            columns = self.scope.get("columns")
            keys, _ = keys_for(columns)
            empty = export_parse.parse_export([], keys)
            frame = entries_frame(empty, keys, {}, columns)
        else:
            frame = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
        frame.attrs["beebole"] = provenance("time_entry", {**self.scope, "store": str(self.folder)})
        return frame


def _name(chunk: Chunk) -> str:
    return f"{chunk.first}_{chunk.last}.parquet"


def _read(path: Path) -> pd.DataFrame:
    frame = pd.read_parquet(path)
    frame.attrs.clear()
    return frame


def _folder(client: Any, scope: dict[str, Any]) -> Path:
    text = json.dumps(scope, sort_keys=True, default=str)
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    folder = _private_dir(data_dir() / str(client.fingerprint) / "time_entries" / digest)
    scope_file = folder / "scope.json"
    if not scope_file.exists():
        _atomic_write(scope_file, lambda p: p.write_text(text, encoding="utf-8"))
    return folder


def _manifest(folder: Path) -> dict[str, Any]:
    try:
        data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _save_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    text = json.dumps(manifest, sort_keys=True, indent=1)
    _atomic_write(folder / "manifest.json", lambda p: p.write_text(text, encoding="utf-8"))


def _split(first: str, last: str) -> list[tuple[str, str]]:
    a, b = _dt.date.fromisoformat(first), _dt.date.fromisoformat(last)
    middle = a + (b - a) // 2
    return [(first, middle.isoformat()), ((middle + _dt.timedelta(days=1)).isoformat(), last)]


def _plan(
    client: Any, chunks: list[Chunk], probe: pd.DataFrame, keys: list[str], fmt: str
) -> list[Chunk]:
    """Each chunk left with its estimate, halved until it fits a day's share."""
    from .estimate import job_estimate

    daily = budget_now(client).daily_kb * 1024 * CHUNK_SHARE
    out: list[Chunk] = []
    todo = list(chunks)
    while todo:
        chunk = todo.pop(0)
        if chunk.state != "left":
            out.append(chunk)
            continue
        rows = entries_of(client, _probe_share(probe, chunk.first, chunk.last))
        est = job_estimate(client, keys, fmt, rows, f"export {chunk.first}..{chunk.last} ({fmt})")
        if est.nbytes > daily and chunk.first != chunk.last:
            todo[:0] = [Chunk(a, b) for a, b in _split(chunk.first, chunk.last)]
            continue
        chunk.estimate = est
        out.append(chunk)
    return out


def _probe_share(probe: pd.DataFrame, first: str, last: str) -> pd.DataFrame:
    """The probe's rows of the months of [first, last], hours prorated by days
    (a weekend day weighs :data:`WEEKEND_WEIGHT` of a working day)."""
    if not len(probe):
        return probe
    out = []
    for a, b in months_of(first, last):
        month = a[:7]
        rows = probe[probe["month"].astype("string") == month]
        start = _dt.date.fromisoformat(a).replace(day=1)
        end = (start.replace(day=28) + _dt.timedelta(days=4)).replace(day=1)
        share = _days_weight(a, b) / _days_weight(start.isoformat(), end.isoformat(), stop=True)
        out.append(rows.assign(hours=rows["hours"] * share))
    return pd.concat(out, ignore_index=True) if out else probe.iloc[:0]


def _days_weight(first: str, last: str, *, stop: bool = False) -> float:
    """Working days of [first, last] (``stop``: [first, last)), plus weekend days
    at :data:`WEEKEND_WEIGHT`."""
    end = _dt.date.fromisoformat(last) + _dt.timedelta(days=0 if stop else 1)
    days = (end - _dt.date.fromisoformat(first)).days
    work = int(np.busday_count(first, end.isoformat()))
    return work + (days - work) * WEEKEND_WEIGHT


def _room(client: Any) -> float:
    """The bytes a chunk's estimate may take today (see :data:`SLACK`)."""
    free = budget_now(client)
    return max(free.kb_free * 1024 - OVERHEAD_BYTES, 0.0) / (1 + SLACK)


def _first_days(
    client: Any,
    chunk: Chunk,
    probe: pd.DataFrame,
    keys: list[str],
    fmt: str,
    room: float,
) -> tuple[Chunk, Chunk] | None:
    """``chunk`` cut in two so that the first part's estimate fits in ``room``:
    the most days that do, None when not even its first day does."""
    from .estimate import job_estimate

    def estimate(last: str) -> JobEstimate:
        rows = entries_of(client, _probe_share(probe, chunk.first, last))
        return job_estimate(client, keys, fmt, rows, f"export {chunk.first}..{last} ({fmt})")

    start = _dt.date.fromisoformat(chunk.first)
    lo, hi = 0, (_dt.date.fromisoformat(chunk.last) - start).days - 1  # days after first
    best: tuple[str, JobEstimate] | None = None
    while lo <= hi:  # the estimate grows with the days: the last day that fits
        mid = (lo + hi) // 2
        last = (start + _dt.timedelta(days=mid)).isoformat()
        est = estimate(last)
        if est.nbytes <= room:
            best, lo = (last, est), mid + 1
        else:
            hi = mid - 1
    if best is None:
        return None
    last, est = best
    after = (_dt.date.fromisoformat(last) + _dt.timedelta(days=1)).isoformat()
    rest = Chunk(after, chunk.last)
    rows = entries_of(client, _probe_share(probe, after, chunk.last))
    rest.estimate = job_estimate(client, keys, fmt, rows, f"export {after}..{chunk.last} ({fmt})")
    return Chunk(chunk.first, last, estimate=est), rest


def run_sync(
    load: Any,
    start: Any,
    end: Any,
    *,
    person: Any = None,
    company: Any = None,
    project: Any = None,
    status: Any = None,
    columns: list[str] | None = None,
    client: Any = None,
    refresh: bool = False,
    dry_run: bool = False,
) -> Any:
    """Fetch what fits today of a period's time entries into the local store
    (``bb.sync``, :func:`beebole_pandas.load.time_entries.sync`).

    Parameters
    ----------
    load
        :func:`~beebole_pandas.load.time_entries.time_entries`, run per chunk.
    start, end
        The period, both included.
    person, company, project, status, columns
        As for :func:`beebole_pandas.time_entries` (each scope has its own store).
    refresh
        Fetch again the stored chunks that are not closed (closed chunks,
        all approved or locked, are never fetched again).
    dry_run
        Return the :class:`~beebole_pandas.load.estimate.Estimate` of what is
        left, fetching nothing.

    Returns
    -------
    SyncReport
        What was fetched, what is left and when it can go on;
        ``report.frame()`` reads the stored entries.

    Examples
    --------
    >>> report = run_sync(time_entries, "2025-01-01", "2026-12-31")   # doctest: +SKIP
    >>> report.complete, report.frame().shape                         # doctest: +SKIP
    """
    from .entry_columns import keys_for

    time_entries = load

    first, last = period(start, end)
    codes = statuses(status)
    refresh = flag(refresh, "refresh")
    dry_run = flag(dry_run, "dry_run")
    keys, lists = keys_for(columns)
    client = resolve_client(client)
    scope = {
        "person": person,
        "company": company,
        "project": project,
        "status": codes,
        "columns": list(columns) if columns is not None else None,
    }
    folder = _folder(client, scope)
    with _LOCK:
        manifest = _manifest(folder)
    today = client.budget.day
    chunks: list[Chunk] = []
    for a, b in months_of(first, last):
        chunks.extend(_stored(manifest, a, b, refresh))
    before = budget_now(client)
    left = [c for c in chunks if c.state == "left"]
    fmt = (
        "csv"
        if all(k[:-2] in lists for k in keys if k.endswith("Id") and k != "eventId")
        else "array"
    )
    if left:
        probe = probe_hours(client, left[0].first, left[-1].last)
        chunks = _plan(client, chunks, probe, keys, fmt)
    at = 0
    while at < len(chunks) and not dry_run:
        chunk = chunks[at]
        at += 1
        if chunk.state != "left":
            continue
        assert chunk.estimate is not None
        if budget_now(client).requests_free < 50:
            break
        room = _room(client)
        if chunk.estimate.nbytes > room:
            # Fill the day: the first days of the chunk that fit, the rest another day.
            parts = _first_days(client, chunk, probe, keys, fmt, room)
            if parts is None:
                break
            chunks[at - 1 : at] = parts
            chunk = parts[0]
        try:
            frame = time_entries(
                chunk.first,
                chunk.last,
                person=person,
                company=company,
                project=project,
                status=codes,
                columns=columns,
                client=client,
                refresh=refresh,
            )
        except BudgetExceeded as exc:
            logger.info("sync: %s..%s waits for another day (%s)", chunk.first, chunk.last, exc)
            break
        closed = _closed(frame, chunk.last, today)
        path = folder / _name(chunk)
        _atomic_write(path, lambda p, f=frame: f.to_parquet(p, index=False))
        with _LOCK:
            manifest = _manifest(folder)
            _drop_overlaps(folder, manifest, chunk)
            manifest[_name(chunk)] = {
                "first": chunk.first,
                "last": chunk.last,
                "closed": closed,
                "rows": len(frame),
                "fetched": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
            }
            _save_manifest(folder, manifest)
        chunk.state, chunk.rows = "fetched", len(frame)
    after = budget_now(client)
    remaining = tuple(c.estimate for c in chunks if c.state == "left" and c.estimate is not None)
    report = SyncReport(
        start=first,
        end=last,
        chunks=chunks,
        requests=after.requests_used - before.requests_used,
        kb=(after.bytes_used - before.bytes_used) / 1024,
        left=Estimate(jobs=remaining, budget=after),
        resets_at=after.resets_at,
        folder=folder,
        scope={"start": first, "end": last, **scope},
    )
    logger.info("sync %s", report.summary())
    return report.left if dry_run else report


def _stored(manifest: dict[str, Any], first: str, last: str, refresh: bool) -> list[Chunk]:
    """The chunks of the month [first, last]: those stored, and the gaps between them left."""
    found = sorted(
        (v for v in manifest.values() if first <= v.get("first", "") and v.get("last", "") <= last),
        key=lambda v: (v["first"], v["last"]),
    )
    day = _dt.timedelta(days=1)
    chunks: list[Chunk] = []
    cursor = _dt.date.fromisoformat(first)
    for v in found:
        start, stop = _dt.date.fromisoformat(v["first"]), _dt.date.fromisoformat(v["last"])
        if start < cursor:
            continue  # overlaps one already taken
        if start > cursor:
            chunks.append(Chunk(cursor.isoformat(), (start - day).isoformat()))
        state = "closed" if v.get("closed") else ("left" if refresh else "stored")
        chunks.append(Chunk(v["first"], v["last"], state, int(v.get("rows", 0))))
        cursor = stop + day
    if cursor <= _dt.date.fromisoformat(last):
        chunks.append(Chunk(cursor.isoformat(), last))
    return chunks


def _drop_overlaps(folder: Path, manifest: dict[str, Any], chunk: Chunk) -> None:
    """Forget stored chunks that ``chunk`` overlaps (it replaces them)."""
    for name, v in list(manifest.items()):
        if (
            name != _name(chunk)
            and v.get("first", "") <= chunk.last
            and chunk.first <= v.get("last", "")
        ):
            del manifest[name]
            (folder / name).unlink(missing_ok=True)


def _closed(frame: pd.DataFrame, last: str, today: str) -> bool:
    """All entries approved or locked, and the chunk's days over."""
    if last >= today or not len(frame) or "status" not in frame.columns:
        return False
    labels = set(frame["status"].astype("string").dropna().unique())
    complete = frame["status"].notna().all()
    return bool(complete) and labels <= CLOSED and bool(labels)
