# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from openiop.accounts.models import User
from openiop.patients.models import Episode, LevelOfCare, Patient
from openiop.patients.services import PATIENT_FIELDS
from openiop.sites.models import Site


def _choices(form: forms.BaseForm, name: str) -> forms.ModelChoiceField[Any]:
    return cast("forms.ModelChoiceField[Any]", form.fields[name])


class PatientForm(forms.ModelForm[Patient]):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
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

    def patient_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in PATIENT_FIELDS}


class AdmitForm(forms.Form):
    site = forms.ModelChoiceField(queryset=Site.objects.none())
    program = forms.ChoiceField(choices=Episode.Program.choices)
    admission_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    level_of_care = forms.ChoiceField(choices=LevelOfCare.choices, initial=LevelOfCare.IOP)
    primary_counsellor = forms.ModelChoiceField(queryset=User.objects.none(), required=False)

    def __init__(self, *args: Any, sites: Any, counsellors: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "site").queryset = sites
        _choices(self, "primary_counsellor").queryset = counsellors

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        counsellor, site = data.get("primary_counsellor"), data.get("site")
        if counsellor and site and not counsellor.sites.filter(pk=site.pk).exists():
            self.add_error("primary_counsellor", _("This counsellor does not work at the chosen site."))
        return data
