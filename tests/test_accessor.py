"""The df.beebole accessor: registered on import, thin, delegating."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

import beebole_pandas as bb
from beebole_pandas import reports
from beebole_pandas.errors import SchemaError
from beebole_pandas.writeback import push as bp


@pytest.fixture(scope="module")
def entries(demo_server) -> pd.DataFrame:
    client = bb.connect(demo_server.token, url=demo_server.url, set_default=False)
    return bb.time_entries("2026-10-01", "2026-10-31", person=1004, client=client)


@pytest.fixture(scope="module")
def projects(demo_server) -> pd.DataFrame:
    client = bb.connect(demo_server.token, url=demo_server.url, set_default=False)
    return bb.projects(client=client)


def test_import_registers_the_accessor_lazily():
    code = (
        "import sys, pandas as pd, beebole_pandas\n"
        "assert hasattr(pd.DataFrame(), 'beebole')\n"
        "heavy = ['beebole_pandas.api', 'beebole_pandas.load', 'beebole_pandas.writeback', 'beebole_pandas.reports', 'requests', 'matplotlib', 'tqdm', 'ipywidgets']\n"
        "print([m for m in heavy if m in sys.modules])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_entity_is_told_from_the_columns():
    assert pd.DataFrame(columns=["id", "name", "email"]).beebole.entity == "person"
    assert pd.DataFrame(columns=["date", "hours", "project_id"]).beebole.entity == "time_entry"
    with pytest.raises(SchemaError, match="pass entity="):
        _ = pd.DataFrame(columns=["id", "name", "company_id"]).beebole.entity
    with pytest.raises(SchemaError, match="none of its columns"):
        _ = pd.DataFrame({"a": [1]}).beebole.entity


def test_plan_and_push_delegate(fresh_server):
    client = bb.connect(fresh_server.token, url=fresh_server.url)
    tasks = bb.tasks(client=client, refresh=True)
    # Tasks and absences have the same columns: the loader's attrs tell them apart ...
    assert tasks.beebole.entity == "task"
    frame = tasks.copy()
    frame.attrs = {}
    # ... and without them, entity= must.
    with pytest.raises(SchemaError, match="'task' or 'absence'; pass entity= one of them"):
        frame.beebole.plan()
    frame.loc[frame.index[0], "name"] = "Renamed task"
    plan = frame.beebole.plan(entity="task")
    assert plan.equals(bp.plan(frame, entity="task"))
    assert plan["action"].value_counts().to_dict() == {"update": 1, "unchanged": len(tasks) - 1}
    result = frame.beebole.push(entity="task", progress=False)
    assert result.ok and result.requests == 1
    assert frame.beebole.plan(entity="task", client=client)["action"].eq("unchanged").all()


@pytest.mark.parametrize(
    "name",
    [
        "timesheet",
        "utilisation",
        "overtime",
        "absence_summary",
        "project_burn",
        "approval_status",
        "missing_submissions",
    ],
)
def test_reports_delegate(entries, projects, name):
    args = (projects,) if name == "project_burn" else ()
    via_accessor = getattr(entries.beebole, name)(*args)
    direct = getattr(reports, name)(entries, *args)
    pd.testing.assert_frame_equal(via_accessor, direct)


def test_project_burn_loads_the_projects_when_not_given(demo_server, entries, projects):
    bb.connect(demo_server.token, url=demo_server.url)
    pd.testing.assert_frame_equal(
        entries.beebole.project_burn(), reports.project_burn(entries, projects)
    )


def test_project_burn_loads_the_projects_through_the_client_given(demo_server, entries, projects):
    # No default client: the projects must come through the client passed in.
    client = bb.connect(demo_server.token, url=demo_server.url, set_default=False)
    expected = reports.project_burn(entries, projects, client=client)
    pd.testing.assert_frame_equal(entries.beebole.project_burn(client=client), expected)
    pd.testing.assert_frame_equal(reports.project_burn(entries, client=client), expected)
    assert expected["budget_hours"].notna().any()


def test_report_arguments_pass_through(entries):
    pd.testing.assert_frame_equal(
        entries.beebole.timesheet(freq="D", margins=True),
        reports.timesheet(entries, freq="D", margins=True),
    )


def test_plot_returns_a_figure(demo_server, entries):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = entries.beebole.plot("timesheet", freq="W", title="Hours")
    assert isinstance(figure, Figure)
    assert figure.axes[0].get_title(loc="left") == "Hours"
    with pytest.raises(SchemaError, match="unknown plot kind 'pie'; valid kinds are: timesheet"):
        entries.beebole.plot("pie")
    client = bb.connect(demo_server.token, url=demo_server.url, set_default=False)
    burn = entries.beebole.plot("project_burn", client=client, freq="M")
    assert isinstance(burn, Figure) and burn.axes[0].get_legend() is not None


def test_workflow_needs_a_time_entry_frame():
    people = pd.DataFrame({"id": [1], "name": ["A"], "email": ["a@example.com"]})
    with pytest.raises(
        SchemaError, match="submit works on time-entry frames; this frame holds person rows"
    ):
        people.beebole.submit()
    with pytest.raises(SchemaError, match="unknown workflow step"):
        from beebole_pandas.writeback.time_entries import workflow

        workflow(people, "archive")
