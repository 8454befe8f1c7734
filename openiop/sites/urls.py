# SPDX-License-Identifier: AGPL-3.0-or-later
from django.urls import path

from openiop.sites import views

app_name = "sites"

urlpatterns = [
    path("sites/", views.site_list, name="list"),
    path("sites/<slug:code>/", views.site_detail, name="detail"),
    path("staff/", views.staff_list, name="staff"),
]
