"""The entities of the ``"demo"`` seed: companies, groups, people, projects, tasks.

:func:`build_entities` fills a :class:`SeedData` (without time entries) and
returns a :class:`Plan`: who works on what, which the time-entry generator
(:mod:`~beebole_pandas.sandbox.seed_entries`) turns into entries. All choices
come from the ``random.Random`` passed in, so the result is deterministic.
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from typing import NamedTuple

from beebole_pandas.sandbox import seed_catalog as cat
from beebole_pandas.sandbox.seeddata import (
    Absence,
    Account,
    Company,
    CustomField,
    Group,
    Person,
    Project,
    SeedData,
    Subproject,
    Task,
)

# First id of each kind; distinct ranges make a company id mistaken for a
# project id fail loudly instead of silently hitting another entity.
COMPANY_ID0 = 101
GROUP_ID0 = 201
PERSON_ID0 = 1001
PROJECT_ID0 = 3001
SUBPROJECT_ID0 = 5001
TASK_ID0 = 7001
ABSENCE_ID0 = 8001
CUSTOM_FIELD_ID0 = 9001

MIN_PEOPLE = len(cat.FIXED_PEOPLE)


class Leaf(NamedTuple):
    """Somewhere work can be logged: a company, project or subproject leaf."""

    field: str  # "company", "project" or "subproject": the time entry member
    id: int
    specifics: tuple[int, ...]  # specific tasks available there (the chain's)
    teams: frozenset[str]  # teams that work there
    start: int  # ordinal of its project's startDate, 0 if none


class Worker(NamedTuple):
    """What the entry generator needs to know about one person."""

    id: int
    country: str  # code: FR, ES, US, UK
    team: str
    work_hours: float
    pool: tuple[Leaf, ...]  # the leaves this person works on over the period
    tasks: tuple[int, ...]  # the team's general task ids, repeated by weight
    start_minute: int  # habitual start of the day, minutes after midnight


class Plan(NamedTuple):
    workers: list[Worker]
    absences: dict[str, int]  # absence name -> id
    task_names: dict[int, str]


def _email(name: str, taken: set[str]) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    local = ".".join(ascii_name.lower().split())
    email, n = f"{local}@{cat.EMAIL_DOMAIN}", 2
    while email in taken:
        email, n = f"{local}{n}@{cat.EMAIL_DOMAIN}", n + 1
    taken.add(email)
    return email


def _token(rng: random.Random) -> str:
    return f"{rng.getrandbits(128):032x}"


def make_tokens(seed_name: str) -> dict[str, str]:
    """Deterministic tokens per account role, independent of the seed's size."""
    rng = random.Random(f"beebole-sandbox-tokens-{seed_name}")
    return {role: _token(rng) for role in ("admin", "employee", "admin_fr", "disabled")}


def accounts_for(seed_name: str, people_by_role: dict[str, int]) -> list[Account]:
    """The four accounts every seed has, bound to the given person ids."""
    tokens = make_tokens(seed_name)
    return [
        Account(role="admin", token=tokens["admin"], person=people_by_role["admin"],
                locale="en", api_enabled=True),
        Account(role="employee", token=tokens["employee"], person=people_by_role["employee"],
                locale="en", api_enabled=True),
        Account(role="admin_fr", token=tokens["admin_fr"], person=people_by_role["admin_fr"],
                locale="fr", api_enabled=True),
        Account(role="disabled", token=tokens["disabled"], person=people_by_role["disabled"],
                locale="en", api_enabled=False),
    ]  # fmt: skip


def _ordinal(day: str | None) -> int:
    return dt.date.fromisoformat(day).toordinal() if day else 0


