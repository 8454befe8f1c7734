# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "openiop.reports"
    label = "reports"
    verbose_name = "Revenue reports (A/R aging, denials, days in A/R, payments)"
