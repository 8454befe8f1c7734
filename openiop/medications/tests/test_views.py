# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.core.access import has_action
from openiop.core.navigation import dashboard_sections
from openiop.core.roles import RoleCode
from openiop.core.testing import Objects
from openiop.medications import selectors
from openiop.medications.models import DrugTestReview, Medication, SobrietyDate, Specimen
from openiop.medications.tests.pages import PAGES, extra_objects
from openiop.patients.models import Patient
from openiop.patients.tests.factories import TODAY
from openiop.sites.models import Site

pytestmark = pytest.mark.django_db
Login = Callable[[User], Client]
AddMedication = Callable[..., Medication]
Collect = Callable[..., Specimen]


@pytest.fixture
def login(client: Client) -> Login:
    def log_in(user: User) -> Client:
        client.force_login(user)
        return client

    return log_in


def dashboard_section(user: User) -> str | None:
    """Our section as the dashboard renders it (other apps' sections aside)."""
    request = RequestFactory().get(reverse("core:dashboard"))
    request.user = user
    ours = [section for section in dashboard_sections(request) if section.key == "drug-test-reviews"]
    if not ours:
        return None
    return render_to_string(ours[0].template, {"section": ours[0].context}, request=request)


def chart(client: Client, patient: Patient, tab: str) -> str:
    response = client.get(reverse("patients:chart", args=[patient.pk]) + f"?tab={tab}")
    assert response.status_code == 200
    return response.content.decode()


# --- Medications -------------------------------------------------------------


def test_a_prescriber_adds_buprenorphine_from_the_catalogue_in_one_step(
    login: Login, prescriber: User, patient: Patient
) -> None:
    client = login(prescriber)
    form = client.get(reverse("medications:add", args=[patient.pk]))
    assert form.context["form"].initial["prescriber"] == prescriber.pk

    response = client.post(
        reverse("medications:add", args=[patient.pk]),
        {"catalogue_code": "buprenorphine_naloxone", "prescriber": prescriber.pk, "start_date": TODAY.isoformat()},
    )

    assert response.status_code == 302
    medication = Medication.objects.get()
    assert (medication.name, medication.dose, medication.route, medication.expected_classes) == (
        "Buprenorphine/naloxone (sublingual film or tablet)", "8 mg/2 mg", "sublingual", ["buprenorphine"],
    )  # fmt: skip
    assert medication.indication == "Opioid use disorder"
    page = chart(client, patient, "medications")
    assert "Buprenorphine/naloxone" in page and "Buprenorphine" in page


def test_methadone_shows_the_outside_program_and_that_we_do_not_dispense(
    login: Login, prescriber: User, patient: Patient
) -> None:
    client = login(prescriber)
    url = reverse("medications:add", args=[patient.pk])
    data = {
        "catalogue_code": "methadone_otp",
        "dose": "90 mg",
        "outside_prescriber": "Dr. Otp",
        "start_date": "2026-01-05",
    }

    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "Name the opioid treatment program" in str(refused.context["form"].errors["otp_name"])

    assert client.post(url, {**data, "otp_name": "Harbor OTP"}).status_code == 302
    assert "Dispensed by Harbor OTP; not dispensed here" in chart(client, patient, "medications")


def test_the_form_refuses_a_stop_date_before_the_start_date_and_saves_nothing(
    login: Login, prescriber: User, patient: Patient
) -> None:
    response = login(prescriber).post(
        reverse("medications:add", args=[patient.pk]),
        {
            "catalogue_code": "naltrexone_oral", "prescriber": prescriber.pk, "start_date": "2026-02-10",
            "stop_date": "2026-02-01", "stop_reason": "Ended",
        },
    )  # fmt: skip

    assert response.status_code == 200
    assert response.context["form"].errors["stop_date"] == [
        "The stop date (2026-02-01) is before the start date (2026-02-10)."
    ]
    assert "is before the start date" in response.content.decode()
    assert not Medication.objects.exists()


def test_stopping_and_noting_adherence_from_the_medication_page(
    login: Login, prescriber: User, patient: Patient, add_medication: Callable[..., Medication]
) -> None:
    medication = add_medication(patient)
    client = login(prescriber)
    stop_url = reverse("medications:stop", args=[patient.pk, medication.pk])

    bad = client.post(stop_url, {"version": 1, "stop_date": "2020-01-01", "reason": "x"})
    assert "is before the start date" in str(bad.context["stop_form"].errors["stop_date"])

    note = client.post(
        reverse("medications:adherence", args=[patient.pk, medication.pk]),
        {"noted_on": TODAY.isoformat(), "status": "as_prescribed", "text": "Takes it every morning."},
    )
    assert note.status_code == 302
    assert (
        client.post(stop_url, {"version": 1, "stop_date": TODAY.isoformat(), "reason": "Completed"}).status_code == 302
    )

    medication.refresh_from_db()
    assert medication.stop_date == TODAY and medication.stop_reason == "Completed"
    page = client.get(reverse("medications:detail", args=[patient.pk, medication.pk])).content.decode()
    assert "Takes it every morning." in page and "Completed" in page
    assert "Stop this medication" not in page


