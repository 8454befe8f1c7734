# SPDX-License-Identifier: AGPL-3.0-or-later
"""The billing contact (the name reminders are signed with) is set in the
admin; funds, attestations, plans and awards are kept through the pages,
which audit every change."""

from __future__ import annotations

from django.contrib import admin

from openiop.assistance.models import BillingContact


@admin.register(BillingContact)
class BillingContactAdmin(admin.ModelAdmin[BillingContact]):
    list_display = ["billing_name", "organization", "phone"]
