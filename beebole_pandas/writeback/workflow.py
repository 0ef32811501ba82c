"""The approval workflow of time entries: submit, approve, reject, lock, unlock.

One request per person over the first to the last date of that person's
rows; the server leaves alone the entries not in the status a step applies to.
"""

from __future__ import annotations

import time
from collections.abc import Hashable
from typing import Any

import pandas as pd

from ..api.client import resolve_client
from ..errors import BeeboleError, PushError, SchemaError, ValidationError
from ..load.scopes import shown
from .results import PushResult
from .state import ref_param
from .validate import Ref, detect_entity, read_rows

__all__ = ["WORKFLOW_VERBS", "workflow"]

#: Workflow verb → the status an entry must have for the verb to apply.
WORKFLOW_VERBS: dict[str, str] = {
    "submit": "draft or rejected",
    "approve": "submitted",
    "reject": "submitted",
    "lock": "approved",
    "unlock": "locked",
}


def workflow(
    frame: pd.DataFrame,
    verb: str,
    *,
    memo: str | None = None,
    client: Any = None,
) -> PushResult:
    """Submit, approve, reject, lock or unlock the frame's people over its dates.

    One request per person, over the first to the last date of that person's
    rows. Entries not in the status the verb applies to are left alone by the
    server.

    Parameters
    ----------
    frame
        A time-entry frame (``person_id``/``person_xid`` and ``date`` are used).
    verb
        ``"submit"``, ``"approve"``, ``"reject"``, ``"lock"`` or ``"unlock"``.
    memo
        The reason, for ``"reject"`` (required there).
    client
        The client; the default one when None.

    Returns
    -------
    PushResult
        One row per person: ``action`` (the verb), ``status``, ``message``,
        ``person_id``, ``person_xid``, ``from``, ``to``.

    Examples
    --------
    >>> entries = bb.time_entries("2026-10-01", "2026-10-31")   # doctest: +SKIP
    >>> workflow(entries, "approve").summary                      # doctest: +SKIP
    'approve time_entry: 12 rows: 12 approve; 12 ok; 12 requests sent in 0.3 s'
    """
    if not isinstance(verb, str) or verb not in WORKFLOW_VERBS:
        raise SchemaError(
            f"unknown workflow step {verb!r}; valid steps are: {', '.join(WORKFLOW_VERBS)}"
        )
    if memo is not None and not isinstance(memo, str):
        raise ValidationError(f"memo={shown(memo)} must be text saying why (a str)")
    if verb == "reject" and not memo:
        raise SchemaError("reject needs a memo= saying why, for the person whose time is rejected")
    if not isinstance(frame, pd.DataFrame):
        raise PushError(f"expected a pandas DataFrame, got {type(frame).__name__}")
    ent = detect_entity(frame, "time_entry" if "hours" in frame.columns else None)
    if ent.name != "time_entry":
        raise SchemaError(f"{verb} works on time-entry frames; this frame holds {ent.name} rows")
    client = resolve_client(client)
    started = time.perf_counter()
    spans: dict[Ref, list[str]] = {}
    for row in read_rows(frame, ent):
        person, day = row.ref("person"), row.get("date")
        if person is not None and day is not None:
            spans.setdefault(person, []).append(day)
    records: list[dict[Hashable, Any]] = []
    sent = 0
    for person, days in sorted(spans.items(), key=lambda item: str(item[0])):
        params: dict[str, Any] = {"person": ref_param(person), "from": min(days), "to": max(days)}
        if verb == "reject":
            params["memo"] = memo
        record: dict[Hashable, Any] = {
            "action": verb,
            "person_id": person[1] if person[0] == "id" else None,
            "person_xid": person[1] if person[0] == "xid" else None,
            "from": params["from"],
            "to": params["to"],
        }
        try:
            sent += 1
            client.call(f"time_entry.{verb}", **params)
        except BeeboleError as exc:
            record.update(status="error", message=str(exc))
        else:
            record.update(
                status="ok",
                message=f"{verb} applied to the {WORKFLOW_VERBS[verb]} entries",
            )
        records.append(record)
    if sent:
        client.invalidate("time_entry")
    columns = ["action", "status", "message", "person_id", "person_xid", "from", "to"]
    table = pd.DataFrame(records, columns=columns)
    table = table.astype(
        {
            "action": "string",
            "status": "string",
            "message": "string",
            "person_id": "Int64",
            "person_xid": "string",
        }
    )
    for column in ("from", "to"):
        table[column] = pd.to_datetime(table[column])
    return PushResult(
        table,
        entity="time_entry",
        verb=verb,
        requests=sent,
        seconds=time.perf_counter() - started,
    )
