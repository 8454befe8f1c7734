# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from openiop.admissions import pipeline
from openiop.admissions.models import ClosedReason, Inquiry, ReferralSource, Stage, Substance
from openiop.admissions.services import INQUIRY_FIELDS
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

    def __init__(self, *args: Any, sites: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField[Any], self.fields["site"]).queryset = sites
        if sites.count() == 1:
            self.fields["site"].initial = sites.first()
        cast(forms.ModelChoiceField[Any], self.fields["referral_source"]).queryset = ReferralSource.objects.filter(
            active=True
        )

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
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, inquiry: Inquiry, linkable_patients: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("version", inquiry.version)
        super().__init__(*args, **kwargs)
        labels = dict(Stage.choices)
        # Offer the allowed moves, next step first.
        self.fields["to_stage"].widget.choices = [(s, labels[s]) for s in pipeline.allowed_moves(inquiry.stage)]
        cast(forms.ModelChoiceField[Any], self.fields["existing_patient"]).queryset = linkable_patients
        if not linkable_patients.exists():
            del self.fields["existing_patient"]
