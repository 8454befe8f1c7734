# SPDX-License-Identifier: AGPL-3.0-or-later
"""The patient record and episodes of care.

A patient may come back over the years: each stay in the program is an
``Episode`` with its own site, level of care, care team and discharge.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openiop.core.access import RestrictedQuerySet
from openiop.patients import transitions
from openiop.sites.models import Organization, Site, zip_validator

if TYPE_CHECKING:
    from openiop.accounts.models import User

OLDEST_PLAUSIBLE_AGE = 110
YOUNGEST_PLAUSIBLE_AGE = 10


def age_in_years(birth_date: dt.date, day: dt.date) -> int:
    """Completed years of life on DAY (birthdays counted by calendar, not by
    365-day blocks, which drift a day every leap year)."""
    years = day.year - birth_date.year
    return years - ((day.month, day.day) < (birth_date.month, birth_date.day))


def validate_birth_date(value: dt.date) -> None:
    today = timezone.localdate()
    if value > today:
        raise ValidationError(_("The date of birth is in the future."))
    age = age_in_years(value, today)
    if age > OLDEST_PLAUSIBLE_AGE:
        raise ValidationError(
            _("That makes the person older than %(max)d; check the year."), params={"max": OLDEST_PLAUSIBLE_AGE}
        )
    if age < YOUNGEST_PLAUSIBLE_AGE:
        raise ValidationError(
            _("That makes the person younger than %(min)d; check the year."), params={"min": YOUNGEST_PLAUSIBLE_AGE}
        )


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    INTERSEX = "intersex", _("Intersex")
    UNKNOWN = "unknown", _("Unknown / not stated")


class Patient(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="patients")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="patients", help_text=_("Home site."))
    mrn = models.CharField(_("medical record number"), max_length=20, unique=True, editable=False)
    legal_first_name = models.CharField(max_length=100)
    legal_last_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    birth_date = models.DateField(_("date of birth"), validators=[validate_birth_date])
    sex_at_birth = models.CharField(max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    gender_identity = models.CharField(max_length=60, blank=True)
    pronouns = models.CharField(max_length=30, blank=True)
    language = models.CharField(_("preferred language"), max_length=40, default="English")
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    street = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=2, blank=True)
    zip_code = models.CharField(_("ZIP code"), max_length=10, blank=True, validators=[zip_validator])
    created_at = models.DateTimeField(auto_now_add=True)
    # Optimistic locking: an edit based on an old version is refused, so two
    # people editing one record never silently overwrite each other.
    version = models.PositiveIntegerField(default=1)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["legal_last_name", "legal_first_name"]
        indexes = [
            models.Index(fields=["legal_last_name", "legal_first_name", "birth_date"]),
            models.Index(fields=["phone"]),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.mrn})"

    @property
    def audit_patient_id(self) -> int:
        return self.pk

    @property
    def display_name(self) -> str:
        first = self.preferred_name or self.legal_first_name
        return f"{first} {self.legal_last_name}"

    def age_on(self, day: dt.date) -> int:
        return age_in_years(self.birth_date, day)


class MrnCounter(models.Model):
    """Per-organization sequence for medical record numbers (locked on use)."""

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.organization_id}: {self.last_number}"


class EmergencyContact(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="emergency_contacts")
    name = models.CharField(max_length=150)
    relation = models.CharField(max_length=60)
    phone = models.CharField(max_length=30)

    objects = RestrictedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.name} ({self.relation})"


class SupportPerson(models.Model):
    """Family and support people; those who agree may join family therapy."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="support_people")
    name = models.CharField(max_length=150)
    relation = models.CharField(max_length=60)
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    may_join_family_therapy = models.BooleanField(default=False)

    objects = RestrictedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.name} ({self.relation})"


class LevelOfCare(models.TextChoices):
    """ASAM Criteria 3rd edition (2013) levels; the vocabulary is data so a
    licensed rule set or the 4th edition can plug in later."""

    EARLY_INTERVENTION = "0.5", _("0.5 Early intervention")
    OUTPATIENT = "1", _("1 Outpatient")
    IOP = "2.1", _("2.1 Intensive outpatient")
    PHP = "2.5", _("2.5 Partial hospitalization")
    RESIDENTIAL_31 = "3.1", _("3.1 Clinically managed low-intensity residential")
    RESIDENTIAL_33 = "3.3", _("3.3 Clinically managed population-specific high-intensity residential")
    RESIDENTIAL_35 = "3.5", _("3.5 Clinically managed high-intensity residential")
    RESIDENTIAL_37 = "3.7", _("3.7 Medically monitored intensive inpatient")
    INPATIENT = "4", _("4 Medically managed intensive inpatient")


