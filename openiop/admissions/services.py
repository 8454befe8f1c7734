# SPDX-License-Identifier: AGPL-3.0-or-later
"""Writes for the admissions pipeline.

Every move goes through ``inquiry_move``: it checks the pipeline rules, records
who moved the inquiry and when (``StageChange``) and writes one audit event.
Moving to admitted registers the person as a patient (or links the existing
chart the navigator picked), so the chart and the inquiry stay connected. The
episode of care itself is opened by a clinician from the chart.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from openiop.accounts.models import User
from openiop.admissions import pipeline, signals
from openiop.admissions.models import (
    RISK_OUTCOMES,
    Inquiry,
    ReferralSource,
    SelfCheckOutcome,
    SelfCheckShare,
    StageChange,
)
from openiop.audit.services import log_action
from openiop.core.ascii_digits import digits_of
from openiop.patients import services as patient_services
from openiop.patients.models import Patient
from openiop.patients.services import PHONE_MATCH_DIGITS, StaleEditError
from openiop.sites.models import Site

INQUIRY_FIELDS = (
    "channel", "caller_name", "caller_relation", "first_name", "last_name", "birth_date", "phone", "email",
    "preferred_contact", "consent_to_contact", "substances", "urgency", "insurance_payer", "insurance_member_id",
    "insurance_plan", "referral_source", "notes",
)  # fmt: skip

# Fewer digits than this is not a phone number worth matching on.


def phone_digits(phone: str) -> str:
    return digits_of(phone)


@transaction.atomic
def inquiry_create(*, actor: User | None, site: Site, **fields: Any) -> Inquiry:
    """Log a new inquiry at SITE, stage new, with its first history row."""
    unknown = set(fields) - set(INQUIRY_FIELDS)
    if unknown:
        raise TypeError(f"unknown inquiry fields: {sorted(unknown)}")
    inquiry = Inquiry(site=site, created_by=actor, stage=pipeline.NEW, **fields)
    inquiry.phone_digits = phone_digits(inquiry.phone)
    inquiry.full_clean()
    inquiry.save()
    StageChange.objects.create(inquiry=inquiry, from_stage="", to_stage=pipeline.NEW, by=actor, at=inquiry.created_at)
    log_action(
        "inquiry.create", obj=inquiry, actor=actor, data={"channel": inquiry.channel, "urgency": inquiry.urgency}
    )
    return inquiry


@transaction.atomic
def inquiry_move(
    *,
    actor: User | None,
    inquiry: Inquiry,
    to_stage: str,
    expected_version: int | None = None,
    reason: str = "",
    referred_to: str = "",
    note: str = "",
    existing_patient: Patient | None = None,
) -> Inquiry:
    """Move INQUIRY to TO_STAGE, or raise and save nothing.

    Raises ``pipeline.MoveRefused`` (a ``ValueError``) for a move the pipeline
    does not allow, or an admission without a date of birth;
    ``StaleEditError`` when someone else moved the inquiry since
    ``expected_version``; ``ValidationError`` when the patient registered on
    admission does not validate.
    """
    current = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
    if expected_version is not None and current.version != expected_version:
        raise StaleEditError(
            _("Someone else moved this inquiry while you were looking at it. Nothing was saved; reload to see it.")
        )
    pipeline.check_move(current.stage, to_stage, reason=reason, referred_to=referred_to)
    from_stage = current.stage
    if to_stage == pipeline.ADMITTED:
        current.patient = existing_patient or _register_patient(current)
    current.stage = to_stage
    current.stage_changed_at = timezone.now()
    if to_stage == pipeline.CLOSED:
        current.closed_reason = reason.strip()
    if to_stage == pipeline.REFERRED:
        current.referred_to = referred_to.strip()
    current.version += 1
    current.save()
    StageChange.objects.create(
        inquiry=current, from_stage=from_stage, to_stage=to_stage, by=actor, at=current.stage_changed_at, note=note
    )
    data: dict[str, Any] = {"from": from_stage, "to": to_stage}
    if to_stage == pipeline.CLOSED:
        data["reason"] = current.closed_reason
    if to_stage == pipeline.ADMITTED and current.patient is not None:
        data["patient_mrn"] = current.patient.mrn
        data["linked_existing_chart"] = existing_patient is not None
    log_action("inquiry.move", obj=current, actor=actor, data=data)
    if to_stage == pipeline.ADMITTED and current.patient is not None:
        signals.inquiry_admitted.send(sender=Inquiry, inquiry=current, actor=actor)
    return current


class InquiryFinalError(ValidationError):
    """The inquiry reached a final stage; its intake record is kept as it was."""


@transaction.atomic
def inquiry_update(*, actor: User | None, inquiry: Inquiry, expected_version: int, **fields: Any) -> Inquiry:
    """Correct the intake details of an open inquiry (audited as
    "inquiry.update" with the names of the changed fields, not their values).

    Raises ``StaleEditError`` when someone else saved or moved the inquiry
    since ``expected_version``, ``InquiryFinalError`` once it is admitted,
    referred or closed, and ``ValidationError`` for bad input; nothing is
    saved in any of these cases.
    """
    unknown = set(fields) - set(INQUIRY_FIELDS)
    if unknown:
        raise TypeError(f"unknown inquiry fields: {sorted(unknown)}")
    current = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
    if current.version != expected_version:
        raise StaleEditError(
            _(
                "Someone else saved or moved this inquiry while you were editing it. Nothing was saved. "
                "Their version is shown below and your input is kept: compare, then save again to replace theirs."
            )
        )
    if not current.is_open:
        raise InquiryFinalError(
            _(
                "This inquiry is %(stage)s, a final stage, and is kept as it was; nothing was saved. "
                "If the person calls again, log a new inquiry (an admitted person's details live in their chart)."
            )
            % {"stage": current.get_stage_display().lower()}
        )
    changed = sorted(name for name, value in fields.items() if _differs(getattr(current, name), value))
    if not changed:
        return current
    for name in changed:
        setattr(current, name, fields[name])
    current.phone_digits = phone_digits(current.phone)
    current.full_clean()
    current.version += 1
    current.save()
    log_action("inquiry.update", obj=current, actor=actor, data={"fields": changed})
    return current


def _differs(old: Any, new: Any) -> bool:
    if isinstance(old, list) and isinstance(new, list | tuple):
        return sorted(old) != sorted(new)
    return bool(old != new)


def _register_patient(inquiry: Inquiry) -> Patient:
    if inquiry.birth_date is None:
        raise pipeline.MoveRefused(
            _("Record the person's date of birth before admitting: the chart needs it."), field="to_stage"
        )
    return patient_services.patient_register(
        site=inquiry.site,
        legal_first_name=inquiry.first_name,
        legal_last_name=inquiry.last_name,
        birth_date=inquiry.birth_date,
        phone=inquiry.phone,
        email=inquiry.email,
    )


@dataclass
class Duplicates:
    patients: list[Patient] = field(default_factory=list)
    inquiries: list[Inquiry] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.patients or self.inquiries)


def possible_duplicates(
    *,
    phone: str = "",
    first_name: str = "",
    last_name: str = "",
    birth_date: dt.date | None = None,
    exclude_pk: int | None = None,
) -> Duplicates:
    """Registered patients and open inquiries with the same phone number, or
    the same name and date of birth.

    Unrestricted by site, like the patients' check it reuses: a second inquiry
    for someone another site is already working with is the mistake this
    prevents. Views show only the site and stage of a match outside the
    user's sites.
    """
    patients = patient_services.possible_duplicates(
        phone=phone, first_name=first_name, last_name=last_name, birth_date=birth_date
    )
    digits = phone_digits(phone)
    query = Q()
    if len(digits) >= PHONE_MATCH_DIGITS:
        query |= Q(phone_digits__endswith=digits[-PHONE_MATCH_DIGITS:])
    if first_name.strip() and last_name.strip() and birth_date:
        query |= Q(first_name__iexact=first_name.strip(), last_name__iexact=last_name.strip(), birth_date=birth_date)
    inquiries: list[Inquiry] = []
    if query:
        queryset = Inquiry.objects.filter(query, stage__in=pipeline.OPEN_STAGES).select_related("site")
        if exclude_pk is not None:
            queryset = queryset.exclude(pk=exclude_pk)
        inquiries = list(queryset.order_by("-created_at")[:10])
    return Duplicates(patients=patients, inquiries=inquiries)


@transaction.atomic
def referral_source_create(*, actor: User | None, name: str, kind: str) -> ReferralSource:
    """Add a referral source (audited as "referral_source.create")."""
    source = ReferralSource(name=name.strip(), kind=kind)
    _check_source_name(source)
    source.full_clean()
    source.save()
    log_action("referral_source.create", obj=source, actor=actor, data={"name": source.name, "kind": source.kind})
    return source


@transaction.atomic
def referral_source_update(
    *, actor: User | None, source: ReferralSource, expected_version: int, name: str, kind: str, active: bool
) -> ReferralSource:
    """Rename, reclassify, deactivate or reactivate a source. Deactivating
    keeps its inquiries and their history; it is only no longer offered on new
    inquiries. Audited as "referral_source.update", ".deactivate" or
    ".reactivate". Raises ``StaleEditError`` when someone else saved it since
    ``expected_version``."""
    current = ReferralSource.objects.select_for_update().get(pk=source.pk)
    if current.version != expected_version:
        raise StaleEditError(
            _(
                "Someone else changed this referral source while you were editing it. "
                "Nothing was saved; reload to see their change."
            )
        )
    was_active = current.active
    changed = sorted(
        field for field, value in (("name", name.strip()), ("kind", kind), ("active", active))
        if getattr(current, field) != value
    )  # fmt: skip
    if not changed:
        return current
    current.name, current.kind, current.active = name.strip(), kind, active
    _check_source_name(current)
    current.full_clean()
    current.version += 1
    current.save()
    verb = "update"
    if was_active and not active:
        verb = "deactivate"
    elif active and not was_active:
        verb = "reactivate"
    log_action(f"referral_source.{verb}", obj=current, actor=actor, data={"fields": changed, "name": current.name})
    return current


def referral_source_usage(source: ReferralSource) -> int:
    """Inquiries that name SOURCE, at every site (a source is organization-wide)."""
    return Inquiry.objects.filter(referral_source=source).count()


@transaction.atomic
def referral_source_delete(*, actor: User | None, source: ReferralSource) -> None:
    """Delete a source no inquiry uses (a mistyped entry). A source with
    inquiries is never deleted: deactivate it instead."""
    current = ReferralSource.objects.select_for_update().get(pk=source.pk)
    used = referral_source_usage(current)
    if used:
        raise ValidationError(
            _(
                "%(count)d inquiries name this source, so it cannot be deleted; "
                "deactivate it instead to stop offering it."
            )
            % {"count": used}
        )
    log_action("referral_source.delete", obj=current, actor=actor, data={"name": current.name, "kind": current.kind})
    current.delete()


def _check_source_name(source: ReferralSource) -> None:
    # Unique regardless of capitals: "Mercy General" and "mercy general" would
    # split one referrer's numbers in two.
    if ReferralSource.objects.filter(name__iexact=source.name).exclude(pk=source.pk).exists():
        raise ValidationError({"name": _("A referral source with this name already exists.")})


# --- A self-check result shared from the public website ---------------------------------------------------------


@transaction.atomic
def selfcheck_share_record(*, inquiry: Inquiry, outcomes: Sequence[str]) -> SelfCheckShare | None:
    """Keep the self-check outcome a person chose to send with INQUIRY, as
    data the matrix guards (never in the notes). Nothing is kept when nothing
    was shared; unknown codes are refused."""
    if not outcomes:
        return None
    unknown = [code for code in outcomes if code not in SelfCheckOutcome.values]
    if unknown:
        raise ValidationError(_("Unknown self-check outcome: %(codes)s") % {"codes": ", ".join(unknown)})
    ordered = [code for code in SelfCheckOutcome.values if code in outcomes]
    share = SelfCheckShare.objects.create(
        inquiry=inquiry, outcomes=ordered, risk=any(code in RISK_OUTCOMES for code in ordered)
    )
    # The audit trail says a risk was shared, not which: the outcome stays behind the grant.
    log_action("inquiry.selfcheck_shared", obj=share, actor=None, data={"inquiry": inquiry.pk, "risk": share.risk})
    return share


@transaction.atomic
def selfcheck_risk_acknowledge(*, actor: User, share: SelfCheckShare, note: str) -> SelfCheckShare:
    """Take a shared risk off the dashboards, with what was done about it."""
    if not note.strip():
        raise ValidationError({"note": _("Write what you did or decided; a shared risk is acknowledged with a note.")})
    locked = SelfCheckShare.objects.select_for_update().get(pk=share.pk)
    if not locked.risk:
        raise ValidationError(_("No risk was shared with this request; there is nothing to acknowledge."))
    if locked.acknowledged_at is not None:
        raise ValidationError(
            _("%(user)s already acknowledged this risk at %(time)s.")
            % {"user": locked.acknowledged_by, "time": f"{timezone.localtime(locked.acknowledged_at):%Y-%m-%d %H:%M}"}
        )
    locked.acknowledged_at = timezone.now()
    locked.acknowledged_by = actor
    locked.acknowledgement_note = note.strip()
    locked.save(update_fields=["acknowledged_at", "acknowledged_by", "acknowledgement_note"])
    log_action("inquiry.selfcheck_acknowledged", obj=locked, actor=actor, data={"inquiry": locked.inquiry_id})
    return locked
