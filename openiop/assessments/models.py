# SPDX-License-Identifier: AGPL-3.0-or-later
"""Stored instrument results, safety alerts, placement (level-of-care)
assessments and the ambulatory withdrawal-monitoring flowsheet.

Results and decided placements are never edited: a correction is a new row,
and a result entered in error is marked so (with who, when and why), never
deleted, so the chart shows what the team saw when it decided.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from openiop.assessments import safety, vitals
from openiop.core.access import RestrictedQuerySet
from openiop.patients.models import Episode, LevelOfCare, Patient


class InstrumentResult(models.Model):
    class Context(models.TextChoices):
        SCREENING = "screening", _("Screening or intake")
        REASSESSMENT = "reassessment", _("Reassessment")
        WITHDRAWAL = "withdrawal", _("Withdrawal monitoring")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="instrument_results")
    episode = models.ForeignKey(
        Episode, on_delete=models.PROTECT, related_name="instrument_results", null=True, blank=True
    )
    instrument_code = models.CharField(max_length=20, db_index=True)
    # The answers exactly as marked, in form order, so the score can be re-derived.
    answers = models.JSONField()
    total = models.IntegerField()
    band = models.CharField(max_length=40)
    subscales = models.JSONField(default=dict, blank=True)
    flags = models.JSONField(default=list, blank=True)
    # Which band rule was in force (CIWA-Ar's cut-offs are configurable).
    band_rule = models.CharField(max_length=200, blank=True)
    sex_used = models.CharField(max_length=10, blank=True)
    context = models.CharField(max_length=20, choices=Context.choices, default=Context.SCREENING)
    administered_at = models.DateTimeField(help_text=_("When the instrument was taken."))
    administered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    notes = models.TextField(blank=True)
    entered_in_error_at = models.DateTimeField(null=True, blank=True)
    entered_in_error_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    entered_in_error_reason = models.CharField(max_length=300, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-administered_at", "-pk"]
        indexes = [models.Index(fields=["patient", "instrument_code", "administered_at"])]

    def __str__(self) -> str:
        return f"{self.instrument_code} {self.total} ({self.band})"

    @property
    def audit_site_id(self) -> int:
        return self.episode.site_id if self.episode_id and self.episode else self.patient.site_id


class BandOverride(models.Model):
    """An administrator's cut-offs for an instrument whose bands DOMAIN.md marks
    CONFIGURABLE (CIWA-Ar). The newest row is in force; older rows stay as the
    record of which rule applied when."""

    instrument_code = models.CharField(max_length=20)
    bands = models.JSONField(help_text=_('List of {"name": ..., "min": ..., "max": ...} covering the whole range.'))
    reason = models.CharField(max_length=300)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.instrument_code} bands from {self.changed_at:%Y-%m-%d}"


class SafetyAlert(models.Model):
    class Kind(models.TextChoices):
        SUICIDAL_IDEATION = safety.KIND_SUICIDAL_IDEATION, _("Suicidal ideation on a screening item")
        REPORTED_SUICIDAL_THOUGHT = safety.KIND_REPORTED_SUICIDAL_THOUGHT, _("Reported suicidal thought")
        SUICIDE_RISK_MODERATE = safety.KIND_SUICIDE_RISK_MODERATE, _("Moderate suicide risk (C-SSRS triage)")
        SUICIDE_RISK_HIGH = safety.KIND_SUICIDE_RISK_HIGH, _("High suicide risk (C-SSRS triage)")
        SEVERE_WITHDRAWAL = safety.KIND_SEVERE_WITHDRAWAL, _("Severe withdrawal score")
        WITHDRAWAL_ESCALATION = (
            safety.KIND_WITHDRAWAL_ESCALATION,
            _("Withdrawal score crossed the escalation threshold"),
        )

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="safety_alerts")
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="safety_alerts", null=True, blank=True)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    source_result = models.ForeignKey(
        InstrumentResult, on_delete=models.PROTECT, related_name="alerts", null=True, blank=True
    )
    detail = models.TextField()
    raised_at = models.DateTimeField(auto_now_add=True)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    acknowledgement_note = models.TextField(blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_at", "-pk"]
        indexes = [models.Index(fields=["acknowledged_at", "raised_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.raised_at:%Y-%m-%d %H:%M})"

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None

    @property
    def audit_site_id(self) -> int:
        return self.episode.site_id if self.episode_id and self.episode else self.patient.site_id


class PlacementAssessment(models.Model):
    """One run of level-of-care decision support and the clinician's decision.

    Every run is kept; ``version`` counts the patient's runs. Ratings, answers,
    suggestions and the recommendation are stored as they were shown, with the
    rule-set version, so a later rule change never rewrites an old decision.
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="placements")
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="placements", null=True, blank=True)
    version = models.PositiveIntegerField()
    adolescent = models.BooleanField(default=False)
    # {"1": {"rating": 2, "note": "..."}, ... "6": {...}}
    ratings = models.JSONField()
    fit_answers = models.JSONField(default=dict)
    suggestions = models.JSONField(default=list)
    rule_set = models.CharField(max_length=100)  # label shown with the recommendation
    rule_set_version = models.CharField(max_length=20)  # load_rule_set(version) re-reads the rules used
    recommended_level = models.CharField(max_length=4, choices=LevelOfCare.choices)
    recommended_withdrawal_management = models.BooleanField()
    reasons = models.JSONField(default=list)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assessed_at = models.DateTimeField(auto_now_add=True)
    decided_level = models.CharField(max_length=4, choices=LevelOfCare.choices, blank=True)
    decided_withdrawal_management = models.BooleanField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "version"], name="one_placement_version_per_number"),
        ]

    def __str__(self) -> str:
        return f"Placement v{self.version} ({self.recommended_level})"

    @property
    def is_decided(self) -> bool:
        return self.decided_at is not None

    @property
    def differs(self) -> bool:
        return self.is_decided and (
            self.decided_level != self.recommended_level
            or bool(self.decided_withdrawal_management) != self.recommended_withdrawal_management
        )

    @property
    def audit_site_id(self) -> int:
        return self.episode.site_id if self.episode_id and self.episode else self.patient.site_id


