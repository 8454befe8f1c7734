# SPDX-License-Identifier: AGPL-3.0-or-later
"""One optimistic-locking check and one stale-edit error (issue 15 item 3)."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

import openiop
from openiop.core.locking import StaleEditError, check_version


@dataclass
class Record:
    version: int


def test_a_save_from_the_version_on_file_or_from_no_form_passes() -> None:
    check_version(Record(version=3), 3)
    check_version(Record(version=3), None)


def test_a_counter_of_another_name_is_checked_the_same_way() -> None:
    # Treatment's notes and plans count in lock_version: the caller passes the counter itself.
    check_version(5, 5)
    with pytest.raises(StaleEditError, match="Someone saved this note first"):
        check_version(6, 5, "Someone saved this note first.")


def test_a_save_from_an_older_version_is_refused_with_the_callers_message() -> None:
    with pytest.raises(StaleEditError) as refused:
        check_version(Record(version=4), 3, "Someone saved this plan first.")
    assert isinstance(refused.value, ValidationError)
    assert refused.value.messages == ["Someone saved this plan first."]
    assert refused.value.code == "stale"


def test_the_one_error_is_imported_from_core_locking_only() -> None:
    # One name, one place: no app hands it on (``services.StaleEditError``) for others to import.
    root = Path(openiop.__file__).parent
    elsewhere = set()
    for path in [*root.rglob("*.py"), *(root.parent / "tests").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and any(alias.name == "StaleEditError" for alias in node.names):
                if node.module != "openiop.core.locking":
                    elsewhere.add(f"{path.name}: from {node.module}")
            elif isinstance(node, ast.Attribute) and node.attr == "StaleEditError":
                elsewhere.add(f"{path.name}: {ast.unparse(node)}")
    assert elsewhere == set()


def test_no_app_defines_a_stale_edit_error_of_its_own() -> None:
    root = Path(openiop.__file__).parent
    defined = set()
    for path in root.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef) and node.name.startswith("Stale") and node.name.endswith("Error"):
                defined.add(f"{path.relative_to(root).as_posix()}:{node.name}")
    assert defined == {"core/locking.py:StaleEditError"}


def test_services_compare_versions_only_through_check_version() -> None:
    root = Path(openiop.__file__).parent
    by_hand = set()
    for path in root.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        if "version != expected_" in path.read_text():
            by_hand.add(path.relative_to(root).as_posix())
    assert by_hand == {
        "core/locking.py",
        # The refusal names who saved the newer version, read only once the versions differ.
        "assessments/services.py",
    }
