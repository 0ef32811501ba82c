"""Property test: whatever a client sends, the sandbox answers well-formed JSON and keeps serving."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from beebole_pandas import sandbox


@pytest.fixture(scope="module")
def server() -> Iterator[sandbox.SandboxServer]:
    with sandbox.serve(seed="demo", daily_requests=10**9, daily_kb=10**9) as srv:
        yield srv


@pytest.fixture(scope="module")
def session() -> Iterator[requests.Session]:
    with requests.Session() as s:
        yield s


# member names the services really take, so that random bodies get past the first checks
MEMBERS = [
    "id", "xid", "company", "person", "project", "subproject", "task", "absence", "group",
    "from", "to", "date", "hours", "comment", "name", "memo", "force", "show", "keys",
    "statusFilters", "gids", "outputFormat", "job", "active", "corporate", "customField",
    "timeEntry", "entity", "startDate", "value",
]  # fmt: skip

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
    | st.sampled_from(["2026-01-05", "2025-12-01", "d", "s", "a", "all", "array", "C1"])
    # values that Python or SQLite cannot take as they are
    | st.sampled_from(["\ud800", "a\udfffb", 10**400, -(10**400), "2026-W01-1", "20260105  "])
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(["id", "xid", "name", "company"]) | st.text(max_size=6),
            inner,
            max_size=4,
        )
    ),
    max_leaves=12,
)


@st.composite
def bodies(draw: st.DrawFn, services: list[str]) -> bytes:
    kind = draw(st.sampled_from(["request", "request", "request", "json", "bytes"]))
    if kind == "bytes":
        return draw(st.binary(max_size=300))
    if kind == "json":
        return json.dumps(draw(values)).encode()
    service = draw(st.sampled_from(services) | st.text(max_size=20) | values)
    members = draw(
        st.dictionaries(st.sampled_from(MEMBERS) | st.text(max_size=8), values, max_size=6)
    )
    return json.dumps({"service": service, **members}).encode()


def test_random_bodies_always_get_json_status(server, session) -> None:
    services = sorted(server.backend.services)
    roles = [role for role in ("admin", "employee", "admin_fr") if role in server.tokens]

    @settings(
        max_examples=200,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(body=bodies(services), role=st.sampled_from(roles))
    def check(body: bytes, role: str) -> None:
        answer = session.post(server.url, data=body, auth=(server.tokens[role], "x"), timeout=30)
        assert answer.status_code == 200 or 400 <= answer.status_code < 500, answer.text
        parsed = answer.json()
        assert isinstance(parsed, dict)
        assert parsed["status"] in ("ok", "error"), parsed
        if parsed["status"] == "error":
            assert isinstance(parsed["message"], str) and parsed["message"]
            assert not parsed["message"].startswith("internal sandbox error"), parsed

    check()
    after = session.post(
        server.url, json={"service": "company.list"}, auth=(server.token, "x"), timeout=30
    )
    assert after.status_code == 200
    assert after.json()["status"] == "ok"
    assert server.stats()["refused"].get(500, 0) == 0