class MonitoringThreshold(models.Model):
    """Score at or above which ambulatory withdrawal monitoring escalates
    (CONFIGURABLE; defaults set by a data migration)."""

    instrument_code = models.CharField(max_length=20, unique=True)
    escalate_at = models.PositiveIntegerField()
    guidance = models.CharField(max_length=300)
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.instrument_code} >= {self.escalate_at}"


class WithdrawalCheck(models.Model):
    """One row of the ambulatory withdrawal-monitoring flowsheet: a CIWA-Ar or
    COWS score with the vital signs taken at the same visit."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="withdrawal_checks")
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="withdrawal_checks", null=True)
    result = models.OneToOneField(InstrumentResult, on_delete=models.PROTECT, related_name="withdrawal_check")
    pulse = models.PositiveSmallIntegerField(
        _("pulse (beats/min)"), validators=[MinValueValidator(20), MaxValueValidator(250)]
    )
    systolic = models.PositiveSmallIntegerField(
        _("systolic blood pressure"), validators=[MinValueValidator(50), MaxValueValidator(300)]
    )
    diastolic = models.PositiveSmallIntegerField(
        _("diastolic blood pressure"), validators=[MinValueValidator(20), MaxValueValidator(200)]
    )
    # Kept in °C whatever unit it was read in (openiop.assessments.vitals);
    # two decimals so that a °F reading converts back exactly.
    temperature_c = models.DecimalField(
        _("temperature (°C)"),
        max_digits=5,
        decimal_places=2,
        validators=[
            MinValueValidator(vitals.PLAUSIBLE[vitals.CELSIUS][0]),
            MaxValueValidator(vitals.PLAUSIBLE[vitals.CELSIUS][1]),
        ],
    )
    respiratory_rate = models.PositiveSmallIntegerField(
        _("respiratory rate (breaths/min)"), validators=[MinValueValidator(4), MaxValueValidator(60)]
    )
    oxygen_saturation = models.PositiveSmallIntegerField(
        _("oxygen saturation (%)"), null=True, blank=True, validators=[MinValueValidator(50), MaxValueValidator(100)]
    )
    escalated = models.BooleanField(default=False)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["result__administered_at", "pk"]

    def __str__(self) -> str:
        return f"{self.result} pulse {self.pulse} BP {self.systolic}/{self.diastolic}"

    @property
    def temperature_f(self) -> Decimal:
        return vitals.from_celsius(self.temperature_c, vitals.FAHRENHEIT)

    @property
    def temperature_c_shown(self) -> Decimal:
        return vitals.from_celsius(self.temperature_c, vitals.CELSIUS)

    @property
    def audit_site_id(self) -> int:
        return self.patient.site_id


class SafetyPlan(models.Model):
    """A patient's Stanley-Brown safety plan (one per patient, kept across
    episodes). Its content lives in versions; ``version`` is the current one,
    and an edit based on an older version is refused."""

    patient = models.OneToOneField(Patient, on_delete=models.PROTECT, related_name="safety_plan")
    version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = RestrictedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Safety plan v{self.version} for patient {self.patient_id}"

    @property
    def audit_patient_id(self) -> int:
        return self.patient_id

    @property
    def audit_site_id(self) -> int:
        return self.patient.site_id


class SafetyPlanVersion(models.Model):
    """One version of the plan, as written with the person; never edited (a
    change is a new version). One text field per step of
    ``openiop.assessments.safety_plan.STEPS``, one entry per line."""

    plan = models.ForeignKey(SafetyPlan, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    warning_signs = models.TextField()
    coping_strategies = models.TextField()
    distractions = models.TextField()
    help_contacts = models.TextField()
    crisis_contacts = models.TextField()
    environment_safety = models.TextField()
    reasons_for_living = models.TextField()
    # The screener result that prompted the plan or this revision, if any.
    source_result = models.ForeignKey(
        InstrumentResult, on_delete=models.PROTECT, related_name="safety_plan_versions", null=True, blank=True
    )
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="one_safety_plan_version_per_number")]

    def __str__(self) -> str:
        return f"Safety plan v{self.number}"

    @property
    def audit_patient_id(self) -> int:
        return self.plan.patient_id


class SafetyPlanReview(models.Model):
    """The plan version was gone through with the person on ``reviewed_on``
    (at the first session, and again at each step-down)."""

    version = models.ForeignKey(SafetyPlanVersion, on_delete=models.PROTECT, related_name="reviews")
    reviewed_on = models.DateField()
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-reviewed_on", "-pk"]

    def __str__(self) -> str:
        return f"Reviewed {self.reviewed_on:%Y-%m-%d}"

    @property
    def audit_patient_id(self) -> int:
        return self.version.plan.patient_id
