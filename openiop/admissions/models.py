# SPDX-License-Identifier: AGPL-3.0-or-later
"""Admissions: inquiries from the helpline, the website and referrers, and the
stage history of each. The stage rules live in ``pipeline.py``."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openiop.admissions import pipeline, prescreen
from openiop.core.access import RestrictedQuerySet
from openiop.insurance.models import SubscriberRelation
from openiop.patients.models import Episode, Patient, validate_birth_date
from openiop.sites.models import Room, Site


class Stage(models.TextChoices):
    NEW = pipeline.NEW, _("New")
    PRE_SCREEN = pipeline.PRE_SCREEN, _("Pre-screen")
    BENEFITS_CHECK = pipeline.BENEFITS_CHECK, _("Benefits check")
    ASSESSMENT_SCHEDULED = pipeline.ASSESSMENT_SCHEDULED, _("Assessment scheduled")
    ADMITTED = pipeline.ADMITTED, _("Admitted")
    REFERRED = pipeline.REFERRED, _("Referred elsewhere")
    CLOSED = pipeline.CLOSED, _("Closed")


class Channel(models.TextChoices):
    HELPLINE = "helpline", _("Helpline")
    WEBSITE = "website", _("Public website")
    REFERRAL = "referral", _("Referral")


class CallerRelation(models.TextChoices):
    SELF = "self", _("Self")
    PARENT = "parent", _("Parent or guardian")
    SPOUSE = "spouse", _("Spouse or partner")
    CHILD = "child", _("Adult child")
    SIBLING = "sibling", _("Sibling")
    OTHER_FAMILY = "other_family", _("Other family")
    FRIEND = "friend", _("Friend")
    PROFESSIONAL = "professional", _("Professional (referrer, employer, court)")
    OTHER = "other", _("Other")


class ContactMethod(models.TextChoices):
    PHONE = "phone", _("Phone call")
    TEXT = "text", _("Text message")
    EMAIL = "email", _("Email")


class Urgency(models.TextChoices):
    ROUTINE = "routine", _("Routine")
    SOON = "soon", _("Soon (within a few days)")
    URGENT = "urgent", _("Urgent (today)")


class Substance(models.TextChoices):
    ALCOHOL = "alcohol", _("Alcohol")
    OPIOIDS = "opioids", _("Opioids")
    STIMULANTS = "stimulants", _("Stimulants (cocaine, methamphetamine)")
    CANNABIS = "cannabis", _("Cannabis")
    BENZODIAZEPINES = "benzodiazepines", _("Benzodiazepines / sedatives")
    OTHER = "other", _("Other (see notes)")


class Pregnancy(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("Does not know")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class ClosedReason(models.TextChoices):
    UNREACHABLE = "unreachable", _("Could not reach the person")
    DECLINED = "declined", _("Person declined services")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible / needs a different level of care")
    COVERAGE = "coverage", _("No coverage and no payment option")
    CHOSE_ELSEWHERE = "chose_elsewhere", _("Chose another provider")
    DUPLICATE = "duplicate", _("Duplicate inquiry")
    OTHER = "other", _("Other (see note)")


class ReferralSource(models.Model):
    class Kind(models.TextChoices):
        HOSPITAL = "hospital", _("Hospital or emergency department")
        PHYSICIAN = "physician", _("Physician or clinic")
        RESIDENTIAL = "residential", _("Residential or inpatient program (step-down)")
        COURT = "court", _("Court or probation")
        EMPLOYER = "employer", _("Employer or EAP")
        SCHOOL = "school", _("School")
        COMMUNITY = "community", _("Community or peer organization")
        ONLINE = "online", _("Online search or directory")
        OTHER = "other", _("Other")

    name = models.CharField(max_length=150, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Offered on new inquiries. Inactive sources keep their history.")
    )
    # Optimistic locking, as on Patient and Inquiry.
    version = models.PositiveIntegerField(default=1)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Inquiry(models.Model):
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="inquiries")
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.HELPLINE)
    caller_name = models.CharField(max_length=150)
    caller_relation = models.CharField(
        _("caller's relation to the person"), max_length=20, choices=CallerRelation.choices, default=CallerRelation.SELF
    )
    first_name = models.CharField(_("person's first name"), max_length=100)
    last_name = models.CharField(_("person's last name"), max_length=100)
    birth_date = models.DateField(
        _("person's date of birth"),
        null=True,
        blank=True,
        validators=[validate_birth_date],
        help_text=_("Needed before admission."),
    )
    phone = models.CharField(max_length=30, blank=True)
    # Digits only, for duplicate matching whatever way the number was typed.
    phone_digits = models.CharField(max_length=30, blank=True, editable=False, db_index=True)
    email = models.EmailField(blank=True)
    preferred_contact = models.CharField(
        _("preferred contact method"), max_length=10, choices=ContactMethod.choices, default=ContactMethod.PHONE
    )
    consent_to_contact = models.BooleanField(
        _("consents to be contacted"),
        default=False,
        help_text=_("The person (or caller) agrees that we call, text or email back by the chosen method."),
    )
    substances = models.JSONField(default=list, blank=True)
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    insurance_payer = models.CharField(max_length=120, blank=True)
    insurance_member_id = models.CharField(_("insurance member ID"), max_length=60, blank=True)
    insurance_plan = models.CharField(max_length=120, blank=True)
    referral_source = models.ForeignKey(
        ReferralSource, on_delete=models.PROTECT, related_name="inquiries", null=True, blank=True
    )
    notes = models.TextField(blank=True)

    # Pre-screen (structured; a "yes" to a safety question is escalated at once, see prescreen.py).
    last_use_date = models.DateField(_("date of last use"), null=True, blank=True)
    screen_suicidal_thoughts = models.BooleanField(
        _("thoughts of suicide or of harming themselves in the past month"), null=True, blank=True
    )
    screen_medical_emergency = models.BooleanField(
        _("a medical emergency now (overdose, chest pain, trouble breathing, seizure, confusion)"),
        null=True,
        blank=True,
    )
    screen_severe_withdrawal = models.BooleanField(
        _("severe withdrawal now or before (seizures, hallucinations, DTs, heavy shaking or sweating)"),
        null=True,
        blank=True,
    )
    pregnancy = models.CharField(_("pregnant"), max_length=16, choices=Pregnancy.choices, blank=True)
    current_treatment = models.TextField(
        _("current treatment and medications"),
        blank=True,
        help_text=_("For example buprenorphine from Dr. Lee, methadone clinic, a counselor, none."),
    )
    prescreened_at = models.DateTimeField(null=True, blank=True)
    prescreened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    # Benefits check. Named as the insurance app reads them when it carries
    # the coverage over on admission (X12 relationship codes, as on Coverage).
    insurance_group_number = models.CharField(_("group number"), max_length=50, blank=True)
    insurance_subscriber_relation = models.CharField(
        _("person's relation to the subscriber"),
        max_length=2,
        choices=SubscriberRelation.choices,
        default=SubscriberRelation.SELF,
    )
    insurance_subscriber_first_name = models.CharField(_("subscriber's first name"), max_length=100, blank=True)
    insurance_subscriber_last_name = models.CharField(_("subscriber's last name"), max_length=100, blank=True)
    insurance_subscriber_birth_date = models.DateField(
        _("subscriber's date of birth"), null=True, blank=True, validators=[validate_birth_date]
    )
    benefits_checked_at = models.DateTimeField(null=True, blank=True)
    benefits_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    # Assessment booked when the inquiry moved to "assessment scheduled".
    assessment_clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assessments_booked", null=True, blank=True
    )
    assessment_room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    assessment_start = models.DateTimeField(null=True, blank=True)
    assessment_end = models.DateTimeField(null=True, blank=True)

    # The episode of care opened when the inquiry was admitted, and the track chosen then.
    episode = models.OneToOneField(
        Episode, on_delete=models.PROTECT, related_name="admitted_from", null=True, blank=True
    )
    track = models.ForeignKey("scheduling.Track", on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    stage = models.CharField(max_length=24, choices=Stage.choices, default=Stage.NEW, db_index=True)
    stage_changed_at = models.DateTimeField(default=timezone.now)
    closed_reason = models.CharField(max_length=20, choices=ClosedReason.choices, blank=True)
    referred_to = models.CharField(_("referred to"), max_length=200, blank=True)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="inquiries", null=True, blank=True)
    # A default rather than auto_now_add, so demo data can carry a history.
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="inquiries_created", null=True, blank=True
    )
    # Optimistic locking, as on Patient: a move based on an old page is refused.
    version = models.PositiveIntegerField(default=1)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "inquiries"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["site", "stage"]),
            models.Index(fields=["last_name", "first_name", "birth_date"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(stage=pipeline.CLOSED) | ~models.Q(closed_reason=""),
                name="inquiry_closed_has_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(stage=pipeline.REFERRED) | ~models.Q(referred_to=""),
                name="inquiry_referred_says_where",
            ),
        ]

    def __str__(self) -> str:
        return f"Inquiry {self.pk}: {self.person_name}"

    @property
    def person_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def is_open(self) -> bool:
        return pipeline.is_open(self.stage)

    # The names the insurance app's brief used, for readers that ask for them.
    @property
    def subscriber_first_name(self) -> str:
        return self.insurance_subscriber_first_name

    @property
    def subscriber_last_name(self) -> str:
        return self.insurance_subscriber_last_name

    @property
    def subscriber_birth_date(self) -> dt.date | None:
        return self.insurance_subscriber_birth_date

    @property
    def subscriber_relation(self) -> str:
        return self.insurance_subscriber_relation

    @property
    def is_overdue(self) -> bool:
        """Open, urgent or soon, and past the time its next step was due."""
        return self.is_open and prescreen.is_overdue(self.urgency, self.stage_changed_at, timezone.now())

    @property
    def due_at(self) -> dt.datetime | None:
        return prescreen.due_at(self.urgency, self.stage_changed_at) if self.is_open else None

    def escalations(self) -> list[prescreen.Escalation]:
        return prescreen.escalations(
            suicidal_thoughts=self.screen_suicidal_thoughts,
            medical_emergency=self.screen_medical_emergency,
            severe_withdrawal=self.screen_severe_withdrawal,
            pregnant=self.pregnancy,
            substances=list(self.substances or []),
        )

    def substance_labels(self) -> list[str]:
        labels = dict(Substance.choices)
        return [str(labels.get(code, code)) for code in self.substances]

    def clean(self) -> None:
        unknown = set(self.substances or []) - set(Substance.values)
        if unknown:
            raise ValidationError({"substances": _("Unknown substance codes: %(codes)s") % {"codes": sorted(unknown)}})
        if self.preferred_contact == ContactMethod.EMAIL and not self.email:
            raise ValidationError({"email": _("Email is the preferred contact method; give an address.")})
        if self.preferred_contact in (ContactMethod.PHONE, ContactMethod.TEXT) and not self.phone:
            raise ValidationError({"phone": _("Give a phone number for the preferred contact method.")})
        if self.last_use_date and self.last_use_date > timezone.localdate():
            raise ValidationError({"last_use_date": _("The date of last use cannot be in the future.")})
        if self.assessment_start and self.assessment_end and self.assessment_end <= self.assessment_start:
            raise ValidationError({"assessment_end": _("The assessment must end after it starts.")})


class StageChange(models.Model):
    """One move of one inquiry: who, when, from where to where. Creation is
    recorded too, with an empty ``from_stage``."""

    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=24, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=24, choices=Stage.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="inquiry_stage_changes", null=True, blank=True
    )
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_stage or '-'} -> {self.to_stage} at {self.at:%Y-%m-%d %H:%M}"

    @property
    def audit_site_id(self) -> int:
        return int(self.inquiry.site_id)


class SelfCheckOutcome(models.TextChoices):
    """The public self-check's outcome codes (``openiop.public.selfcheck``),
    most urgent first, as a person may choose to send them with a request."""

    CRISIS = "crisis", _("Possible suicide or self-harm risk (shown 988)")
    EMERGENCY = "emergency", _("Possible medical emergency (shown 911)")
    WITHDRAWAL = "withdrawal", _("Possible severe withdrawal risk (advised a medical assessment)")
    GOOD_FIT = "good_fit", _("IOP looks like a good fit")
    POSSIBLE_FIT = "possible_fit", _("IOP may fit, with extra support")
    MORE_STRUCTURE = "more_structure", _("More structure may help at first")


# The outcomes that mean a safety risk was shared.
RISK_OUTCOMES = (SelfCheckOutcome.CRISIS, SelfCheckOutcome.EMERGENCY, SelfCheckOutcome.WITHDRAWAL)


class SelfCheckShare(models.Model):
    """The self-check result a person chose to send with a website request.

    Kept as data rather than a line in the notes, so that only the roles
    granted ``admissions.selfcheck`` (navigators and clinical staff) read the
    outcome; others who may read the inquiry (billing, the front desk) see only
    that a risk was shared. A shared risk stays on those roles' dashboards
    until someone acknowledges it with a note.
    """

    inquiry = models.OneToOneField(Inquiry, on_delete=models.PROTECT, related_name="selfcheck_share")
    outcomes = models.JSONField(default=list)  # SelfCheckOutcome values, most urgent first
    risk = models.BooleanField(default=False)
    shared_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    acknowledgement_note = models.TextField(blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["shared_at", "pk"]
        indexes = [models.Index(fields=["risk", "acknowledged_at"])]

    def __str__(self) -> str:
        return f"Self-check shared with inquiry {self.inquiry_id}: {'+'.join(self.outcomes)}"

    @property
    def is_open(self) -> bool:
        """A shared risk nobody has acknowledged yet."""
        return self.risk and self.acknowledged_at is None

    def outcome_labels(self) -> list[str]:
        labels = dict(SelfCheckOutcome.choices)
        return [str(labels.get(code, code)) for code in self.outcomes]

    def has(self, outcome: str) -> bool:
        return outcome in self.outcomes

    @property
    def suicide_risk(self) -> bool:
        return self.has(SelfCheckOutcome.CRISIS)

    @property
    def emergency(self) -> bool:
        return self.has(SelfCheckOutcome.EMERGENCY)

    @property
    def withdrawal_risk(self) -> bool:
        return self.has(SelfCheckOutcome.WITHDRAWAL)

    @property
    def audit_site_id(self) -> int:
        return int(self.inquiry.site_id)
