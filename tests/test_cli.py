"""The ``demo`` and ``report`` commands, run as a user would run them."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import requests

from beebole_pandas import cli


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _raw_entries(server: Any, start: str, end: str) -> list[dict[str, Any]]:
    """Every time entry of [start, end], straight from the server's JSON."""

    def post(service: str, **params: Any) -> dict[str, Any]:
        body = requests.post(
            server.url, json={"service": service, **params}, auth=(server.token, "x"), timeout=30
        ).json()
        assert body["status"] == "ok", body
        return body

    def ref(obj: dict[str, Any]) -> dict[str, Any]:
        return {"xid": obj["xid"]} if obj.get("xid") else {"id": obj["id"]}

    entries: list[dict[str, Any]] = []
    for company in post("company.list")["companies"]:
        for person in post("person.list", company=ref(company))["people"]:
            entries += post("time_entry.list", person=ref(person), **{"from": start, "to": end})[
                "timeEntries"
            ]
    return entries


def _raw_hours(server: Any, start: str, end: str) -> tuple[float, int]:
    entries = _raw_entries(server, start, end)
    return sum(e["hours"] for e in entries), len(entries)


def _run_demo(out: Path, cache: Path, port: int) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("BEEBOLE_TOKEN", "BEEBOLE_URL")}
    env["MPLBACKEND"] = "Agg"
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "beebole_pandas",
            "demo",
            "--out",
            str(out),
            "--cache-dir",
            str(cache),
            "--port",
            str(port),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
        check=False,
    )


def _spent(stdout: str) -> tuple[int, float]:
    match = re.search(r"Spent:\s+(\d+) requests, ([\d.]+) KB", stdout)
    assert match, stdout
    return int(match.group(1)), float(match.group(2))


@pytest.mark.slow
def test_demo_command_writes_the_report_and_reruns_for_free(
    demo_server: Any, tmp_path: Path
) -> None:
    port, cache = _free_port(), tmp_path / "cache"
    first = _run_demo(tmp_path / "out", cache, port)
    assert first.returncode == 0, first.stderr
    requests_spent, kb = _spent(first.stdout)
    # No subproject.list / absence.list the entries make needless; two money exports.
    assert 0 < requests_spent <= 70 and 0 < kb < 2048
    assert "[4/13] loading hours 2026-10-01 to 2026-10-31 (one aggregated" in first.stderr
    assert "[5/13] subprojects not needed" in first.stderr

    out = tmp_path / "out"
    page = (out / "report.html").read_text(encoding="utf-8")
    for title in (
        "Timesheet: hours per person and week",
        "Utilisation and billable share",
        "Overtime per person and week",
        "Absences per person and type",
        "Project burn against budget",
        "Approval status per person",
        "Timesheets to chase, per person and week",
        "Billing, cost and profit per client",
        "Leave balances on 2026-10-31",
    ):
        assert title in page
    # One self-contained page: the charts are embedded; the PNG files are written beside.
    images = re.findall(r'<img src="([^"]+)"', page)
    assert len(images) == 11
    assert all(image.startswith("data:image/png;base64,") for image in images)
    assert len(list(out.glob("*.png"))) == 11
    for link in re.findall(r'<a href="([^"#]+\.csv)"', page):
        assert (out / link).exists()
    assert demo_server.token not in page  # same seed, same token: it must not leak

    # The figures are the server's: total hours and entries of October, computed from raw JSON.
    hours, count = _raw_hours(demo_server, "2026-10-01", "2026-10-31")
    timesheet = pd.read_csv(out / "timesheet.csv")
    # The CSV holds the data only (no total to count twice); the page shows the totals.
    weeks = [c for c in timesheet.columns if c[:2] == "20"]
    assert list(timesheet.columns) == [
        "person_id",
        "person_xid",
        "person_key",
        "person_name",
        *weeks,
    ]
    assert timesheet["person_key"].notna().all()  # every row shows its person, id or xid
    assert "Total" not in set(timesheet["person_name"])
    assert timesheet[weeks].to_numpy().sum() == pytest.approx(hours)
    assert re.search(rf"<td>Total</td>(\s*<td>[^<]*</td>){{{len(weeks) + 2}}}", page)
    assert f"<td>{hours:,.2f}</td>" in page
    assert "<th>2026-09-28 (partial)</th>" in page and "Partial weeks 2026-09-28" in page
    assert f"{hours:,.1f} hours" in first.stdout
    # The pack reads sums (bb.hours), not entries: hours per status are the raw entries'.
    status = pd.read_csv(out / "approval_status.csv")
    assert "entries" not in status.columns  # not known from sums, so not shown blank
    raw = _raw_entries(demo_server, "2026-10-01", "2026-10-31")
    per_status = status.groupby("status")["hours"].sum().to_dict()
    labels = {"d": "draft", "s": "submitted", "a": "approved", "r": "rejected", "l": "locked"}
    expected: dict[str, float] = {}
    for entry in raw:
        label = labels[entry["status"]]
        expected[label] = expected.get(label, 0.0) + entry["hours"]
    assert per_status == pytest.approx(expected) and count == len(raw)
    util = pd.read_csv(out / "utilisation.csv")
    assert (util["worked_hours"].sum() + util["absence_hours"].sum()) == pytest.approx(hours)
    # The burn counts each project's whole life (an export of the hours before October).
    burn = pd.read_csv(out / "project_burn.csv")
    final = burn[burn["period"] == burn["period"].max()]
    lifetime: dict[str, float] = {}
    for entry in _raw_entries(demo_server, "2020-01-01", "2026-10-31"):
        project = entry.get("project")
        if project:
            key = project.get("xid") or f"#{project['id']}"
            lifetime[key] = lifetime.get(key, 0.0) + entry["hours"]
    for row in final.to_dict("records"):
        key = (
            row["project_xid"]
            if isinstance(row["project_xid"], str)
            else f"#{int(row['project_id'])}"
        )
        assert row["cumulative_hours"] == pytest.approx(lifetime[key]), key
    assert len(final) == len(lifetime)

    # A second run with the same cache (same seed, same port: same account) sends nothing.
    second = _run_demo(tmp_path / "again", cache, port)
    assert second.returncode == 0, second.stderr
    assert _spent(second.stdout) == (0, 0.0)
    again = pd.read_csv(tmp_path / "again" / "timesheet.csv")
    pd.testing.assert_frame_equal(again, timesheet)


