"""Replay every request example of the API reference against a live sandbox over HTTP.

The examples' ids are mapped onto entities of a small account built here
(every id a request names gets an entity of its kind, with the links the
example's answer shows); ids returned by a create are mapped onto what the
sandbox created, and used by the get/update/activate/deactivate/delete
examples that follow. Each answer must be status ok and carry the members of
the documented answer (list rows: the documented row fields).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from beebole_pandas.sandbox.seeddata import SeedData

EXAMPLES = Path(__file__).resolve().parent / "data" / "documented-examples.json"

# request member -> entity kind of the {"id": ...} it holds
REF_KINDS = {
    "company": "company",
    "person": "person",
    "project": "project",
    "subproject": "subproject",
    "task": "task",
    "absence": "absence",
    "group": "group",
    "parent": "group",
    "leaders": "person",
    "customField": "custom_field",
}
# examples that act on the entity the previous create made
CREATED_VERBS = {"get", "update", "activate", "deactivate", "delete"}
# example ids that the account serves with another example's entity
ALIASES = {("company", 8695): ("company", 3), ("project", 765): ("project", 30)}


def _examples() -> list[dict[str, Any]]:
    return json.loads(EXAMPLES.read_text(encoding="utf-8"))


def _service_kind(service: str) -> str:
    return service.split(".", 1)[0]


def _walk_refs(service: str, req: dict[str, Any]) -> Iterator[tuple[str, int]]:
    """Every (kind, example id) a request names."""
    kind = _service_kind(service)
    if "id" in req and kind not in ("time_entry",):
        yield kind, req["id"]

    def nested(value: Any, member: str) -> Iterator[tuple[str, int]]:
        ref_kind = REF_KINDS.get(member)
        if isinstance(value, list):
            for item in value:
                yield from nested(item, member)
        elif isinstance(value, dict):
            if ref_kind and "id" in value:
                yield (
                    (f"custom_field:{kind}" if ref_kind == "custom_field" else ref_kind),
                    value["id"],
                )
            for k, v in value.items():
                if k != "id":
                    yield from nested(v, k)

    for member, value in req.items():
        if member == "gids":
            yield from (("group", g) for g in value)
        elif member != "id":
            yield from nested(value, member)


def _account() -> tuple[SeedData, dict[tuple[str, int], int]]:
    """The account the examples run on, and the map example (kind, id) -> its id here."""
    wanted: set[tuple[str, int]] = set()
    for ex in _examples():
        wanted.update(_walk_refs(ex["request"]["service"], ex["request"]))
    ids: dict[tuple[str, int], int] = {}
    counters: dict[str, int] = {}
    for key in sorted(wanted - set(ALIASES), key=str):
        kind = key[0].split(":")[0]
        counters[kind] = counters.get(kind, 0) + 1
        ids[key] = counters[kind]
    for alias, real in ALIASES.items():
        ids[alias] = ids[real]
    kinds: dict[str, list[int]] = {}
    for (kind, _), i in ids.items():
        kinds.setdefault(kind.split(":")[0], []).append(i)

    def m(kind: str, example_id: int) -> int:
        return ids[(kind, example_id)]

    home, gamma = m("company", 233), m("company", 3)
    root = max(kinds["group"]) + 1
    g105, g4787 = m("group", 105), m("group", 4787)
    linked = {"groups": [g105, g4787]}
    specific = max(kinds["task"]) + 1  # a task specific to the entities whose lists are shown
    admin = max(kinds["person"]) + 1
    people = [
        {
            "id": i,
            "xid": None,
            "name": f"Person {i}",
            "email": f"p{i}@example.com",
            "company": home,
            "userGroup": "employee",
            "active": True,
            "hourlyCost": 40.0,
            **({"leaders": [m("person", 32)]} if i == m("person", 455) else {}),
            **(linked if i == m("person", 78) else {}),
            **({"groups": [m("group", 4588), m("group", 8977)]} if i == m("person", 2) else {}),
        }
        for i in sorted(set(kinds["person"]))
    ]
    people.append(
        {
            "id": admin,
            "xid": None,
            "name": "Admin",
            "email": "admin@example.com",
            "company": home,
            "userGroup": "admin",
            "active": True,
            "groups": [g4787],
        }
    )
    team = {"members": [m("person", 455)], "member_groups": [g4787]}
    companies = [
        {
            "id": i,
            "xid": None,
            "name": f"Company {i}",
            "corporate": i == home,
            "active": True,
            **({"groups": [g4787]} if i == home else {}),
            **({**linked, **team, "specific_tasks": [specific]} if i == m("company", 78) else {}),
        }
        for i in sorted(set(kinds["company"]))
    ]
    on_gamma = {m("project", 30)}
    projects = [
        {
            "id": i,
            "xid": None,
            "name": f"Project {i}",
            "company": gamma if i in on_gamma else home,
            "startDate": "2017-01-01",
            "description": "a project",
            "active": True,
            "hourlyRate": 90.0,
            **(
                {**linked, **team, "specific_tasks": [specific], "managers": [m("person", 455)]}
                if i == m("project", 78)
                else {}
            ),
        }
        for i in sorted(set(kinds["project"]))
    ]
    in_dev = {m("subproject", 37)}
    subprojects = [
        {
            "id": i,
            "xid": None,
            "name": f"Subproject {i}",
            "project": m("project", 30) if i in in_dev else m("project", 321),
            "active": True,
            **(linked if i == m("subproject", 78) else {}),
            **(team if i == m("subproject", 765) else {}),
            **({"specific_tasks": [specific]} if i == m("subproject", 86) else {}),
        }
        for i in sorted(set(kinds["subproject"]))
    ]
    tasks = [
        {
            "id": i,
            "xid": None,
            "name": f"Task {i}",
            "company": home,
            "active": True,
            **(linked if i == m("task", 78) else {}),
        }
        for i in sorted(set(kinds["task"]))
    ]
    tasks.append({"id": specific, "xid": None, "name": "Specific", "company": home, "active": True})
    absences = [
        {"id": i, "xid": None, "name": f"Absence {i}", "company": home, "active": True, **linked}
        for i in sorted(set(kinds["absence"]))
    ]
    groups = [{"id": root, "xid": None, "name": "Country", "parent": None}] + [
        {"id": i, "xid": None, "name": f"Group {i}", "parent": root}
        for i in sorted(set(kinds["group"]))
    ]
    fields = []
    for (field_key, _), i in ids.items():
        if field_key.startswith("custom_field:"):
            entity = field_key.split(":")[1]
            available = "Company - Customer" if entity == "company" else entity.capitalize()
            fields.append(
                {
                    "id": i,
                    "xid": None,
                    "name": f"Field {i}",
                    "availableFor": available,
                    "values": [(entity, m(entity, 78), "x")],
                }
            )
    person2, sub37, task17 = m("person", 2), m("subproject", 37), m("task", 17)
    days = ["2017-09-11", "2017-09-20", "2017-10-02", "2017-10-03", "2017-10-13"]
    entries = [
        {
            "id": n + 1,
            "person": person2,
            "date": d,
            "hours": 7.0,
            "status": "d",
            "subproject": sub37,
            "task": task17,
            "comment": "seeded",
        }
        for n, d in enumerate(days)
    ]
    accounts = [
        {
            "role": "admin",
            "token": "replay-admin",
            "person": admin,
            "locale": "fr",
            "api_enabled": True,
        },
        {
            "role": "employee",
            "token": "replay-employee",
            "person": person2,
            "locale": "en",
            "api_enabled": True,
        },
        {
            "role": "admin_fr",
            "token": "replay-admin-fr",
            "person": admin,
            "locale": "fr",
            "api_enabled": True,
        },
        {
            "role": "disabled",
            "token": "replay-disabled",
            "person": person2,
            "locale": "en",
            "api_enabled": False,
        },
    ]
    parts: dict[str, Any] = {
        "accounts": accounts,
        "companies": companies,
        "groups": groups,
        "people": people,
        "projects": projects,
        "subprojects": subprojects,
        "tasks": tasks,
        "absences": absences,
        "custom_fields": fields,
        "time_entries": entries,
    }
    seed = SeedData(name="replay", **parts)
    return seed, ids


def _matches(actual: Any, documented: Any, path: str = "") -> list[str]:
    """What the actual answer lacks of the documented one (empty when it has it all)."""
    if isinstance(documented, dict):
        if not isinstance(actual, dict):
            return [f"{path or 'answer'} is not an object"]
        problems = []
        for key, value in documented.items():
            if key not in actual:
                problems.append(f"{path}.{key} missing")
            elif key != "result":  # CSV in the reference, an array when asked for one
                problems += _matches(actual[key], value, f"{path}.{key}")
        return problems
    if isinstance(documented, list):
        if not isinstance(actual, list):
            return [f"{path} is not a list"]
        if documented and not actual:
            return [f"{path} is empty, the reference shows rows"]
        problems = []
        for n, row in enumerate(actual):
            options = [_matches(row, doc_row, f"{path}[{n}]") for doc_row in documented]
            if all(options):
                problems += options[0]
        return problems
    if actual is None:
        return [f"{path} is null"]
    kind = (bool, (int, float), str)
    for k in kind:
        if isinstance(documented, k) and not isinstance(actual, k):
            return [f"{path} is {actual!r}, the reference has a {type(documented).__name__}"]
    return []


class Replayer:
    def __init__(self, url: str, token: str, ids: dict[tuple[str, int], int]) -> None:
        self.url, self.token, self.ids = url, token, ids
        self.created: dict[tuple[str, int], int] = {}
        self.session = requests.Session()

    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        answer = self.session.post(self.url, json=body, auth=(self.token, "x"), timeout=10)
        assert answer.status_code == 200, answer.text
        return answer.json()  # type: ignore[no-any-return]

    def map_id(self, kind: str, example_id: int, verb: str) -> int:
        created = self.created.get((kind, example_id))
        if created is not None and (verb in CREATED_VERBS or kind in ("time_entry", "job")):
            return created
        return self.ids[(kind, example_id)]

    def translate(self, req: dict[str, Any]) -> dict[str, Any]:
        service = req["service"]
        kind, verb = service.split(".", 1)

        def nested(value: Any, member: str) -> Any:
            if isinstance(value, list):
                return [nested(v, member) for v in value]
            if isinstance(value, dict):
                out = {k: v if k == "id" else nested(v, k) for k, v in value.items()}
                ref_kind = REF_KINDS.get(member)
                if ref_kind and "id" in value:
                    key = f"custom_field:{kind}" if ref_kind == "custom_field" else ref_kind
                    out["id"] = self.map_id(key, value["id"], verb if member == kind else "ref")
                return out
            return value

        out: dict[str, Any] = {}
        for member, value in req.items():
            if member == "id":
                top = "job" if verb == "get_job_info" else kind
                out["id"] = self.map_id(top, value, verb)
            elif member == "gids":
                out["gids"] = [self.map_id("group", g, "ref") for g in value]
            else:
                out[member] = nested(value, member)
        return out

    def learn(self, service: str, documented: list[dict[str, Any]], answer: dict[str, Any]) -> None:
        """Map the ids a create returned onto the ids the reference shows."""
        kind, verb = service.split(".", 1)
        doc = documented[0] if documented else {}
        if verb == "create" and "id" in doc and "id" in answer:
            self.created[(kind, doc["id"])] = answer["id"]
        if "timeEntry" in doc and "timeEntry" in answer:
            self.created[("time_entry", doc["timeEntry"]["id"])] = answer["timeEntry"]["id"]
        if verb == "export" and "job" in answer:
            self.created[("job", doc["job"]["id"])] = answer["job"]["id"]


def test_every_documented_example_replays(capsys: pytest.CaptureFixture[str]) -> None:
    from beebole_pandas import sandbox

    seed, ids = _account()
    examples = _examples()
    failures: list[str] = []
    replayed: set[str] = set()
    with sandbox.serve(
        seed=seed, daily_requests=10**6, daily_kb=10**6, export_delay=0.05
    ) as server:
        replay = Replayer(server.url, server.tokens["admin"], ids)
        for ex in examples:
            req, documented = ex["request"], ex["responses"]
            service = req["service"]
            body = replay.translate(req)
            answer = replay.post(body)
            if service == "time_entry.get_job_info":
                deadline = time.monotonic() + 5
                while (
                    answer.get("job", {}).get("status") == "running" and time.monotonic() < deadline
                ):
                    time.sleep(0.02)
                    answer = replay.post(body)
                documented = [d for d in documented if d.get("job", {}).get("status") == "done"]
            if answer.get("status") != "ok":
                failures.append(f"{ex['title']} ({service}): {answer}")
                continue
            if service.endswith(".custom_fields"):
                # The company example shows it: a field without a value is listed without 'value'.
                documented = [
                    {**d, "customFields": [*d["customFields"], {"id": 0, "name": ""}]}
                    for d in documented
                ]
            if documented:
                options = [_matches(answer, d) for d in documented]
                if all(options):
                    failures.append(f"{ex['title']} ({service}): {options[0]} in {answer}")
                    continue
            replay.learn(service, ex["responses"], answer)
            replayed.add(service)
        services = server.backend.services
    with capsys.disabled():
        print(f"\nreplayed {len(examples)} requests: {len(replayed)}/{len(services)} services")
    assert not failures, "\n".join(failures)
    assert len(examples) == 120
    assert replayed == set(services)
    assert f"{len(replayed)}/{len(services)} services" == "116/116 services"
