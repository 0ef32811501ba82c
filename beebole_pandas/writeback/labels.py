"""How a plan or a push result names each row: the ``label`` column.

An entity by its name; a time entry by its day, person, what it is logged
on and its hours (``2026-11-10 Thomas Lambert: Wayne Enterprises (Sales), 8 h``);
a link by its two sides. Names come from the row, else from the server's
row, else the reference itself is shown (``id 3``), so a label never costs a
request.
"""

from __future__ import annotations

from collections.abc import Callable

from .checks import time_entry_target
from .state import ref_text
from .validate import Ref, RowInput

__all__ = ["entity_label", "entry_label", "link_label"]

#: The server's name of a reference, when known without a request.
NameOf = Callable[[str, Ref], str | None]


def entity_label(row: RowInput, server: RowInput | None, entity_name: str) -> str:
    """The entity's name (the row's, else the server's), else its key."""
    for source in (row, server):
        name = source.get("name") if source is not None else None
        if name:
            return str(name)
    key = row.key or (server.key if server is not None else None)
    return f"{entity_name} {ref_text(key)}" if key is not None else f"new {entity_name}"


def _name(row: RowInput, kind: str, names: NameOf | None) -> str | None:
    ref = row.ref(kind)
    if ref is None:
        return None
    known = names(kind, ref) if names is not None else None
    return known or row.get(f"{kind}_name") or str(ref_text(ref))


def entry_label(row: RowInput, names: NameOf | None = None) -> str:
    """``2026-11-10 Thomas Lambert: Website Redesign / Discovery (Design), 7.5 h``.

    ``row`` is the entry as it will be (the server's values under the row's,
    for an update); ``names`` gives the server's names of references.

    Examples
    --------
    >>> row = RowInput("a", 0, {"date": "2026-11-10", "person_id": 7, "person_name": "Ann",
    ...                         "project_id": 3, "project_name": "Dev", "hours": 7.5})
    >>> entry_label(row)
    '2026-11-10 Ann: Dev, 7.5 h'
    """
    day = row.get("date") or "no date"
    person = _name(row, "person", names) or "no person"
    target = time_entry_target(row)
    where = "nothing"
    if target is not None:
        kind = target[0]
        where = _name(row, kind, names) or where
        if kind == "subproject":
            project = _name(row, "project", names)
            where = f"{project} / {where}" if project else where
    task = _name(row, "task", names)
    hours = row.get("hours")
    text = f"{day} {person}: {where}" + (f" ({task})" if task else "")
    return text + (f", {hours:g} h" if isinstance(hours, int | float) else "")


def link_label(sides: tuple[tuple[str | None, Ref | None], tuple[str | None, Ref | None]]) -> str:
    """``Rosa Parks → Developers``: each side by its name, else its reference.

    >>> link_label((("Rosa", ("id", 3)), (None, ("xid", "G1"))))
    "Rosa → xid 'G1'"
    """
    shown = [name or (str(ref_text(ref)) if ref is not None else "?") for name, ref in sides]
    return f"{shown[0]} → {shown[1]}"
