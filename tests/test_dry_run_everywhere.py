"""Every public loader that sends requests takes ``dry_run=True``: an Estimate,
with nothing of the load sent (probes only), close to what the load then
spends, and 0 once the cache holds it."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import beebole_pandas as bb
from beebole_pandas import reports
from beebole_pandas.load import relations

EXPORT = "time_entry.export"
#: What an estimate may send: the entity-count probe (the companies), the
#: group tree (group_assignments' probe) and the hours probes of the exports.
PROBES = {"company.list", "group.tree", EXPORT, "time_entry.get_job_info"}


def _client(server: Any, path: Path) -> Any:
    return bb.connect(server.token, url=server.url, cache_dir=path, set_default=False)


def _spent(server: Any, run: Callable[[], Any]) -> tuple[Any, float, int, dict[str, int]]:
    """What ``run`` returned, and the KB, requests and calls per service it cost."""
    before = server.stats()
    out = run()
    after = server.stats()
    calls = {
        s: n - before["by_service"].get(s, 0)
        for s, n in after["by_service"].items()
        if n != before["by_service"].get(s, 0)
    }
    return out, (after["bytes"] - before["bytes"]) / 1024, after["requests"] - before["requests"], calls  # fmt: skip


def _close(est: Any, kb: float, requests: int, jobs: int = 0) -> None:
    """Within 20% (2 KB for loads under 5 KB); requests within 20% or 2, plus the
    extra poll an export job is estimated with (the sandbox's jobs are done at
    the first poll)."""
    if kb < 5:
        assert abs(est.kb - kb) <= 2, (est.kb, kb, est.frame())
    else:
        assert est.kb == pytest.approx(kb, rel=0.2), (est.kb, kb, est.frame())
    assert abs(est.requests - requests) <= max(2, 0.2 * requests) + jobs, (est.requests, requests)


@pytest.fixture(scope="module")
def november(demo_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """November's entries, loaded through a client of their own (its cache and
    profile are not the tested client's)."""
    return bb.time_entries("2026-11", client=_client(demo_server, tmp_path_factory.mktemp("nov")))


# name -> (load taking client= and dry_run=, services the dry run must not call,
# export jobs of the load: the real load must start them, the dry run at most
# one probe each)
CASES: dict[str, tuple[Callable[..., Any], tuple[str, ...], int]] = {
    "groups": (bb.groups, ("group.tree",), 0),
    "custom_fields": (bb.custom_fields, ("custom_field.list",), 0),
    **{
        f"members-{e}": (functools.partial(relations.members, e), (f"{e}.members",), 0)
        for e in ("company", "project", "subproject")
    },
    **{
        f"specific_tasks-{e}": (
            functools.partial(relations.specific_tasks, e), (f"{e}.specific_tasks",), 0
        )
        for e in ("company", "project", "subproject")
    },
    **{
        f"custom_field_values-{e}": (
            functools.partial(relations.custom_field_values, e), (f"{e}.custom_fields",), 0
        )
        for e in ("company", "person", "project", "subproject")
    },
    "team_leaders": (relations.team_leaders, ("person.list", "person.leaders"), 0),
    "project_managers": (relations.project_managers, ("project.list", "project.managers"), 0),
    "group_assignments": (relations.group_assignments, ("group.assignments",), 0),
    "work_schedule": (functools.partial(bb.work_schedule, "2026-Q4"), (), 1),
    "work_schedule-groups": (
        functools.partial(bb.work_schedule, "2026-10", groups="Engineering"), (), 1
    ),
    "project_hours_before": (functools.partial(reports.project_hours_before, "2026-11-01"), (), 1),
}  # fmt: skip


