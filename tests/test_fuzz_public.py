"""Property tests: every bad input to a public function ends in a BeeboleError.

The rule (from the issue): every call either succeeds or raises an instance of
:class:`beebole_pandas.BeeboleError` (``ValidationError`` for a bad argument,
``SchemaError`` for a frame of the wrong shape, ``NotFound`` ... for what the
server refuses). The only other exceptions allowed are ``TypeError`` and
``ValueError`` whose message names the argument (see :func:`outcome`); a bare
``KeyError``, ``AttributeError``, ``IndexError``, pyarrow error, or a
``ValueError`` from deep inside pandas is a failure.

And the budget: an input refused as invalid must be refused before anything is
sent, so where the test knows an input is invalid by construction (a float as
an id, a NaT as a date, a MultiIndex of columns ...) it checks that the
sandbox's request counter did not move.

Everything runs against a real local sandbox (``demo_server``, read-only: plan()
only reads), with one client and cache for the whole module so that repeated
reads are free; examples are derandomised so that CI sees the same inputs.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import beebole_pandas as bb
from beebole_pandas import reports

MONTH = ("2026-10-01", "2026-10-31")
# plan() warns about ignored columns and keyless rows: expected with corrupted frames.
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

# CI runs a fixed, derandomised set of examples (the whole file in well under a
# minute). For a deeper local search, random and 20 times longer:
#   BEEBOLE_FUZZ_SCALE=20 BEEBOLE_FUZZ_RANDOM=1 pytest tests/test_fuzz_public.py --hypothesis-seed=7
SCALE = max(1, int(os.environ.get("BEEBOLE_FUZZ_SCALE", "1")))
EXPLORE = os.environ.get("BEEBOLE_FUZZ_RANDOM", "") not in ("", "0")
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=not EXPLORE,
    database=None,
)


def examples(n: int) -> settings:
    """The settings of one property: ``n`` examples (times BEEBOLE_FUZZ_SCALE)."""
    return settings(FUZZ, max_examples=n * SCALE)


# -- the property ---------------------------------------------------------------------


def outcome(call: Callable[[], Any], names: Sequence[str]) -> BaseException | None:
    """Run ``call``: None when it succeeds, the exception when it is an allowed one.

    Allowed: any :class:`bb.BeeboleError`; a ``TypeError`` or ``ValueError``
    only when its message names one of the arguments ``names`` (the brief's
    allow-list: a wrong Python type refused before anything is sent). Any
    other exception fails the test, with its traceback.
    """
    try:
        call()
    except bb.BeeboleError as exc:
        event(f"raised {type(exc).__name__}")
        return exc
    except (TypeError, ValueError) as exc:
        if any(name in str(exc) for name in names):
            event(f"raised {type(exc).__name__} naming the argument")
            return exc
        raise AssertionError(
            f"raw {type(exc).__name__} whose message names none of {list(names)}: {exc}"
        ) from exc
    event("succeeded")
    return None


def refused(exc: BaseException | None) -> bool:
    """Whether ``exc`` is a refusal of the input itself (not the server's answer)."""
    refusals = bb.ValidationError | bb.SchemaError | bb.PushError | TypeError | ValueError
    return isinstance(exc, refusals)


def is_one_of(value: Any, choices: Sequence[str]) -> bool:
    """``value in choices`` for any value (``pd.NA in choices`` has no truth value)."""
    return isinstance(value, str) and value in choices


def requests_of(server: Any) -> int:
    return int(server.stats()["requests"])


WRITE_VERBS = (
    "create",
    "update",
    "delete",
    "activate",
    "deactivate",
    "submit",
    "approve",
    "reject",
    "lock",
    "unlock",
    "add_group",
    "remove_group",
    "attach_manager",
    "detach_manager",
    "attach_member",
    "detach_member",
)


def writes_of(server: Any) -> int:
    by_service = server.stats()["by_service"]
    return sum(n for s, n in by_service.items() if s.rsplit(".", 1)[-1] in WRITE_VERBS)


# -- fixtures -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(demo_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One client for the module (its own cache), not the default one."""
    c = bb.connect(
        demo_server.token,
        url=demo_server.url,
        cache_dir=tmp_path_factory.mktemp("fuzz-cache"),
        set_default=False,
        # The client's own daily meter: the module reads far more than a day's 2 MB.
        daily_requests=10**9,
        daily_kb=10**9,
    )
    yield c
    c.close()


class Frames(dict[str, pd.DataFrame]):
    """The loaded frames, shown briefly when hypothesis prints a failing example."""

    def __repr__(self) -> str:
        return f"<frames {', '.join(self)}>"


@pytest.fixture(scope="module")
def loaded(client: Any) -> dict[str, pd.DataFrame]:
    """Real frames of the demo account, the seeds of the corrupted ones."""
    entries = bb.time_entries(*MONTH, client=client)
    # A few people's first entries: plan() on them stays a handful of reads.
    who = entries["person_id"].dropna().unique()[:2]
    few = entries[entries["person_id"].isin(who)].head(6).reset_index(drop=True)
    return Frames(
        {
            "entries": entries.sample(80, random_state=1).sort_index().reset_index(drop=True),
            "few_entries": few,
            "people": bb.people(client=client),
            "companies": bb.companies(client=client),
            "projects": bb.projects(client=client),
            "subprojects": bb.subprojects(client=client),
            "tasks": bb.tasks(client=client),
            "absences": bb.absences(client=client),
            "groups": bb.groups(client=client),
        }
    )


# -- strategies: scope arguments ------------------------------------------------------


def calls(
    good: st.SearchStrategy[dict[str, Any]], anything: dict[str, st.SearchStrategy[Any]]
) -> st.SearchStrategy[dict[str, Any]]:
    """Argument sets of one function, in three kinds, a third of the time each:
    all valid (``good``: the call reaches the server); valid but for one
    argument drawn from ``anything`` (the check of that argument, and that it
    comes before anything is sent); or every argument from ``anything``.
    With every argument left to chance, a call with six arguments would
    almost never reach the server, nor test one argument's check alone."""

    def one_changed(args: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
        return st.sampled_from(sorted(anything)).flatmap(
            lambda name: anything[name].map(lambda value: {**args, name: value})
        )

    return st.one_of(good, good.flatmap(one_changed), st.fixed_dictionaries(anything))


HUGE = [2**63, 2**64 + 1, -(2**63) - 1, 10**30, -(10**30), 10**400]
REAL_SCOPES = [
    "Acme Industries",
    "acme industries",
    "C-ACME",
    101,
    {"id": 101},
    {"xid": "C-ACME"},
    "Website Redesign",
    "P-ACME-WEB",
    3004,
    "Olivia Bennett",
    1001,
    "E-0003",
]
ODD_TEXT = ["", " ", "\t\n", "é", "😀", "\x00", "Nope Inc", "None", "nan", "1001", "C-ACME "]
ODD_SCALARS = [
    pd.NA,
    pd.NaT,
    np.nan,
    np.inf,
    True,
    False,
    np.True_,
    np.int64(101),
    np.float64(101.0),
    1.0,
    -0.0,
    dt.date(2026, 10, 1),
    {"id": -1},
    {"id": "101"},
    {"id": 101, "xid": "C-ACME"},
    {"xid": 5},
    {"xid": ""},
    {"name": "Acme Industries"},
    {},
    {"id": True},
    {"id": 2**70},
    (),
]
scope_scalar = st.one_of(
    st.sampled_from(REAL_SCOPES),
    st.integers(min_value=-3, max_value=3),
    st.sampled_from(HUGE),
    st.floats(),
    st.sampled_from(ODD_TEXT),
    st.text(max_size=6),
    st.none(),
    st.binary(max_size=3),
    st.sampled_from(ODD_SCALARS),
)
good_scope = st.one_of(
    st.none(), st.sampled_from(REAL_SCOPES), st.lists(st.sampled_from(REAL_SCOPES), max_size=3)
)
scope_values = st.one_of(
    st.none(),
    good_scope,
    scope_scalar,
    st.lists(scope_scalar, max_size=3),
    st.lists(st.lists(scope_scalar, max_size=2), min_size=1, max_size=2),
    st.lists(scope_scalar, max_size=3).map(tuple),
    st.sampled_from([{"a", "b"}, frozenset(), pd.Series([101, "C-ACME"]), np.array([101])]),
)

_LISTS = (list, tuple, set, frozenset, pd.Series, pd.Index, np.ndarray)


def _bad_item(value: Any) -> bool:
    """An item of a scope argument that is invalid whatever the account holds."""
    if isinstance(value, bool | np.bool_):
        return True
    if isinstance(value, int | np.integer):
        return not 1 <= int(value) < 2**63
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, dict):
        if len(value) != 1 or not set(value) <= {"id", "xid"}:
            return True
        ((key, inner),) = value.items()
        return _bad_item(inner) or (key == "id") != isinstance(inner, int | np.integer)
    return True  # floats, bytes, NA, NaT, None inside a list, nested lists ...


def bad_scope(value: Any) -> bool:
    """Whether a scope argument must be refused before any request."""
    if value is None:
        return False
    items = list(value) if isinstance(value, _LISTS) else [value]
    return any(_bad_item(v) for v in items)


# -- strategies: dates ------------------------------------------------------------------

GOOD_DATES: list[Any] = [
    "2026-10-01",
    "2026-10-31",
    "2026-10-12",
    "20261005",
    "2026-10-01T09:30",
    "2026-10-20 17:00:00",
    "2026-W42-1",
    dt.date(2026, 10, 5),
    dt.datetime(2026, 10, 20, 13, 0),
    pd.Timestamp("2026-10-09"),
    pd.Timestamp("2026-10-09 23:30", tz="Europe/Paris"),
    np.datetime64("2026-10-03"),
    "0001-01-01",
    dt.date(1, 1, 1),
    "9999-12-31",
    dt.date(9999, 12, 31),
]
BAD_DATES: list[Any] = [
    pd.NaT,
    np.datetime64("NaT"),
    None,
    pd.NA,
    np.nan,
    20261001,
    1.5,
    True,
    b"2026-10-01",
    "",
    " ",
    "today",
    "2026/10/01",
    "01-10-2026",
    "2026-13-01",
    "2026-02-30",
    "10000-01-01",
    ["2026-10-01"],
    {"date": "2026-10-01"},
]
any_date = st.one_of(st.sampled_from(GOOD_DATES + BAD_DATES), st.text(max_size=12))
#: Valid periods, in order: a few, so that the export jobs they start are cached.
GOOD_PERIODS: list[tuple[Any, Any]] = [
    MONTH,
    ("2026-10-05", "2026-10-11"),
    (dt.date(2026, 10, 1), pd.Timestamp("2026-10-15 13:00")),
    ("20261001", "2026-10-31T23:59"),
    ("2026-W41-1", np.datetime64("2026-10-09")),
    (pd.Timestamp("2026-10-12", tz="Europe/Paris"), dt.datetime(2026, 10, 16, 8, 0)),
    ("0001-01-01", "2026-10-02"),
    ("2026-10-30", "9999-12-31"),
    (dt.date(1, 1, 1), dt.date(9999, 12, 31)),
]
any_period = st.one_of(st.sampled_from(GOOD_PERIODS), st.tuples(any_date, any_date))


def parse_date(value: Any) -> dt.date | None:
    """The day a date argument of the loaders names, None when it is invalid."""
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else pd.Timestamp(value).date()
    if value is pd.NaT:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return None


def bad_period(start: Any, end: Any) -> bool:
    first, last = parse_date(start), parse_date(end)
    return first is None or last is None or last < first


# -- strategies: other loader arguments ---------------------------------------------------

status_scalar = st.one_of(
    st.sampled_from(["d", "s", "a", "r", "l", "draft", "approved", "locked"]),
    st.sampled_from(["", "x", "A", "Approved", 5, 0, None, pd.NA, np.nan, b"a", True, 1.5]),
)
good_status = st.sampled_from([None, "a", "approved", ["s", "a"], ("d", "r", "l")])
status_values = st.one_of(
    good_status,
    status_scalar,
    st.lists(status_scalar, max_size=3),
    st.sampled_from([{"a"}, ("a", "s"), {"a": 1}, pd.Series(["a", "s"])]),
)
GOOD_STATUS = {"d", "s", "a", "r", "l", "draft", "submitted", "approved", "rejected", "locked"}


def bad_status(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return value not in GOOD_STATUS
    if isinstance(value, list | tuple | set | frozenset | pd.Series):
        return any(not isinstance(v, str) or v not in GOOD_STATUS for v in value)
    return True


# -- strategies: corrupted frames ---------------------------------------------------------

ODD_CELLS: list[Any] = [
    pd.NaT,
    np.nan,
    pd.NA,
    None,
    np.inf,
    -np.inf,
    10**30,
    2**63,
    -(2**63) - 1,
    1e308,
    -1,
    0,
    3.5,
    True,
    b"bytes",
    "x",
    "",
    "2026-10-01",
    "0001-01-01",
    "9999-12-31",
    dt.date(1, 1, 1),
    pd.Timestamp("2026-10-02", tz="UTC"),
    [1],
    [],
    [1, 2],
    {"a": 1},
    ("t",),
    np.datetime64("NaT"),
]
ODD_LABELS: list[Any] = [5, None, "", ("a", "b"), "DATE", "id ", 1.5]
ODD_DTYPES = ["object", "str", "string", "float64", "Int64", "category", "bool", "datetime64[s]"]
ODD_ATTRS: list[Any] = ["x", None, {"entity": 5}, {"entity": "task"}, {}, {"entity": ["a"]}, 3]
OPS = (
    "cell",
    "column",
    "astype",
    "drop",
    "rename",
    "tz",
    "attrs",
    "dup_rows",
    "dup_index",
    "odd_index",
    "dup_column",
    "multiindex",
    "empty",
)


def _set_cell(frame: pd.DataFrame, j: int, i: int, value: Any) -> pd.DataFrame:
    values = frame.iloc[:, j].astype(object).tolist()
    values[i] = value
    out = frame.copy()
    out.isetitem(j, pd.Series(values, index=frame.index, dtype=object))
    return out


@st.composite
def corrupted(draw: st.DrawFn, base: pd.DataFrame) -> pd.DataFrame:
    """``base`` with a few random corruptions, applied in a fixed order of kinds."""
    frame = base.copy()
    frame.attrs = dict(base.attrs)
    ops = draw(st.lists(st.sampled_from(OPS), min_size=1, max_size=3))
    for op in sorted(ops, key=OPS.index):
        ncols = frame.shape[1]
        if op == "cell" and len(frame) and ncols:
            for _ in range(draw(st.integers(1, 3))):
                j = draw(st.integers(0, ncols - 1))
                i = draw(st.integers(0, len(frame) - 1))
                frame = _set_cell(frame, j, i, draw(st.sampled_from(ODD_CELLS)))
        elif op == "column" and ncols:
            j = draw(st.integers(0, ncols - 1))
            value = draw(st.sampled_from(ODD_CELLS))
            frame = frame.copy()
            frame.isetitem(j, pd.Series([value] * len(frame), index=frame.index, dtype=object))
        elif op == "astype" and ncols:
            j = draw(st.integers(0, ncols - 1))
            try:
                converted = frame.iloc[:, j].astype(draw(st.sampled_from(ODD_DTYPES)))
            except Exception:  # the corruption itself is impossible: skip it
                continue
            frame = frame.copy()
            frame.isetitem(j, converted)
        elif op == "drop" and ncols:
            gone = draw(st.lists(st.sampled_from(list(frame.columns)), min_size=1, max_size=4))
            frame = frame.drop(columns=list(dict.fromkeys(gone)))
        elif op == "rename" and ncols:
            old = draw(st.sampled_from(list(frame.columns)))
            new = draw(st.one_of(st.sampled_from(list(frame.columns)), st.sampled_from(ODD_LABELS)))
            frame = frame.set_axis([new if c == old else c for c in frame.columns], axis=1)
        elif op == "tz" and "date" in frame.columns:
            try:
                frame = frame.assign(date=pd.to_datetime(frame["date"]).dt.tz_localize("UTC"))
            except Exception:
                continue
        elif op == "attrs":
            frame.attrs["beebole"] = draw(st.sampled_from(ODD_ATTRS))
        elif op == "dup_rows" and len(frame):
            frame = pd.concat([frame, frame.head(draw(st.integers(1, 2)))])
        elif op == "dup_index" and len(frame):
            frame.index = [0] * len(frame)
        elif op == "odd_index" and len(frame):
            labels = draw(st.sampled_from(["str", "tuple", "float", "multi"]))
            n = len(frame)
            if labels == "str":
                frame.index = [f"r{i}" for i in range(n)]
            elif labels == "float":
                frame.index = [float(i) / 2 for i in range(n)]
            elif labels == "tuple":
                frame.index = pd.Index([(i, "x") for i in range(n)], tupleize_cols=False)
            else:
                frame.index = pd.MultiIndex.from_arrays([range(n), ["a"] * n])
        elif op == "dup_column" and ncols:
            j = draw(st.integers(0, ncols - 1))
            frame = pd.concat([frame, frame.iloc[:, [j]]], axis=1)
        elif op == "multiindex" and ncols:
            second = draw(st.sampled_from([None, "x", ""]))
            frame.columns = pd.MultiIndex.from_arrays(
                [list(frame.columns), [second or c for c in frame.columns]]
            )
        elif op == "empty":
            frame = frame.head(0)
    return frame


# -- loaders: scope arguments ----------------------------------------------------------------

SCOPED = {
    "people": ("company", bb.people),
    "projects": ("company", bb.projects),
    "subprojects": ("project", bb.subprojects),
    "tasks": ("company", bb.tasks),
    "absences": ("company", bb.absences),
}


@examples(40)
@given(loader=st.sampled_from(sorted(SCOPED)), value=scope_values)
def test_scoped_loaders(client: Any, demo_server: Any, loader: str, value: Any) -> None:
    scope, load = SCOPED[loader]
    before = requests_of(demo_server)
    exc = outcome(lambda: load(value, client=client), [scope])
    if bad_scope(value):
        assert refused(exc), f"{loader}({value!r}) was not refused: {exc!r}"
        assert requests_of(demo_server) == before, f"{loader}({value!r}) sent a request"


@examples(15)
@given(refresh=st.sampled_from([False, True, None, 0, 1, "yes", pd.NA, np.True_, [], 2.5]))
def test_companies(client: Any, demo_server: Any, refresh: Any) -> None:
    outcome(lambda: bb.companies(client=client, refresh=refresh), ["refresh"])
    outcome(lambda: bb.people(101, client=client, refresh=refresh), ["refresh"])


# -- time entries ------------------------------------------------------------------------------


def period_args(periods: Sequence[tuple[Any, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    return st.sampled_from(periods).map(lambda p: {"start": p[0], "end": p[1]})


#: A valid scope argument, mostly None: each named scope costs reads (cached).
maybe_scope = st.one_of(st.none(), st.none(), good_scope)


@examples(45)
@given(
    args=calls(
        st.tuples(
            period_args(GOOD_PERIODS),
            st.fixed_dictionaries(
                {
                    "status": good_status,
                    "person": maybe_scope,
                    "company": maybe_scope,
                    "project": maybe_scope,
                }
            ),
        ).map(lambda parts: {**parts[0], **parts[1]}),
        {
            "start": any_date,
            "end": any_date,
            "status": status_values,
            "person": scope_values,
            "company": scope_values,
            "project": scope_values,
        },
    )
)
def test_time_entries(client: Any, demo_server: Any, args: dict[str, Any]) -> None:
    before = requests_of(demo_server)
    exc = outcome(lambda: bb.time_entries(**args, client=client), list(args))
    bad = bad_period(args["start"], args["end"]) or bad_status(args["status"])
    if bad or any(bad_scope(args[k]) for k in ("person", "company", "project")):
        assert refused(exc), f"not refused: {exc!r}"
        assert requests_of(demo_server) == before, "an invalid call sent a request"


# -- export ------------------------------------------------------------------------------------

GOOD_KEYS = [["person", "hours"], ["eventId", "date", "hours"], "hours", ("company", "status")]
BAD_KEYS: list[Any] = [
    [],
    "",
    "nope",
    ["hours", "hours"],
    [1],
    [None],
    [["person"]],
    b"hours",
    5,
    None,
    pd.NA,
    {"hours": 1},
    ["hours", pd.NA],
]
SHOWS: list[Any] = ["all", "work", "abs", "", "ALL", None, 5, pd.NA, ["all"], b"all"]
OUTPUTS: list[Any] = ["array", "csv", "json", "", None, 1, pd.NA, ["csv"]]


FILTERS = ["company", "project", "person", "groups"]


def one_filter(name: str, value: Any) -> dict[str, Any]:
    return {f: (value if f == name else None) for f in FILTERS}


@examples(45)
@given(
    args=calls(
        st.tuples(
            period_args(GOOD_PERIODS[:4]),
            st.fixed_dictionaries(
                {
                    "keys": st.sampled_from(GOOD_KEYS),
                    "show": st.just("all"),
                    "status": good_status,
                    "output": st.sampled_from(["array", "csv"]),
                }
            ),
            st.builds(one_filter, st.sampled_from(FILTERS), maybe_scope),
        ).map(lambda parts: {**parts[0], **parts[1], **parts[2]}),
        {
            "start": any_date,
            "end": any_date,
            "keys": st.sampled_from(GOOD_KEYS + BAD_KEYS),
            "show": st.sampled_from(SHOWS),
            "status": status_values,
            "output": st.sampled_from(OUTPUTS),
            **{f: scope_values for f in FILTERS},
        },
    )
)
def test_export(client: Any, demo_server: Any, args: dict[str, Any]) -> None:
    before = requests_of(demo_server)
    exc = outcome(lambda: bb.export(**args, client=client), list(args))
    keys, show, output = args["keys"], args["show"], args["output"]
    bad = bad_period(args["start"], args["end"]) or bad_status(args["status"])
    bad = bad or any(keys is k for k in BAD_KEYS) or not is_one_of(show, ("all", "work", "abs"))
    bad = bad or not is_one_of(output, ("array", "csv"))
    bad = bad or any(bad_scope(args[f]) for f in FILTERS)
    # The API takes one entity filter: more are refused (groups= is not one).
    bad = bad or sum(args[f] is not None for f in FILTERS[:3]) > 1
    if bad:
        assert refused(exc), f"not refused: {exc!r}"
        assert requests_of(demo_server) == before, "an invalid call sent a request"


# -- plan() on corrupted frames ---------------------------------------------------------------

PLAN_SOURCES = ["few_entries", "people", "projects", "companies", "tasks", "groups", "subprojects"]
ENTITIES: list[Any] = [
    None,
    None,
    None,
    "time_entry",
    "person",
    "task",
    "nope",
    "",
    5,
    ["x"],
    pd.NA,
]


#: What is done with a corrupted frame: all three only read (push and delete on a dry run).
WAYS: dict[str, Callable[..., Any]] = {
    "plan": lambda frame, **kw: frame.beebole.plan(**kw),
    "push": lambda frame, **kw: bb.push(frame, dry_run=True, progress=False, **kw),
    "delete": lambda frame, **kw: frame.beebole.delete(dry_run=True, progress=False, **kw),
}


@examples(70)
@given(
    source=st.sampled_from(PLAN_SOURCES),
    entity=st.sampled_from(ENTITIES),
    way=st.sampled_from(["plan", "plan", "push", "delete"]),
    data=st.data(),
)
def test_plan_corrupted(
    client: Any,
    demo_server: Any,
    loaded: dict[str, pd.DataFrame],
    source: str,
    entity: Any,
    way: str,
    data: st.DataObject,
) -> None:
    """plan(), push(dry_run=True) and delete(dry_run=True) of a corrupted frame:
    a result row per frame row, or a BeeboleError; never a write."""
    frame = data.draw(corrupted(loaded[source]), label="frame")
    writes = writes_of(demo_server)
    before = requests_of(demo_server)
    result: list[Any] = []
    exc = outcome(lambda: result.append(WAYS[way](frame, entity=entity, client=client)), ["entity"])
    assert writes_of(demo_server) == writes, f"{way} sent a write"
    if result:
        assert len(result[0]) == len(frame)
        assert list(result[0].index) == list(frame.index)
    known = entity is None or is_one_of(entity, ENTITIES[3:6])
    if isinstance(frame.columns, pd.MultiIndex) or not known:
        assert refused(exc), f"not refused: {exc!r}"
        assert requests_of(demo_server) == before, "an invalid call sent a request"


@examples(10)
@given(
    frame=st.sampled_from(["x", None, 5, pd.Series([1]), [{"id": 1}], {"id": [1]}]),
    dry_run=st.sampled_from([True, False]),
)
def test_push_not_a_frame(client: Any, demo_server: Any, frame: Any, dry_run: bool) -> None:
    before = requests_of(demo_server)
    for call in (
        lambda: bb.plan(frame, client=client),
        lambda: bb.push(frame, dry_run=dry_run, client=client),
        lambda: bb.writeback.push.delete(frame, dry_run=True, client=client),
    ):
        assert refused(outcome(call, ["frame"]))
    assert requests_of(demo_server) == before


@examples(20)
@given(
    args=calls(
        st.fixed_dictionaries(
            {
                "workers": st.sampled_from([4, 1, 16]),
                "dry_run": st.booleans(),
                "progress": st.booleans(),
                "send_what_fits": st.booleans(),
            }
        ),
        {
            "workers": st.sampled_from([4, 1, 0, -1, 2.5, "4", None, True, pd.NA, 10**30]),
            "dry_run": st.sampled_from([True, False, None, "no", pd.NA, 1, np.True_]),
            "progress": st.sampled_from([True, False, pd.NA, "yes"]),
            "send_what_fits": st.sampled_from([False, True, pd.NA, [], "yes"]),
        },
    )
)
def test_push_arguments(
    client: Any, demo_server: Any, loaded: dict[str, pd.DataFrame], args: dict[str, Any]
) -> None:
    """push() arguments, on an unchanged frame: nothing is ever written."""
    writes = writes_of(demo_server)
    before = requests_of(demo_server)
    exc = outcome(lambda: bb.push(loaded["few_entries"], **args, client=client), list(args))
    assert writes_of(demo_server) == writes
    workers = args["workers"]
    good = isinstance(workers, int) and not isinstance(workers, bool) and workers >= 1
    good = good and all(
        isinstance(args[k], bool | np.bool_) for k in ("dry_run", "progress", "send_what_fits")
    )
    if not good:
        assert refused(exc), f"not refused: {exc!r}"
        assert requests_of(demo_server) == before, "an invalid call sent a request"


# -- reports -------------------------------------------------------------------------------------

FREQS: list[Any] = ["D", "W", "M", "Q", "w", "", None, 5, pd.NA, ["W"], b"W", "1D"]
BYS: list[Any] = [
    "person",
    "project",
    ["person", "project"],
    ("company", "task"),
    ["person", "person"],
    "nope",
    [],
    None,
    5,
    pd.NA,
    ["person", 5],
    [["person"]],
    {"person": 1},
    "",
]
REPORT_DATES: list[Any] = [
    None,
    None,
    "2026-10-05",
    "2026-10-20",
    dt.date(2026, 10, 12),
    pd.Timestamp("2026-10-26"),
    pd.Timestamp("2026-10-26", tz="UTC"),
    "2026-10-01 12:00",
    "0001-01-01",
    "9999-12-31",
    dt.date(1, 1, 1),
    pd.NaT,
    pd.NA,
    np.nan,
    "",
    "nope",
    "2026-13-01",
    20261001,
    1.5,
    b"2026-10-01",
    ["2026-10-01"],
    True,
]
NUMBERS: list[Any] = [8.0, 7, 0, -1, np.nan, np.inf, "8", None, pd.NA, True, 10**400]

REPORTS = {
    "timesheet": lambda e, a: reports.timesheet(
        e, by=a["by"], freq=a["freq"], start=a["start"], end=a["end"], pivot=a["pivot"]
    ),
    "utilisation": lambda e, a: reports.utilisation(
        e,
        freq=a["freq"],
        start=a["start"],
        end=a["end"],
        expected_hours_per_day=a["number"],
    ),
    "overtime": lambda e, a: reports.overtime(
        e,
        freq=a["freq"],
        start=a["start"],
        end=a["end"],
        hours_per_day=a["number"],
        threshold=a["threshold"],
    ),
    "absence_summary": lambda e, a: reports.absence_summary(
        e, start=a["start"], end=a["end"], hours_per_day=a["number"]
    ),
    "approval_status": lambda e, a: reports.approval_status(
        e, freq=a["freq"], start=a["start"], end=a["end"], as_of=a["as_of"]
    ),
    "missing_submissions": lambda e, a: reports.missing_submissions(
        e, week=a["start"], as_of=a["as_of"]
    ),
}
REPORT_ARGS = [
    "entries",
    "by",
    "freq",
    "start",
    "end",
    "week",
    "as_of",
    "expected_hours_per_day",
    "hours_per_day",
    "threshold",
]


@examples(70)
@given(
    report=st.sampled_from(sorted(REPORTS)),
    args=calls(
        st.fixed_dictionaries(
            {
                "corrupt": st.just(False),
                "by": st.sampled_from(BYS[:4]),
                "freq": st.sampled_from(FREQS[:3]),
                "start": st.sampled_from(REPORT_DATES[:6]),
                "end": st.sampled_from(REPORT_DATES[:6]),
                "as_of": st.sampled_from(REPORT_DATES[:6]),
                "number": st.sampled_from(NUMBERS[:2]),
                "threshold": st.sampled_from([None, 40]),
                "pivot": st.booleans(),
            }
        ),
        {
            "corrupt": st.booleans(),
            "by": st.sampled_from(BYS),
            "freq": st.sampled_from(FREQS),
            "start": st.sampled_from(REPORT_DATES),
            "end": st.sampled_from(REPORT_DATES),
            "as_of": st.sampled_from(REPORT_DATES),
            "number": st.sampled_from(NUMBERS),
            "threshold": st.sampled_from([None, *NUMBERS]),
            "pivot": st.booleans(),
        },
    ),
    data=st.data(),
)
def test_reports(
    loaded: dict[str, pd.DataFrame], report: str, args: dict[str, Any], data: st.DataObject
) -> None:
    entries = loaded["entries"]
    if args["corrupt"]:
        entries = data.draw(corrupted(entries), label="entries")
    outcome(lambda: REPORTS[report](entries, args), REPORT_ARGS)


# -- to_frame: JSON rows of any shape ------------------------------------------------------

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),
    st.text(max_size=8),
    st.sampled_from(["2026-10-01", "0001-01-01", "a", "d", "P-1", "2026-10-01 09:00:00"]),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["id", "xid", "name", "count"]), inner, max_size=3)
    ),
    max_leaves=6,
)
MEMBERS = ["id", "xid", "name", "date", "hours", "status", "company", "project", "active"]


