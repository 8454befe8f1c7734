# SPDX-License-Identifier: AGPL-3.0-or-later
from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "openiop.core"
    label = "core"
    verbose_name = "Core"
