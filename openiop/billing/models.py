# SPDX-License-Identifier: AGPL-3.0-or-later
"""Fee schedules and charges.

A fee schedule row prices one code for one payer (or self-pay) at one site
(or all sites) over a date range. A charge copies its amounts from the row in
force on its date of service, so changing a fee schedule never alters charges
already made. Charges are made and kept by ``services.charges_sync`` from
attendance, signed notes and drug tests; a charge is never edited: when what
should be charged changes, the charge is voided and a new one ``replaces`` it.
Only its status moves (held <-> ready, then billed or voided), each move
audited.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openiop.billing.rules import BILLED_CODES, CODE_DESCRIPTIONS, describe_hold_reasons
from openiop.core.access import RestrictedQuerySet
from openiop.insurance.models import Authorization, Coverage, Payer, revenue_code_validator
from openiop.patients.models import Episode, Patient
from openiop.sites.models import Organization, Site

BILLED_CODE_CHOICES = [(code, f"{code} {CODE_DESCRIPTIONS[code]}") for code in BILLED_CODES]
money_validator = MinValueValidator(0, _("An amount cannot be negative."))


class FeeSchedule(models.Model):
    """The charge (list price) and the expected (contracted) amount for one
    code, for one payer (blank: self-pay and the default list) at one site
    (blank: every site), from a date until a date (blank: until changed)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="fee_schedules")
    payer = models.ForeignKey(
        Payer,
        on_delete=models.PROTECT,
        related_name="fee_schedules",
        null=True,
        blank=True,
        help_text=_("Leave blank for self-pay (the program's own list)."),
    )
    site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        related_name="fee_schedules",
        null=True,
        blank=True,
        help_text=_("Leave blank for every site."),
    )
    code = models.CharField(_("HCPCS or CPT code"), max_length=5, choices=BILLED_CODE_CHOICES)
    revenue_code = models.CharField(max_length=4, blank=True, validators=[revenue_code_validator])
    charge_amount = models.DecimalField(max_digits=10, decimal_places=2, validators=[money_validator])
    expected_amount = models.DecimalField(
        _("expected (contracted) amount"), max_digits=10, decimal_places=2, validators=[money_validator]
    )
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True, help_text=_("Last day in force; blank until changed."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["payer__name", "code", "-effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=models.F("effective_from")),
                name="fee_schedule_ends_on_or_after_start",
            ),
            models.CheckConstraint(
                condition=Q(charge_amount__gte=0) & Q(expected_amount__gte=0), name="fee_schedule_amounts_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["organization", "code", "effective_from"])]

    def __str__(self) -> str:
        payer = self.payer.name if self.payer_id and self.payer else _("Self-pay")
        return f"{payer} {self.code} {self.charge_amount} from {self.effective_from:%Y-%m-%d}"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.code and self.code not in BILLED_CODES:
            errors["code"] = _("%(code)s is not a code the program bills.") % {"code": self.code}
        if self.effective_from and self.effective_to and self.effective_to < self.effective_from:
            errors["effective_to"] = _("The last day in force cannot be before the first.")
        if errors:
            raise ValidationError(errors)
        if self.code and self.effective_from and self.organization_id:
            overlapping = self.overlapping_rows()
            if overlapping.exists():
                other = overlapping.first()
                raise ValidationError(
                    _(
                        "Another row already prices %(code)s for this payer and site from %(start)s; "
                        "end it before this one starts."
                    )
                    % {"code": self.code, "start": other.effective_from if other else ""}
                )

    def overlapping_rows(self) -> models.QuerySet[FeeSchedule]:
        """Rows for the same payer, site and code whose dates overlap this one's."""
        rows = FeeSchedule.objects.filter(organization_id=self.organization_id, code=self.code)
        # A blank payer or site is a value of its own (self-pay, every site).
        rows = rows.filter(payer__isnull=True) if self.payer_id is None else rows.filter(payer_id=self.payer_id)
        rows = rows.filter(site__isnull=True) if self.site_id is None else rows.filter(site_id=self.site_id)
        rows = rows.filter(Q(effective_to__isnull=True) | Q(effective_to__gte=self.effective_from))
        if self.effective_to is not None:
            rows = rows.filter(effective_from__lte=self.effective_to)
        if self.pk:
            rows = rows.exclude(pk=self.pk)
        return rows

    def in_force_on(self, day: Any) -> bool:
        return bool(self.effective_from <= day and (self.effective_to is None or day <= self.effective_to))


class ChargeKind(models.TextChoices):
    PER_DIEM = "per_diem", _("Per-diem day")
    PROFESSIONAL = "professional", _("Professional service")
    DRUG_TEST = "drug_test", _("Drug test")
    INTAKE = "intake", _("Intake assessment")


class ChargeStatus(models.TextChoices):
    HELD = "held", _("Held")
    READY = "ready", _("Ready to bill")
    VOIDED = "voided", _("Voided")
    BILLED = "billed", _("Billed")


class ChargeQuerySet(RestrictedQuerySet["Charge"]):
    def live(self) -> ChargeQuerySet:
        """Charges that stand (not voided)."""
        return self.exclude(status=ChargeStatus.VOIDED)


class Charge(models.Model):
    """One line to bill: a per-diem day, a professional service, a drug test
    or the intake assessment, with what it was made from."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="charges")
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="charges")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="charges")
    coverage = models.ForeignKey(Coverage, on_delete=models.PROTECT, related_name="charges", null=True, blank=True)
    payer = models.ForeignKey(Payer, on_delete=models.PROTECT, related_name="charges", null=True, blank=True)
    authorization = models.ForeignKey(
        Authorization, on_delete=models.PROTECT, related_name="charges", null=True, blank=True
    )
    fee_schedule = models.ForeignKey(
        FeeSchedule, on_delete=models.PROTECT, related_name="charges", null=True, blank=True
    )
    service_date = models.DateField(_("date of service"))
    kind = models.CharField(max_length=12, choices=ChargeKind.choices)
    code = models.CharField(max_length=5)
    revenue_code = models.CharField(max_length=4, blank=True)
    modifiers = models.JSONField(default=list, blank=True)
    # A professional charge's place of service, from its note (02/10 for
    # telehealth, with modifier 95 or 93); blank: the claim's own place.
    place_of_service = models.CharField(max_length=2, blank=True)
    units = models.PositiveSmallIntegerField(default=1)
    # Copied from the fee schedule row when the charge is made, never after.
    amount = models.DecimalField(max_digits=10, decimal_places=2, default=0, validators=[money_validator])
    expected_amount = models.DecimalField(max_digits=10, decimal_places=2, default=0, validators=[money_validator])
    # What the charge was made from: the attendance rows of a per-diem day,
    # the signed note of a professional charge or intake, the specimen of a
    # drug test, the placement assessment of the intake.
    attendance_ids = models.JSONField(default=list, blank=True)
    note = models.ForeignKey("treatment.Note", on_delete=models.PROTECT, related_name="charges", null=True, blank=True)
    specimen = models.ForeignKey(
        "medications.Specimen", on_delete=models.SET_NULL, related_name="charges", null=True, blank=True
    )
    placement = models.ForeignKey(
        "assessments.PlacementAssessment",
        on_delete=models.PROTECT,
        related_name="charges",
        null=True,
        blank=True,
        help_text=_("The decided placement assessment an intake charge stands on."),
    )
    status = models.CharField(max_length=8, choices=ChargeStatus.choices, default=ChargeStatus.HELD, db_index=True)
    hold_reasons = models.JSONField(default=list, blank=True)
    replaces = models.OneToOneField("self", on_delete=models.PROTECT, related_name="replaced_by", null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ChargeQuerySet.as_manager()

    class Meta:
        ordering = ["-service_date", "kind", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0) & Q(expected_amount__gte=0), name="charge_amounts_not_negative"
            ),
            models.CheckConstraint(
                condition=~Q(status="voided") | Q(voided_at__isnull=False), name="voided_charge_says_when"
            ),
            # One standing per-diem line per patient and day.
            models.UniqueConstraint(
                fields=["patient", "service_date"],
                condition=Q(kind="per_diem") & ~Q(status="voided"),
                name="one_per_diem_charge_per_day",
            ),
        ]
        indexes = [
            models.Index(fields=["patient", "service_date"]),
            models.Index(fields=["status", "service_date"]),
        ]

    def __str__(self) -> str:
        return f"{self.service_date:%Y-%m-%d} {self.code} x{self.units} {self.amount} ({self.get_status_display()})"

    @property
    def hold_reason_texts(self) -> list[str]:
        return describe_hold_reasons(self.hold_reasons)

    @property
    def is_live(self) -> bool:
        return self.status != ChargeStatus.VOIDED

    @property
    def audit_patient_id(self) -> int:
        return self.patient_id

    @property
    def audit_site_id(self) -> int:
        return self.site_id
