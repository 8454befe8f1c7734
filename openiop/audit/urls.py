# SPDX-License-Identifier: AGPL-3.0-or-later
from django.urls import path

from openiop.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.event_list, name="events"),
    path("export.csv", views.event_export, name="export"),
]
