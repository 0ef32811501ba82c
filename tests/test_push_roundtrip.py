"""Random edits of a time-entry frame, pushed and read back, give back the edited frame.

Each example loads a few people's entries over two weeks, edits a few rows
(hours, dates, comments, the person, what the entry is logged on: each
reference by id or xid, or by name only), sometimes in a way push must
refuse (hours over 24, a project name nobody has), and pushes. Read back, the
entries are exactly the edited frame (in the loaders' form: a reference given
by name comes back with its id or xid), except the rows the plan refused,
which are as they were. Nothing is duplicated, nothing lost.

The join keys (``<ref>_key``) are left as loaded on edited rows: stale, and
ignored by push.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

import beebole_pandas as bb
from beebole_pandas.writeback import push as bp

START, END = "2026-11-09", "2026-11-20"
LEVELS = ("company", "project", "subproject", "task", "absence")
#: What is compared once read back (the join keys are derived from the ids).
COMPARED = [
    "date",
    *(f"{ref}_{part}" for ref in ("person", *LEVELS) for part in ("id", "xid", "name")),
    "hours",
    "status",
    "comment",
]
DAYS = pd.date_range(START, END, freq="D")
TEXT = st.text(
    alphabet=st.sampled_from(list("abcdefghijklmnopqrstuvwxyz ABCXYZ0123456789-,.'éüßœ€✓")),
    min_size=1,
    max_size=24,
)

#: About half a second each, against the sandbox.
EXAMPLES = 30


@pytest.fixture
def world(fresh_server):
    """The client, the people whose entries are edited, and what an entry can be logged on."""
    client = bb.connect(
        fresh_server.token,
        url=fresh_server.url,
        set_default=False,
        daily_requests=10**6,
        daily_kb=10**9,
    )
    month = bb.time_entries(START, END, client=client, refresh=True)
    people = bb.people(client=client)
    # Two people by id and one by xid: references of both kinds, read per person.
    with_xid = people.loc[people["xid"].notna(), "xid"]
    xid_person = next(x for x in with_xid if month["person_xid"].eq(x).any())
    pick = people["id"].isin([1004, 1017]).fillna(False) | people["xid"].eq(xid_person).fillna(
        False
    )
    who = people[pick.astype(bool)]
    persons = [
        {"id": _na(r["id"]), "xid": _na(r["xid"]), "name": r["name"]} for _, r in who.iterrows()
    ]
    # Every (company, project, subproject, task, absence) an editable entry is logged on:
    # valid targets, with a task allowed there.
    columns = [f"{lv}_{p}" for lv in LEVELS for p in ("id", "xid", "name")]
    editable = month[month["status"].isin(["draft", "submitted", "rejected"])]
    combos = editable[columns].astype(object).drop_duplicates().reset_index(drop=True)
    targets = [
        {lv: tuple(_na(row[f"{lv}_{p}"]) for p in ("id", "xid", "name")) for lv in LEVELS}
        for _, row in combos.iterrows()
    ]
    return client, persons, targets


def _na(value: Any) -> Any:
    return None if pd.isna(value) else value


def load(client, persons) -> pd.DataFrame:
    refs = [{"xid": p["xid"]} if p["xid"] else {"id": int(p["id"])} for p in persons]
    return bb.time_entries(START, END, person=refs, client=client, refresh=True)


def set_ref(frame, expected, i, kind, triple, how) -> None:
    """Set reference ``kind`` of row ``i`` to ``triple`` (id, xid, name) in the frame, by
    ``how`` ("key": id or xid, name or not; "name": the name only), and as the loader
    shows it in ``expected``."""
    ident, xid, name = triple
    if how == "name" and name is not None:
        frame.loc[i, [f"{kind}_id", f"{kind}_xid"]] = [pd.NA, pd.NA]
        frame.loc[i, f"{kind}_name"] = name
    else:
        frame.loc[i, [f"{kind}_id", f"{kind}_xid"]] = [
            pd.NA if ident is None else ident,
            pd.NA if xid is None else xid,
        ]
        frame.loc[i, f"{kind}_name"] = name if how == "key+name" and name else pd.NA
    expected.loc[i, [f"{kind}_id", f"{kind}_xid", f"{kind}_name"]] = [
        pd.NA if v is None else v for v in triple
    ]


def current(frame, i, kind) -> tuple[Any, Any, Any]:
    return tuple(_na(frame.loc[i, f"{kind}_{p}"]) for p in ("id", "xid", "name"))


@st.composite
def an_edit(draw, persons, targets) -> dict[str, Any]:
    edit: dict[str, Any] = {}
    if draw(st.booleans()):
        edit["hours"] = draw(st.integers(0, 48)) / 4
    if draw(st.booleans()):
        edit["date"] = draw(st.sampled_from(list(DAYS)))
    if draw(st.booleans()):
        edit["comment"] = draw(TEXT | st.just(""))
    if draw(st.booleans()):
        edit["person"] = (draw(st.sampled_from(persons)), draw(st.sampled_from(["key", "name"])))
    if draw(st.booleans()):
        ways = st.sampled_from(["key", "key+name", "name"])
        edit["target"] = (draw(st.sampled_from(targets)), {lv: draw(ways) for lv in LEVELS})
    edit["bad"] = draw(st.sampled_from([None] * 6 + ["hours", "project_name"]))
    return edit


def apply(frame, expected, i, edit) -> None:
    if "hours" in edit:
        frame.loc[i, "hours"] = expected.loc[i, "hours"] = edit["hours"]
    if "date" in edit:
        frame.loc[i, "date"] = expected.loc[i, "date"] = edit["date"]
    if "comment" in edit:
        frame.loc[i, "comment"] = edit["comment"]
        expected.loc[i, "comment"] = edit["comment"] or pd.NA  # '' empties it
    if "person" in edit:
        person, how = edit["person"]
        triple = (person["id"], person["xid"], person["name"])
        if triple[:2] != current(frame, i, "person")[:2]:
            set_ref(frame, expected, i, "person", triple, how)
            event(f"person by {how}")
    if "target" in edit:
        target, ways = edit["target"]
        for kind in LEVELS:
            triple = target[kind]
            if triple[:2] == current(expected, i, kind)[:2]:
                continue  # this level stays: its columns are left as loaded
            how = "key" if triple[2] is None else ways[kind]
            set_ref(frame, expected, i, kind, triple, how)
            event(f"{kind} by {how}")


def make_bad(frame, i, bad) -> None:
    if bad == "hours":
        frame.loc[i, "hours"] = 25.0
    elif bad == "project_name":
        for column in ("project_id", "project_xid", "subproject_id", "subproject_xid"):
            frame.loc[i, column] = pd.NA
        frame.loc[i, ["subproject_name", "absence_name"]] = [pd.NA, pd.NA]
        frame.loc[i, "project_name"] = "No Such Project"


def same(a: Any, b: Any) -> bool:
    if pd.isna(a) or a == "":
        return pd.isna(b) or b == ""
    return bool(a == b)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    # No shrinking: the server keeps each example's writes, so a replay is not the same run.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_random_edits_read_back_as_edited_or_named_as_refused(world, data):
    client, persons, targets = world
    before = load(client, persons)
    frame, expected = before.copy(), before.copy()
    rows = data.draw(
        st.lists(st.sampled_from(list(before.index)), min_size=1, max_size=4, unique=True),
        label="rows",
    )
    refused: set[Any] = set()
    for i in rows:
        edit = data.draw(an_edit(persons, targets), label=f"edit of row {i}")
        apply(frame, expected, i, edit)
        if "date" in edit and edit["date"] != before.loc[i, "date"]:
            event("date moved")
        if edit["bad"] is not None:
            event(f"refused: {edit['bad']}")
            make_bad(frame, i, edit["bad"])
            expected.loc[i] = before.loc[i]  # refused: the server keeps the entry as it was
            refused.add(i)

    plan = bp.plan(frame, client=client)
    invalid = set(plan.index[plan["action"] == "invalid"])
    assert invalid == refused, plan.loc[sorted(invalid | refused), ["action", "reason"]]
    assert plan.loc[list(invalid), "reason"].str.len().gt(0).all()
    assert set(plan.drop(index=rows)["action"]) <= {"unchanged"}
    result = bp.push(frame, client=client, progress=False)
    assert set(result.index[result["status"] != "ok"]) == refused, result.errors

    after = load(client, persons)
    assert sorted(after["id"]) == sorted(before["id"])  # nothing duplicated, nothing lost
    back = after.set_index("id")
    for i in before.index:
        ident = before.loc[i, "id"]
        for column in COMPARED:
            want, got = expected.loc[i, column], back.loc[ident, column]
            assert same(want, got), (i, ident, column, want, got, plan.loc[i].to_dict())
