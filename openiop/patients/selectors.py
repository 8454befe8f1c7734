# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Value, When

from openiop.core.access import has_action
from openiop.patients import allergies
from openiop.patients.models import Allergy, CareTeamMember, Episode, LevelOfCareChange, Patient
from openiop.patients.permissions import ALLERGY_VIEW, PATIENT_VIEW
from openiop.patients.services import possible_duplicates
from openiop.sites.models import Site


def patient_list(*, user: Any, search: str = "") -> QuerySet[Patient]:
    """Patients the user may see; those whose active care team includes the
    user come first."""
    on_my_team = CareTeamMember.objects.filter(
        episode__patient=OuterRef("pk"), episode__status=Episode.Status.ACTIVE, user=user.pk
    )
    queryset = (
        Patient.objects.restrict(user, PATIENT_VIEW)
        .select_related("site")
        .annotate(
            on_my_team=Exists(on_my_team),
            team_first=Case(When(Exists(on_my_team), then=Value(0)), default=Value(1), output_field=IntegerField()),
        )
    )
    search = search.strip()
    if search:
        terms = Q()
        for word in search.split():
            terms &= (
                Q(legal_first_name__icontains=word)
                | Q(legal_last_name__icontains=word)
                | Q(preferred_name__icontains=word)
                | Q(mrn__iexact=word)
            )
        queryset = queryset.filter(terms)
    return queryset.order_by("team_first", "legal_last_name", "legal_first_name", "pk")


def patient_chart_queryset() -> QuerySet[Patient]:
    """Unrestricted on purpose: views pass it to get_restricted_or_404."""
    return Patient.objects.select_related("site", "organization").prefetch_related(
        "emergency_contacts",
        "support_people",
        Prefetch(
            "episodes",
            queryset=Episode.objects.select_related(
                "site", "primary_counsellor", "continuing_care", "continuing_care__recorded_by"
            )
            .prefetch_related(Prefetch("care_team_members", queryset=CareTeamMember.objects.select_related("user")))
            .prefetch_related(
                Prefetch("level_changes", queryset=LevelOfCareChange.objects.select_related("decided_by"))
            ),
        ),
    )


@dataclass(frozen=True)
class DuplicateCheck:
    """What registration may show of the people who look like the one being
    registered. A match the user may open is shown in full; a match they may
    not open is only a site to ask (never a name, MRN or date of birth), so
    the check cannot be used to look people up at sites the user has no
    access to."""

    openable: list[Patient] = field(default_factory=list)
    ask_sites: list[Site] = field(default_factory=list)
    hidden_count: int = 0

    @property
    def found(self) -> bool:
        return bool(self.openable or self.ask_sites)


def duplicate_check(
    *, user: Any, phone: str = "", first_name: str = "", last_name: str = "", birth_date: dt.date | None = None
) -> DuplicateCheck:
    """Possible duplicates of a person about to be registered, split into
    what USER may open and, for the rest, the sites to ask."""
    matches = possible_duplicates(phone=phone, first_name=first_name, last_name=last_name, birth_date=birth_date)
    if not matches:
        return DuplicateCheck()
    openable_ids = set(
        Patient.objects.restrict(user, PATIENT_VIEW).filter(pk__in=[p.pk for p in matches]).values_list("pk", flat=True)
    )
    hidden = [match for match in matches if match.pk not in openable_ids]
    sites = {match.site_id: match.site for match in hidden}
    return DuplicateCheck(
        openable=[match for match in matches if match.pk in openable_ids],
        ask_sites=sorted(sites.values(), key=lambda site: site.name),
        hidden_count=len(hidden),
    )


# --- Allergies ------------------------------------------------------------------------------------------------------


def patient_allergies(*, user: Any, patient: Patient) -> QuerySet[Allergy]:
    """Every entry of the patient's allergy list the user may see, entries
    entered in error included (the page shows them struck through)."""
    return (
        Allergy.objects.restrict(user, ALLERGY_VIEW)
        .filter(patient=patient)
        .select_related("noted_by", "entered_in_error_by")
    )


def allergies_for_banner(patient: Patient, *, user: Any) -> allergies.AllergyBanner | None:
    """The patient's allergies in one line for the chart banner: listed (most
    severe first), "no known allergies", or "not recorded". None when the
    user may not see allergies (the banner then says nothing about them).

    One query. It logs no read of its own: the page showing the banner has
    already logged reading the patient."""
    rows = patient_allergies(user=user, patient=patient)
    if not has_action(user, ALLERGY_VIEW):
        return None
    return allergies.summarize(
        allergies.Entry(
            substance=row.substance,
            reaction=row.reaction,
            severity=row.severity,
            severity_label=str(row.get_severity_display()),
            no_known_allergies=row.no_known_allergies,
            noted_at=row.noted_at,
            entered_in_error=row.entered_in_error_at is not None,
        )
        for row in rows.only(
            "patient_id", "substance", "reaction", "severity", "no_known_allergies", "noted_at", "entered_in_error_at"
        ).select_related(None)
    )
