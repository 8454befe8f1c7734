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
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from openiop.accounts.models import User
from openiop.admissions import pipeline
from openiop.admissions.models import Inquiry, StageChange
from openiop.audit.services import log_action
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
    return "".join(ch for ch in phone if ch.isdigit())


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
    return current


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
