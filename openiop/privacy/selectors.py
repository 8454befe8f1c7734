# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reads for privacy: a patient's consents and their state, the privacy
officer's dashboard, the accounting of disclosures and the access report.

Lists start from ``restrict`` (what the user may see). A consent's state is
computed by the gate's own rules, so the page and the gate never disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from openiop.audit.models import AuditEvent
from openiop.core.access import has_action
from openiop.patients.models import Episode, Patient
from openiop.privacy.information import ConsentKind, ExpiryKind
from openiop.privacy.models import (
    AccountingRequest,
    Consent,
    Disclosure,
    EmergencyAccess,
    NoticeAcknowledgement,
    ReleaseRequest,
    RestrictionRequest,
)
from openiop.privacy.permissions import (
    BREAK_GLASS,
    CONSENTS_RECORD,
    CONSENTS_REVOKE,
    CONSENTS_VIEW,
    DISCLOSURES_RECORD,
    PRIVACY_ACCOUNTING,
    PRIVACY_FLAGS,
    PRIVACY_OVERSEE,
    RESTRICTIONS_DECIDE,
    RESTRICTIONS_RECORD,
)
from openiop.privacy.services import ACCOUNTING_YEARS, treatment_ended_on

if TYPE_CHECKING:
    from django.http import HttpRequest

EXPIRY_WARNING_DAYS = 14


@dataclass(frozen=True)
class ConsentRow:
    consent: Consent
    state: str  # "active", "revoked", "expired", "not_signed_yet"
    last_valid_day: dt.date | None


def consent_rows(consents: list[Consent], patient: Patient, today: dt.date | None = None) -> list[ConsentRow]:
    ended = treatment_ended_on(patient)
    day = today or timezone.localdate()
    rows = []
    for consent in consents:
        terms = consent.terms(treatment_ended_on=ended)
        rows.append(ConsentRow(consent, terms.state(day), terms.last_valid_day()))
    return rows


def patient_privacy(user: Any, patient: Patient) -> dict[str, Any]:
    """Everything the consents tab and the patient's privacy page show."""
    consents = list(
        Consent.objects.restrict(user, CONSENTS_VIEW).filter(patient=patient).select_related("revocation_recorded_by")
    )
    rows = consent_rows(consents, patient)
    return {
        "active": [row for row in rows if row.state == "active"],
        "inactive": [row for row in rows if row.state != "active"],
        "restrictions": list(
            RestrictionRequest.objects.restrict(user, CONSENTS_VIEW)
            .filter(patient=patient)
            .select_related("decided_by")
        ),
        "disclosures": list(
            Disclosure.objects.restrict(user, CONSENTS_VIEW)
            .filter(patient=patient)
            .select_related("consent", "disclosed_by")[:20]
        ),
        "emergency_accesses": list(
            EmergencyAccess.objects.restrict(user, CONSENTS_VIEW)
            .filter(patient=patient)
            .select_related("user", "reviewed_by")[:10]
        ),
        "has_active_tpo": any(row.consent.kind == ConsentKind.TPO for row in rows if row.state == "active"),
        "can_record": has_action(user, CONSENTS_RECORD),
        "can_revoke": has_action(user, CONSENTS_REVOKE),
        "can_request": has_action(user, RESTRICTIONS_RECORD),
        "can_decide": has_action(user, RESTRICTIONS_DECIDE),
        "can_account": has_action(user, PRIVACY_ACCOUNTING),
        "can_disclose": has_action(user, DISCLOSURES_RECORD),
        "kinds": ConsentKind.choices,
        "notices": list(NoticeAcknowledgement.objects.restrict(user, CONSENTS_VIEW).filter(patient=patient)[:5]),
        "releases": patient_releases(user, patient) if has_action(user, DISCLOSURES_RECORD) else [],
    }


# --- The privacy officer's dashboard -----------------------------------------


def expiring_consents(user: Any, *, today: dt.date | None = None, days: int = EXPIRY_WARNING_DAYS) -> list[Consent]:
    """Consents at the user's sites that expire by date in the next DAYS days
    and are not revoked: the privacy officer asks for a renewal in time."""
    day = today or timezone.localdate()
    return list(
        Consent.objects.not_revoked_on(day)
        .restrict(user, PRIVACY_OVERSEE)
        .filter(expiry_kind=ExpiryKind.DATE, expires_on__gte=day, expires_on__lte=day + dt.timedelta(days=days))
        .select_related("patient")
        .order_by("expires_on", "pk")
    )


def _current_tpo_consents(day: dt.date) -> QuerySet[Consent]:
    """The outer patient's signed, unrevoked TPO consents in force on DAY (for ``Exists``)."""
    return (
        Consent.objects.filter(patient=OuterRef("pk"), kind=ConsentKind.TPO, signed_on__lte=day)
        .not_revoked_on(day)
        .exclude(expiry_kind=ExpiryKind.DATE, expires_on__lt=day)
    )


