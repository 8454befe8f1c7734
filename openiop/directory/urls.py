# SPDX-License-Identifier: AGPL-3.0-or-later
from django.urls import path

from openiop.directory import views

app_name = "directory"

urlpatterns = [
    # The public locator, part of the public site under /help/.
    path("help/find/", views.search, name="search"),
    path("help/find/<int:pk>/", views.facility, name="facility"),
    # Administrators only: outside the public site's address space, so nothing
    # that treats /help/ as public (a proxy rule, a cache) can ever cover it.
    path("directory/import/", views.import_upload, name="import"),
]