@examples(40)
@given(
    entity=st.sampled_from(["company", "person", "project", "time_entry", "group", "nope", 5]),
    rows=st.one_of(
        st.lists(st.dictionaries(st.sampled_from(MEMBERS), json_values, max_size=4), max_size=3),
        st.lists(json_values, max_size=2),
        json_scalars,
    ),
)
def test_to_frame(entity: Any, rows: Any) -> None:
    outcome(lambda: bb.to_frame(entity, rows), ["entity", "rows"])


# -- the known cases, one by one ------------------------------------------------------------------


def test_nat_start_is_refused_before_any_request(client: Any, demo_server: Any) -> None:
    before = requests_of(demo_server)
    for start, end in ((pd.NaT, "2026-10-31"), ("2026-10-01", pd.NaT)):
        with pytest.raises(bb.ValidationError, match=r"(start|end)=NaT is not a date"):
            bb.time_entries(start, end, client=client)
        with pytest.raises(bb.ValidationError, match=r"(start|end)=NaT is not a date"):
            bb.export(start, end, keys=["person", "hours"], client=client)
    assert requests_of(demo_server) == before


def test_nat_date_in_a_frame_is_an_invalid_row(
    client: Any, demo_server: Any, loaded: dict[str, pd.DataFrame]
) -> None:
    frame = loaded["few_entries"].copy()
    frame.loc[1, "date"] = pd.NaT
    writes = writes_of(demo_server)
    plan = frame.beebole.plan(client=client)
    assert plan["action"].tolist()[1] == "invalid"
    assert "date is missing" in plan["reason"].tolist()[1]
    assert (plan["action"].drop(index=1) == "unchanged").all()
    result = bb.push(frame, dry_run=True, client=client)
    assert result["status"].tolist()[1] == "error"
    assert writes_of(demo_server) == writes


