# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from openiop.diagnoses.models import DiagnosisStatus


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DiagnosisForm(forms.Form):
    code = forms.CharField(
        label=_("ICD-10-CM code"),
        max_length=12,
        help_text=_("With or without the dot, e.g. F11.20; find one by words or code above."),
    )
    onset_date = forms.DateField(label=_("Onset"), required=False, widget=_date_widget())
    is_primary = forms.BooleanField(label=_("Primary diagnosis (the principal one on claims)"), required=False)


class DiagnosisEditForm(forms.Form):
    code = forms.CharField(label=_("ICD-10-CM code"), max_length=12, help_text=_("With or without the dot."))
    onset_date = forms.DateField(label=_("Onset"), required=False, widget=_date_widget())
    version = forms.IntegerField(widget=forms.HiddenInput)


class ResolveForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            (DiagnosisStatus.RESOLVED, _("Resolved: it applied until the day below")),
            (DiagnosisStatus.RULED_OUT, _("Ruled out: it never applied (claims will not carry it)")),
        ],
        initial=DiagnosisStatus.RESOLVED,
        widget=forms.RadioSelect,
    )
    on = forms.DateField(label=_("Resolved on"), required=False, widget=_date_widget())
    version = forms.IntegerField(widget=forms.HiddenInput)


class MarkPrimaryForm(forms.Form):
    """Nothing to fill in: the page asks to confirm."""


class EnteredInErrorForm(forms.Form):
    reason = forms.CharField(label=_("Why was it a mistake?"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}))
