# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from openiop.estimates import arithmetic
from openiop.estimates.models import DeliveryMethod
from openiop.patients.models import LevelOfCare

DATE = forms.DateInput(attrs={"type": "date"})


class EstimateForm(forms.Form):
    first_day = forms.DateField(label=_("First day of service"), widget=DATE)
    weeks = forms.IntegerField(
        label=_("Expected weeks"),
        min_value=1,
        max_value=arithmetic.MAX_WEEKS,
        help_text=_("Booked weeks are estimated from the booking, later weeks from the standard track."),
    )
    level_of_care = forms.ChoiceField(label=_("Level of care"), choices=LevelOfCare.choices)
    drug_tests_per_week = forms.IntegerField(label=_("Drug tests a week"), min_value=0, max_value=3, initial=1)
    individual_sessions_per_week = forms.IntegerField(
        label=_("Individual therapy sessions a week (weeks not booked yet)"), min_value=0, max_value=3, initial=0
    )
    include_intake = forms.BooleanField(
        label=_("Include the intake assessment (left out once it has been charged)"), required=False, initial=True
    )
    scheduled_on = forms.DateField(label=_("Service scheduled on"), required=False, widget=DATE)
    requested_on = forms.DateField(label=_("Estimate requested by the patient on"), required=False, widget=DATE)
    insurance_declined = forms.BooleanField(
        label=_("The patient asked us not to bill insurance (recorded with the estimate)"), required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        scheduled, first = data.get("scheduled_on"), data.get("first_day")
        if scheduled and first and scheduled > first:
            self.add_error("scheduled_on", _("The service cannot be scheduled after its first day."))
        return data


class DeliveryForm(forms.Form):
    method = forms.ChoiceField(label=_("How it was given"), choices=DeliveryMethod.choices)
    recipient = forms.CharField(label=_("E-mail address or who received it"), required=False, max_length=200)
