# SPDX-License-Identifier: AGPL-3.0-or-later
"""The concurrent-review packet: what a payer's reviewer needs to extend an
authorization (diagnoses, recent instrument scores, attendance and weekly
hours against the level of care's band, drug tests, the plan's objectives and
the clinician's justification), sent only through the Part 2 gate.

The packet is a release-of-information packet (``privacy.services_release``):
recorded as a request from the payer's reviewer for payment, checked against
the patient's consents, rendered to PDF with the security labels and the
42 CFR 2.32 notice, hashed and disclosed. This module adds the sections the
release machinery does not know (the authorization, hours per week against
the band, objectives, the justification); each goes in under an information
class, so a consent that does not cover the class keeps it out. The
justification is not stored apart: it lives in the request's note, the
disclosure's description and the PDF.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openiop.accounts.models import User
from openiop.insurance.models import Authorization
from openiop.patients.models import Episode, Patient
from openiop.privacy import packet_sources, services, services_release
from openiop.privacy.gate import Decision, Recipient
from openiop.privacy.information import InformationClass, Purpose, RecipientKind
from openiop.privacy.models import ReleaseRequest
from openiop.privacy.packet_sources import Period, Section

# What a utilization reviewer asks for, in the vocabulary the consents use.
REVIEW_INFORMATION: tuple[str, ...] = (
    InformationClass.ATTENDANCE,
    InformationClass.DIAGNOSES,
    InformationClass.ASSESSMENTS,
    InformationClass.TREATMENT_PLAN,
    InformationClass.DRUG_TESTS,
)
# The period a reviewer usually looks at: the last month of care.
LOOKBACK_DAYS = 30
MAX_JUSTIFICATION = 4000


@dataclass(frozen=True)
class ReviewRequest:
    """What the person preparing the packet says: to whom, how, which period,
    and the clinician's justification for continued care."""

    reviewer_name: str
    channel: str
    period_start: dt.date
    period_end: dt.date
    justification: str
    clinician: str


def default_period(authorization: Authorization, today: dt.date) -> tuple[dt.date, dt.date]:
    end = min(today, authorization.end_date)
    start = max(authorization.start_date, end - dt.timedelta(days=LOOKBACK_DAYS - 1))
    return min(start, end), end


def reviewer(authorization: Authorization, name: str) -> Recipient:
    return Recipient(RecipientKind.HEALTH_PLAN, authorization.coverage.payer.name, name.strip())


def check_request(request: ReviewRequest) -> None:
    errors: dict[str, str] = {}
    if not request.clinician.strip():
        errors["clinician"] = _("Name the clinician whose justification this is.")
    if not request.justification.strip():
        errors["justification"] = _("Write the clinician's justification for continued care.")
    elif len(request.justification) > MAX_JUSTIFICATION:
        errors["justification"] = _("Keep the justification under %(n)s characters.") % {"n": MAX_JUSTIFICATION}
    if request.period_end < request.period_start:
        errors["period_end"] = _("The period ends before it starts.")
    if request.period_end > timezone.localdate():
        errors["period_end"] = _("The period cannot end in the future.")
    if errors:
        raise ValidationError(errors)


def _episode(authorization: Authorization) -> Episode | None:
    if authorization.episode_id is not None:
        return authorization.episode
    return (
        Episode.objects.filter(patient_id=authorization.patient_id, admission_date__lte=authorization.end_date)
        .select_related("site")
        .order_by("-admission_date", "-pk")
        .first()
    )


# --- Sections -----------------------------------------------------------------------------------------------------


def authorization_section(authorization: Authorization) -> Section:
    payer = authorization.coverage.payer
    review = f"{authorization.next_review_date:%Y-%m-%d}" if authorization.next_review_date else "—"
    return Section(
        InformationClass.ATTENDANCE,
        _("Authorization under review"),
        [_("Payer"), _("Number"), _("Service"), _("Dates"), _("Units used"), _("Next review")],
        [
            [
                payer.name,
                authorization.number,
                f"{authorization.service_code} ({authorization.get_level_of_care_display()})",
                f"{authorization.start_date:%Y-%m-%d} – {authorization.end_date:%Y-%m-%d}",
                f"{authorization.units_used} / {authorization.units_authorized} {authorization.get_unit_display()}",
                review,
            ]
        ],
    )


def weekly_hours_section(authorization: Authorization, period: Period) -> Section:
    """Attended and scheduled hours per ISO week of the period, against the
    band of the episode's level of care (the same band every page uses)."""
    from openiop.scheduling import hours
    from openiop.scheduling.selectors import engine_appointments, local_range, zone
    from openiop.treatment.selectors import band_for

    title = _("Weekly hours against the level of care's band")
    columns = [_("Week"), _("Attended hours"), _("Scheduled hours"), _("Days attended"), _("Band"), _("Position")]
    episode = _episode(authorization)
    if episode is None or period.start is None or period.end is None:
        return Section(InformationClass.ATTENDANCE, title, columns)
    first = hours.IsoWeek.of(period.start)
    last = hours.IsoWeek.of(period.end)
    weeks = []
    week = first
    while week <= last:
        weeks.append(week)
        week = week.shifted(1)
    start, end = local_range(episode.site, first.monday, 7 * len(weeks))
    appointments = engine_appointments([authorization.patient_id], start, end).get(authorization.patient_id, [])
    by_week = hours.weekly_hours(appointments, tz=zone(episode.site), weeks=weeks)
    band = band_for(episode)
    positions = {hours.BELOW: _("below the band"), hours.WITHIN: _("within the band"), hours.ABOVE: _("above")}
    rows = []
    for key in weeks:
        week_hours = by_week[key]
        attended_days = sum(1 for day in week_hours.days.values() if day.attended_minutes > 0)
        rows.append(
            [
                str(key),
                f"{week_hours.attended_hours:.1f}",
                f"{week_hours.scheduled_hours:.1f}",
                str(attended_days),
                band.describe() if band else _("no band for this level of care"),
                str(positions[band.position(week_hours.attended_minutes)]) if band else "—",
            ]
        )
    return Section(InformationClass.ATTENDANCE, title, columns, rows)


