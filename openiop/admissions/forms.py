# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from openiop.admissions import pipeline
from openiop.admissions.models import ClosedReason, Inquiry, ReferralSource, Stage, Substance
from openiop.admissions.services import INQUIRY_FIELDS
from openiop.core.forms import AsciiIntegerField, validate_phone
from openiop.patients.models import Patient


class InquiryForm(forms.ModelForm[Inquiry]):
    substances = forms.MultipleChoiceField(
        choices=Substance.choices, required=False, widget=forms.CheckboxSelectMultiple, label=_("Substances")
    )
    confirm_not_duplicate = forms.BooleanField(
        required=False, label=_("I checked the possible matches above: this is a new inquiry for a different person.")
    )

    class Meta:
        model = Inquiry
        fields = ["site", *INQUIRY_FIELDS]
        widgets = {
            "birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            "notes": forms.Textarea(attrs={"rows": 4}),
        }

    version = AsciiIntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, sites: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sources = ReferralSource.objects.filter(active=True)
        if self.instance.pk:
            # Editing: the site stays (moving an inquiry between sites is not
            # a correction), nothing to confirm, and a source deactivated
            # since the call stays selectable so saving does not drop it.
            del self.fields["site"]
            del self.fields["confirm_not_duplicate"]
            self.fields["version"].initial = self.instance.version
            if self.instance.referral_source_id:
                sources = ReferralSource.objects.filter(
                    models.Q(active=True) | models.Q(pk=self.instance.referral_source_id)
                )
        else:
            del self.fields["version"]
            cast(forms.ModelChoiceField[Any], self.fields["site"]).queryset = sites
            if sites.count() == 1:
                self.fields["site"].initial = sites.first()
        cast(forms.ModelChoiceField[Any], self.fields["referral_source"]).queryset = sources

    def clean_phone(self) -> str:
        phone = str(self.cleaned_data.get("phone") or "").strip()
        validate_phone(phone)
        return phone

    def inquiry_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in INQUIRY_FIELDS}


class MoveForm(forms.Form):
    """Any stage is accepted here; the pipeline decides, so a refused move
    comes back with its reason rather than a generic "not a valid choice"."""

    to_stage = forms.ChoiceField(label=_("Move to"), choices=Stage.choices)
    closed_reason = forms.ChoiceField(
        label=_("Reason for closing"), choices=[("", "—"), *ClosedReason.choices], required=False
    )
    referred_to = forms.CharField(label=_("Referred to (program or provider)"), max_length=200, required=False)
    existing_patient = forms.ModelChoiceField(
        label=_("On admission, link to this existing chart instead of registering a new one"),
        queryset=Patient.objects.none(),
        required=False,
    )
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    version = AsciiIntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, inquiry: Inquiry, linkable_patients: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("version", inquiry.version)
        super().__init__(*args, **kwargs)
        labels = dict(Stage.choices)
        # Offer the allowed moves, next step first.
        self.fields["to_stage"].widget.choices = [(s, labels[s]) for s in pipeline.allowed_moves(inquiry.stage)]
        cast(forms.ModelChoiceField[Any], self.fields["existing_patient"]).queryset = linkable_patients
        if not linkable_patients.exists():
            del self.fields["existing_patient"]


class ReferralSourceForm(forms.ModelForm[ReferralSource]):
    version = AsciiIntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ReferralSource
        fields = ["name", "kind", "active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        else:
            # A new source is active; deactivating is a later decision.
            del self.fields["version"]
            del self.fields["active"]

    def validate_unique(self) -> None:
        # The service checks the name (regardless of capitals) and puts the
        # message beside the field; the form's own check would double it.
        pass


class SelfCheckAcknowledgeForm(forms.Form):
    # Prefixed: the move form on the same page has a "note" field too.
    prefix = "selfcheck"

    note = forms.CharField(
        label=_("What you did or decided"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: called back at once, gave 988, arranged a same-day withdrawal assessment."),
        error_messages={"required": _("Write what you did or decided; a shared risk is acknowledged with a note.")},
    )
