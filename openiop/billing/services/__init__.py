# SPDX-License-Identifier: AGPL-3.0-or-later
"""Billing's writes: fee schedules, and charges kept in step with attendance,
signed notes, drug tests and the intake assessment (``charges_sync``)."""

from openiop.billing.services.charges import SyncResult, charges_sync, charges_sync_many
from openiop.billing.services.fees import fee_schedule_create, fee_schedule_end

__all__ = ["SyncResult", "charges_sync", "charges_sync_many", "fee_schedule_create", "fee_schedule_end"]
