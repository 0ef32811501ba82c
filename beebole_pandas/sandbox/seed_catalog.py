"""Fixed names and shapes the seeds draw from: companies, projects, people, tasks.

Plain data only, so that :mod:`~beebole_pandas.sandbox.seed_demo` reads as the
rules for combining them. Everything here is fictional; e-mail addresses use
the reserved ``.example`` top-level domain.
"""

from __future__ import annotations

from typing import NamedTuple

CORPORATE_NAME = "Beebole Demo Corp"
BRANCH_NAME = "Beebole Demo Iberia"
EMAIL_DOMAIN = "demo-corp.example"

COUNTRIES: tuple[str, ...] = ("France", "Spain", "United States", "United Kingdom")
COUNTRY_CODES: dict[str, str] = {
    "France": "FR",
    "Spain": "ES",
    "United States": "US",
    "United Kingdom": "UK",
}
# Share of generated people per country (same order as COUNTRIES).
COUNTRY_WEIGHTS: tuple[int, ...] = (35, 20, 25, 20)

TEAMS: tuple[str, ...] = ("Engineering", "Design", "Sales", "Support", "Management")
TEAM_WEIGHTS: tuple[int, ...] = (40, 15, 15, 20, 10)

CITIES: dict[str, tuple[str, ...]] = {
    "FR": ("Paris, France", "Lyon, France", "Nantes, France"),
    "ES": ("Madrid, Spain", "Barcelona, Spain", "Valencia, Spain"),
    "US": ("New York, NY, USA", "Salt Lake City, UT, USA", "Austin, TX, USA"),
    "UK": ("London, UK", "Manchester, UK", "Edinburgh, UK"),
}

FIRST_NAMES: dict[str, tuple[str, ...]] = {
    "FR": (
        "Camille", "Louis", "Léa", "Hugo", "Chloé", "Julien", "Manon", "Thomas", "Inès",
        "Antoine", "Élodie", "Nicolas", "Sarah", "Maxime", "Pauline", "Mathieu", "Juliette",
        "Romain", "Clémence", "Baptiste",
    ),
    "ES": (
        "Lucía", "Javier", "María", "Pablo", "Carmen", "Diego", "Sofía", "Alejandro", "Elena",
        "Sergio", "Marta", "Raúl", "Paula", "Álvaro", "Nuria", "Iván", "Laura", "Adrián",
        "Cristina", "Óscar",
    ),
    "US": (
        "Emily", "Michael", "Jessica", "David", "Ashley", "James", "Olivia", "Daniel", "Megan",
        "Ryan", "Hannah", "Tyler", "Madison", "Brandon", "Abigail", "Justin", "Taylor", "Kevin",
        "Natalie", "Austin",
    ),
    "UK": (
        "Oliver", "Amelia", "Harry", "Isla", "George", "Freya", "Jack", "Poppy", "Charlie",
        "Ava", "Alfie", "Grace", "Oscar", "Ruby", "Henry", "Evie", "Archie", "Lily", "Theo",
        "Sophie",
    ),
}  # fmt: skip

LAST_NAMES: dict[str, tuple[str, ...]] = {
    "FR": (
        "Martin", "Bernard", "Dubois", "Lefèvre", "Moreau", "Laurent", "Girard", "Fournier",
        "Rousseau", "Blanc", "Garnier", "Faure", "Chevalier", "Mercier", "Perrin", "Morel",
        "Lambert", "Bonnet", "François", "Gauthier",
    ),
    "ES": (
        "García", "Fernández", "López", "Martínez", "Sánchez", "Romero", "Navarro", "Torres",
        "Domínguez", "Vázquez", "Ramos", "Gil", "Serrano", "Molina", "Ortega", "Delgado",
        "Castro", "Ortiz", "Rubio", "Marín",
    ),
    "US": (
        "Smith", "Johnson", "Williams", "Brown", "Davis", "Miller", "Wilson", "Anderson",
        "Thomas", "Jackson", "White", "Harris", "Clark", "Lewis", "Walker", "Young", "Allen",
        "King", "Scott", "Baker",
    ),
    "UK": (
        "Taylor", "Evans", "Roberts", "Wright", "Hughes", "Edwards", "Green", "Hall", "Wood",
        "Harrison", "Cooper", "Turner", "Parker", "Morris", "Cook", "Ward", "Bennett", "Bailey",
        "Collins", "Shaw",
    ),
}  # fmt: skip


class FixedPerson(NamedTuple):
    """One of the people every demo account has, whatever its size."""

    name: str
    country: str  # code, key of CITIES
    team: str
    role: str  # userGroup
    account: str | None  # role key in server.tokens, if the person has a token


