"""Modules offer their public names only: tab completion on ``bb.reports.``
(or any module people reach from ``bb``) shows no ``np``, ``pd`` or imports."""

from __future__ import annotations

import importlib

import pytest

import beebole_pandas as bb

MODULES = [
    "beebole_pandas",
    "beebole_pandas.api",
    "beebole_pandas.errors",
    "beebole_pandas.export_keys",
    "beebole_pandas.frames",
    "beebole_pandas.load",
    "beebole_pandas.reports",
    "beebole_pandas.reports.plotting",
    "beebole_pandas.schema",
    "beebole_pandas.writeback",
]


@pytest.mark.parametrize("name", MODULES)
def test_a_module_shows_only_what_it_offers(name: str) -> None:
    module = importlib.import_module(name)
    shown = dir(module)
    assert shown, name
    leaked = {"np", "pd", "logging", "annotations", "Any", "importlib", "re"} & set(shown)
    assert not leaked, f"{name} shows {sorted(leaked)}"
    for public in module.__all__:
        assert hasattr(module, public), f"{name}.__all__ names {public!r}, which it lacks"
        if not public.startswith("__"):
            assert public in shown


def test_the_wings_name_the_modules_they_offer() -> None:
    assert "time_entries" in dir(bb.load) and "entities" in dir(bb.load)
    assert "push" in dir(bb.writeback) and "client" in dir(bb.api)
    assert {"timesheet", "plotting", "html"} <= set(dir(bb.reports))


def test_status_labels_are_offered_in_workflow_order() -> None:
    assert bb.schema.STATUS_ORDER == ("draft", "submitted", "approved", "rejected", "locked")
    assert list(bb.reports.STATUS_ORDER) == list(bb.schema.STATUS_ORDER)
