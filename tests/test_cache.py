"""The cache, against the sandbox: what reaches the server is counted with server.stats()."""

from __future__ import annotations

import logging
import threading
import time
from datetime import date, timedelta
from typing import Any

import pytest

import beebole_pandas as bb
from beebole_pandas.api.cache import (
    CLOSED_PERIOD,
    CURRENT_PERIOD,
    REFERENCE,
    affected_prefixes,
    cache_key,
    classify,
    encode_body,
    expiry_for,
    fingerprint,
)


def served(server: Any, service: str | None = None) -> int:
    """Answers the server sent (for one service, or all)."""
    counts = server.stats()
    if service is None:
        return int(counts["requests"])
    return int(counts["by_service"].get(service, 0))


def ref(entity: dict[str, Any]) -> dict[str, Any]:
    """How the API addresses an entity: by xid when it has one, else by id."""
    return {"xid": entity["xid"]} if "xid" in entity else {"id": entity["id"]}


def first_company(client: bb.Client) -> dict[str, Any]:
    """The account's first own (corporate) company: the one with people and projects."""
    companies = client.call("company.list")["companies"]
    return ref(next(c for c in companies if c["corporate"]))


# -- pure rules --------------------------------------------------------------


def test_classification_and_expiry_table() -> None:
    assert classify("company.list") == "read"
    assert classify("time_entry.get_entities") == "read"
    assert classify("time_entry.get_job_info") == "uncached"
    assert classify("time_entry.export") == "job"
    assert classify("company.attach_member") == "write"
    today = date(2026, 11, 28)
    assert expiry_for("project.list", {}, today=today) == REFERENCE
    # time entries: closed only for a past period whose entries are all approved or locked
    done = {"timeEntries": [{"status": "a"}, {"status": "l"}]}
    draft = {"timeEntries": [{"status": "a"}, {"status": "d"}]}
    past = {"to": "2026-10-31"}
    assert expiry_for("time_entry.list", past, today=today, answer=done) == CLOSED_PERIOD
    assert expiry_for("time_entry.list", past, today=today, answer=draft) == CURRENT_PERIOD
    assert expiry_for("time_entry.list", past, today=today) == CURRENT_PERIOD  # not read yet
    assert (
        expiry_for("time_entry.list", {"to": "2026-11-30"}, today=today, answer=done)
        == CURRENT_PERIOD
    )
    assert expiry_for("time_entry.get", {"date": "2026-11-02"}, today=today) == CURRENT_PERIOD
    # An export tells by its status column, in array or CSV output (any list separator).
    export = {"from": "2026-10-01", "to": "2026-10-31", "keys": ["eventId", "status"]}
    for result, closed in [
        ([["Id", "Status"], [1, "a"], [2, "l"]], True),
        ("Id,Status\n1,a\n2,l\n", True),
        ('Id;Statut\n1;"a"\n2;l\n', True),
        ("Id;Statut\n1;a\n2;d\n", False),
    ]:
        answer = {"status": "ok", "job": {"status": "done", "result": result}}
        got = expiry_for("time_entry.export", export, today=today, answer=answer)
        assert got == (CLOSED_PERIOD if closed else CURRENT_PERIOD), result
    assert CURRENT_PERIOD < REFERENCE < CLOSED_PERIOD
    # overrides: one value, or by service / entity / category
    assert expiry_for("project.list", {}, overrides=60) == timedelta(seconds=60)
    assert expiry_for("project.list", {}, overrides={"project": 5}) == timedelta(seconds=5)
    assert expiry_for("company.list", {}, overrides={"project": 5}) == REFERENCE
    assert expiry_for(
        "time_entry.list", past, today=today, overrides={"closed": 7}, answer=done
    ) == timedelta(seconds=7)
    assert affected_prefixes("time_entry.update") == ("time_entry.",)
    assert "company." in affected_prefixes("project.update")
    assert affected_prefixes("group.delete") == ("",)
    # keys: per account, per service, per body; never a quote (requests-cache pastes keys into SQL)
    body = encode_body("company.list", {})
    assert cache_key("f1", body) != cache_key("f2", body)
    assert cache_key("f1", body).startswith("f1:company.list:")
    assert "'" not in cache_key("f1", encode_body("x' OR '1'='1.list", {}))


