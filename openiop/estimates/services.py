# SPDX-License-Identifier: AGPL-3.0-or-later
"""Writes for Good Faith Estimates: draft, revise, issue, record delivery.
Each is one transaction and one audit event; bad input is refused with a
ValidationError a person can act on, and nothing is saved."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from openiop.audit.services import log_action
from openiop.core.locking import check_version
from openiop.diagnoses.selectors import claim_diagnoses
from openiop.estimates import documents, planning
from openiop.estimates.business_days import estimate_due_on
from openiop.estimates.models import (
    DeliveryMethod,
    EstimateBasis,
    EstimateDelivery,
    EstimateLine,
    EstimateStatus,
    GoodFaithEstimate,
    SelfPayReason,
)
from openiop.insurance.services import self_pay_elect
from openiop.patients.models import Episode, Patient


def _self_pay_reason(patient: Patient, first_day: dt.date, last_day: dt.date, *, insurance_declined: bool) -> str:
    coverage = planning.insured_coverage(patient, first_day, last_day)
    if coverage is None:
        return SelfPayReason.UNINSURED
    if insurance_declined:
        return SelfPayReason.DECLINED_INSURANCE
    raise ValidationError(
        _(
            "%(name)s has coverage in force with %(payer)s (member ID %(member)s) during these dates, and that "
            "coverage will be billed: a Good Faith Estimate is for uninsured or self-pay patients. If the patient "
            "asks us not to bill their insurance, tick “The patient asked us not to bill insurance” and the choice "
            "is recorded with the estimate."
        )
        % {"name": patient.display_name, "payer": coverage.payer.name, "member": coverage.member_id}
    )


def _fill(
    estimate: GoodFaithEstimate, inputs: planning.Inputs, *, insurance_declined: bool, actor: Any
) -> planning.Plan:
    patient = estimate.patient
    plan = planning.build_plan(patient, estimate.site, inputs)
    estimate.self_pay_reason = _self_pay_reason(
        patient, plan.first_day, plan.last_day, insurance_declined=insurance_declined
    )
    estimate.basis = EstimateBasis.SCHEDULE if plan.basis == "schedule" else EstimateBasis.STANDARD_TRACK
    estimate.level_of_care = inputs.level_of_care
    estimate.primary_service = plan.primary_service
    estimate.period_start = plan.first_day
    estimate.period_end = plan.last_day
    estimate.weeks = inputs.weeks
    estimate.drug_tests_per_week = inputs.drug_tests_per_week
    estimate.individual_sessions_per_week = inputs.individual_sessions_per_week
    estimate.include_intake = inputs.include_intake
    estimate.diagnosis_codes = claim_diagnoses([patient.pk], plan.first_day)[patient.pk]
    estimate.due_on = estimate_due_on(
        scheduled_on=estimate.scheduled_on, service_on=plan.first_day, requested_on=estimate.requested_on
    )
    estimate.total = plan.total  # type: ignore[assignment]
    estimate.save()
    estimate.lines.all().delete()
    EstimateLine.objects.bulk_create(
        EstimateLine(
            estimate=estimate,
            code=line.code,
            description=line.description,
            quantity=line.quantity,
            unit_charge=line.unit_charge,
            total=line.total,
            first_day=line.first_day,
            last_day=line.last_day,
        )
        for line in plan.lines
    )
    if estimate.self_pay_reason == SelfPayReason.DECLINED_INSURANCE:
        log_action("estimates.insurance_declined", obj=estimate, actor=actor, data={"estimate": estimate.pk})
        # The choice binds billing too: for these dates the patient is charged, the payer is not.
        self_pay_elect(
            actor=actor,
            patient=patient,
            start_date=plan.first_day,
            end_date=plan.last_day,
            reason=_("Asked us not to bill insurance (Good Faith Estimate)"),
        )
    return plan


def _data(estimate: GoodFaithEstimate) -> dict[str, Any]:
    return {
        "version": estimate.version,
        "total": str(estimate.total),
        "first_day": estimate.period_start.isoformat(),
        "last_day": estimate.period_end.isoformat(),
        "due_on": estimate.due_on.isoformat() if estimate.due_on else None,
        "self_pay_reason": estimate.self_pay_reason,
        "lines": [[line.code, line.quantity, str(line.unit_charge)] for line in estimate.lines.all()],
    }


@transaction.atomic
def estimate_create(
    *,
    actor: Any,
    patient: Patient,
    inputs: planning.Inputs,
    requested_on: dt.date | None = None,
    scheduled_on: dt.date | None = None,
    insurance_declined: bool = False,
) -> GoodFaithEstimate:
    """Draft an estimate for PATIENT from the planned schedule and the
    self-pay fee schedule. Refused for an insured patient (unless they asked
    us not to bill insurance), a code without a self-pay price, a level with
    no standard track and nothing booked."""
    # One patient's versions are numbered in order, also under two clicks at once.
    Patient.objects.select_for_update().filter(pk=patient.pk).first()
    # One draft at a time: a second (the form sent twice, or a colleague at
    # the same moment) would leave two unissued estimates for the same care.
    open_draft = GoodFaithEstimate.objects.filter(patient=patient, status=EstimateStatus.DRAFT).first()
    if open_draft is not None:
        raise ValidationError(
            _("This patient already has a draft estimate (version %(v)s); change or issue that one.")
            % {"v": open_draft.version},
            code="draft_open",
        )
    episode = Episode.objects.filter(patient=patient, status=Episode.Status.ACTIVE).select_related("site").first()
    site = episode.site if episode else patient.site
    last = GoodFaithEstimate.objects.filter(patient=patient).aggregate(last=Max("version"))["last"] or 0
    estimate = GoodFaithEstimate(
        patient=patient,
        episode=episode,
        organization_id=patient.organization_id,
        site=site,
        version=last + 1,
        requested_on=requested_on,
        scheduled_on=scheduled_on,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _fill(estimate, inputs, insurance_declined=insurance_declined, actor=actor)
    log_action("estimates.create", obj=estimate, actor=actor, data=_data(estimate))
    return estimate


def inputs_of(estimate: GoodFaithEstimate, **changes: Any) -> planning.Inputs:
    values: dict[str, Any] = {
        "first_day": estimate.period_start,
        "weeks": estimate.weeks,
        "level_of_care": estimate.level_of_care,
        "drug_tests_per_week": estimate.drug_tests_per_week,
        "individual_sessions_per_week": estimate.individual_sessions_per_week,
        "include_intake": estimate.include_intake,
    }
    values.update(changes)
    return planning.Inputs(**values)


@transaction.atomic
def estimate_revise(
    *,
    actor: Any,
    estimate: GoodFaithEstimate,
    inputs: planning.Inputs,
    requested_on: dt.date | None = None,
    scheduled_on: dt.date | None = None,
    insurance_declined: bool = False,
    expected_version: int | None = None,
) -> GoodFaithEstimate:
    """Change an estimate. A draft is rebuilt in place; an issued one is
    never changed: a new version is drafted that will supersede it, and the
    issued one is kept as given. EXPECTED_VERSION is the ``lock_version`` the
    form was opened at: StaleEditError when the estimate changed since (rebuilt
    or issued by someone else), nothing saved."""
    current = GoodFaithEstimate.objects.select_for_update().select_related("patient", "site").get(pk=estimate.pk)
    if current.is_superseded:
        raise ValidationError(
            _("Version %(v)s was already revised; change the newest version instead.") % {"v": current.version}
        )
    check_version(current.lock_version, expected_version)
    if current.status == EstimateStatus.DRAFT:
        current.lock_version += 1
        current.requested_on, current.scheduled_on = requested_on, scheduled_on
        _fill(current, inputs, insurance_declined=insurance_declined, actor=actor)
        log_action("estimates.update", obj=current, actor=actor, data=_data(current))
        return current
    last = GoodFaithEstimate.objects.filter(patient=current.patient).aggregate(last=Max("version"))["last"] or 0
    revision = GoodFaithEstimate(
        patient=current.patient,
        episode=current.episode,
        organization_id=current.organization_id,
        site=current.site,
        version=last + 1,
        supersedes=current,
        requested_on=requested_on,
        scheduled_on=scheduled_on,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _fill(revision, inputs, insurance_declined=insurance_declined, actor=actor)
    log_action("estimates.revise", obj=revision, actor=actor, data={**_data(revision), "supersedes": current.pk})
    return revision


@transaction.atomic
def estimate_issue(*, actor: Any, estimate: GoodFaithEstimate) -> GoodFaithEstimate:
    """Freeze the draft: its content and PDF are stored with the PDF's
    SHA-256 and never change after. Refused when already issued, when the
    provider's NPI or TIN is missing, or when the patient has become insured."""
    # Inner joins only: PostgreSQL cannot lock the nullable side of an outer
    # join, so the earlier version (supersedes) is read after the lock.
    current = (
        GoodFaithEstimate.objects.select_for_update()
        .select_related("patient", "organization", "site")
        .get(pk=estimate.pk)
    )
    if current.status != EstimateStatus.DRAFT:
        raise ValidationError(
            _("This estimate was issued on %(when)s and is never changed; revise it to make a new version.")
            % {"when": f"{timezone.localtime(current.issued_at):%Y-%m-%d %H:%M}" if current.issued_at else ""}
        )
    missing = documents.missing_provider_numbers(current)
    if missing:
        raise ValidationError(
            _(
                "The provider's %(missing)s must be on every Good Faith Estimate: an administrator enters them on "
                "the organization (Django admin, Organizations), then issue again."
            )
            % {"missing": _(" and ").join(missing)}
        )
    _self_pay_reason(
        current.patient,
        current.period_start,
        current.period_end,
        insurance_declined=current.self_pay_reason == SelfPayReason.DECLINED_INSURANCE,
    )
    now = timezone.now()
    document = documents.content(current, issued_on=timezone.localdate(now))
    pdf = documents.render_estimate_pdf(document)
    current.content = document
    current.pdf = pdf
    current.pdf_sha256 = documents.sha256_hex(pdf)
    current.status = EstimateStatus.ISSUED
    current.issued_at = now
    current.issued_by = actor if getattr(actor, "is_authenticated", False) else None
    current.lock_version += 1  # a form opened on the draft must not now draft a new version unawares
    current.save(update_fields=["content", "pdf", "pdf_sha256", "status", "issued_at", "issued_by", "lock_version"])
    log_action("estimates.issue", obj=current, actor=actor, data={**_data(current), "pdf_sha256": current.pdf_sha256})
    return current


