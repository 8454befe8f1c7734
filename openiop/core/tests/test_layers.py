# SPDX-License-Identifier: AGPL-3.0-or-later
"""The apps stack in floors, and no module imports a floor above its own.

    core < audit < accounts < sites < patients < domain apps < billing < claims
         < ledger < (assistance, estimates) < reports < demo

Every import counts, at module level or inside a function (an import deferred
to call time is still a dependency). Tests and migrations are not checked, nor
``testing.py``: the permission table's support module is test code that sees
every app (a guard below makes sure no running code imports it).

Imports sideways, between apps on one floor, are listed with their reason,
and a listed edge nobody uses any more fails. No upward import is excused:
one fails the test (move the code down, or invert it with a registry the
higher app fills from its ready(), as chart tabs and banner items are).
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from pathlib import Path

import openiop

ROOT = Path(openiop.__file__).parent

DOMAIN = {
    "admissions",
    "assessments",
    "treatment",
    "medications",
    "scheduling",
    "privacy",
    "directory",
    "public",
    "insurance",
    "diagnoses",
}
FLOORS: list[set[str]] = [
    {"core"},
    {"audit"},
    {"accounts"},
    {"sites"},
    {"patients"},
    DOMAIN,
    {"billing"},
    {"claims"},
    {"ledger"},
    {"assistance", "estimates"},
    {"reports"},
    {"demo"},
]
FLOOR = {app: level for level, apps in enumerate(FLOORS) for app in apps}
# x12 is pure (EDI files in, dataclasses out): it imports no app of ours, and any app may use it.
PURE = {"x12"}
# The project package: settings and the root urls sit above every app; env.py is plain helpers anyone may read.
PROJECT = "config"
PROJECT_HELPERS = {"openiop.config.env"}

# Imports between apps on the same floor, each one on purpose.
SIDEWAYS: dict[tuple[str, str], str] = {
    ("admissions", "insurance"): "the inquiry records the caller's coverage with insurance's member-id rule",
    ("admissions", "scheduling"): "admitting places the patient on a track and their first sessions",
    ("insurance", "admissions"): "coverage from an admitted inquiry is carried over (inquiry_admitted signal)",
    ("insurance", "privacy"): "an electronic eligibility check is a disclosure, recorded under 42 CFR part 2",
    ("privacy", "assessments"): "a records packet includes instrument results",
    ("privacy", "medications"): "a records packet includes medications and drug tests",
    ("privacy", "treatment"): "a records packet includes plans and notes",
    ("public", "admissions"): "the public self-check and call-back request become inquiries",
    ("public", "directory"): "the public locator lists the directory's facilities",
    ("public", "insurance"): "the public estimator names the payers we take",
    ("public", "scheduling"): "the public pages show the tracks' hours",
    ("public", "treatment"): "the public pages show what a program offers",
    ("scheduling", "treatment"): "a group session's attendance opens its group note",
    ("treatment", "privacy"): "counseling notes carry their 42 CFR part 2 protection",
    ("treatment", "scheduling"): "a plan's hours come from the scheduled track",
    ("diagnoses", "admissions"): "the demo diagnoses admitted inquiries",
    ("diagnoses", "medications"): "the demo pairs diagnoses with medications",
}


def app_modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if len(parts) < 2 or "tests" in parts or "migrations" in parts or parts[-1] == "testing.py":
            continue
        yield parts[0], path


def imported_modules(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            # ``from openiop import patients`` names the app in the alias.
            if node.module == "openiop":
                yield from (f"openiop.{alias.name}" for alias in node.names)


@functools.cache
def app_imports() -> list[tuple[str, str, str, str]]:
    """(importing app, module path under openiop/, imported app, imported module) for every cross-app import."""
    found = []
    for app, path in app_modules():
        for module in imported_modules(path):
            parts = module.split(".")
            if parts[0] != "openiop" or len(parts) < 2 or parts[1] == app:
                continue
            found.append((app, path.relative_to(ROOT).as_posix(), parts[1], module))
    return found


def wrong_imports() -> list[str]:
    wrong: list[str] = []
    for app, where, target, module in app_imports():
        if app in PURE:
            wrong.append(f"{where} imports {module}: x12 is pure")
            continue
        if app == PROJECT or module in PROJECT_HELPERS or target in PURE:
            continue
        if app not in FLOOR or target not in FLOOR:
            wrong.append(f"{where} imports {module}: put {app if app not in FLOOR else target} on a floor")
            continue
        if FLOOR[target] < FLOOR[app]:
            continue
        if FLOOR[target] == FLOOR[app] and (app, target) in SIDEWAYS:
            continue
        direction = "sideways" if FLOOR[target] == FLOOR[app] else "upward"
        floors = f"{app} is on floor {FLOOR[app]}, {target} on {FLOOR[target]}"
        wrong.append(f"{where} imports {module} ({direction}: {floors})")
    return wrong


def test_every_app_is_on_a_floor() -> None:
    apps = {path.name for path in ROOT.iterdir() if (path / "apps.py").exists()}
    assert apps - set(FLOOR) - PURE == set()


def test_no_module_imports_a_floor_above_its_own() -> None:
    assert wrong_imports() == []


def test_every_sideways_edge_is_still_used() -> None:
    used = {(app, target) for app, _, target, _ in app_imports()}
    assert set(SIDEWAYS) - used == set()


def test_core_imports_no_patient_or_admission_model() -> None:
    """The demo moved to openiop/demo and list reads learn their records from the apps that own them."""
    for _, where, target, _ in app_imports():
        if where.startswith("core/"):
            assert target not in {"patients", "admissions", "sites", "demo"}, where


def test_running_code_never_imports_the_test_support_modules() -> None:
    for _, where, _, module in app_imports():
        assert not module.endswith(".testing"), f"{where} imports {module}"


def test_the_check_sees_an_upward_import_inside_a_function(tmp_path: Path) -> None:
    module = tmp_path / "example.py"
    module.write_text("def f():\n    from openiop.demo.program import seed\n    import openiop.ledger.models\n")
    assert list(imported_modules(module)) == ["openiop.demo.program", "openiop.ledger.models"]