@pytest.mark.parametrize("name", [*CASES, "project_burn"])
def test_the_estimate_sends_nothing_of_the_load_and_is_close(
    name: str, demo_server: Any, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if name == "project_burn":
        entries = request.getfixturevalue("november")
        load: Callable[..., Any] = functools.partial(reports.project_burn, entries)
        own, jobs = ("project.list",), 1
    else:
        load, own, jobs = CASES[name]
    client = _client(demo_server, tmp_path)
    est, _, _, sent = _spent(demo_server, lambda: load(client=client, dry_run=True))
    assert isinstance(est, bb.Estimate) and est.fits and est.kb > 0
    assert set(sent) <= PROBES and not set(sent) & set(own), sent
    assert sent.get(EXPORT, 0) <= jobs  # one hours probe per export job at most
    frame, kb, requests, calls = _spent(demo_server, lambda: load(client=client))
    assert isinstance(frame, pd.DataFrame)  # (the demo has no company members: empty)
    # The dry run ran none of the load's exports: the load starts them all.
    assert calls.get(EXPORT, 0) == jobs, calls
    _close(est, kb, requests, jobs)
    again = load(client=client, dry_run=True)
    assert again.kb == 0 and again.requests == 0, again.frame()


@pytest.fixture(scope="module")
def account_150() -> Iterator[Any]:
    from beebole_pandas import sandbox

    with sandbox.serve(seed="demo", people=150, daily_requests=10**9, daily_kb=10**9) as server:
        yield server


@pytest.mark.parametrize(
    "load",
    [
        relations.team_leaders,
        functools.partial(relations.custom_field_values, "person"),
        relations.group_assignments,
    ],
    ids=["team_leaders", "custom_field_values-person", "group_assignments"],
)
def test_the_people_relations_follow_the_learned_head_count(
    load: Callable[..., Any], account_150: Any, tmp_path: Path
) -> None:
    client = _client(account_150, tmp_path)
    assert len(bb.people(client=client)) == 150  # teaches the account's head count
    client.invalidate()  # nothing cached: the estimate knows the count only
    est, _, _, sent = _spent(account_150, lambda: load(client=client, dry_run=True))
    assert set(sent) <= PROBES, sent
    _, kb, requests, _ = _spent(account_150, lambda: load(client=client))
    _close(est, kb, requests)


def test_compare_money_adds_up_both_exports(demo_server: Any, tmp_path: Path) -> None:
    client = _client(demo_server, tmp_path)
    run = functools.partial(reports.compare_money, "2026-11", by="project", client=client)
    est, _, _, sent = _spent(demo_server, lambda: run(dry_run=True))
    assert isinstance(est, bb.Estimate) and set(sent) <= PROBES
    assert sent.get(EXPORT, 0) <= 2 and len(est.jobs) == 2  # the two probes at most
    both = [reports.money_export(p, by="project", client=client, dry_run=True)
            for p in ("2026-11", "2026-10")]  # fmt: skip
    assert est.kb == pytest.approx(both[0].kb + both[1].kb)
    # Until the account's project count is known an aggregated export is sized
    # from its entries (on the safe side); one look at the projects teaches it.
    bb.projects(client=client)
    est = run(dry_run=True)
    table, kb, requests, calls = _spent(demo_server, run)
    assert calls.get(EXPORT, 0) == 2 and len(table) > 0
    _close(est, kb, requests, jobs=2)
    assert run(dry_run=True).kb == 0


def test_what_is_given_is_not_estimated_and_entries_are_not_needed(
    demo_server: Any, tmp_path: Path, november: Any
) -> None:
    client = _client(demo_server, tmp_path)
    projects = bb.projects(client=client)
    est, _, requests, _ = _spent(
        demo_server,
        lambda: reports.project_burn(
            november, projects, prior_hours={}, client=client, dry_run=True
        ),
    )
    assert est.kb == 0 and est.requests == 0 and requests == 0
    # The estimate takes the day from start=, whatever the entries are.
    est = reports.project_burn(None, period="2026-11", client=client, dry_run=True)
    assert isinstance(est, bb.Estimate) and est.requests > 0
    nothing_before = reports.project_hours_before("2026-01-01", client=client, since="2026-02-01",
                                                  dry_run=True)  # fmt: skip
    assert nothing_before.jobs == ()
    total = bb.estimate(
        [functools.partial(relations.team_leaders, client=client),
         functools.partial(bb.work_schedule, "2026-11", freq="W", client=client)],
        client=client,
    )  # fmt: skip
    assert total.requests > 50 and total.fits


@pytest.mark.parametrize(
    "load",
    [
        bb.groups,
        bb.custom_fields,
        bb.people,
        relations.team_leaders,
        functools.partial(relations.members, "project"),
        functools.partial(bb.work_schedule, "2026-11"),
        functools.partial(reports.project_hours_before, "2026-11-01"),
        functools.partial(reports.compare_money, "2026-11"),
    ],
)
def test_dry_run_must_be_true_or_false(
    load: Callable[..., Any], demo_server: Any, tmp_path: Path
) -> None:
    client = _client(demo_server, tmp_path)
    before = demo_server.stats()["requests"]
    with pytest.raises(bb.ValidationError, match="dry_run"):
        load(client=client, dry_run="yes")
    assert demo_server.stats()["requests"] == before
