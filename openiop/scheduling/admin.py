# SPDX-License-Identifier: AGPL-3.0-or-later
"""Set-up data an administrator may correct in Django's admin. Bookings,
attendance and proposals go through the services (rules, audit); the admin
shows them read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from openiop.scheduling import models


@admin.register(models.Track)
class TrackAdmin(admin.ModelAdmin[models.Track]):
    list_display = ["name", "kind", "site", "is_active"]
    list_filter = ["site", "kind", "is_active"]


@admin.register(models.ClinicianAvailability)
class ClinicianAvailabilityAdmin(admin.ModelAdmin[models.ClinicianAvailability]):
    list_display = ["user", "site", "weekday", "start_time", "end_time", "weekly_caseload"]
    list_filter = ["site", "weekday"]


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(models.SessionSeries)
class SessionSeriesAdmin(ReadOnlyAdmin):
    list_display = ["title", "site", "track", "rrule", "start_time", "end_time", "capacity_min", "capacity_max"]
    list_filter = ["site"]


@admin.register(models.Session)
class SessionAdmin(ReadOnlyAdmin):
    list_display = ["title", "site", "start", "end", "room", "facilitator", "status"]
    list_filter = ["site", "status"]
    date_hierarchy = "start"


@admin.register(models.WeekProposal)
class WeekProposalAdmin(ReadOnlyAdmin):
    list_display = ["site", "week_start", "kind", "status", "meeting", "created_by", "created_at"]
    list_filter = ["site", "status", "kind"]


@admin.register(models.FeedToken)
class FeedTokenAdmin(ReadOnlyAdmin):
    list_display = ["kind", "site", "label", "created_by", "created_at", "revoked_at", "last_used_at"]
    exclude = ["key_hash"]