class _Builder:
    """Accumulates entities; one instance per build."""

    def __init__(self, rng: random.Random, people: int) -> None:
        self.rng = rng
        self.n_people = people
        self.data = SeedData(name="demo")
        self.leaves: list[Leaf] = []
        self.task_ids: dict[str, int] = {}
        self.group_ids: dict[str, int] = {}
        self.team_leader: dict[str, int] = {}
        self.cf_values: dict[str, list[tuple[str, int, str]]] = {
            "Industry": [], "Location": [], "Cost center": [], "Milestone": [],
        }  # fmt: skip
        self.corporate = COMPANY_ID0
        self.admin = PERSON_ID0

    # -- companies, groups, tasks -------------------------------------------------

    def groups(self) -> None:
        gid = GROUP_ID0
        for root, children in (("Country", cat.COUNTRIES), ("Team", cat.TEAMS)):
            root_id = gid
            self.data.groups.append(Group(id=gid, xid=None, name=root, parent=None))
            gid += 1
            for child in children:
                code = cat.COUNTRY_CODES.get(child)
                xid = f"G-{code}" if code else None
                self.data.groups.append(Group(id=gid, xid=xid, name=child, parent=root_id))
                self.group_ids[child] = gid
                gid += 1

    def general_tasks(self) -> None:
        for name, xid, active in cat.GENERAL_TASKS:
            tid = TASK_ID0 + len(self.data.tasks)
            self.data.tasks.append(
                Task(id=tid, xid=xid, name=name, company=self.corporate, active=active)
            )
            self.task_ids[name] = tid

    def specific(self, names: tuple[str, ...], company: int) -> list[int]:
        ids = []
        for name in names:
            if name not in self.task_ids:
                tid = TASK_ID0 + len(self.data.tasks)
                self.data.tasks.append(
                    Task(id=tid, xid=None, name=name, company=company, active=True)
                )
                self.task_ids[name] = tid
            ids.append(self.task_ids[name])
        return ids

    def company(self, spec: cat.CompanySpec, *, corporate: bool) -> int:
        cid = COMPANY_ID0 + len(self.data.companies)
        company = Company(id=cid, xid=spec.xid, name=spec.name, corporate=corporate,
                          active=spec.active)  # fmt: skip
        specifics = self.specific(spec.specific_tasks, cid)
        if specifics:
            company["specific_tasks"] = specifics
        if spec.country:
            company["groups"] = [self.group_ids[spec.country]]
        self.data.companies.append(company)
        if spec.industry:
            self.cf_values["Industry"].append(("company", cid, spec.industry))
        for pspec in spec.projects:
            self.project(pspec, cid, tuple(specifics), active=spec.active)
        if spec.active and not any(p.active for p in spec.projects) and spec.teams:
            self.leaves.append(Leaf("company", cid, tuple(specifics), frozenset(spec.teams), 0))
        return cid

    def project(
        self, spec: cat.ProjectSpec, company: int, inherited: tuple[int, ...], *, active: bool
    ) -> None:
        pid = PROJECT_ID0 + len(self.data.projects)
        project = Project(
            id=pid, xid=spec.xid, name=spec.name, company=company, startDate=spec.start,
            description=spec.description, active=spec.active and active,
            budget=spec.budget, hourlyRate=spec.rate,
            managers=[self.team_leader.get(spec.teams[0], self.admin)],
            groups=[self.group_ids[t] for t in spec.teams],
        )  # fmt: skip
        if spec.exclusive_team:
            project["member_groups"] = [self.group_ids[t] for t in spec.teams]
        specifics = self.specific(spec.specific_tasks, company)
        if specifics:
            project["specific_tasks"] = specifics
        if spec.specific_tasks_disabled:
            project["specific_tasks_disabled"] = True
        self.data.projects.append(project)
        center = 100 if company == self.corporate else 200 + (company - COMPANY_ID0)
        self.cf_values["Cost center"].append(("project", pid, f"CC-{center}"))
        chain = () if spec.specific_tasks_disabled else (*inherited, *specifics)
        teams, start = frozenset(spec.teams), _ordinal(spec.start)
        live = project["active"]
        for sspec in spec.subprojects:
            sid = SUBPROJECT_ID0 + len(self.data.subprojects)
            sub = Subproject(id=sid, xid=sspec.xid, name=sspec.name, project=pid,
                             active=sspec.active and live)  # fmt: skip
            sub_specifics = self.specific(sspec.specific_tasks, company)
            if sub_specifics:
                sub["specific_tasks"] = sub_specifics
            self.data.subprojects.append(sub)
            if sspec.milestone:
                self.cf_values["Milestone"].append(("subproject", sid, sspec.milestone))
            if sub["active"]:
                leaf_chain = (*inherited, *specifics, *sub_specifics)
                self.leaves.append(Leaf("subproject", sid, leaf_chain, teams, start))
        if live and not any(s.active for s in spec.subprojects):
            self.leaves.append(Leaf("project", pid, chain, teams, start))

    def generated_customers(self, count: int) -> None:
        rng = self.rng
        for i in range(count):
            prefix = cat.CUSTOMER_PREFIXES[i % len(cat.CUSTOMER_PREFIXES)]
            suffix = cat.CUSTOMER_SUFFIXES[(i // len(cat.CUSTOMER_PREFIXES)) % 10]
            name = f"{prefix} {suffix}"
            if i >= len(cat.CUSTOMER_PREFIXES) * len(cat.CUSTOMER_SUFFIXES):
                name += f" {i}"
            projects: list[cat.ProjectSpec] = []
            for template, teams, rate in rng.sample(cat.GENERATED_PROJECTS, rng.randint(1, 2)):
                month = rng.randrange(18)  # 2025-01 .. 2026-06
                start = dt.date(2025 + month // 12, month % 12 + 1, 1)
                while start.weekday() >= 5:
                    start += dt.timedelta(days=1)
                subs: tuple[cat.SubprojectSpec, ...] = ()
                if rng.random() < 0.35:
                    subs = tuple(cat.SubprojectSpec(s) for s in cat.GENERATED_SUBPROJECTS)
                xid = f"P-{len(self.data.projects) + len(projects) + 1:04d}" if i % 3 == 0 else None
                projects.append(
                    cat.ProjectSpec(
                        template, xid, start.isoformat(), float(rng.choice((300, 500, 800, 1200))),
                        rate, None, teams, subprojects=subs,
                    )
                )  # fmt: skip
            spec = cat.CompanySpec(
                name, f"C-{i + 1:04d}" if i % 3 == 1 else None,
                rng.choice(cat.INDUSTRIES), tuple(projects),
            )  # fmt: skip
            self.company(spec, corporate=False)

    # -- people -------------------------------------------------------------------

    def people(self) -> list[tuple[int, str, str]]:
        """Create the people; return (id, country code, team) per person."""
        rng = self.rng
        names: set[str] = set()
        emails: set[str] = set()
        specs: list[tuple[str, str, str, str]] = []  # name, country, team, userGroup
        for fixed in cat.FIXED_PEOPLE:
            names.add(fixed.name)
            specs.append((fixed.name, fixed.country, fixed.team, fixed.role))
        codes = [cat.COUNTRY_CODES[c] for c in cat.COUNTRIES]
        for _ in range(self.n_people - len(specs)):
            country = rng.choices(codes, cat.COUNTRY_WEIGHTS)[0]
            team = rng.choices(cat.TEAMS, cat.TEAM_WEIGHTS)[0]
            first = rng.choice(cat.FIRST_NAMES[country])
            last = rng.choice(cat.LAST_NAMES[country])
            name = f"{first} {last}"
            initial = 0
            while name in names:  # a middle initial keeps names unique
                name = f"{first} {chr(65 + initial % 26)}. {last}"
                if initial >= 26:
                    name += f" {initial // 26 + 1}"
                initial += 1
            names.add(name)
            specs.append((name, country, team, "employee"))
        out = []
        branch = COMPANY_ID0 + 1
        country_by_code = {v: k for k, v in cat.COUNTRY_CODES.items()}
        for i, (name, country, team, role) in enumerate(specs):
            pid = PERSON_ID0 + i
            if pid == self.admin:
                leaders: list[int] = []
            elif role in ("admin", "leader"):
                leaders = [self.admin]
            else:
                leaders = [self.team_leader[team]]
            low, high = cat.HOURLY_COST[team]
            person = Person(
                id=pid, xid=f"E-{i + 1:04d}" if i % 4 == 2 else None, name=name,
                email=_email(name, emails),
                company=branch if country == "ES" else self.corporate,
                userGroup=role,  # type: ignore[typeddict-item]
                active=True, leaders=leaders,
                groups=[self.group_ids[country_by_code[country]], self.group_ids[team]],
                hourlyCost=float(rng.randint(low * 2, high * 2)) / 2,
                workHours=6.0 if (i >= MIN_PEOPLE and rng.random() < 0.06) else 8.0,
            )  # fmt: skip
            self.data.people.append(person)
            if rng.random() < 0.9:
                self.cf_values["Location"].append(("person", pid, rng.choice(cat.CITIES[country])))
            out.append((pid, country, team))
        return out

    def workers(self, people: list[tuple[int, str, str]], data_start: int) -> list[Worker]:
        rng = self.rng
        by_team: dict[str, list[Leaf]] = {t: [] for t in cat.TEAMS}
        for leaf in self.leaves:
            for team in leaf.teams:
                by_team[team].append(leaf)
        branch_leaf = next(lf for lf in self.leaves if lf.id == COMPANY_ID0 + 1)
        out = []
        for (pid, country, team), person in zip(people, self.data.people, strict=True):
            # The branch is where its own (Spanish) staff log their local work.
            candidates = [lf for lf in by_team[team] if lf is not branch_leaf or country == "ES"]
            home = [lf for lf in candidates if lf.start <= data_start]
            pool = [rng.choice(home)]
            others = [lf for lf in candidates if lf is not pool[0]]
            pool += rng.sample(others, min(len(others), rng.randint(1, 3)))
            if country == "ES" and branch_leaf not in pool:
                pool.append(branch_leaf)
            tasks = tuple(
                self.task_ids[name]
                for name, weight in cat.TEAM_TASKS[team].items()
                for _ in range(weight)
            )
            out.append(
                Worker(pid, country, team, person.get("workHours", 8.0), tuple(pool), tasks,
                       rng.choice((480, 480, 495, 510, 525, 540, 540, 570)))
            )  # fmt: skip
        return out

    def custom_fields(self) -> None:
        fields = (
            ("Industry", "CF-INDUSTRY", "Company - Customer"),
            ("Company address", None, "Company - Customer"),
            ("Location", None, "Person"),
            ("Cost center", None, "Project"),
            ("Milestone", None, "Subproject"),
        )
        for i, (name, xid, available) in enumerate(fields):
            field = CustomField(id=CUSTOM_FIELD_ID0 + i, xid=xid, name=name, availableFor=available)
            if self.cf_values.get(name):
                field["values"] = self.cf_values[name]
            self.data.custom_fields.append(field)


def build_entities(
    rng: random.Random, *, people: int, data_start: dt.date
) -> tuple[SeedData, Plan]:
    """Everything of the demo account but its time entries.

    Parameters
    ----------
    rng
        The source of every choice.
    people
        Number of people (at least :data:`MIN_PEOPLE`).
    data_start
        First day of the time entries (projects starting before it are "home" projects).
    """
    b = _Builder(rng, people)
    b.groups()
    b.team_leader = {
        fixed.team: PERSON_ID0 + i
        for i, fixed in enumerate(cat.FIXED_PEOPLE)
        if fixed.role == "leader"
    }
    b.general_tasks()
    corporate = cat.CompanySpec(cat.CORPORATE_NAME, None, None, cat.INTERNAL_PROJECTS)
    b.company(corporate, corporate=True)
    b.company(
        cat.CompanySpec(cat.BRANCH_NAME, None, None, (), teams=("Support", "Management"),
                        country="Spain"),
        corporate=True,
    )  # fmt: skip
    for spec in cat.CUSTOMERS:
        b.company(spec, corporate=False)
    b.generated_customers(max(0, (people - 50) // 25))
    roster = b.people()
    workers = b.workers(roster, data_start.toordinal())
    b.custom_fields()
    absence_ids: dict[str, int] = {}
    for i, (name, xid) in enumerate(cat.ABSENCES):
        b.data.absences.append(
            Absence(id=ABSENCE_ID0 + i, xid=xid, name=name, company=b.corporate, active=True)
        )
        absence_ids[name] = ABSENCE_ID0 + i
    roles = {f.account: PERSON_ID0 + i for i, f in enumerate(cat.FIXED_PEOPLE) if f.account}
    b.data.accounts = accounts_for("demo", roles)
    task_names = {t["id"]: t["name"] for t in b.data.tasks}
    return b.data, Plan(workers, absence_ids, task_names)
