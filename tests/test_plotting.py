"""Charts of every report, drawn from the demo sandbox's data: each one is saved to PNG
and checked to be a real picture (size, many colours, ink), with titles, labelled axes,
hours formatting, a legend outside the data and legible labels for 50 people."""

from __future__ import annotations

import itertools
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import requests

from beebole_pandas import plotting, reports
from beebole_pandas.errors import SchemaError
from beebole_pandas.frames import to_frame

START, END = "2026-10-01", "2026-10-31"


def _post(server: Any, service: str, **params: Any) -> dict[str, Any]:
    body = requests.post(
        server.url, json={"service": service, **params}, auth=(server.token, "x"), timeout=30
    ).json()
    assert body["status"] == "ok", body
    return body


def _ref(obj: dict[str, Any]) -> dict[str, Any]:
    return {"xid": obj["xid"]} if obj.get("xid") else {"id": obj["id"]}


@pytest.fixture(scope="module")
def frames(demo_server: Any) -> dict[str, pd.DataFrame]:
    """The month's frames, built with frames.to_frame from the server's raw JSON."""
    companies = _post(demo_server, "company.list")["companies"]
    people, projects, absences, subprojects, entries = [], [], [], [], []
    for company in companies:
        people += _post(demo_server, "person.list", company=_ref(company))["people"]
        projects += _post(demo_server, "project.list", company=_ref(company))["projects"]
        absences += _post(demo_server, "absence.list", company=_ref(company))["absences"]
    for project in projects:
        subprojects += _post(demo_server, "subproject.list", project=_ref(project))["subprojects"]
    for person in people:
        entries += _post(
            demo_server, "time_entry.list", person=_ref(person), **{"from": START, "to": END}
        )["timeEntries"]
    return {
        "entries": to_frame("time_entry", entries),
        "people": to_frame("person", people),
        "projects": to_frame("project", projects),
        "subprojects": to_frame("subproject", subprojects),
        "companies": to_frame("company", companies),
        "absences": to_frame("absence", absences),
    }


def _charts(f: dict[str, pd.DataFrame]) -> dict[str, Callable[[], Any]]:
    ctx = {"people": f["people"], "projects": f["projects"], "subprojects": f["subprojects"]}
    e = f["entries"]
    return {
        "timesheet": lambda: plotting.plot_timesheet(reports.timesheet(e, **ctx)),
        "timesheet_tidy_project": lambda: plotting.plot_timesheet(
            reports.timesheet(e, by="project", pivot=False, **ctx)
        ),
        "utilisation": lambda: plotting.plot_utilisation(
            reports.utilisation(e, companies=f["companies"], **ctx)
        ),
        "overtime": lambda: plotting.plot_overtime(reports.overtime(e)),
        "absences": lambda: plotting.plot_absences(
            reports.absence_summary(e, absences=f["absences"])
        ),
        "project_burn": lambda: plotting.plot_project_burn(
            reports.project_burn(e, f["projects"], subprojects=f["subprojects"])
        ),
        "approval_status": lambda: plotting.plot_approval_status(reports.approval_status(e)),
    }


CHARTS = [
    "timesheet",
    "timesheet_tidy_project",
    "utilisation",
    "overtime",
    "absences",
    "project_burn",
    "approval_status",
]


def _renderer(fig: Any) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return canvas.get_renderer()


def _pixels(path: Path) -> np.ndarray:
    from PIL import Image

    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"))