class TedsDischargeReason(models.TextChoices):
    """TEDS discharge reason codes."""

    COMPLETED = "1", _("1 Treatment completed")
    DROPPED_OUT = "2", _("2 Dropped out of treatment")
    TERMINATED = "3", _("3 Terminated by facility")
    TRANSFERRED = "4", _("4 Transferred to another treatment program or facility")
    INCARCERATED = "5", _("5 Incarcerated")
    DEATH = "6", _("6 Death")
    OTHER = "7", _("7 Other")


class Episode(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        DISCHARGED = "discharged", _("Discharged")

    class Program(models.TextChoices):
        ADULT_IOP = "adult_iop", _("Adult IOP")
        ADOLESCENT_IOP = "adolescent_iop", _("Adolescent IOP")
        MATRIX = "matrix", _("Matrix Model (stimulants)")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="episodes")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="episodes")
    program = models.CharField(max_length=20, choices=Program.choices, default=Program.ADULT_IOP)
    admission_date = models.DateField()
    level_of_care = models.CharField(max_length=4, choices=LevelOfCare.choices, default=LevelOfCare.IOP)
    primary_counsellor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="primary_episodes", null=True, blank=True
    )
    care_team: models.ManyToManyField[User, CareTeamMember] = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="CareTeamMember", related_name="care_episodes"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    discharge_date = models.DateField(null=True, blank=True)
    discharge_reason = models.CharField(max_length=1, choices=TedsDischargeReason.choices, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-admission_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(discharge_date__isnull=True)
                | models.Q(discharge_date__gte=models.F("admission_date")),
                name="episode_discharge_after_admission",
            ),
            models.UniqueConstraint(
                fields=["patient"], condition=models.Q(status="active"), name="one_active_episode_per_patient"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_program_display()} {self.admission_date:%Y-%m-%d} ({self.get_status_display()})"

    @property
    def is_discharged(self) -> bool:
        return self.status == self.Status.DISCHARGED

    def admission_level(self, changes: list[LevelOfCareChange] | None = None) -> str:
        """The level the episode opened at: the first change's starting level,
        or the current level when it never changed. Pass CHANGES (oldest first)
        when they are already loaded."""
        history = changes if changes is not None else list(self.level_changes.all())
        return history[0].from_level if history else self.level_of_care


class CareTeamMember(models.Model):
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="care_team_members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="care_team_memberships")
    role_label = models.CharField(max_length=60, blank=True, help_text=_("For example primary counselor, prescriber."))
    added_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["episode", "user"], name="care_team_member_once")]

    def __str__(self) -> str:
        return f"{self.user} ({self.role_label})" if self.role_label else str(self.user)

    @property
    def audit_patient_id(self) -> int:
        return self.episode.patient_id