# The first nine people: the accounts and one leader per team.
FIXED_PEOPLE: tuple[FixedPerson, ...] = (
    FixedPerson("Olivia Bennett", "US", "Management", "admin", "admin"),
    FixedPerson("Camille Dubois", "FR", "Management", "admin", "admin_fr"),
    FixedPerson("Hugo Lefèvre", "FR", "Engineering", "leader", None),
    FixedPerson("Amelia Hughes", "UK", "Design", "leader", None),
    FixedPerson("Michael Harris", "US", "Sales", "leader", None),
    FixedPerson("Lucía Navarro", "ES", "Support", "leader", None),
    FixedPerson("George Turner", "UK", "Management", "leader", None),
    FixedPerson("Léa Martin", "FR", "Engineering", "employee", "employee"),
    FixedPerson("Ryan Walker", "US", "Support", "employee", "disabled"),
)

# Hourly cost range per team (currency units per hour).
HOURLY_COST: dict[str, tuple[int, int]] = {
    "Engineering": (55, 80),
    "Design": (45, 70),
    "Sales": (40, 60),
    "Support": (35, 50),
    "Management": (80, 110),
}

# General tasks: name, xid, active.
GENERAL_TASKS: tuple[tuple[str, str | None, bool], ...] = (
    ("Development", "T-DEV", True),
    ("Design", None, True),
    ("Meetings", "T-MEET", True),
    ("Testing", None, True),
    ("Support", None, True),
    ("Administration", None, True),
    ("Sales", None, True),
    ("Legacy maintenance", None, False),
)

# What each team spends its work time on: general task name -> weight.
TEAM_TASKS: dict[str, dict[str, int]] = {
    "Engineering": {"Development": 12, "Testing": 3, "Meetings": 5},
    "Design": {"Design": 14, "Meetings": 6},
    "Sales": {"Sales": 12, "Meetings": 6, "Administration": 2},
    "Support": {"Support": 14, "Meetings": 2, "Administration": 4},
    "Management": {"Administration": 8, "Meetings": 10, "Sales": 2},
}

ABSENCES: tuple[tuple[str, str | None], ...] = (
    ("Vacation", "A-VAC"),
    ("Sick leave", None),
    ("Public holiday", None),
    ("Training", None),
)


class SubprojectSpec(NamedTuple):
    name: str
    xid: str | None = None
    active: bool = True
    specific_tasks: tuple[str, ...] = ()
    milestone: str | None = None  # "Milestone" custom field value


class ProjectSpec(NamedTuple):
    name: str
    xid: str | None
    start: str | None
    budget: float | None
    rate: float | None
    description: str | None
    teams: tuple[str, ...]  # teams that log time on it
    subprojects: tuple[SubprojectSpec, ...] = ()
    specific_tasks: tuple[str, ...] = ()
    specific_tasks_disabled: bool = False
    active: bool = True
    exclusive_team: bool = False  # only its teams' members may log time


class CompanySpec(NamedTuple):
    name: str
    xid: str | None
    industry: str | None
    projects: tuple[ProjectSpec, ...]
    active: bool = True
    teams: tuple[str, ...] = ()  # teams that log on the company itself (no projects)
    specific_tasks: tuple[str, ...] = ()
    country: str | None = None  # group assignment


SP = SubprojectSpec
PS = ProjectSpec

INTERNAL_PROJECTS: tuple[ProjectSpec, ...] = (
    PS("Internal Tools", "P-INT-TOOLS", "2025-01-06", 500.0, None,
       "Time tracking integrations, build pipeline and the intranet.",
       ("Engineering", "Design"), specific_tasks=("Code review",)),
    PS("Sales & Marketing", None, "2025-01-06", None, None, "Pipeline, campaigns and events.",
       ("Sales", "Management"),
       subprojects=(SP("Lead generation"), SP("Events", "SP-EVENTS")),
       specific_tasks=("Proposal writing",)),
    PS("Recruiting", None, None, None, None, None, ("Management",)),
    PS("Company Management", None, "2025-01-06", None, None, "Board reporting, budgets, HR.",
       ("Management",), exclusive_team=True),
)  # fmt: skip

