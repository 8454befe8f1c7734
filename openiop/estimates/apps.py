# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.apps import AppConfig


class EstimatesConfig(AppConfig):
    name = "openiop.estimates"
    label = "estimates"
    verbose_name = "Good Faith Estimates (No Surprises Act)"
