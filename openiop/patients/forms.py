# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openiop.accounts.models import User
from openiop.core.forms import AsciiIntegerField, validate_phone
from openiop.patients.models import (
    AllergySeverity,
    Episode,
    LevelOfCare,
    NextLevelOfCare,
    Patient,
    RecoverySupport,
    TedsDischargeReason,
)
from openiop.patients.services import PATIENT_FIELDS
from openiop.sites.models import Site


def _choices(form: forms.BaseForm, name: str) -> forms.ModelChoiceField[Any]:
    return cast("forms.ModelChoiceField[Any]", form.fields[name])


class PatientForm(forms.ModelForm[Patient]):
    version = AsciiIntegerField(widget=forms.HiddenInput, required=False)
    confirm_not_duplicate = forms.BooleanField(
        required=False, label=_("I checked the possible matches below: this is a different person.")
    )

    class Meta:
        model = Patient
        fields = ["site", *PATIENT_FIELDS]
        widgets = {"birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args: Any, sites: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "site").queryset = sites
        self.fields["site"].label = _("Home site")
        if self.instance.pk:
            del self.fields["site"]
            del self.fields["confirm_not_duplicate"]
            self.fields["version"].initial = self.instance.version

    def clean_phone(self) -> str:
        phone = str(self.cleaned_data.get("phone") or "").strip()
        validate_phone(phone)
        return phone

    def patient_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in PATIENT_FIELDS}


class AdmitForm(forms.Form):
    site = forms.ModelChoiceField(queryset=Site.objects.none())
    program = forms.ChoiceField(choices=Episode.Program.choices)
    admission_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    level_of_care = forms.ChoiceField(choices=LevelOfCare.choices, initial=LevelOfCare.IOP)
    primary_counsellor = forms.ModelChoiceField(
        label=_("Primary counselor"), queryset=User.objects.none(), required=False
    )

    def __init__(self, *args: Any, sites: Any, counsellors: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "site").queryset = sites
        _choices(self, "primary_counsellor").queryset = counsellors

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        counsellor, site = data.get("primary_counsellor"), data.get("site")
        if counsellor and site and not counsellor.sites.filter(pk=site.pk).exists():
            self.add_error("primary_counsellor", _("This counselor does not work at the chosen site."))
        return data


class LevelChangeForm(forms.Form):
    """Any level is accepted here; the service decides (and says why not),
    so the message lands beside the field rather than "not a valid choice"."""

    to_level = forms.ChoiceField(label=_("New level of care"), choices=LevelOfCare.choices)
    effective_date = forms.DateField(
        label=_("Takes effect on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("What the reassessment showed, and why this level fits better now."),
    )
    version = AsciiIntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, episode: Episode, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("version", episode.version)
        super().__init__(*args, **kwargs)
        self.fields["effective_date"].initial = timezone.localdate()
        # Offer the other levels, the current one left out.
        self.fields["to_level"].widget.choices = [
            ("", "—"),
            *((code, label) for code, label in LevelOfCare.choices if code != episode.level_of_care),
        ]


class DischargeForm(forms.Form):
    DISCHARGE_FIELDS = ("discharge_date", "reason")
    PLAN_FIELDS = (
        "next_level_of_care",
        "referral_to",
        "referral_contact",
        "first_appointment_date",
        "first_appointment_time",
        "supports",
        "notes",
    )

    discharge_date = forms.DateField(
        label=_("Discharge date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    reason = forms.ChoiceField(
        label=_("Discharge reason (TEDS code)"), choices=[("", "—"), *TedsDischargeReason.choices], required=False
    )
    next_level_of_care = forms.ChoiceField(
        label=_("Next level of care"), choices=[("", "—"), *NextLevelOfCare.choices], required=False
    )
    referral_to = forms.CharField(label=_("Referred to (organization or program)"), max_length=200, required=False)
    referral_contact = forms.CharField(label=_("Referral contact (phone or address)"), max_length=200, required=False)
    first_appointment_date = forms.DateField(
        label=_("First appointment: date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        required=False,
    )
    first_appointment_time = forms.TimeField(
        label=_("First appointment: time"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        required=False,
    )
    supports = forms.MultipleChoiceField(
        label=_("Supports"), choices=RecoverySupport.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    notes = forms.CharField(
        label=_("Notes on the plan"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("For example the sponsor's first name, meeting times, or what to do after a lapse."),
    )
    version = AsciiIntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, episode: Episode, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("version", episode.version)
        super().__init__(*args, **kwargs)
        self.fields["discharge_date"].initial = timezone.localdate()

    def discharge_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.DISCHARGE_FIELDS]

    def plan_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.PLAN_FIELDS]

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {name: data[name] for name in (*self.DISCHARGE_FIELDS, *self.PLAN_FIELDS)}


class AllergyForm(forms.Form):
    substance = forms.CharField(
        label=_("Substance"), max_length=200, help_text=_("A medicine, a food, latex, an insect sting...")
    )
    reaction = forms.CharField(
        label=_("Reaction"), max_length=200, required=False, help_text=_("For example: hives, swelling, wheezing.")
    )
    severity = forms.ChoiceField(
        label=_("Severity"), choices=AllergySeverity.choices, initial=AllergySeverity.UNKNOWN, widget=forms.RadioSelect
    )


class NoKnownAllergiesForm(forms.Form):
    confirmed = forms.BooleanField(
        label=_("I asked the patient, and they have no known allergies to medicines, foods or anything else."),
        error_messages={"required": _("Tick the box to confirm you asked.")},
    )


class AllergyErrorForm(forms.Form):
    reason = forms.CharField(label=_("Why this entry is wrong"), max_length=300)
