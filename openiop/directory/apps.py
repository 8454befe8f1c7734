# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "openiop.directory"
    label = "directory"
    verbose_name = "Facility directory and locator"
