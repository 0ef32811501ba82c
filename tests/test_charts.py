"""Every chart rendered to PNG: sized for a slide, stable colours, ticks on the data."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pandas as pd
import pytest

import beebole_pandas as bb
from beebole_pandas import reports
from beebole_pandas.reports import charts, plotting
from beebole_pandas.reports.comparison import compare_report
from beebole_pandas.reports.finance import money

matplotlib = pytest.importorskip("matplotlib")


@pytest.fixture(scope="module")
def frames(demo_server: Any) -> dict[str, Any]:
    bb.connect(demo_server.token, url=demo_server.url)
    out = {
        "entries": bb.time_entries("2026-07-01", "2026-10-31"),
        "people": bb.people(),
        "projects": bb.projects(),
        "companies": bb.companies(),
        "money": money("2026-10", by="project", currency="USD"),
    }
    bb.disconnect()
    return out


def _pixels(fig: Any) -> np.ndarray:
    from matplotlib.image import imread

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=60)
    buffer.seek(0)
    return imread(buffer)


def _colours(image: np.ndarray) -> int:
    """Distinct saturated colours in the image (grey, white and black left out)."""
    rgb = (image[..., :3] * 255).astype(int).reshape(-1, 3)
    saturated = rgb[(rgb.max(axis=1) - rgb.min(axis=1)) > 40]
    return len({tuple(c // 16) for c in saturated})


def _charts(f: dict[str, Any]) -> dict[str, Any]:
    e, october = f["entries"], {"start": "2026-10-01", "end": "2026-10-31"}
    ctx = {"people": f["people"], "projects": f["projects"]}
    burn = reports.project_burn(e, f["projects"], prior_hours={}, freq="W", **october)
    return {
        "timesheet": plotting.plot_timesheet(reports.timesheet(e, freq="W", **october, **ctx)),
        "timesheet_weeks": plotting.plot_timesheet(reports.timesheet(e, freq="W", **ctx)),
        "utilisation": plotting.plot_utilisation(
            reports.utilisation(e, companies=f["companies"], **october, **ctx)
        ),
        "overtime": plotting.plot_overtime(reports.overtime(e, **october)),
        "absences": plotting.plot_absences(reports.absence_summary(e, **october)),
        "burn": plotting.plot_project_burn(burn),
        "status": plotting.plot_approval_status(reports.approval_status(e, **october)),
        "chase": plotting.plot_submissions(
            reports.missing_submissions(e, period="2026-10", people=f["people"])
        ),
        "money": plotting.plot_money(f["money"]),
        "comparison": plotting.plot_comparison(
            compare_report("timesheet", e, "2026-10", by="project", **ctx)
        ),
    }


def test_every_chart_is_non_trivial_and_fits_a_slide(frames: dict[str, Any]) -> None:
    for name, fig in _charts(frames).items():
        width, height = fig.get_size_inches()
        assert width == charts.SLIDE_WIDTH and height <= charts.SLIDE_HEIGHT + 0.2, name
        image = _pixels(fig)
        assert image.shape[0] > 100 and image.shape[1] > 500, name
        assert _colours(image) >= (1 if name == "chase" else 3), name
        labels = [t.get_text() for t in fig.axes[0].get_yticklabels() if t.get_text()]
        assert len(labels) <= plotting.TOP, name


def test_many_weeks_are_a_grid_with_ticks_on_the_weeks(frames: dict[str, Any]) -> None:
    table = reports.timesheet(frames["entries"], freq="W", people=frames["people"])
    weeks = [c for c in table.columns if c.startswith("2026-")]
    assert len(weeks) > 6
    ax = plotting.plot_timesheet(table).axes[0]
    assert [t.get_text().rstrip("*") for t in ax.get_xticklabels()] == weeks
    assert ax.get_xticklabels()[0].get_text().endswith("*")  # 2026-06-29: a partial week


def test_burn_ticks_fall_on_the_weekly_points(frames: dict[str, Any]) -> None:
    burn = reports.project_burn(
        frames["entries"], frames["projects"], prior_hours={}, start="2026-10-01", end="2026-10-31"
    )
    ax = plotting.plot_project_burn(burn).axes[0]
    from matplotlib.dates import num2date

    ticks = [pd.Timestamp(num2date(t)).tz_localize(None) for t in ax.get_xticks()]
    assert ticks == sorted(burn["period"].unique())
    assert next(t.get_text() for t in ax.get_xticklabels()) == "2026-09-28*"


def test_colours_are_stable_across_reports(frames: dict[str, Any]) -> None:
    burn = reports.project_burn(frames["entries"], frames["projects"], prior_hours={})
    fig = plotting.plot_project_burn(burn)
    drawn = {
        ln.get_label(): ln.get_color() for ln in fig.axes[0].get_lines() if ln.get_label()[0] != "_"
    }
    keys = burn.drop_duplicates("project_name").set_index("project_name")["project_key"]
    alone = charts.colours_for([keys[n] for n in drawn if n in keys])
    for name, colour in drawn.items():
        if name in keys:
            assert colour == alone[keys[name]]
            assert charts.colours_for(["x", keys[name]])[keys[name]] in charts.PALETTE
    colours = charts.colours_for([f"P-{i}" for i in range(20)])
    assert len(set(colours.values())) == 20  # no two of twenty share a colour


def test_an_empty_period_says_so_without_axes(frames: dict[str, Any]) -> None:
    empty = frames["entries"].iloc[:0]
    for fig in (
        plotting.plot_timesheet(reports.timesheet(empty, period="2026-12")),
        plotting.plot_overtime(reports.overtime(empty)),
        plotting.plot_money(frames["money"].iloc[:0]),
        plotting.plot_submissions(reports.missing_submissions(empty, period="2026-12")),
    ):
        (ax,) = fig.axes
        assert not ax.axison and ax.get_xticks().tolist() == []
        assert any(t.get_text().startswith(("no ", "everybody")) for t in ax.texts)
        assert fig.get_size_inches()[1] < 3.5
