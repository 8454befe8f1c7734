# SPDX-License-Identifier: AGPL-3.0-or-later
"""What an estimate is built from: the patient's booked schedule, the
program's standard track for the level of care, the self-pay fee schedule in
force on the dates, and whether the patient is insured. Database rows in,
``arithmetic`` does the numbers."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from openiop.billing.models import ChargeStatus, FeeSchedule
from openiop.billing.rules import CODE_DESCRIPTIONS, INTAKE_ASSESSMENT_CODE, PRESUMPTIVE_DRUG_TEST_CODE
from openiop.estimates import arithmetic
from openiop.insurance.models import Coverage, CoveragePriority
from openiop.insurance.selectors import coverages_in_force
from openiop.patients.models import Patient
from openiop.scheduling import catalog, hours
from openiop.scheduling import selectors as scheduling_selectors
from openiop.scheduling.models import Appointment, SessionStatus
from openiop.sites.models import Site

INDIVIDUAL_THERAPY_CODE = "90834"  # a 50-minute session, when none is booked yet


@dataclass(frozen=True)
class Inputs:
    """What the person drafting the estimate chose."""

    first_day: dt.date
    weeks: int
    level_of_care: str
    drug_tests_per_week: int = 1
    individual_sessions_per_week: int = 0
    include_intake: bool = True


@dataclass(frozen=True)
class Plan:
    lines: list[arithmetic.Line]
    total: object
    first_day: dt.date
    last_day: dt.date
    basis: str  # "schedule" when any week was booked, else "track"
    primary_service: str


def insured_coverage(patient: Patient, first_day: dt.date, last_day: dt.date) -> Coverage | None:
    """The primary coverage in force on any day of the period, or None."""
    for coverage in coverages_in_force([patient.pk], first_day, last_day).get(patient.pk, []):
        if coverage.priority == CoveragePriority.PRIMARY:
            return coverage
    return None


def booked_minutes(patient: Patient, site: Site, first_day: dt.date, last_day: dt.date) -> dict[dt.date, int]:
    """Scheduled treatment minutes per local day (groups and appointments that
    count towards hours; cancelled ones not)."""
    start, end = scheduling_selectors.local_range(site, first_day, (last_day - first_day).days + 1)
    bookings = scheduling_selectors.engine_appointments([patient.pk], start, end).get(patient.pk, [])
    weeks = hours.weekly_hours(bookings, tz=site.zone)
    return {day: bucket.scheduled_minutes for week in weeks.values() for day, bucket in week.days.items()}


def booked_professional_items(
    patient: Patient, site: Site, first_day: dt.date, last_day: dt.date
) -> list[arithmetic.PlannedItem]:
    """Individual and family therapy booked in the period, coded by minutes
    as billing will code them (groups are inside the per diem)."""
    start, end = scheduling_selectors.local_range(site, first_day, (last_day - first_day).days + 1)
    items = []
    rows = Appointment.objects.filter(patient=patient, start__gte=start, start__lt=end, status=SessionStatus.SCHEDULED)
    for appointment in rows.select_related("site"):
        service = catalog.SERVICES.get(appointment.service)
        if service is None:
            continue
        code = None
        if service.kind is catalog.Kind.INDIVIDUAL:
            found = catalog.psychotherapy_code(appointment.minutes)
            code = found.code if found else None
        elif service.kind is catalog.Kind.FAMILY and appointment.minutes >= 26:
            code = "90847" if service.with_patient else "90846"
        if code:
            items.append(arithmetic.PlannedItem(code, appointment.local_start.date()))
    return items


def fee_rows(patient: Patient, site: Site) -> list[arithmetic.FeeRow]:
    """The self-pay rows (payer blank) for the site or every site."""
    rows = FeeSchedule.objects.filter(organization_id=patient.organization_id, payer__isnull=True).filter(
        Q(site__isnull=True) | Q(site=site)
    )
    return [
        arithmetic.FeeRow(
            code=row.code,
            unit_charge=row.charge_amount,
            start=row.effective_from,
            end=row.effective_to,
            site_specific=row.site_id is not None,
        )
        for row in rows
    ]


def _had_intake(patient: Patient) -> bool:
    return patient.charges.filter(code=INTAKE_ASSESSMENT_CODE).exclude(status=ChargeStatus.VOIDED).exists()


def build_plan(patient: Patient, site: Site, inputs: Inputs) -> Plan:
    """The itemized estimate for INPUTS. Raises ValidationError with a message
    a person can act on: a period too long, a level without a standard track
    and nothing booked, a code with no self-pay price on a date."""
    try:
        first_day, last_day = arithmetic.period_days(inputs.first_day, inputs.weeks)
    except ValueError:
        raise ValidationError(
            {"weeks": _("Enter between 1 and %(max)s weeks.") % {"max": arithmetic.MAX_WEEKS}}
        ) from None
    track = arithmetic.STANDARD_TRACKS.get(inputs.level_of_care)
    minutes = booked_minutes(patient, site, first_day, last_day)
    booked_weeks = {hours.IsoWeek.of(day) for day, value in minutes.items() if value > 0}
    if track is None and not booked_weeks:
        raise ValidationError(
            _(
                "The program has no standard track for level %(level)s: book the patient's schedule first, "
                "then build the estimate from it."
            )
            % {"level": inputs.level_of_care}
        )
    code = track.per_diem_code if track else "H0015"
    days = arithmetic.planned_per_diem_days(booked_minutes=minutes, first_day=first_day, last_day=last_day, track=track)
    items = [arithmetic.PlannedItem(code, day) for day in days]
    if inputs.include_intake and not _had_intake(patient):
        items.append(arithmetic.PlannedItem(INTAKE_ASSESSMENT_CODE, first_day))
    items += arithmetic.weekly_items(PRESUMPTIVE_DRUG_TEST_CODE, inputs.drug_tests_per_week, first_day, last_day)
    items += _professional_items(patient, site, inputs, first_day, last_day, booked_weeks)
    try:
        lines = arithmetic.itemize(items, fee_rows(patient, site), CODE_DESCRIPTIONS)
    except arithmetic.MissingFee as missing:
        raise ValidationError(
            _(
                "No self-pay fee schedule row prices %(code)s (%(description)s) on %(day)s. Add a self-pay price for "
                "%(code)s at Billing → Fee schedule (payer left blank), then build the estimate again."
            )
            % {"code": missing.code, "description": CODE_DESCRIPTIONS.get(missing.code, ""), "day": missing.day}
        ) from None
    if not lines:
        raise ValidationError(_("Nothing is expected in this period, so there is nothing to estimate."))
    description = (
        track.description if track else _("Treatment at level %(level)s as booked") % {"level": inputs.level_of_care}
    )
    primary = _("%(service)s, for %(weeks)s weeks from %(first)s") % {
        "service": description,
        "weeks": inputs.weeks,
        "first": f"{first_day:%B} {first_day.day}, {first_day.year}",
    }
    return Plan(
        lines=lines,
        total=arithmetic.estimate_total(lines),
        first_day=first_day,
        last_day=last_day,
        basis="schedule" if booked_weeks else "track",
        primary_service=primary,
    )


def _professional_items(
    patient: Patient,
    site: Site,
    inputs: Inputs,
    first_day: dt.date,
    last_day: dt.date,
    booked_weeks: set[hours.IsoWeek],
) -> list[arithmetic.PlannedItem]:
    """Booked therapy in booked weeks; the chosen number a week in the others."""
    items = booked_professional_items(patient, site, first_day, last_day)
    if inputs.individual_sessions_per_week:
        by_week: dict[hours.IsoWeek, list[dt.date]] = defaultdict(list)
        current = first_day
        while current <= last_day:
            by_week[hours.IsoWeek.of(current)].append(current)
            current += dt.timedelta(days=1)
        for week, week_days in by_week.items():
            if week in booked_weeks:
                continue
            for day in week_days[: inputs.individual_sessions_per_week]:
                items.append(arithmetic.PlannedItem(INDIVIDUAL_THERAPY_CODE, day))
    return items


def first_booking(patient: Patient, today: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """(first booked day from TODAY, the day it was booked), for the form's
    defaults: the estimate's first day and its scheduling date."""
    from openiop.scheduling.models import Enrolment

    enrolment = (
        Enrolment.objects.filter(
            patient=patient, session__start__date__gte=today, session__status=SessionStatus.SCHEDULED
        )
        .select_related("session__site")
        .order_by("session__start")
        .first()
    )
    if enrolment is None:
        return None, None
    return enrolment.session.local_start.date(), timezone.localdate(enrolment.created_at)
