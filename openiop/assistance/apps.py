# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.apps import AppConfig


class AssistanceConfig(AppConfig):
    name = "openiop.assistance"
    label = "assistance"
    verbose_name = "Ways to pay (sliding fee, payment plans, scholarships and grants)"
