"""Names in a time entry's reference columns, as the references they stand for.

Reads accept names; so does push. ``person_name``, ``company_name``,
``project_name``, ``subproject_name``, ``task_name`` and ``absence_name`` are
read as references when they say something the id and xid columns do not:

- on a new entry (no ``id``), a name whose ``<ref>_id`` and ``<ref>_xid`` are
  missing is looked up: a project within the company the row names, a
  subproject within the project the row names (only there: a subproject
  name left from a copied row must not pull the entry into another project);
- on an existing entry, a name other than the server's is an edit: it moves
  the entry to the entity of that name, unless the id or xid was edited too,
  in which case both must name the same entity (a project is looked up in
  the row's company first, then anywhere, since the company column still
  shows the entry's old one);
- a name equal to the server's is the label the loader wrote: the id and xid
  columns say where the entry goes (clearing ``subproject_id`` logs the
  entry on the project, whatever ``subproject_name`` still says).

A name that names nothing, or several entities, is a reason for the row to be
invalid, naming the column and the choices; except a name nobody has next to
the id or xid the server shows, which is a name from before a rename (the
stateful case: people renamed, then the timesheet pushed): the id is kept
and a warning names the rows. Entity lists are read through the client's
cache, and only for the kinds a name needs.
"""

from __future__ import annotations

import logging
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import NotFound
from ..load.entities import LOADERS
from ..schema import entity
from .state import ref_param, ref_text
from .validate import Ref, RowInput, read_rows

logger = logging.getLogger(__name__)

__all__ = ["REFERENCES", "Directory", "resolve_names"]

#: A time entry's references, parents before children (a project is looked up
#: within the row's company, once the company is known).
REFERENCES = ("person", "company", "project", "subproject", "task", "absence")

#: Where a name is looked up first: the entity the row names one level up.
_SCOPE = {"project": "company", "subproject": "project"}

#: Names shown when a name names nothing.
_SHOWN = 8


@dataclass(frozen=True)
class _Named:
    ref: Ref
    name: str


def _fold(name: str) -> str:
    return " ".join(name.split()).casefold()


