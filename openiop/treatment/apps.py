# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.apps import AppConfig


class TreatmentConfig(AppConfig):
    name = "openiop.treatment"
    label = "treatment"
    verbose_name = "Treatment plans and clinical notes"