# --- Drug tests ------------------------------------------------------------


def specimen_post(**extra: Any) -> dict[str, Any]:
    data = {
        "site": "", "specimen_type": "urine", "collected_at": "2026-03-05T09:15", "observed": "on",
        "collected_by": "", "notes": "",
    }  # fmt: skip
    data.update(extra)
    return data


def test_a_nurse_records_a_cup_with_one_unexpected_positive_and_the_clinician_is_asked_to_review(
    login: Login, nurse: User, bob: User, patient: Patient, north: Site
) -> None:
    SobrietyDate.objects.create(patient=patient, date=dt.date(2026, 1, 1), note="Intake", set_by=bob)
    client = login(nurse)

    response = client.post(
        reverse("medications:specimen_add", args=[patient.pk]),
        specimen_post(site=north.pk, collected_by=nurse.pk, panel_negative="on", result_cocaine="positive",
                      cutoff_cocaine="150"),
    )  # fmt: skip

    specimen = Specimen.objects.get()
    assert response.status_code == 302
    assert specimen.results.count() == 10  # the standard panel, cocaine positive, the rest negative
    assert str(specimen.results.get(drug_class="cocaine").cutoff) == "150.000"
    assert DrugTestReview.objects.get().drug_classes == ["cocaine"]
    followed = client.get(response["Location"])
    assert "a clinician review is pending" in followed.content.decode()
    assert selectors.current_sobriety_date(patient).date == dt.date(2026, 1, 1)  # type: ignore[union-attr]

    page = chart(login(bob), patient, "drug-tests")
    assert "Pending reviews (1)" in page and "2026-01-01" in page
    dashboard = dashboard_section(bob)
    assert dashboard is not None
    assert "Drug-test reviews pending (1)" in dashboard and patient.mrn in dashboard
    assert reverse("medications:review", args=[patient.pk, DrugTestReview.objects.get().pk]) in dashboard


def test_a_bad_specimen_form_keeps_everything_unsaved_with_messages(
    login: Login, nurse: User, patient: Patient, north: Site
) -> None:
    response = login(nurse).post(
        reverse("medications:specimen_add", args=[patient.pk]),
        specimen_post(site=north.pk, collected_by=nurse.pk, specimen_type="breath", result_cocaine="negative",
                      cutoff_fentanyl="1"),
    )  # fmt: skip

    assert response.status_code == 200
    form = response.context["form"]
    assert "A cutoff without a result" in str(form.errors["cutoff_fentanyl"])
    assert not Specimen.objects.exists()

    breath = login(nurse).post(
        reverse("medications:specimen_add", args=[patient.pk]),
        specimen_post(site=north.pk, collected_by=nurse.pk, specimen_type="breath", result_cocaine="negative"),
    )
    assert "A breath specimen is tested for alcohol only." in breath.content.decode()
    assert not Specimen.objects.exists()


def test_the_clinician_confirms_and_only_then_the_sobriety_date_resets(
    login: Login, bob: User, nurse: User, patient: Patient, collect: Callable[..., Specimen]
) -> None:
    SobrietyDate.objects.create(patient=patient, date=dt.date(2026, 1, 1), note="Intake", set_by=bob)
    specimen = collect(patient, days_ago=2, fentanyl="positive")
    review = DrugTestReview.objects.get()
    url = reverse("medications:review", args=[patient.pk, review.pk])

    assert login(nurse).post(url, {"decision": "confirm", "note": "x"}).status_code == 403
    missing_note = login(bob).post(url, {"decision": "confirm", "note": ""})
    assert missing_note.status_code == 200
    assert selectors.current_sobriety_date(patient).date == dt.date(2026, 1, 1)  # type: ignore[union-attr]

    response = login(bob).post(url, {"decision": "confirm", "note": "Discussed; relapse plan updated."})

    assert response.status_code == 302
    assert selectors.current_sobriety_date(patient).date == specimen.collected_on  # type: ignore[union-attr]
    page = login(bob).get(url).content.decode()
    assert "Confirmed: sobriety date reset" in page and "Save decision" not in page


def test_the_clinician_dismisses_after_a_confirmatory_negative(
    login: Login, bob: User, nurse: User, patient: Patient, collect: Callable[..., Specimen]
) -> None:
    specimen = collect(patient, cocaine="positive")
    results = login(nurse).post(
        reverse("medications:results", args=[patient.pk, specimen.pk]),
        {"method": "confirmatory", "result_cocaine": "negative"},
    )
    assert results.status_code == 302
    review = DrugTestReview.objects.get()
    review_page = login(bob).get(reverse("medications:review", args=[patient.pk, review.pk])).content.decode()
    assert "nothing on this specimen is unexpected any more" in review_page

    login(bob).post(
        reverse("medications:review", args=[patient.pk, review.pk]),
        {"decision": "dismiss", "note": "LC-MS/MS negative"},
    )

    review.refresh_from_db()
    assert (review.status, review.decided_by) == ("dismissed", bob)
    assert not SobrietyDate.objects.exists()


