# SPDX-License-Identifier: AGPL-3.0-or-later
"""Payers, a patient's coverage, eligibility checks and authorizations.

Payers and their billing set-up are data an administrator keeps (each payer
decides its per-diem rule, its revenue and procedure codes per level of care
and whether it wants an authorization). Coverage, eligibility checks and
authorizations belong to a patient and are reached only through the patient's
scope. The billing app draws authorizations down from attendance; it keeps
``Authorization.units_used`` under a row lock so two saves never lose a unit.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openiop.core.access import RestrictedQuerySet
from openiop.patients.models import Episode, LevelOfCare, Patient
from openiop.sites.models import Organization

# Payers reject member IDs with anything but letters, digits and hyphens
# (X12 element NM109 allows more, but clearinghouses strip or refuse it).
MEMBER_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{1,79}$")
member_id_validator = RegexValidator(
    MEMBER_ID_PATTERN,
    _("A member ID has 2 to 80 letters, digits or hyphens, as printed on the card (no spaces or other signs)."),
)
payer_id_validator = RegexValidator(
    re.compile(r"^[A-Za-z0-9]{2,80}$"), _("A payer ID for claims has 2 to 80 letters or digits.")
)
revenue_code_validator = RegexValidator(re.compile(r"^\d{4}$"), _("A revenue code has four digits, e.g. 0906."))
procedure_code_validator = RegexValidator(
    re.compile(r"^[A-Z0-9]{5}$"), _("A HCPCS or CPT code has five letters or digits, e.g. H0015 or 90853.")
)


class PayerKind(models.TextChoices):
    COMMERCIAL = "commercial", _("Commercial insurance")
    MEDICAID = "medicaid", _("Medicaid or Medicaid managed care")
    MEDICARE = "medicare", _("Medicare")
    TRICARE = "tricare", _("TRICARE")
    OTHER = "other", _("Other (state, county or grant program)")


class ClaimType(models.TextChoices):
    INSTITUTIONAL = "837I", _("Institutional claim (837I, UB-04)")
    PROFESSIONAL = "837P", _("Professional claim (837P, CMS-1500)")


class Payer(models.Model):
    """An insurer or program that pays for care, with the rules it bills by."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="payers")
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=12, choices=PayerKind.choices, default=PayerKind.COMMERCIAL)
    payer_id = models.CharField(
        _("payer ID for claims"),
        max_length=80,
        validators=[payer_id_validator],
        help_text=_("As the clearinghouse lists it."),
    )
    is_medicare = models.BooleanField(
        _("Medicare rules"),
        default=False,
        help_text=_("Claims carry condition code 92, go out in date order, each after the previous remittance."),
    )
    authorization_required = models.BooleanField(default=True)
    timely_filing_days = models.PositiveSmallIntegerField(
        default=90, validators=[MinValueValidator(1), MaxValueValidator(730)]
    )
    # The per-diem rule: a day is billable when it has at least this many
    # attended minutes and its week has at least this many such days and, when
    # set, at least this many attended minutes in all. H0015's own text is
    # 3 h/day on 3 days/week; a Medicaid plan may say 9 h/week over 2 days
    # (0 / 2 / 540), TRICARE at least 2 h/day (120 / 1 / 0).
    per_diem_min_minutes_per_day = models.PositiveSmallIntegerField(
        default=180, validators=[MaxValueValidator(24 * 60)]
    )
    per_diem_min_days_per_week = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(7)]
    )
    per_diem_min_minutes_per_week = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(7 * 24 * 60)]
    )
    # Where a claim to this payer says the care was given. Blank: 13 (hospital
    # outpatient) for Medicare, 89 for a freestanding program; place 57.
    type_of_bill_facility = models.CharField(
        _("type of bill (first two digits)"),
        max_length=2,
        blank=True,
        validators=[RegexValidator(r"^[0-9]{2}$", _("Two digits, e.g. 13 hospital outpatient, 76 CMHC, 89."))],
        help_text=_("837I facility code; blank uses 13 for Medicare, 89 otherwise."),
    )
    place_of_service = models.CharField(
        max_length=2,
        blank=True,
        validators=[RegexValidator(r"^[0-9]{2}$", _("Two digits, e.g. 57, 58, 52, 53, 11."))],
        help_text=_("837P place of service; blank uses 57 (non-residential substance abuse treatment facility)."),
    )
    is_active = models.BooleanField(default=True)
    phone = models.CharField(max_length=30, blank=True, help_text=_("Provider services line, for phone checks."))

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "payer_id"], name="payer_id_unique_per_organization"),
        ]

    def __str__(self) -> str:
        return self.name


