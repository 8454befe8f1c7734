# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "openiop.public"
    label = "public"
    verbose_name = "Public site"
