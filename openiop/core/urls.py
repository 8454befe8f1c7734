# SPDX-License-Identifier: AGPL-3.0-or-later
from django.urls import path

from openiop.core import views

app_name = "core"

# The dashboard (core:dashboard) is added by openiop/config/urls.py: its view
# lives in accounts, above core.
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
]
