# SPDX-License-Identifier: AGPL-3.0-or-later
"""Medications (including MOUD/MAUD), drug tests and the sobriety date.

Nothing here is ever deleted: a medication is stopped (date, reason, who),
changed (the old entry stops, the new one ``replaces`` it) or marked entered in
error; a drug-test result is corrected by a new version that ``supersedes`` it;
a pending drug-test review is confirmed or dismissed (who, when, why), and the
sobriety date is a history whose newest row is the current date.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openiop.core.access import RestrictedQuerySet
from openiop.medications import catalogue, interpretation
from openiop.patients.models import Episode, Patient
from openiop.sites.models import Site


class Route(models.TextChoices):
    ORAL = "oral", _("Oral")
    SUBLINGUAL = "sublingual", _("Sublingual")
    BUCCAL = "buccal", _("Buccal")
    INTRAMUSCULAR = "intramuscular", _("Intramuscular injection")
    SUBCUTANEOUS = "subcutaneous", _("Subcutaneous injection")
    TRANSDERMAL = "transdermal", _("Transdermal")
    INHALED = "inhaled", _("Inhaled")
    NASAL = "nasal", _("Nasal")
    OTHER = "other", _("Other")


def validate_drug_classes(value: object) -> None:
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        raise ValidationError(_("Expected a list of drug class codes."))
    unknown = sorted(set(value) - set(catalogue.DRUG_CLASS_BY_CODE))
    if unknown:
        raise ValidationError(_("Unknown drug classes: %(codes)s"), params={"codes": ", ".join(unknown)})


class MedicationQuerySet(RestrictedQuerySet["Medication"]):
    def valid(self) -> MedicationQuerySet:
        """Entries not marked entered in error: the ones that count."""
        return self.filter(entered_in_error_at__isnull=True)


class Medication(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="medications")
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="medications", null=True, blank=True)
    catalogue_code = models.CharField(
        _("MOUD/MAUD medication"), max_length=40, choices=catalogue.CATALOGUE_CHOICES, blank=True
    )
    name = models.CharField(max_length=150)
    dose = models.CharField(max_length=60, help_text=_("For example 8 mg/2 mg."))
    route = models.CharField(max_length=20, choices=Route.choices, default=Route.ORAL)
    frequency = models.CharField(max_length=60, help_text=_("For example once daily."))
    prescriber = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="medications_prescribed",
        null=True,
        blank=True,
        help_text=_("A prescriber on staff, or leave empty and name the outside prescriber."),
    )
    outside_prescriber = models.CharField(max_length=150, blank=True)
    dispensed_by_otp = models.BooleanField(
        _("dispensed by an outside opioid treatment program"),
        default=False,
        help_text=_("We record it; this program does not dispense it."),
    )
    otp_name = models.CharField(_("opioid treatment program"), max_length=150, blank=True)
    indication = models.CharField(max_length=150)
    expected_classes = models.JSONField(
        _("expected in drug tests"), default=list, blank=True, validators=[validate_drug_classes]
    )
    start_date = models.DateField()
    stop_date = models.DateField(null=True, blank=True)
    stop_reason = models.TextField(blank=True)
    stopped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    stopped_at = models.DateTimeField(null=True, blank=True)
    replaces = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        related_name="replacements",
        null=True,
        blank=True,
        help_text=_("The entry this one changed (dose or directions); that entry stopped when this one started."),
    )
    entered_in_error_at = models.DateTimeField(null=True, blank=True)
    entered_in_error_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    entered_in_error_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1)

    objects = MedicationQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "-pk"]
        constraints = [
            # A chain, not a tree: an entry has at most one valid replacement
            # (a replacement entered in error does not count).
            models.UniqueConstraint(
                fields=["replaces"],
                condition=models.Q(entered_in_error_at__isnull=True),
                name="medication_one_valid_replacement",
            ),
            models.CheckConstraint(
                condition=models.Q(entered_in_error_at__isnull=True)
                | (models.Q(entered_in_error_by__isnull=False) & ~models.Q(entered_in_error_reason="")),
                name="medication_in_error_attributed",
            ),
            models.CheckConstraint(
                condition=models.Q(stop_date__isnull=True) | models.Q(stop_date__gte=models.F("start_date")),
                name="medication_stop_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(prescriber__isnull=False) | ~models.Q(outside_prescriber=""),
                name="medication_has_prescriber",
            ),
            models.CheckConstraint(
                condition=models.Q(dispensed_by_otp=False) | ~models.Q(otp_name=""),
                name="medication_otp_named",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.dose}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.stop_date and self.start_date and self.stop_date < self.start_date:
            errors["stop_date"] = str(
                _("The stop date (%(stop)s) is before the start date (%(start)s).")
                % {"stop": self.stop_date.isoformat(), "start": self.start_date.isoformat()}
            )
        if self.prescriber_id is None and not self.outside_prescriber.strip():
            errors["prescriber"] = str(_("Choose a prescriber on staff or name the outside prescriber."))
        if self.prescriber_id is not None and self.outside_prescriber.strip():
            errors["outside_prescriber"] = str(
                _("Give either a prescriber on staff or an outside prescriber, not both.")
            )
        if self.dispensed_by_otp and not self.otp_name.strip():
            errors["otp_name"] = str(_("Name the opioid treatment program that dispenses it."))
        if errors:
            raise ValidationError(errors)

    @property
    def is_active(self) -> bool:
        return self.active_on(timezone.localdate())

    @property
    def entered_in_error(self) -> bool:
        return self.entered_in_error_at is not None

    def active_on(self, day: dt.date) -> bool:
        return not self.entered_in_error and self.span().active_on(day)

    def summary(self) -> str:
        """Dose and directions in one line, as a stop reason quotes them."""
        return f"{self.dose} {self.get_route_display().lower()} {self.frequency}"

    @property
    def prescriber_name(self) -> str:
        if self.prescriber is not None:
            return self.prescriber.get_full_name() or self.prescriber.get_username()
        return self.outside_prescriber

    def expected_class_labels(self) -> list[str]:
        return [catalogue.drug_class_label(code) for code in self.expected_classes]

    def span(self) -> interpretation.MedicationSpan:
        return interpretation.MedicationSpan(
            name=self.name,
            start=self.start_date,
            stop=self.stop_date,
            expected_classes=frozenset(self.expected_classes),
        )


class AdherenceNote(models.Model):
    class Status(models.TextChoices):
        AS_PRESCRIBED = "as_prescribed", _("Taking as prescribed")
        MISSED_DOSES = "missed_doses", _("Missed some doses")
        NOT_TAKING = "not_taking", _("Not taking")
        SIDE_EFFECTS = "side_effects", _("Side effects reported")
        OTHER = "other", _("Other")

    medication = models.ForeignKey(Medication, on_delete=models.PROTECT, related_name="adherence_notes")
    noted_on = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.AS_PRESCRIBED)
    text = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-noted_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.medication} {self.noted_on:%Y-%m-%d}"

    @property
    def audit_patient_id(self) -> int:
        return self.medication.patient_id


class Specimen(models.Model):
    class Type(models.TextChoices):
        URINE = "urine", _("Urine")
        ORAL_FLUID = "oral_fluid", _("Oral fluid")
        BREATH = "breath", _("Breath")
        BLOOD = "blood", _("Blood")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="specimens")
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="specimens", null=True, blank=True)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+", help_text=_("Where it was collected."))
    specimen_type = models.CharField(max_length=12, choices=Type.choices, default=Type.URINE)
    collected_at = models.DateTimeField()
    # The date at the collecting site, which is what medications are compared with.
    collected_on = models.DateField(editable=False)
    observed = models.BooleanField(_("collection observed"), default=False)
    collected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-collected_at", "-pk"]
        indexes = [models.Index(fields=["patient", "collected_on"])]

    def __str__(self) -> str:
        return f"{self.get_specimen_type_display()} {self.collected_on:%Y-%m-%d}"

    def local_date(self) -> dt.date:
        return timezone.localtime(self.collected_at, ZoneInfo(self.site.time_zone)).date()


class TestResult(models.Model):
    class Method(models.TextChoices):
        PRESUMPTIVE = interpretation.PRESUMPTIVE, _("Presumptive (point-of-care or immunoassay)")
        CONFIRMATORY = interpretation.CONFIRMATORY, _("Confirmatory (LC-MS/MS)")

    class Outcome(models.TextChoices):
        POSITIVE = interpretation.POSITIVE, _("Positive")
        NEGATIVE = interpretation.NEGATIVE, _("Negative")
        INVALID = interpretation.INVALID, _("Invalid")

    __test__ = False  # not a pytest test class, whatever its name says

    specimen = models.ForeignKey(Specimen, on_delete=models.PROTECT, related_name="results")
    method = models.CharField(max_length=12, choices=Method.choices)
    drug_class = models.CharField(max_length=20, choices=catalogue.DRUG_CLASS_CHOICES)
    result = models.CharField(max_length=10, choices=Outcome.choices)
    cutoff = models.DecimalField(max_digits=8, decimal_places=3, null=True, blank=True)
    cutoff_unit = models.CharField(max_length=12, blank=True, default="ng/mL")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    # A correction is a new row: it names the row it supersedes and why; the
    # superseded row stays, stamped with when it stopped counting.
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, related_name="superseded_by", null=True, blank=True
    )
    correction_reason = models.TextField(blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["drug_class", "method", "recorded_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["specimen", "method", "drug_class"],
                condition=models.Q(superseded_at__isnull=True),
                name="one_current_result_per_class_and_method",
            ),
            models.CheckConstraint(
                condition=models.Q(supersedes__isnull=True) | ~models.Q(correction_reason=""),
                name="test_result_correction_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.drug_class} {self.method} {self.result}"

    @property
    def audit_patient_id(self) -> int:
        return self.specimen.patient_id

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None

    def as_input(self) -> interpretation.Result:
        return interpretation.Result(drug_class=self.drug_class, method=self.method, result=self.result)


class SobrietyDate(models.Model):
    """One setting of the patient's sobriety (recovery) date; the newest row
    is the current date. Rows are never changed or removed."""

    class Source(models.TextChoices):
        REPORTED = "reported", _("Reported by the patient")
        CORRECTION = "correction", _("Correction")
        REVIEW = "review", _("Reset after a confirmed drug-test review")
        RESTORED = "restored", _("Restored after a corrected drug-test result")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="sobriety_dates")
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    date = models.DateField()
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.REPORTED)
    note = models.TextField()
    review = models.ForeignKey(
        "DrugTestReview", on_delete=models.PROTECT, related_name="sobriety_dates", null=True, blank=True
    )
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    set_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-set_at", "-pk"]
        get_latest_by = ["set_at", "pk"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d}"


class RestoreOutcome(models.TextChoices):
    RESTORED = "restored", _("Previous sobriety date restored")
    KEPT = "kept", _("Sobriety date kept")


class DrugTestReview(models.Model):
    """An unexpected positive waiting for a clinician: confirm (the sobriety
    date resets to the collection date) or dismiss (explained, or a
    confirmatory negative). Created by the results service, never by hand."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending review")
        CONFIRMED = "confirmed", _("Confirmed: sobriety date reset")
        DISMISSED = "dismissed", _("Dismissed")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="drug_test_reviews")
    specimen = models.ForeignKey(Specimen, on_delete=models.PROTECT, related_name="reviews")
    drug_classes = models.JSONField(default=list, validators=[validate_drug_classes])
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    sobriety_date_before = models.DateField(null=True, blank=True)
    # A corrected result can take away what a confirmed review (that reset the
    # sobriety date) was about: the clinician is then offered to restore the
    # date before the reset, and decides. Never done silently.
    restore_offered_at = models.DateTimeField(null=True, blank=True)
    restore_outcome = models.CharField(max_length=10, choices=RestoreOutcome.choices, blank=True)
    restore_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    restore_decided_at = models.DateTimeField(null=True, blank=True)
    restore_note = models.TextField(blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="pending")
                | (models.Q(decided_by__isnull=False) & ~models.Q(decision_note="")),
                name="drug_test_review_decision_attributed",
            ),
            models.CheckConstraint(
                condition=models.Q(restore_outcome="")
                | (models.Q(restore_decided_by__isnull=False) & ~models.Q(restore_note="")),
                name="drug_test_review_restore_attributed",
            ),
        ]

    def __str__(self) -> str:
        return f"Review of {self.specimen} ({self.get_status_display()})"

    def drug_class_labels(self) -> list[str]:
        return [catalogue.drug_class_label(code) for code in self.drug_classes]

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    @property
    def restore_pending(self) -> bool:
        return self.restore_offered_at is not None and not self.restore_outcome
