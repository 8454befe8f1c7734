# SPDX-License-Identifier: AGPL-3.0-or-later
"""Fee schedules are maintained here by administrators (or imported with
``services.fee_schedule_create``). A row is never rewritten: once saved only
its last day can be set (to end it before a new price starts), since charges
point at the row they copied their amounts from. Charges are the program's
own records and have no admin page."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from openiop.audit.services import log_action
from openiop.billing.models import FeeSchedule

PRICE_FIELDS = (
    "organization", "payer", "site", "code", "revenue_code", "charge_amount", "expected_amount", "effective_from",
)  # fmt: skip


@admin.register(FeeSchedule)
class FeeScheduleAdmin(admin.ModelAdmin[FeeSchedule]):
    fields = [*PRICE_FIELDS, "effective_to"]
    list_display = ["code", "payer", "site", "charge_amount", "expected_amount", "effective_from", "effective_to"]
    list_filter = ["payer", "site", "code"]
    search_fields = ["code", "payer__name"]

    def get_readonly_fields(self, request: HttpRequest, obj: FeeSchedule | None = None) -> Any:
        return PRICE_FIELDS if obj is not None else ()

    def has_delete_permission(self, request: HttpRequest, obj: FeeSchedule | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: FeeSchedule, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)
        log_action(
            "billing.fee_schedule.end" if change else "billing.fee_schedule.create",
            obj=obj,
            actor=request.user,
            data={"code": obj.code, "payer": obj.payer_id, "site": obj.site_id, "to": str(obj.effective_to or "")},
        )
