"""Random sequences of edits, pushes and injected faults keep the server equal
to a simple model of the intended state: a dict per person, and the hours of
each time entry of one person."""

from __future__ import annotations

import itertools

import pandas as pd
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

import beebole_pandas as bb
from beebole_pandas.errors import BeeboleError
from beebole_pandas.writeback import push as bp

_NEW = itertools.count()
PERSON = 1004
START, END = "2026-11-01", "2026-11-30"


def key_of(frame: pd.DataFrame) -> pd.Series:
    return (
        frame["xid"]
        .astype("object")
        .where(frame["xid"].notna(), frame["id"].astype("object"))
        .astype(str)
    )


def entry_key(entry: pd.Series) -> str:
    """Existing entries by id; new ones (no id in the frame) by their unique comment."""
    return str(entry["comment"]) if str(entry["comment"]).startswith("SM ") else str(entry["id"])


class PushMachine(RuleBasedStateMachine):
    """The frames are what the user edits; the models what the server must end up holding."""

    server = None  # set by the test

    @initialize()
    def load(self) -> None:
        self.server.inject(None)
        self.client = bb.connect(
            self.server.token,
            url=self.server.url,
            backoff=0.01,
            daily_requests=10**6,
            daily_kb=10**9,
            set_default=False,
        )
        people = bb.people(client=self.client, refresh=True)
        self.company = int(people["company_id"].dropna().mode().iloc[0])
        self.people = people[people["company_id"] == self.company].head(6).reset_index(drop=True)
        self.model = {
            k: {"name": n, "active": bool(a)}
            for k, n, a in zip(
                key_of(self.people), self.people["name"], self.people["active"], strict=True
            )
        }
        entries = self.load_entries()
        self.entries = (
            entries[entries["status"].isin(["draft", "submitted", "rejected"])]
            .head(5)
            .reset_index(drop=True)
        )
        self.hours = {entry_key(e): float(e["hours"]) for _, e in self.entries.iterrows()}
        self.counts = (self.count("person"), self.count("time_entry", PERSON))
        self.added = (0, 0)

    def load_entries(self) -> pd.DataFrame:
        return bb.time_entries(START, END, person=PERSON, client=self.client, refresh=True)

    def count(self, table: str, person: int | None = None) -> int:
        # The store directly: an HTTP read here would meet the injected faults.
        store = self.server.backend.store
        if person is None:
            return int(store.scalar(f"SELECT COUNT(*) FROM {table}"))
        return int(store.scalar(f"SELECT COUNT(*) FROM {table} WHERE person=?", (person,)))

    # -- edits -----------------------------------------------------------------------------

    @rule(row=st.integers(0, 100), text=st.sampled_from(["Ada", "Bo", "Cy", "Di"]))
    def rename(self, row: int, text: str) -> None:
        i = self.people.index[row % len(self.people)]
        self.people.loc[i, "name"] = f"{text} {row}"
        self.model[key_of(self.people.loc[[i]]).iloc[0]]["name"] = f"{text} {row}"

    @rule(row=st.integers(0, 100))
    def toggle_active(self, row: int) -> None:
        i = self.people.index[row % len(self.people)]
        active = not bool(self.people.loc[i, "active"])
        self.people.loc[i, "active"] = active
        self.model[key_of(self.people.loc[[i]]).iloc[0]]["active"] = active

    @rule(active=st.booleans())
    def add_person(self, active: bool) -> None:
        xid = f"SM-{next(_NEW)}"
        row = pd.DataFrame(
            {
                "xid": pd.array([xid], dtype="string"),
                "name": pd.array([f"State {xid}"], dtype="string"),
                "email": pd.array([f"{xid.lower()}@example.com"], dtype="string"),
                "company_id": pd.array([self.company], dtype="Int64"),
                "active": pd.array([active], dtype="boolean"),
            }
        )
        self.people = pd.concat([self.people, row], ignore_index=True)
        self.model[xid] = {"name": f"State {xid}", "active": active}
        self.added = (self.added[0] + 1, self.added[1])

    @rule(row=st.integers(0, 100), hours=st.sampled_from([0.5, 1.0, 2.25, 7.5]))
    def edit_hours(self, row: int, hours: float) -> None:
        # Only entries with an id: a new row is edited after a push gave it one
        # (result.with_ids), as documented; before that its content is its key.
        with_id = self.entries.index[self.entries["id"].notna()]
        i = with_id[row % len(with_id)]
        self.entries.loc[i, "hours"] = hours
        self.hours[entry_key(self.entries.loc[i])] = hours

    @rule(hours=st.sampled_from([0.25, 3.0]))
    def add_entry(self, hours: float) -> None:
        new = self.entries.iloc[[0]].copy()
        new["id"] = pd.array([None], dtype="Int64")
        new["comment"] = pd.array([f"SM entry {next(_NEW)}"], dtype="string")
        new["hours"] = hours
        self.entries = pd.concat([self.entries, new], ignore_index=True)
        self.hours[entry_key(new.iloc[0])] = hours
        self.added = (self.added[0], self.added[1] + 1)

    # -- faults and pushes ---------------------------------------------------------------------

    @rule(kind=st.sampled_from(["http500", "lost_response", None]), seed=st.integers(0, 1000))
    def inject(self, kind: str | None, seed: int) -> None:
        self.server.inject(kind, probability=0.3, seed=seed)

    def push(self) -> bool:
        """Push both frames once, taking the ids the server assigned; True if all ok."""
        ok = True
        for name in ("people", "entries"):
            try:
                result = bp.push(getattr(self, name), client=self.client, progress=False)
            except BeeboleError:
                ok = False  # a read failed after the client's retries: nothing was written
                continue
            setattr(self, name, result.with_ids(getattr(self, name)))
            ok = ok and result.ok
        return ok

    @rule()
    def push_once(self) -> None:
        self.push()

    @rule()
    def push_until_ok(self) -> None:
        if not any(self.push() for _ in range(30)):
            raise AssertionError("push did not converge in 30 attempts")
        self.server.inject(None)
        assert self.server_people() == self.model
        assert self.server_hours() == self.hours

    def server_people(self) -> dict[str, dict[str, object]]:
        people = bb.people(client=self.client, refresh=True)
        people = people.set_index(key_of(people))
        return {
            k: {"name": people.loc[k, "name"], "active": bool(people.loc[k, "active"])}
            for k in self.model
            if k in people.index
        }

    def server_hours(self) -> dict[str, float]:
        entries = self.load_entries()
        by_key = {entry_key(e): float(e["hours"]) for _, e in entries.iterrows()}
        return {k: by_key[k] for k in self.hours if k in by_key}

    @invariant()
    def nothing_duplicated_or_lost(self) -> None:
        if not hasattr(self, "counts"):
            return
        people, entries = self.count("person"), self.count("time_entry", PERSON)
        assert self.counts[0] <= people <= self.counts[0] + self.added[0]
        assert self.counts[1] <= entries <= self.counts[1] + self.added[1]

    def teardown(self) -> None:
        if hasattr(self, "counts"):
            self.push_until_ok()  # every example ends converged, and checked
            assert self.count("person") == self.counts[0] + self.added[0]
            assert self.count("time_entry", PERSON) == self.counts[1] + self.added[1]
        self.server.inject(None)


def test_random_edits_pushes_and_faults_match_the_model(fresh_server):
    PushMachine.server = fresh_server
    run_state_machine_as_test(
        PushMachine,
        settings=settings(
            max_examples=10,
            stateful_step_count=12,
            deadline=None,
            # No shrinking: every step is a round of HTTP requests, and a
            # failing sequence of at most 12 steps is short enough to read.
            phases=[Phase.explicit, Phase.reuse, Phase.generate],
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
