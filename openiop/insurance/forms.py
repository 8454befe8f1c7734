# SPDX-License-Identifier: AGPL-3.0-or-later
"""Forms for the insurance pages. They only shape input: the rules (dates,
overlapping primaries, member IDs, units) are checked by the services, so
the messages are the same whichever way a record is written."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from openiop.insurance.models import (
    AuthorizationStatus,
    AuthorizationUnit,
    CheckMethod,
    Coverage,
    CoveragePriority,
    Payer,
    SubscriberRelation,
    YesNoUnknown,
)
from openiop.insurance.services_eligibility import SERVICE_TYPES
from openiop.patients.models import LevelOfCare, Patient

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _money(label: Any, **extra: Any) -> forms.DecimalField:
    return forms.DecimalField(label=label, max_digits=10, decimal_places=2, required=False, **extra)


class VersionForm(forms.Form):
    """The version the form was opened at: a save against another is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class CoverageForm(VersionForm):
    payer = forms.ModelChoiceField(label=_("Payer"), queryset=Payer.objects.none())
    plan_name = forms.CharField(label=_("Plan"), max_length=120, required=False)
    # Checked by the service (one message for every way a coverage is written).
    member_id = forms.CharField(label=_("Member ID"), max_length=80, help_text=_("As printed on the card."))
    group_number = forms.CharField(label=_("Group number"), max_length=50, required=False)
    priority = forms.ChoiceField(label=_("Priority"), choices=CoveragePriority.choices)
    relation_to_subscriber = forms.ChoiceField(
        label=_("Patient's relation to the subscriber"), choices=SubscriberRelation.choices
    )
    subscriber_first_name = forms.CharField(label=_("Subscriber's first name"), max_length=100, required=False)
    subscriber_last_name = forms.CharField(label=_("Subscriber's last name"), max_length=100, required=False)
    subscriber_birth_date = forms.DateField(label=_("Subscriber's date of birth"), required=False, widget=DATE)
    effective_date = forms.DateField(label=_("Effective from"), widget=DATE)
    end_date = forms.DateField(label=_("Ends on"), required=False, widget=DATE)
    copay_per_day = _money(_("Copay per day ($)"))
    coinsurance_percent = forms.DecimalField(label=_("Coinsurance (%)"), max_digits=5, decimal_places=2, required=False)
    deductible = _money(_("Deductible ($)"))
    deductible_remaining = _money(_("Deductible remaining ($)"))
    out_of_pocket_max = _money(_("Out-of-pocket maximum ($)"))
    out_of_pocket_remaining = _money(_("Out-of-pocket remaining ($)"))

    def __init__(self, *args: Any, patient: Patient, coverage: Coverage | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        payers = Payer.objects.filter(organization_id=patient.organization_id)
        if coverage is None:
            payers = payers.filter(is_active=True)
        else:  # a payer retired since may stay on an existing coverage
            payers = payers.filter(is_active=True) | payers.filter(pk=coverage.payer_id)
        self.fields["payer"].queryset = payers.order_by("name")  # type: ignore[attr-defined]
        if coverage is None:
            self.fields["version"].required = False

    def coverage_fields(self) -> dict[str, Any]:
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}


class CardForm(VersionForm):
    side = forms.ChoiceField(label=_("Side"), choices=[("front", _("Front")), ("back", _("Back"))])
    image = forms.FileField(
        label=_("Card image"),
        help_text=_("A JPEG or PNG photo, or a PDF scan, at most 2 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}),
    )


class ManualCheckForm(forms.Form):
    method = forms.ChoiceField(
        label=_("How"), choices=[(c, label) for c, label in CheckMethod.choices if c != CheckMethod.ELECTRONIC]
    )
    checked_at = forms.DateTimeField(
        label=_("When"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    active = forms.TypedChoiceField(
        label=_("Coverage active"),
        choices=[("yes", _("Yes, active")), ("no", _("No, not active"))],
        coerce=lambda value: value == "yes",
    )
    service_types = forms.MultipleChoiceField(
        label=_("Service types checked"),
        choices=list(SERVICE_TYPES.items()),
        widget=forms.CheckboxSelectMultiple,
        initial=["AI", "MH"],
    )
    reference = forms.CharField(label=_("Reference number"), max_length=80, required=False)
    representative = forms.CharField(label=_("Spoke to"), max_length=100, required=False)
    copay_per_day = _money(_("Copay per day ($)"))
    coinsurance_percent = forms.DecimalField(label=_("Coinsurance (%)"), max_digits=5, decimal_places=2, required=False)
    deductible = _money(_("Deductible ($)"))
    deductible_remaining = _money(_("Deductible remaining ($)"))
    out_of_pocket_max = _money(_("Out-of-pocket maximum ($)"))
    authorization_required = forms.ChoiceField(label=_("Authorization required"), choices=YesNoUnknown.choices)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ElectronicCheckForm(forms.Form):
    service_types = forms.MultipleChoiceField(
        label=_("Ask about"),
        choices=list(SERVICE_TYPES.items()),
        widget=forms.CheckboxSelectMultiple,
        initial=["AI", "MH"],
    )


class AuthorizationForm(VersionForm):
    coverage = forms.ModelChoiceField(label=_("Coverage"), queryset=Coverage.objects.none())
    number = forms.CharField(label=_("Authorization number"), max_length=50)
    level_of_care = forms.ChoiceField(label=_("Level of care"), choices=LevelOfCare.choices, initial=LevelOfCare.IOP)
    service_code = forms.CharField(label=_("Service code"), max_length=5, initial="H0015", help_text=_("e.g. H0015"))
    unit = forms.ChoiceField(label=_("Unit"), choices=AuthorizationUnit.choices)
    units_authorized = forms.IntegerField(label=_("Units authorized"), min_value=0)
    start_date = forms.DateField(label=_("From"), widget=DATE)
    end_date = forms.DateField(label=_("To"), widget=DATE)
    next_review_date = forms.DateField(label=_("Next concurrent review"), required=False, widget=DATE)
    status = forms.ChoiceField(
        label=_("Status"), choices=AuthorizationStatus.choices, initial=AuthorizationStatus.APPROVED
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, patient: Patient, creating: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["coverage"].queryset = Coverage.objects.filter(patient=patient).select_related(  # type: ignore[attr-defined]
            "payer"
        )
        if creating:
            self.fields["version"].required = False

    def authorization_fields(self) -> dict[str, Any]:
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}
