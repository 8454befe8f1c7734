# SPDX-License-Identifier: AGPL-3.0-or-later
"""Per-organization privacy settings: which 42 CFR 2.32 notice goes with
disclosures (the program chooses the short or the long form) and where
break-the-glass alerts are also sent. Consents and disclosures are recorded
through the application's pages, never edited here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from openiop.audit.services import log_action
from openiop.privacy.models import PatientNotice, PrivacySettings


@admin.register(PrivacySettings)
class PrivacySettingsAdmin(admin.ModelAdmin[PrivacySettings]):
    list_display = ["organization", "notice_form", "alert_email"]

    def save_model(self, request: HttpRequest, obj: PrivacySettings, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        log_action(
            "privacy.settings",
            obj=obj,
            actor=request.user,
            data={"notice_form": obj.notice_form, "alert_email": obj.alert_email},
        )


@admin.register(PatientNotice)
class PatientNoticeAdmin(admin.ModelAdmin[PatientNotice]):
    """The notice of 42 CFR 2.22 each organization gives at admission, as
    data: the heading names the program; the privacy officer's contact is shown
    under the text. What each patient was given is kept with their record."""

    list_display = ["organization", "program_name", "privacy_officer_name", "updated_at"]

    def save_model(self, request: HttpRequest, obj: PatientNotice, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        log_action(
            "privacy.notice_settings",
            obj=obj,
            actor=request.user,
            data={"program_name": obj.program_name, "privacy_officer": obj.privacy_officer_name},
        )
