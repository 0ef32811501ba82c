"""Literal mode: answers cut to exactly what Beebole's reference documents.

The default sandbox is convenient for tests: every answer has a ``status``,
projects show their ``budget`` and ``hourlyRate``, people their
``hourlyCost`` and ``workHours``, time entries their person and every
ancestor. A real account may show none of that. ``serve(literal=True)``
answers with the documented shapes only, so that a client can be tested
against the strictest reading of the reference:

* **No ``status`` where the reference shows none**: ``custom_field.list``
  (custom-field.mdx), ``group.tree`` (group.mdx), ``time_entry.get_entities``
  and ``time_entry.get_tasks`` (time.mdx) answer with the data alone. Errors
  keep ``{"status": "error", "message": ...}`` (api.mdx, "Response").
* **No member that no documented example shows** (:data:`.literal_shapes.SHAPES`,
  the union of the documented responses of each service). ``xid`` stands
  wherever ``id`` may ("replace id with xid in all requests and responses",
  api.mdx, "External ids").
* **A time entry names the one entity it is logged on**: the documented
  entries show ``subproject`` and ``task`` only; the reference's comment
  "company.id, project.id, subproject.id or absence.id" (time.mdx) says the
  leaf may be any of the four, so the deepest one given is kept (with the
  shape the documented ``subproject`` has) and its ancestors are dropped.
* Exports: the array output holds the same localised text as the CSV (see
  :mod:`.export`); the account's settings apply to both.

Services the reference gives no example for answer as in the default mode.

>>> literal_answer("group.tree", {"status": "ok", "groups": [{"id": 1, "name": "A", "x": 1}]})
{'groups': [{'id': 1, 'name': 'A'}]}
>>> literal_answer("group.tree", {"status": "error", "message": "no"})
{'status': 'error', 'message': 'no'}
"""

from __future__ import annotations

from typing import Any

from .literal_shapes import SHAPES

__all__ = ["SHAPES", "literal_answer", "prune"]

_ENTRY_KEYS = frozenset({"timeEntry", "timeEntries"})
#: The entity an entry is logged on, deepest first (time.mdx, "Examples").
_LEAVES = ("subproject", "project", "company")


def _entry(value: dict[str, Any], shape: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A time entry with only its leaf, and the shape extended to that leaf."""
    value = dict(value)
    leaf = next((k for k in _LEAVES if value.get(k) is not None), None)
    for k in _LEAVES:
        if k != leaf:
            value.pop(k, None)
    ref_shape = shape.get("subproject") or {"id": None, "name": None, "active": None}
    extra = {k: ref_shape for k in (leaf, "absence") if k}
    return value, {**shape, **extra}


def prune(value: Any, shape: Any, member: str | None = None) -> Any:
    """``value`` with only the members ``shape`` allows (recursively).

    >>> prune({"id": 3, "budget": 9, "company": {"xid": "C", "name": "x"}},
    ...       {"id": None, "company": {"id": None}})
    {'id': 3, 'company': {'xid': 'C'}}
    """
    if isinstance(shape, tuple):  # ("list", item shape)
        item = shape[1]
        if not isinstance(value, list) or not item:
            return value
        return [prune(v, item, member) for v in value]
    if not isinstance(shape, dict) or not isinstance(value, dict):
        return value  # a documented value: kept as the sandbox gives it
    if member in _ENTRY_KEYS:
        value, shape = _entry(value, shape)
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key in shape:
            out[key] = prune(item, shape[key], key)
        elif key == "xid" and "id" in shape:
            out[key] = item
    return out


def literal_answer(service: str, answer: dict[str, Any]) -> dict[str, Any]:
    """The answer of ``service`` as the reference documents it (see the module docstring)."""
    shape = SHAPES.get(service)
    if shape is None or answer.get("status") == "error":
        return answer
    out = prune(answer, shape)
    if "status" not in shape:
        out.pop("status", None)
    return dict(out)