def test_expected_and_unexpected_positives_are_shown_apart(
    login: Login,
    bob: User,
    patient: Patient,
    add_medication: Callable[..., Medication],
    collect: Callable[..., Specimen],
) -> None:
    add_medication(patient)
    specimen = collect(patient, buprenorphine="positive", cannabinoids="positive", cocaine="negative")

    page = login(bob).get(reverse("medications:specimen", args=[patient.pk, specimen.pk]))

    reading = page.context["reading"]
    assert [f.drug_class for f in reading.expected] == ["buprenorphine"]
    assert [f.drug_class for f in reading.unexpected] == ["cannabinoids"]
    html = page.content.decode()
    unexpected_block = html[html.index("Unexpected positives (1)") : html.index("Expected positives (prescribed)")]
    assert "Cannabinoids" in unexpected_block and "Buprenorphine" not in unexpected_block


def test_the_trend_has_a_table_and_an_svg_chart(
    login: Login,
    bob: User,
    patient: Patient,
    add_medication: Callable[..., Medication],
    collect: Callable[..., Specimen],
) -> None:
    add_medication(patient)
    collect(patient, days_ago=14, buprenorphine="positive", cocaine="negative")
    collect(patient, days_ago=7, buprenorphine="positive", cocaine="positive")

    response = login(bob).get(reverse("medications:trend", args=[patient.pk]))

    trend = response.context["trend"]
    assert trend.dates == [TODAY - dt.timedelta(days=14), TODAY - dt.timedelta(days=7)]
    rows = {label: [cell.symbol for cell in cells] for label, cells in trend.table}
    assert rows == {"Cocaine": ["−", "+!"], "Buprenorphine": ["+", "+"]}
    html = response.content.decode()
    assert "<svg" in html and 'class="unexpected"' in html and "<table" in html


def test_the_sobriety_date_can_be_set_by_a_clinician_and_not_in_the_future(
    login: Login, bob: User, patient: Patient
) -> None:
    url = reverse("medications:sobriety", args=[patient.pk])
    future = login(bob).post(url, {"date": "2026-04-01", "source": "reported", "note": "x"})
    assert "The sobriety date is in the future." in future.content.decode()

    assert login(bob).post(url, {"date": "2026-02-01", "source": "reported", "note": "At intake"}).status_code == 302
    assert selectors.current_sobriety_date(patient).set_by == bob  # type: ignore[union-attr]


# --- Access -------------------------------------------------------------------


def test_billing_and_front_desk_see_no_medication_or_drug_test_tab(
    login: Login, persona: Callable[..., User], patient: Patient
) -> None:
    for role in (RoleCode.BILLING_SPECIALIST, RoleCode.FRONT_DESK):
        response = login(persona(role)).get(reverse("patients:chart", args=[patient.pk]) + "?tab=drug-tests")
        keys = {tab.key for tab in response.context["extra_tabs"]}
        assert not keys & {"medications", "drug-tests"}, role
        assert "Sobriety date" not in response.content.decode()


def test_staff_of_another_site_get_404_for_every_page_of_a_north_patient(
    login: Login, persona: Callable[..., User], south: Site, patient: Patient
) -> None:
    objects = Objects(site=patient.site, patient=patient, inquiry=None, extra={})  # type: ignore[arg-type]
    objects.extra.update(extra_objects(objects))
    checked = set()
    for role in (RoleCode.NURSE, RoleCode.PRESCRIBER, RoleCode.CLINICIAN, RoleCode.CLINICAL_DIRECTOR):
        user = persona(role, site=south)
        client = login(user)
        for page in PAGES:
            if has_action(user, page.action):
                assert client.get(page.url(objects)).status_code == 404, (role, page.name)
                checked.add(page.name)
    assert checked == {page.name for page in PAGES}
    assert AuditEvent.objects.filter(action="access.denied", object_type="medications.specimen").exists()


def test_a_record_of_another_patient_is_404_even_at_ones_own_site(
    login: Login, bob: User, patient: Patient, north: Site, collect: Callable[..., Specimen]
) -> None:
    from openiop.patients.tests.factories import register

    other = register(north, legal_first_name="Ann", legal_last_name="Other")
    specimen = collect(patient, cocaine="negative")

    assert login(bob).get(reverse("medications:specimen", args=[other.pk, specimen.pk])).status_code == 404


def test_the_dashboard_lists_only_reviews_at_ones_sites(
    login: Login,
    persona: Callable[..., User],
    south: Site,
    patient: Patient,
    nurse: User,
    collect: Callable[..., Specimen],
) -> None:
    collect(patient, cocaine="positive")
    assert dashboard_section(persona(RoleCode.CLINICIAN, site=south)) is None
    assert dashboard_section(persona(RoleCode.BILLING_SPECIALIST)) is None
    nurse_view = dashboard_section(nurse)  # on the patient's care team
    # Nurses see the list, linked to the specimen since they do not decide.
    assert nurse_view is not None and "/reviews/" not in nurse_view and patient.mrn in nurse_view
