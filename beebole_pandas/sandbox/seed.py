"""Seeds: the accounts the sandbox starts from.

* ``"empty"``: a corporate company, the four account holders (two
  administrators, an employee, a person whose API access is disabled) and a
  few custom fields without values. Nothing else.
* Both add the ``"us"`` and ``"fr"`` accounts (``SeedData.extra_accounts``):
  the two administrators again, with American and French settings
  (:mod:`.accounts`).
* ``"demo"``: a realistic account: a corporate company with a branch, customer
  companies, about 50 people in country and team groups with team leaders,
  projects and subprojects, general and specific tasks, absence types,
  custom fields with values, xids on part of every kind of entity, and a year
  of time entries (2025-12-01 to 2026-11-30) in every workflow status;
  absence quotas per person and leave year (``seed_time_off``) and the time-clock
  records of the Spanish branch (``seed_clock``).

Both are deterministic: the same arguments give the same :class:`SeedData`,
tokens included. The helpers live in ``seed_catalog`` (names),
``seed_demo`` (entities) and ``seed_entries`` (time entries).
"""

from __future__ import annotations

import datetime as dt
import logging
import random

from beebole_pandas.sandbox.accounts import extra_accounts
from beebole_pandas.sandbox.seed_clock import build_clock_records
from beebole_pandas.sandbox.seed_demo import (
    COMPANY_ID0,
    CUSTOM_FIELD_ID0,
    MIN_PEOPLE,
    PERSON_ID0,
    accounts_for,
    build_entities,
)
from beebole_pandas.sandbox.seed_entries import build_entries, calibrate_budgets, end_of_data
from beebole_pandas.sandbox.seed_time_off import build_leave_quotas
from beebole_pandas.sandbox.seeddata import Company, CustomField, Person, SeedData

__all__ = ["DATA_START", "DEFAULT_MONTHS", "DEFAULT_PEOPLE", "SEEDS", "build", "data_end"]

logger = logging.getLogger(__name__)

SEEDS: tuple[str, ...] = ("empty", "demo")
DATA_START = dt.date(2025, 12, 1)
DEFAULT_PEOPLE = 50
DEFAULT_MONTHS = 12
MAX_PEOPLE = 5000
MAX_MONTHS = 60


def data_end(months: int = DEFAULT_MONTHS) -> dt.date:
    """The last day of the demo's time entries for ``months`` months.

    Examples
    --------
    >>> data_end()
    datetime.date(2026, 11, 30)
    """
    return end_of_data(DATA_START, months)


def build(name: str, *, people: int | None = None, months: int | None = None) -> SeedData:
    """Build a seed account as plain data, ready for ``Store.load``.

    Parameters
    ----------
    name
        ``"empty"`` or ``"demo"``.
    people
        Demo only: number of people (default 50, at least 9). Customer
        companies and projects grow with it.
    months
        Demo only: months of time entries from 2025-12-01 (default 12;
        0 gives no entries).

    Returns
    -------
    SeedData
        The same value for the same arguments.

    Raises
    ------
    ValueError
        Unknown seed name, or ``people``/``months`` out of range.

    Examples
    --------
    >>> from beebole_pandas.sandbox.seed import build
    >>> data = build("demo", people=20, months=1)
    >>> len(data.people), sorted(a["role"] for a in data.accounts)
    (20, ['admin', 'admin_fr', 'disabled', 'employee'])
    """
    if name == "empty":
        if people is not None or months is not None:
            logger.debug("seed 'empty' ignores people=%r and months=%r", people, months)
        return _empty()
    if name != "demo":
        raise ValueError(f"unknown seed {name!r}; valid seeds: {', '.join(map(repr, SEEDS))}")
    people = DEFAULT_PEOPLE if people is None else people
    months = DEFAULT_MONTHS if months is None else months
    if isinstance(people, bool) or not isinstance(people, int):
        raise ValueError(f"people must be an integer, got {people!r}")
    if isinstance(months, bool) or not isinstance(months, int):
        raise ValueError(f"months must be an integer, got {months!r}")
    if not MIN_PEOPLE <= people <= MAX_PEOPLE:
        raise ValueError(f"people={people} is out of range: choose {MIN_PEOPLE} to {MAX_PEOPLE}")
    if not 0 <= months <= MAX_MONTHS:
        raise ValueError(f"months={months} is out of range: choose 0 to {MAX_MONTHS}")
    # Entities and entries draw from separate generators, so that the same
    # number of people gives the same entities whatever the number of months.
    data, plan = build_entities(random.Random(f"demo-entities-{people}"), people=people,
                                data_start=DATA_START)  # fmt: skip
    entries_rng = random.Random(f"demo-entries-{people}-{months}")
    data.time_entries = build_entries(entries_rng, plan, start=DATA_START, months=months)
    calibrate_budgets(data)
    # Quotas and clock records have generators of their own: the entries stay what they were.
    data.leave_quotas = build_leave_quotas(
        random.Random(f"demo-quotas-{people}"), plan.workers, plan.absences,
        first=DATA_START, last=max(DATA_START, data_end(months)),
    )  # fmt: skip
    data.clock_records = build_clock_records(
        random.Random(f"demo-clock-{people}-{months}"), plan.workers, data.time_entries
    )
    data.extra_accounts = extra_accounts("demo", {a["role"]: a["person"] for a in data.accounts})
    return data


def _empty() -> SeedData:
    corporate = COMPANY_ID0
    holders = (
        ("admin", "Ada Admin", "admin"),
        ("employee", "Eve Employee", "employee"),
        ("admin_fr", "Françoise Administratrice", "admin"),
        ("disabled", "Dan Disabled", "employee"),
    )
    people = [
        Person(
            id=PERSON_ID0 + i,
            xid=None,
            name=name,
            email=f"{role.replace('_', '.')}@sandbox.example",
            company=corporate,
            userGroup=group,  # type: ignore[typeddict-item]
            active=True,
        )
        for i, (role, name, group) in enumerate(holders)
    ]
    fields = [
        CustomField(id=CUSTOM_FIELD_ID0, xid=None, name="Industry", availableFor="Company - Customer"),
        CustomField(id=CUSTOM_FIELD_ID0 + 1, xid=None, name="Location", availableFor="Person"),
        CustomField(id=CUSTOM_FIELD_ID0 + 2, xid=None, name="Cost center", availableFor="Project"),
    ]  # fmt: skip
    accounts = accounts_for(
        "empty", {role: PERSON_ID0 + i for i, (role, _, _) in enumerate(holders)}
    )
    return SeedData(
        name="empty",
        accounts=accounts,
        extra_accounts=extra_accounts("empty", {a["role"]: a["person"] for a in accounts}),
        companies=[Company(id=corporate, xid=None, name="Sandbox Corp", corporate=True, active=True)],
        people=people,
        custom_fields=fields,
    )  # fmt: skip
