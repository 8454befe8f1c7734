# SPDX-License-Identifier: AGPL-3.0-or-later
"""The billing workspace: charges to review with their reasons, filters that
never fail loudly, the CSV of what is filtered (audited), the insurance work
waiting beside it, and who reaches it."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.billing.models import Charge, ChargeKind, ChargeStatus
from openiop.billing.rules import HoldReason
from openiop.billing.tests.workspace.conftest import make_authorization, make_coverage, make_payer
from openiop.core.roles import RoleCode
from openiop.insurance.models import Authorization, CoverageToEnter, Payer
from openiop.patients.models import Patient
from openiop.patients.services import episode_admit
from openiop.patients.tests.factories import TODAY, register
from openiop.sites.models import Site

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]


def charge(
    patient: Patient,
    *,
    days_ago: int = 1,
    status: str = ChargeStatus.READY,
    reasons: tuple[str, ...] = (),
    payer: Payer | None = None,
    code: str = "H0015",
    kind: str = ChargeKind.PER_DIEM,
    authorization: Authorization | None = None,
) -> Charge:
    episode = patient.episodes.order_by("-admission_date").first()
    assert episode is not None
    return Charge.objects.create(
        patient=patient,
        episode=episode,
        site=episode.site,
        payer=payer,
        authorization=authorization,
        service_date=TODAY - dt.timedelta(days=days_ago),
        kind=kind,
        code=code,
        revenue_code="0906" if kind == ChargeKind.PER_DIEM else "",
        units=1,
        amount=Decimal("250.00"),
        expected_amount=Decimal("180.00"),
        status=status,
        hold_reasons=list(reasons),
        voided_at=timezone.now() if status == ChargeStatus.VOIDED else None,
    )


def admitted(site: Site, bob: User, first: str, last: str) -> Patient:
    person = register(site, legal_first_name=first, legal_last_name=last)
    episode_admit(
        actor=bob, patient=person, site=site, admission_date=TODAY - dt.timedelta(days=40), primary_counsellor=bob
    )
    return person


@pytest.fixture
def book(patient: Patient, payer: Payer, north: Site, south: Site, bob: User) -> dict[str, Any]:
    """A held charge for two reasons, one held for no authorization, a ready
    one, a voided one, and a ready one at South (which North's staff never see)."""
    other_payer = make_payer(north, name="Medicaid Plan", payer_id="MCD01")
    southerner = admitted(south, bob, "Sam", "Southern")
    return {
        "held": charge(
            patient, days_ago=1, status=ChargeStatus.HELD, payer=payer, reasons=(HoldReason.UNSIGNED_NOTE, "no_fee")
        ),
        "no_auth": charge(
            patient, days_ago=2, status=ChargeStatus.HELD, payer=payer, reasons=(HoldReason.NO_AUTHORIZATION,)
        ),
        "ready": charge(patient, days_ago=3, payer=other_payer),
        "voided": charge(patient, days_ago=4, status=ChargeStatus.VOIDED, payer=payer),
        "south": charge(southerner, days_ago=1, payer=payer),
        "other_payer": other_payer,
    }


def listed(response: Any) -> set[int]:
    return {item.pk for item in response.context["page"].object_list}


def test_charges_to_review_show_each_hold_reason_in_plain_words(
    client: Client, biller: User, book: dict[str, Any]
) -> None:
    client.force_login(biller)

    response = client.get(reverse("billing:workspace"))

    page = response.content.decode().replace("&#x27;", "'")
    assert response.status_code == 200
    assert listed(response) == {book["held"].pk, book["no_auth"].pk, book["ready"].pk}
    assert "A note for what was attended that day is missing or not signed yet." in page
    assert "No fee schedule row prices this code for the payer, site and date." in page
    assert "The payer requires an authorization and none is in force for this date and code." in page
    assert [(reason.code, reason.count) for reason in response.context["reasons"]] == [
        ("no_authorization", 1),
        ("no_fee", 1),
        ("unsigned_note", 1),
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "held"}, {"held", "no_auth"}),
        ({"status": "ready"}, {"ready"}),
        ({"status": "voided"}, {"voided"}),
        ({"reason": "no_authorization"}, {"no_auth"}),
        ({"reason": "unsigned_note"}, {"held"}),
        ({"date_from": "2026-03-02", "date_to": "2026-03-03"}, {"ready", "no_auth"}),
        ({"date_to": "2026-03-01"}, set()),
    ],
)
def test_filters_narrow_the_charges(
    client: Client, biller: User, book: dict[str, Any], query: dict[str, str], expected: set[str]
) -> None:
    client.force_login(biller)

    response = client.get(reverse("billing:workspace"), query)

    assert listed(response) == {book[name].pk for name in expected}


