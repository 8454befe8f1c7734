# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from openiop.assessments.instruments import Band, check_bands, get_instrument
from openiop.assessments.models import BandOverride, MonitoringThreshold


class BandOverrideForm(forms.ModelForm[BandOverride]):
    class Meta:
        model = BandOverride
        fields = ["instrument_code", "bands", "reason"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        code, bands = data.get("instrument_code"), data.get("bands")
        if not code or bands is None:
            return data
        try:
            instrument = get_instrument(code)
            if not instrument.bands_configurable:
                raise ValidationError(f"{instrument.code}'s bands are fixed by its citation and cannot be changed.")
            check_bands(instrument, [Band(name=str(b["name"]), min=int(b["min"]), max=int(b["max"])) for b in bands])
        except (ValueError, KeyError, TypeError) as error:
            raise ValidationError({"bands": str(error)}) from error
        data["instrument_code"] = instrument.code
        return data


@admin.register(BandOverride)
class BandOverrideAdmin(admin.ModelAdmin[BandOverride]):
    form = BandOverrideForm
    list_display = ["instrument_code", "changed_at", "changed_by", "reason"]
    readonly_fields = ["changed_by", "changed_at"]

    def save_model(self, request: HttpRequest, obj: BandOverride, form: Any, change: bool) -> None:
        obj.changed_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)

    def has_change_permission(self, request: HttpRequest, obj: BandOverride | None = None) -> bool:
        # Kept as history of which rule applied when: add a new row instead.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: BandOverride | None = None) -> bool:
        return False


@admin.register(MonitoringThreshold)
class MonitoringThresholdAdmin(admin.ModelAdmin[MonitoringThreshold]):
    list_display = ["instrument_code", "escalate_at", "guidance", "changed_at"]

    def has_delete_permission(self, request: HttpRequest, obj: MonitoringThreshold | None = None) -> bool:
        return False