class PayerService(models.Model):
    """How a payer wants one level of care billed: claim type and codes."""

    payer = models.ForeignKey(Payer, on_delete=models.CASCADE, related_name="services")
    level_of_care = models.CharField(max_length=4, choices=LevelOfCare.choices)
    claim_type = models.CharField(max_length=4, choices=ClaimType.choices, default=ClaimType.INSTITUTIONAL)
    revenue_code = models.CharField(max_length=4, blank=True, validators=[revenue_code_validator])
    procedure_code = models.CharField(_("HCPCS code"), max_length=5, validators=[procedure_code_validator])

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["payer", "level_of_care"]
        constraints = [
            models.UniqueConstraint(fields=["payer", "level_of_care"], name="one_billing_setup_per_payer_level"),
        ]

    def __str__(self) -> str:
        return f"{self.payer}: {self.get_level_of_care_display()} {self.revenue_code} {self.procedure_code}".strip()

    def clean(self) -> None:
        if self.claim_type == ClaimType.INSTITUTIONAL and not self.revenue_code:
            raise ValidationError({"revenue_code": _("An institutional claim needs a revenue code (e.g. 0906).")})


class CoveragePriority(models.TextChoices):
    PRIMARY = "primary", _("Primary")
    SECONDARY = "secondary", _("Secondary")
    TERTIARY = "tertiary", _("Tertiary")


class SubscriberRelation(models.TextChoices):
    # X12 individual relationship codes (INS02 / PAT01).
    SELF = "18", _("Self")
    SPOUSE = "01", _("Spouse")
    CHILD = "19", _("Child")
    OTHER = "G8", _("Other relationship")


class Coverage(models.Model):
    """A patient's insurance: who pays, for whom, from when to when, and the
    benefits known from the last check. A patient with no coverage in force
    on a day is self-pay for that day."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="coverages")
    payer = models.ForeignKey(Payer, on_delete=models.PROTECT, related_name="coverages")
    plan_name = models.CharField(max_length=120, blank=True)
    member_id = models.CharField(_("member ID"), max_length=80, validators=[member_id_validator])
    group_number = models.CharField(max_length=50, blank=True)
    priority = models.CharField(max_length=10, choices=CoveragePriority.choices, default=CoveragePriority.PRIMARY)
    relation_to_subscriber = models.CharField(
        _("patient's relation to the subscriber"),
        max_length=2,
        choices=SubscriberRelation.choices,
        default=SubscriberRelation.SELF,
    )
    # Only when the subscriber is someone else (a parent, a spouse).
    subscriber_first_name = models.CharField(max_length=100, blank=True)
    subscriber_last_name = models.CharField(max_length=100, blank=True)
    subscriber_birth_date = models.DateField(null=True, blank=True)
    effective_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    # Benefits as known (from the card, a call, or the last 271).
    copay_per_day = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    coinsurance_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    deductible = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    deductible_remaining = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    out_of_pocket_max = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    out_of_pocket_remaining = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    # Card images are stored under MEDIA_ROOT (never public) and served only
    # through an access-checked view.
    card_front = models.FileField(upload_to="coverage-cards/%Y/%m/", blank=True)
    card_back = models.FileField(upload_to="coverage-cards/%Y/%m/", blank=True)
    inquiry_id = models.PositiveBigIntegerField(
        null=True, blank=True, help_text=_("The admissions inquiry this coverage was carried over from.")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["patient", "priority", "-effective_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("effective_date")),
                name="coverage_ends_on_or_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.payer} {self.member_id} ({self.get_priority_display()})"

    def in_force_on(self, day: object) -> bool:
        return self.effective_date <= day and (self.end_date is None or day <= self.end_date)  # type: ignore[operator]

    @property
    def audit_patient_id(self) -> int:
        return self.patient_id

    @property
    def audit_site_id(self) -> int:
        return self.patient.site_id


class SelfPayElection(models.Model):
    """The patient asked us not to bill their insurance from START_DATE (to
    END_DATE, or until withdrawn): HIPAA's right to restrict what a health
    plan is told about care paid for in full out of pocket. While it is in
    force the patient is self-pay whatever coverage is on file: billing
    charges them, not the payer, and no claim goes out."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="self_pay_elections")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True, help_text=_("Blank until the patient withdraws it."))
    reason = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "-pk"]

    def __str__(self) -> str:
        return f"Self-pay by choice from {self.start_date}"

    def in_force_on(self, day: object) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)  # type: ignore[operator]

    @property
    def audit_patient_id(self) -> int:
        return self.patient_id

    @property
    def audit_site_id(self) -> int:
        return self.patient.site_id


class CheckMethod(models.TextChoices):
    PHONE = "phone", _("Phone call to the payer")
    PORTAL = "portal", _("Payer's web portal")
    ELECTRONIC = "electronic", _("Electronic (270/271 through the clearinghouse)")


class EligibilityStatus(models.TextChoices):
    PENDING = "pending", _("Sent, waiting for the answer")
    ACTIVE = "active", _("Coverage active")
    INACTIVE = "inactive", _("Coverage not active")
    REJECTED = "rejected", _("Request rejected by the payer")


