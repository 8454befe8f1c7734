# SPDX-License-Identifier: AGPL-3.0-or-later
"""One optimistic-locking check and one stale-edit error (issue 15 item 3)."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

import openiop
from openiop.assessments import services as assessments_services
from openiop.core.locking import StaleEditError, check_version
from openiop.diagnoses import services as diagnoses_services
from openiop.insurance import services as insurance_services
from openiop.patients import services as patients_services
from openiop.scheduling import services as scheduling_services


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


def test_every_adopting_app_raises_the_one_error() -> None:
    adopted = (patients_services, insurance_services, diagnoses_services, scheduling_services, assessments_services)
    for module in adopted:
        assert module.StaleEditError is StaleEditError, module.__name__


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
