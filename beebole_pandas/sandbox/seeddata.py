"""The plain-data form of a sandbox account: what a seed builds and the store loads.

A seed (:mod:`beebole_pandas.sandbox.seed`) returns a :class:`SeedData`; the
store (:mod:`beebole_pandas.sandbox.store`) loads it in bulk. Nothing here
touches SQLite or HTTP, so seeds can be built and checked on their own.

Conventions
-----------
* Every entity has a unique positive integer ``id`` within its kind, chosen by
  the seed. ``xid`` is ``None`` or a unique string within its kind; an entity
  with an xid is shown by the API with ``xid`` and without ``id``.
* References between entities are by internal integer id (``"company": 3``).
* Dates are ``"YYYY-MM-DD"`` strings, date-times ``"YYYY-MM-DD HH:MM:SS"``.
* Optional keys may be absent; the defaults are given per key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, NotRequired, TypedDict

Role = Literal["admin", "leader", "employee", "contractor", "pm"]  # api/person.mdx


class Account(TypedDict):
    """A user who can call the API: a person plus a token."""

    role: str  # key in server.tokens: "admin", "employee", "admin_fr", "disabled", "us", "fr"
    token: str
    person: int  # the person's id
    locale: Literal["en", "fr"]  # CSV export headers and numbers
    api_enabled: bool


class Company(TypedDict):
    id: int
    xid: str | None
    name: str
    corporate: bool  # the account's own company (and its branches) vs customers
    active: bool
    specific_tasks_disabled: NotRequired[bool]  # default False
    groups: NotRequired[list[int]]  # assigned group ids
    members: NotRequired[list[int]]  # exclusive member person ids
    member_groups: NotRequired[list[int]]  # exclusive member group ids
    specific_tasks: NotRequired[list[int]]  # task ids


class Group(TypedDict):
    id: int
    xid: str | None
    name: str
    parent: int | None


class Person(TypedDict):
    id: int
    xid: str | None
    name: str
    email: str
    company: int
    userGroup: Role
    active: bool
    leaders: NotRequired[list[int]]  # team leader person ids
    groups: NotRequired[list[int]]
    hourlyCost: NotRequired[float]  # cost per hour, for export cost/profit
    workHours: NotRequired[float]  # expected hours per weekday, default 8


class Project(TypedDict):
    id: int
    xid: str | None
    name: str
    company: int
    startDate: str | None
    description: str | None
    active: bool
    budget: NotRequired[float | None]  # hours
    hourlyRate: NotRequired[float | None]  # billing rate per hour
    managers: NotRequired[list[int]]
    groups: NotRequired[list[int]]
    members: NotRequired[list[int]]
    member_groups: NotRequired[list[int]]
    specific_tasks: NotRequired[list[int]]
    specific_tasks_disabled: NotRequired[bool]


class Subproject(TypedDict):
    id: int
    xid: str | None
    name: str
    project: int
    active: bool
    groups: NotRequired[list[int]]
    members: NotRequired[list[int]]
    member_groups: NotRequired[list[int]]
    specific_tasks: NotRequired[list[int]]
    specific_tasks_disabled: NotRequired[bool]


class Task(TypedDict):
    """A task. ``company`` is the company the task belongs to (the account's
    corporate company for general tasks). A task listed in some entity's
    ``specific_tasks`` is specific to it; others are general."""

    id: int
    xid: str | None
    name: str
    company: int
    active: bool
    groups: NotRequired[list[int]]


class Absence(TypedDict):
    id: int
    xid: str | None
    name: str
    company: int
    active: bool
    groups: NotRequired[list[int]]


class CustomField(TypedDict):
    id: int
    xid: str | None
    name: str
    availableFor: str  # e.g. "Company - Customer", "Person", "Project", "Subproject"
    # values set on entities: (entity kind, entity id, value)
    values: NotRequired[list[tuple[str, int, str]]]


class TimeEntry(TypedDict):
    """Logged on exactly one of company / project / subproject / absence (the
    deepest level that exists), with ``task`` when the entity has tasks."""

    id: int
    person: int
    date: str
    hours: float
    status: Literal["d", "s", "a", "r", "l"]
    company: NotRequired[int]
    project: NotRequired[int]
    subproject: NotRequired[int]
    absence: NotRequired[int]
    task: NotRequired[int | None]
    comment: NotRequired[str | None]
    stime: NotRequired[str | None]  # start date-time, only for entries logged with times
    memo: NotRequired[str | None]  # rejection memo


class LeaveQuota(TypedDict):
    """An absence quota (time-off.mdx, "Absence Quotas"): the hours of one absence type
    a person may take in one period. What was taken is computed from the time entries."""

    id: int
    person: int
    absence: int
    start: str  # first day of the quota period
    end: str  # last day of the quota period
    hours: float  # the hours granted ("the total number of hours permitted")


class ClockRecord(TypedDict):
    """One clock-in / clock-out pair of the time clock (time-clock.mdx)."""

    person: int
    date: str
    start: str  # clock-in date-time
    end: str | None  # clock-out date-time; None while the person is still clocked in
    break_hours: NotRequired[float]  # break deducted automatically (work-schedules.mdx), 0
    manual: NotRequired[bool]  # start and end typed in rather than clocked, default False
    wfh: NotRequired[bool]  # working from home, default False
    address: NotRequired[str | None]  # where the mobile app clocked in (geolocation)
    coords: NotRequired[str | None]  # "latitude,longitude" of that place
    comment: NotRequired[str | None]


@dataclass
class SeedData:
    """A whole sandbox account, ready for :meth:`Store.load`."""

    name: str
    # repr=False: accounts hold tokens, which must never reach logs or reprs
    accounts: list[Account] = field(default_factory=list, repr=False)
    # More accounts with settings of their own ("us", "fr": see .accounts); kept apart
    # from ``accounts``, which always holds the four historical roles.
    extra_accounts: list[Account] = field(default_factory=list, repr=False)
    companies: list[Company] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    projects: list[Project] = field(default_factory=list)
    subprojects: list[Subproject] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    absences: list[Absence] = field(default_factory=list)
    custom_fields: list[CustomField] = field(default_factory=list)
    time_entries: list[TimeEntry] = field(default_factory=list)
    leave_quotas: list[LeaveQuota] = field(default_factory=list)
    clock_records: list[ClockRecord] = field(default_factory=list)
