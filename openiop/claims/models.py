# SPDX-License-Identifier: AGPL-3.0-or-later
"""Claims sent to payers, and what came back: acknowledgements and remittances.

A claim bills ready charges of one patient to one payer in one claim type over
one billing period; each of its lines bills exactly one charge. A claim's
``patient_control_number`` (CLM01) is how the 999, 277CA and 835 answer it,
and each line's control number (REF*6R) how the 835 answers a line. Money that
comes back is a ``Payment`` (one per 835 transaction, by its remittance key)
with one ``Posting`` per claim (and per line when the payer answered by line).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openiop.billing.models import Charge
from openiop.core.access import RestrictedQuerySet
from openiop.insurance.models import ClaimType, Coverage, Payer
from openiop.patients.models import Episode, Patient
from openiop.sites.models import Site


class ProviderNumber(models.Model):
    """A clinician's NPI and taxonomy, for the attending (837I) or rendering
    (837P) provider on a claim. Checked with the Luhn rule before use."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="provider_number")
    npi = models.CharField(_("NPI"), max_length=10)
    taxonomy = models.CharField(max_length=10, blank=True, help_text=_("e.g. 101YA0400X addiction counselor"))

    def __str__(self) -> str:
        return f"{self.user} {self.npi}"


class ClaimStatus(models.TextChoices):
    BUILT = "built", _("Built, in the outbox")
    SCRUBBER_REJECTED = "scrubber", _("Stopped by the scrubber")
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted by the payer")
    REJECTED = "rejected", _("Rejected (999 or 277CA)")
    PAID = "paid", _("Paid")
    PARTIALLY_PAID = "partial", _("Partially paid")
    DENIED = "denied", _("Denied")
    VOID = "void", _("Void")


# A claim in one of these is waiting on the payer: no remittance yet.
AWAITING_REMITTANCE = (ClaimStatus.BUILT, ClaimStatus.SENT, ClaimStatus.ACCEPTED)
# A claim in one of these still bills its lines (another claim may not bill them again).
LIVE_STATUSES = (*AWAITING_REMITTANCE, ClaimStatus.PAID, ClaimStatus.PARTIALLY_PAID, ClaimStatus.DENIED)


class Claim(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="claims")
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="claims", null=True, blank=True)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="claims")
    payer = models.ForeignKey(Payer, on_delete=models.PROTECT, related_name="claims")
    coverage = models.ForeignKey(Coverage, on_delete=models.PROTECT, related_name="claims")
    claim_type = models.CharField(max_length=4, choices=ClaimType.choices)
    frequency = models.CharField(_("frequency code"), max_length=1, default="1")
    patient_status = models.CharField(max_length=2, blank=True)
    patient_control_number = models.CharField(max_length=20, unique=True)
    statement_start = models.DateField()
    statement_end = models.DateField()
    total = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))
    status = models.CharField(max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.BUILT, db_index=True)
    problems = models.JSONField(default=list, blank=True, help_text=_("What the scrubber, pyx12 or the payer said."))
    interchange_control_number = models.PositiveIntegerField(null=True, blank=True)
    group_control_number = models.PositiveIntegerField(null=True, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    payer_claim_control_number = models.CharField(max_length=50, blank=True)
    replaces = models.ForeignKey("self", on_delete=models.PROTECT, related_name="replaced_by", null=True, blank=True)
    # A secondary (or tertiary) claim: the earlier payer's claim whose
    # remittance it carries as coordination of benefits.
    primary_claim = models.ForeignKey(
        "self", on_delete=models.PROTECT, related_name="later_claims", null=True, blank=True
    )
    paid = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))
    patient_responsibility = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))
    written_off = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-statement_start", "-pk"]
        indexes = [models.Index(fields=["patient", "payer", "statement_start"])]

    def __str__(self) -> str:
        return f"{self.patient_control_number} {self.claim_type} {self.total} ({self.get_status_display()})"

    @property
    def audit_patient_id(self) -> int:
        return self.patient_id

    @property
    def audit_site_id(self) -> int:
        return self.site_id


class ClaimLine(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="lines")
    charge = models.ForeignKey(Charge, on_delete=models.PROTECT, related_name="claim_lines")
    code = models.CharField(max_length=5)
    modifiers = models.JSONField(default=list, blank=True)
    revenue_code = models.CharField(max_length=4, blank=True)
    units = models.PositiveSmallIntegerField(default=1)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    service_date = models.DateField()
    line_control_number = models.CharField(max_length=30)
    paid = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal(0))
    patient_responsibility = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal(0))
    written_off = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal(0))

    class Meta:
        ordering = ["claim", "service_date", "pk"]

    def __str__(self) -> str:
        return f"{self.line_control_number} {self.service_date} {self.code} {self.amount}"


class Payment(models.Model):
    """One remittance (835 transaction) from a payer: the money, its trace and
    the key that makes importing the same 835 twice a no-op."""

    remittance_key = models.CharField(max_length=120, unique=True)
    payer = models.ForeignKey(Payer, on_delete=models.PROTECT, related_name="payments", null=True, blank=True)
    payer_name = models.CharField(max_length=120)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    method = models.CharField(max_length=4, blank=True)
    paid_on = models.DateField(null=True, blank=True)
    trace_number = models.CharField(max_length=60)
    provider_adjustments = models.JSONField(default=list, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-imported_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.payer_name} {self.trace_number} {self.amount}"


class Posting(models.Model):
    """What one remittance said about one claim (``line`` empty) or one of its
    lines. Adjustments are kept as the payer sent them (group, CARC, amount);
    the sums by what they mean are beside them. A reversal (status 22) is a
    posting with negative amounts that undoes the one it reverses."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="postings")
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="postings")
    line = models.ForeignKey(ClaimLine, on_delete=models.PROTECT, related_name="postings", null=True, blank=True)
    claim_status = models.CharField(_("835 claim status (CLP02)"), max_length=2)
    paid = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))
    written_off = models.DecimalField(_("CO, written off"), max_digits=12, decimal_places=2, default=Decimal(0))
    patient_responsibility = models.DecimalField(_("PR"), max_digits=12, decimal_places=2, default=Decimal(0))
    other_adjustment = models.DecimalField(_("OA and PI"), max_digits=12, decimal_places=2, default=Decimal(0))
    adjustments = models.JSONField(default=list, blank=True)
    is_reversal = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.claim_id} {self.paid} ({self.claim_status})"


class UnmatchedRemittance(models.Model):
    """A claim payment in an 835 that answers no claim we sent: held for a
    person to match by hand, never posted to a guess."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="unmatched")
    patient_control_number = models.CharField(max_length=40)
    claim_status = models.CharField(max_length=2)
    charge = models.DecimalField(max_digits=12, decimal_places=2)
    paid = models.DecimalField(max_digits=12, decimal_places=2)
    patient_name = models.CharField(max_length=120, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.patient_control_number} {self.paid}"
