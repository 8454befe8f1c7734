# SPDX-License-Identifier: AGPL-3.0-or-later
"""Payers and their billing set-up are maintained here by administrators (or
created with ``services.payer_create``, which adds the default set-up).
Patients' coverage, checks and authorizations are entered through the
application's pages, never here."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from openiop.audit.services import log_action
from openiop.insurance.models import Payer, PayerService
from openiop.insurance.services import check_per_diem_rule


class PayerServiceInline(admin.TabularInline[PayerService, Payer]):
    model = PayerService
    extra = 0
    fields = ["level_of_care", "claim_type", "revenue_code", "procedure_code"]


class PayerAdminForm(forms.ModelForm[Payer]):
    class Meta:
        model = Payer
        fields = [
            "organization", "name", "kind", "payer_id", "is_medicare", "authorization_required",
            "timely_filing_days", "per_diem_min_minutes_per_day", "per_diem_min_days_per_week",
            "per_diem_min_minutes_per_week", "is_active", "phone",
        ]  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        probe = Payer(
            per_diem_min_minutes_per_day=data.get("per_diem_min_minutes_per_day") or 0,
            per_diem_min_minutes_per_week=data.get("per_diem_min_minutes_per_week") or 0,
        )
        try:
            check_per_diem_rule(probe)
        except ValidationError as exc:
            self.add_error(None, exc.messages)
        return data


@admin.register(Payer)
class PayerAdmin(admin.ModelAdmin[Payer]):
    form = PayerAdminForm
    inlines = [PayerServiceInline]
    list_display = [
        "name", "kind", "payer_id", "authorization_required", "is_medicare", "per_diem_min_minutes_per_day",
        "per_diem_min_days_per_week", "per_diem_min_minutes_per_week", "is_active",
    ]  # fmt: skip
    list_filter = ["kind", "is_active", "is_medicare"]
    search_fields = ["name", "payer_id"]

    def save_model(self, request: HttpRequest, obj: Payer, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        log_action(
            "payer.update" if change else "payer.create",
            obj=obj,
            actor=request.user,
            data={"name": obj.name, "payer_id": obj.payer_id, "changed": sorted(form.changed_data)},
        )

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        super().save_formset(request, form, formset, change)
        if formset.has_changed():
            log_action(
                "payer.services",
                obj=form.instance,
                actor=request.user,
                data={"services": [str(service) for service in form.instance.services.all()]},
            )
