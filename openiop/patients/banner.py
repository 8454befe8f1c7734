# SPDX-License-Identifier: AGPL-3.0-or-later
"""The patient banner at the top of every chart page: who the patient is, where
they are in treatment, and what nobody should miss (allergies, safety alerts).

The patients app supplies the facts it owns; the apps above it (assessments,
medications, diagnoses, insurance, privacy) add theirs through
``chart.register_banner_item``. Every part reads through the access path and
costs a fixed number of queries, whatever the number of allergies, alerts or
consents; none logs a read, since each page showing the banner has logged
reading the patient or a record of theirs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch
from django.utils import timezone

from openiop.core.access import allowed_actions
from openiop.patients import chart, selectors
from openiop.patients.models import CareTeamMember, Episode, age_in_years
from openiop.patients.permissions import PATIENT_VIEW

if TYPE_CHECKING:
    import datetime as dt

    from django.http import HttpRequest

    from openiop.patients.models import Patient


@dataclass(frozen=True)
class EpisodeSummary:
    level_of_care: str
    site: Any
    admission_date: dt.date
    day_in_episode: int  # the admission day is day 1
    care_team: tuple[str, ...]


def day_in_episode(admission_date: dt.date, today: dt.date) -> int:
    return max((today - admission_date).days + 1, 1)


def active_episode_summary(user: Any, patient: Patient, today: dt.date) -> EpisodeSummary | None:
    """The active episode the user may see, with its care team (two queries)."""
    team = Prefetch("care_team_members", queryset=CareTeamMember.objects.select_related("user").order_by("pk"))
    episode = (
        Episode.objects.restrict(user, PATIENT_VIEW)
        .filter(patient=patient, status=Episode.Status.ACTIVE)
        .select_related("site")
        .prefetch_related(team)
        .order_by("-admission_date", "-pk")
        .first()
    )
    if episode is None:
        return None
    return EpisodeSummary(
        level_of_care=str(episode.get_level_of_care_display()),
        site=episode.site,
        admission_date=episode.admission_date,
        day_in_episode=day_in_episode(episode.admission_date, today),
        care_team=tuple(str(member) for member in episode.care_team_members.all()),
    )


def patient_banner(request: HttpRequest, patient: Patient) -> dict[str, Any]:
    """Everything the banner shows for PATIENT to the user of REQUEST."""
    user = request.user
    today = timezone.localdate()
    actions = allowed_actions(user)
    items = chart.banner_items(request, patient, actions)
    return {
        "patient": patient,
        "age": age_in_years(patient.birth_date, today),
        "episode": active_episode_summary(user, patient, today),
        "allergies": selectors.allergies_for_banner(patient, user=user),
        # Alerts and allergies stay in view on a phone; the rest folds under "More".
        "urgent_items": [item for item in items if item.key in URGENT_ITEMS],
        "items": [item for item in items if item.key not in URGENT_ITEMS],
    }


URGENT_ITEMS = frozenset({"safety_alerts"})
