# SPDX-License-Identifier: AGPL-3.0-or-later
"""Ways to pay: income attestations and the sliding fee discounts they
bring, payment plans and their installments, scholarship and grant funds and
their awards.

Money moves only on the ledger (``openiop.ledger``): a discount or an award
is a ledger transaction, and the rows here point at the transaction they
posted. A payment plan posts nothing: the patient's payments on the ledger
fill its installments in order (``arithmetic.allocate_payments``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openiop.assistance import arithmetic
from openiop.billing.models import Charge
from openiop.core.access import RestrictedQuerySet
from openiop.ledger.models import LedgerTransaction
from openiop.patients.models import Patient
from openiop.public import poverty
from openiop.sites.models import Organization, Site

money_validators = [MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal(100000))]


class PatientRecord:
    """Read by the audit log to file events under the patient."""

    patient_id: int

    @property
    def audit_patient_id(self) -> int:
        return self.patient_id


# --- Sliding fee ------------------------------------------------------------------------------------------------------


class IncomeAttestation(PatientRecord, models.Model):
    """What a patient's household earns, as the billing office saw it, and the
    sliding fee discount it brings for one year.

    The guideline and the tiers in force when it was recorded are kept on it,
    so a later change of the program's tiers never changes a discount already
    promised; the arithmetic is the public estimator's (``poverty``)."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="income_attestations")
    household_size = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(poverty.MAX_HOUSEHOLD)]
    )
    annual_income = models.DecimalField(
        _("yearly household income"),
        max_digits=11,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(poverty.MAX_INCOME)],
    )
    saw_pay_stub = models.BooleanField(_("pay stubs"), default=False)
    saw_tax_return = models.BooleanField(_("tax return"), default=False)
    saw_benefits_letter = models.BooleanField(_("benefits letter"), default=False)
    self_attested = models.BooleanField(_("self-attestation (no documents)"), default=False)
    self_attestation_reason = models.CharField(
        max_length=300, blank=True, help_text=_("Why no documents could be seen (required for a self-attestation).")
    )
    attested_on = models.DateField()
    valid_until = models.DateField()
    # The scale as it stood when recorded (poverty.Guideline and poverty.Tier).
    guideline_year = models.PositiveSmallIntegerField()
    region = models.CharField(max_length=2)
    guideline_first_person = models.DecimalField(max_digits=9, decimal_places=2)
    guideline_each_additional = models.DecimalField(max_digits=9, decimal_places=2)
    tiers = models.JSONField(default=list, help_text=_("[max percent, discount percent] pairs in force when recorded."))
    percent_of_guideline = models.DecimalField(max_digits=8, decimal_places=1)
    discount_percent = models.DecimalField(max_digits=5, decimal_places=2)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-attested_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("attested_on")), name="attestation_valid_after_attested"
            ),
        ]

    def __str__(self) -> str:
        return f"Income attestation {self.attested_on:%Y-%m-%d} ({self.discount_percent}% discount)"

    @property
    def documents(self) -> list[str]:
        names = [
            (self.saw_pay_stub, _("pay stubs")),
            (self.saw_tax_return, _("tax return")),
            (self.saw_benefits_letter, _("benefits letter")),
            (self.self_attested, _("self-attestation")),
        ]
        return [str(name) for seen, name in names if seen]

    def guideline(self) -> poverty.Guideline:
        return poverty.Guideline(
            self.guideline_year, self.region, self.guideline_first_person, self.guideline_each_additional
        )

    def scale(self) -> poverty.SlidingScale:
        tiers = [poverty.Tier(Decimal(ceiling), Decimal(discount)) for ceiling, discount in self.tiers]
        return poverty.sliding_scale(
            income=self.annual_income, household_size=self.household_size, guideline=self.guideline(), tiers=tiers
        )

    def is_valid_on(self, day: dt.date) -> bool:
        return self.attested_on <= day <= self.valid_until

    def reverification_due(self, today: dt.date) -> bool:
        return arithmetic.reverification_due(self.valid_until, today)