def test_the_payer_and_site_filters_narrow_the_charges(
    client: Client, biller: User, book: dict[str, Any], north: Site
) -> None:
    client.force_login(biller)

    by_payer = client.get(reverse("billing:workspace"), {"payer": book["other_payer"].pk})
    by_site = client.get(reverse("billing:workspace"), {"site": north.pk})

    assert listed(by_payer) == {book["ready"].pk}
    assert listed(by_site) == {book["held"].pk, book["no_auth"].pk, book["ready"].pk}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"date_from": "soon"}, "Enter a valid date."),
        ({"date_from": "2026-03-04", "date_to": "2026-03-01"}, "The end date is before the start date."),
        ({"site": "99999"}, "Select a valid choice."),
        ({"payer": "x"}, "Select a valid choice."),
        ({"status": "lost"}, "Select a valid choice."),
        ({"reason": "because"}, "Select a valid choice."),
    ],
)
def test_a_filter_that_cannot_be_read_says_so_beside_the_field_and_lists_nothing(
    client: Client, biller: User, book: dict[str, Any], query: dict[str, str], message: str
) -> None:
    client.force_login(biller)

    response = client.get(reverse("billing:workspace"), query)
    export = client.get(reverse("billing:export"), query)

    assert response.status_code == 200 and message in response.content.decode()
    assert listed(response) == set()
    assert export.status_code == 400 and "The export was not made" in export.content.decode()
    assert not AuditEvent.objects.filter(action="billing.export").exists()


def test_a_page_number_that_is_not_a_number_shows_the_first_page(
    client: Client, biller: User, book: dict[str, Any]
) -> None:
    client.force_login(biller)

    response = client.get(reverse("billing:workspace"), {"page": "many"})

    assert response.status_code == 200 and response.context["page"].number == 1


def test_charges_come_fifty_to_a_page(client: Client, biller: User, patient: Patient, payer: Payer) -> None:
    for day in range(60):
        charge(patient, days_ago=day + 1, payer=payer, kind=ChargeKind.PROFESSIONAL, code="90853")
    client.force_login(biller)

    first = client.get(reverse("billing:workspace"))
    second = client.get(reverse("billing:workspace"), {"page": 2})

    assert len(first.context["page"].object_list) == 50 and len(second.context["page"].object_list) == 10
    assert first.context["page"].paginator.count == 60


def test_the_csv_holds_the_filtered_charges_and_the_export_is_audited_as_a_read(
    client: Client, biller: User, book: dict[str, Any], patient: Patient
) -> None:
    client.force_login(biller)

    response = client.get(reverse("billing:export"), {"status": "held"})

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["charge_id"] for row in rows] == [str(book["held"].pk), str(book["no_auth"].pk)]
    first = rows[0]
    assert (first["service_date"], first["patient_mrn"], first["payer"]) == (
        "2026-03-04",
        patient.mrn,
        "Blue Shield of Arizona",
    )
    assert (first["code"], first["revenue_code"], first["amount"], first["status"]) == (
        "H0015",
        "0906",
        "250.00",
        "held",
    )
    assert first["hold_reasons"].startswith("A note for what was attended that day is missing")
    export = AuditEvent.objects.get(action="billing.export")
    assert export.data["rows"] == 2 and export.data["filters"] == {"status": "held"}
    read = AuditEvent.objects.get(action="record.read", data__view="billing_export")
    assert read.data["patients"] == [patient.pk]


