# SPDX-License-Identifier: AGPL-3.0-or-later
"""Good Faith Estimates (No Surprises Act) for uninsured and self-pay patients.

An estimate is a draft until it is issued. Issuing freezes it: what the
patient is given (every required element, as text, and the PDF rendered from
it, with its SHA-256) is stored and never changes; a later change makes a new
version that supersedes it, and the old one is kept. Deliveries (on paper, by
e-mail, through the portal) are recorded against the issued version.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openiop.core.access import RestrictedQuerySet
from openiop.patients.models import Episode, Patient
from openiop.sites.models import Organization, Site


class EstimateStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued")


class SelfPayReason(models.TextChoices):
    UNINSURED = "uninsured", _("Uninsured: no coverage in force")
    DECLINED_INSURANCE = "declined", _("Insured, but asked us not to bill insurance")


class EstimateBasis(models.TextChoices):
    SCHEDULE = "schedule", _("The patient's booked schedule (standard track for weeks not booked yet)")
    STANDARD_TRACK = "track", _("The program's standard track (not scheduled yet)")


class GoodFaithEstimate(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="good_faith_estimates")
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+", help_text=_("Where care is given."))
    version = models.PositiveSmallIntegerField(default=1)
    # Not the document's version above: a counter raised by every change to this
    # row (a draft rebuilt, the draft issued), so an edit opened before one of
    # them is refused instead of overwriting it (openiop.core.locking).
    lock_version = models.PositiveIntegerField(default=1, editable=False)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, related_name="superseded_by", null=True, blank=True
    )
    status = models.CharField(max_length=8, choices=EstimateStatus.choices, default=EstimateStatus.DRAFT)
    self_pay_reason = models.CharField(max_length=10, choices=SelfPayReason.choices)
    basis = models.CharField(max_length=10, choices=EstimateBasis.choices, default=EstimateBasis.SCHEDULE)
    level_of_care = models.CharField(max_length=4)
    primary_service = models.CharField(_("primary service"), max_length=300)
    period_start = models.DateField(_("first day of service"))
    period_end = models.DateField(_("last day expected"))
    weeks = models.PositiveSmallIntegerField(_("expected weeks"))
    drug_tests_per_week = models.PositiveSmallIntegerField(default=1)
    individual_sessions_per_week = models.PositiveSmallIntegerField(default=0)
    include_intake = models.BooleanField(_("include the intake assessment"), default=True)
    diagnosis_codes = models.JSONField(default=list, blank=True)
    requested_on = models.DateField(_("requested by the patient on"), null=True, blank=True)
    scheduled_on = models.DateField(_("service scheduled on"), null=True, blank=True)
    due_on = models.DateField(_("to give the patient by"), null=True, blank=True)
    total = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    # Frozen at issue: every element as given to the patient, and the PDF.
    content = models.JSONField(default=dict, blank=True)
    pdf = models.BinaryField(null=True, blank=True, editable=False)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="gfe_period_in_order"),
            models.CheckConstraint(
                condition=Q(status="draft") | (Q(issued_at__isnull=False) & ~Q(pdf_sha256="")),
                name="issued_gfe_is_frozen",
            ),
            models.UniqueConstraint(fields=["patient", "version"], name="gfe_version_unique_per_patient"),
        ]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return f"GFE {self.pk} v{self.version} {self.period_start:%Y-%m-%d} ({self.get_status_display()})"

    @property
    def is_issued(self) -> bool:
        return self.status == EstimateStatus.ISSUED

    @property
    def is_superseded(self) -> bool:
        return hasattr(self, "superseded_by")

    @property
    def audit_patient_id(self) -> int:
        return self.patient_id

    @property
    def audit_site_id(self) -> int:
        return self.site_id


class EstimateLine(models.Model):
    """One itemized line: a code at one unit charge, times a quantity."""

    estimate = models.ForeignKey(GoodFaithEstimate, on_delete=models.CASCADE, related_name="lines")
    code = models.CharField(_("HCPCS or CPT code"), max_length=5)
    description = models.CharField(max_length=200)
    quantity = models.PositiveIntegerField()
    unit_charge = models.DecimalField(max_digits=10, decimal_places=2)
    total = models.DecimalField(max_digits=10, decimal_places=2)
    first_day = models.DateField()
    last_day = models.DateField()

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["estimate", "first_day", "code", "pk"]

    def __str__(self) -> str:
        return f"{self.code} x{self.quantity} {self.total}"

    @property
    def audit_patient_id(self) -> int:
        return self.estimate.patient_id


class DeliveryMethod(models.TextChoices):
    PAPER = "paper", _("Given on paper")
    EMAIL = "email", _("Sent by e-mail")
    PORTAL = "portal", _("Posted to the patient portal")


class EstimateDelivery(models.Model):
    estimate = models.ForeignKey(GoodFaithEstimate, on_delete=models.PROTECT, related_name="deliveries")
    method = models.CharField(max_length=8, choices=DeliveryMethod.choices)
    delivered_at = models.DateTimeField(default=timezone.now)
    recipient = models.CharField(max_length=200, blank=True, help_text=_("E-mail address or who received it."))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["delivered_at", "pk"]
        verbose_name_plural = "estimate deliveries"

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.delivered_at:%Y-%m-%d}"

    @property
    def audit_patient_id(self) -> int:
        return self.estimate.patient_id