# -- hits and misses -----------------------------------------------------------


def test_repeated_read_costs_nothing_and_refresh_costs_one(demo_server: Any) -> None:
    client = bb.connect(demo_server.token, url=demo_server.url)
    before = served(demo_server)
    first = client.call("company.list")
    assert served(demo_server) == before + 1
    for _ in range(5):
        assert client.call("company.list") == first
    assert served(demo_server) == before + 1
    # a different body is a different entry
    company = ref(first["companies"][0])
    client.call("project.list", company=company)
    client.call("project.list", company=company)
    assert served(demo_server) == before + 2
    # refresh fetches and replaces: one request, then hits again
    assert client.call("company.list", refresh=True) == first
    assert served(demo_server) == before + 3
    client.call("company.list")
    assert served(demo_server) == before + 3
    # a second client of the same account, e.g. after a kernel restart, reuses the cache
    again = bb.connect(demo_server.token, url=demo_server.url)
    assert again.call("company.list") == first
    assert served(demo_server) == before + 3
    assert client.budget.requests_used == 3


def test_two_accounts_never_share_an_entry(demo_server: Any) -> None:
    admin = bb.Client(demo_server.tokens["admin"], url=demo_server.url)
    employee = bb.Client(demo_server.tokens["employee"], url=demo_server.url)
    assert admin.fingerprint != employee.fingerprint
    before = served(demo_server)
    admin_view = admin.call("person.list", company=first_company(admin))
    employee_view = employee.call("person.list", company=first_company(employee))
    by_role = demo_server.stats()["by_token"]
    # each account paid for its own company.list and person.list
    assert served(demo_server) == before + 4
    assert by_role.get("employee", 0) >= 2
    # each one is then served its own entry, not the other's
    assert admin.call("person.list", company=first_company(admin)) == admin_view
    assert employee.call("person.list", company=first_company(employee)) == employee_view
    assert served(demo_server) == before + 4
    # invalidating one account leaves the other's entries alone
    admin.invalidate()
    employee.call("company.list")
    assert served(demo_server) == before + 4
    admin.call("company.list")
    assert served(demo_server) == before + 5
    admin.close()
    employee.close()


def test_same_token_on_another_server_is_another_account(demo_server: Any) -> None:
    from beebole_pandas import sandbox

    with sandbox.serve(seed="demo") as other:
        a = bb.Client(demo_server.token, url=demo_server.url)
        b = bb.Client(other.token, url=other.url)
        assert a.fingerprint != b.fingerprint
        a.call("company.list")
        b.call("company.list")
        assert served(other, "company.list") == 1
        a.close()
        b.close()


def test_status_errors_are_not_cached(fresh_server: Any) -> None:
    client = bb.connect(fresh_server.token, url=fresh_server.url)
    for _ in range(2):
        with pytest.raises(bb.NotFound):
            client.call("company.get", id=999_999)
    assert served(fresh_server, "company.get") == 2
    # an injected status error on a read: raised, not stored, the next call asks again
    fresh_server.inject("error", times=1, services=["company.list"])
    with pytest.raises(bb.ValidationError, match="injected error"):
        client.call("company.list")
    companies = client.call("company.list")
    assert companies["status"] == "ok"
    client.call("company.list")
    assert served(fresh_server, "company.list") == 2


def test_writes_are_never_cached_and_invalidate_affected_reads(fresh_server: Any) -> None:
    client = bb.connect(fresh_server.token, url=fresh_server.url)
    company = first_company(client)
    projects = client.call("project.list", company=company)["projects"]
    absences = client.call("absence.list", company=company)
    client.call("project.list", company=company)
    assert served(fresh_server, "project.list") == 1

    project = projects[0]
    renamed = {**ref(project), "name": project["name"] + " (renamed)"}
    for _ in range(2):  # the same write twice: both reach the server
        client.call("project.update", project=renamed)
    assert served(fresh_server, "project.update") == 2

    # the write dropped the project reads (and the company ones, which count projects)...
    after = client.call("project.list", company=company)["projects"]
    assert served(fresh_server, "project.list") == 2
    assert any(p["name"] == renamed["name"] for p in after)
    client.call("company.list")
    assert served(fresh_server, "company.list") == 2
    # ...but not the unrelated absence reads
    assert client.call("absence.list", company=company) == absences
    assert served(fresh_server, "absence.list") == 1


