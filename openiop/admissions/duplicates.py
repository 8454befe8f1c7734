# SPDX-License-Identifier: AGPL-3.0-or-later
"""Possible duplicates of a person: registered patients and open inquiries
with the same phone or email, or the same name and date of birth, each with
the fields it matched on. Unrestricted by site on purpose (see
``possible_duplicates``); views show a match the user may not open only as
"a record at another site"."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy

from openiop.admissions import pipeline
from openiop.admissions.models import Inquiry
from openiop.core.ascii_digits import digits_of
from openiop.patients import services as patient_services
from openiop.patients.models import Patient
from openiop.patients.services import PHONE_MATCH_DIGITS

# Labels for the fields a possible duplicate matched on, in the order shown.
MATCH_FIELDS = {
    "name": gettext_lazy("name"),
    "birth_date": gettext_lazy("date of birth"),
    "phone": gettext_lazy("phone"),
    "email": gettext_lazy("email"),
}


@dataclass
class Match:
    """One possible duplicate (a ``Patient`` or an ``Inquiry``) and the fields
    it shares with the person being checked."""

    record: Any
    fields: list[str]

    @property
    def field_labels(self) -> list[str]:
        return [str(MATCH_FIELDS[name]) for name in self.fields]


@dataclass
class Duplicates:
    patients: list[Match] = field(default_factory=list)
    inquiries: list[Match] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.patients or self.inquiries)


def phones_match(typed: str, stored: str) -> bool:
    """Two numbers are the same line when their last 10 digits agree, or,
    when either was written without its area code, their last 7."""
    first, second = digits_of(typed), digits_of(stored)
    if min(len(first), len(second)) < PHONE_MATCH_DIGITS:
        return False
    width = 10 if min(len(first), len(second)) >= 10 else PHONE_MATCH_DIGITS
    return first[-width:] == second[-width:]


def _matched_fields(
    *, first: str, last: str, birth_date: dt.date | None, phone: str, email: str, their: tuple[Any, ...]
) -> list[str]:
    their_first, their_last, their_birth, their_phone, their_email = their
    found = []
    if first and last and first.lower() == their_first.strip().lower() and last.lower() == their_last.strip().lower():
        found.append("name")
    if birth_date is not None and birth_date == their_birth:
        found.append("birth_date")
    if phone and their_phone and phones_match(phone, their_phone):
        found.append("phone")
    if email and their_email and email.lower() == their_email.strip().lower():
        found.append("email")
    return found


def _is_a_match(fields: list[str]) -> bool:
    # The same phone or email, or the same name and date of birth; a shared
    # name alone (or a birthday alone) is too common to stop anyone.
    return "phone" in fields or "email" in fields or {"name", "birth_date"} <= set(fields)


def possible_duplicates(
    *,
    phone: str = "",
    first_name: str = "",
    last_name: str = "",
    birth_date: dt.date | None = None,
    email: str = "",
    exclude_pk: int | None = None,
) -> Duplicates:
    """Registered patients and open inquiries with the same phone number or
    email, or the same name and date of birth, each with the fields it
    matched on.

    Unrestricted by site, like the patients' check it reuses: a second inquiry
    for someone another site is already working with is the mistake this
    prevents. Views show only the site of a match the user may not open.
    """
    first, last, email = first_name.strip(), last_name.strip(), email.strip()
    candidates = patient_services.possible_duplicates(
        phone=phone, first_name=first, last_name=last, birth_date=birth_date
    )
    if email:
        known = {patient.pk for patient in candidates}
        candidates += [
            patient
            for patient in Patient.objects.filter(email__iexact=email).select_related("site")[:10]
            if patient.pk not in known
        ]
    patients = []
    for patient in candidates:
        matched = _matched_fields(
            first=first, last=last, birth_date=birth_date, phone=phone, email=email,
            their=(patient.legal_first_name, patient.legal_last_name, patient.birth_date, patient.phone, patient.email),
        )  # fmt: skip
        if _is_a_match(matched):
            patients.append(Match(patient, matched))
    digits = digits_of(phone)
    query = Q()
    if len(digits) >= PHONE_MATCH_DIGITS:
        query |= Q(phone_digits__endswith=digits[-PHONE_MATCH_DIGITS:])
    if first and last and birth_date:
        query |= Q(first_name__iexact=first, last_name__iexact=last, birth_date=birth_date)
    if email:
        query |= Q(email__iexact=email)
    inquiries: list[Match] = []
    if query:
        queryset = Inquiry.objects.filter(query, stage__in=pipeline.OPEN_STAGES).select_related("site")
        if exclude_pk is not None:
            queryset = queryset.exclude(pk=exclude_pk)
        for inquiry in queryset.order_by("-created_at")[:10]:
            matched = _matched_fields(
                first=first, last=last, birth_date=birth_date, phone=phone, email=email,
                their=(inquiry.first_name, inquiry.last_name, inquiry.birth_date, inquiry.phone, inquiry.email),
            )  # fmt: skip
            if _is_a_match(matched):
                inquiries.append(Match(inquiry, matched))
    return Duplicates(patients=patients, inquiries=inquiries)
