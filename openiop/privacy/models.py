# SPDX-License-Identifier: AGPL-3.0-or-later
"""42 CFR Part 2 privacy as data: consents, disclosures, restrictions,
emergency access and accounting requests.

Nothing here is deleted or rewritten: a consent is revoked (date, how it was
received, who recorded it), a restriction request is decided once, an
emergency access expires by itself and is reviewed by the privacy officer.
Every disclosure keeps the notice and the scope explanation that went with it.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openiop.core.access import RestrictedQuerySet
from openiop.patients.models import Patient
from openiop.privacy.gate import ConsentTerms, Recipient, RestrictionTerms
from openiop.privacy.information import (
    TPO_RECIPIENT_WORDING,
    Channel,
    ConsentKind,
    ExceptionKind,
    ExpiryKind,
    NoticeAcknowledgementKind,
    NoticeForm,
    Purpose,
    RecipientKind,
    RepresentativeRelation,
    RevocationChannel,
    SignatureMethod,
    Signer,
    expand_information,
    information_labels,
)
from openiop.sites.models import Organization


class PrivacySettings(models.Model):
    """Per organization: which 42 CFR 2.32 notice goes with disclosures, and
    where break-the-glass alerts are mailed besides the privacy officers."""

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="privacy_settings")
    notice_form = models.CharField(
        _("notice sent with disclosures"), max_length=10, choices=NoticeForm.choices, default=NoticeForm.LONG
    )
    alert_email = models.EmailField(_("also alert"), blank=True, help_text=_("For example privacy@example.org."))

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "privacy settings"

    def __str__(self) -> str:
        return f"{self.organization}: {self.get_notice_form_display()}"


def _recipients_from(rows: list[dict[str, str]]) -> tuple[Recipient, ...]:
    return tuple(Recipient(row.get("kind", ""), row.get("organization", ""), row.get("name", "")) for row in rows)


class ConsentQuerySet(RestrictedQuerySet["Consent"]):
    def signed_by(self, day: dt.date) -> ConsentQuerySet:
        return self.filter(signed_on__lte=day)

    def not_revoked_on(self, day: dt.date) -> ConsentQuerySet:
        return self.filter(models.Q(revoked_on__isnull=True) | models.Q(revoked_on__gt=day))


class Consent(models.Model):
    """A written consent with every element of 42 CFR 2.31."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="consents")
    kind = models.CharField(max_length=20, choices=ConsentKind.choices)
    discloser = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", help_text=_("Who may disclose.")
    )
    discloser_name = models.CharField(_("who may disclose"), max_length=200)
    information = models.JSONField(_("information to be disclosed"), default=list)
    information_detail = models.TextField(_("further description of the information"), blank=True)
    recipients = models.JSONField(default=list, blank=True, help_text=_("Named recipients: kind, organization, name."))
    recipient_class = models.TextField(_("recipients as a class"), blank=True)
    purposes = models.JSONField(default=list)
    purpose_detail = models.TextField(blank=True)
    expiry_kind = models.CharField(max_length=20, choices=ExpiryKind.choices)
    expires_on = models.DateField(null=True, blank=True)
    expiry_event = models.CharField(max_length=200, blank=True)
    expiry_event_on = models.DateField(
        null=True, blank=True, help_text=_("When the expiry event was recorded as having happened.")
    )
    statements = models.JSONField(default=list, help_text=_("The statements the form carried: code and text."))
    signed_on = models.DateField()
    signer = models.CharField(max_length=20, choices=Signer.choices, default=Signer.PATIENT)
    representative_name = models.CharField(max_length=150, blank=True)
    representative_relation = models.CharField(max_length=30, choices=RepresentativeRelation.choices, blank=True)
    # Filled when the patient signs on screen (typed name and drawn signature,
    # rendered to PDF) or the signed paper form is scanned in; the hashes prove
    # the files were not changed after signing (they are never rewritten).
    signature_method = models.CharField(max_length=10, choices=SignatureMethod.choices, blank=True)
    signature_name = models.CharField(_("name typed by the signer"), max_length=150, blank=True)
    signature_captured_at = models.DateTimeField(null=True, blank=True)
    signature_image = models.FileField(upload_to="privacy/signatures/", blank=True)
    signature_sha256 = models.CharField(max_length=64, blank=True)
    document = models.FileField(upload_to="privacy/consents/", blank=True)
    document_sha256 = models.CharField(max_length=64, blank=True)
    revoked_on = models.DateField(null=True, blank=True)
    revocation_received_via = models.CharField(max_length=20, choices=RevocationChannel.choices, blank=True)
    revocation_note = models.TextField(blank=True)
    revocation_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    revocation_recorded_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-signed_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__isnull=True) | models.Q(expires_on__gte=models.F("signed_on")),
                name="consent_expires_after_signing",
            ),
            models.CheckConstraint(
                condition=models.Q(revoked_on__isnull=True) | models.Q(revoked_on__gte=models.F("signed_on")),
                name="consent_revoked_after_signing",
            ),
            models.CheckConstraint(
                condition=~models.Q(expiry_kind=ExpiryKind.NONE) | models.Q(kind=ConsentKind.TPO),
                name="consent_only_tpo_never_expires",
            ),
            models.CheckConstraint(
                condition=models.Q(revoked_on__isnull=True)
                | (models.Q(revocation_recorded_by__isnull=False) & ~models.Q(revocation_received_via="")),
                name="consent_revocation_attributed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.signed_on:%Y-%m-%d})"

    @property
    def audit_site_id(self) -> int:
        return self.patient.site_id

    def recipient_list(self) -> tuple[Recipient, ...]:
        return _recipients_from(self.recipients)

    def terms(self, *, treatment_ended_on: dt.date | None = None) -> ConsentTerms:
        """The consent as the gate reads it."""
        return ConsentTerms(
            consent_id=self.pk,
            kind=self.kind,
            recipients=self.recipient_list(),
            purposes=frozenset(self.purposes),
            information=expand_information(self.information),
            signed_on=self.signed_on,
            expiry_kind=self.expiry_kind,
            expires_on=self.expires_on,
            treatment_ended_on=treatment_ended_on,
            expiry_event_on=self.expiry_event_on,
            revoked_on=self.revoked_on,
        )

    # --- For pages ---------------------------------------------------------

    @property
    def information_display(self) -> str:
        return information_labels(self.information)

    @property
    def recipients_display(self) -> str:
        if self.kind == ConsentKind.TPO:
            return self.recipient_class or str(TPO_RECIPIENT_WORDING)
        return "; ".join(str(recipient) for recipient in self.recipient_list())

    @property
    def purposes_display(self) -> str:
        labels = [str(Purpose(code).label) for code in Purpose.values if code in self.purposes]
        return ", ".join(labels) + (f" ({self.purpose_detail})" if self.purpose_detail else "")

    @property
    def expiry_display(self) -> str:
        if self.expiry_kind == ExpiryKind.DATE and self.expires_on:
            return f"{self.expires_on:%Y-%m-%d}"
        if self.expiry_kind == ExpiryKind.EVENT:
            return self.expiry_event
        return str(self.get_expiry_kind_display())


class Disclosure(models.Model):
    """One release of Part 2 records: who, to whom, what, why, when, under
    which consent or exception, by which channel, with the notice sent."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="disclosures")
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="disclosures", null=True, blank=True)
    exception = models.CharField(max_length=20, choices=ExceptionKind.choices, blank=True)
    exception_detail = models.TextField(
        blank=True, help_text=_("The emergency's nature, the court order's reference, the audit or research named.")
    )
    recipient_kind = models.CharField(max_length=20, choices=RecipientKind.choices)
    recipient_organization = models.CharField(max_length=200, blank=True)
    recipient_name = models.CharField(max_length=150, blank=True)
    purpose = models.CharField(max_length=20, choices=Purpose.choices, blank=True)
    information = models.JSONField(default=list)
    description = models.TextField(blank=True, help_text=_("What was sent, e.g. attendance 1-28 February."))
    channel = models.CharField(max_length=24, choices=Channel.choices)
    disclosed_at = models.DateTimeField(default=timezone.now)
    disclosed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    notice_form = models.CharField(max_length=10, choices=NoticeForm.choices, blank=True)
    notice_text = models.TextField(blank=True)
    scope_explanation = models.TextField(blank=True)
    document_sha256 = models.CharField(max_length=64, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-disclosed_at", "-pk"]
        indexes = [models.Index(fields=["patient", "disclosed_at"])]
        constraints = [
            # Exactly one basis: a consent or a Part 2 exception.
            models.CheckConstraint(
                condition=(models.Q(consent__isnull=False) & models.Q(exception=""))
                | (models.Q(consent__isnull=True) & ~models.Q(exception="")),
                name="disclosure_has_one_basis",
            ),
            models.CheckConstraint(
                condition=models.Q(consent__isnull=True) | ~models.Q(notice_text=""),
                name="disclosure_with_consent_carries_notice",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient} {self.disclosed_at:%Y-%m-%d}"

    @property
    def audit_site_id(self) -> int:
        return self.patient.site_id

    @property
    def recipient(self) -> Recipient:
        return Recipient(self.recipient_kind, self.recipient_organization, self.recipient_name)

    @property
    def information_display(self) -> str:
        return information_labels(self.information)


class RestrictionRequest(models.Model):
    """A patient's request to restrict disclosures (42 CFR 2.26), decided once."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        GRANTED = "granted", _("Granted")
        DENIED = "denied", _("Denied")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="restriction_requests")
    requested_on = models.DateField()
    recipient_kind = models.CharField(max_length=20, choices=RecipientKind.choices)
    recipient_organization = models.CharField(max_length=200, blank=True)
    recipient_name = models.CharField(max_length=150, blank=True)
    information = models.JSONField(default=list, blank=True, help_text=_("Empty: everything."))
    paid_out_of_pocket = models.BooleanField(
        _("services paid in full out of pocket"),
        default=False,
        help_text=_("A request not to tell a health plan about them must be honored."),
    )
    description = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="pending")
                | (models.Q(decided_by__isnull=False) & ~models.Q(decision_reason="")),
                name="restriction_decision_attributed",
            ),
            models.CheckConstraint(
                condition=~models.Q(paid_out_of_pocket=True, status="denied"),
                name="restriction_out_of_pocket_never_denied",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient} ({self.get_status_display()})"

    @property
    def audit_site_id(self) -> int:
        return self.patient.site_id

    @property
    def recipient(self) -> Recipient:
        return Recipient(self.recipient_kind, self.recipient_organization, self.recipient_name)

    @property
    def information_display(self) -> str:
        return information_labels(self.information) if self.information else str(_("Everything"))

    def terms(self) -> RestrictionTerms:
        return RestrictionTerms(
            restriction_id=self.pk,
            recipient=self.recipient,
            information=expand_information(self.information),
            out_of_pocket=self.paid_out_of_pocket,
        )


