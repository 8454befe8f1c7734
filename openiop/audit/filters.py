# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from openiop.audit.models import AuditEvent


class AuditEventFilter(django_filters.FilterSet):
    user = django_filters.CharFilter(field_name="actor_username", lookup_expr="iexact", label=_("User name"))
    patient = django_filters.CharFilter(field_name="patient_id", lookup_expr="exact", label=_("Patient"))
    action = django_filters.CharFilter(field_name="action", lookup_expr="istartswith", label=_("Action starts with"))
    date_from = django_filters.DateFilter(
        field_name="occurred_at",
        lookup_expr="date__gte",
        label=_("From"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = django_filters.DateFilter(
        field_name="occurred_at", lookup_expr="date__lte", label=_("To"), widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = AuditEvent
        fields: list[str] = []

    def is_valid(self) -> bool:
        valid = bool(super().is_valid())
        data = self.form.cleaned_data if valid else {}
        if valid and data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.form.add_error("date_to", _("The end date is before the start date."))
            return False
        return valid
