# SPDX-License-Identifier: AGPL-3.0-or-later
from django.urls import path

from openiop.directory import views

app_name = "directory"

urlpatterns = [
    path("", views.search, name="search"),
    path("<int:pk>/", views.facility, name="facility"),
    path("import/", views.import_upload, name="import"),
]
