# SPDX-License-Identifier: AGPL-3.0-or-later
"""Billing on the dashboards (held charges and their top reasons; attendance
with no authorization in force) and the fee schedule page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from openiop.accounts.models import User
from openiop.billing import selectors
from openiop.billing.models import ChargeStatus, FeeSchedule
from openiop.billing.rules import HoldReason
from openiop.billing.tests.workspace.test_workspace import charge
from openiop.core.access import allowed_actions
from openiop.core.roles import RoleCode
from openiop.insurance.models import Payer
from openiop.patients.models import Episode, Patient
from openiop.patients.tests.factories import TODAY
from openiop.sites.models import Site

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]


def dashboard(client: Client, user: User) -> str:
    client.force_login(user)
    return client.get(reverse("core:dashboard")).content.decode().replace("&#x27;", "'")


def test_the_billing_dashboard_counts_held_charges_with_the_reasons_that_hold_most(
    client: Client, biller: User, patient: Patient, payer: Payer
) -> None:
    for days_ago in (1, 2, 3):
        charge(patient, days_ago=days_ago, status=ChargeStatus.HELD, payer=payer, reasons=(HoldReason.UNSIGNED_NOTE,))
    charge(patient, days_ago=4, status=ChargeStatus.HELD, payer=payer, reasons=(HoldReason.NO_DIAGNOSIS,))
    charge(patient, days_ago=5, payer=payer)

    page = dashboard(client, biller)

    assert "4 charges held" in page
    assert page.index("A note for what was attended") < page.index("The patient has no active diagnosis")
    assert reverse("billing:workspace") + "?status=held&amp;reason=unsigned_note" in page


def test_the_held_block_counts_in_one_grouped_query_each_charge_once_under_each_of_its_reasons(
    biller: User, patient: Patient, payer: Payer, south: Site, django_assert_num_queries: Any
) -> None:
    # An earlier episode at another of the biller's sites: the scope rule's
    # join meets the patient twice, and each charge must still count once.
    Episode.objects.create(
        patient=patient,
        site=south,
        admission_date=TODAY - dt.timedelta(days=400),
        status=Episode.Status.DISCHARGED,
        discharge_date=TODAY - dt.timedelta(days=300),
    )
    biller.sites.add(south)
    both = (HoldReason.UNSIGNED_NOTE, HoldReason.NO_DIAGNOSIS)
    charge(patient, days_ago=1, status=ChargeStatus.HELD, payer=payer, reasons=both)
    charge(patient, days_ago=2, status=ChargeStatus.HELD, payer=payer, reasons=(HoldReason.UNSIGNED_NOTE,))
    charge(patient, days_ago=3, payer=payer)
    request = RequestFactory().get("/")
    request.user = User.objects.get(pk=biller.pk)
    allowed_actions(request.user), request.user.site_ids()  # the request's own queries, not the block's

    with django_assert_num_queries(1):
        section = selectors.held_section(request)

    assert section is not None and section["held"] == 2
    assert [(reason.code, reason.count) for reason in section["reasons"]] == [
        (HoldReason.UNSIGNED_NOTE, 2),
        (HoldReason.NO_DIAGNOSIS, 1),
    ]


def test_nothing_held_shows_no_held_block(client: Client, biller: User, patient: Patient, payer: Payer) -> None:
    charge(patient, payer=payer)

    assert "charges held" not in dashboard(client, biller)


def test_attendance_with_no_authorization_in_force_shows_on_billing_and_clinical_dashboards(
    client: Client, biller: User, bob: User, persona: Any, patient: Patient, payer: Payer, south: Site
) -> None:
    charge(patient, days_ago=2, status=ChargeStatus.HELD, payer=payer, reasons=(HoldReason.NO_AUTHORIZATION,))
    charge(patient, days_ago=3, status=ChargeStatus.HELD, payer=payer, reasons=(HoldReason.UNSIGNED_NOTE,))
    heading = "Attendance with no authorization in force: 1 day held"

    assert heading in dashboard(client, biller)
    assert heading in dashboard(client, bob)
    assert heading in dashboard(client, persona(RoleCode.CLINICAL_DIRECTOR))
    assert heading not in dashboard(client, persona(RoleCode.FRONT_DESK))
    # Staff of another site never see it.
    south_biller = persona(RoleCode.BILLING_SPECIALIST, site=south)
    assert heading not in dashboard(client, south_biller)


def add(client: Client, payer: Payer | None, **overrides: str) -> Any:
    data = {
        "action": "add",
        "payer": str(payer.pk) if payer else "",
        "site": "",
        "code": "H0015",
        "revenue_code": "0906",
        "charge_amount": "275.00",
        "expected_amount": "190.00",
        "effective_from": "2026-01-01",
        "effective_to": "",
    }
    data.update(overrides)
    return client.post(reverse("billing:fees"), data)


def test_the_billing_specialist_adds_a_price_and_ends_it(client: Client, biller: User, payer: Payer) -> None:
    client.force_login(biller)

    response = add(client, payer)

    row = FeeSchedule.objects.get()
    assert response.status_code == 302
    assert (row.payer, row.code, row.charge_amount, row.expected_amount) == (
        payer,
        "H0015",
        Decimal("275.00"),
        Decimal("190.00"),
    )
    assert "H0015" in client.get(reverse("billing:fees")).content.decode()

    ended = client.post(reverse("billing:fees"), {"action": "end", "row": str(row.pk), "last_day": "2026-03-31"})

    row.refresh_from_db()
    assert ended.status_code == 302 and row.effective_to == dt.date(2026, 3, 31)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"charge_amount": "-5"}, "Ensure this value is greater than or equal to 0."),
        ({"charge_amount": "lots"}, "Enter a number."),
        ({"effective_to": "2025-12-01"}, "The last day in force cannot be before the first."),
        ({"code": "99999"}, "Select a valid choice."),
        ({"effective_from": "someday"}, "Enter a valid date."),
    ],
)
def test_a_bad_price_gets_a_clear_message_and_nothing_is_saved(
    client: Client, biller: User, payer: Payer, overrides: dict[str, str], message: str
) -> None:
    client.force_login(biller)

    response = add(client, payer, **overrides)

    assert response.status_code == 200 and message in response.content.decode()
    assert not FeeSchedule.objects.exists()


def test_an_overlapping_price_is_refused_and_the_first_stays(client: Client, biller: User, payer: Payer) -> None:
    client.force_login(biller)
    add(client, payer)

    response = add(client, payer, effective_from="2026-02-01", charge_amount="300.00")

    assert response.status_code == 200 and "Another row already prices H0015" in response.content.decode()
    assert list(FeeSchedule.objects.values_list("charge_amount", flat=True)) == [Decimal("275.00")]


def test_ending_a_row_with_a_bad_day_says_so(client: Client, biller: User, payer: Payer) -> None:
    client.force_login(biller)
    add(client, payer)
    row = FeeSchedule.objects.get()

    bad_date = client.post(reverse("billing:fees"), {"action": "end", "row": str(row.pk), "last_day": "soon"})
    before_start = client.post(reverse("billing:fees"), {"action": "end", "row": str(row.pk), "last_day": "2025-01-01"})
    no_row = client.post(reverse("billing:fees"), {"action": "end", "row": "x", "last_day": "2026-03-31"})

    assert "Give the last day in force as a date" in bad_date.content.decode()
    assert "The last day in force cannot be before the first." in before_start.content.decode()
    assert no_row.status_code == 404
    row.refresh_from_db()
    assert row.effective_to is None


def test_the_chart_billing_tab_lists_charges_with_reasons_and_authorizations_with_the_packet(
    client: Client, biller: User, patient: Patient, payer: Payer, authorization: Any
) -> None:
    charge(patient, days_ago=2, status=ChargeStatus.HELD, payer=payer, reasons=(HoldReason.NO_DIAGNOSIS,))
    client.force_login(biller)

    page = client.get(reverse("patients:chart", args=[patient.pk]), {"tab": "billing"}).content.decode()

    assert "The patient has no active diagnosis to put on the claim." in page
    assert "AUTH-7781" in page and reverse("billing:review_packet", args=[authorization.pk]) in page


def test_a_review_due_within_a_week_offers_the_packet_on_the_chart_overview_to_the_clinician(
    client: Client, bob: User, persona: Any, patient: Patient, authorization: Any
) -> None:
    packet = reverse("billing:review_packet", args=[authorization.pk])
    client.force_login(bob)
    assert packet in client.get(reverse("patients:chart", args=[patient.pk])).content.decode()

    client.force_login(persona(RoleCode.FRONT_DESK))
    assert packet not in client.get(reverse("patients:chart", args=[patient.pk])).content.decode()


def test_attendance_saved_without_an_authorization_the_payer_requires_is_on_the_clinicians_board_at_once(
    client: Client, bob: User, patient: Patient, payer: Payer
) -> None:
    from openiop.billing.services import fee_schedule_create
    from openiop.billing.tests.workspace.conftest import make_coverage
    from openiop.scheduling import services as scheduling
    from openiop.scheduling.services.attendance import AttendanceMark
    from openiop.scheduling.tests.pages import group, open_all_week

    episode = patient.episodes.get()
    make_coverage(patient, payer)
    fee_schedule_create(
        actor=None,
        organization=episode.site.organization,
        code="H0015",
        charge_amount="275.00",
        expected_amount="190.00",
        effective_from=dt.date(2026, 1, 1),
        payer=payer,
    )
    open_all_week(episode.site)
    heading = "Attendance with no authorization in force: 3 days held"
    assert heading not in dashboard(client, bob)

    for day in (23, 24, 25):  # last week, three hours a day: three H0015 days
        session = group(episode.site, dt.date(2026, 2, day), (9, 0), (12, 0))
        enrolment = scheduling.enrol(actor=None, session=session, episode=episode)
        scheduling.attendance_record(actor=bob, session=session, marks=[AttendanceMark(enrolment.pk, "present")])

    page = dashboard(client, bob)
    assert heading in page and "2026-02-23 H0015" in page