class LevelOfCareChange(models.Model):
    """One step-down or step-up of an episode: from which level to which, when
    it took effect, why and who decided. Kept as a history; the episode's
    ``level_of_care`` is the level now."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="level_changes")
    from_level = models.CharField(max_length=4, choices=LevelOfCare.choices)
    to_level = models.CharField(max_length=4, choices=LevelOfCare.choices)
    effective_date = models.DateField()
    reason = models.TextField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="level_of_care_changes", null=True, blank=True
    )
    decided_at = models.DateTimeField(default=timezone.now)
    # The placement (level-of-care) decision behind the change, when there is
    # one. A plain id for now; the assessments app links its decisions here.
    placement_decision_id = models.PositiveBigIntegerField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["effective_date", "decided_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(from_level=models.F("to_level")), name="level_change_differs"),
        ]

    def __str__(self) -> str:
        return f"{self.from_level} -> {self.to_level} on {self.effective_date:%Y-%m-%d}"

    @property
    def is_step_down(self) -> bool:
        return transitions.direction(self.from_level, self.to_level) == transitions.STEP_DOWN

    @property
    def direction_label(self) -> str:
        return str(_("Step-down") if self.is_step_down else _("Step-up"))

    @property
    def audit_patient_id(self) -> int:
        return self.episode.patient_id

    @property
    def audit_site_id(self) -> int:
        return self.episode.site_id


class NextLevelOfCare(models.TextChoices):
    """Where care continues after discharge: an ASAM level, or none."""

    NONE = transitions.NO_FURTHER_TREATMENT, _("No further formal treatment (recovery supports only)")
    EARLY_INTERVENTION = LevelOfCare.EARLY_INTERVENTION.value, LevelOfCare.EARLY_INTERVENTION.label
    OUTPATIENT = LevelOfCare.OUTPATIENT.value, LevelOfCare.OUTPATIENT.label
    IOP = LevelOfCare.IOP.value, LevelOfCare.IOP.label
    PHP = LevelOfCare.PHP.value, LevelOfCare.PHP.label
    RESIDENTIAL_31 = LevelOfCare.RESIDENTIAL_31.value, LevelOfCare.RESIDENTIAL_31.label
    RESIDENTIAL_33 = LevelOfCare.RESIDENTIAL_33.value, LevelOfCare.RESIDENTIAL_33.label
    RESIDENTIAL_35 = LevelOfCare.RESIDENTIAL_35.value, LevelOfCare.RESIDENTIAL_35.label
    RESIDENTIAL_37 = LevelOfCare.RESIDENTIAL_37.value, LevelOfCare.RESIDENTIAL_37.label
    INPATIENT = LevelOfCare.INPATIENT.value, LevelOfCare.INPATIENT.label


class RecoverySupport(models.TextChoices):
    MUTUAL_HELP = "mutual_help", _("Mutual-help groups (AA, NA, SMART Recovery)")
    SPONSOR = "sponsor", _("Sponsor")
    FAMILY = "family", _("Family")
    PEER_COACH = "peer_coach", _("Peer recovery coach")
    RECOVERY_HOUSING = "recovery_housing", _("Recovery housing / sober living")
    ALUMNI = "alumni", _("Program alumni group")
    FAITH = "faith", _("Faith community")
    MEDICATION = "medication", _("Medication for addiction treatment continued with a prescriber")
    OTHER = "other", _("Other (see notes)")


class ContinuingCarePlan(models.Model):
    """What happens after discharge: the next level of care, the referral and
    its first appointment, and the person's supports. Recorded with the
    discharge, by the same service call."""

    episode = models.OneToOneField(Episode, on_delete=models.CASCADE, related_name="continuing_care")
    next_level_of_care = models.CharField(max_length=4, choices=NextLevelOfCare.choices, blank=True)
    referral_to = models.CharField(_("referred to (organization or program)"), max_length=200, blank=True)
    referral_contact = models.CharField(_("referral contact (phone or address)"), max_length=200, blank=True)
    first_appointment_date = models.DateField(null=True, blank=True)
    first_appointment_time = models.TimeField(null=True, blank=True)
    supports = models.JSONField(default=list, blank=True)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="continuing_care_plans", null=True, blank=True
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Continuing care after episode {self.episode_id}"

    def support_labels(self) -> list[str]:
        labels = dict(RecoverySupport.choices)
        return [str(labels.get(code, code)) for code in self.supports]

    @property
    def audit_patient_id(self) -> int:
        return self.episode.patient_id

    @property
    def audit_site_id(self) -> int:
        return self.episode.site_id


class AllergySeverity(models.TextChoices):
    MILD = "mild", _("Mild")
    MODERATE = "moderate", _("Moderate")
    SEVERE = "severe", _("Severe (for example anaphylaxis)")
    UNKNOWN = "unknown", _("Not known")


class Allergy(models.Model):
    """One entry on the patient's allergy list: a substance with the reaction
    and its severity, or the explicit statement "no known allergies" (so that
    "nobody asked" and "asked, none" never look the same). Entries are never
    deleted: one entered in error is marked so, with who, when and why."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="allergies")
    no_known_allergies = models.BooleanField(default=False)
    substance = models.CharField(max_length=200, blank=True)
    reaction = models.CharField(max_length=200, blank=True)
    severity = models.CharField(max_length=10, choices=AllergySeverity.choices, default=AllergySeverity.UNKNOWN)
    noted_at = models.DateTimeField(default=timezone.now)
    noted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    entered_in_error_at = models.DateTimeField(null=True, blank=True)
    entered_in_error_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    entered_in_error_reason = models.CharField(max_length=300, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-noted_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(no_known_allergies=True) & models.Q(substance=""))
                | (models.Q(no_known_allergies=False) & ~models.Q(substance="")),
                name="allergy_names_a_substance_or_states_none_known",
            ),
        ]

    def __str__(self) -> str:
        return "No known allergies" if self.no_known_allergies else self.substance

    @property
    def is_current(self) -> bool:
        return self.entered_in_error_at is None

    @property
    def audit_patient_id(self) -> int:
        return self.patient_id

    @property
    def audit_site_id(self) -> int:
        return self.patient.site_id
