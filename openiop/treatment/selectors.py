# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reads for plans and notes. Functions that take a user return only what
that user may see; the others take records already loaded through the access
path."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    DateField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from openiop.patients.models import CareTeamMember, Episode, Patient
from openiop.scheduling import hours as hours_engine
from openiop.treatment import plan_diff, rules
from openiop.treatment.models import (
    CounselingNote,
    GroupSession,
    HoursBand,
    Note,
    NoteStatus,
    Objective,
    PlanVersion,
    Population,
    TreatmentPlan,
)
from openiop.treatment.permissions import (
    PLAN_WRITE,
    SUD_NOTES_SUPERVISE,
    SUD_NOTES_WRITE,
    TREATMENT_COSIGN,
    TREATMENT_VIEW,
)

# --- Hours ----------------------------------------------------------------------

BandTable = dict[tuple[str, str], hours_engine.HoursBand]


@dataclass(frozen=True)
class HoursCheck:
    hours: Decimal
    band: hours_engine.HoursBand | None
    position: str  # hours_engine.BELOW / WITHIN / ABOVE, or "" without a band
    level_of_care: str
    population: str

    @property
    def below(self) -> bool:
        return self.position == hours_engine.BELOW

    @property
    def above(self) -> bool:
        return self.position == hours_engine.ABOVE

    @property
    def outside(self) -> bool:
        return self.below or self.above


def population(episode: Episode) -> str:
    """Which bands apply: the adolescent program's, or the adult ones."""
    return Population.ADOLESCENT if episode.program == Episode.Program.ADOLESCENT_IOP else Population.ADULT


def band_table() -> BandTable:
    """Every row of the bands table (one query), for ``band_for`` on many
    episodes at once."""
    return {(row.level_of_care, row.population): row.as_band() for row in HoursBand.objects.all()}


def band_of(level_of_care: str, population: str, table: BandTable | None = None) -> hours_engine.HoursBand | None:
    """The weekly hours band in force for a level of care and population: the
    table's row (CONFIGURABLE by an administrator), else the same list the
    table is seeded from (``hours.DEFAULT_BANDS``), so a deleted or missing
    row never leaves a level without the band it was seeded with; None for a
    level that has neither (residential and inpatient levels). A row with
    both bounds empty is a band with no limit, which is how an administrator
    switches the check off for a level."""
    if table is None:
        row = HoursBand.objects.filter(level_of_care=level_of_care, population=population).first()
        found = row.as_band() if row is not None else None
    else:
        found = table.get((level_of_care, population))
    return found if found is not None else hours_engine.default_band(level_of_care, population)


def band_for(episode: Episode, table: BandTable | None = None) -> hours_engine.HoursBand | None:
    """The band for the episode's level of care and population. Pass TABLE
    (from ``band_table()``) to look up many episodes without a query each."""
    return band_of(episode.level_of_care, population(episode), table)


def hours_check(version: PlanVersion) -> HoursCheck:
    episode = version.plan.episode
    planned = rules.planned_hours_per_week(i.as_rule() for i in version.interventions.all())
    band = band_for(episode)
    return HoursCheck(
        hours=planned,
        band=band,
        position=band.position_of_hours(planned) if band else "",
        level_of_care=episode.get_level_of_care_display(),
        population=population(episode),
    )


# --- Plans ------------------------------------------------------------------------


def version_queryset() -> QuerySet[PlanVersion]:
    """Unrestricted on purpose: views pass it to get_restricted_or_404."""
    return PlanVersion.objects.select_related(
        "plan__episode__patient", "plan__episode__site", "signed_by", "cosigned_by", "created_by"
    )


def current_version(plan: TreatmentPlan) -> PlanVersion | None:
    """The signed version in effect (the newest signed one)."""
    return plan.versions.filter(status=PlanVersion.Status.SIGNED).order_by("-number").first()


def draft_version(plan: TreatmentPlan) -> PlanVersion | None:
    return plan.versions.filter(status=PlanVersion.Status.DRAFT).first()


def version_tree(version: PlanVersion) -> list[Any]:
    """Problems with their goals and objectives, ready for a template."""
    return list(version.problems.prefetch_related("goals__objectives", "interventions__responsible"))


def active_objectives(episode: Episode) -> list[Objective]:
    """Active objectives of the episode's plan in effect (none without one)."""
    version = (
        PlanVersion.objects.filter(plan__episode=episode, status=PlanVersion.Status.SIGNED).order_by("-number").first()
    )
    if version is None:
        return []
    return list(
        Objective.objects.filter(version=version, status=Objective.Status.ACTIVE)
        .select_related("goal")
        .order_by("goal__position", "position", "pk")
    )


