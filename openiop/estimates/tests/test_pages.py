# SPDX-License-Identifier: AGPL-3.0-or-later
"""The estimate as the patient gets it, the pages and who reaches them, the
deadline list and the billing workspace's dispute-right flag."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from decimal import Decimal

import pytest
import time_machine
from django.test import Client, RequestFactory
from django.urls import reverse

from openiop.accounts.models import User
from openiop.billing.models import Charge, ChargeKind, ChargeStatus
from openiop.core.roles import RoleCode
from openiop.diagnoses.models import Diagnosis
from openiop.estimates import notices, selectors, services
from openiop.estimates.models import GoodFaithEstimate
from openiop.estimates.tests.conftest import NPI, TIN, inputs
from openiop.insurance.models import Coverage, Payer
from openiop.patients.models import Episode, Patient
from openiop.patients.tests.factories import NOW, TODAY
from openiop.sites.models import Site

pytestmark = pytest.mark.django_db


def _text(response: object) -> str:
    return html.unescape(response.content.decode())  # type: ignore[attr-defined]


def test_the_issued_estimate_carries_every_element_the_no_surprises_act_requires(
    patient: Patient, biller: User, client: Client
) -> None:
    # Straight onto the problem list: the diagnoses service would load the whole code set.
    Diagnosis.objects.create(patient=patient, code="F1020", description="Alcohol dependence", is_primary=True)
    draft = services.estimate_create(actor=biller, patient=patient, inputs=inputs(), scheduled_on=TODAY)
    issued = services.estimate_issue(actor=biller, estimate=draft)
    client.force_login(biller)

    page = _text(client.get(reverse("estimates:detail", args=[patient.pk, issued.pk])))
    required = [
        notices.TITLE,
        notices.RIGHT_TO_ESTIMATE,
        "Rosa Alvarez",  # patient name
        "April 17, 1990",  # date of birth
        "Intensive outpatient substance use treatment (ASAM level 2.1), about 3 hours a day, 3 days a week",
        "March 16, 2026",  # expected dates
        "April 12, 2026",
        "March 5, 2026",  # scheduled on, and issued on
        "F10.20",  # diagnosis code
        "Service code (HCPCS/CPT)",
        "H0015",
        "H0001",
        "80305",
        "$250.00",
        "$3,000.00",
        "$120.00",
        "$200.00",
        "Total estimated charges",
        "$3,320.00",
        "Test Recovery Services",  # provider
        NPI,
        TIN,
        "North Site, 1 Main Street, Boston, MA 02108",  # facility and location
        notices.HHS_WEBSITE,
        notices.HHS_PHONE,
        *notices.DISCLAIMERS,
    ]
    missing = [element for element in required if element not in page]
    assert missing == []
    assert "$400 more" in notices.DISPUTE_RIGHT and "not a contract" in notices.NOT_A_CONTRACT
    assert "only an estimate" in notices.ONLY_AN_ESTIMATE and "Keep a copy" in notices.KEEP_A_COPY
    assert "DRAFT" not in page

    pdf = client.get(reverse("estimates:pdf", args=[patient.pk, issued.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content == bytes(issued.pdf) and pdf.content.startswith(b"%PDF-")


def test_a_draft_is_previewed_as_a_draft_and_has_no_pdf(draft: GoodFaithEstimate, biller: User, client: Client) -> None:
    client.force_login(biller)
    page = _text(client.get(reverse("estimates:detail", args=[draft.patient_id, draft.pk])))
    assert "DRAFT: not yet issued" in page and "$3,320.00" in page and "Rosa Alvarez" in page
    assert client.get(reverse("estimates:pdf", args=[draft.patient_id, draft.pk])).status_code == 404
    chart = _text(client.get(reverse("patients:chart", args=[draft.patient_id]) + "?tab=estimates"))
    assert "Good Faith Estimates" in chart and "Version 1" in chart and "New Good Faith Estimate" in chart


def test_who_may_see_and_issue_estimates(
    draft: GoodFaithEstimate, persona: Callable[..., User], bob: User, client: Client
) -> None:
    detail = reverse("estimates:detail", args=[draft.patient_id, draft.pk])
    new = reverse("estimates:new", args=[draft.patient_id])
    client.force_login(persona(RoleCode.FRONT_DESK))
    assert client.get(detail).status_code == 200
    assert client.get(new).status_code == 403
    assert client.post(reverse("estimates:issue", args=[draft.patient_id, draft.pk])).status_code == 403
    client.force_login(bob)  # a clinician
    assert client.get(detail).status_code == 403
    services.estimate_issue(actor=bob, estimate=draft)  # a new estimate is drafted once no other draft is open
    client.force_login(persona(RoleCode.ADMISSIONS_NAVIGATOR))
    response = client.post(
        new,
        {
            "first_day": "2026-03-16",
            "weeks": "2",
            "level_of_care": "2.1",
            "drug_tests_per_week": "0",
            "individual_sessions_per_week": "1",
            "include_intake": "on",
        },
    )
    created = GoodFaithEstimate.objects.exclude(pk=draft.pk).get()
    assert response["Location"] == reverse("estimates:detail", args=[draft.patient_id, created.pk])
    assert [line.code for line in created.lines.all()] == ["90834", "H0001", "H0015"]


def test_another_sites_patient_is_not_found(
    draft: GoodFaithEstimate, persona: Callable[..., User], south: Site, client: Client
) -> None:
    client.force_login(persona(RoleCode.BILLING_SPECIALIST, site=south))
    assert client.get(reverse("estimates:detail", args=[draft.patient_id, draft.pk])).status_code == 404
    assert client.get(reverse("estimates:new", args=[draft.patient_id])).status_code == 404
    assert client.get(reverse("estimates:due")).content.decode().count("Rosa") == 0


def test_the_form_says_why_an_insured_patient_gets_no_estimate(patient: Patient, biller: User, client: Client) -> None:
    payer = Payer.objects.create(organization=patient.organization, name="Acme Health", payer_id="ACME1")
    Coverage.objects.create(patient=patient, payer=payer, member_id="M123", effective_date=dt.date(2026, 1, 1))
    client.force_login(biller)
    response = client.post(
        reverse("estimates:new", args=[patient.pk]),
        {"first_day": "2026-03-16", "weeks": "4", "level_of_care": "2.1", "drug_tests_per_week": "1"}
        | {"individual_sessions_per_week": "0"},
    )
    assert response.status_code == 200
    assert "a Good Faith Estimate is for uninsured or self-pay patients" in _text(response)
    assert not GoodFaithEstimate.objects.exists()


def test_due_estimates_become_overdue_after_their_deadline_until_given(
    draft: GoodFaithEstimate, biller: User, client: Client
) -> None:
    assert draft.due_on == dt.date(2026, 3, 6)
    (entry,) = selectors.due_estimates(biller)
    assert not entry.overdue
    with time_machine.travel(NOW + dt.timedelta(days=4), tick=False):  # Monday 9 March
        (entry,) = selectors.due_estimates(biller)
        assert entry.overdue
        request = RequestFactory().get("/")
        request.user = biller
        assert selectors.overdue_section(request) == {"overdue": [entry], "count": 1}
        client.force_login(biller)
        page = _text(client.get(reverse("estimates:due")))
        assert "Rosa Alvarez" in page and "2026-03-06" in page
    issued = services.estimate_issue(actor=biller, estimate=draft)
    services.estimate_deliver(actor=biller, estimate=issued, method="paper")
    assert selectors.due_estimates(biller) == []


def _charge(patient: Patient, day: dt.date, amount: str, **fields: object) -> Charge:
    episode = Episode.objects.get(patient=patient)
    values: dict[str, object] = {"kind": ChargeKind.PER_DIEM, "code": "H0015", "status": ChargeStatus.READY}
    values.update(fields)
    return Charge.objects.create(
        patient=patient, episode=episode, site=patient.site, service_date=day, amount=Decimal(amount), **values
    )


def test_billed_charges_400_dollars_over_the_estimate_flag_the_dispute_right(
    draft: GoodFaithEstimate, biller: User, client: Client
) -> None:
    patient = draft.patient
    issued = services.estimate_issue(actor=biller, estimate=draft)
    assert issued.total == Decimal("3320.00")
    _charge(patient, dt.date(2026, 3, 16), "3000.00")
    _charge(patient, dt.date(2026, 3, 18), "719.99", kind=ChargeKind.PROFESSIONAL, code="90837")
    # Neither a voided charge nor one outside the estimate's dates counts.
    _charge(patient, dt.date(2026, 3, 20), "900.00", status=ChargeStatus.VOIDED, voided_at=NOW)
    _charge(patient, dt.date(2026, 4, 13), "900.00")
    assert selectors.dispute_flags(biller) == []  # $399.99 over

    _charge(patient, dt.date(2026, 3, 23), "0.01", kind=ChargeKind.DRUG_TEST, code="80305")
    (flag,) = selectors.dispute_flags(biller)
    assert (flag.patient, flag.billed, flag.over) == (patient, Decimal("3720.00"), Decimal("400.00"))
    client.force_login(biller)
    workspace = _text(client.get(reverse("billing:workspace")))
    assert "may dispute (billed $400.00 over the estimate)" in workspace and "Rosa Alvarez" in workspace


def _revise_post(estimate: GoodFaithEstimate, version: int, weeks: int) -> dict[str, str]:
    return {
        "first_day": "2026-03-16", "weeks": str(weeks), "level_of_care": "2.1", "drug_tests_per_week": "1",
        "individual_sessions_per_week": "0", "include_intake": "on", "scheduled_on": TODAY.isoformat(),
        "version": str(version),
    }  # fmt: skip


def test_a_draft_changed_after_the_form_opened_is_not_overwritten_and_who_changed_it_is_named(
    draft: GoodFaithEstimate, biller: User, persona: Callable[..., User], client: Client
) -> None:
    colleague = persona(RoleCode.BILLING_SPECIALIST)
    url = reverse("estimates:revise", args=[draft.patient_id, draft.pk])
    client.force_login(biller)
    opened_at = draft.lock_version
    assert f'name="version" value="{opened_at}"' in client.get(url).content.decode()
    services.estimate_revise(actor=colleague, estimate=draft, inputs=inputs(weeks=6), expected_version=opened_at)

    page = _text(client.post(url, _revise_post(draft, opened_at, weeks=8)))

    assert "Someone else changed this record" in page
    assert f"Last saved by {colleague.get_full_name()}" in page
    assert 'name="weeks" value="8"' in page  # the user's input is kept
    draft.refresh_from_db()
    assert draft.weeks == 6 and GoodFaithEstimate.objects.count() == 1


def test_a_draft_issued_after_the_form_opened_is_not_silently_revised_into_a_new_version(
    draft: GoodFaithEstimate, biller: User, client: Client
) -> None:
    url = reverse("estimates:revise", args=[draft.patient_id, draft.pk])
    opened_at = draft.lock_version
    services.estimate_issue(actor=biller, estimate=draft)
    client.force_login(biller)

    page = _text(client.post(url, _revise_post(draft, opened_at, weeks=8)))

    assert "Someone else changed this record" in page
    assert GoodFaithEstimate.objects.count() == 1
    fresh = client.post(url, _revise_post(draft, opened_at + 1, weeks=8))
    assert fresh.status_code == 302 and GoodFaithEstimate.objects.count() == 2


def test_the_new_estimate_form_sent_twice_drafts_one_estimate(patient: Patient, biller: User, client: Client) -> None:
    client.force_login(biller)
    url = reverse("estimates:new", args=[patient.pk])
    sent = _revise_post(GoodFaithEstimate(), 0, weeks=4)
    del sent["version"]

    first, second = client.post(url, sent), client.post(url, sent)

    assert first.status_code == 302
    assert "already has a draft estimate (version 1)" in _text(second)
    assert GoodFaithEstimate.objects.filter(patient=patient).count() == 1
