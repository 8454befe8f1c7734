# SPDX-License-Identifier: AGPL-3.0-or-later
"""Forms for the privacy pages. They only shape input: completeness and the
rules of 42 CFR Part 2 are checked by the services (one set of messages)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from openiop.privacy.information import (
    INFORMATION_CHOICES,
    REQUIRED_STATEMENTS,
    STATEMENT_TEXT,
    TPO_PURPOSES,
    Channel,
    ConsentKind,
    ExceptionKind,
    ExpiryKind,
    InformationClass,
    NoticeAcknowledgementKind,
    Purpose,
    RecipientKind,
    RepresentativeRelation,
    RevocationChannel,
    Signer,
    Statement,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
CHECKBOXES = forms.CheckboxSelectMultiple


class ConsentForm(forms.Form):
    """Every element of 42 CFR 2.31, typed. KIND decides which choices apply."""

    discloser = forms.CharField(label=_("Who may disclose (program or organization)"), max_length=200, required=False)
    information = forms.MultipleChoiceField(
        label=_("Information that may be disclosed"), choices=INFORMATION_CHOICES, widget=CHECKBOXES, required=False
    )
    information_detail = forms.CharField(
        label=_("Further description (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: attendance and results from 1 March 2026 onwards."),
    )
    recipient_kind = forms.ChoiceField(
        label=_("Recipient: kind"), choices=[("", "—"), *RecipientKind.choices], required=False
    )
    recipient_organization = forms.CharField(label=_("Recipient: organization"), max_length=200, required=False)
    recipient_name = forms.CharField(
        label=_("Recipient: person (optional)"),
        max_length=150,
        required=False,
        help_text=_("Naming a person limits the consent to that person."),
    )
    purposes = forms.MultipleChoiceField(
        label=_("Purposes"), choices=Purpose.choices, widget=CHECKBOXES, required=False
    )
    purpose_detail = forms.CharField(
        label=_("Purpose in the patient's words (optional)"), max_length=300, required=False
    )
    expiry_kind = forms.ChoiceField(
        label=_("Expires"), choices=ExpiryKind.choices, widget=forms.RadioSelect, required=False
    )
    expires_on = forms.DateField(label=_("Expiry date"), widget=DATE, required=False)
    expiry_event = forms.CharField(
        label=_("Expiry event"), max_length=200, required=False, help_text=_("For example: completion of probation.")
    )
    statements = forms.MultipleChoiceField(label=_("Statements on the signed form"), widget=CHECKBOXES, required=False)
    signer = forms.ChoiceField(
        label=_("Signed by"), choices=Signer.choices, widget=forms.RadioSelect, initial=Signer.PATIENT
    )
    representative_name = forms.CharField(label=_("Representative's name"), max_length=150, required=False)
    representative_relation = forms.ChoiceField(
        label=_("Representative's authority"), choices=[("", "—"), *RepresentativeRelation.choices], required=False
    )
    signed_on = forms.DateField(label=_("Date signed"), widget=DATE, required=False)
    signature_confirmed = forms.BooleanField(label=_("The form carries the signature"), required=False)

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        statements = self.fields["statements"]
        assert isinstance(statements, forms.MultipleChoiceField)
        statements.choices = [
            (code, f"{Statement(code).label}: “{STATEMENT_TEXT[code]}”")
            for code in REQUIRED_STATEMENTS[ConsentKind(kind)]
        ]
        if kind == ConsentKind.TPO:
            for name in ("recipient_kind", "recipient_organization", "recipient_name"):
                del self.fields[name]
            purposes = self.fields["purposes"]
            assert isinstance(purposes, forms.MultipleChoiceField)
            purposes.choices = [(code, label) for code, label in Purpose.choices if code in TPO_PURPOSES]
        else:
            expiry = self.fields["expiry_kind"]
            assert isinstance(expiry, forms.ChoiceField)
            expiry.choices = [(code, label) for code, label in ExpiryKind.choices if code != ExpiryKind.NONE]
        information = self.fields["information"]
        assert isinstance(information, forms.MultipleChoiceField)
        if kind == ConsentKind.COUNSELING_NOTES:
            information.choices = [(InformationClass.COUNSELING_NOTES, InformationClass.COUNSELING_NOTES.label)]
        else:  # counseling notes need their own consent (the service refuses them here too)
            information.choices = [c for c in INFORMATION_CHOICES if c[0] != InformationClass.COUNSELING_NOTES]


class RevocationForm(forms.Form):
    revoked_on = forms.DateField(label=_("Revocation received on"), widget=DATE)
    received_via = forms.ChoiceField(
        label=_("Received by"), choices=[("", "—"), *RevocationChannel.choices], required=False
    )
    note = forms.CharField(label=_("Note (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RestrictionForm(forms.Form):
    requested_on = forms.DateField(label=_("Request received on"), widget=DATE)
    recipient_kind = forms.ChoiceField(
        label=_("Not to be disclosed to: kind"), choices=[("", "—"), *RecipientKind.choices], required=False
    )
    recipient_organization = forms.CharField(label=_("Organization"), max_length=200, required=False)
    recipient_name = forms.CharField(label=_("Person (optional)"), max_length=150, required=False)
    information = forms.MultipleChoiceField(
        label=_("Information (none ticked: everything)"), choices=INFORMATION_CHOICES, widget=CHECKBOXES, required=False
    )
    paid_out_of_pocket = forms.BooleanField(
        label=_("The services were paid in full out of pocket and the patient asks that the health plan not be told"),
        required=False,
    )
    description = forms.CharField(
        label=_("The request in the patient's words"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RestrictionDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("grant", _("Grant")), ("deny", _("Deny"))], widget=forms.RadioSelect
    )
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class BreakGlassForm(forms.Form):
    mrn = forms.CharField(label=_("Medical record number"), max_length=20)
    birth_date = forms.DateField(label=_("Date of birth"), widget=DATE)
    reason = forms.CharField(
        label=_("Why you need this record now"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Your access lasts 4 hours, is recorded, and the privacy officer reviews it."),
    )


class ReviewForm(forms.Form):
    note = forms.CharField(label=_("Review"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class AccountingRequestForm(forms.Form):
    requested_on = forms.DateField(label=_("Request received on"), widget=DATE)


class ProvidedForm(forms.Form):
    provided_on = forms.DateField(label=_("Provided to the patient on"), widget=DATE)


class DisclosureForm(forms.Form):
    """A disclosure about to be made (or made by telephone in an emergency);
    the gate decides whether it may be recorded."""

    recipient_kind = forms.ChoiceField(
        label=_("Recipient: kind"), choices=[("", "—"), *RecipientKind.choices], required=False
    )
    recipient_organization = forms.CharField(label=_("Recipient: organization"), max_length=200, required=False)
    recipient_name = forms.CharField(label=_("Recipient: person"), max_length=150, required=False)
    information = forms.MultipleChoiceField(
        label=_("Information disclosed"), choices=InformationClass.choices, widget=CHECKBOXES, required=False
    )
    description = forms.CharField(
        label=_("What exactly (optional)"),
        max_length=500,
        required=False,
        help_text=_("For example: attendance 1-28 February."),
    )
    basis = forms.ChoiceField(
        label=_("Basis"),
        choices=[("", _("The patient's written consent")), *ExceptionKind.choices],
        required=False,
        help_text=_("An exception needs no consent but is recorded as such, with its particulars."),
    )
    purpose = forms.ChoiceField(
        label=_("Purpose (with consent)"), choices=[("", "—"), *Purpose.choices], required=False
    )
    exception_detail = forms.CharField(
        label=_("Particulars of the exception"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The emergency's nature; the court order's reference; the audit or research named."),
    )
    channel = forms.ChoiceField(label=_("Sent by"), choices=[("", "—"), *Channel.choices], required=False)


class ConsentSignForm(forms.Form):
    """Signed on screen (typed name and the drawn signature, posted by the pad
    as a PNG data URL) or, without a pad, the signed paper form scanned."""

    typed_name = forms.CharField(label=_("Full name, typed by the signer"), max_length=150, required=False)
    signature = forms.CharField(widget=forms.HiddenInput(attrs={"data-signature-value": ""}), required=False)
    scan = forms.FileField(
        label=_("Or upload the signed paper form (PDF, PNG or JPEG, up to 10 MB)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}),
    )


class ReleaseRequestForm(forms.Form):
    received_on = forms.DateField(label=_("Request received on"), widget=DATE)
    due_on = forms.DateField(label=_("Due"), widget=DATE)
    requester_kind = forms.ChoiceField(
        label=_("Requester: kind"), choices=[("", "—"), *RecipientKind.choices], required=False
    )
    requester_organization = forms.CharField(label=_("Requester: organization"), max_length=200, required=False)
    requester_name = forms.CharField(label=_("Requester: person"), max_length=150, required=False)
    information = forms.MultipleChoiceField(
        label=_("Records asked for"), choices=InformationClass.choices, widget=CHECKBOXES, required=False
    )
    purpose = forms.ChoiceField(label=_("Purpose"), choices=[("", "—"), *Purpose.choices], required=False)
    channel = forms.ChoiceField(label=_("Send by"), choices=[("", "—"), *Channel.choices], required=False)
    period_start = forms.DateField(label=_("Records from (optional)"), widget=DATE, required=False)
    period_end = forms.DateField(label=_("Records until (optional)"), widget=DATE, required=False)
    note = forms.CharField(
        label=_("The request in the requester's words"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReleaseRefuseForm(forms.Form):
    reason = forms.CharField(label=_("Why no records go out"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class NoticeAcknowledgementForm(forms.Form):
    given_on = forms.DateField(label=_("Notice given on"), widget=DATE)
    how = forms.ChoiceField(
        label=_("The patient"), choices=NoticeAcknowledgementKind.choices, widget=forms.RadioSelect, required=False
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