def test_nat_date_push_sends_nothing_for_that_row(fresh_server: Any) -> None:
    client = bb.connect(fresh_server.token, url=fresh_server.url, set_default=False)
    frame = bb.time_entries(*MONTH, client=client).head(4)
    frame = frame.assign(hours=frame["hours"] / 2)  # a real change on every row
    frame.loc[0, "date"] = pd.NaT
    fresh_server.reset_stats()
    result = frame.beebole.push(client=client, progress=False)
    assert result["status"].tolist()[0] == "error"
    assert "date is missing" in result["message"].tolist()[0]
    updates = fresh_server.stats()["by_service"].get("time_entry.update", 0)
    assert updates >= 1
    assert updates == (result["action"] == "update").sum() == (result["status"] == "ok").sum()
    client.close()


@pytest.mark.parametrize("second", ["x", None])
def test_multiindex_columns_are_a_schema_error(
    client: Any, demo_server: Any, loaded: dict[str, pd.DataFrame], second: str | None
) -> None:
    for source, entity in (("few_entries", None), ("few_entries", "time_entry"), ("people", None)):
        frame = loaded[source].copy()
        frame.columns = pd.MultiIndex.from_arrays(
            [list(frame.columns), [second or c for c in frame.columns]]
        )
        before = requests_of(demo_server)
        with pytest.raises(bb.SchemaError, match="MultiIndex"):
            frame.beebole.plan(entity=entity, client=client)
        with pytest.raises(bb.SchemaError, match="MultiIndex"):
            bb.push(frame, entity=entity, client=client)
        with pytest.raises(bb.SchemaError, match="MultiIndex"):
            reports.timesheet(frame)
        assert requests_of(demo_server) == before


