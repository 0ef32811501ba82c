"""Row checks against the schema and the server's row: what makes a row invalid,
and what push reports without refusing the row.

Nothing here talks to the server: :mod:`.entities` and :mod:`.time_entries`
call these with the rows of the frame (:func:`~.validate.read_rows`) and the
server's rows (:mod:`.state`). A check that finds a problem appends it, as a
sentence naming the column and the value, to ``row.problems``; a row with
problems is ``invalid``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from ..load.scopes import shown
from ..schema import TIME_ENTRY_TARGETS, Entity
from .state import ref_text
from .validate import Ref, RowInput, is_derived

__all__ = [
    "check_duplicates",
    "check_identity",
    "check_kept_required",
    "check_ref_pairs",
    "check_required",
    "derived_note",
    "missing_note",
    "time_entry_target",
]


def _where(rows: Sequence[RowInput]) -> str:
    return ", ".join(repr(r.label) for r in rows)


def check_duplicates(rows: Iterable[RowInput], column: str, *, what: str) -> None:
    """Mark every row sharing a non-missing ``column`` value with another row."""
    seen: dict[Any, list[RowInput]] = {}
    for row in rows:
        value = row.get(column)
        if value is not None:
            seen.setdefault(value, []).append(row)
    for value, group in seen.items():
        if len(group) > 1:
            for row in group:
                row.problems.append(
                    f"duplicate {what} {value!r}: rows {_where(group)} of the frame "
                    "all claim it; keep one row per entity"
                )


def time_entry_target(row: RowInput) -> tuple[str, Ref] | None:
    """What a time entry is logged on: the absence, else the deepest of
    subproject / project / company (loaders fill the ancestors too)."""
    absence = row.ref("absence")
    if absence is not None:
        return ("absence", absence)
    for name in ("subproject", "project", "company"):
        ref = row.ref(name)
        if ref is not None:
            return (name, ref)
    return None


def check_required(row: RowInput, ent: Entity, *, creating: bool) -> None:
    """Required fields and value ranges, for the row's intended action.

    A reference whose name could not be resolved (its ``<ref>_name`` column is
    in ``row.bad``) already has its reason: it is not reported missing too.
    """
    if ent.name == "time_entry":
        if row.get("date") is None and "date" not in row.bad:
            row.problems.append("date is missing: a time entry needs a date (YYYY-MM-DD)")
        hours = row.get("hours")
        if hours is None and "hours" not in row.bad:
            row.problems.append("hours is missing: a time entry needs hours in [0, 24]")
        elif hours is not None and not 0 <= hours <= 24:
            row.problems.append(f"hours {hours!r} is outside [0, 24]")
        if row.ref("person") is None and "person_name" not in row.bad:
            row.problems.append("person is missing: set person_id, person_xid or person_name")
        named = any(f"{t}_name" in row.bad for t in TIME_ENTRY_TARGETS)
        if time_entry_target(row) is None and not named:
            targets = ", ".join(f"{t}_id" for t in TIME_ENTRY_TARGETS)
            row.problems.append(
                f"nothing to log time on: set one of {targets} (or the _xid, or the _name)"
            )
        return
    if not creating:
        # A missing value leaves the field as it is; an empty string empties it.
        for fld in ent.fields:
            if fld.required and fld.ref is None and row.get(fld.column) == "":
                row.problems.append(f"{fld.column} is empty: it cannot be emptied")
        return
    for fld in ent.fields:
        if not fld.required:
            continue
        if fld.ref is not None:
            message = f"{fld.ref} is missing: set {fld.ref}_id or {fld.ref}_xid to create"
            if row.ref(fld.ref) is None and message not in row.problems:
                row.problems.append(message)
        elif row.get(fld.column) in (None, "") and fld.column not in row.bad:
            row.problems.append(f"{fld.column} is missing: it is required to create a {ent.name}")


def check_kept_required(row: RowInput, ent: Entity, server: RowInput) -> None:
    """A required field the row holds as missing (NaN, None) while the server has a value.

    A missing value leaves a field as it is, but in a required field it is an
    edit nobody can mean to vanish (the name of a project set to NaN): the row
    is refused, naming the column. A column left out of the frame is fine.
    """
    refs_seen: set[str] = set()
    for fld in ent.fields:
        if not fld.required:
            continue
        if fld.ref is None:
            column = fld.column
            if column in row.gaps and server.get(column) is not None:
                row.problems.append(
                    f"{column} is missing ({shown(row.gaps[column])}): a {ent.name} needs a {column} "
                    f"(the server has {server.get(column)!r}); put it back, or leave the "
                    "column out of the frame to keep it as it is"
                )
            continue
        if fld.ref in refs_seen:
            continue
        refs_seen.add(fld.ref)
        columns = (f"{fld.ref}_id", f"{fld.ref}_xid")
        # Only when both columns are there: one alone may be empty for an entity named by the other.
        gone = all(c in row.gaps for c in columns)
        if gone and server.ref(fld.ref) is not None:
            row.problems.append(
                f"{fld.ref} is missing ({fld.ref}_id and {fld.ref}_xid are both empty): a "
                f"{ent.name} needs a {fld.ref} (the server has {ref_text(server.ref(fld.ref))}); "
                f"set {fld.ref}_id or {fld.ref}_xid"
            )


def check_identity(row: RowInput, ent: Entity, server: RowInput) -> None:
    """An xid the row gives to an entity the server knows by its id only.

    The API sets an xid when it creates an entity: an update names the entity
    by ``id`` or by ``xid``, never both, so it cannot give one. Writing the
    rest of the row without the xid would drop that edit without a word.
    """
    xid, ident = row.get("xid"), server.get("id")
    if xid is not None and server.get("xid") is None and ident is not None:
        row.problems.append(
            f"xid {xid!r} cannot be given to {ent.name} {ident}: the Beebole API sets an xid "
            f"only when it creates a {ent.name}, and names it by its id or its xid in an "
            f"update, never both; clear xid to update {ent.name} {ident} by its id"
        )


def check_ref_pairs(row: RowInput, server: RowInput, names: Iterable[str]) -> None:
    """Mark a row whose ``<ref>_id`` and ``<ref>_xid`` are both set but not as on the server.

    Push addresses a reference by its xid when both are set, so an edited id
    next to a kept xid (or the reverse) would be ignored without a word.
    """
    for name in names:
        ident, xid = row.get(f"{name}_id"), row.get(f"{name}_xid")
        before = (server.get(f"{name}_id"), server.get(f"{name}_xid"))
        if ident is None or xid is None or (ident, xid) == before:
            continue
        shown = " and ".join(
            f"{side} {value!r}"
            for side, value in zip(("id", "xid"), before, strict=True)
            if value is not None
        )
        row.problems.append(
            f"{name}_id {ident} and {name}_xid {xid!r} are both set but the server has "
            f"{shown or 'no ' + name}: set only one of them (clear {name}_xid to use "
            f"{name}_id {ident}, or clear {name}_id to use {name}_xid {xid!r})"
        )


def _rows_by_column(found: dict[str, list[RowInput]], limit: int = 5) -> str:
    parts = []
    for column, rows in found.items():
        more = f" and {len(rows) - limit} more" if len(rows) > limit else ""
        parts.append(f"{column} on rows {_where(rows[:limit])}{more}")
    return "; ".join(parts)


def missing_note(
    ent: Entity, pairs: Iterable[tuple[RowInput, RowInput]], *, skip: Iterable[str] = ()
) -> str | None:
    """The warning for optional fields the frame holds as missing where the server has a value.

    A missing value leaves the field as it is (an empty string empties it):
    such rows are planned without that field, and this says so instead of
    letting the edit vanish. ``pairs`` are (frame row, server row).
    """
    skipped = set(skip)
    found: dict[str, list[RowInput]] = {}
    rows: set[int] = set()
    for row, server in pairs:
        for fld in ent.writable:
            column = fld.column
            if fld.ref is not None or fld.required or column in skipped:
                continue
            if column in row.gaps and server.get(column) not in (None, ""):
                found.setdefault(column, []).append(row)
                rows.add(row.position)
    if not found:
        return None
    return (
        f"{len(rows)} row(s) have a missing value where the server has one "
        f"({_rows_by_column(found)}): a missing value leaves the field as it is; set it to "
        "'' to empty a text field"
    )


def derived_note(ent: Entity, pairs: Iterable[tuple[RowInput, RowInput]]) -> str | None:
    """The warning for columns Beebole computes (counts, the group tree's depth and
    path) that differ from the server's: push never writes them.

    Not a reason to refuse the row: these go stale by themselves (a project
    created elsewhere changes its company's ``projects_count``, a renamed
    group its children's ``path``), so a re-run after a push would refuse
    rows it has just written.
    """
    computed = [
        f.column
        for f in ent.fields
        if not f.writable and f.column not in ("id", "xid") and not is_derived(f.column, ent)
    ]
    found: dict[str, list[RowInput]] = {}
    for row, server in pairs:
        for column in computed:
            mine, theirs = row.get(column), server.get(column)
            if mine is not None and theirs is not None and mine != theirs:
                found.setdefault(column, []).append(row)
    if not found:
        return None
    rows = {r.position for group in found.values() for r in group}
    return (
        f"{len(rows)} row(s) differ from the server in columns Beebole computes and push "
        f"never writes ({_rows_by_column(found)}); reload the frame to refresh them"
    )