def patients_without_tpo_consent(
    user: Any, *, today: dt.date | None = None, action: str = PRIVACY_OVERSEE
) -> QuerySet[Patient]:
    """Patients in treatment at the user's sites with no signed, unrevoked TPO
    consent (a dated one not yet expired, or one without a date)."""
    day = today or timezone.localdate()
    current_tpo = _current_tpo_consents(day)
    in_treatment = Episode.objects.filter(patient=OuterRef("pk"), status=Episode.Status.ACTIVE)
    return (
        Patient.objects.restrict(user, action)
        .filter(Exists(in_treatment))
        .exclude(Exists(current_tpo))
        .order_by("legal_last_name", "legal_first_name")
    )


def patients_without_notice(user: Any, *, action: str = PRIVACY_OVERSEE) -> QuerySet[Patient]:
    """Patients in treatment at the user's sites never given the notice of
    42 CFR 2.22 (a refusal to acknowledge still records the notice as given)."""
    given = NoticeAcknowledgement.objects.filter(patient=OuterRef("pk"))
    in_treatment = Episode.objects.filter(patient=OuterRef("pk"), status=Episode.Status.ACTIVE)
    return (
        Patient.objects.restrict(user, action)
        .filter(Exists(in_treatment))
        .exclude(Exists(given))
        .order_by("legal_last_name", "legal_first_name")
    )


def patient_flags(patient: Patient, *, today: dt.date | None = None) -> dict[str, bool]:
    """For the chart: is the patient in treatment without the notice or an
    active TPO consent?"""
    day = today or timezone.localdate()
    in_treatment = Episode.objects.filter(patient=patient, status=Episode.Status.ACTIVE).exists()
    if not in_treatment:
        return {"no_notice": False, "no_tpo": False}
    consents = Consent.objects.filter(patient=patient, kind=ConsentKind.TPO)
    ended = treatment_ended_on(patient)
    active_tpo = any(consent.terms(treatment_ended_on=ended).state(day) == "active" for consent in consents)
    return {
        "no_notice": not NoticeAcknowledgement.objects.filter(patient=patient).exists(),
        "no_tpo": not active_tpo,
    }


def chart_flags_panel(request: HttpRequest, patient: Patient) -> dict[str, Any] | None:
    flags = patient_flags(patient)
    if not any(flags.values()):
        return None
    return {**flags, "patient": patient, "can_record": has_action(request.user, CONSENTS_RECORD)}


def flags_section(request: HttpRequest) -> dict[str, Any] | None:
    """The clinical director's dashboard block (the privacy officer's own
    block already lists the same patients)."""
    user = request.user
    if has_action(user, PRIVACY_OVERSEE):
        return None
    counts = flag_counts(user, action=PRIVACY_FLAGS)
    if not counts["missing_tpo"] and not counts["missing_notice"]:
        return None
    return {
        "missing_tpo_count": counts["missing_tpo"],
        "missing_tpo": list(patients_without_tpo_consent(user, action=PRIVACY_FLAGS)[:5]),
        "missing_notice_count": counts["missing_notice"],
        "missing_notice": list(patients_without_notice(user, action=PRIVACY_FLAGS)[:5]),
    }


def flag_counts(user: Any, *, action: str, today: dt.date | None = None) -> dict[str, int]:
    """How many patients ``patients_without_tpo_consent`` and
    ``patients_without_notice`` list, counted together in one query: the
    patients in treatment the user may see (a subquery of their keys, so the
    scope rule's join needs no DISTINCT over whole rows), each kind of gap a
    filtered count."""
    day = today or timezone.localdate()
    current_tpo = _current_tpo_consents(day)
    given = NoticeAcknowledgement.objects.filter(patient=OuterRef("pk"))
    in_treatment = Episode.objects.filter(patient=OuterRef("pk"), status=Episode.Status.ACTIVE)
    visible = Patient.objects.restrict(user, action).order_by().values("pk")
    counts = (
        Patient.objects.filter(pk__in=visible)
        .filter(Exists(in_treatment))
        .aggregate(
            missing_tpo=Count("pk", filter=~Exists(current_tpo)),
            missing_notice=Count("pk", filter=~Exists(given)),
        )
    )
    return {key: int(value or 0) for key, value in counts.items()}


def patient_releases(user: Any, patient: Patient) -> list[ReleaseRequest]:
    return list(
        ReleaseRequest.objects.restrict(user, DISCLOSURES_RECORD).filter(patient=patient).order_by("-received_on")[:20]
    )