def test_time_entry_write_drops_time_entry_reads_only(fresh_server: Any) -> None:
    client = bb.connect(fresh_server.token, url=fresh_server.url)
    person = client.call("person.list", company=first_company(client))["people"][0]
    window = {"person": ref(person), "from": "2000-01-01", "to": "2100-12-31"}
    entries = client.call("time_entry.list", **window)["timeEntries"]
    client.call("time_entry.list", **window)
    assert served(fresh_server, "time_entry.list") == 1
    editable = next(e for e in entries if e["status"] in ("d", "r"))
    one = {"id": editable["id"], "date": editable["date"]}
    client.call("time_entry.get", **one)

    # the explicit forms of invalidate: an entity, a service
    assert client.invalidate("company") == 1
    assert client.invalidate("time_entry.list") == 1
    client.call("time_entry.list", **window)
    client.call("time_entry.get", **one)
    assert served(fresh_server, "time_entry.list") == 2
    assert served(fresh_server, "time_entry.get") == 1  # only .list was dropped

    # a successful write drops every time_entry read, and nothing else
    client.call("time_entry.delete", **one)
    after = client.call("time_entry.list", **window)["timeEntries"]
    assert served(fresh_server, "time_entry.list") == 3
    assert len(after) == len(entries) - 1
    with pytest.raises(bb.NotFound):
        client.call("time_entry.get", **one)
    client.call("person.list", company=first_company(client))
    assert served(fresh_server, "person.list") == 1
    assert served(fresh_server, "company.list") == 2  # refetched once after invalidate("company")


def test_offline_answers_from_cache_and_misses_clearly(demo_server: Any) -> None:
    online = bb.connect(demo_server.token, url=demo_server.url)
    companies = online.call("company.list")
    before = served(demo_server)
    offline = bb.connect(demo_server.token, url=demo_server.url, offline=True)
    assert offline.offline is True
    assert offline.call("company.list") == companies
    with pytest.raises(bb.OfflineMiss, match=r"project\.list.*offline.*no answer") as miss:
        offline.call("project.list", company={"id": 999})
    assert miss.value.service == "project.list"
    with pytest.raises(bb.OfflineMiss, match="offline"):
        offline.call("company.create", company={"name": "x"})
    assert served(demo_server) == before
    assert offline.budget.requests_used == 1  # the online call only
    offline.offline = False
    assert "online" in repr(offline)


def test_offline_serves_expired_entries(demo_server: Any) -> None:
    online = bb.Client(demo_server.token, url=demo_server.url, expire_after=1)
    companies = online.call("company.list")
    time.sleep(1.2)
    before = served(demo_server)
    online.offline = True
    assert online.call("company.list") == companies
    assert served(demo_server) == before
    online.close()


def test_expired_entry_is_fetched_again(demo_server: Any) -> None:
    client = bb.Client(demo_server.token, url=demo_server.url, expire_after={"company": 1})
    client.call("company.list")
    client.call("company.list")
    before = served(demo_server, "company.list")
    time.sleep(1.2)
    client.call("company.list")
    assert served(demo_server, "company.list") == before + 1
    client.close()


def test_stale_if_error_serves_the_expired_entry_with_a_warning(
    fresh_server: Any, caplog: pytest.LogCaptureFixture
) -> None:
    client = bb.Client(
        fresh_server.token, url=fresh_server.url, expire_after=1, retries=2, backoff=0.01
    )
    companies = client.call("company.list")
    time.sleep(1.2)
    fresh_server.inject("http503")
    with caplog.at_level(logging.WARNING, logger="beebole_pandas"):
        assert client.call("company.list") == companies
    assert served(fresh_server, "company.list") == 1 + 3  # the first call, then 1 + 2 retries
    warning = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert warning and "serving the cached answer" in warning[-1].getMessage()
    assert "company.list" in warning[-1].getMessage()
    # the stale entry survived the failure: once the server is back it is replaced
    fresh_server.inject(None)
    assert client.call("company.list") == companies
    assert served(fresh_server, "company.list") == 5
    # without a cached entry the failure is raised
    fresh_server.inject("http503")
    with pytest.raises(bb.ServerError):
        client.call("project.list", company={"id": 101})
    client.close()


