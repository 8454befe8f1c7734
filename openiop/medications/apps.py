# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.apps import AppConfig


class MedicationsConfig(AppConfig):
    name = "openiop.medications"
    label = "medications"
    verbose_name = "Medications and drug testing"