def notes_for_lineage(objective: Objective, user: Any) -> list[Note]:
    """Notes that addressed this objective in any version of the plan."""
    return list(
        Note.objects.restrict(user, TREATMENT_VIEW)
        .filter(objective_links__objective__lineage=objective.lineage, episode=objective.version.plan.episode_id)
        .select_related("author")
        .order_by("-session_date", "-start_time")
    )


def objective_note_map(version: PlanVersion, user: Any) -> dict[Any, list[Note]]:
    """lineage -> notes that addressed it, for the plan page (one query)."""
    notes = (
        Note.objects.restrict(user, TREATMENT_VIEW)
        .filter(episode=version.plan.episode_id, objective_links__objective__version__plan=version.plan_id)
        .select_related("author")
        .prefetch_related("objective_links__objective")
        .order_by("-session_date", "-start_time")
        .distinct()
    )
    mapping: dict[Any, list[Note]] = {}
    for note in notes:
        for link in note.objective_links.all():
            mapping.setdefault(link.objective.lineage, []).append(note)
    return mapping


def snapshot(version: PlanVersion) -> list[plan_diff.Entry]:
    """Every item of VERSION as text, for the side-by-side comparison."""
    entries: list[plan_diff.Entry] = []
    for problem in version.problems.all():
        code = f" [{problem.icd10_code}]" if problem.icd10_code else ""
        entries.append(plan_diff.Entry("problems", str(problem.lineage), f"{problem.description}{code}"))
    for goal in version.goals.select_related("problem"):
        words = f' ("{goal.patient_words}")' if goal.patient_words else ""
        entries.append(plan_diff.Entry("goals", str(goal.lineage), f"{goal.statement}{words}"))
    for objective in version.objectives.all():
        entries.append(
            plan_diff.Entry(
                "objectives",
                str(objective.lineage),
                f"{objective.description}; target: {objective.measurable_target}; "
                f"by {objective.target_date:%Y-%m-%d}; {objective.get_status_display()}",
            )
        )
    for intervention in version.interventions.select_related("responsible"):
        entries.append(
            plan_diff.Entry(
                "interventions",
                str(intervention.lineage),
                f"{intervention.get_service_type_display()}: {intervention.sessions_per_week} x "
                f"{intervention.minutes} min/week, {intervention.responsible}"
                + (f" ({intervention.description})" if intervention.description else ""),
            )
        )
    return entries


def compare_versions(old: PlanVersion, new: PlanVersion) -> list[plan_diff.Row]:
    return plan_diff.compare(snapshot(old), snapshot(new))


# --- Dashboard ----------------------------------------------------------------------