class Directory:
    """The entities names may stand for, listed only when a name needs them.

    ``known`` maps ``(kind, ref)`` to the name the server gives it: learnt
    from the server's entries (:meth:`learn`: a fresh read, no request of
    its own; these names win) and from each list read. Lists go through the
    client's cache (the loaders of :mod:`beebole_pandas.load.entities`).
    """

    def __init__(self, client: Any) -> None:
        self.client = client
        self.known: dict[tuple[str, Ref], str] = {}
        #: ``"person_name 'Ann'"`` -> the rows where that name was kept aside as stale.
        self.stale: dict[str, list[RowInput]] = {}
        self._lists: dict[tuple[str, Ref | None], list[_Named]] = {}

    def learn(self, rows: Iterable[RowInput]) -> None:
        """Remember the names the server's entries show for their references."""
        for row in rows:
            for kind in REFERENCES:
                ref, name = row.ref(kind), row.get(f"{kind}_name")
                if ref is not None and name is not None:
                    self.known[(kind, ref)] = name

    def entities(self, kind: str, scope: Ref | None = None) -> list[_Named]:
        """Every ``kind`` entity (of ``scope``, a company or a project, when given)."""
        key = (kind, scope)
        if key not in self._lists:
            loader = LOADERS[kind]
            if scope is None:
                frame = loader(client=self.client)
            else:
                frame = loader(ref_param(scope), client=self.client)
            named = [
                _Named(r.key, r.get("name"))
                for r in read_rows(frame, entity(kind))
                if r.key is not None and r.get("name") is not None
            ]
            for item in named:
                self.known.setdefault((kind, item.ref), item.name)
            self._lists[key] = named
        return self._lists[key]

    def name_of(self, kind: str, ref: Ref, *, read: bool) -> str | None:
        """The server's name of ``ref``; with ``read``, listing ``kind`` if not known yet."""
        found = self.known.get((kind, ref))
        if found is None and read:
            self.entities(kind)
            found = self.known.get((kind, ref))
        return found

    def resolve(
        self, kind: str, name: str, scope: tuple[str, Ref] | None, *, strict: bool = False
    ) -> tuple[list[Ref], str]:
        """The entities ``name`` names, and why that is not exactly one ("" when it is).

        ``scope`` (``("project", ref)``) is looked in first; with ``strict``, only there.
        """
        matches: list[_Named] = []
        everyone: list[_Named] = []
        if scope is not None:
            try:
                everyone = self.entities(kind, scope[1])
            except NotFound as exc:  # an unknown scope: its own reason is reported
                logger.debug("cannot list the %s of %s: %s", kind, ref_text(scope[1]), exc)
            matches = _matching(everyone, name)
        column = f"{kind}_name"
        if not matches and strict and scope is not None:
            within = f"{scope[0]} {ref_text(scope[1])}"
            names = ", ".join(repr(n) for n in sorted({m.name for m in everyone})[:_SHOWN])
            return [], (
                f"{column} {name!r} names no {kind} of {within}"
                + (f" (its {_plural(kind)}: {names})" if names else f" (it has no {_plural(kind)})")
                + f"; set {scope[0]}_id or {scope[0]}_xid to the {scope[0]} of that {kind}, "
                f"or clear {column}"
            )
        if not matches:
            everyone = self.entities(kind)
            matches = _matching(everyone, name)
        refs = [m.ref for m in matches]
        if len(matches) == 1:
            return refs, ""
        if matches:
            shown = ", ".join(sorted(str(ref_text(ref)) for ref in refs))
            return refs, (
                f"{column} {name!r} is ambiguous: it names {len(matches)} {_plural(kind)} "
                f"({shown}); set {kind}_id or {kind}_xid instead"
            )
        valid = sorted({m.name for m in everyone})
        if not valid:
            return [], f"{column} {name!r} names no {kind}: the account has none"
        more = f" and {len(valid) - _SHOWN} more" if len(valid) > _SHOWN else ""
        listed = ", ".join(repr(n) for n in valid[:_SHOWN])
        return [], f"{column} {name!r} names no {kind}; valid names include: {listed}{more}"

    def stale_note(self) -> str | None:
        """The warning for names nobody has, kept aside because the row's id or xid is the server's."""
        if not self.stale:
            return None
        rows = {row.position for group in self.stale.values() for row in group}
        parts = []
        for what, group in self.stale.items():
            labels = ", ".join(repr(r.label) for r in group[:5])
            parts.append(
                f"{what} on rows {labels}"
                + (f" and {len(group) - 5} more" if len(group) > 5 else "")
            )
        return (
            f"{len(rows)} row(s) give a name no entity has next to the id or xid the server "
            f"shows ({'; '.join(parts)}): the id or xid was kept (the entity may have been "
            "renamed since the frame was loaded); reload to refresh the names, or correct "
            "the name to move the entry"
        )


def _plural(kind: str) -> str:
    return "people" if kind == "person" else f"{kind}s"


def _matching(named: list[_Named], name: str) -> list[_Named]:
    """Exact matches, else matches ignoring case and repeated spaces."""
    exact = [n for n in named if n.name == name]
    if exact:
        return exact
    folded = _fold(name)
    return [n for n in named if _fold(n.name) == folded]


def _set(row: RowInput, kind: str, ref: Ref) -> None:
    row.values[f"{kind}_id"] = ref[1] if ref[0] == "id" else None
    row.values[f"{kind}_xid"] = ref[1] if ref[0] == "xid" else None


def _conflict(row: RowInput, kind: str, name: str, given: Ref, known: str) -> None:
    column = f"{kind}_name"
    row.problems.append(
        f"{column} {name!r} is not the name of {kind} {ref_text(given)} ({known!r}): clear "
        f"{kind}_id and {kind}_xid to use the {kind} named {name!r}, or set {column} to {known!r}"
    )
    row.bad.add(column)


