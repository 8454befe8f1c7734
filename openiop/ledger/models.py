# SPDX-License-Identifier: AGPL-3.0-or-later
"""Money on a patient's account that no other app records.

A patient's ledger is read, not kept: its entries are the charges (billing),
the payers' payments and adjustments (claims' postings from 835s) and the
transactions below, put in date order with a running balance per responsible
party by ``openiop.ledger.accounts`` (pure). Keeping a second copy of charges
and postings here would let the two disagree.

A transaction is never edited or deleted: a mistake is undone by a reversing
transaction (``reverses``) of the same amount, both on the record.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openiop.core.access import RestrictedQuerySet
from openiop.insurance.models import Payer
from openiop.patients.models import Episode, Patient
from openiop.sites.models import Site


class TransactionKind(models.TextChoices):
    PATIENT_PAYMENT = "payment", _("Patient payment")
    REFUND = "refund", _("Refund to the patient")
    FINANCING = "financing", _("Financing (outside lender's payment)")
    SCHOLARSHIP = "scholarship", _("Scholarship or grant award")
    SLIDING_FEE = "sliding_fee", _("Sliding fee discount")
    ADJUSTMENT = "adjustment", _("Adjustment")


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    CHECK = "check", _("Check")
    CARD = "card", _("Card (on a terminal)")
    ACH = "ach", _("Bank transfer")
    LENDER = "lender", _("Lender")
    FUND = "fund", _("Fund")
    NONE = "", _("None")


class LedgerTransactionQuerySet(RestrictedQuerySet["LedgerTransaction"]):
    pass


class LedgerTransaction(models.Model):
    """One payment, refund, award, discount or adjustment on a patient's account.

    ``amount`` is always positive; the kind says which way it moves the
    balance (``openiop.ledger.accounts``). ``payer`` names the responsible
    party whose balance moves: blank for the patient (guarantor)."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="ledger_transactions")
    episode = models.ForeignKey(
        Episode, on_delete=models.PROTECT, related_name="ledger_transactions", null=True, blank=True
    )
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="ledger_transactions")
    payer = models.ForeignKey(
        Payer,
        on_delete=models.PROTECT,
        related_name="ledger_transactions",
        null=True,
        blank=True,
        help_text=_("The responsible party whose balance this moves; blank for the patient."),
    )
    kind = models.CharField(max_length=12, choices=TransactionKind.choices)
    amount = models.DecimalField(max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])
    method = models.CharField(max_length=6, choices=PaymentMethod.choices, blank=True)
    reference = models.CharField(
        max_length=60,
        blank=True,
        help_text=_(
            "Check number, the card terminal's authorization code or the lender's loan number. Never card data."
        ),
    )
    memo = models.CharField(max_length=300, blank=True)
    posted_on = models.DateField(default=timezone.localdate)
    reverses = models.OneToOneField("self", on_delete=models.PROTECT, related_name="reversed_by", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    created_at = models.DateTimeField(default=timezone.now)
    # The key the form was shown with: a second submission of the same form
    # (a double click, the browser's resend) finds this row and posts nothing.
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    objects = LedgerTransactionQuerySet.as_manager()

    class Meta:
        ordering = ["posted_on", "id"]
        indexes = [models.Index(fields=["patient", "posted_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="ledger_transaction_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} ({self.posted_on})"

    # Read by the audit log to file events under the patient.
    @property
    def audit_patient_id(self) -> int:
        return self.patient_id

    @property
    def audit_site_id(self) -> int:
        return self.site_id