class EmergencyAccess(models.Model):
    """ "Break the glass": a staff member without access to a patient opens the
    record for a few hours, giving a reason; the privacy officer reviews it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="emergency_accesses")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="emergency_accesses")
    reason = models.TextField()
    started_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["user", "expires_at"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(expires_at__gt=models.F("started_at")), name="emergency_ends")
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.patient_id} ({self.started_at:%Y-%m-%d %H:%M})"

    @property
    def audit_site_id(self) -> int:
        return self.patient.site_id

    @property
    def is_active(self) -> bool:
        return self.started_at <= timezone.now() < self.expires_at


class AccountingRequest(models.Model):
    """A patient's request for an accounting of disclosures (42 CFR 2.24/2.25),
    answered within 30 days."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="accounting_requests")
    requested_on = models.DateField()
    due_on = models.DateField()
    provided_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(due_on__gte=models.F("requested_on")), name="accounting_due_after"
            )
        ]

    def __str__(self) -> str:
        return f"{self.patient_id} {self.requested_on:%Y-%m-%d}"

    @property
    def audit_site_id(self) -> int:
        return self.patient.site_id


class ExpiryDigest(models.Model):
    """One row per day the expiring-consents digest went out: the unique day
    makes it once a day however many workers run."""

    day = models.DateField(unique=True)
    sent_at = models.DateTimeField(default=timezone.now)
    officers = models.PositiveIntegerField(default=0)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d}: {self.officers}"