def test_stale_if_error_also_covers_timeouts(fresh_server: Any) -> None:
    client = bb.Client(
        fresh_server.token,
        url=fresh_server.url,
        expire_after=1,
        retries=1,
        backoff=0.01,
        timeout=0.5,
    )
    companies = client.call("company.list")
    time.sleep(1.2)
    fresh_server.inject("timeout", delay=1.0)
    assert client.call("company.list") == companies
    client.close()


def test_eight_threads_reading_the_same_thing_cost_one_request(fresh_server: Any) -> None:
    client = bb.connect(fresh_server.token, url=fresh_server.url)
    start = threading.Barrier(8)
    results: list[dict[str, Any]] = []
    errors: list[BaseException] = []

    def read() -> None:
        try:
            start.wait()
            results.append(client.call("company.list"))
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=read) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    assert len(results) == 8 and all(r == results[0] for r in results)
    assert served(fresh_server, "company.list") == 1
    assert client.budget.requests_used == 1


def test_job_info_is_never_cached(fresh_server: Any) -> None:
    client = bb.connect(fresh_server.token, url=fresh_server.url)
    job = client.call(
        "time_entry.export", **{"from": "2000-01-01", "to": "2100-01-01"}, keys=["hours"]
    )["job"]
    for _ in range(2):
        client.call("time_entry.get_job_info", id=job["id"])
    assert served(fresh_server, "time_entry.get_job_info") == 2
    # a second identical export is a new job, not a cached answer...
    client.call("company.list")
    person = client.call("person.list", company=first_company(client))["people"][0]
    window = {"person": ref(person), "from": "2025-01-01", "to": "2025-01-31"}
    client.call("time_entry.list", **window)
    client.call("time_entry.export", **{"from": "2000-01-01", "to": "2100-01-01"}, keys=["hours"])
    assert served(fresh_server, "time_entry.export") == 2
    # ...and starting a job changes no data: the cached reads stay
    client.call("time_entry.list", **window)
    assert served(fresh_server, "time_entry.list") == 1
    assert affected_prefixes("time_entry.export") == ()


def test_cache_false_still_meters(demo_server: Any) -> None:
    client = bb.Client(demo_server.token, url=demo_server.url, cache=False)
    before = served(demo_server)
    client.call("company.list")
    client.call("company.list")
    assert served(demo_server) == before + 2
    assert client.budget.requests_used == 2
    assert client.invalidate() == 0
    with pytest.raises(bb.ValidationError, match="cache"):
        client.offline = True
    client.close()


def test_remember_and_recall_an_assembled_answer(fresh_server: Any) -> None:
    client = bb.connect(fresh_server.token, url=fresh_server.url)
    params = {"from": "2025-01-01", "to": "2025-01-31", "keys": ["company", "hours"]}
    assert client.recall("time_entry.export", **params) is None
    answer = {"status": "ok", "job": {"status": "done", "id": 7, "result": [["Company", 1.5]]}}
    client.remember("time_entry.export", answer, **params)
    assert client.recall("time_entry.export", **params) == answer
    assert client.recall("time_entry.export", **{**params, "to": "2025-02-28"}) is None
    offline = bb.Client(fresh_server.token, url=fresh_server.url, offline=True)
    assert offline.recall("time_entry.export", **params) == answer
    with pytest.raises(bb.ValidationError, match="status: ok"):
        client.remember("time_entry.export", {"status": "error"}, **params)
    # the account's other reads are untouched; a time-entry write drops it
    person = client.call("person.list", company=first_company(client))["people"][0]
    entries = client.call(
        "time_entry.list", person=ref(person), **{"from": "2000-01-01", "to": "2100-01-01"}
    )["timeEntries"]
    editable = next(e for e in entries if e["status"] in ("d", "r"))
    client.call("time_entry.delete", id=editable["id"], date=editable["date"])
    assert client.recall("time_entry.export", **params) is None
    assert fresh_server.stats()["by_service"].get("time_entry.export", 0) == 0
    offline.close()