def objectives_section(authorization: Authorization) -> Section:
    """The objectives of the signed plan in effect, with their status: the
    plan's progress as the reviewer reads it."""
    from openiop.treatment.models import Objective, PlanVersion

    title = _("Treatment plan objectives and progress")
    columns = [_("Objective"), _("Measured by"), _("Target date"), _("Status")]
    episode = _episode(authorization)
    version = (
        PlanVersion.objects.filter(plan__episode=episode, status=PlanVersion.Status.SIGNED).order_by("-number").first()
        if episode is not None
        else None
    )
    if version is None:
        return Section(InformationClass.TREATMENT_PLAN, title, columns)
    objectives = Objective.objects.filter(version=version).order_by("goal__position", "position", "pk")
    rows = [
        [
            objective.description,
            objective.measurable_target,
            f"{objective.target_date:%Y-%m-%d}",
            str(objective.get_status_display()),
        ]
        for objective in objectives
    ]
    return Section(InformationClass.TREATMENT_PLAN, title, columns, rows)


def justification_section(justification: str, clinician: str) -> Section:
    return Section(
        InformationClass.TREATMENT_PLAN,
        _("Clinician's justification for continued care"),
        [_("Justification"), _("Written by")],
        [[justification.strip(), clinician]],
    )


def diagnoses_source(patient: Patient, period: Period) -> Section:
    """Diagnoses active at the end of the period, principal first, for any
    packet that may carry diagnoses (registered only when the diagnoses app
    has not registered its own)."""
    from openiop.diagnoses import codes
    from openiop.diagnoses.selectors import claim_diagnoses

    on = period.end or timezone.localdate()
    found = claim_diagnoses([patient.pk], on).get(patient.pk, [])
    rows = [
        [codes.display(code), codes.describe(code), _("Principal") if index == 0 else _("Other")]
        for index, code in enumerate(found)
    ]
    return Section(
        InformationClass.DIAGNOSES,
        str(InformationClass.DIAGNOSES.label),
        [_("ICD-10-CM"), _("Diagnosis"), _("Rank")],
        rows,
    )


def review_sections(authorization: Authorization, request: ReviewRequest) -> list[Section]:
    """The sections this module adds to the release packet."""
    period = Period(request.period_start, request.period_end)
    return [
        authorization_section(authorization),
        weekly_hours_section(authorization, period),
        objectives_section(authorization),
        justification_section(request.justification, request.clinician.strip()),
    ]


# --- Preview and release ------------------------------------------------------------------------------------------


@dataclass
class Preview:
    decision: Decision
    sections: list[Section]


def decision_for(authorization: Authorization, request: ReviewRequest) -> Decision:
    return services.disclosure_decision(
        patient=authorization.patient,
        recipient=reviewer(authorization, request.reviewer_name),
        purpose=Purpose.PAYMENT,
        information=REVIEW_INFORMATION,
    )


def preview(authorization: Authorization, request: ReviewRequest) -> Preview:
    """What the packet would carry, as the gate would answer today (nothing is
    rendered outbound or disclosed): the records of the classes the gate
    allows, or nothing when it refuses."""
    decision = decision_for(authorization, request)
    if not decision.allowed:
        return Preview(decision, [])
    period = Period(request.period_start, request.period_end)
    sections = packet_sources.sections(authorization.patient, frozenset(REVIEW_INFORMATION), period)
    return Preview(decision, sections + review_sections(authorization, request))


def description(authorization: Authorization, request: ReviewRequest) -> str:
    return _(
        "Concurrent-review packet for authorization %(number)s (%(start)s to %(end)s). "
        "Clinician's justification (%(clinician)s): %(justification)s"
    ) % {
        "clinician": request.clinician.strip(),
        "number": authorization.number,
        "start": f"{request.period_start:%Y-%m-%d}",
        "end": f"{request.period_end:%Y-%m-%d}",
        "justification": request.justification.strip(),
    }


def packet_release(*, actor: User, authorization: Authorization, request: ReviewRequest) -> ReleaseRequest:
    """Record the reviewer's request, build the packet and disclose it through
    the gate (purpose: payment). Raises ``services.DisclosureRefused`` with the
    gate's message when no consent covers it: the refusal is audited and
    nothing is built, stored or sent."""
    check_request(request)
    recipient = reviewer(authorization, request.reviewer_name)
    if not decision_for(authorization, request).allowed:
        # disclose() refuses again, audits the refusal and raises.
        services.disclose(
            patient=authorization.patient,
            recipient=recipient,
            purpose=Purpose.PAYMENT,
            information=REVIEW_INFORMATION,
            actor=actor,
            channel=request.channel,
        )
    today = timezone.localdate()
    with transaction.atomic():
        release = services_release.release_request_record(
            actor=actor,
            patient=authorization.patient,
            received_on=today,
            due_on=max(today, authorization.next_review_date or today),
            requester=recipient,
            information=REVIEW_INFORMATION,
            purpose=Purpose.PAYMENT,
            channel=request.channel,
            period_start=request.period_start,
            period_end=request.period_end,
            note=description(authorization, request),
        )
        return services_release.release_build(
            actor=actor,
            release=release,
            extra_sections=review_sections(authorization, request),
            description=description(authorization, request),
        )
