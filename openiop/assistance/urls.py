# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.urls import URLPattern, URLResolver

app_name = "assistance"

urlpatterns: list[URLPattern | URLResolver] = []