@transaction.atomic
def estimate_deliver(
    *, actor: Any, estimate: GoodFaithEstimate, method: str, recipient: str = "", delivered_at: Any = None
) -> EstimateDelivery:
    """Record that the issued estimate reached the patient (on paper, by
    e-mail to RECIPIENT, or through the portal)."""
    current = GoodFaithEstimate.objects.select_for_update().get(pk=estimate.pk)
    if current.status != EstimateStatus.ISSUED:
        raise ValidationError(_("Issue the estimate before recording that the patient received it."))
    if method not in DeliveryMethod.values:
        raise ValidationError({"method": _("Choose how the estimate was given: on paper, by e-mail or the portal.")})
    recipient = " ".join(recipient.split())[:200]
    if method == DeliveryMethod.EMAIL:
        try:
            validate_email(recipient)
        except ValidationError:
            raise ValidationError({"recipient": _("Give the e-mail address the estimate was sent to.")}) from None
    delivery = EstimateDelivery.objects.create(
        estimate=current,
        method=method,
        recipient=recipient,
        delivered_at=delivered_at or timezone.now(),
        recorded_by=actor,
    )
    log_action(
        "estimates.deliver",
        obj=current,
        actor=actor,
        data={"delivery": delivery.pk, "method": method, "pdf_sha256": current.pdf_sha256},
    )
    return delivery