def _check_pair(
    row: RowInput, kind: str, name: str, given: Ref, book: Directory, *, read: bool
) -> None:
    """A name next to an id or xid the user gave: both must name one entity.

    A name no entity has is taken for a name from before a rename (the id is
    kept, and a warning says so); a name of another entity is a conflict.
    """
    known = book.name_of(kind, given, read=read)
    if known is None or _fold(known) == _fold(name):
        return
    refs, _ = book.resolve(kind, name, None)
    if given in refs:
        return
    if not refs:
        book.stale.setdefault(f"{kind}_name {name!r}", []).append(row)
        return
    _conflict(row, kind, name, given, known)


def _resolve_one(
    row: RowInput,
    server: RowInput | None,
    kind: str,
    book: Directory,
    unknown: Container[tuple[str, Ref]],
) -> Ref | None:
    column = f"{kind}_name"
    name = row.get(column)
    if name is None or not str(name).strip() or column in row.bad:
        return None
    given = row.ref(kind)
    if server is not None:
        if name == server.get(column):
            return None  # the label the loader wrote
        if given is not None and given != server.ref(kind):
            # The id or xid was edited as well: the two must name one entity.
            _check_pair(row, kind, name, given, book, read=True)
            return None
    elif given is not None:
        # A new row naming its entity twice: checked when the id's name is
        # known without a request (the server's entries show it), else the id wins.
        _check_pair(row, kind, name, given, book, read=False)
        return None
    scope: tuple[str, Ref] | None = None
    strict = False
    if kind in _SCOPE and (ref := row.ref(_SCOPE[kind])) is not None:
        if (_SCOPE[kind], ref) in unknown:
            return None  # the row is refused for its unknown scope already
        scope = (_SCOPE[kind], ref)
        # Named by the user (not the server's, which the loader left in the row): only there.
        strict = server is None or ref != server.ref(_SCOPE[kind])
    refs, reason = book.resolve(kind, str(name), scope, strict=strict)
    kept = server is not None and given is not None and given == server.ref(kind)
    if kept and (given in refs or not refs):
        # The name (also) names the entity the entry is on, or names nothing: a
        # name left from before a rename, not an edit. Said in a warning.
        if not refs:
            book.stale.setdefault(f"{column} {name!r}", []).append(row)
        return None
    if reason:
        row.problems.append(reason)
        row.bad.add(column)
        return None
    _set(row, kind, refs[0])
    return refs[0]


def resolve_names(
    rows: Iterable[RowInput],
    servers: Mapping[int, RowInput],
    book: Directory,
    *,
    kinds: Iterable[str] = REFERENCES,
    unknown: Container[tuple[str, Ref]] = (),
) -> set[tuple[str, Ref]]:
    """Turn the names of ``rows`` into references, in place; report those that cannot be.

    Parameters
    ----------
    rows
        Time-entry rows (:func:`~.validate.read_rows`); a resolved name sets
        the row's ``<ref>_id`` / ``<ref>_xid``, a bad one adds a problem and
        puts ``<ref>_name`` in ``row.bad``.
    servers
        The server's entry of each row that has one, by row position.
    book
        Where names are looked up.
    kinds
        The references to resolve (the person alone before the server is read).
    unknown
        References the server does not know (``(kind, ref)``): names are not
        looked up within them.

    Returns
    -------
    set
        The ``(kind, ref)`` pairs names resolved to: they exist, no need to ask.

    Examples
    --------
    >>> resolve_names(rows, {}, Directory(client))    # doctest: +SKIP
    {('project', ('id', 3008))}
    """
    order = [k for k in REFERENCES if k in set(kinds)]
    resolved: set[tuple[str, Ref]] = set()
    for row in rows:
        server = servers.get(row.position)
        for kind in order:
            ref = _resolve_one(row, server, kind, book, unknown)
            if ref is not None:
                resolved.add((kind, ref))
    return resolved
