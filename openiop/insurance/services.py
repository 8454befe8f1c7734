# SPDX-License-Identifier: AGPL-3.0-or-later
"""Writes for payers, coverage, authorizations and the X12 control numbers.

Every write validates first and saves all or nothing, is audited, and tells
the apps above (billing) through ``coverage_changed`` / ``authorization_changed``
inside its transaction. Eligibility checks (manual, and electronic through the
clearinghouse) are in ``services_eligibility`` and re-exported here.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from openiop.accounts.models import User
from openiop.audit.services import log_action
from openiop.core.locking import check_version
from openiop.insurance import signals
from openiop.insurance.models import (
    Authorization,
    ClaimType,
    ControlNumberCounter,
    Coverage,
    CoveragePriority,
    CoverageToEnter,
    Payer,
    PayerKind,
    PayerService,
    SelfPayElection,
    SubscriberRelation,
)
from openiop.patients.models import LevelOfCare, Patient
from openiop.sites.models import Organization

# --- Payers -----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceSetup:
    """How a payer bills one level of care."""

    level_of_care: str
    claim_type: str
    revenue_code: str
    procedure_code: str


def default_billing_setup() -> list[ServiceSetup]:
    """SUD IOP as 0906 + H0015 on an 837I; psychiatric IOP as 0905 + S9480
    when the level-of-care vocabulary has such a level (ASAM's has not)."""
    setups = [ServiceSetup(LevelOfCare.IOP, ClaimType.INSTITUTIONAL, "0906", "H0015")]
    psychiatric = getattr(LevelOfCare, "PSYCHIATRIC_IOP", None)
    if psychiatric is not None:
        setups.append(ServiceSetup(psychiatric, ClaimType.INSTITUTIONAL, "0905", "S9480"))
    return setups


def _validate(record: Any, **messages: str) -> None:
    """full_clean, with our own words for the errors a person can cause."""
    try:
        # Who wrote it is ours to set (None for the system, e.g. a carry-over without a signed-in user).
        record.full_clean(exclude=["created_by"])
    except ValidationError as exc:
        errors = exc.message_dict
        for field, message in messages.items():
            if field in errors:
                errors[field] = [message]
        raise ValidationError(errors) from None


@transaction.atomic
def payer_create(
    *,
    actor: User | None,
    organization: Organization,
    name: str,
    payer_id: str,
    kind: str = PayerKind.COMMERCIAL,
    is_medicare: bool = False,
    authorization_required: bool = True,
    timely_filing_days: int = 90,
    per_diem_min_minutes_per_day: int = 180,
    per_diem_min_days_per_week: int = 3,
    per_diem_min_minutes_per_week: int = 0,
    phone: str = "",
    services: list[ServiceSetup] | None = None,
) -> Payer:
    """Add a payer with its billing set-up per level of care (the default
    set-up unless SERVICES says otherwise), or raise ValidationError and
    save nothing."""
    name, payer_id = name.strip(), payer_id.strip()
    payer = Payer(
        organization=organization,
        name=name,
        payer_id=payer_id,
        kind=kind,
        is_medicare=is_medicare,
        authorization_required=authorization_required,
        timely_filing_days=timely_filing_days,
        per_diem_min_minutes_per_day=per_diem_min_minutes_per_day,
        per_diem_min_days_per_week=per_diem_min_days_per_week,
        per_diem_min_minutes_per_week=per_diem_min_minutes_per_week,
        phone=phone.strip(),
    )
    if payer_id and Payer.objects.filter(organization=organization, payer_id__iexact=payer_id).exists():
        raise ValidationError({"payer_id": _("Another payer already has the payer ID %(id)s.") % {"id": payer_id}})
    if name and Payer.objects.filter(organization=organization, name__iexact=name).exists():
        raise ValidationError({"name": _("A payer named %(name)s already exists.") % {"name": name}})
    check_per_diem_rule(payer)
    _validate(payer)
    payer.save()
    chosen = default_billing_setup() if services is None else services
    if len({setup.level_of_care for setup in chosen}) != len(chosen):
        raise ValidationError(_("Give each level of care one billing set-up."))
    for setup in chosen:
        service = PayerService(
            payer=payer,
            level_of_care=setup.level_of_care,
            claim_type=setup.claim_type,
            revenue_code=setup.revenue_code,
            procedure_code=setup.procedure_code.upper(),
        )
        _validate(service)
        service.save()
    log_action(
        "payer.create",
        obj=payer,
        actor=actor,
        data={"name": payer.name, "payer_id": payer.payer_id, "services": [s.procedure_code for s in chosen]},
    )
    return payer


def check_per_diem_rule(payer: Payer) -> None:
    if not payer.per_diem_min_minutes_per_day and not payer.per_diem_min_minutes_per_week:
        raise ValidationError(
            {
                "per_diem_min_minutes_per_day": _(
                    "A per-diem rule needs a minimum of minutes per day or per week (e.g. 180 a day, or 540 a week)."
                )
            }
        )


# --- Coverage ---------------------------------------------------------------------------------------------------------

COVERAGE_FIELDS = (
    "payer", "plan_name", "member_id", "group_number", "priority", "relation_to_subscriber",
    "subscriber_first_name", "subscriber_last_name", "subscriber_birth_date", "effective_date", "end_date",
    "copay_per_day", "coinsurance_percent", "deductible", "deductible_remaining", "out_of_pocket_max",
    "out_of_pocket_remaining",
)  # fmt: skip
BENEFIT_FIELDS = (
    "copay_per_day", "coinsurance_percent", "deductible", "deductible_remaining", "out_of_pocket_max",
    "out_of_pocket_remaining",
)  # fmt: skip
_TEXT_FIELDS = ("plan_name", "member_id", "group_number", "subscriber_first_name", "subscriber_last_name")


def _check_coverage(coverage: Coverage) -> None:
    """Everything a coverage must satisfy, as messages a person can act on."""
    errors: dict[str, str] = {}
    if coverage.end_date and coverage.effective_date and coverage.end_date < coverage.effective_date:
        errors["end_date"] = _("The coverage ends before it starts: check the end date.")
    payer = coverage.payer if coverage.payer_id else None
    if payer is not None:
        if payer.organization_id != coverage.patient.organization_id:
            errors["payer"] = _("Choose one of your organization's payers.")
        elif not payer.is_active and coverage._state.adding:
            errors["payer"] = _("%(payer)s is no longer an active payer.") % {"payer": payer.name}
    if coverage.relation_to_subscriber != SubscriberRelation.SELF and not (
        coverage.subscriber_first_name and coverage.subscriber_last_name and coverage.subscriber_birth_date
    ):
        errors["subscriber_last_name"] = _(
            "When the patient is not the subscriber, give the subscriber's name and date of birth."
        )
    for field in (
        "copay_per_day",
        "deductible",
        "deductible_remaining",
        "out_of_pocket_max",
        "out_of_pocket_remaining",
    ):
        value = getattr(coverage, field)
        if value is not None and value < 0:
            errors[field] = _("An amount cannot be negative.")
    if errors:
        raise ValidationError(errors)
    _validate(coverage)


def _check_no_overlap(coverage: Coverage) -> None:
    """Two coverages of the same priority may not be in force on the same day
    (the caller holds the patient's row lock, so two saves cannot both pass)."""
    overlapping = Coverage.objects.filter(patient_id=coverage.patient_id, priority=coverage.priority).exclude(
        pk=coverage.pk
    )
    if coverage.end_date is not None:
        overlapping = overlapping.filter(effective_date__lte=coverage.end_date)
    overlapping = overlapping.filter(Q(end_date__isnull=True) | Q(end_date__gte=coverage.effective_date))
    other = overlapping.select_related("payer").first()
    if other is not None:
        raise ValidationError(
            {
                "priority": _(
                    "%(payer)s (member ID %(member)s) is already the %(priority)s coverage from %(start)s%(end)s. "
                    "End that coverage first, or make this one secondary."
                )
                % {
                    "payer": other.payer.name,
                    "member": other.member_id,
                    "priority": other.get_priority_display().lower(),
                    "start": other.effective_date.isoformat(),
                    "end": _(" to %(day)s") % {"day": other.end_date.isoformat()} if other.end_date else "",
                }
            }
        )


def _lock_patient(patient_id: int) -> None:
    Patient.objects.select_for_update().filter(pk=patient_id).first()


def _current(record: Any, field: str) -> Any:
    try:
        return getattr(record, field)
    except ObjectDoesNotExist:  # a relation not set yet
        return None


def _set_fields(record: Any, allowed: tuple[str, ...], fields: dict[str, Any]) -> list[str]:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    changed = []
    for field, value in fields.items():
        if field in _TEXT_FIELDS and isinstance(value, str):
            value = value.strip()
        if field == "member_id" and isinstance(value, str):
            value = value.upper() if value.isascii() and value.replace("-", "").isalnum() else value
        if _current(record, field) != value:
            setattr(record, field, value)
            changed.append(field)
    return changed


@transaction.atomic
def coverage_create(*, actor: User | None, patient: Patient, inquiry_id: int | None = None, **fields: Any) -> Coverage:
    """Add a coverage to PATIENT, or raise ValidationError and save nothing.

    FIELDS are ``COVERAGE_FIELDS``. A coverage of the same priority in force
    on any of the same days is refused (checked under the patient's row lock)."""
    _lock_patient(patient.pk)
    coverage = Coverage(patient=patient, created_by=actor, inquiry_id=inquiry_id)
    _set_fields(coverage, COVERAGE_FIELDS, fields)
    _check_coverage(coverage)
    _check_no_overlap(coverage)
    coverage.save()
    if coverage.priority == CoveragePriority.PRIMARY:
        CoverageToEnter.objects.filter(patient=patient, resolved_at__isnull=True).update(resolved_at=timezone.now())
    log_action(
        "coverage.create",
        obj=coverage,
        actor=actor,
        data={"payer": coverage.payer.name, "priority": coverage.priority, "carried_over": inquiry_id is not None},
    )
    signals.coverage_changed.send(sender=Coverage, patient_id=patient.pk)
    return coverage


@transaction.atomic
def coverage_update(*, actor: User | None, coverage: Coverage, expected_version: int, **fields: Any) -> Coverage:
    """Change COVERAGE as of EXPECTED_VERSION; StaleEditError when someone
    saved it since, ValidationError for bad input; nothing saved either way."""
    _lock_patient(coverage.patient_id)
    current = Coverage.objects.select_related("payer", "patient").get(pk=coverage.pk)
    check_version(current, expected_version)
    changed = _set_fields(current, COVERAGE_FIELDS, fields)
    if not changed:
        return current
    _check_coverage(current)
    _check_no_overlap(current)
    current.version += 1
    current.save()
    log_action("coverage.update", obj=current, actor=actor, data={"changed": sorted(changed)})
    signals.coverage_changed.send(sender=Coverage, patient_id=current.patient_id)
    return current


# Card images: photos or scans, as the phone or the scanner makes them.
CARD_MAX_BYTES = 2 * 1024 * 1024
CARD_TYPES = ((b"\xff\xd8\xff", "jpg"), (b"\x89PNG\r\n\x1a\n", "png"), (b"%PDF-", "pdf"))
CARD_SIDES = ("front", "back")


def card_kind(head: bytes) -> str | None:
    """The file's kind from its first bytes (never from its name or the
    browser's word for it), or None when it is not an image or PDF we keep."""
    return next((extension for magic, extension in CARD_TYPES if head.startswith(magic)), None)


@transaction.atomic
def coverage_card_attach(
    *, actor: User | None, coverage: Coverage, side: str, upload: UploadedFile, expected_version: int
) -> Coverage:
    """Store one side of the insurance card (JPEG, PNG or PDF, at most 2 MB)
    under MEDIA_ROOT with a name that says nothing about the patient."""
    if side not in CARD_SIDES:
        raise ValidationError({"side": _("Choose the front or the back of the card.")})
    if upload.size is None or upload.size > CARD_MAX_BYTES:
        raise ValidationError({"image": _("The card image is larger than 2 MB; scan it at a lower resolution.")})
    if not upload.size:
        raise ValidationError({"image": _("The file is empty.")})
    upload.seek(0)
    extension = card_kind(upload.read(16))
    upload.seek(0)
    if extension is None:
        raise ValidationError({"image": _("Upload the card as a JPEG or PNG photo, or a PDF scan.")})
    _lock_patient(coverage.patient_id)
    current = Coverage.objects.select_related("patient").get(pk=coverage.pk)
    check_version(current, expected_version)
    field = current.card_front if side == "front" else current.card_back
    replaced = field.name or ""
    field.save(f"{uuid.uuid4().hex}.{extension}", upload, save=False)
    written = field.name
    try:
        current.version += 1
        current.save()
        log_action("coverage.card", obj=current, actor=actor, data={"side": side, "kind": extension})
        signals.coverage_changed.send(sender=Coverage, patient_id=current.patient_id)
    except Exception:
        field.storage.delete(written)  # nothing half-saved: no file without its record
        raise
    if replaced:
        # The old image goes only once the new one is committed.
        storage = field.storage
        transaction.on_commit(lambda: storage.delete(replaced))
    return current


# --- Carry-over at admission ------------------------------------------------------------------------------------------


def _matching_payer(organization_id: int, text: str) -> Payer | None:
    text = text.strip()
    if not text:
        return None
    return (
        Payer.objects.filter(organization_id=organization_id, is_active=True)
        .filter(Q(name__iexact=text) | Q(payer_id__iexact=text))
        .order_by("name", "pk")
        .first()
    )


def coverage_carry_over(*, inquiry: Any, actor: User | None) -> Coverage | CoverageToEnter | None:
    """The insurance an admitted inquiry named becomes the patient's primary
    coverage from the admission day. When no active payer matches, or the
    member ID is one payers reject, nothing is created and the patient is
    listed for billing to enter the coverage by hand. None when the inquiry
    named no insurer, or the patient already has a primary coverage then."""
    patient = inquiry.patient
    payer_text = (inquiry.insurance_payer or "").strip()
    if patient is None or not payer_text:
        return None
    stage_changed = getattr(inquiry, "stage_changed_at", None)
    day = timezone.localdate(stage_changed) if stage_changed else timezone.localdate()
    in_force = Coverage.objects.filter(
        patient=patient, priority=CoveragePriority.PRIMARY, effective_date__lte=day
    ).filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
    if in_force.exists():
        return None
    member_id = (inquiry.insurance_member_id or "").strip()
    payer = _matching_payer(patient.organization_id, payer_text)

    def to_enter(reason: str) -> CoverageToEnter:
        entry = CoverageToEnter.objects.create(
            patient=patient,
            inquiry_id=inquiry.pk,
            payer_name=payer_text[:120],
            member_id=member_id[:80],
            plan_name=(inquiry.insurance_plan or "")[:120],
            reason=reason[:300],
        )
        log_action("coverage.to_enter", obj=entry, actor=actor, data={"inquiry": inquiry.pk, "reason": reason})
        return entry

    if payer is None:
        return to_enter(_("No active payer is named “%(payer)s”.") % {"payer": payer_text})
    relation = getattr(inquiry, "insurance_subscriber_relation", "") or SubscriberRelation.SELF
    try:
        return coverage_create(
            actor=actor,
            patient=patient,
            inquiry_id=inquiry.pk,
            payer=payer,
            plan_name=inquiry.insurance_plan or "",
            member_id=member_id,
            group_number=getattr(inquiry, "insurance_group_number", "") or "",
            priority=CoveragePriority.PRIMARY,
            relation_to_subscriber=relation,
            subscriber_first_name=getattr(inquiry, "insurance_subscriber_first_name", "") or "",
            subscriber_last_name=getattr(inquiry, "insurance_subscriber_last_name", "") or "",
            subscriber_birth_date=getattr(inquiry, "insurance_subscriber_birth_date", None),
            effective_date=day,
        )
    except ValidationError as exc:
        return to_enter(" ".join(exc.messages))


# --- Authorizations ---------------------------------------------------------------------------------------------------

AUTHORIZATION_FIELDS = (
    "coverage", "episode", "number", "level_of_care", "service_code", "unit", "units_authorized", "start_date",
    "end_date", "next_review_date", "status", "notes",
)  # fmt: skip


def _check_authorization(authorization: Authorization) -> None:
    errors: dict[str, str] = {}
    if authorization.units_authorized is None or authorization.units_authorized < 1:
        errors["units_authorized"] = _("An authorization grants at least one unit.")
    elif authorization.units_authorized < authorization.units_used:
        errors["units_authorized"] = _(
            "%(used)d units are already used under this authorization; it cannot grant fewer."
        ) % {"used": authorization.units_used}
    if authorization.start_date and authorization.end_date and authorization.end_date < authorization.start_date:
        errors["end_date"] = _("The authorization ends before it starts: check the end date.")
    if authorization.coverage_id and authorization.coverage.patient_id != authorization.patient_id:
        errors["coverage"] = _("Choose one of this patient's coverages.")
    episode = authorization.episode if authorization.episode_id else None
    if episode is not None and episode.patient_id != authorization.patient_id:
        errors["episode"] = _("Choose one of this patient's episodes.")
    authorization.number = (authorization.number or "").strip()
    authorization.service_code = (authorization.service_code or "").strip().upper()
    if errors:
        raise ValidationError(errors)
    _validate(authorization, number=_("Enter the payer's authorization number."))


@transaction.atomic
def authorization_create(*, actor: User | None, patient: Patient, **fields: Any) -> Authorization:
    authorization = Authorization(patient=patient, created_by=actor)
    _set_fields(authorization, AUTHORIZATION_FIELDS, fields)
    _check_authorization(authorization)
    authorization.save()
    log_action(
        "authorization.create",
        obj=authorization,
        actor=actor,
        data={"number": authorization.number, "units": authorization.units_authorized},
    )
    signals.authorization_changed.send(sender=Authorization, patient_id=patient.pk, authorization=authorization)
    return authorization


@transaction.atomic
def authorization_update(
    *, actor: User | None, authorization: Authorization, expected_version: int, **fields: Any
) -> Authorization:
    """Change an authorization as of EXPECTED_VERSION. ``units_used`` is
    billing's: it is read under the row lock and never written here."""
    current = Authorization.objects.select_for_update().get(pk=authorization.pk)
    check_version(current, expected_version)
    changed = _set_fields(current, AUTHORIZATION_FIELDS, fields)
    if not changed:
        return current
    _check_authorization(current)
    current.version += 1
    # Only the fields this form owns: units_used is billing's draw-down, never written here.
    current.save(update_fields=sorted({*changed, "number", "service_code", "version"}))
    log_action("authorization.update", obj=current, actor=actor, data={"changed": sorted(changed)})
    signals.authorization_changed.send(sender=Authorization, patient_id=current.patient_id, authorization=current)
    return current


# --- X12 control numbers ----------------------------------------------------------------------------------------------

MAX_CONTROL_NUMBER = 999_999_999  # ISA13 has nine digits


def next_control_numbers(*, sender_id: str) -> tuple[int, int]:
    """The next (interchange, group) control numbers for SENDER_ID: unique
    and increasing under a row lock (wrapping after 999,999,999)."""
    with transaction.atomic():
        counter = ControlNumberCounter.objects.select_for_update().filter(sender_id=sender_id).first()
        if counter is None:
            try:
                with transaction.atomic():
                    ControlNumberCounter.objects.create(sender_id=sender_id)
            except IntegrityError:
                pass  # another request created it first; lock theirs
            counter = ControlNumberCounter.objects.select_for_update().get(sender_id=sender_id)
        counter.last_interchange = counter.last_interchange % MAX_CONTROL_NUMBER + 1
        counter.last_group = counter.last_group % MAX_CONTROL_NUMBER + 1
        counter.save(update_fields=["last_interchange", "last_group"])
        return counter.last_interchange, counter.last_group


def copy_benefits(coverage: Coverage, benefits: dict[str, Decimal | None]) -> list[str]:
    """Put the benefits a check found on COVERAGE (figures not found are left
    as they were); the fields changed."""
    changed = []
    for field, value in benefits.items():
        if field in BENEFIT_FIELDS and value is not None and getattr(coverage, field) != value:
            setattr(coverage, field, value)
            changed.append(field)
    return changed


# Eligibility checks live in their own module; importable from here too.
from openiop.insurance.services_eligibility import (  # noqa: E402
    clearinghouse_file_import,
    eligibility_check_record,
    eligibility_check_send,
    eligibility_inbox_import,
)

__all__ = [
    "clearinghouse_file_import",
    "eligibility_check_record",
    "eligibility_check_send",
    "eligibility_inbox_import",
]


def self_pay_elect(
    *, actor: User | None, patient: Patient, start_date: Any, end_date: Any = None, reason: str = ""
) -> SelfPayElection:
    """Record that the patient asked us not to bill their insurance from
    START_DATE (to END_DATE, or until withdrawn). Billing then charges the
    patient for those days (``coverage_changed`` makes it recompute). An
    election already in force on START_DATE is kept, not doubled."""
    if end_date is not None and end_date < start_date:
        raise ValidationError({"end_date": _("The last day is before the first.")})
    with transaction.atomic():
        _lock_patient(patient.pk)
        existing = (
            SelfPayElection.objects.filter(patient=patient, start_date__lte=start_date)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=start_date))
            .first()
        )
        if existing is not None and (existing.end_date is None or (end_date and existing.end_date >= end_date)):
            return existing
        election = SelfPayElection.objects.create(
            patient=patient, start_date=start_date, end_date=end_date, reason=reason[:300], recorded_by=actor
        )
        log_action(
            "insurance.self_pay_elect",
            obj=election,
            actor=actor,
            data={"start_date": start_date.isoformat(), "end_date": end_date.isoformat() if end_date else None},
        )
        signals.coverage_changed.send(sender=SelfPayElection, patient_id=patient.pk)
    return election