def test_why_keys_carry_the_account(demo_server: Any) -> None:
    """requests-cache's own keys ignore Authorization: two tokens would share one entry."""
    from requests_cache import CachedSession

    naive = CachedSession(backend="memory", allowable_methods=("POST",))
    body = {"service": "company.list"}
    before = served(demo_server)
    naive.post(demo_server.url, json=body, auth=(demo_server.tokens["admin"], "x"))
    shared = naive.post(demo_server.url, json=body, auth=(demo_server.tokens["employee"], "x"))
    assert shared.from_cache  # the employee got the admin's answer
    assert served(demo_server) == before + 1
    naive.close()
    # the client's keys differ per account, and hold no token
    raw = encode_body("company.list", {})
    keys = {
        cache_key(fingerprint(demo_server.url, demo_server.tokens[role]), raw)
        for role in ("admin", "employee")
    }
    assert len(keys) == 2
    assert not any(demo_server.tokens[r] in k for k in keys for r in ("admin", "employee"))


def test_concurrent_reads_and_writes_leave_no_stale_entry(fresh_server: Any) -> None:
    """A read in flight while a write lands must not keep its (possibly older) answer."""
    client = bb.connect(fresh_server.token, url=fresh_server.url)
    names = [f"Concurrent {n} Ltd" for n in range(12)]
    stop = threading.Event()
    errors: list[BaseException] = []

    def reader() -> None:
        try:
            while not stop.is_set():
                client.call("company.list")
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    def writer(chunk: list[str]) -> None:
        try:
            for name in chunk:
                client.call("company.create", company={"name": name})
        except BaseException as exc:
            errors.append(exc)

    readers = [threading.Thread(target=reader) for _ in range(3)]
    writers = [threading.Thread(target=writer, args=(names[i::3],)) for i in range(3)]
    for t in readers + writers:
        t.start()
    for t in writers:
        t.join(60)
    stop.set()
    for t in readers:
        t.join(60)
    assert not errors
    cached = {c["name"] for c in client.call("company.list")["companies"]}
    assert set(names) <= cached
    assert served(fresh_server, "company.create") == len(names)


def test_each_entry_keeps_the_expiry_of_its_service(demo_server: Any) -> None:
    import datetime as dt

    client = bb.Client(demo_server.token, url=demo_server.url)
    today = dt.datetime.now(dt.UTC).date()
    month_start = today.replace(day=1)
    calls: list[tuple[str, dict[str, Any], dt.timedelta]] = [
        ("company.list", {}, REFERENCE),
        (  # the demo's entries up to September 2026 are all approved or locked
            "time_entry.list",
            {"person": {"id": 1001}, "from": "2025-01-01", "to": "2026-09-30"},
            CLOSED_PERIOD,
        ),
        (  # a past month that still holds drafts stays current
            "time_entry.list",
            {"person": {"id": 1001}, "from": "2026-11-01", "to": "2026-11-30"},
            CURRENT_PERIOD,
        ),
        (
            "time_entry.list",
            {"person": {"id": 1001}, "from": month_start.isoformat(), "to": today.isoformat()},
            CURRENT_PERIOD,
        ),
    ]
    for service, params, expected in calls:
        client.call(service, **params)
        key = cache_key(client.fingerprint, encode_body(service, params))
        entry = client._session.cache.get_response(key)
        lifetime = entry.expires - entry.created_at
        assert abs(lifetime - expected) < dt.timedelta(seconds=5), (service, lifetime)
    client.close()


# -- review 2 ----------------------------------------------------------------


def _editable_entry(client: bb.Client) -> dict[str, Any]:
    person = client.call("person.list", company=first_company(client))["people"][0]
    entries = client.call(
        "time_entry.list", person=ref(person), **{"from": "2000-01-01", "to": "2100-01-01"}
    )["timeEntries"]
    return next(e for e in entries if e["status"] in ("d", "r"))


