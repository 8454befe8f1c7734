# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "openiop.assessments"
    label = "assessments"
    verbose_name = "Assessments, safety alerts and level-of-care placement"
