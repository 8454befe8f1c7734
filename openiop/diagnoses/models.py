# SPDX-License-Identifier: AGPL-3.0-or-later
"""The problem list: a patient's ICD-10-CM diagnoses.

Each entry keeps the code as claims carry it (no dot, upper-case) and the
description as it read when entered, so a later edition of the code set never
changes what the chart said. Entries are never deleted: one entered in error
is marked so, with who, when and why. At most one active entry per patient is
primary (the principal diagnosis of a claim): the services check it under a
lock on the patient, and a partial unique index holds it in the database.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openiop.core.access import RestrictedQuerySet
from openiop.diagnoses import codes
from openiop.patients.models import Episode, Patient


class DiagnosisStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    RESOLVED = "resolved", _("Resolved")
    RULED_OUT = "ruled_out", _("Ruled out")
    ENTERED_IN_ERROR = "entered_in_error", _("Entered in error")


class Diagnosis(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="diagnoses")
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="diagnoses", null=True, blank=True)
    code = models.CharField(_("ICD-10-CM code"), max_length=8, help_text=_("Without the dot, e.g. F1120."))
    description = models.CharField(max_length=300, help_text=_("As the code set described it when entered."))
    onset_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=DiagnosisStatus.choices, default=DiagnosisStatus.ACTIVE)
    # The day a resolved diagnosis stopped applying (claims before it still carry it).
    resolved_on = models.DateField(null=True, blank=True)
    is_primary = models.BooleanField(_("primary"), default=False)
    entered_at = models.DateTimeField(default=timezone.now)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    entered_in_error_at = models.DateTimeField(null=True, blank=True)
    entered_in_error_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    entered_in_error_reason = models.CharField(max_length=300, blank=True)
    # Optimistic edits: an edit that began from an older version is refused.
    version = models.PositiveIntegerField(default=1)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "diagnoses"
        ordering = ["-is_primary", "status", "code", "pk"]
        indexes = [models.Index(fields=["patient", "status"], name="diagnosis_patient_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=models.Q(is_primary=True, status="active"),
                name="one_active_primary_diagnosis_per_patient",
            ),
            models.CheckConstraint(
                condition=models.Q(resolved_on__isnull=True) | models.Q(status="resolved"),
                name="diagnosis_resolved_on_only_when_resolved",
            ),
            models.CheckConstraint(
                condition=models.Q(entered_in_error_at__isnull=True) | models.Q(status="entered_in_error"),
                name="diagnosis_error_time_only_when_entered_in_error",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_code} {self.description}"

    @property
    def display_code(self) -> str:
        return codes.display(self.code)

    @property
    def is_active(self) -> bool:
        return self.status == DiagnosisStatus.ACTIVE

    def applies_on(self, day: dt.date) -> bool:
        """Whether the diagnosis stood on DAY (what a claim for that day carries)."""
        if self.onset_date is not None and self.onset_date > day:
            return False
        if self.status == DiagnosisStatus.ACTIVE:
            return True
        return self.status == DiagnosisStatus.RESOLVED and self.resolved_on is not None and self.resolved_on > day

    @property
    def audit_patient_id(self) -> int:
        return self.patient_id

    @property
    def audit_site_id(self) -> int:
        return self.patient.site_id
