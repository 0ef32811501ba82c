"""The documented answer shapes, one per service (generated data; do not edit by hand).

Made from ``documented-examples.json`` (every request and response printed in
Beebole's API reference, ``help/legacy/api.mdx`` and ``help/legacy/api/*.mdx``):
for each service, the union of the members its documented responses show.
A shape maps a member name to None (a value), to a shape (an object), or to
``("list", shape)`` (a list of objects; ``("list", {})``: of values).
:mod:`.literal` prunes answers to these shapes.
"""

from __future__ import annotations

from typing import Any

__all__ = ["SHAPES"]

#: service -> documented shape of its ok answer.
SHAPES: dict[str, dict[str, Any]] = {
    "absence.activate": {"status": None},
    "absence.add_group": {"status": None},
    "absence.create": {"id": None, "status": None},
    "absence.deactivate": {"status": None},
    "absence.get": {
        "absence": {"active": None, "company": {"id": None}, "id": None, "name": None},
        "status": None,
    },
    "absence.groups": {
        "groups": ("list", {"groups": {"count": None}, "id": None, "name": None}),
        "status": None,
    },
    "absence.list": {
        "absences": ("list", {"active": None, "company": {"id": None}, "id": None, "name": None}),
        "status": None,
    },
    "absence.remove_group": {"status": None},
    "absence.update": {"status": None},
    "company.activate": {"status": None},
    "company.add_group": {"status": None},
    "company.attach_member": {"status": None},
    "company.attach_specific_task": {"status": None},
    "company.clear_custom_field_value": {"status": None},
    "company.create": {
        "company": {"active": None, "name": None, "projects": {"count": None}, "xid": None},
        "id": None,
        "status": None,
        "xid": None,
    },
    "company.custom_fields": {
        "customFields": ("list", {"id": None, "name": None, "value": None}),
        "status": None,
    },
    "company.deactivate": {"status": None},
    "company.detach_member": {"status": None},
    "company.detach_specific_task": {"status": None},
    "company.disable_specific_tasks": {"status": None},
    "company.enable_specific_tasks": {"status": None},
    "company.get": {
        "company": {
            "active": None,
            "id": None,
            "name": None,
            "projects": {"count": None},
            "xid": None,
        },
        "status": None,
        "xid": None,
    },
    "company.groups": {
        "groups": ("list", {"groups": {"count": None}, "id": None, "name": None}),
        "status": None,
    },
    "company.list": {
        "companies": (
            "list",
            {"active": None, "id": None, "name": None, "projects": {"count": None}},
        ),
        "status": None,
    },
    "company.members": {
        "groups": ("list", {"id": None, "name": None}),
        "members": ("list", {"id": None, "name": None}),
        "status": None,
    },
    "company.remove_group": {"status": None},
    "company.set_custom_field_value": {"status": None},
    "company.specific_tasks": {
        "disabled": None,
        "specificTasks": ("list", {"active": None, "id": None, "name": None}),
        "status": None,
    },
    "company.update": {"status": None},
    "custom_field.list": {
        "customFields": ("list", {"availableFor": None, "id": None, "name": None})
    },
    "group.assignments": {
        "companies": ("list", {"active": None, "id": None, "name": None}),
        "people": ("list", {"active": None, "email": None, "id": None, "name": None}),
        "status": None,
    },
    "group.create": {"id": None, "status": None},
    "group.delete": {"status": None},
    "group.get": {"group": {"id": None, "name": None, "parent": {"id": None}}, "status": None},
    "group.list": {
        "groups": ("list", {"groups": {"count": None}, "id": None, "name": None}),
        "status": None,
    },
    "group.tree": {
        "groups": (
            "list",
            {"groups": ("list", {"id": None, "name": None}), "id": None, "name": None},
        )
    },
    "group.update": {"status": None},
    "person.activate": {"status": None},
    "person.add_group": {"status": None},
    "person.clear_custom_field_value": {"status": None},
    "person.create": {"id": None, "status": None},
    "person.custom_fields": {
        "customFields": ("list", {"id": None, "name": None, "value": None}),
        "status": None,
    },
    "person.deactivate": {"status": None},
    "person.get": {
        "person": {
            "active": None,
            "company": {"id": None},
            "email": None,
            "id": None,
            "leaders": {"count": None},
            "name": None,
            "userGroup": None,
        },
        "status": None,
    },
    "person.groups": {
        "groups": ("list", {"groups": {"count": None}, "id": None, "name": None}),
        "status": None,
    },
    "person.leaders": {
        "leaders": (
            "list",
            {
                "active": None,
                "company": {"id": None},
                "email": None,
                "id": None,
                "leaders": {"count": None},
                "name": None,
                "userGroup": None,
            },
        ),
        "status": None,
    },
    "person.list": {
        "people": (
            "list",
            {
                "active": None,
                "company": {"id": None},
                "email": None,
                "id": None,
                "leaders": {"count": None},
                "name": None,
                "userGroup": None,
            },
        ),
        "status": None,
    },
    "person.remove_group": {"status": None},
    "person.set_custom_field_value": {"status": None},
    "person.update": {"status": None},
    "project.activate": {"status": None},
    "project.add_group": {"status": None},
    "project.attach_manager": {"status": None},
    "project.attach_member": {"status": None},
    "project.attach_specific_task": {"status": None},
    "project.clear_custom_field_value": {"status": None},
    "project.create": {"id": None, "status": None},
    "project.custom_fields": {
        "customFields": ("list", {"id": None, "name": None, "value": None}),
        "status": None,
    },
    "project.deactivate": {"status": None},
    "project.detach_manager": {"status": None},
    "project.detach_member": {"status": None},
    "project.detach_specific_task": {"status": None},
    "project.disable_specific_tasks": {"status": None},
    "project.enable_specific_tasks": {"status": None},
    "project.get": {
        "project": {
            "active": None,
            "company": {"id": None},
            "description": None,
            "id": None,
            "name": None,
            "startDate": None,
            "subprojects": {"count": None},
        },
        "status": None,
    },
    "project.groups": {
        "groups": ("list", {"groups": {"count": None}, "id": None, "name": None}),
        "status": None,
    },
    "project.list": {
        "projects": (
            "list",
            {
                "active": None,
                "company": {"id": None},
                "description": None,
                "id": None,
                "name": None,
                "startDate": None,
                "subprojects": {"count": None},
            },
        ),
        "status": None,
    },
    "project.managers": {
        "members": ("list", {"active": None, "email": None, "id": None, "name": None}),
        "status": None,
    },
    "project.members": {
        "groups": ("list", {"id": None, "name": None}),
        "members": ("list", {"id": None, "name": None}),
        "status": None,
    },
    "project.remove_group": {"status": None},
    "project.set_custom_field_value": {"status": None},
    "project.specific_tasks": {
        "disabled": None,
        "specificTasks": ("list", {"active": None, "id": None, "name": None}),
        "status": None,
    },
    "project.update": {"status": None},
    "subproject.activate": {"status": None},
    "subproject.add_group": {"status": None},
    "subproject.attach_member": {"status": None},
    "subproject.attach_specific_task": {"status": None},
    "subproject.clear_custom_field_value": {"status": None},
    "subproject.create": {"id": None, "status": None},
    "subproject.custom_fields": {
        "customFields": ("list", {"id": None, "name": None, "value": None}),
        "status": None,
    },
    "subproject.deactivate": {"status": None},
    "subproject.detach_member": {"status": None},
    "subproject.detach_specific_task": {"status": None},
    "subproject.disable_specific_tasks": {"status": None},
    "subproject.enable_specific_tasks": {"status": None},
    "subproject.get": {
        "status": None,
        "subproject": {"active": None, "id": None, "name": None, "project": {"id": None}},
    },
    "subproject.groups": {
        "groups": ("list", {"groups": {"count": None}, "id": None, "name": None}),
        "status": None,
    },
    "subproject.list": {
        "status": None,
        "subprojects": (
            "list",
            {"active": None, "id": None, "name": None, "project": {"id": None}},
        ),
    },
    "subproject.members": {
        "groups": ("list", {"id": None, "name": None}),
        "members": ("list", {"id": None, "name": None}),
        "status": None,
    },
    "subproject.remove_group": {"status": None},
    "subproject.set_custom_field_value": {"status": None},
    "subproject.specific_tasks": {
        "disabled": None,
        "specificTasks": ("list", {"active": None, "id": None, "name": None}),
        "status": None,
    },
    "subproject.update": {"status": None},
    "task.activate": {"status": None},
    "task.add_group": {"status": None},
    "task.create": {"id": None, "status": None},
    "task.deactivate": {"status": None},
    "task.get": {
        "status": None,
        "task": {"active": None, "company": {"id": None}, "id": None, "name": None},
    },
    "task.groups": {
        "groups": ("list", {"groups": {"count": None}, "id": None, "name": None}),
        "status": None,
    },
    "task.list": {
        "status": None,
        "tasks": ("list", {"active": None, "company": {"id": None}, "id": None, "name": None}),
    },
    "task.remove_group": {"status": None},
    "task.update": {"status": None},
    "time_entry.approve": {"status": None},
    "time_entry.create": {
        "status": None,
        "timeEntry": {
            "comment": None,
            "date": None,
            "hours": None,
            "id": None,
            "status": None,
            "subproject": {"active": None, "id": None, "name": None},
            "task": {"active": None, "id": None, "name": None},
        },
    },
    "time_entry.delete": {"status": None},
    "time_entry.export": {"job": {"id": None, "status": None}, "status": None},
    "time_entry.get": {
        "status": None,
        "timeEntry": {
            "comment": None,
            "date": None,
            "hours": None,
            "id": None,
            "status": None,
            "subproject": {"active": None, "id": None, "name": None},
            "task": {"active": None, "id": None, "name": None},
        },
    },
    "time_entry.get_entities": {
        "projects": (
            "list",
            {"active": None, "id": None, "name": None, "subprojects": {"count": None}},
        ),
        "subprojects": ("list", {"active": None, "id": None, "name": None}),
    },
    "time_entry.get_job_info": {
        "job": {"id": None, "result": None, "status": None},
        "status": None,
    },
    "time_entry.get_tasks": {"tasks": ("list", {"active": None, "id": None, "name": None})},
    "time_entry.list": {
        "status": None,
        "timeEntries": (
            "list",
            {
                "comment": None,
                "date": None,
                "hours": None,
                "id": None,
                "status": None,
                "subproject": {"active": None, "id": None, "name": None},
                "task": {"active": None, "id": None, "name": None},
            },
        ),
    },
    "time_entry.lock": {"status": None},
    "time_entry.reject": {"status": None},
    "time_entry.submit": {"status": None},
    "time_entry.unlock": {"status": None},
    "time_entry.update": {
        "status": None,
        "timeEntry": {
            "comment": None,
            "date": None,
            "hours": None,
            "id": None,
            "status": None,
            "subproject": {"active": None, "id": None, "name": None},
            "task": {"active": None, "id": None, "name": None},
        },
    },
}
