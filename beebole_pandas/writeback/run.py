"""Send a plan's writes: bounded concurrency over the client's one session.

Each row's calls go in order (a create, then the deactivate that needs its
id); rows go ``workers`` at a time. A failed write is reported on its row and
never retried here: the next push re-reads the server and re-plans, which is
what makes a re-run safe.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from ..errors import BeeboleError, TransportError
from .validate import RowPlan

__all__ = ["Outcome", "execute", "run"]


@dataclass
class Outcome:
    """What happened to one row."""

    status: str
    message: str
    id: Any
    xid: Any
    sent: int


def _created_key(answer: dict[str, Any], current: tuple[Any, Any]) -> tuple[Any, Any]:
    entry = answer.get("timeEntry")
    if isinstance(entry, dict):
        return entry.get("id", current[0]), current[1]
    return answer.get("id", current[0]), answer.get("xid", current[1])


def _failure(row: RowPlan, exc: BeeboleError, done: int) -> str:
    prefix = f"after {done} of {len(row.calls)} requests succeeded: " if done else ""
    if isinstance(exc, TransportError):
        # The write may have been applied: say whether a re-run is safe for this row.
        retry = (
            "Pushing again re-reads the server first, so this row will not be written twice."
            if row.rerun_safe
            else "This row has no xid: check the server before pushing it again, "
            "or it may be created twice."
        )
        return f"{prefix}{exc.message} {retry}"
    return f"{prefix}{exc}"


def execute(row: RowPlan, client: Any) -> Outcome:
    """Send one row's calls in order; the first failure stops the row."""
    key = (row.id, row.xid)
    sent = 0
    try:
        for call in row.calls:
            params = call.params
            if call.needs_key:
                params = {**params, **({"xid": key[1]} if key[1] is not None else {"id": key[0]})}
            sent += 1
            answer = client.call(call.service, **params)
            if call.service.endswith(".create"):
                key = _created_key(answer, key)
    except BeeboleError as exc:
        return Outcome("error", _failure(row, exc, sent - 1), key[0], key[1], sent)
    if row.action == "create":
        message = "created"
    elif row.action == "update":
        message = f"updated {', '.join(row.changes)}"
    elif row.action == "delete":
        message = "deleted"
    else:
        message = row.note or row.action
    return Outcome("ok", message, key[0], key[1], sent)


def _progress(total: int, enabled: bool, label: str) -> Any:
    if not enabled or total == 0:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:  # pragma: no cover - tqdm is a dependency
        return None
    # leave=True: the bar stays at 100% when done, as the record of what was sent.
    return tqdm(total=total, desc=label, unit="row", leave=True)


def run(
    rows: list[RowPlan],
    *,
    client: Any,
    workers: int,
    progress: bool,
    budget: int | None,
    label: str,
    stale: tuple[str, ...],
) -> tuple[list[Outcome], int]:
    """Send every row's calls, ``workers`` rows at a time, wave after wave.

    Rows without calls get their outcome at once (invalid: error; unchanged:
    ok); with ``budget``, rows whose calls pass it are skipped, in input
    order. Returns the outcomes in input order and the requests sent. The
    cached reads of ``stale`` entities are dropped once, at the end.
    """
    outcomes: list[Outcome | None] = [None] * len(rows)
    todo: list[int] = []
    spent = 0
    for i, row in enumerate(rows):
        if row.action == "invalid":
            outcomes[i] = Outcome("error", row.reason, row.id, row.xid, 0)
        elif not row.calls:
            outcomes[i] = Outcome("ok", row.note or "unchanged", row.id, row.xid, 0)
        elif budget is not None and spent + len(row.calls) > budget:
            outcomes[i] = Outcome(
                "skipped",
                f"not sent: today's budget had {budget} requests for this push; push again after the reset",
                row.id,
                row.xid,
                0,
            )
        else:
            spent += len(row.calls)
            todo.append(i)
    bar = _progress(len(todo), progress, label)
    lock = threading.Lock()

    def work(i: int) -> None:
        outcomes[i] = execute(rows[i], client)
        if bar is not None:
            with lock:
                bar.update(1)

    # Waves: a row that refers to an entity created by another row of the
    # same push (a subgroup of a new group) goes after it.
    waves = sorted({rows[i].wave for i in todo})
    try:
        for wave in waves:
            batch = [i for i in todo if rows[i].wave == wave]
            if workers <= 1:
                for i in batch:
                    work(i)
            else:
                with ThreadPoolExecutor(
                    max_workers=workers, thread_name_prefix="beebole-push"
                ) as pool:
                    list(pool.map(work, batch))
    finally:
        if bar is not None:
            bar.close()
        sent = sum(o.sent for o in outcomes if o is not None)
        if sent:
            # Once, at the end: every read of these entities may now be stale.
            for name in stale:
                client.invalidate(name)
    return [o for o in outcomes if o is not None], sent
