# SPDX-License-Identifier: AGPL-3.0-or-later
"""Forms for the billing pages. They shape input; the packet's rules (a
justification, a period that has happened) are checked in ``packets``."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from openiop.billing.models import BILLED_CODE_CHOICES, Charge, ChargeStatus
from openiop.billing.packets import MAX_JUSTIFICATION
from openiop.billing.rules import HoldReason
from openiop.billing.selectors import with_hold_reason
from openiop.insurance.models import Payer
from openiop.privacy.information import Channel
from openiop.sites.models import Site

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

# How a packet goes to a payer's reviewer (a call is not a packet).
PACKET_CHANNELS = [
    (Channel.FAX, Channel.FAX.label),
    (Channel.PORTAL, Channel.PORTAL.label),
    (Channel.SECURE_EMAIL, Channel.SECURE_EMAIL.label),
    (Channel.MAIL, Channel.MAIL.label),
]


class ReviewPacketForm(forms.Form):
    reviewer_name = forms.CharField(
        label=_("Payer's reviewer (optional)"),
        max_length=150,
        required=False,
        help_text=_("The utilization reviewer's name, when the payer gave one."),
    )
    channel = forms.ChoiceField(label=_("Sent by"), choices=PACKET_CHANNELS)
    period_start = forms.DateField(label=_("Records from"), widget=DATE)
    period_end = forms.DateField(label=_("Records to"), widget=DATE)
    clinician = forms.CharField(
        label=_("Clinician"),
        max_length=150,
        error_messages={"required": _("Name the clinician whose justification this is.")},
    )
    justification = forms.CharField(
        label=_("Clinician's justification for continued care"),
        max_length=MAX_JUSTIFICATION,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Write the clinician's justification for continued care.")},
        help_text=_(
            "Why this level of care is still needed: current symptoms and risks, progress against the plan, "
            "and what would happen at a lower level of care."
        ),
    )


# --- The workspace's filters --------------------------------------------------------------------------------------


def users_sites(request: HttpRequest | None) -> QuerySet[Site]:
    if request is None or not request.user.is_authenticated:
        return Site.objects.none()
    return Site.objects.filter(pk__in=request.user.site_ids()).order_by("name")


def users_payers(request: HttpRequest | None) -> QuerySet[Payer]:
    """Payers of the organizations of the user's sites."""
    return Payer.objects.filter(organization__in=users_sites(request).values("organization")).order_by("name")


HOLD_REASON_CHOICES = [(reason.value, reason.text) for reason in HoldReason]


class ChargeFilter(django_filters.FilterSet):
    """Site, payer, status, hold reason and the dates of service. Without a
    status, the charges that stand (held, ready, billed); voided ones only
    when asked for."""

    site = django_filters.ModelChoiceFilter(queryset=users_sites, label=_("Site"), empty_label=_("All my sites"))
    payer = django_filters.ModelChoiceFilter(queryset=users_payers, label=_("Payer"), empty_label=_("Every payer"))
    status = django_filters.ChoiceFilter(
        choices=ChargeStatus.choices, label=_("Status"), empty_label=_("Held, ready or billed"), method="by_status"
    )
    reason = django_filters.ChoiceFilter(
        choices=HOLD_REASON_CHOICES, label=_("Held because"), empty_label=_("Any reason"), method="by_reason"
    )
    date_from = django_filters.DateFilter(
        field_name="service_date", lookup_expr="gte", label=_("Served from"), widget=DATE
    )
    date_to = django_filters.DateFilter(field_name="service_date", lookup_expr="lte", label=_("Served to"), widget=DATE)

    class Meta:
        model = Charge
        fields: list[str] = []

    def by_status(self, queryset: QuerySet[Charge], name: str, value: str) -> QuerySet[Charge]:
        return queryset.filter(status=value)

    def by_reason(self, queryset: QuerySet[Charge], name: str, value: str) -> QuerySet[Charge]:
        return with_hold_reason(queryset.filter(status=ChargeStatus.HELD), value)

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.exclude(status=ChargeStatus.VOIDED)
        return super().filter_queryset(queryset)  # type: ignore[no-any-return]

    def is_valid(self) -> bool:
        valid = bool(super().is_valid())
        data = self.form.cleaned_data if valid else {}
        if valid and data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.form.add_error("date_to", _("The end date is before the start date."))
            return False
        return valid


# --- Fee schedules ------------------------------------------------------------------------------------------------


class FeeScheduleForm(forms.Form):
    """One price: the service's rules (a code the program bills, amounts not
    negative, dates that do not overlap another row) are checked by
    ``services.fee_schedule_create``."""

    payer = forms.ModelChoiceField(
        queryset=Payer.objects.none(), required=False, label=_("Payer"), empty_label=_("Self-pay (the program's list)")
    )
    site = forms.ModelChoiceField(
        queryset=Site.objects.none(), required=False, label=_("Site"), empty_label=_("Every site")
    )
    code = forms.ChoiceField(label=_("Code"), choices=BILLED_CODE_CHOICES)
    revenue_code = forms.CharField(label=_("Revenue code (institutional claims)"), max_length=4, required=False)
    charge_amount = forms.DecimalField(label=_("Charge"), max_digits=10, decimal_places=2, min_value=0)
    expected_amount = forms.DecimalField(
        label=_("Expected (contracted) amount"), max_digits=10, decimal_places=2, min_value=0
    )
    effective_from = forms.DateField(label=_("In force from"), widget=DATE)
    effective_to = forms.DateField(label=_("Last day in force (optional)"), widget=DATE, required=False)

    def __init__(self, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["payer"].queryset = users_payers(request)  # type: ignore[attr-defined]
        self.fields["site"].queryset = users_sites(request)  # type: ignore[attr-defined]


class FeeScheduleEndForm(forms.Form):
    last_day = forms.DateField(label=_("Last day in force"), widget=DATE)