class SlidingFeeDiscount(PatientRecord, models.Model):
    """The discount taken off one self-pay charge: at most one per charge,
    which is what makes applying the sliding fee twice discount once."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="sliding_fee_discounts")
    charge = models.OneToOneField(Charge, on_delete=models.PROTECT, related_name="sliding_fee_discount")
    attestation = models.ForeignKey(IncomeAttestation, on_delete=models.PROTECT, related_name="discounts")
    discount_percent = models.DecimalField(max_digits=5, decimal_places=2)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    transaction = models.OneToOneField(LedgerTransaction, on_delete=models.PROTECT, related_name="sliding_fee_discount")
    # Set when the charge was voided after the discount and the discount was
    # reversed on the ledger with it.
    reversal = models.OneToOneField(
        LedgerTransaction, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["charge__service_date", "pk"]

    def __str__(self) -> str:
        return f"Sliding fee {self.discount_percent}% on charge {self.charge_id}: {self.amount}"


# --- Payment plans ----------------------------------------------------------------------------------------------------


class PlanStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Paid in full")
    CANCELED = "canceled", _("Canceled")


class PaymentPlan(PatientRecord, models.Model):
    """An agreement to pay AMOUNT of the balance in monthly installments. The
    patient's payments posted on the ledger from the day the plan was made
    fill its installments in order."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="payment_plans")
    amount = models.DecimalField(max_digits=10, decimal_places=2, validators=money_validators)
    months = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(arithmetic.MIN_MONTHS), MaxValueValidator(arithmetic.MAX_MONTHS)]
    )
    first_due = models.DateField(_("first payment due"))
    starts_on = models.DateField(help_text=_("Payments posted from this day count toward the plan."))
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.ACTIVE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    created_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=300, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"], condition=Q(status="active"), name="one_active_plan_per_patient"
            ),
            models.CheckConstraint(
                condition=Q(months__gte=arithmetic.MIN_MONTHS) & Q(months__lte=arithmetic.MAX_MONTHS),
                name="payment_plan_months_in_range",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_plan_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"Payment plan {self.amount} over {self.months} months from {self.first_due:%Y-%m-%d}"


class Installment(models.Model):
    plan = models.ForeignKey(PaymentPlan, on_delete=models.CASCADE, related_name="installments")
    number = models.PositiveSmallIntegerField()
    due_on = models.DateField()
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    # Flagged once by the periodic job when its day passed without it paid in
    # full; kept (as "paid late") if the money arrives afterward.
    missed_at = models.DateTimeField(null=True, blank=True)
    # Claimed by the job before the reminder goes out: never sent twice.
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="installment_number_once_per_plan")]

    def __str__(self) -> str:
        return f"Installment {self.number}: {self.amount} due {self.due_on:%Y-%m-%d}"


class BillingContact(models.Model):
    """How the organization signs what goes to patients about money: a
    billing name that does not reveal the kind of care (42 CFR Part 2), a
    phone number and how to pay. Without one, reminders say "Billing office"."""

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="billing_contact")
    billing_name = models.CharField(
        max_length=120, help_text=_("The name on statements and reminders; it must not reveal the kind of care.")
    )
    phone = models.CharField(max_length=30, blank=True)
    how_to_pay = models.CharField(
        max_length=300, blank=True, help_text=_("For example: by phone, at the front desk, or by check by mail.")
    )

    def __str__(self) -> str:
        return self.billing_name


# --- Scholarships and grants ------------------------------------------------------------------------------------------


class FundKind(models.TextChoices):
    SCHOLARSHIP = "scholarship", _("Scholarship")
    GRANT = "grant", _("Grant")


class Fund(models.Model):
    """Money set aside to pay patients' shares: a foundation's scholarship, a
    state opioid response grant. Its remaining budget is its budget less the
    awards that stand (a reversed award gives its amount back)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="assistance_funds")
    site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        related_name="assistance_funds",
        null=True,
        blank=True,
        help_text=_("Leave blank for a fund every site draws on."),
    )
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=12, choices=FundKind.choices)
    budget = models.DecimalField(max_digits=11, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])
    starts_on = models.DateField()
    ends_on = models.DateField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-ends_on", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="fund_ends_after_start"),
            models.CheckConstraint(condition=Q(budget__gt=0), name="fund_budget_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    def is_open_on(self, day: dt.date) -> bool:
        return self.starts_on <= day <= self.ends_on


class Award(PatientRecord, models.Model):
    """A fund paying part of a patient's share, posted on the ledger as a
    scholarship transaction; reversed (never deleted) if given in error."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="awards")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="assistance_awards")
    amount = models.DecimalField(max_digits=10, decimal_places=2, validators=money_validators)
    reason = models.CharField(max_length=300)
    awarded_on = models.DateField(default=timezone.localdate)
    transaction = models.OneToOneField(LedgerTransaction, on_delete=models.PROTECT, related_name="award")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    created_at = models.DateTimeField(default=timezone.now)
    reversal = models.OneToOneField(
        LedgerTransaction, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    reversed_at = models.DateTimeField(null=True, blank=True)
    reverse_reason = models.CharField(max_length=300, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-awarded_on", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="award_amount_positive")]

    def __str__(self) -> str:
        return f"{self.fund} award {self.amount} ({self.awarded_on:%Y-%m-%d})"

    @property
    def is_reversed(self) -> bool:
        return self.reversed_at is not None
