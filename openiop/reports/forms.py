# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from openiop.insurance.models import Payer
from openiop.reports.selectors import ReportFilters
from openiop.sites.models import Site

# A year of months by default; three years at most, so a chart stays readable.
DEFAULT_MONTHS = 12
MAX_RANGE_DAYS = 3 * 366


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"})


def default_start(today: dt.date) -> dt.date:
    """The first day of the month DEFAULT_MONTHS - 1 months before TODAY's."""
    months = today.year * 12 + today.month - 1 - (DEFAULT_MONTHS - 1)
    return dt.date(months // 12, months % 12 + 1, 1)


class ReportFilterForm(forms.Form):
    site = forms.ModelChoiceField(queryset=Site.objects.none(), required=False, empty_label=_("All your sites"))
    payer = forms.ModelChoiceField(queryset=Payer.objects.none(), required=False, empty_label=_("All payers"))
    as_of = forms.DateField(
        label=_("A/R as of"), required=False, widget=_date_input(), help_text=_("For aging and days in A/R.")
    )
    start = forms.DateField(
        label=_("From"), required=False, widget=_date_input(), help_text=_("For denials and payments.")
    )
    end = forms.DateField(label=_("To"), required=False, widget=_date_input())

    def __init__(self, *args: Any, site_ids: list[int], today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        sites = Site.objects.filter(pk__in=site_ids).order_by("name")
        self.fields["site"].queryset = sites  # type: ignore[attr-defined]
        organizations = sites.values("organization_id")
        self.fields["payer"].queryset = Payer.objects.filter(organization_id__in=organizations).order_by("name")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        today = self.today
        if cleaned.get("as_of") and cleaned["as_of"] > today:
            self.add_error("as_of", _("A/R cannot be reported as of a day still to come; choose today or earlier."))
        start, end = cleaned.get("start"), cleaned.get("end")
        end = end or today
        start = start or default_start(end)
        if end < start:
            self.add_error("end", _("The last day cannot be before the first."))
        elif (end - start).days > MAX_RANGE_DAYS:
            self.add_error("start", _("Choose a range of three years or less."))
        return cleaned

    def filters(self) -> ReportFilters:
        """The filters to report with: what was asked, or the defaults
        (A/R as of today; denials and payments over the last twelve months)."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        end = data.get("end") or self.today
        return ReportFilters(
            as_of=data.get("as_of") or self.today,
            start=data.get("start") or default_start(end),
            end=end,
            site=data.get("site"),
            payer=data.get("payer"),
        )