def test_an_export_result_is_dropped_if_a_write_landed_while_it_ran(fresh_server: Any) -> None:
    client = bb.connect(fresh_server.token, url=fresh_server.url)
    params = {"from": "2026-11-01", "to": "2026-11-30", "keys": ["person", "hours"]}
    answer = {"status": "ok", "job": {"status": "done", "id": 1, "result": [["Hours"], [1.0]]}}
    # starting an export changes no data: reads in flight meanwhile keep their answers
    generation = client.generation()
    client.call("time_entry.export", **params)
    assert client.generation() == generation
    # a write lands while the job runs: its result may predate the write
    entry = _editable_entry(client)
    client.call("time_entry.delete", id=entry["id"], date=entry["date"])
    assert client.generation() > generation
    client.remember("time_entry.export", answer, since_generation=generation, **params)
    assert client.recall("time_entry.export", **params) is None
    # by default, the generation is the one of this client's last identical start
    client.call("time_entry.export", **params)
    entry = _editable_entry(client)
    client.call("time_entry.delete", id=entry["id"], date=entry["date"])
    client.remember("time_entry.export", answer, **params)
    assert client.recall("time_entry.export", **params) is None
    # no write in between: kept
    client.call("time_entry.export", **params)
    client.remember("time_entry.export", answer, **params)
    assert client.recall("time_entry.export", **params) == answer
    client.remember("time_entry.export", answer, since_generation=client.generation(), **params)
    assert client.recall("time_entry.export", **params) == answer


@pytest.mark.parametrize("name", ["http_cache.sqlite", "budget.sqlite"])
def test_a_corrupt_cache_file_is_moved_aside(
    demo_server: Any, tmp_path: Any, name: str, caplog: pytest.LogCaptureFixture
) -> None:
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir()
    (cache_dir / name).write_bytes(b"this is not a database" * 100)
    with caplog.at_level(logging.WARNING, logger="beebole_pandas"):
        client = bb.Client(demo_server.token, url=demo_server.url, cache_dir=cache_dir)
    assert client.call("company.list")["status"] == "ok"
    assert client.call("company.list")["status"] == "ok"
    moved = list(cache_dir.glob(f"{name}.corrupt-*"))
    assert len(moved) == 1 and moved[0].read_bytes().startswith(b"this is not a database")
    warning = caplog.records[-1].getMessage()
    assert (
        name in warning and "not a usable SQLite database" in warning and moved[0].name in warning
    )
    client.close()


def test_spent_budget_or_quota_serves_the_expired_entry(
    fresh_server: Any, caplog: pytest.LogCaptureFixture
) -> None:
    from beebole_pandas import sandbox

    client = bb.Client(fresh_server.token, url=fresh_server.url, expire_after=1, daily_requests=1)
    companies = client.call("company.list")
    time.sleep(1.1)
    with caplog.at_level(logging.WARNING, logger="beebole_pandas"):
        assert client.call("company.list") == companies
    message = caplog.records[-1].getMessage()
    assert "company.list" in message and "serving the cached answer" in message
    assert "budget is spent" in message
    with pytest.raises(bb.BudgetExceeded):  # nothing cached: still refused
        client.call("group.tree")
    client.close()
    with sandbox.serve(seed="demo", daily_requests=1) as server:
        client = bb.Client(server.token, url=server.url, expire_after=1, retries=0)
        companies = client.call("company.list")
        time.sleep(1.1)
        assert client.call("company.list") == companies
        assert server.stats()["refused"].get(429) == 1
        with pytest.raises(bb.QuotaExceeded):
            client.call("group.tree")
        client.close()


def test_date_objects_give_the_same_expiry_as_strings(demo_server: Any) -> None:
    today = date(2026, 11, 28)
    done = {"timeEntries": [{"status": "l"}]}
    for closed in (
        date(2026, 10, 31),
        "2026-10-31",
        __import__("datetime").datetime(2026, 10, 31, 12),
    ):
        assert (
            expiry_for("time_entry.list", {"to": closed}, today=today, answer=done) == CLOSED_PERIOD
        )
    assert expiry_for("time_entry.get", {"date": date(2026, 11, 2)}, today=today) == CURRENT_PERIOD
    client = bb.Client(demo_server.token, url=demo_server.url)
    params = {"person": {"id": 1001}, "from": date(2025, 1, 1), "to": date(2025, 1, 31)}
    client.call("time_entry.list", **params)
    entry = client._session.cache.get_response(
        cache_key(client.fingerprint, encode_body("time_entry.list", params))
    )
    assert abs((entry.expires - entry.created_at) - CLOSED_PERIOD) < timedelta(seconds=5)
    client.close()