class YesNoUnknown(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("Not known")


class EligibilityCheck(models.Model):
    """One verification of eligibility and benefits: who checked, when, how,
    and what was found. An electronic check is a 270 written to the
    clearinghouse outbox, answered by a 271 read from the inbox into the same
    record (matched by its trace number)."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="eligibility_checks")
    coverage = models.ForeignKey(Coverage, on_delete=models.PROTECT, related_name="eligibility_checks")
    method = models.CharField(max_length=12, choices=CheckMethod.choices)
    status = models.CharField(max_length=10, choices=EligibilityStatus.choices)
    service_types = models.JSONField(default=list, blank=True, help_text=_("X12 service type codes, e.g. AI, MH."))
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    checked_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    copay_per_day = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    coinsurance_percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    deductible = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    deductible_remaining = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    out_of_pocket_max = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    authorization_required = models.CharField(max_length=7, choices=YesNoUnknown.choices, default=YesNoUnknown.UNKNOWN)
    reference = models.CharField(
        max_length=80, blank=True, help_text=_("Call reference number, or the portal's confirmation.")
    )
    representative = models.CharField(max_length=100, blank=True, help_text=_("Whom you spoke to, for a call."))
    trace_number = models.CharField(max_length=50, blank=True, db_index=True)
    rejection_reason = models.CharField(max_length=300, blank=True)
    notes = models.TextField(blank=True)
    request_file = models.CharField(max_length=300, blank=True)
    response_file = models.CharField(max_length=300, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-checked_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.coverage}: {self.get_status_display()} ({self.get_method_display()})"

    @property
    def audit_patient_id(self) -> int:
        return self.patient_id

    @property
    def audit_site_id(self) -> int:
        return self.patient.site_id


class AuthorizationUnit(models.TextChoices):
    DAYS = "days", _("Per-diem days")
    SESSIONS = "sessions", _("Sessions")


class AuthorizationStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested, waiting for the payer")
    APPROVED = "approved", _("Approved")
    DENIED = "denied", _("Denied")
    CANCELLED = "cancelled", _("Canceled")


class Authorization(models.Model):
    """A payer's prior authorization: how many units of a service, between
    which dates. ``units_used`` is kept by billing's draw-down (one unit per
    billable day or session charged under it); it is never typed in."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="authorizations")
    coverage = models.ForeignKey(Coverage, on_delete=models.PROTECT, related_name="authorizations")
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="authorizations", null=True, blank=True)
    number = models.CharField(_("authorization number"), max_length=50)
    level_of_care = models.CharField(max_length=4, choices=LevelOfCare.choices, default=LevelOfCare.IOP)
    service_code = models.CharField(
        _("service code"), max_length=5, validators=[procedure_code_validator], help_text=_("e.g. H0015")
    )
    unit = models.CharField(max_length=10, choices=AuthorizationUnit.choices, default=AuthorizationUnit.DAYS)
    units_authorized = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    units_used = models.PositiveIntegerField(default=0, editable=False)
    start_date = models.DateField()
    end_date = models.DateField()
    next_review_date = models.DateField(_("next concurrent review"), null=True, blank=True)
    status = models.CharField(max_length=10, choices=AuthorizationStatus.choices, default=AuthorizationStatus.APPROVED)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["patient", "-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="authorization_ends_on_or_after_start"
            ),
            models.CheckConstraint(condition=models.Q(units_authorized__gte=1), name="authorization_has_units"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.service_code} {self.units_used}/{self.units_authorized}"

    @property
    def units_left(self) -> int:
        return max(self.units_authorized - self.units_used, 0)

    @property
    def used_share(self) -> float:
        return self.units_used / self.units_authorized if self.units_authorized else 1.0

    def covers(self, day: object) -> bool:
        return self.start_date <= day <= self.end_date  # type: ignore[operator]

    @property
    def audit_patient_id(self) -> int:
        return self.patient_id

    @property
    def audit_site_id(self) -> int:
        return self.patient.site_id


class ControlNumberCounter(models.Model):
    """The last interchange (ISA13) and group (GS06) control numbers used per
    sender ID. Taken under a row lock, so two requests never share one."""

    sender_id = models.CharField(max_length=15, unique=True)
    last_interchange = models.PositiveIntegerField(default=0)
    last_group = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.sender_id}: {self.last_interchange}/{self.last_group}"


class CoverageToEnter(models.Model):
    """A patient admitted with insurance named at the inquiry that could not be
    carried over (no active payer of that name, or a member ID payers reject):
    billing enters the coverage by hand. Done when a primary coverage exists."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="coverages_to_enter")
    inquiry_id = models.PositiveBigIntegerField(null=True, blank=True)
    payer_name = models.CharField(max_length=120, blank=True)
    member_id = models.CharField(max_length=80, blank=True)
    plan_name = models.CharField(max_length=120, blank=True)
    reason = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "coverages to enter"

    def __str__(self) -> str:
        return f"{self.patient_id}: {self.payer_name} {self.member_id} ({self.reason})"

    @property
    def audit_patient_id(self) -> int:
        return self.patient_id

    @property
    def audit_site_id(self) -> int:
        return self.patient.site_id


class ClearinghouseFile(models.Model):
    """A file read from the clearinghouse inbox, by its content's SHA-256: the
    same answer read twice is recognised and changes nothing."""

    sha256 = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=8, help_text=_("The transaction set, e.g. 271, 835, 999."))
    imported_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"