def officer_overview(user: Any, *, limit: int | None = 10) -> dict[str, Any]:
    today = timezone.localdate()
    month_start = today.replace(day=1)
    disclosures = Disclosure.objects.restrict(user, PRIVACY_OVERSEE).filter(disclosed_at__date__gte=month_start)
    missing = patients_without_tpo_consent(user, today=today)
    without_notice = patients_without_notice(user)

    def cut(queryset: Any) -> list[Any]:
        return list(queryset[:limit] if limit else queryset)

    return {
        "pending_restrictions": cut(
            RestrictionRequest.objects.restrict(user, PRIVACY_OVERSEE)
            .filter(status=RestrictionRequest.Status.PENDING)
            .select_related("patient")
            .order_by("requested_on")
        ),
        "open_accountings": cut(
            AccountingRequest.objects.restrict(user, PRIVACY_OVERSEE)
            .filter(provided_on__isnull=True)
            .select_related("patient")
            .order_by("due_on")
        ),
        "disclosures_this_month": disclosures.count(),
        "recent_disclosures": cut(disclosures.select_related("patient", "consent", "disclosed_by")),
        "revocations_this_month": cut(
            Consent.objects.restrict(user, PRIVACY_OVERSEE)
            .filter(revoked_on__gte=month_start)
            .select_related("patient")
            .order_by("-revoked_on")
        ),
        "unreviewed_emergency": cut(
            EmergencyAccess.objects.restrict(user, PRIVACY_OVERSEE)
            .filter(reviewed_at__isnull=True)
            .select_related("patient", "user")
        ),
        "expiring": expiring_consents(user, today=today),
        "missing_tpo_count": missing.count(),
        "missing_tpo": cut(missing),
        "missing_notice_count": without_notice.count(),
        "missing_notice": cut(without_notice),
        "open_releases": cut(
            ReleaseRequest.objects.restrict(user, PRIVACY_OVERSEE)
            .filter(status=ReleaseRequest.Status.OPEN)
            .select_related("patient")
            .order_by("due_on")
        ),
        "today": today,
    }


def find_patients(user: Any, search: str, *, limit: int = 25) -> list[Patient]:
    """Patients at the user's sites by exact record number or last name."""
    return list(
        Patient.objects.restrict(user, PRIVACY_OVERSEE)
        .filter(Q(mrn__iexact=search) | Q(legal_last_name__istartswith=search))
        .order_by("legal_last_name", "legal_first_name", "pk")[:limit]
    )


def officer_section(request: HttpRequest) -> dict[str, Any] | None:
    """The dashboard's privacy block, or None when nothing waits or happened."""
    context = officer_overview(request.user, limit=5)
    quiet = not any(value for key, value in context.items() if key != "today")
    return None if quiet else context


# --- Accounting of disclosures and the access report -------------------------


def accounting_disclosures(patient: Patient, requested_on: dt.date) -> list[Disclosure]:
    """Disclosures made with consent in the 3 years before the request
    (42 CFR 2.25; TPO disclosures included, all being made through this
    system), oldest first. Read for the patient, not limited by who asks."""
    try:
        since = requested_on.replace(year=requested_on.year - ACCOUNTING_YEARS)
    except ValueError:  # 29 February
        since = requested_on.replace(year=requested_on.year - ACCOUNTING_YEARS, day=28)
    return list(
        Disclosure.objects.filter(
            patient=patient,
            consent__isnull=False,
            disclosed_at__date__gte=since,
            disclosed_at__date__lte=requested_on,
        )
        .select_related("consent")
        .order_by("disclosed_at", "pk")
    )


def access_events(patient: Patient) -> QuerySet[AuditEvent]:
    """Who on staff read or changed this patient's record, and when (the audit
    log's patient column), newest first."""
    events = AuditEvent.objects.filter(patient_id=str(patient.pk)).exclude(actor__isnull=True)
    return events.order_by("-occurred_at", "-id")


def patient_language(patient: Patient) -> str:
    """The patient's preferred language as a site language code ("es"/"en")."""
    spoken = (patient.language or "").strip().casefold()
    return "es" if spoken in {"es", "spanish", "español", "espanol", "castellano"} else "en"


def break_glass_allowed(user: Any) -> bool:
    return has_action(user, BREAK_GLASS)


def notice_step_after_admission(user: Any, patient: Patient) -> str:
    """The admit page's next step (registered in privacy's apps.py): 42 CFR
    2.22, the privacy notice is given at admission, so offer it next."""
    from django.utils.translation import gettext as _

    if not notice_prompt_after_admission(user, patient):
        return ""
    return _("Next: give the patient the notice of privacy practices (tab Consents and privacy).")


def notice_prompt_after_admission(user: Any, patient: Patient) -> str:
    """Where the admission flow goes next: the notice page, when the patient
    was never given the notice and the user may record it; else ""."""
    from django.urls import reverse

    if not has_action(user, CONSENTS_RECORD) or NoticeAcknowledgement.objects.filter(patient=patient).exists():
        return ""
    return reverse("privacy:notice", args=[patient.pk])
