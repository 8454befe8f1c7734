# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from typing import Any

from django.db.models import Case, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Value, When

from openiop.patients.models import CareTeamMember, Episode, LevelOfCareChange, Patient
from openiop.patients.permissions import PATIENT_VIEW


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
