"""Time-clock records of the ``"demo"`` seed (Beebole's time-clock.mdx).

The *Time Clock* module tracks "total working time, rather than time spent
on projects"; people record it with the "Clock in" and "Clock out" buttons
(on a desktop or the mobile app, which can geolocate them) or "manually enter
a start and end time" (time-clock.mdx, "Tracking Time with Time Clock").

In the demo the staff of the Spanish branch use the time clock besides their
timesheets (Spain requires a daily record of working time). Each of their
working days gives clock records close to the timesheet: the clock-in a few
minutes before the first entry's start, the day a few minutes longer than the
hours logged, and either

* two records, clocked out and in again around a lunch break, or
* one record from morning to evening whose mandatory break is deducted
  automatically (``break_hours``: 30 minutes past 6 hours; work-schedules.mdx:
  schedules define "time automatically deducted for mandatory breaks").

About one record in seven is typed in by hand (``manual``, times on 5-minute
marks); a person works from home on some days (``wfh``); a clock-in from the
mobile app at the office carries the office's ``address`` and ``coords``. On
the last day of the data a few people are still clocked in (no ``end``):
they are "at work" (reporting.mdx, "Is working").
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from typing import Any

from beebole_pandas.sandbox.seed_demo import Worker
from beebole_pandas.sandbox.seeddata import ClockRecord, TimeEntry

__all__ = ["CLOCK_COUNTRIES", "OFFICES", "build_clock_records"]

#: Countries whose staff use the time clock.
CLOCK_COUNTRIES = frozenset({"ES"})
#: The offices a mobile clock-in can be geolocated at: address, "latitude,longitude".
OFFICES: tuple[tuple[str, str], ...] = (
    ("Calle de Alcalá 45, 28014 Madrid, Spain", "40.418600,-3.697500"),
    ("Passeig de Gràcia 21, 08007 Barcelona, Spain", "41.391700,2.164900"),
)
_COMMENTS = (
    "Client visit in the afternoon",
    "Train delayed",
    "Doctor's appointment",
    "Forgot to clock in: entered by hand",
    "Stayed late for the release",
)


def _at(date: str, minute: int) -> str:
    return f"{date} {minute // 60:02d}:{minute % 60:02d}:00"


def _work_days(entries: Iterable[TimeEntry], people: set[int]) -> dict[tuple[int, str], list[Any]]:
    """(person, date) -> [first start minute, hours worked] from the work entries."""
    days: dict[tuple[int, str], list[Any]] = {}
    for e in entries:
        if e["person"] not in people or e.get("absence") is not None:
            continue
        stime = e.get("stime")
        minute = int(stime[11:13]) * 60 + int(stime[14:16]) if stime else 540
        day = days.get((e["person"], e["date"]))
        if day is None:
            days[e["person"], e["date"]] = [minute, e["hours"]]
        else:
            day[0] = min(day[0], minute)
            day[1] += e["hours"]
    return days


def build_clock_records(
    rng: random.Random, workers: Sequence[Worker], entries: Iterable[TimeEntry]
) -> list[ClockRecord]:
    """The clock records of the time-clock users, derived from their work entries."""
    users = [w for w in workers if w.country in CLOCK_COUNTRIES]
    if not users:
        return []
    home_share = {w.id: rng.choice((0.0, 0.0, 0.2, 0.4)) for w in users}
    office = {w.id: OFFICES[rng.randrange(len(OFFICES))] for w in users}
    days = _work_days(entries, set(home_share))
    last = max((date for _, date in days), default="")
    still_in = set(rng.sample(sorted(home_share), max(1, len(home_share) // 10)))
    rand = rng.random
    out: list[ClockRecord] = []
    for (person, date), (first, hours) in days.items():
        start = first - int(rand() * 11)
        worked = max(30, round(hours * 60) + int(rand() * 26) - 5)
        wfh = rand() < home_share[person]
        manual = rand() < 0.15
        if manual:
            start -= start % 5
            worked -= worked % 5
        if start < 12 * 60 and worked > 5 * 60 and rand() < 0.65:
            # out between 12:00 and 13:45, back after 30 to 75 minutes
            morning = min(12 * 60 + 15 * int(rand() * 8) - start, worked - 60)
            lunch = 30 + 15 * int(rand() * 4)
            spans = [(start, start + morning, 0.0)]
            back = start + morning + lunch
            spans.append((back, back + worked - morning, 0.0))
        else:
            pause = 30 if worked > 6 * 60 else 0
            spans = [(start, start + worked + pause, pause / 60)]
        mobile = not wfh and not manual and rand() < 0.3
        for n, (begin, end, pause_hours) in enumerate(spans):
            record = ClockRecord(person=person, date=date, start=_at(date, begin),
                                 end=_at(date, end), break_hours=pause_hours, manual=manual,
                                 wfh=wfh)  # fmt: skip
            if mobile and n == 0:
                record["address"], record["coords"] = office[person]
            if rand() < 0.03:
                record["comment"] = _COMMENTS[int(rand() * len(_COMMENTS))]
            out.append(record)
        if date == last and person in still_in:
            out[-1]["end"] = None  # clocked in, not out yet
    return out
