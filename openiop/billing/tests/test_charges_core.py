# SPDX-License-Identifier: AGPL-3.0-or-later
"""Charges from attendance and signed notes, the authorization draw-down,
every hold reason and its release, void-and-replace on corrections."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.billing import receivers
from openiop.billing.models import Charge, ChargeKind, ChargeStatus
from openiop.billing.rules import HoldReason
from openiop.billing.services import charges_sync, fee_schedule_create, fee_schedule_end
from openiop.billing.tests.core_builders import (
    MON,
    NOW,
    Week,
    authorize,
    cover,
    default_fees,
    diagnose,
    live,
    payer,
    program_staff,
    sign_group_note,
    sign_sections,
)
from openiop.insurance.models import Authorization
from openiop.insurance.selectors import coverage_in_force
from openiop.insurance.services import self_pay_elect
from openiop.patients.models import Episode
from openiop.scheduling.tests.pages import admitted, open_all_week
from openiop.sites.models import Site

TUE, WED, THU = (MON + dt.timedelta(days=n) for n in (1, 2, 3))


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def site(north: Site) -> Site:
    open_all_week(north, dt.time(7), dt.time(21))
    return north


@pytest.fixture
def actor(site: Site) -> User:
    return program_staff(site)


@pytest.fixture
def week(site: Site, actor: User) -> Week:
    return Week(site, actor)


@pytest.fixture
def ann(site: Site) -> Episode:
    return admitted(site, "Ann", "Able")


def three_days(week: Week, episodes: list[Episode], *, sign: bool = True) -> list[Any]:
    sessions = [week.add_day(day, episodes) for day in (MON, TUE, WED)]
    for session in sessions:
        week.attend_all(session, episodes)
        if sign:
            sign_group_note(session, episodes)
    return sessions


# --- Charges from attendance ----------------------------------------------------------------------------------------


def test_three_signed_three_hour_days_make_three_ready_self_pay_per_diem_charges(
    site: Site, week: Week, ann: Episode
) -> None:
    default_fees(site)

    three_days(week, [ann])

    charges = live(ann)
    assert [(c.service_date, c.code, c.units, c.status, c.amount) for c in charges] == [
        (day, "H0015", 1, ChargeStatus.READY, Decimal("250.00")) for day in (MON, TUE, WED)
    ]
    assert charges[0].revenue_code == "0906" and charges[0].payer_id is None
    assert charges[0].attendance_ids and charges[0].expected_amount == Decimal("180.00")
    assert AuditEvent.objects.filter(action="billing.charges.sync", patient_id=str(ann.patient_id)).exists()


def test_two_days_are_not_a_billable_week_under_h0015_until_the_third(site: Site, week: Week, ann: Episode) -> None:
    default_fees(site)
    sessions = [week.add_day(day, [ann]) for day in (MON, TUE, WED)]
    for session in sessions[:2]:
        week.attend_all(session, [ann])
        sign_group_note(session, [ann])
    assert live(ann) == []

    week.attend_all(sessions[2], [ann])
    sign_group_note(sessions[2], [ann])

    assert len(live(ann, kind=ChargeKind.PER_DIEM)) == 3


def test_charges_are_never_released_from_unsigned_notes(site: Site, week: Week, ann: Episode) -> None:
    default_fees(site)
    sessions = three_days(week, [ann], sign=False)
    drafts = [sign_group_note(session, [ann], sign=False) for session in sessions]

    assert {c.status for c in live(ann)} == {ChargeStatus.HELD}
    assert all(c.hold_reasons == [HoldReason.UNSIGNED_NOTE.value] for c in live(ann))
    assert not Charge.objects.filter(status=ChargeStatus.READY).exists()

    sign_sections(drafts[0])  # Monday's note signed: Monday releases, the others wait

    assert [(c.service_date, c.status) for c in live(ann)] == [
        (MON, ChargeStatus.READY),
        (TUE, ChargeStatus.HELD),
        (WED, ChargeStatus.HELD),
    ]


def test_a_correction_voids_and_replaces_never_edits_and_absent_voids(site: Site, week: Week, ann: Episode) -> None:
    default_fees(site)
    bea = admitted(site, "Bea", "Bell")
    sessions = three_days(week, [ann, bea])
    extra = week.add_day(WED, [ann, bea], hours=(13, 14))
    week.attend_all(extra, [ann, bea])
    sign_group_note(extra, [ann, bea])
    wednesday = live(ann, service_date=WED)[0]
    assert len(wednesday.attendance_ids) == 2  # the replacement stands on both sessions
    assert wednesday.replaces is not None and wednesday.replaces.status == ChargeStatus.VOIDED

    # Bea's Tuesday corrected to absent: her week falls to two days, every charge voided.
    week.attend(sessions[1], {bea.pk: ("absent", None)})

    assert live(bea) == []
    voided = Charge.objects.filter(patient_id=bea.patient_id, status=ChargeStatus.VOIDED)
    assert voided.count() >= 3 and all(c.voided_at and c.void_reason for c in voided)
    assert len(live(ann, kind=ChargeKind.PER_DIEM)) == 3  # Ann untouched


def test_sync_is_idempotent(site: Site, week: Week, ann: Episode, actor: User) -> None:
    default_fees(site)
    three_days(week, [ann])
    before = list(Charge.objects.values_list("pk", "status"))

    result = charges_sync(patient_id=ann.patient_id, start=MON, end=WED, actor=actor)

    assert not result.changed
    assert list(Charge.objects.values_list("pk", "status")) == before


def test_signed_individual_note_gets_its_cpt_by_minutes_and_group_notes_get_none(
    site: Site, week: Week, ann: Episode, persona: Any
) -> None:
    from openiop.core.roles import RoleCode
    from openiop.treatment.services import notes as note_services

    default_fees(site)
    three_days(week, [ann])
    clinician = persona(RoleCode.CLINICIAN, username="cleo")
    note = note_services.note_create(
        actor=clinician,
        episode=ann,
        kind="individual",
        note_format="DAP",
        session_date=THU,
        start_time=dt.time(10),
        end_time=dt.time(10, 50),
        sections={"data": "d", "assessment": "a", "plan": "p"},
    )
    assert live(ann, kind=ChargeKind.PROFESSIONAL) == []  # a draft makes no charge

    note_services.note_sign(actor=clinician, note=note)

    [professional] = live(ann, kind=ChargeKind.PROFESSIONAL)
    assert (professional.code, professional.note_id, professional.amount) == ("90834", note.pk, Decimal("140.00"))
    assert (professional.place_of_service, professional.modifiers) == ("57", [])  # in person, at the program
    assert {c.code for c in live(ann)} == {"H0015", "90834"}  # no 90853 for the groups

    # A video visit from the patient's home: the charge carries the note's place and modifier 95.
    video = note_services.note_create(
        actor=clinician,
        episode=ann,
        kind="individual",
        note_format="DAP",
        session_date=WED,
        start_time=dt.time(15),
        end_time=dt.time(15, 50),
        sections={"data": "d", "assessment": "a", "plan": "p"},
        modality="telehealth_video",
        place_of_service="10",
    )
    note_services.note_sign(actor=clinician, note=video)

    [telehealth] = live(ann, kind=ChargeKind.PROFESSIONAL, note=video)
    assert (telehealth.code, telehealth.place_of_service, telehealth.modifiers) == ("90834", "10", ["95"])


def test_one_presumptive_drug_test_per_date_of_service(site: Site, ann: Episode, persona: Any) -> None:
    from openiop.core.roles import RoleCode
    from openiop.medications import services as medication_services

    default_fees(site)
    nurse = persona(RoleCode.NURSE, username="nina")
    for hour in (9, 15):
        medication_services.specimen_record(
            actor=nurse,
            patient=ann.patient,
            site=site,
            specimen_type="urine",
            collected_at=dt.datetime(2026, 3, 10, hour, tzinfo=dt.UTC),
            observed=True,
            collected_by=nurse,
            presumptive=[medication_services.ResultEntry("cocaine", "negative")],
        )

    [test] = live(ann, kind=ChargeKind.DRUG_TEST)
    assert (test.code, test.service_date, test.status) == ("80305", TUE, ChargeStatus.READY)


# --- Authorization draw-down ----------------------------------------------------------------------------------------


def test_attendance_draws_the_authorization_down_and_a_correction_to_absent_gives_units_back(
    site: Site, week: Week, ann: Episode
) -> None:
    acme = payer(site, authorization_required=True)
    default_fees(site, acme)
    coverage = cover(ann, acme)
    authorization = authorize(coverage, units=10)
    sessions = three_days(week, [ann])
    thursday = week.add_day(THU, [ann])
    week.attend_all(thursday, [ann])
    sign_group_note(thursday, [ann])

    authorization.refresh_from_db()
    assert authorization.units_used == 4
    assert all(c.authorization_id == authorization.pk and c.status == ChargeStatus.READY for c in live(ann))

    week.attend(thursday, {ann.pk: ("no_show", None)})  # corrected: Thursday did not happen
    authorization.refresh_from_db()
    assert authorization.units_used == 3

    week.attend(sessions[0], {ann.pk: ("late", 100)})  # Monday corrected below 3 h: week falls to two days
    authorization.refresh_from_db()
    assert authorization.units_used == 0
    assert live(ann) == []


def test_no_authorization_then_used_up_hold_and_release(site: Site, week: Week, ann: Episode, actor: User) -> None:
    acme = payer(site, authorization_required=True)
    default_fees(site, acme)
    coverage = cover(ann, acme)
    three_days(week, [ann])
    assert all(c.hold_reasons == [HoldReason.NO_AUTHORIZATION.value] for c in live(ann))

    small = authorize(coverage, units=2)
    receivers.on_authorization_changed(sender=Authorization, patient_id=ann.patient_id, authorization=small)

    assert [(c.service_date, c.status, c.hold_reasons) for c in live(ann)] == [
        (MON, ChargeStatus.READY, []),
        (TUE, ChargeStatus.READY, []),
        (WED, ChargeStatus.HELD, [HoldReason.AUTHORIZATION_USED_UP.value]),
    ]
    small.refresh_from_db()
    assert small.units_used == 2

    Authorization.objects.filter(pk=small.pk).update(units_authorized=5)
    receivers.on_authorization_changed(sender=Authorization, patient_id=ann.patient_id, authorization=small)

    assert {c.status for c in live(ann)} == {ChargeStatus.READY}
    small.refresh_from_db()
    assert small.units_used == 3


def test_a_session_at_a_payer_that_requires_authorization_waits_for_one_for_its_code(
    site: Site, week: Week, ann: Episode, persona: Any
) -> None:
    from openiop.core.roles import RoleCode
    from openiop.treatment.services import notes as note_services

    acme = payer(site, authorization_required=True)
    default_fees(site, acme)
    coverage = cover(ann, acme)
    authorize(coverage, units=10)  # the per-diem days only
    three_days(week, [ann])
    clinician = persona(RoleCode.CLINICIAN, username="cleo")
    note = note_services.note_create(
        actor=clinician,
        episode=ann,
        kind="individual",
        note_format="DAP",
        session_date=THU,
        start_time=dt.time(10),
        end_time=dt.time(10, 50),
        sections={"data": "d", "assessment": "a", "plan": "p"},
    )
    note_services.note_sign(actor=clinician, note=note)

    # Held in billing (not released to fail at the scrubber): H0015's days do not cover a 90834.
    [session] = live(ann, kind=ChargeKind.PROFESSIONAL)
    assert (session.code, session.status, session.hold_reasons) == (
        "90834",
        ChargeStatus.HELD,
        [HoldReason.NO_AUTHORIZATION.value],
    )

    sessions = authorize(coverage, units=6, number="S-90834", service_code="90834", unit="sessions")
    receivers.on_authorization_changed(sender=Authorization, patient_id=ann.patient_id, authorization=sessions)

    [session] = live(ann, kind=ChargeKind.PROFESSIONAL)
    assert (session.status, session.authorization_id) == (ChargeStatus.READY, sessions.pk)
    sessions.refresh_from_db()
    assert sessions.units_used == 1


def test_a_payer_without_authorization_draws_nothing(site: Site, week: Week, ann: Episode) -> None:
    acme = payer(site, authorization_required=False)
    default_fees(site, acme)
    coverage = cover(ann, acme)
    authorization = authorize(coverage, units=5)

    three_days(week, [ann])

    assert {c.status for c in live(ann)} == {ChargeStatus.READY}
    authorization.refresh_from_db()
    assert authorization.units_used == 0


# --- Other hold reasons -----------------------------------------------------------------------------------------------


def test_no_coverage_in_force_holds_and_new_coverage_releases(site: Site, week: Week, ann: Episode) -> None:
    acme = payer(site, authorization_required=False)
    default_fees(site)
    cover(ann, acme, effective_date=dt.date(2025, 1, 1), end_date=dt.date(2026, 2, 28))
    three_days(week, [ann])
    assert all(c.hold_reasons == [HoldReason.NO_COVERAGE.value] for c in live(ann))

    cover(ann, acme, effective_date=dt.date(2026, 3, 1), member_id="NEW12345")
    receivers.on_coverage_changed(sender=None, patient_id=ann.patient_id)

    assert {(c.status, c.payer_id) for c in live(ann)} == {(ChargeStatus.READY, acme.pk)}
    # The coverage changed what the charge is: the old ones were voided and replaced.
    assert Charge.objects.filter(patient_id=ann.patient_id, status=ChargeStatus.VOIDED).count() == 3


def test_a_patient_who_asked_us_not_to_bill_insurance_is_charged_not_the_payer(
    site: Site, week: Week, ann: Episode, actor: User
) -> None:
    acme = payer(site, authorization_required=False)
    default_fees(site, acme)
    default_fees(site)  # the self-pay list
    cover(ann, acme)
    three_days(week, [ann])
    assert {(c.status, c.payer_id) for c in live(ann)} == {(ChargeStatus.READY, acme.pk)}

    self_pay_elect(actor=actor, patient=ann.patient, start_date=MON, reason="Paying out of pocket")

    assert {(c.status, c.payer_id, tuple(c.hold_reasons)) for c in live(ann)} == {(ChargeStatus.READY, None, ())}
    assert coverage_in_force(ann.patient_id, MON) is None
    # Asking twice records one choice.
    self_pay_elect(actor=actor, patient=ann.patient, start_date=TUE)
    assert ann.patient.self_pay_elections.count() == 1


def test_no_diagnosis_holds_a_claim_and_a_diagnosis_releases_it(site: Site, week: Week, ann: Episode) -> None:
    acme = payer(site, authorization_required=False)
    default_fees(site, acme)
    cover(ann, acme, diagnosed=False)
    three_days(week, [ann])
    assert all(c.hold_reasons == [HoldReason.NO_DIAGNOSIS.value] for c in live(ann))

    diagnose(ann)  # the diagnoses app's service sends diagnoses_changed

    assert {c.status for c in live(ann)} == {ChargeStatus.READY}


def test_a_self_pay_day_needs_no_diagnosis(site: Site, week: Week, ann: Episode) -> None:
    default_fees(site)
    three_days(week, [ann])

    assert {c.status for c in live(ann)} == {ChargeStatus.READY}
    assert not ann.patient.diagnoses.exists()


def test_nothing_is_charged_before_billing_is_set_up_with_a_first_fee_schedule(
    site: Site, week: Week, ann: Episode
) -> None:
    three_days(week, [ann])

    assert not Charge.objects.exists()


def test_no_fee_holds_and_a_new_fee_row_releases_with_its_price(
    site: Site, week: Week, ann: Episode, actor: User
) -> None:
    fee_schedule_create(
        actor=actor,
        organization=site.organization,
        code="90834",
        charge_amount="140",
        expected_amount="95",
        effective_from=dt.date(2026, 1, 1),
    )
    three_days(week, [ann])
    assert all(c.hold_reasons == [HoldReason.NO_FEE.value] and c.amount == 0 for c in live(ann))

    default_fees(site)
    charges_sync(patient_id=ann.patient_id, start=MON, end=WED, actor=actor)

    assert {(c.status, c.amount) for c in live(ann)} == {(ChargeStatus.READY, Decimal("250.00"))}


def test_a_fee_schedule_change_does_not_alter_charges_already_made(
    site: Site, week: Week, ann: Episode, actor: User
) -> None:
    default_fees(site, start=dt.date(2026, 1, 1))
    three_days(week, [ann])
    old = site.organization.fee_schedules.get(code="H0015")

    fee_schedule_end(actor=actor, row=old, last_day=dt.date(2026, 3, 9))
    fee_schedule_create(
        actor=actor,
        organization=site.organization,
        code="H0015",
        charge_amount="300",
        expected_amount="200",
        effective_from=dt.date(2026, 3, 10),
    )
    charges_sync(patient_id=ann.patient_id, start=MON, end=WED, actor=actor)

    assert [c.amount for c in live(ann)] == [Decimal("250.00")] * 3
    thursday = week.add_day(THU, [ann])
    week.attend_all(thursday, [ann])
    sign_group_note(thursday, [ann])
    assert live(ann, service_date=THU)[0].amount == Decimal("300.00")


def test_billed_charges_are_left_alone(site: Site, week: Week, ann: Episode, actor: User) -> None:
    default_fees(site)
    sessions = three_days(week, [ann])
    Charge.objects.filter(patient_id=ann.patient_id).update(status=ChargeStatus.BILLED)

    week.attend(sessions[0], {ann.pk: ("absent", None)})

    assert Charge.objects.filter(status=ChargeStatus.BILLED).count() == 3


def test_the_intake_assessment_is_charged_once_per_episode_on_its_decision_day(
    site: Site, ann: Episode, actor: User
) -> None:
    from openiop.assessments.models import PlacementAssessment

    default_fees(site)
    for version, day in ((1, MON), (2, WED)):  # a reassessment is not a second intake
        PlacementAssessment.objects.create(
            patient_id=ann.patient_id,
            episode=ann,
            version=version,
            ratings={},
            rule_set="test",
            rule_set_version="1",
            recommended_level="2.1",
            recommended_withdrawal_management=False,
            assessed_by=actor,
            decided_level="2.1",
            decided_by=actor,
            decided_at=dt.datetime.combine(day, dt.time(15), tzinfo=dt.UTC),
        )

    charges_sync(patient_id=ann.patient_id, start=MON, end=WED, actor=actor)

    [intake] = live(ann)
    assert (intake.kind, intake.code, intake.service_date, intake.amount) == (
        ChargeKind.INTAKE,
        "H0001",
        MON,
        Decimal("200.00"),
    )
    assert intake.placement is not None and intake.placement.version == 1


def test_a_unit_given_back_in_one_week_releases_a_day_held_as_used_up_in_another(
    site: Site, week: Week, ann: Episode
) -> None:
    acme = payer(site, authorization_required=True)
    default_fees(site, acme)
    authorization = authorize(cover(ann, acme), units=3)
    week_before = MON - dt.timedelta(days=7)
    first = []
    for offset in range(3):
        session = week.add_day(week_before + dt.timedelta(days=offset), [ann])
        week.attend_all(session, [ann])
        sign_group_note(session, [ann])
        first.append(session)
    three_days(week, [ann])
    assert [c.status for c in live(ann)] == [ChargeStatus.READY] * 3 + [ChargeStatus.HELD] * 3
    assert live(ann)[-1].hold_reasons == [HoldReason.AUTHORIZATION_USED_UP.value]

    week.attend(first[0], {ann.pk: ("no_show", None)})  # the first week falls to two days: three units back

    assert [(c.service_date >= MON, c.status) for c in live(ann)] == [(True, ChargeStatus.READY)] * 3
    authorization.refresh_from_db()
    assert authorization.units_used == 3