def test_the_csv_defuses_cells_a_spreadsheet_would_run(
    client: Client, biller: User, north: Site, bob: User, payer: Payer
) -> None:
    person = admitted(north, bob, "=HYPERLINK(1)", "Smith")
    charge(person, payer=payer)
    client.force_login(biller)

    rows = list(csv.reader(io.StringIO(client.get(reverse("billing:export")).content.decode())))

    assert rows[1][3].startswith("'=HYPERLINK")


def test_who_reaches_the_workspace_and_the_export(client: Client, persona: Any, book: dict[str, Any]) -> None:
    expectations = {
        RoleCode.BILLING_SPECIALIST: (200, 200),
        RoleCode.CLINICAL_DIRECTOR: (200, 403),
        RoleCode.ADMINISTRATOR: (200, 403),
        RoleCode.CLINICIAN: (403, 403),
        RoleCode.FRONT_DESK: (403, 403),
    }
    for role, (workspace, export) in expectations.items():
        client.force_login(persona(role))
        assert client.get(reverse("billing:workspace")).status_code == workspace, role
        assert client.get(reverse("billing:export")).status_code == export, role


def test_the_workspace_logs_one_read_naming_the_patients_it_shows(
    client: Client, biller: User, book: dict[str, Any], patient: Patient
) -> None:
    client.force_login(biller)

    client.get(reverse("billing:workspace"))

    read = AuditEvent.objects.get(action="record.read", data__view="billing_workspace")
    assert read.data["patients"] == [patient.pk]


def test_the_worklist_shows_authorizations_running_out_checks_due_and_insurance_to_enter(
    client: Client, biller: User, patient: Patient, payer: Payer, north: Site, bob: User
) -> None:
    coverage = make_coverage(patient, payer)
    running_out = make_authorization(coverage, units_authorized=10, next_review_date=TODAY + dt.timedelta(days=9))
    Authorization.objects.filter(pk=running_out.pk).update(units_used=8)
    newcomer = admitted(north, bob, "Nina", "Newcomer")
    CoverageToEnter.objects.create(
        patient=newcomer, payer_name="Acme Health", member_id="A 1", reason="no payer named so"
    )
    client.force_login(biller)

    response = client.get(reverse("billing:workspace"))
    by_payer = client.get(reverse("billing:workspace"), {"payer": payer.pk})

    work = response.context["work"]
    assert [alert.authorization.pk for alert in work.authorizations] == [running_out.pk]
    assert [due.coverage.pk for due in work.checks_due] == [coverage.pk]
    assert [entry.patient_id for entry in work.to_enter] == [newcomer.pk]
    page = response.content.decode()
    assert "8 of 10 units used" in page
    assert reverse("billing:review_packet", args=[running_out.pk]) in page
    # A coverage still to enter has no payer yet: not under a payer's filter.
    assert by_payer.context["work"].to_enter == []
    assert [alert.authorization.pk for alert in by_payer.context["work"].authorizations] == [running_out.pk]


def test_the_workspace_needs_the_same_queries_for_3_or_13_patients(
    client: Client, biller: User, north: Site, bob: User, payer: Payer
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add_patients(count: int) -> None:
        for _ in range(count):
            person = admitted(north, bob, "Pat", "Ient")
            coverage = make_coverage(person, payer)
            running_out = make_authorization(coverage, units_authorized=5)
            Authorization.objects.filter(pk=running_out.pk).update(units_used=4)
            charge(person, status=ChargeStatus.HELD, payer=payer, reasons=(HoldReason.UNSIGNED_NOTE,))

    client.force_login(biller)
    add_patients(3)
    client.get(reverse("billing:workspace"))  # the session's first stamp
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("billing:workspace"))
    add_patients(10)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("billing:workspace"))

    assert len(many) == len(few)
