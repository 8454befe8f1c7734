# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.apps import AppConfig


class DiagnosesConfig(AppConfig):
    name = "openiop.diagnoses"
    label = "diagnoses"
    verbose_name = "Diagnoses (ICD-10-CM problem list)"
