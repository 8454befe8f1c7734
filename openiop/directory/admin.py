# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.contrib import admin

from openiop.directory.models import Facility


@admin.register(Facility)
class FacilityAdmin(admin.ModelAdmin[Facility]):
    list_display = ["name", "city", "state", "zip_code", "source", "is_listed"]
    list_filter = ["source", "is_listed", "state"]
    search_fields = ["name", "name2", "city", "zip_code", "external_key"]
    readonly_fields = ["external_key", "site", "updated_at"]
