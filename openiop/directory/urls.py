# SPDX-License-Identifier: AGPL-3.0-or-later
from django.urls import URLPattern, path  # noqa: F401

app_name = "directory"

urlpatterns: list[URLPattern] = []