@pytest.mark.parametrize("status", [5, 1.5, pd.NA, [None], b"a", {"a": 1}])
def test_bad_status_is_a_validation_error(client: Any, demo_server: Any, status: Any) -> None:
    before = requests_of(demo_server)
    with pytest.raises(bb.ValidationError, match="status"):
        bb.time_entries(*MONTH, status=status, client=client)
    with pytest.raises(bb.ValidationError, match="status"):
        bb.export(*MONTH, keys=["person", "hours"], status=status, client=client)
    assert requests_of(demo_server) == before


def test_bad_items_are_refused_before_a_name_is_looked_up(client: Any, demo_server: Any) -> None:
    """Every item of every scope is checked before the first name lookup (refresh=True
    would reload the people to find "Olivia Bennett")."""
    before = requests_of(demo_server)
    with pytest.raises(bb.ValidationError, match=r"person=\['Olivia Bennett', 1.5\]: 1.5"):
        bb.time_entries(*MONTH, person=["Olivia Bennett", 1.5], refresh=True, client=client)
    with pytest.raises(bb.ValidationError, match=r"company=1.5"):
        bb.export(*MONTH, keys=["hours"], groups="France", company=1.5, client=client)
    for bad in (0, -1, 2**63, {"id": "101"}, "  "):
        with pytest.raises(bb.ValidationError, match="company="):
            bb.people(bad, client=client)
    with pytest.raises(bb.ValidationError, match="refresh=<NA>"):
        bb.companies(refresh=pd.NA, client=client)
    assert requests_of(demo_server) == before


