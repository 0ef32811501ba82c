"""Recordings of a doctor run: raw answers as JSON fixtures, with pseudonyms.

``bb.doctor(record=DIR)`` (``python -m beebole_pandas doctor --record DIR``)
saves every answer it read, one file per request (``01-company.list.json``:
the service, its parameters and the answer) and ``doctor.json`` (the
period, the export format found, the checks). Names, emails, comments and
ids are replaced by stable pseudonyms, the same for one value everywhere,
so references still join; the token is in no answer and never written.
:func:`read_recording` types the answers again, as the loaders would: tests
run the parsers on such a folder (``tests/data/doctor-recordings/``).

>>> Pseudonyms().walk({"companies": [{"id": 7, "name": "Acme", "email": "a@acme.com"}]})
{'companies': [{'id': 1001, 'name': 'Company 1', 'email': 'person1@example.com'}]}
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from . import schema
from .api.formats import ExportFormat
from .frames import to_frame
from .load.entities import flatten_tree
from .load.parse import parse_export

__all__ = ["Pseudonyms", "read_recording", "save_recording"]

_KINDS = {
    **{e.list_member: e.name for e in schema.ENTITIES.values()},
    **{name: name for name in schema.ENTITIES},
    "leaders": "person",
    "managers": "person",
    "members": "person",
    "parent": "group",
}
_TEXTS = frozenset({"comment", "memo", "description", "message", "address", "phone"})


class Pseudonyms:
    """Stable stand-ins, the same for one value everywhere in one recording, so
    references still join: ids -> 1001, 1002, ...; xids -> ``X1``...; names ->
    ``Company 1``...; emails -> ``person1@example.com``; free text -> ``Text 1``."""

    def __init__(self) -> None:
        self.seen: dict[tuple[str, Any], Any] = {}

    def _next(self, kind: str, value: Any, make: Callable[[int], Any]) -> Any:
        key = (kind, value)
        if key not in self.seen:
            self.seen[key] = make(sum(1 for k in self.seen if k[0] == kind) + 1)
        return self.seen[key]

    def _value(self, member: str, value: Any, kind: str) -> Any:
        if value is None or isinstance(value, bool):
            return value
        if member == "id" or member.endswith("Id"):
            return self._next("id", value, lambda n: 1000 + n)
        if member == "xid":
            return self._next("xid", value, lambda n: f"X{n}")
        if member in ("name", "firstName", "lastName") and isinstance(value, str):
            label = kind.replace("_", " ").capitalize()
            return self._next(f"name:{kind}", value, lambda n: f"{label} {n}")
        if member == "email" and isinstance(value, str):
            return self._next("email", value, lambda n: f"person{n}@example.com")
        if member in _TEXTS and isinstance(value, str):
            return self._next("text", value, lambda n: f"Text {n}")
        return self.walk(value, kind)

    def walk(self, value: Any, kind: str = "item") -> Any:
        if isinstance(value, Mapping):
            return {k: self._value(str(k), v, _KINDS.get(str(k), kind)) for k, v in value.items()}
        if isinstance(value, list):
            return [self.walk(v, kind) for v in value]
        return value


def save_recording(
    folder: str | os.PathLike[str],
    calls: Sequence[Mapping[str, Any]],
    manifest: Mapping[str, Any],
) -> Path:
    """Write ``calls`` (``service``, ``params``, ``answer``) with pseudonyms, and
    ``manifest`` as ``doctor.json``; a former recording in ``folder`` is replaced.

    >>> save_recording(tmp, [{"service": "company.list", "params": {},
    ...                       "answer": {"companies": []}}], {"period": ["2026-11-01", "2026-11-30"]})  # doctest: +SKIP
    """
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    for old in [*path.glob("[0-9][0-9]-*.json"), path / "doctor.json"]:
        old.unlink(missing_ok=True)  # a former run's fixtures, and only those
    names = Pseudonyms()
    for i, call in enumerate(calls, 1):
        data = names.walk(dict(call))
        (path / f"{i:02d}-{call['service']}.json").write_text(
            json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8"
        )
    (path / "doctor.json").write_text(
        json.dumps(dict(manifest), ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return path


def read_recording(directory: str | os.PathLike[str]) -> dict[str, pd.DataFrame]:
    """The answers a doctor run recorded, typed as the loaders type them.

    Parameters
    ----------
    directory
        A folder written by ``bb.doctor(record=...)`` or ``doctor --record``.

    Returns
    -------
    dict
        File name (``"03-project.list"``) -> frame: list answers through
        :func:`~beebole_pandas.frames.to_frame`, export results through
        :func:`~beebole_pandas.load.parse.parse_export` (with the recorded
        period and format).

    Examples
    --------
    >>> frames = read_recording("doctor-fixtures")     # doctest: +SKIP
    """
    folder = Path(directory)
    manifest = json.loads((folder / "doctor.json").read_text(encoding="utf-8"))
    fmt = ExportFormat.of(manifest.get("export_format") or None)
    period = tuple(manifest["period"])
    out: dict[str, pd.DataFrame] = {}
    keys: list[str] = list(manifest.get("export_keys") or [])
    for path in sorted(folder.glob("[0-9]*-*.json")):
        call = json.loads(path.read_text(encoding="utf-8"))
        service, answer = call["service"], call["answer"]
        if service == "time_entry.export":
            keys = call["params"].get("keys", keys)
        result = (answer.get("job") or {}).get("result") if isinstance(answer, dict) else None
        if service == "time_entry.get_job_info" and result is not None:
            out[path.stem] = parse_export(result, keys, export_format=fmt, period=period)
            continue
        entity = next((e for e in schema.ENTITIES.values() if e.list_service == service), None)
        if entity is not None:
            rows = answer.get(entity.list_member) or []
            out[path.stem] = to_frame(
                entity.name, flatten_tree(rows) if entity.name == "group" else rows
            )
    return out