def test_the_report_reads_each_entity_list_once(demo_server: Any, tmp_path: Path) -> None:
    import dataclasses

    import beebole_pandas as bb
    from beebole_pandas.load import entities as loaders

    start, end = "2026-10-01", "2026-10-31"
    client = bb.connect(
        demo_server.token, url=demo_server.url, cache_dir=tmp_path / "cache", set_default=False
    )
    try:
        lean = cli.load(client, start, end)
        spent = client.budget.requests_used
        full = dataclasses.replace(
            lean,
            subprojects=loaders.subprojects(client=client),
            absences=loaders.absences(client=client),
        )
        skipped = client.budget.requests_used - spent
    finally:
        client.close()
    assert lean.subprojects is None and lean.absences is None
    # The entries' names came from the lists: loading them again is free.
    assert skipped == 0 and spent <= 70, (spent, skipped)
    # The tables are the same as with them loaded.
    for a, b in zip(
        cli.build_sections(lean, start, end), cli.build_sections(full, start, end), strict=True
    ):
        pd.testing.assert_frame_equal(a.table, b.table, obj=a.slug)
        if a.display is not None:
            pd.testing.assert_frame_equal(a.display, b.display, obj=a.slug)
    # Entries that do not name a subproject's project or an absence's type need them.
    entries = full.entries
    on_subproject = entries["subproject_id"].notna() | entries["subproject_xid"].notna()
    on_absence = entries["absence_id"].notna() | entries["absence_xid"].notna()
    assert on_subproject.any() and on_absence.any()
    assert not cli.needs_subprojects(entries) and not cli.needs_absences(entries)
    bare = entries.assign(
        project_id=entries["project_id"].mask(on_subproject),
        project_xid=entries["project_xid"].mask(on_subproject),
        absence_name=entries["absence_name"].mask(on_absence),
    )
    assert cli.needs_subprojects(bare) and cli.needs_absences(bare)


@pytest.mark.parametrize("month", ["2026-13", "2026-09-15", "2026-9", "26-09", "2026-09 "])
def test_demo_rejects_a_bad_month(month: str) -> None:
    # "2026-09-15" used to report from 15 September on, without a word
    with pytest.raises(SystemExit, match=rf"--month '{month}'.*YYYY-MM"):
        cli.main("demo", ["--month", month])


def test_help_lists_the_commands_and_exits_0() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "beebole_pandas", "--help"], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert all(f"  {c}" in out.stdout for c in ("demo", "report", "serve"))
    wrong = subprocess.run(
        [sys.executable, "-m", "beebole_pandas", "demoo"], capture_output=True, text=True
    )
    assert wrong.returncode == 2 and "unknown command 'demoo'" in wrong.stderr


def test_report_without_token_says_how(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code = cli.main(
        "report", ["--start", "2026-10-01", "--end", "2026-10-31", "--out", str(tmp_path / "r")]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "BEEBOLE_TOKEN" in err and "demo" in err
    assert not (tmp_path / "r").exists()


def test_report_against_an_account(
    demo_server: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("BEEBOLE_TOKEN", demo_server.token)
    monkeypatch.setenv("BEEBOLE_URL", demo_server.url)
    out = tmp_path / "r"
    code = cli.main(
        "report",
        [
            "--start",
            "2026-11-02",
            "--end",
            "2026-11-08",
            "--out",
            str(out),
            "--cache-dir",
            str(tmp_path / "cache"),
        ],
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert re.search(r"Spent:\s+\d+ requests", captured.out)
    hours, _ = _raw_hours(demo_server, "2026-11-02", "2026-11-08")
    weekly = pd.read_csv(out / "timesheet.csv")
    assert list(weekly.columns[4:]) == ["2026-11-02"]
    assert weekly["2026-11-02"].sum() == pytest.approx(hours)
    missing = pd.read_csv(out / "missing_submissions.csv")
    assert set(missing["week"]) <= {"2026-11-02"} and len(missing) > 0
    for path in out.iterdir():
        assert demo_server.token not in path.read_bytes().decode("utf-8", "replace")
    assert demo_server.token not in captured.out + captured.err


def test_report_rejects_reversed_dates(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BEEBOLE_TOKEN", "not-used")
    assert cli.main("report", ["--start", "2026-10-31", "--end", "2026-10-01"]) == 2
    assert "before --start" in capsys.readouterr().err