class PatientNotice(models.Model):
    """The plain-language notice of 42 CFR 2.22 an organization gives at
    admission, kept as data so the program edits it without a release."""

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="patient_notice")
    program_name = models.CharField(_("program name in the heading"), max_length=200)
    privacy_officer_name = models.CharField(_("privacy officer"), max_length=150)
    privacy_officer_contact = models.CharField(
        _("privacy officer's contact"), max_length=300, help_text=_("Telephone, e-mail or address.")
    )
    text = models.TextField(_("notice (English)"))
    text_es = models.TextField(_("notice (Spanish)"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    def __str__(self) -> str:
        return self.heading

    @property
    def heading(self) -> str:
        return f"Notice of Privacy Practices of {self.program_name}"


class NoticeAcknowledgement(models.Model):
    """The notice given to a patient: who gave it, when, how the patient
    acknowledged it, and the exact words given."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="notice_acknowledgements")
    given_on = models.DateField()
    how = models.CharField(max_length=10, choices=NoticeAcknowledgementKind.choices)
    note = models.TextField(blank=True)
    language = models.CharField(max_length=5, default="en")
    heading = models.CharField(max_length=250)
    text = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-given_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.heading} ({self.given_on:%Y-%m-%d}, {self.get_how_display()})"

    @property
    def audit_site_id(self) -> int:
        return self.patient.site_id


class ReleaseRequest(models.Model):
    """A request from an outside party for records (release of information):
    who asks, for what, why and by when; answered with one packet that went
    through the gate, or refused."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RELEASED = "released", _("Released")
        REFUSED = "refused", _("Refused")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="release_requests")
    received_on = models.DateField(_("request received on"))
    due_on = models.DateField(_("due"))
    requester_kind = models.CharField(_("requester: kind"), max_length=20, choices=RecipientKind.choices)
    requester_organization = models.CharField(_("requester: organization"), max_length=200, blank=True)
    requester_name = models.CharField(_("requester: person"), max_length=150, blank=True)
    information = models.JSONField(_("records asked for"), default=list)
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    channel = models.CharField(_("send by"), max_length=24, choices=Channel.choices)
    period_start = models.DateField(_("records from"), null=True, blank=True)
    period_end = models.DateField(_("records until"), null=True, blank=True)
    note = models.TextField(_("the request in the requester's words"), blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    refusal_reason = models.TextField(blank=True)
    disclosure = models.OneToOneField(
        Disclosure, on_delete=models.PROTECT, related_name="release_request", null=True, blank=True
    )
    packet = models.FileField(upload_to="privacy/packets/", blank=True)
    packet_sha256 = models.CharField(max_length=64, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(due_on__gte=models.F("received_on")), name="release_due_after"),
            models.CheckConstraint(
                condition=~models.Q(status="released")
                | (models.Q(disclosure__isnull=False) & ~models.Q(packet_sha256="")),
                name="release_has_disclosure_and_packet",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.requester} {self.received_on:%Y-%m-%d}"

    @property
    def audit_site_id(self) -> int:
        return self.patient.site_id

    @property
    def requester(self) -> Recipient:
        return Recipient(self.requester_kind, self.requester_organization, self.requester_name)

    @property
    def information_display(self) -> str:
        return information_labels(self.information)
