"""Links: group assignments, project managers and members, added by push and removed by delete."""

from __future__ import annotations

import pandas as pd
import pytest
from push_support import load_people, writes

import beebole_pandas as bb
from beebole_pandas.writeback import push as bp


@pytest.fixture
def client(fresh_server):
    return bb.connect(fresh_server.token, url=fresh_server.url)


def test_project_managers_are_added_by_push_and_removed_by_delete(fresh_server, client):
    managers = bb.project_managers(client=client, refresh=True)
    people = load_people(client)
    project = managers.iloc[[0]]
    taken = set(
        managers.loc[managers["project_id"].eq(project["project_id"].iloc[0]), "person_id"].dropna()
    )
    newcomer = people[people["id"].notna() & ~people["id"].isin(taken)].iloc[0]
    row = project.assign(
        person_id=pd.array([newcomer["id"]], dtype="Int64"),
        person_xid=pd.array([None], dtype="string"),
        person_name=pd.array([newcomer["name"]], dtype="string"),
    )
    frame = pd.concat([managers, row], ignore_index=True)
    frame.attrs = managers.attrs
    fresh_server.reset_stats()
    plan = bp.plan(frame, client=client)
    assert plan.entity == "project_manager"
    assert plan["action"].value_counts().to_dict() == {"unchanged": len(managers), "create": 1}
    assert writes(fresh_server) == {
        "project.managers": fresh_server.stats()["by_service"]["project.managers"]
    }
    assert bp.push(frame, client=client, progress=False).ok
    after = bb.project_managers(client=client, refresh=True)
    assert len(after) == len(managers) + 1
    assert set(bp.plan(frame, client=client)["action"]) == {"unchanged"}

    added = frame.iloc[[-1]]
    assert bp.delete(added, client=client, dry_run=True)["action"].tolist() == ["delete"]
    gone = added.beebole.delete(client=client, progress=False)
    assert gone.ok and gone["action"].tolist() == ["delete"]
    assert len(bb.project_managers(client=client, refresh=True)) == len(managers)
    assert added.beebole.delete(client=client, progress=False)["action"].tolist() == ["missing"]


def test_moving_a_person_between_groups(fresh_server, client):
    assignments = bb.group_assignments("person", client=client, refresh=True)
    groups = bb.groups(client=client, refresh=True)
    old = assignments.iloc[[0]]
    current = set(
        assignments.loc[assignments["entity_id"].eq(old["entity_id"].iloc[0]), "group_id"].dropna()
    )
    target = groups[groups["id"].notna() & ~groups["id"].isin(current)].iloc[0]
    new = old.assign(
        group_id=pd.array([target["id"]], dtype="Int64"),
        group_xid=pd.array([None], dtype="string"),
        group_name=pd.array([target["name"]], dtype="string"),
    )
    assert old.beebole.delete(client=client, progress=False).ok
    pushed = new.beebole.push(client=client, progress=False)
    assert pushed.ok and pushed["action"].tolist() == ["create"]
    after = bb.group_assignments("person", client=client, refresh=True)
    mine = after[after["entity_id"].eq(old["entity_id"].iloc[0])]
    assert set(mine["group_id"].dropna()) == (current - {old["group_id"].iloc[0]}) | {target["id"]}


def test_members_and_link_validation(fresh_server, client):
    members = bb.members("project", client=client, refresh=True)
    assert len(members) >= 1
    bad = pd.concat([members.head(1)] * 3, ignore_index=True)
    bad.attrs = members.attrs
    bad.loc[bad.index[0], "member_type"] = "robot"
    bad.loc[bad.index[1], "project_id"] = 999999
    bad.loc[bad.index[1], "project_xid"] = pd.NA
    plan = bp.plan(bad, client=client)
    assert plan["action"].tolist() == ["invalid", "invalid", "unchanged"]
    assert plan["reason"].tolist() == [
        "member_type 'robot' is not 'person' or 'group'",
        "unknown project id 999999: no such project on the server",
        "",
    ]
    people = load_people(client)
    first = members.head(1)
    taken = set(members["member_id"].dropna())
    newcomer = people[people["id"].notna() & ~people["id"].isin(taken)].iloc[0]
    joining = first.assign(
        member_type=pd.array(["person"], dtype="string"),
        member_id=pd.array([newcomer["id"]], dtype="Int64"),
        member_xid=pd.array([None], dtype="string"),
    )
    joining.attrs = members.attrs
    assert joining.beebole.push(client=client, progress=False)["action"].tolist() == ["create"]
    after = bb.members("project", client=client, refresh=True)
    assert len(after) == len(members) + 1
    assert joining.beebole.delete(client=client, progress=False).ok
    assert len(bb.members("project", client=client, refresh=True)) == len(members)
