# SPDX-License-Identifier: AGPL-3.0-or-later
"""Treatment plans: one plan per episode, kept as numbered versions.

A version is written as a draft, then signed (clinician signature, the
patient's acknowledgement, a supervisor's co-signature where the clinician
needs one) and locked for good. Revising copies it into a new draft; when that
is signed the older one is marked revised. Items carry a lineage key that the
copy keeps, so versions compare item by item and notes that addressed an
objective stay linked to it across revisions.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from openiop.core.access import RestrictedQuerySet
from openiop.patients.models import Episode, LevelOfCare
from openiop.scheduling import hours
from openiop.treatment import rules
from openiop.treatment.models.locking import LockedParentQuerySet, LockedRecordError, refuse_locked_changes


def validate_icd10(value: str) -> None:
    if value and not rules.is_icd10_cm(value):
        raise ValidationError(
            _("%(code)s is not an ICD-10-CM code. Codes look like F10.20 or F11.20: a letter, two characters, "
              "then optionally a dot and up to four more."),
            params={"code": value},
        )  # fmt: skip


class Population(models.TextChoices):
    ADULT = hours.ADULT, _("Adult")
    ADOLESCENT = hours.ADOLESCENT, _("Adolescent")


class HoursBand(models.Model):
    """Hours per week a level of care expects, per population: the one table
    of bands, seeded from ``hours.DEFAULT_BANDS`` by data migrations (an
    administrator may change a row; a level without a row falls back to that
    list, see ``treatment.selectors.band_for``)."""

    level_of_care = models.CharField(max_length=4, choices=LevelOfCare.choices)
    population = models.CharField(max_length=12, choices=Population.choices)
    min_hours = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    max_hours = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    max_exclusive = models.BooleanField(
        _("maximum excluded"),
        default=False,
        help_text=_("Ticked: the band ends just under the maximum (level 1 is under 9 hours a week)."),
    )
    rule = models.CharField(max_length=200, help_text=_("Where the numbers come from, shown beside the warning."))

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["level_of_care", "population"], name="one_band_per_level")]

    def __str__(self) -> str:
        return f"{self.level_of_care} {self.population}: {self.as_band().describe()}"

    def as_band(self) -> hours.HoursBand:
        return hours.HoursBand(
            level=self.level_of_care,
            population=self.population,
            min_hours=self.min_hours,
            max_hours=self.max_hours,
            rule=self.rule,
            max_exclusive=self.max_exclusive,
        )


class TreatmentPlan(models.Model):
    episode = models.OneToOneField(Episode, on_delete=models.PROTECT, related_name="treatment_plan")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = RestrictedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Treatment plan, episode {self.episode_id}"

    @property
    def audit_patient_id(self) -> int:
        return self.episode.patient_id

    @property
    def audit_site_id(self) -> int:
        return self.episode.site_id


class PatientAcknowledgement(models.TextChoices):
    SIGNED = "signed", _("Patient signed the plan")
    VERBAL = "verbal", _("Patient reviewed the plan and agreed verbally")
    DECLINED = "declined", _("Patient declined to acknowledge (reason below)")
    UNAVAILABLE = "unavailable", _("Patient not available (reason below)")


class PlanVersionQuerySet(LockedParentQuerySet):
    parent_status_lookup = "status"


class PlanVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SIGNED = "signed", _("Signed")
        REVISED = "revised", _("Revised (replaced by a newer version)")

    plan = models.ForeignKey(TreatmentPlan, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    change_reason = models.TextField(_("reason for this revision"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    patient_acknowledgement = models.CharField(max_length=12, choices=PatientAcknowledgement.choices, blank=True)
    patient_acknowledgement_note = models.TextField(blank=True)
    cosign_required = models.BooleanField(default=False)
    cosigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    cosigned_at = models.DateTimeField(null=True, blank=True)
    review_due = models.DateField(null=True, blank=True)
    planned_hours = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    # Optimistic locking for the draft: every change bumps it.
    lock_version = models.PositiveIntegerField(default=1)

    objects = PlanVersionQuerySet.as_manager()

    # What may still change on a signed version: the co-signature, and the
    # status once a newer version replaces it.
    MUTABLE_WHEN_SIGNED = ("status", "cosigned_by_id", "cosigned_at")

    class Meta:
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_version_number_once"),
            models.UniqueConstraint(fields=["plan"], condition=models.Q(status="draft"), name="one_draft_per_plan"),
        ]
        indexes = [
            # The co-sign queue, as for notes.
            models.Index(
                fields=["signed_at"],
                condition=models.Q(status="signed", cosign_required=True, cosigned_at__isnull=True),
                name="planversion_awaiting_cosign",
            ),
        ]

    def __str__(self) -> str:
        return f"Plan version {self.number} ({self.get_status_display()})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        refuse_locked_changes(self, mutable=self.MUTABLE_WHEN_SIGNED)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if type(self).objects.filter(pk=self.pk).exclude(status=self.Status.DRAFT).exists():
            raise LockedRecordError()
        return super().delete(*args, **kwargs)

    @property
    def audit_patient_id(self) -> int:
        return self.plan.episode.patient_id

    @property
    def audit_site_id(self) -> int:
        return self.plan.episode.site_id

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def awaiting_cosignature(self) -> bool:
        return self.status != self.Status.DRAFT and self.cosign_required and self.cosigned_at is None


class PlanItemQuerySet(LockedParentQuerySet):
    parent_status_lookup = "version__status"


class PlanItem(models.Model):
    """Something inside one plan version; locked with it."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="+")
    lineage = models.UUIDField(default=uuid.uuid4, editable=False)
    position = models.PositiveIntegerField(default=0)

    objects = PlanItemQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._version_locked():
            raise LockedRecordError()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self._version_locked():
            raise LockedRecordError()
        return super().delete(*args, **kwargs)

    def _version_locked(self) -> bool:
        return PlanVersion.objects.filter(pk=self.version_id).exclude(status=PlanVersion.Status.DRAFT).exists()

    @property
    def audit_patient_id(self) -> int:
        return self.version.plan.episode.patient_id