CUSTOMERS: tuple[CompanySpec, ...] = (
    CompanySpec("Acme Industries", "C-ACME", "Manufacturing", (
        PS("Website Redesign", "P-ACME-WEB", "2025-09-01", 1200.0, 95.0,
           "New public website and product catalogue.", ("Design", "Engineering"),
           subprojects=(SP("Discovery", milestone="M1"), SP("Design"),
                        SP("Build", "SP-ACME-BUILD", milestone="M2"), SP("Launch"))),
        PS("ERP Integration", "P-ACME-ERP", "2025-11-17", 2500.0, 110.0,
           "Orders and invoices between the ERP and the shop.", ("Engineering",),
           specific_tasks=("Data migration",)),
    ), specific_tasks=("On-site visit",), country="United States"),
    CompanySpec("Globex Corporation", None, "Energy", (
        PS("Mobile App", None, "2026-01-12", 3000.0, 105.0, "Field technicians' app.",
           ("Engineering", "Design"),
           subprojects=(SP("iOS"), SP("Android"), SP("Backend API", "SP-GLOBEX-API"),
                        SP("Prototype", active=False))),
        PS("Analytics Dashboard", None, "2025-10-01", 800.0, 100.0, None,
           ("Engineering", "Design")),
    ), country="United Kingdom"),
    CompanySpec("Initech", "C-INIT", "Finance", (
        PS("Compliance Audit", None, "2025-06-02", 600.0, 120.0, "Yearly controls review.",
           ("Management", "Support"), specific_tasks_disabled=True),
        PS("Support Contract", "P-INIT-SUP", "2025-01-06", None, 85.0,
           "Second-level support, billed monthly.", ("Support", "Engineering")),
    ), specific_tasks=("Quarterly review",), country="France"),
    CompanySpec("Umbrella Health", None, "Healthcare", (
        PS("Patient Portal", "P-UMB-PORTAL", "2026-03-02", 2000.0, 115.0,
           "Appointments and results online.", ("Engineering", "Design"),
           subprojects=(SP("Phase 1", milestone="Go-live"),
                        SP("Phase 2", "SP-UMB-P2", specific_tasks=("Workshop",)))),
        PS("Legacy Migration", None, "2024-03-04", 400.0, 90.0, "Finished.", ("Engineering",),
           active=False),
    ), country="Spain"),
    CompanySpec("Wayne Enterprises", "C-WAYNE", "Logistics", (), teams=("Support", "Sales")),
    CompanySpec("Old Client Ltd", None, None, (), active=False),
)  # fmt: skip

# Generated customers (bigger accounts): name parts and project templates.
CUSTOMER_PREFIXES: tuple[str, ...] = (
    "Northwind", "Blue Harbor", "Silverline", "Redwood", "Granite", "Lumen", "Cobalt",
    "Evergreen", "Summit", "Atlas", "Orion", "Pioneer", "Meridian", "Vertex", "Harbor",
    "Crescent", "Falcon", "Juniper", "Keystone", "Sterling",
)  # fmt: skip
CUSTOMER_SUFFIXES: tuple[str, ...] = (
    "Logistics", "Foods", "Energy", "Capital", "Retail", "Labs", "Motors", "Media",
    "Health", "Systems",
)  # fmt: skip
INDUSTRIES: tuple[str, ...] = (
    "Transportation",
    "Retail",
    "Energy",
    "Finance",
    "Healthcare",
    "Media",
    "Manufacturing",
)
GENERATED_PROJECTS: tuple[tuple[str, tuple[str, ...], float], ...] = (
    # name, teams, hourly rate
    ("Website", ("Design", "Engineering"), 95.0),
    ("Data Platform", ("Engineering",), 110.0),
    ("Support", ("Support",), 85.0),
    ("Brand Refresh", ("Design",), 90.0),
    ("CRM Rollout", ("Engineering", "Support"), 100.0),
)
GENERATED_SUBPROJECTS: tuple[str, ...] = ("Analysis", "Build", "Rollout")

# Comments, per task name, for some work entries.
COMMENTS: dict[str, tuple[str, ...]] = {
    "Development": ("Fixed login bug", "Feature branch review fixes", "API pagination",
                    "Refactoring", "Release preparation", "Performance tuning"),
    "Design": ("Wireframes", "Mock-ups for review", "Icon set", "Style guide update"),
    "Meetings": ("Sprint planning", "Client call", "Weekly sync", "Retrospective",
                 "Steering committee"),
    "Testing": ("Regression tests", "Test plan", "UAT support"),
    "Support": ("Ticket backlog", "Customer escalation", "On-call follow-up"),
    "Administration": ("Invoices", "Budget review", "Hiring paperwork", "Expense reports"),
    "Sales": ("Prospect demo", "Quote follow-up", "Pipeline review"),
    "Code review": ("Reviewed pull requests",),
    "Proposal writing": ("RFP answer", "Proposal draft"),
    "Data migration": ("Customer master data", "Invoice history import"),
    "On-site visit": ("Visit at customer site",),
    "Workshop": ("Requirements workshop",),
    "Quarterly review": ("Controls walkthrough",),
}  # fmt: skip

REJECTION_MEMOS: tuple[str, ...] = (
    "Please split the meetings by project.",
    "Hours missing on Friday, please complete.",
    "Wrong project: the workshop belongs to Phase 2.",
    "Too many hours on one task, please add details.",
)
