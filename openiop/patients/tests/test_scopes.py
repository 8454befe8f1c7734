# SPDX-License-Identifier: AGPL-3.0-or-later
"""The rule "patient at the user's sites" is written once, in
patients.scopes, and every scope that follows the patient uses it: the
patient's home site or any episode's site, widened by emergency access
except where a comment says why not."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from openiop.accounts.models import User
from openiop.core.access import scope_rules
from openiop.medications.models import Medication, Specimen
from openiop.patients import scopes
from openiop.patients.models import Patient
from openiop.patients.scopes import (
    at_users_sites,
    patient_at_users_sites,
    reaches_clinical_record,
    through_patient_at_users_sites,
)
from openiop.patients.services import episode_admit
from openiop.patients.tests.factories import register
from openiop.scheduling.models import PatientAvailability
from openiop.sites.models import Site

OPENIOP = Path(__file__).resolve().parents[2]


@pytest.fixture
def people(north: Site, south: Site) -> dict[str, Patient]:
    """One patient of North only, one of North with an episode at South, one of South."""
    north_only = register(north, legal_first_name="Nora")
    both = register(north, legal_first_name="Bea")
    episode_admit(actor=None, patient=both, site=south, admission_date=dt.date(2026, 3, 1))
    south_only = register(south, legal_first_name="Sam")
    for patient in (north_only, both, south_only):
        PatientAvailability.objects.create(patient=patient, weekday=0, start_time=dt.time(9), end_time=dt.time(12))
    return {"north_only": north_only, "both": both, "south_only": south_only}


def _names(rows: Any) -> set[str]:
    return {row.legal_first_name if isinstance(row, Patient) else row.patient.legal_first_name for row in rows}


def test_the_rule_is_written_once_in_patients_scopes() -> None:
    """Nowhere under openiop/ (tests aside) spells the episode-site lookup as a
    join, and the home-site-or-episode-site subquery is in patients/scopes.py."""
    subquery = 'Episode.objects.filter(site__in=sites).values("patient_id")'
    found = {
        path.relative_to(OPENIOP).as_posix(): path.read_text(encoding="utf-8")
        for path in OPENIOP.rglob("*.py")
        if "tests" not in path.parts and "migrations" not in path.parts
    }
    assert [path for path, text in found.items() if "episodes__site__in" in text] == []
    assert [path for path, text in found.items() if subquery in text] == ["patients/scopes.py"]


def test_a_patient_with_an_episode_at_the_users_site_is_reached_by_every_form_of_the_rule(
    people: dict[str, Patient], charlie: User
) -> None:
    # Charlie works at South only: Sam's home site, and the site of Bea's episode.
    assert _names(Patient.objects.filter(at_users_sites(charlie))) == {"Bea", "Sam"}
    join = patient_at_users_sites("patient__")(PatientAvailability.objects.all(), charlie, "view")
    subquery = through_patient_at_users_sites("patient")(PatientAvailability.objects.all(), charlie, "view")
    assert _names(join) == _names(subquery) == {"Bea", "Sam"}
    assert join.count() == 2  # episodes are a subquery: Bea once, not once per episode


def test_emergency_access_widens_the_rule_except_for_availability(
    people: dict[str, Patient], charlie: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    nora = people["north_only"]
    monkeypatch.setattr(scopes, "_extra_reach", [lambda user: Patient.objects.filter(pk=nora.pk).values("pk")])

    assert _names(Patient.objects.filter(at_users_sites(charlie))) == {"Bea", "Nora", "Sam"}
    assert _names(Patient.objects.filter(at_users_sites(charlie, extra_reach=False))) == {"Bea", "Sam"}
    # Availability is scheduling data: emergency access opens the clinical record, not the schedule.
    (availability_rule,) = scope_rules(PatientAvailability)
    assert _names(availability_rule(PatientAvailability.objects.all(), charlie, "view")) == {"Bea", "Sam"}
    # And whether Charlie already reads Nora's record ignores the access he opened.
    assert not reaches_clinical_record(charlie, nora)


def test_scheduling_and_medications_register_the_shared_rule() -> None:
    assert [rule.__name__ for rule in scope_rules(PatientAvailability)] == ["patient_at_users_sites(patient__)"]
    for model, lookup in ((Medication, "patient"), (Specimen, "patient")):
        assert f"through_patient_at_users_sites({lookup})" in [rule.__name__ for rule in scope_rules(model)]
