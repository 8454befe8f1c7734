# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from openiop.claims import views

app_name = "claims"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.claim_list, name="list"),
    path("denials/", views.denials, name="denials"),
    path("build/", views.claims_build_page, name="build"),
    path("import/", views.answer_import, name="import"),
    path("<int:pk>/", views.claim_detail, name="detail"),
    path("<int:pk>/replace/", views.claim_replace_page, name="replace"),
]