@pytest.mark.parametrize("name", CHARTS)
def test_chart_png_is_a_real_picture(
    name: str, frames: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    fig = _charts(frames)[name]()
    path = tmp_path / f"{name}.png"
    fig.savefig(path, dpi=80)
    assert path.stat().st_size > 15_000
    pixels = _pixels(path).astype(np.int64)
    packed = (pixels[..., 0] << 16) | (pixels[..., 1] << 8) | pixels[..., 2]
    colours, counts = np.unique(packed, return_counts=True)
    assert len(colours) > 50, f"{name}: only {len(colours)} colours"
    ink = (pixels.sum(axis=2) < 3 * 240).mean()
    assert 0.05 < ink < 0.95, f"{name}: {ink:.0%} of the picture is not background"
    # Besides the white background, the data is drawn in several colours, not one.
    assert np.sort(counts)[-3] > 0.002 * counts.sum()


@pytest.mark.parametrize("name", CHARTS)
def test_chart_is_labelled_with_legend_outside(name: str, frames: dict[str, pd.DataFrame]) -> None:
    fig = _charts(frames)[name]()
    renderer = _renderer(fig)
    (ax,) = fig.axes
    assert ax.get_title(loc="left") and ax.get_xlabel() and ax.get_ylabel()
    legend = ax.get_legend()
    assert legend is not None and len(legend.get_texts()) >= 1
    legend_box = legend.get_window_extent(renderer)
    axes_box = ax.get_window_extent(renderer)
    assert legend_box.x0 >= axes_box.x1, "the legend must sit right of the data"
    figure_box = fig.bbox
    assert legend_box.x1 <= figure_box.x1 + 1, "the legend must not be cut off"
    ticks = [
        t.get_text()
        for t in (ax.get_yticklabels() if name == "project_burn" else ax.get_xticklabels())
        if t.get_text()
    ]
    if name not in ("absences", "utilisation"):
        assert ticks and all(t.endswith((" h", "%")) for t in ticks), ticks
    if name == "utilisation":
        assert all(t.endswith("%") for t in ticks)


def test_fifty_people_are_sorted_and_legible(frames: dict[str, pd.DataFrame]) -> None:
    table = reports.timesheet(frames["entries"], people=frames["people"], margins=True)
    # By default a slide's worth of rows: the top 19, then the rest summed as "others".
    default = plotting.plot_timesheet(table).axes[0]
    texts = [t.get_text() for t in default.get_yticklabels()]
    assert len(texts) == 20 and texts[-1].startswith("others (") and "people)" in texts[-1]
    fig = plotting.plot_timesheet(table, top=100)
    renderer = _renderer(fig)
    (ax,) = fig.axes
    labels = [t for t in ax.get_yticklabels() if t.get_text()]
    # The margins row is no person: it is not drawn.
    body = table[table["person_name"] != "Total"].rename(columns={"Total": "total"})
    assert len(labels) == len(body) == len(table) - 1 >= 45
    assert all(t.get_fontsize() >= 8 for t in labels)
    boxes = sorted((t.get_window_extent(renderer) for t in labels), key=lambda b: b.y0)
    assert all(low.y1 <= high.y0 + 0.5 for low, high in itertools.pairwise(boxes)), (
        "person labels overlap"
    )
    ordered = body.set_index("person_name")["total"].sort_values(ascending=False, kind="stable")
    shown = [t.get_text() for t in labels]
    assert body.set_index("person_name").loc[shown, "total"].is_monotonic_decreasing
    assert shown[0] == ordered.index[0]


def test_empty_reports_still_draw(frames: dict[str, pd.DataFrame], tmp_path: Path) -> None:
    empty = frames["entries"].iloc[:0]
    figures = [
        plotting.plot_timesheet(reports.timesheet(empty)),
        plotting.plot_utilisation(reports.utilisation(empty)),
        plotting.plot_overtime(reports.overtime(empty)),
        plotting.plot_absences(reports.absence_summary(empty)),
        plotting.plot_project_burn(reports.project_burn(empty, frames["projects"])),
        plotting.plot_approval_status(reports.approval_status(empty)),
    ]
    for i, fig in enumerate(figures):
        fig.savefig(tmp_path / f"{i}.png")
        assert any("no " in t.get_text() for t in fig.axes[0].texts)


def _one_name(frame: pd.DataFrame, dim: str, name: str) -> pd.DataFrame:
    return frame.assign(**{f"{dim}_name": pd.array([name] * len(frame), dtype="string")})


def _distinct(table: pd.DataFrame, dim: str) -> set[str]:
    ids, xids = table[f"{dim}_id"], table[f"{dim}_xid"]
    return {f"#{i}" if pd.isna(x) else str(x) for i, x in zip(ids, xids, strict=True)}


@pytest.mark.parametrize("name", ["timesheet", "utilisation", "overtime", "absences", "status"])
def test_people_sharing_a_name_get_a_bar_each(name: str, frames: dict[str, pd.DataFrame]) -> None:
    """Two ids called Alex Martin are two people: one bar each, told apart by id or xid."""
    entries = _one_name(frames["entries"], "person", "Alex Martin")
    table = {
        "timesheet": lambda: reports.timesheet(entries),
        "utilisation": lambda: reports.utilisation(entries),
        "overtime": lambda: reports.overtime(entries).query("overtime_hours > 0"),
        "absences": lambda: reports.absence_summary(entries),
        "status": lambda: reports.approval_status(entries),
    }[name]()
    draw = {
        "timesheet": plotting.plot_timesheet,
        "utilisation": plotting.plot_utilisation,
        "overtime": plotting.plot_overtime,
        "absences": plotting.plot_absences,
        "status": plotting.plot_approval_status,
    }[name]
    keys = _distinct(table, "person")
    assert len(keys) >= 2
    labels = [t.get_text() for t in draw(table, top=100).axes[0].get_yticklabels() if t.get_text()]
    assert sorted(labels) == sorted(f"Alex Martin ({k})" for k in keys)


def test_projects_sharing_a_name_get_a_line_each(frames: dict[str, pd.DataFrame]) -> None:
    entries = _one_name(frames["entries"], "project", "Website")
    burn = reports.project_burn(
        entries, frames["projects"].assign(name="Website"), subprojects=frames["subprojects"]
    )
    fig = plotting.plot_project_burn(burn[burn["budget_hours"].notna()], top=50)
    lines = [line.get_label() for line in fig.axes[0].get_lines() if line.get_label()[0] != "_"]
    budgeted = _distinct(burn[burn["budget_hours"].notna()], "project")
    assert len(budgeted) >= 2
    assert sorted(lines) == sorted([*(f"Website ({k})" for k in budgeted), "budget (100 %)"])
    # Names that repeat nowhere stay plain.
    plain = plotting.plot_timesheet(reports.timesheet(frames["entries"]), top=100)
    assert not any("(" in t.get_text() for t in plain.axes[0].get_yticklabels())


def test_plot_report_draws_each_kind_and_names_the_choices(
    frames: dict[str, pd.DataFrame],
) -> None:
    e = frames["entries"]
    for kind, (report, _) in plotting.PLOTS.items():
        args = (frames["projects"],) if kind == "project_burn" else ()
        table = getattr(reports, report)(e, *args)
        fig = plotting.plot_report(kind, table, title=f"Chart {kind}")
        assert fig.axes[0].get_title(loc="left") == f"Chart {kind}"
    with pytest.raises(SchemaError, match=r"unknown plot kind 'pie'; valid kinds are: timesheet"):
        plotting.plot_report("pie", e)


def test_status_colours_follow_the_statuses(frames: dict[str, pd.DataFrame]) -> None:
    fig = plotting.plot_approval_status(reports.approval_status(frames["entries"]))
    legend = fig.axes[0].get_legend()
    from matplotlib.colors import to_hex

    shown = {
        t.get_text(): to_hex(h.get_facecolor())
        for t, h in zip(legend.get_texts(), legend.legend_handles, strict=True)
    }
    assert shown and all(to_hex(plotting.STATUS_COLOURS[s]) == c for s, c in shown.items())


def test_importing_plotting_does_not_import_matplotlib() -> None:
    code = (
        "import sys, beebole_pandas, beebole_pandas.reports.plotting, beebole_pandas.reports; "
        "print('matplotlib' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
