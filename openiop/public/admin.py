# SPDX-License-Identifier: AGPL-3.0-or-later
"""The estimator's data, maintained by administrators in Django's admin."""

from __future__ import annotations

from django.contrib import admin

from openiop.public.models import PovertyGuideline, RateCard, SlidingFeeTier


@admin.register(RateCard)
class RateCardAdmin(admin.ModelAdmin[RateCard]):
    list_display = ("name", "site", "state", "is_default", "group_hour", "variation_percent", "updated_at")
    list_filter = ("is_default",)
    search_fields = ("name", "state", "site__name")


@admin.register(PovertyGuideline)
class PovertyGuidelineAdmin(admin.ModelAdmin[PovertyGuideline]):
    list_display = ("year", "region", "first_person", "each_additional")
    list_filter = ("year", "region")


@admin.register(SlidingFeeTier)
class SlidingFeeTierAdmin(admin.ModelAdmin[SlidingFeeTier]):
    list_display = ("max_percent", "discount_percent")
