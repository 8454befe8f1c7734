# SPDX-License-Identifier: AGPL-3.0-or-later
from django.contrib import admin

from openiop.treatment.models import HoursBand


@admin.register(HoursBand)
class HoursBandAdmin(admin.ModelAdmin[HoursBand]):
    list_display = ("level_of_care", "population", "min_hours", "max_hours", "max_exclusive", "rule")
    list_editable = ("min_hours", "max_hours", "max_exclusive")