@dataclass
class DueItem:
    episode: Episode
    patient: Patient
    state: str  # "no_plan", "draft", "overdue", "due"
    due: dt.date | None = None
    mine: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def plans_due(user: Any, *, within_days: int = 7, limit: int = 25, offset: int = 0) -> tuple[list[DueItem], int]:
    """Active episodes at the user's sites whose plan is missing, unsigned,
    or due for review within WITHIN_DAYS; the user's own caseload first.
    LIMIT rows from OFFSET and the number of all: the selection, the order
    and the count are the database's work (a program has thousands of active
    episodes; only the rows shown are built)."""
    today = timezone.localdate()
    horizon = today + dt.timedelta(days=within_days)
    versions = PlanVersion.objects.filter(plan__episode=OuterRef("pk"))
    latest_signed = versions.filter(status=PlanVersion.Status.SIGNED).order_by("-number")
    on_team = CareTeamMember.objects.filter(episode=OuterRef("pk"), user=user.pk)
    episodes = (
        Episode.objects.restrict(user, PLAN_WRITE)
        .filter(status=Episode.Status.ACTIVE)
        .annotate(
            has_signed=Exists(latest_signed),
            review_due=Subquery(latest_signed.values("review_due")[:1]),
            has_draft=Exists(versions.filter(status=PlanVersion.Status.DRAFT)),
        )
        .filter(Q(has_signed=False) | Q(review_due__lte=horizon))
    )
    total = episodes.count()
    rows = (
        episodes.annotate(
            mine=Case(
                When(Q(primary_counsellor=user.pk) | Exists(on_team), then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
            due=Coalesce(
                Case(When(has_signed=True, then=F("review_due")), default=F("admission_date")),
                Value(today),
                output_field=DateField(),
            ),
        )
        .select_related("patient")
        .order_by("mine", "due", "patient__legal_last_name", "pk")[offset : offset + limit]
    )
    items: list[DueItem] = []
    for episode in rows:
        annotated: Any = episode
        if not annotated.has_signed:
            item = DueItem(episode, episode.patient, "draft" if annotated.has_draft else "no_plan")
            item.due = episode.admission_date
        else:
            due: dt.date = annotated.review_due
            item = DueItem(episode, episode.patient, "overdue" if due < today else "due", due)
            item.extra["draft"] = bool(annotated.has_draft)
        item.mine = annotated.mine == 0
        items.append(item)
    return items, total


def cosign_querysets(user: Any) -> tuple[QuerySet[Note], QuerySet[PlanVersion]]:
    """The notes and plan versions awaiting the user's co-signature, oldest
    signature first. Their filters match the partial indexes
    note_awaiting_cosign and planversion_awaiting_cosign (keep them in step:
    a query that does not imply an index's condition cannot use it)."""
    notes = (
        Note.objects.restrict(user, TREATMENT_COSIGN)
        .filter(status=NoteStatus.SIGNED, cosign_required=True, cosigned_at__isnull=True)
        .exclude(author=user.pk)
        .select_related("patient", "author")
        .order_by("signed_at")
    )
    plans = (
        PlanVersion.objects.restrict(user, TREATMENT_COSIGN)
        .filter(status=PlanVersion.Status.SIGNED, cosign_required=True, cosigned_at__isnull=True)
        .exclude(signed_by=user.pk)
        .select_related("plan__episode__patient", "signed_by")
        .order_by("signed_at")
    )
    return notes, plans


def cosign_queue(user: Any, *, limit: int = 25) -> tuple[list[Note], list[PlanVersion]]:
    notes, plans = cosign_querysets(user)
    return list(notes[:limit]), list(plans[:limit])


# --- Notes --------------------------------------------------------------------------


def note_queryset() -> QuerySet[Note]:
    """Unrestricted on purpose: views pass it to get_restricted_or_404."""
    return Note.objects.select_related(
        "patient", "episode__site", "author", "cosigned_by", "group__facilitator"
    ).prefetch_related("objective_links__objective__goal", "attendee_links__person", "addenda__author", "homework")


def chart_notes(patient: Patient, user: Any) -> list[Note]:
    return list(
        Note.objects.restrict(user, TREATMENT_VIEW)
        .filter(patient=patient)
        .select_related("author", "group", "cosigned_by")
        .prefetch_related("objective_links__objective", "attendee_links__person")
        .order_by("-session_date", "-start_time", "-pk")[:200]
    )


def group_queryset() -> QuerySet[GroupSession]:
    return GroupSession.objects.select_related("site", "facilitator", "created_by")


# --- SUD counseling notes -------------------------------------------------------------


def counseling_note_scope(queryset: QuerySet[Any], user: Any, action: str) -> QuerySet[Any]:
    """Scope rule: the author reads their own (with the write action), the
    author's clinical supervisor theirs (with the supervise action); no other
    action reaches a counseling note at all, emergency access included."""
    if action == SUD_NOTES_WRITE:
        return queryset.filter(author=user.pk)
    if action == SUD_NOTES_SUPERVISE:
        return queryset.filter(author__clinical_supervisor=user.pk)
    return queryset.none()


def counseling_note_queryset() -> QuerySet[CounselingNote]:
    """Unrestricted on purpose: views pass it to get_restricted_or_404."""
    return CounselingNote.objects.select_related("patient", "episode__site", "author")


@dataclass(frozen=True)
class CounselingNotesSummary:
    """What the chart says about a patient's counseling notes: how many exist
    (to anyone who reads the notes tab) and the ones this user may open."""

    count: int
    own: list[CounselingNote]
    supervised: list[CounselingNote]


def counseling_notes_summary(patient: Patient, user: Any) -> CounselingNotesSummary:
    base = CounselingNote.objects.filter(patient=patient).select_related("author").order_by("-session_date", "-pk")
    return CounselingNotesSummary(
        count=CounselingNote.objects.filter(patient=patient).count(),
        own=list(base.restrict(user, SUD_NOTES_WRITE)),
        supervised=list(base.restrict(user, SUD_NOTES_SUPERVISE).exclude(author=user.pk)),
    )
