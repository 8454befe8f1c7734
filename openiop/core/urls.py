# SPDX-License-Identifier: AGPL-3.0-or-later
from django.urls import path

from openiop.core import views

app_name = "core"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("healthz", views.healthz, name="healthz"),
]
