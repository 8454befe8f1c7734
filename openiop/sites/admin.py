# SPDX-License-Identifier: AGPL-3.0-or-later
from django.contrib import admin

from openiop.sites.models import OpeningHours, Organization, Room, Site


class RoomInline(admin.TabularInline[Room, Site]):
    model = Room
    extra = 0


class OpeningHoursInline(admin.TabularInline[OpeningHours, Site]):
    model = OpeningHours
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin[Organization]):
    list_display = ["name", "npi", "mrn_prefix", "need_to_know"]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin[Site]):
    list_display = ["name", "code", "city", "state", "zip_code", "time_zone", "is_active"]
    list_filter = ["is_active", "state"]
    search_fields = ["name", "code", "city", "zip_code"]
    inlines = [RoomInline, OpeningHoursInline]