def test_values_that_fit_no_column_are_invalid_rows(
    client: Any, demo_server: Any, loaded: dict[str, pd.DataFrame]
) -> None:
    frame = loaded["few_entries"].astype({"person_id": object, "date": object})
    frame.loc[0, "person_id"] = -5
    frame.loc[1, "person_id"] = 2**63
    frame.loc[2, "date"] = pd.Timestamp("2026-10-01", tz="UTC")
    frame.loc[3, "hours"] = np.inf
    plan = frame.beebole.plan(client=client)
    reasons = plan["reason"].tolist()
    assert plan["action"].tolist()[:4] == ["invalid"] * 4
    assert "person_id: -5 is not an id" in reasons[0]
    assert "person_id: 9223372036854775808 is not an id" in reasons[1]
    assert "the API has no time zones" in reasons[2]
    assert "hours: inf is not a number" in reasons[3]


def test_report_arguments_are_validation_errors(loaded: dict[str, pd.DataFrame]) -> None:
    entries = loaded["entries"]
    cases: list[tuple[Callable[[], Any], str]] = [
        (lambda: reports.timesheet(entries, freq=pd.NA), "freq"),
        (lambda: reports.timesheet(entries, by=5), "by=5"),
        (lambda: reports.timesheet(entries, start="nope"), "start='nope'"),
        (lambda: reports.timesheet(entries, end=pd.Timestamp("2026-10-05", tz="UTC")), "end="),
        (lambda: reports.overtime(entries, threshold="x"), "threshold='x'"),
        (lambda: reports.absence_summary(entries, hours_per_day=0), "hours_per_day=0"),
        (lambda: reports.missing_submissions(entries, week=pd.NaT), "week=NaT"),
        (lambda: reports.approval_status(entries, as_of="0001-01-01"), "as_of="),
    ]
    for call, named in cases:
        with pytest.raises(bb.ValidationError, match=named.replace("(", r"\(")):
            call()
    # Text that reads as a number was always taken, and still is.
    assert len(reports.overtime(entries, hours_per_day="8")) > 0
    tidy = reports.timesheet(entries, by=["person", "person"], pivot=False)
    assert list(tidy.columns[:4]) == ["person_id", "person_xid", "person_key", "person_name"]
