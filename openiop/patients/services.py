# SPDX-License-Identifier: AGPL-3.0-or-later
"""Writes for patients and episodes. Admit, change of level and discharge are
clinical actions and are audited by name, beyond the generic record events."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Replace
from django.utils.translation import gettext as _

from openiop.accounts.models import User
from openiop.audit.services import log_action
from openiop.patients.models import CareTeamMember, Episode, LevelOfCare, MrnCounter, Patient
from openiop.sites.models import Organization, Site

PATIENT_FIELDS = (
    "legal_first_name",
    "legal_last_name",
    "preferred_name",
    "birth_date",
    "sex_at_birth",
    "gender_identity",
    "pronouns",
    "language",
    "phone",
    "email",
    "street",
    "city",
    "state",
    "zip_code",
)

# Characters people type between the digits of a phone number.
_PHONE_SEPARATORS = ("-", " ", "(", ")", ".", "+", "/")
PHONE_MATCH_DIGITS = 7


class StaleEditError(ValidationError):
    """Someone else saved the record after this edit began."""


@transaction.atomic
def next_mrn(organization: Organization) -> str:
    """The organization's next medical record number, e.g. OI-000123.

    The counter row is locked for the rest of the transaction, so two
    registrations never receive the same number.
    """
    MrnCounter.objects.get_or_create(organization=organization)
    counter = MrnCounter.objects.select_for_update().get(organization=organization)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"{organization.mrn_prefix}-{counter.last_number:06d}"


@transaction.atomic
def patient_register(*, site: Site, **fields: Any) -> Patient:
    unknown = set(fields) - set(PATIENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown patient fields: {sorted(unknown)}")
    patient = Patient(organization=site.organization, site=site, **fields)
    patient.mrn = "pending"
    patient.full_clean(exclude=["mrn"])
    patient.mrn = next_mrn(site.organization)
    patient.save()
    return patient


@transaction.atomic
def patient_update(*, patient: Patient, expected_version: int, **fields: Any) -> Patient:
    """Change demographics, refusing an edit that started from an old version."""
    unknown = set(fields) - set(PATIENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown patient fields: {sorted(unknown)}")
    current = Patient.objects.select_for_update().get(pk=patient.pk)
    if current.version != expected_version:
        raise StaleEditError(
            _(
                "Someone else changed this record while you were editing. "
                "Your changes were not saved; reload to see theirs."
            )
        )
    for name, value in fields.items():
        setattr(current, name, value)
    current.version += 1
    current.full_clean(exclude=["mrn"])
    current.save()
    return current


def possible_duplicates(
    *, phone: str = "", first_name: str = "", last_name: str = "", birth_date: dt.date | None = None
) -> list[Patient]:
    """Patients with the same phone number, or the same name and date of birth.

    Deliberately unrestricted by site: registering a second chart for a person
    another site already treats is the mistake this check exists to prevent.
    Callers show only the MRN and site of a match outside the user's sites.
    """
    query = Q()
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) >= PHONE_MATCH_DIGITS:
        # Phones are stored as typed ("(617) 555-0142"), so compare digits
        # only, in the database, on both SQLite and PostgreSQL.
        query |= Q(phone_digits__endswith=digits[-PHONE_MATCH_DIGITS:])
    if first_name and last_name and birth_date:
        query |= Q(
            legal_first_name__iexact=first_name.strip(),
            legal_last_name__iexact=last_name.strip(),
            birth_date=birth_date,
        )
    if not query:
        return []
    return list(
        Patient.objects.annotate(phone_digits=_digits_only(F("phone"))).filter(query).select_related("site")[:10]
    )


def _digits_only(expression: Any) -> Any:
    for separator in _PHONE_SEPARATORS:
        expression = Replace(expression, Value(separator), Value(""))
    return expression


@transaction.atomic
def episode_admit(
    *,
    actor: User | None,
    patient: Patient,
    site: Site,
    admission_date: dt.date,
    level_of_care: str = LevelOfCare.IOP,
    program: str = Episode.Program.ADULT_IOP,
    primary_counsellor: User | None = None,
) -> Episode:
    """Open an episode of care (audited as "episode.admit"; with no ACTOR, as
    in background jobs, the audit context's actor is recorded).

    The patient row is locked first so two people admitting the same person at
    once cannot both pass the one-active-episode check.
    """
    list(Patient.objects.select_for_update().filter(pk=patient.pk).values_list("pk", flat=True))
    if Episode.objects.filter(patient=patient, status=Episode.Status.ACTIVE).exists():
        raise ValidationError(_("This person already has an active episode; discharge it before admitting again."))
    episode = Episode(
        patient=patient,
        site=site,
        admission_date=admission_date,
        level_of_care=level_of_care,
        program=program,
        primary_counsellor=primary_counsellor,
    )
    episode.full_clean()
    episode.save()
    if primary_counsellor is not None:
        CareTeamMember.objects.create(episode=episode, user=primary_counsellor, role_label=_("Primary counsellor"))
    log_action("episode.admit", obj=episode, actor=actor, data={"level_of_care": level_of_care, "program": program})
    return episode


@transaction.atomic
def care_team_add(*, actor: User, episode: Episode, user: User, role_label: str = "") -> CareTeamMember:
    if not user.sites.filter(pk=episode.site_id).exists():
        raise ValidationError(_("%(user)s does not work at %(site)s.") % {"user": user, "site": episode.site})
    member, _created = CareTeamMember.objects.get_or_create(
        episode=episode, user=user, defaults={"role_label": role_label}
    )
    return member
