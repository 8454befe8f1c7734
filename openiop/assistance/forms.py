# SPDX-License-Identifier: AGPL-3.0-or-later
"""Forms for the ways to pay. They check shape (numbers, dates); the
services check the rules (balance, budget, months) and their errors are put
beside the fields with ``attach_error``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from openiop.assistance.models import Fund, FundKind
from openiop.assistance.selectors import FundRow
from openiop.ledger.forms import new_submission_key
from openiop.public import poverty
from openiop.sites.models import Site

MONEY_MAX = Decimal(100000)


class DateInput(forms.DateInput):
    input_type = "date"


class AttestationForm(forms.Form):
    household_size = forms.IntegerField(
        label=_("Household size"),
        min_value=1,
        max_value=poverty.MAX_HOUSEHOLD,
        help_text=_("The patient and everyone they support or who supports them."),
    )
    annual_income = forms.DecimalField(
        label=_("Yearly household income ($)"), min_value=0, max_value=poverty.MAX_INCOME, decimal_places=2
    )
    saw_pay_stub = forms.BooleanField(label=_("Pay stubs seen"), required=False)
    saw_tax_return = forms.BooleanField(label=_("Tax return seen"), required=False)
    saw_benefits_letter = forms.BooleanField(label=_("Benefits letter seen"), required=False)
    self_attested = forms.BooleanField(label=_("Self-attestation (no documents)"), required=False)
    self_attestation_reason = forms.CharField(
        label=_("Why no documents"), required=False, max_length=300, widget=forms.TextInput()
    )
    attested_on = forms.DateField(label=_("Attested on"), widget=DateInput())


class PlanForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount ($)"), min_value=Decimal("0.01"), max_value=MONEY_MAX, decimal_places=2)
    # Range checked by the service, so 0 and 600 get its sentence, not the browser's.
    months = forms.IntegerField(label=_("Number of months"), help_text=_("From 1 to 60."))
    first_due = forms.DateField(label=_("First payment due"), widget=DateInput())


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class FundForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=FundKind.choices)
    budget = forms.DecimalField(label=_("Budget ($)"), min_value=Decimal("0.01"), max_digits=11, decimal_places=2)
    starts_on = forms.DateField(label=_("From"), widget=DateInput())
    ends_on = forms.DateField(label=_("Until"), widget=DateInput())
    site = forms.ModelChoiceField(
        label=_("Site"), queryset=Site.objects.none(), required=False, empty_label=_("Every site")
    )

    def __init__(self, *args: Any, sites: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites  # type: ignore[attr-defined]


class FundChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """Funds named with what each has left."""

    remaining: dict[int, Decimal] = {}

    def label_from_instance(self, obj: Any) -> str:
        left = self.remaining.get(obj.pk, Decimal(0))
        return _("%(name)s (%(remaining)s left)") % {"name": obj.name, "remaining": f"${left:,.2f}"}


class AwardForm(forms.Form):
    fund = FundChoiceField(label=_("Fund"), queryset=Fund.objects.none())
    amount = forms.DecimalField(label=_("Amount ($)"), min_value=Decimal("0.01"), max_value=MONEY_MAX, decimal_places=2)
    reason = forms.CharField(label=_("Reason"), max_length=300)
    # One award per opened form: a double click or a resent form posts it once.
    submission_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, funds: list[FundRow], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("submission_key", new_submission_key())
        super().__init__(*args, **kwargs)
        field = self.fields["fund"]
        assert isinstance(field, FundChoiceField)
        field.queryset = Fund.objects.filter(pk__in=[row.fund.pk for row in funds])
        field.remaining = {row.fund.pk: row.remaining for row in funds}
