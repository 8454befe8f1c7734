# SPDX-License-Identifier: AGPL-3.0-or-later
"""Availability windows (a patient's week, a clinician's appointment hours)
can be changed and removed; overlaps are refused with a clear message,
removals leave an audit trail, and a stale edit never overwrites."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.core.locking import StaleEditError
from openiop.core.roles import RoleCode
from openiop.patients.models import Patient
from openiop.scheduling import services
from openiop.scheduling.models import ClinicianAvailability, PatientAvailability
from openiop.scheduling.tests.pages import admitted, staff
from openiop.sites.models import Site

T = dt.time


@pytest.fixture
def patient(north: Site) -> Patient:
    return admitted(north, "Ann", "Able").patient


def window(actor: User, patient: Patient, kind: str, weekday: int, start: int, end: int) -> PatientAvailability:
    return services.patient_availability_add(
        actor=actor, patient=patient, kind=kind, weekday=weekday, start_time=T(start), end_time=T(end)
    )


def test_a_patients_window_can_be_changed_and_the_change_is_audited(bob: User, patient: Patient) -> None:
    work = window(bob, patient, "work", 0, 9, 17)

    services.patient_availability_update(
        actor=bob, window=work, kind="school", weekday=0, start_time=T(8), end_time=T(12), note="College"
    )

    work.refresh_from_db()
    assert (work.kind, work.start_time, work.end_time, work.note) == ("school", T(8), T(12), "College")
    event = AuditEvent.objects.get(action="scheduling.availability.change")
    assert event.data["before"]["from"] == "09:00" and event.data["after"]["until"] == "12:00"


def test_a_change_that_overlaps_another_window_is_refused_and_saves_nothing(bob: User, patient: Patient) -> None:
    window(bob, patient, "work", 1, 9, 13)
    free = window(bob, patient, "free", 1, 17, 21)

    with pytest.raises(ValidationError) as refused:
        services.patient_availability_update(
            actor=bob, window=free, kind="free", weekday=1, start_time=T(12), end_time=T(21)
        )

    assert refused.value.messages == [
        "This overlaps the window already recorded: Work Tuesday 09:00-13:00. Change or remove that one first."
    ]
    free.refresh_from_db()
    assert free.start_time == T(17)


def test_a_window_moved_within_its_own_time_does_not_clash_with_itself(bob: User, patient: Patient) -> None:
    work = window(bob, patient, "work", 2, 9, 17)

    services.patient_availability_update(
        actor=bob, window=work, kind="work", weekday=2, start_time=T(10), end_time=T(16)
    )

    work.refresh_from_db()
    assert (work.start_time, work.end_time) == (T(10), T(16))


def test_an_edit_based_on_what_someone_since_changed_is_refused(bob: User, patient: Patient) -> None:
    work = window(bob, patient, "work", 3, 9, 17)
    seen = services.window_fingerprint(work)
    services.patient_availability_update(
        actor=bob, window=work, kind="work", weekday=3, start_time=T(9), end_time=T(15)
    )

    with pytest.raises(StaleEditError):
        services.patient_availability_update(
            actor=bob, window=work, kind="work", weekday=3, start_time=T(8), end_time=T(17), expected=seen
        )

    work.refresh_from_db()
    assert work.end_time == T(15)


def test_removing_a_window_keeps_what_it_said_in_the_audit_trail(bob: User, patient: Patient) -> None:
    work = window(bob, patient, "work", 4, 9, 17)

    services.patient_availability_remove(actor=bob, window=work)

    assert not PatientAvailability.objects.filter(patient=patient).exists()
    event = AuditEvent.objects.get(action="scheduling.availability.remove")
    assert event.data["kind"] == "work" and event.data["from"] == "09:00" and event.data["until"] == "17:00"
    assert event.actor_id == bob.pk


def test_a_clinicians_window_can_be_changed_but_not_onto_another(north: Site, bob: User) -> None:
    person = staff(north)
    morning = services.clinician_availability_add(
        actor=bob, user=person, site=north, weekday=0, start_time=T(8), end_time=T(12)
    )
    afternoon = services.clinician_availability_add(
        actor=bob, user=person, site=north, weekday=0, start_time=T(13), end_time=T(17)
    )

    services.clinician_availability_update(
        actor=bob, window=afternoon, site=north, weekday=0, start_time=T(12), end_time=T(18), weekly_caseload=10
    )
    with pytest.raises(ValidationError) as refused:
        services.clinician_availability_update(
            actor=bob, window=morning, site=north, weekday=0, start_time=T(8), end_time=T(13), weekly_caseload=15
        )

    afternoon.refresh_from_db()
    morning.refresh_from_db()
    assert (afternoon.start_time, afternoon.end_time, afternoon.weekly_caseload) == (T(12), T(18), 10)
    assert morning.end_time == T(12)
    assert "overlaps the window already recorded" in refused.value.messages[0]
    assert AuditEvent.objects.filter(action="scheduling.clinician_availability.change").count() == 1


def test_a_clinicians_window_cannot_move_to_a_site_they_do_not_work_at(north: Site, south: Site, bob: User) -> None:
    person = staff(north)
    slot = services.clinician_availability_add(
        actor=bob, user=person, site=north, weekday=0, start_time=T(8), end_time=T(12)
    )

    with pytest.raises(ValidationError, match="does not work at"):
        services.clinician_availability_update(
            actor=bob, window=slot, site=south, weekday=0, start_time=T(8), end_time=T(12), weekly_caseload=15
        )


# --- Pages ----------------------------------------------------------------------------------------------------------


def test_the_patient_window_page_changes_a_window(client: Client, bob: User, patient: Patient) -> None:
    work = window(bob, patient, "work", 0, 9, 17)
    client.force_login(bob)
    listing = client.get(reverse("scheduling:availability", args=[patient.pk])).content.decode()
    assert reverse("scheduling:availability_edit", args=[work.pk]) in listing
    url = reverse("scheduling:availability_edit", args=[work.pk])
    fingerprint = client.get(url).context["form"].initial["fingerprint"]

    response = client.post(
        url,
        {"kind": "work", "weekday": "0", "start_time": "09:00", "end_time": "14:00", "note": "",
         "fingerprint": fingerprint},
    )  # fmt: skip

    assert response.status_code == 302
    work.refresh_from_db()
    assert work.end_time == T(14)


def test_the_page_shows_an_overlap_beside_the_form(client: Client, bob: User, patient: Patient) -> None:
    window(bob, patient, "work", 0, 9, 17)
    free = window(bob, patient, "free", 0, 18, 21)
    client.force_login(bob)

    response = client.post(
        reverse("scheduling:availability_edit", args=[free.pk]),
        {"kind": "free", "weekday": "0", "start_time": "16:00", "end_time": "21:00", "note": ""},
    )

    assert response.status_code == 200
    assert "This overlaps the window already recorded: Work Monday 09:00-17:00." in response.content.decode()
    free.refresh_from_db()
    assert free.start_time == T(18)


def test_the_clinician_window_page_changes_and_removes_windows(client: Client, north: Site, bob: User) -> None:
    person = staff(north)
    slot = services.clinician_availability_add(
        actor=bob, user=person, site=north, weekday=2, start_time=T(9), end_time=T(12)
    )
    client.force_login(bob)

    changed = client.post(
        reverse("scheduling:clinician_availability_edit", args=[slot.pk]),
        {"site": str(north.pk), "weekday": "2", "start_time": "10:00", "end_time": "15:00", "weekly_caseload": "12"},
    )
    removed = client.post(reverse("scheduling:clinician_availability", args=[person.pk]), {"remove": str(slot.pk)})
    garbage = client.post(reverse("scheduling:clinician_availability", args=[person.pk]), {"remove": "x"})

    assert changed.status_code == 302 and removed.status_code == 302
    assert garbage.status_code == 404
    assert not ClinicianAvailability.objects.filter(user=person).exists()
    assert AuditEvent.objects.filter(action="scheduling.clinician_availability.remove").exists()


def test_another_sites_patient_window_is_not_found(
    client: Client, persona: Callable[..., User], south: Site, bob: User, patient: Patient
) -> None:
    work = window(bob, patient, "work", 0, 9, 17)
    client.force_login(persona(RoleCode.CLINICIAN, site=south))

    assert client.get(reverse("scheduling:availability_edit", args=[work.pk])).status_code == 404


def test_a_window_removed_meanwhile_is_neither_brought_back_nor_removed_twice(bob: User, patient: Patient) -> None:
    work = window(bob, patient, "work", 2, 9, 17)
    stale_copy = PatientAvailability.objects.get(pk=work.pk)
    services.patient_availability_remove(actor=bob, window=work)

    with pytest.raises(ValidationError, match="removed meanwhile"):
        services.patient_availability_update(
            actor=bob, window=stale_copy, kind="work", weekday=2, start_time=T(9), end_time=T(15)
        )
    services.patient_availability_remove(actor=bob, window=stale_copy)

    assert not PatientAvailability.objects.filter(patient=patient).exists()
    assert AuditEvent.objects.filter(action="scheduling.availability.remove").count() == 1