class Problem(PlanItem):
    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="problems")
    description = models.TextField(_("problem"))
    icd10_code = models.CharField(
        _("ICD-10-CM code"),
        max_length=8,
        blank=True,
        validators=[validate_icd10],
        help_text=_("Optional, e.g. F10.20."),
    )

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.icd10_code} {self.description}".strip()


class Goal(PlanItem):
    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="goals")
    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="goals")
    statement = models.TextField(_("goal"))
    patient_words = models.TextField(_("in the patient's own words"), blank=True)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.statement


class Objective(PlanItem):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        MET = "met", _("Met")
        DISCONTINUED = "discontinued", _("Discontinued")

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="objectives")
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="objectives")
    description = models.TextField(_("objective"))
    measurable_target = models.CharField(
        _("measurable target"),
        max_length=300,
        help_text=_("How progress is counted, e.g. 'attends 3 mutual-help meetings a week for 4 weeks'."),
    )
    target_date = models.DateField(_("target date"))
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.description

    def clean(self) -> None:
        if not (self.measurable_target or "").strip():
            raise ValidationError(
                {
                    "measurable_target": _(
                        "Say how this objective will be measured; an objective needs a measurable target."
                    )
                }
            )


class ServiceType(models.TextChoices):
    GROUP = "group", _("Group counseling")
    INDIVIDUAL = "individual", _("Individual therapy")
    FAMILY = "family", _("Family therapy")
    CASE_MANAGEMENT = "case_management", _("Case management")
    MEDICATION_MANAGEMENT = "medication_management", _("Medication management")
    DRUG_TESTING = "drug_testing", _("Drug testing and monitoring")
    OTHER = "other", _("Other")


class Intervention(PlanItem):
    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="interventions")
    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="interventions", null=True, blank=True)
    service_type = models.CharField(max_length=24, choices=ServiceType.choices)
    description = models.CharField(max_length=300, blank=True)
    sessions_per_week = models.DecimalField(
        max_digits=3,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("14"))],
        help_text=_("0.5 for every other week."),
    )
    minutes = models.PositiveSmallIntegerField(
        _("minutes per session"), validators=[MinValueValidator(5), MaxValueValidator(480)]
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("responsible staff")
    )

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.get_service_type_display()} {self.sessions_per_week}x{self.minutes} min"

    def as_rule(self) -> rules.PlannedService:
        return rules.PlannedService(sessions_per_week=self.sessions_per_week, minutes=self.minutes)
